"""The cleaner's fast paths give the same results as the plain code they replaced.

Each fast path (wordfreq's table looked up directly, token decisions settled by set
operations, the tail-only hyphen search, the running-head counts and whitespace fast
paths of furniture.py) is compared here with a reference: wordfreq itself, or
a straightforward copy of the earlier code, on many generated inputs. The words are made up or
taken from wordfreq's list; none comes from the five source texts. Speed itself is measured by
benchmarks/convert_profile.py, never by a test.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from wordfreq import get_frequency_dict, word_frequency

from build_site.clean.furniture import (
    FurnitureConfig,
    _apply_drops,
    _containing,
    _isolated,
    _mid_sentence,
    drop_running_heads,
    head_key,
    normalise_whitespace,
)
from build_site.clean.letterspacing import _fragment, collapse_line, rejoin_pieces
from build_site.clean.text import join_lines
from build_site.clean.vocabulary import FUNCTION_WORDS, build_vocabulary, general_frequency
from build_site.clean.words import rehyphenate_compounds, rejoin_split_words
from build_site.model import Line


def test_general_frequency_is_wordfreqs_figure():
    english = sorted(w for w in get_frequency_dict("en", "best") if w.isascii() and w.isalpha())
    rng = random.Random(11)
    sample = english[::97] + ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz")
                                      for _ in range(rng.randint(1, 10))) for _ in range(3000)]
    for w in sample:
        for form in (w, w.capitalize(), w.upper()):
            assert general_frequency(form) == word_frequency(w, "en"), form
    # Not plain ASCII: still wordfreq's answer (or 0.0 for what is no plain word).
    assert general_frequency("don’t") == word_frequency("don't", "en") > 0
    assert general_frequency("café") == word_frequency("café", "en") > 0
    assert general_frequency("well-known") == word_frequency("well-known", "en") > 0
    assert general_frequency("versi~ns") == 0.0


def _reference_vocabulary(texts):
    counts, compounds = Counter(), Counter()
    for t in texts:
        for m in re.finditer(r"[A-Za-z\u00c0-\u024f]+(?:[’'][A-Za-z]+)?", t):
            w = m.group(0)
            if len(w) >= 3 and not re.search(r"[A-Z]{2}[a-z]|[a-z][A-Z]", w):
                counts[w.lower().replace("'", "’")] += 1
        for m in re.finditer(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b", t):
            left, right = m.group(1), m.group(2)
            if right.lower() not in FUNCTION_WORDS and left.lower() not in FUNCTION_WORDS:
                compounds[f"{left}-{right}".lower()] += 1
    return counts, compounds


PIECES = ["harbour", "Harbour", "HARBOUR", "har", "bour", "meas", "ures", "tha", "t", "a", "I",
          "of", "the", "ques", "tion", "question.", "work-ing", "non-Party", "well-being",
          "fr", "am", "ew", "ork", "framework", "rem", "ai", "n", "McCall", "ObVIOUS", "don't",
          "it’s", "cafés", "—", "“the", "end.”", "(see", "p.", "12", "x", "", "Zq", "ing,",
          "so me on e", "a no the r.", "be ca us e,", "diff er en t",  # the last piece weak
          "meas ures", "ques tion.", "Har bour"]


def _random_lines(seed: int, n: int = 400) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_build_vocabulary_counts_as_before():
    lines = _random_lines(1)
    vocab = build_vocabulary(lines)
    counts, compounds = _reference_vocabulary(lines)
    assert list(vocab.counts.items()) == list(counts.items())  # same order too
    assert list(vocab.compound_counts.items()) == list(compounds.items())
    assert vocab.total == sum(counts.values())
    assert vocab.em_dashes == sum(t.count("—") for t in lines)


_HYPHEN_PIECES = ["work-ing", "non-Party", "well-being", "-the", "ab-", "a-b", "x--y", "rank-and-file",
                  "five-year-plan", "non-Party,", "(well-being)", "of-the", "the-end", "co-op",
                  "Co-Op", "ab-1", "café-bar", "\u00e9t\u00e9-ab", "word", "the", "—", ""]
_SEPARATORS = [" ", " ", " ", "  ", "\t", "\u00a0", "\n", "-", "_"]


def test_build_vocabulary_compounds_whatever_the_spacing():
    """Compounds counted per distinct space-separated token are those found in the lines,
    in the same order, with tabs, no-break spaces, newlines inside lines and hyphens at the
    tokens' edges."""
    rng = random.Random(7)
    seen = 0
    for _ in range(300):
        lines = ["".join(rng.choice(_HYPHEN_PIECES) + rng.choice(_SEPARATORS)
                         for _ in range(rng.randint(0, 9))) for _ in range(rng.randint(0, 12))]
        vocab = build_vocabulary(lines)
        _, compounds = _reference_vocabulary(lines)
        assert list(vocab.compound_counts.items()) == list(compounds.items()), lines
        assert vocab.compounds == frozenset(compounds)
        seen += sum(compounds.values()) > 1
    assert seen > 100


def _reference_rejoin(text, vocab, min_piece=1, min_word=1):
    tokens = text.split(" ")
    weak = [_fragment(t.rstrip(".,;:!?”’)"), vocab) and not vocab.known(
        t.rstrip(".,;:!?”’)"), 1e-5, 5) for t in tokens]
    out, i = [], 0
    while i < len(tokens):
        for k in (4, 3, 2):
            if not any(weak[i:i + k]):
                continue
            group = tokens[i:i + k]
            if len(group) < k or not all(g.isalpha() for g in group[:-1]):
                continue
            last = re.match(r"^([A-Za-z]+)(\W*)$", group[-1])
            if not last:
                continue
            word = "".join(group[:-1]) + last.group(1)
            if len(word) < min_word or min(len(g) for g in group[:-1] + [last.group(1)]) \
                    < min_piece:
                continue
            if not (word.islower() or word.isupper() or word[1:].islower()):
                continue
            if general_frequency(word.lower()) >= 1e-6:
                out.append(word + last.group(2))
                i += k
                break
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)


def test_rejoin_pieces_as_the_plain_scan():
    vocab = build_vocabulary(_random_lines(2, 50))
    merged = 0
    for text in _random_lines(3, 3000):
        for args in ((1, 1), (2, 5)):
            got = rejoin_pieces(text, vocab, *args)
            assert got == _reference_rejoin(text, vocab, *args), text
            merged += got != text
    assert merged > 100  # the generated lines do exercise the merging


def test_rejoin_split_words_as_the_plain_scan_per_line():
    lines = [Line(k, t) for k, t in enumerate(_random_lines(4, 2000), start=1)]
    vocab = build_vocabulary(["the harbour question of the framework"] * 3)  # pieces unknown
    out, changes = rejoin_split_words(lines, FurnitureConfig(), vocab)
    assert [ln.text for ln in out] == [_reference_rejoin(ln.text, vocab, 2, 5) for ln in lines]
    assert len(changes) > 20


def _reference_rehyphenate(lines, vocab):
    """rehyphenate_compounds as it was: every line tokenized, each token decided there."""
    by_joined = {}
    for comp in sorted(vocab.compounds):
        left, right = comp.split("-", 1)
        hyph, glued = vocab.compound_counts[comp], vocab.corpus_count(left + right)
        if (general_frequency(left + right) < 1e-6 and hyph >= glued) or (
                hyph >= 3 and hyph >= 3 * glued):
            by_joined[left + right] = comp

    def fixed(m):
        w = m.group(0)
        if w.lower() in by_joined:
            left = by_joined[w.lower()].split("-", 1)[0]
            return w[: len(left)] + "-" + w[len(left):]
        camel = re.fullmatch(r"([A-Za-z][a-z]{3,})([A-Z][a-z]{2,})", w)
        if camel and all(vocab.known(p, 1e-6) for p in camel.groups()):
            return camel.group(1) + "-" + camel.group(2)
        return w

    return [re.sub(r"[A-Za-z\u00c0-\u024f]+", fixed, ln.text) for ln in lines]


def test_rehyphenate_compounds_as_the_scan_of_every_line():
    rng = random.Random(9)
    pieces = ["workingclass", "Workingclass", "WORKINGCLASS", "working-class", "nonParty",
              "non-Party", "SocialDemocratic", "QzxvBlorp", "overworkingclasses", "the", "of",
              "class", "wellknown", "well-known", "cooperative", "co-operative", "é", "—",
              "(workingclass)", "workingclass’s", "", " ", "harbour", "“nonparty,”"]
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 9))) for _ in range(3000)]
    vocab = build_vocabulary(texts + ["working-class non-Party well-known"] * 3)
    lines = [Line(k, t) for k, t in enumerate(texts, start=1)]
    out, changes = rehyphenate_compounds(lines, FurnitureConfig(), vocab)
    assert [ln.text for ln in out] == _reference_rehyphenate(lines, vocab)
    assert sum(a.text != b.text for a, b in zip(lines, out)) > 500  # it does rewrite lines
    assert all(a is b for a, b in zip(lines, out) if a.text == b.text)  # others untouched
    assert len(changes) > 500


def _reference_join(lines, compounds=frozenset()):
    text, changes = "", []
    for ln in lines:
        t = ln.text.strip()
        if not t:
            continue
        if not text:
            text = t
            continue
        m = re.search(r"(\w+)-$", text)
        if m and t[:1].islower():
            tail = (re.match(r"[\w’']+", t) or re.match("", "")).group(0)
            if f"{m.group(1)}-{tail}".lower() in compounds:
                text = text + t
            else:
                text = text[:-1] + t
                changes.append((ln.number, f"{m.group(1)}- / {tail}", f"{m.group(1)}{tail}"))
        elif text.endswith(("—", "–")) or t.startswith(("—", "–")):
            text = text + t
        else:
            text = text + " " + t
    text = re.sub(r"\s*--\s*", "—", text)
    return re.sub(r" {2,}", " ", text).strip(), changes


def test_join_lines_as_the_full_search():
    rng = random.Random(5)
    words = ["over", "under", "work", "ing", "-", "non-", "party", "a" * 70 + "-", "x--y",
             "word-", "—", "Cap-", "  ", "b" * 40, "c" * 30 + "-"]
    for _ in range(2000):
        lines = [Line(k, " ".join(rng.choice(words) for _ in range(rng.randint(0, 6))))
                 for k in range(rng.randint(1, 8))]
        text, changes = join_lines(lines, frozenset({"non-party"}))
        assert (text, [(c.line, c.before, c.after) for c in changes]) == _reference_join(
            lines, frozenset({"non-party"}))


def test_one_letter_words_are_not_collapsed_into_an_unknown_word():
    vocab = build_vocabulary(["the party and the state of the workers"] * 3)
    assert collapse_line("there is a a a a problem here", vocab) == \
        "there is a a a a problem here"
    # A real spaced run still collapses, including one made of known words and letters.
    assert collapse_line("b o o k s . A n d h e n c e", vocab) == "books. And hence"
    assert collapse_line("I t i s a g r e a t d a y", vocab) == "It is a great day"


# --- furniture: running heads, head keys, whitespace -------------------------------------


def _plain_head_key(t: str) -> str:
    return re.sub(r"[^a-z0-9]", "", t.lower())


def _plain_page_number(t: str) -> bool:
    return bool(re.fullmatch(r"\d{1,4}", t))


def _reference_running_heads(lines: list[Line], cfg: FurnitureConfig) -> tuple:
    """drop_running_heads as it was before the speed work (a heads x lines count)."""
    cand = [i for i, ln in enumerate(lines) if ln.text and _isolated(lines, i)]
    heads = {i for i, ln in enumerate(lines) if ln.text and len(ln.text) <= 60
             and (i + 1 >= len(lines) or not lines[i + 1].text)
             and not _plain_page_number(ln.text) and not ln.text.endswith(tuple(".,;:!?"))}
    numbers = {i for i in cand if _plain_page_number(lines[i].text)}
    keys = [_plain_head_key(ln.text) for ln in lines if ln.text and len(ln.text) <= 120]
    exact = Counter(keys)
    counts: dict[str, int] = {}
    for key in {_plain_head_key(lines[i].text) for i in heads}:
        # A long head also counts where it is part of a longer title ('THE ' + head).
        counts[key] = sum(1 for k in keys if key in k) if len(key) >= 15 else exact[key]

    def beside(i: int) -> list[int]:
        return [h for h in heads if abs(h - i) <= 4 and _isolated(lines, h)
                and not any(lines[m].text for m in range(min(h, i) + 1, max(h, i))
                            if m not in heads and m not in numbers)]

    drop: dict[int, str] = {}
    proven: set[str] = set()
    for i in sorted(numbers):
        near = [h for h in beside(i) if counts[_plain_head_key(lines[h].text)] >= 2]
        if near:
            h = min(near, key=lambda h: (-counts[_plain_head_key(lines[h].text)], abs(h - i)))
            drop[i] = "page number"
            drop[h] = "running head"
            proven.add(_plain_head_key(lines[h].text))
    # A head seen once (the title it repeats is lost) still counts beside a number that fits
    # the sequence of proven page numbers: larger than the one before, smaller than the next.
    pages = sorted((i, int(lines[i].text)) for i in drop if drop[i] == "page number")
    for i in sorted(numbers - set(drop)):
        caps = [h for h in beside(i) if lines[h].text.isupper() and h not in drop]
        before = [n for j, n in pages if j < i]
        after = [n for j, n in pages if j > i]
        value = int(lines[i].text)
        if caps and before and value > before[-1] and (not after or value < after[0]) and \
                value - before[-1] <= (i - max(j for j, _ in pages if j < i)) / 10 + 3:
            drop[i] = "page number"
            drop[caps[0]] = "running head"
    first_seen: set[str] = set()
    for i in sorted(heads):
        key = _plain_head_key(lines[i].text)
        if i not in drop and _mid_sentence(lines, i, set(drop)):
            recurring = _isolated(lines, i) and (key in proven or counts[key] >= 2)
            repeated = key in first_seen and (key in proven or lines[i].text.isupper())
            if recurring or repeated:
                drop[i] = "running head"
        first_seen.add(key)
    for i in numbers:
        if i not in drop and _mid_sentence(lines, i, set(drop)):
            drop[i] = "page number"
    return _apply_drops(lines, drop, "running-head")


def test_head_key_as_the_regex():
    rng = random.Random(5)
    alphabet = "aZ9 .-'’éÉİKΣж٣\u00a0\tQ"
    for _ in range(3000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert head_key(t) == _plain_head_key(t), t


def test_containing_as_the_plain_count():
    rng = random.Random(6)
    for _ in range(50):
        keys = ["".join(rng.choice("ab1") for _ in range(rng.randint(10, 40)))
                for _ in range(rng.randint(0, 80))]
        weight = Counter(keys)
        heads = list({k for k in keys if len(k) >= 15}) + ["ab" * 9, "1" * 15]
        assert _containing(heads, weight) == {
            h: sum(1 for k in keys if h in k) for h in heads}


def _furniture_lines(seed: int, n: int = 300) -> list[Line]:
    """Made-up pages: sentences cut by blank-framed numbers and heads, lone numbers, repeats."""
    rng = random.Random(seed)
    heads = ["THE HARBOUR GUILD AND ITS PILOTS", "ANNUAL REPORTS", "Notes on the Lamps",
             "THE HARBOUR GUILD", "APPENDIX"]
    body = ["the pilots met every vessel", "Later the guild kept boats.", "and the boy kept",
            "— which the yard built", "(a) the first rule", "Each boat carried two pilots."]
    texts: list[str] = []
    page = rng.randint(1, 50)
    while len(texts) < n:
        r = rng.random()
        if r < 0.25:
            page += rng.choice([1, 1, 1, 2, -3, 40])
            # A head seen once (upper case) is proven only by the page sequence around it.
            head = rng.choice(heads) if rng.random() < 0.7 else f"PART {rng.randint(1, 10**6)}"
            group = ["", str(page), "", head, ""]
            texts += group if rng.random() < 0.5 else group[::-1][1:] + [""]
        elif r < 0.28:  # a number between two heads: a tie the order of the head set settles
            page += 1
            texts += ["", rng.choice(heads), "", str(page), "", rng.choice(heads), ""]
        elif r < 0.31:
            texts += ["", rng.choice(heads), ""]
        elif r < 0.36:
            texts += ["", str(rng.randint(1, 9999)), ""]
        else:
            texts.append(rng.choice(body))
    return [Line(i, t) for i, t in enumerate(texts, 1)]


def test_drop_running_heads_as_before():
    for seed in range(60):
        lines = _furniture_lines(seed)
        assert drop_running_heads(list(lines), FurnitureConfig()) == \
            _reference_running_heads(list(lines), FurnitureConfig()), seed


def test_normalise_whitespace_as_the_regex():
    rng = random.Random(8)
    lines = [Line(i, "".join(rng.choice("ab \t\u00a0\u2007\u202fé\u2003")
                             for _ in range(rng.randint(0, 12)))) for i in range(2000)]
    out, changes = normalise_whitespace(lines, FurnitureConfig())
    assert changes == [] and out == [
        Line(ln.number, re.sub(r"[\u00a0\t\u2007\u202f]", " ", ln.text).strip()) for ln in lines]


def test_tie_between_two_heads_settled_as_before():
    """A number between two heads of equal count: the earlier code took the first in the
    iteration order of its set of head positions (which depends on the line numbers); the
    fast code keeps that order, so the same head is dropped."""
    for pad in range(12):
        texts = ["Opening words.", *["Filler line."] * pad, "", "ALPHA", "", "12", "", "BETA", "",
                 "Sentence two.", "", "ALPHA", "", "BETA", "", "Closing words."]
        lines = [Line(i, t) for i, t in enumerate(texts, 1)]
        assert drop_running_heads(list(lines), FurnitureConfig()) == \
            _reference_running_heads(list(lines), FurnitureConfig()), pad


def test_page_sequence_bounds_as_before():
    """A head seen once beside a number that fits the proven page sequence, up to and past
    the largest jump the line distance allows (here exactly 4: ten lines after page 10)."""
    for value in range(9, 17):
        texts = ["Opening words", "", "10", "", "RUNNING HEAD", "", "the text goes on.",
                 *["Body line."] * 4, "", str(value), "", "PART ONE", "", "Next text.",
                 "", "RUNNING HEAD", "", "Closing words", "", "20", "", "RUNNING HEAD", ""]
        lines = [Line(i, t) for i, t in enumerate(texts, 1)]
        assert drop_running_heads(list(lines), FurnitureConfig()) == \
            _reference_running_heads(list(lines), FurnitureConfig()), value


def _reference_segment(s, vocab, maxlen=24):
    """The segmenter's programme as a plain scan: the first start with a strictly lower cost."""
    n = len(s)
    best, back = [0.0] + [float("inf")] * n, [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - maxlen), j):
            c = best[i] + vocab.cost(s[i:j])
            if c < best[j]:
                best[j], back[j] = c, i
    out, j = [], n
    while j > 0:
        out.append(s[back[j]:j])
        j = back[j]
    return tuple(reversed(out))


def test_segment_letters_as_the_plain_scan():
    from build_site.clean.letterspacing import segment_letters

    # A text that uses a few words often: ties between segmentations occur ('a' + 'n' ...).
    vocab = build_vocabulary(["the harbour question of the framework and hence an a"] * 3)
    rng = random.Random(12)
    words = ["the", "a", "an", "books", "hence", "and", "harbour", "question", "framework",
             "of", "it", "is", "great", "day", "x", "q", "zz", "’s", "I", "theY", "é"]
    for _ in range(1500):
        s = "".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        for maxlen in (24, 5):
            assert tuple(segment_letters(s, vocab, maxlen)) == _reference_segment(
                s, vocab, maxlen), s


def test_watermark_edges_cut_as_without_the_edge_test():
    # _strip_edge_watermarks returns a line at once when neither edge token is a watermark
    # word; the full scan must agree on every line.
    from build_site.clean.furniture import _cut_edge_watermarks, _strip_edge_watermarks

    phrases = ("GREY OWL EDITIONS", "REVIEW COPY")
    words = sorted({w for p in phrases for w in p.split()} | set(phrases), key=len, reverse=True)

    rng = random.Random(13)
    pieces = ["GREY", "OWL", "EDITIONS", "REVIEW", "COPY", "the", "harbour,", "Owl", "", "x"]
    cut = 0
    for _ in range(5000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        got = _strip_edge_watermarks(text, words, phrases)
        assert got == _cut_edge_watermarks(text, words, phrases), text
        cut += got != text
    assert cut > 100


def test_repair_ocr_tokens_settled_by_the_plain_set_as_each_line_alone():
    """repair_ocr skips the tokens it left alone on earlier lines (its ``plain`` set): the
    result is the one each line gets when it is repaired alone (no earlier line, no set)."""
    from build_site.clean.ocr import repair_ocr

    rng = random.Random(6)
    # Plain words, OCR misreadings, specks, glued function words, capitals, digits.
    words = ["the", "party", "workers", "tbe", "rnen", "ofthe", "IS", "it", "1917", "w·ork",
             "economie", "thia", "c1ass", "Lenin", "Lenine", "and", "of", "in", "."]
    lines = [Line(k, " ".join(rng.choice(words) for _ in range(rng.randint(0, 10))))
             for k in range(1, 1500)]
    cfg = FurnitureConfig(extra={"ocr_repair": True})
    vocab = build_vocabulary(ln.text for ln in lines)
    out, changes = repair_ocr(lines, cfg, vocab)
    alone = [repair_ocr([ln], cfg, vocab) for ln in lines]
    assert out == [ln for o, _ in alone for ln in o]
    assert changes == [c for _, made in alone for c in made]
    assert sum(a.text != b.text for a, b in zip(lines, out)) > 300  # repairs do happen


def test_rehyphenate_compounds_finds_every_changing_token_among_odd_letters():
    """The fixer looks only at tokens found by two searches of the whole text (CamelCase,
    and a case-blind ASCII search for the glued compounds): glued to letters of every kind
    ('ſ' and the Kelvin sign fold to ASCII letters, 'İ' lowers to two characters), it must
    change exactly the lines the scan of every token changes."""
    rng = random.Random(10)
    glue = ["", "", "é", "ſ", "\u212a", "İ", "×", "ß", "Ÿ", "1", "-", "'", "’", "ǅ"]
    words = ["workingclass", "WorkingClass", "wORKINGclass", "nonparty", "NonParty",
             "SocialDemocratic", "socialdemocratic", "Socialdemocratic", "wellknown",
             "WELLKNOWN", "workingclaſs", "\u212aeyword", "SocialDemocratİc", "class"]
    texts = [" ".join(rng.choice(glue) + rng.choice(words) + rng.choice(glue)
                      for _ in range(rng.randint(0, 6))) for _ in range(4000)]
    vocab = build_vocabulary(texts + ["working-class non-Party well-known social-democratic"] * 3)
    lines = [Line(k, t) for k, t in enumerate(texts, start=1)]
    out, _ = rehyphenate_compounds(lines, FurnitureConfig(), vocab)
    assert [ln.text for ln in out] == _reference_rehyphenate(lines, vocab)
    assert sum(a.text != b.text for a, b in zip(lines, out)) > 300
