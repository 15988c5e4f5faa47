"""The cleaner's fast paths give the same results as the plain code they replaced.

Each fast path (wordfreq's table looked up directly, token decisions settled by set
operations, the tail-only hyphen search) is compared here with a reference: wordfreq itself, or
a straightforward copy of the earlier code, on many generated inputs. The words are made up or
taken from wordfreq's list; none comes from the five source texts. Speed itself is measured by
benchmarks/convert_profile.py, never by a test.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from wordfreq import get_frequency_dict, word_frequency

from build_site.clean.furniture import FurnitureConfig
from build_site.clean.letterspacing import _fragment, collapse_line, rejoin_pieces
from build_site.clean.text import join_lines
from build_site.clean.vocabulary import FUNCTION_WORDS, build_vocabulary, general_frequency
from build_site.clean.words import rejoin_split_words
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
