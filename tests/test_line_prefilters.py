"""Cheap pre-tests in front of the cleaner's and the segmenter's patterns give the same results
as the plain patterns (issue 11, conversion throughput).

Each fast path is compared with the plain code it replaced (copied here) on generated lines rich
in the characters the patterns look for, and on every line of the seed texts. Speed itself is
measured by benchmarks/convert_profile.py, never here.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from build_site import paragraphs, segment
from build_site.clean import furniture, letterspacing, ocr, words
from build_site.clean.vocabulary import FUNCTION_WORDS, build_vocabulary
from build_site.model import Line

ROOT = Path(__file__).resolve().parents[1]

# Characters every pattern concerned turns on: letters of both cases, digits (with a non-ASCII
# one: '\d' is any decimal digit), spaces of several kinds, newlines, quotes, dashes, dots.
_ALPHABET = "aAbIsxZ19\u0663 \u00a0\t\n.,;:!?…\"'”’“‘()[]-—–~\\*"
_LINES = st.text(alphabet=_ALPHABET, max_size=60)
_WORDY = st.lists(st.sampled_from(
    ["a", "I", "b", "x", "Z", "the", "word", "1923", "15", "VII.", "J.", "Signed:", "Stalin",
     "March", "Published", "for", "first", "time.", "-", "--", "—", " - ", "- ", "five-year-",
     "plan", "the.", "cf.", ". .", ",", " ,", "'", '"', ") ,", ".x", "\\x", "end.[2]", "7"]),
    max_size=14).map(" ".join)


def _seed_lines() -> list[str]:
    out: list[str] = []
    for raw in sorted(ROOT.glob("source/*/*.txt")):
        out.extend(raw.read_text("utf-8", "replace").split("\n"))
    assert len(out) > 10_000
    return out


SEED_LINES = _seed_lines()


# -- segment: ends_sentence and closing_like --------------------------------------------------

def _plain_ends_sentence(t: str) -> bool:
    return bool(segment.SENTENCE_END.search(t))


def _plain_closing_like(t: str) -> bool:
    t = t.strip()
    return bool(t) and len(t) < 80 and bool(
        segment.DATE_LINE.match(t) or segment.YEAR_DATE.search(t) or segment.SHORT_DATE.match(t)
        or segment.SIGNATURE.match(t) or segment.FIRST_TIME.match(t))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_LINES, _WORDY))
def test_ends_sentence_is_the_plain_search(t):
    assert segment.ends_sentence(t) == _plain_ends_sentence(t)
    assert segment.ends_sentence(t + "\n") == _plain_ends_sentence(t + "\n")


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_LINES, _WORDY))
def test_closing_like_is_the_plain_patterns(t):
    assert segment.closing_like(t) == _plain_closing_like(t)


def test_closing_lines_of_each_kind():
    for t in ("March 5, 1923", "5 March 1923.", "June 4-5", "Moscow, March 1923", "1924",
              "Pravda, 1924.", "15. VII. 24", "7/XI 24", "J. V. Stalin", "Signed: J. Stalin",
              "J. V. S T alin", "Published for the first time", "Printed for the first time.",
              "  J. Stalin  "):
        assert segment.closing_like(t) and _plain_closing_like(t), t
    for t in ("j. Stalin", "J. stalin", "the end", "March", "Published", "1923,"):
        assert not segment.closing_like(t) and not _plain_closing_like(t), t


def test_sentence_and_closing_tests_on_the_seed_texts():
    for t in SEED_LINES:
        for u in (t, t.strip()):
            assert segment.ends_sentence(u) == _plain_ends_sentence(u), u
            assert segment.closing_like(u) == _plain_closing_like(u), u
    # The inputs reach both answers of both tests (no test that cannot fail).
    assert {segment.ends_sentence(t) for t in SEED_LINES} == {True, False}
    assert {segment.closing_like(t) for t in SEED_LINES} == {True, False}


# -- letterspacing: maybe_spaced ----------------------------------------------------------------

def _plain_maybe_spaced(t: str) -> bool:
    return len(re.findall(r"(?<!\S)[^\W\d_](?!\S)", t)) >= 4


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_LINES, _WORDY))
def test_maybe_spaced_is_the_plain_count(t):
    assert letterspacing.maybe_spaced(t) == _plain_maybe_spaced(t)


def test_maybe_spaced_on_the_seed_texts():
    assert [letterspacing.maybe_spaced(t) for t in SEED_LINES] == [
        _plain_maybe_spaced(t) for t in SEED_LINES]
    assert any(_plain_maybe_spaced(t) for t in SEED_LINES)


# -- ocr: tidy_specks -----------------------------------------------------------------------------

def _plain_tidy_specks(text: str) -> str:
    for pattern, replacement, _ in ocr._SPECKS:
        text = pattern.sub(replacement, text)
    return text


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_LINES, _WORDY))
def test_tidy_specks_is_every_substitution(t):
    assert ocr.tidy_specks(t) == _plain_tidy_specks(t)


def test_tidy_specks_on_the_seed_texts():
    changed = 0
    for t in SEED_LINES:
        assert ocr.tidy_specks(t) == _plain_tidy_specks(t), t
        changed += ocr.tidy_specks(t) != t
    assert changed > 10


# -- words: normalise_dashes ----------------------------------------------------------------------

def _plain_normalise_dashes(lines, vocab):
    """normalise_dashes as it was, every substitution on every line with a hyphen or a dash."""
    out, changes = [], []
    open_dash = False
    for ln in lines:
        t = ln.text
        if not t or "-" not in t and "—" not in t and ". ." not in t:
            out.append(ln)
            if open_dash and words._SENTENCE_END.search(t):
                open_dash = False
            continue
        new = words._DOUBLE_HYPHEN.sub("—", t)
        new = words._COMPOUND_HYPHEN_SPACE.sub(r"\1 ", new)
        new = words._SPACED_HYPHEN.sub("—", new)
        new = words._HYPHEN_SPACE.sub("—", new) if not words._COMPOUND_HYPHEN_SPACE_ANY.search(
            new) else new
        new = words._DASH_SPACE.sub("—", new)
        if vocab.em_dashes < 5:
            new = words._OPENING_HYPHEN.sub("—", new)
            new = words._HYPHEN_DASH.sub("—", new)
            new, open_dash = words._closing_dashes(new, open_dash, vocab)
        new = words._SPACED_DOTS.sub(lambda m: m.group(0).replace(" ", ""), new)
        if new != t:
            changes.append(words.Change("dash", "changed", ln.number, t, new,
                                        "dash or ellipsis spacing normalised"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_NO_DASH = build_vocabulary(["the working class and the party", "store-houses store-houses"])
_DASHES = build_vocabulary(["a — b — c — d — e — f"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(_LINES, _WORDY), max_size=8))
def test_normalise_dashes_is_every_substitution(texts):
    lines = [Line(k + 1, t) for k, t in enumerate(texts)]
    assert _NO_DASH.em_dashes < 5 <= _DASHES.em_dashes
    for vocab in (_NO_DASH, _DASHES):
        assert words.normalise_dashes(lines, None, vocab) == _plain_normalise_dashes(lines, vocab)


def test_normalise_dashes_on_the_seed_texts():
    lines = [Line(k + 1, t.strip()) for k, t in enumerate(SEED_LINES)]
    for vocab in (_NO_DASH, _DASHES):
        fast = words.normalise_dashes(lines, None, vocab)
        assert fast == _plain_normalise_dashes(lines, vocab)
        assert fast[1]  # the seed texts have dashes to normalise


# -- words: the letter runs of a text and the tokens rejoin_split_words leaves ---------------

@settings(max_examples=2000, deadline=None)
@given(st.one_of(_LINES, _WORDY, st.text(max_size=40)))
def test_letter_runs_are_the_patterns_matches(t):
    runs = set(words._TOKEN.findall(t))
    assert words._letter_runs(set(t.split())) == runs
    assert words._letter_runs(set(t.split(" "))) == runs  # any whitespace split will do


def test_letter_runs_of_the_seed_texts():
    text = "\n".join(SEED_LINES)
    assert words._letter_runs(set(text.split())) == set(words._TOKEN.findall(text))


_GLUED = ["workingclass", "working-class", "working-class", "Workingclass", "nonParty",
          "non-Party", "SocialDemocratic", "meas", "ures", "har", "bour", "the", "ques", "tion",
          "co-operative", "cooperative", "self-criticism", "selfcriticism", ",", "“Soviet”"]


def _rehyphenated_both_ways(lines, vocab):
    """rehyphenate_compounds after rejoin_split_words, with the tokens rejoin left, and
    without them (the plain split of the text)."""
    joined, _ = words.rejoin_split_words(lines, None, vocab)
    shared = words.rehyphenate_compounds(joined, None, vocab)
    assert vocab.memo.pop("tokens")[0] == tuple(joined)
    plain = words.rehyphenate_compounds(joined, None, vocab)
    return shared, plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_GLUED), max_size=8).map(" ".join), max_size=12))
def test_rehyphenate_from_rejoins_tokens_is_the_plain_split(texts):
    lines = [Line(k + 1, t) for k, t in enumerate(texts)]
    vocab = build_vocabulary(texts + ["working-class co-operative self-criticism"] * 3)
    shared, plain = _rehyphenated_both_ways(lines, vocab)
    assert shared == plain


def _seed_texts():
    """Each seed text's stripped lines, with its vocabulary."""
    for raw in sorted(ROOT.glob("source/*/*.txt")):
        texts = [t.strip() for t in raw.read_text("utf-8", "replace").split("\n")]
        yield [Line(k + 1, t) for k, t in enumerate(texts)], build_vocabulary(texts)


def test_rehyphenate_from_rejoins_tokens_on_the_seed_texts():
    found = 0
    for lines, vocab in _seed_texts():
        shared, plain = _rehyphenated_both_ways(lines, vocab)
        assert shared == plain
        found += len(plain[1])
    assert found  # the seed texts have glued compounds to restore


def test_stale_tokens_are_not_used():
    """Tokens left for other lines (another text, or lines changed since) are not read."""
    vocab = build_vocabulary(["working-class working-class working-class"])
    words.rejoin_split_words([Line(1, "nothing here")], None, vocab)
    lines = [Line(1, "the workingclass")]
    fixed, changes = words.rehyphenate_compounds(lines, None, vocab)
    assert fixed[0].text == "the working-class" and changes


# -- words: join_line_breaks --------------------------------------------------------------------

def _plain_join_line_breaks(lines, cfg, vocab):
    """join_line_breaks as it was: every line read with the next one."""
    out = list(lines)
    changes = []
    width = paragraphs.typical_width(lines)
    for i, ln in enumerate(out):
        text = ln.text
        if not text:
            continue
        j = i + 1
        while j < len(out) and not out[j].text:
            j += 1
        if j >= len(out) or j - i > 6:
            continue
        nxt = out[j].text
        m2 = words._WORD_START.match(nxt)
        if not m2:
            continue
        second = m2.group(1)
        m = words._HYPHEN_END.search(text) if text.endswith(("-", "~", "-\n", "~\n")) else None
        if m and not text.endswith("--") and (second[:1].islower() or second[:1].isupper()
                                              and m.group(1)[:1].isupper()):
            first, start = m.group(1), m.start()
            keep, why = words.hyphen_decision(first, second, vocab)
            word = f"{first}-{second}" if keep else first + second
            new_text = text[: m.start()] + word + m2.group(2)
            changes.append(words.Change("line-break-hyphen", "joined", ln.number,
                                  f"{first}- / {second}", word, why))
            if why.startswith("ambiguous"):
                changes.append(words.Change("line-break-hyphen", "flagged", ln.number,
                                      f"{first}- / {second}", word, why))
        else:
            # A known second half settles it: tested before the first half is looked for.
            if not second[:1].islower() or vocab.known(second, 1e-6):
                continue
            t = words._TRAILING_WORD.search(text)
            if not t:
                continue
            first = t.group(1)
            if vocab.known(first, 1e-6) or not vocab.known(first + second, 1e-5):
                continue
            word, start = first + second, t.start()
            new_text = text[:start] + word + m2.group(2)
            changes.append(words.Change("line-break", "joined", ln.number, f"{first} / {second}", word,
                                  "word cut at a line end without a hyphen"))
        rest = nxt[m2.end():]
        head = text[:start].rstrip()
        down = new_text[len(head):].lstrip() + (" " + rest if rest else "")
        if j == i + 1 and head and not head.endswith(words.TERMINAL) and (
                not rest or words.keeps_full(nxt, down, width)):
            out[i] = Line(ln.number, head)
            out[j] = Line(out[j].number, down)
            continue
        out[i] = Line(ln.number, new_text)
        out[j] = Line(out[j].number, rest)
    # A continuation line emptied by the move is gone: dropped rather than left as a blank
    # line that would read as a paragraph break.
    had_text = {ln.number for ln in lines if ln.text}
    return [ln for ln in out if ln.text or ln.number not in had_text], changes



_BREAKS = ["ob-", "stacles", "Janu", "ary", "the", "work-", "ing", "class", "Socialist-",
           "Revolutionaries", "neers.", "", "", "of", "tion", "na", "~", "-", "--", "—", "é",
           "Ç", "×", "abc\n", "x-\n", "word,", "an", "d", "harbour", "har"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_BREAKS), max_size=5).map(" ".join), max_size=14))
def test_join_line_breaks_is_the_plain_scan(texts):
    lines = [Line(k + 1, t) for k, t in enumerate(texts)]
    vocab = build_vocabulary(texts + ["obstacles January working class nation harbour"] * 3)
    assert words.join_line_breaks(lines, None, vocab) == _plain_join_line_breaks(lines, None, vocab)


def test_join_line_breaks_on_the_seed_texts():
    joined = 0
    for lines, vocab in _seed_texts():
        fast = words.join_line_breaks(lines, None, vocab)
        assert fast == _plain_join_line_breaks(lines, None, vocab)
        joined += len(fast[1])
    assert joined > 20


def test_join_line_breaks_of_each_kind():
    """Both branches (a hyphen, and a word cut without one), at lines ending in a lower-case,
    a capital or an accented letter, and lines that end otherwise."""
    vocab = build_vocabulary(["xyzéqrst xyzéqrst"])  # known from the text alone
    cases = [("the xyzé", "qrst here"), ("in the Janu", "ary of the"), ("the Revolu", "tionary war"), ("the informa", "tion"),
             ("of ob-", "stacles"), ("the work-", "ing class"), ("the REVOLU", "tionary"),
             ("en café", "s of"), ("the informa,", "tion"), ("the informa.", "tion"),
             ("x-\n", "ing"), ("the informa\n", "tion")]
    joined = 0
    for first, second in cases:
        lines = [Line(1, first), Line(2, ""), Line(3, second)]
        fast = words.join_line_breaks(lines, None, vocab)
        assert fast == _plain_join_line_breaks(lines, None, vocab), (first, second)
        joined += bool(fast[1])
    assert joined >= 6


def test_join_line_breaks_asks_each_second_half():
    """The known second halves are remembered word by word within a text: a known word
    ('quite') that begins a line decides nothing about another ('qrst') that does."""
    vocab = build_vocabulary(["xyzéqrst xyzéqrst"])
    for lines in ([Line(1, "it was"), Line(2, "quite the xyzé"), Line(3, "qrst here")],
                  [Line(1, "the xyzé"), Line(2, "qrst was"), Line(3, "quite the xyzé"),
                   Line(4, "qrst")]):
        fast = words.join_line_breaks(lines, None, vocab)
        assert fast == _plain_join_line_breaks(lines, None, vocab)
        assert len(fast[1]) == len(lines) // 2  # each 'xyzé / qrst' joined


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_LINES, _WORDY, st.lists(st.sampled_from(
    ["Back to", "Back to ", "Chapter", "On to", "3", "*", " * ", "**", "\n", " ", "PART", "Book",
     "APPENDIX", "12", "\u0663", ".", "x"])).map("".join)))
def test_segment_line_pre_tests_hold_for_every_match(t):
    """What ``segment`` tests before the navigation, section-break, chapter and section-number
    patterns holds for every line they match."""
    if segment.NAV_LINE.match(t.strip()):
        assert "Back to " in t
    if segment.BREAK_LINE.match(t):
        assert t[:1] == "*"
    if segment.CHAPTER_LINE.match(t):
        assert t[:1] in segment._CHAPTER_STARTS
    if segment.NUMBER_LINE.match(t):
        assert t[:1].isdecimal()


def test_segment_line_pre_tests_hold_on_the_seed_texts():
    seen = 0
    for t in map(str.strip, SEED_LINES):
        if segment.CHAPTER_LINE.match(t):
            assert t[:1] in segment._CHAPTER_STARTS
            seen += 1
        if segment.NUMBER_LINE.match(t):
            assert t[:1].isdecimal()
            seen += 1
    assert seen > 10


def test_segment_line_pre_tests_see_matches():
    assert segment.NAV_LINE.match("Back to Chapter 2 On to Chapter 4")
    assert segment.BREAK_LINE.match("* * *")
    for t in ("Chapter 3", "PART II", "Book", "APPENDIX", "Appendix B"):
        assert segment.CHAPTER_LINE.match(t)
    assert segment.NUMBER_LINE.match("12.") and segment.NUMBER_LINE.match("\u0663.")


# -- furniture: drop_debris ---------------------------------------------------------------------

def _plain_drop_debris(lines):
    drop = {}
    for i, ln in enumerate(lines):
        t = ln.text
        if not t or furniture._SECTION_BREAK.match(t) or furniture._ELLIPSIS_LINE.match(t):
            continue
        if furniture._NO_LETTERS.match(t):
            drop[i] = "no letters: scanner speck or junk marker"
        elif len(t) <= 2 and re.search(r"[^\w.]", t):
            drop[i] = "stray speck beside a letter"
    return furniture._apply_drops(lines, drop, "debris")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(_LINES, _WORDY, st.text(alphabet="aZ9.*[]()…•!é ", max_size=5)),
                max_size=12))
def test_drop_debris_is_the_plain_scan(texts):
    lines = [Line(k + 1, t) for k, t in enumerate(texts)]
    assert furniture.drop_debris(lines, None) == _plain_drop_debris(lines)


def test_drop_debris_on_the_seed_texts():
    lines = [Line(k + 1, t.strip()) for k, t in enumerate(SEED_LINES)]
    fast = furniture.drop_debris(lines, None)
    assert fast == _plain_drop_debris(lines)
    assert fast[1]  # the seed texts have debris


# -- decode: the control-character scan -------------------------------------------------------

def test_a_control_character_is_reported_before_and_after_the_sample():
    """The count of the sample stands for the whole text only where the text is no longer
    than the sample: a control character past it is still looked for and reported."""
    from build_site import decode as dec

    body = "a line of text\n" * (dec._SAMPLE // 15 + 10)
    assert len(body) > dec._SAMPLE
    cases = (("clean line\n" * 20 + "tw\x01o\n", 21), (body + "x\x02y\n", body.count("\n") + 1),
             ("clean\ntext\n", None), (body, None))
    for text, line in cases:
        d = dec.decode(text.encode("utf-8"), "x.txt")
        found = [(x.code, x.line) for x in d.diagnostics if x.code == "control-character"]
        assert found == ([("control-character", line)] if line else []), line


# -- furniture: the head keys of every line from one pass -------------------------------------

def _plain_head_key(t: str) -> str:
    return re.sub(r"[^a-z0-9]", "", t.lower())


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET + "éÉİ\u212aKΣж²\x00Q", max_size=20), max_size=8))
def test_head_keys_of_a_text_are_each_lines_key(texts):
    """The keys of all lines from one pass are each line's own (with a newline inside a line,
    too: then line by line)."""
    assert furniture.head_keys(texts) == [_plain_head_key(t) for t in texts]


def test_head_keys_of_the_seed_texts():
    assert furniture.head_keys(SEED_LINES) == [_plain_head_key(t) for t in SEED_LINES]
    for odd in (["a\nb"], ["\u212a1"], ["İ", "x"]):  # a newline inside; 'k', 'i' + dot
        assert furniture.head_keys(SEED_LINES[:5] + odd) == [
            _plain_head_key(t) for t in SEED_LINES[:5] + odd]


# -- furniture: drop_watermarks, the lines holding a long watermark word ----------------------

@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(alphabet="abAB\n ", max_size=8), max_size=8),
       st.lists(st.text(alphabet="abAB\n ", max_size=3), max_size=3))
def test_lines_holding_are_the_plain_search(texts, needles):
    assert furniture._lines_holding(texts, needles) == {
        k for k, t in enumerate(texts) if any(w in t for w in needles)}


def _plain_drop_watermarks(lines, cfg):
    """drop_watermarks as it was: every line searched for the long words, membership in the
    list of words."""
    if not cfg.watermarks:
        return lines, []
    words_ = sorted({w for phrase in cfg.watermarks for w in phrase.split()}
                    | set(cfg.watermarks), key=len, reverse=True)
    alternatives = "|".join(map(re.escape, words_))
    long_list = [w for w in words_ if len(w) > 3]
    long_words = "|".join(map(re.escape, long_list))
    whole = re.compile(rf"^(?:(?:{alternatives})\s*)+$")
    glued = re.compile(rf"(?<=[a-z])(?:{long_words})(?=[a-z]|\s|$)")
    width = paragraphs.typical_width(lines)
    out, changes, carry = [], [], False
    for ln in lines:
        if ln.text and whole.match(ln.text):
            changes.append(furniture.Change("watermark", "dropped", ln.number, ln.text, "",
                                            "watermark line stamped by the reprint"))
            continue
        if carry and ln.text:
            carry = False
            m = re.match(r"([a-z]+)(\S*)\s*", ln.text)
            if m:
                k = max(k for k in range(len(out)) if out[k].text)
                prev = out[k]
                half = prev.text.rsplit(" ", 1)[-1]
                head = prev.text[: len(prev.text) - len(half)].rstrip()
                changes.append(furniture.Change("watermark", "joined", ln.number, m.group(1),
                                                half + m.group(1),
                                                "word rejoined across the cut watermark"))
                if k == len(out) - 1 and not head.endswith(furniture.TERMINAL) and (
                        not head or not ln.text[m.end():] or furniture.keeps_full(
                            ln.text, half + ln.text, width)):
                    if head:
                        out[k] = Line(prev.number, head)
                    else:  # the line held only the half: it goes down with it
                        del out[k]
                    ln = Line(ln.number, half + ln.text)
                else:
                    out[k] = Line(prev.number, prev.text + m.group(1) + m.group(2))
                    ln = Line(ln.number, ln.text[m.end():])
                    if not ln.text:
                        continue
        edge = furniture._cut_edge_watermarks(ln.text, words_, cfg.watermarks)
        if edge != ln.text:
            changes.append(furniture.Change(
                "watermark", "changed", ln.number, ln.text, edge,
                "watermark words read into the start or end of a text line"))
            ln = Line(ln.number, edge)
        new = glued.sub("", ln.text) if any(w in ln.text for w in long_list) else ln.text
        if new != ln.text:
            changes.append(furniture.Change("watermark", "changed", ln.number, ln.text, new,
                                            "watermark word glued to a word"))
            carry = bool(re.search(r"[a-z]$", new)) and not re.search(r"[a-z]$", ln.text)
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_STAMP = furniture.FurnitureConfig(watermarks=("GREY OWL PRESS", "NOT FOR SALE"))
_STAMPED = st.lists(st.lists(st.sampled_from(
    ["the", "harbour", "Janu", "ary", "GREY", "OWL", "PRESS", "NOT", "FOR", "SALE", "OWLPRESS",
     "JanuPRESS", "harbourSALE", "cOWLs", "ary.", "PRESSary", ""]), max_size=7).map(" ".join),
    max_size=30)


@settings(max_examples=800, deadline=None)
@given(_STAMPED)
def test_drop_watermarks_is_the_plain_scan(texts):
    lines = [Line(k + 1, t) for k, t in enumerate(texts)]
    assert furniture.drop_watermarks(lines, _STAMP) == _plain_drop_watermarks(lines, _STAMP)


def test_drop_watermarks_on_the_seed_texts():
    from build_site import library, metadata

    lib, _ = metadata.load_library(ROOT / "source")
    stamped = 0
    for slug, meta in lib.works.items():
        cfg = library.furniture_config(meta)
        if not cfg.watermarks:
            continue
        raw = (ROOT / "source" / slug / meta.raw_file).read_text("utf-8")
        lines = [Line(k + 1, t.strip()) for k, t in enumerate(raw.split("\n"))]
        fast = furniture.drop_watermarks(lines, cfg)
        assert fast == _plain_drop_watermarks(lines, cfg)
        stamped += len(fast[1])
    assert stamped > 10


# -- furniture: normalise_whitespace ------------------------------------------------------------

@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(alphabet="ab é\u2003\u2009\n", max_size=10), max_size=10),
       st.lists(st.text(alphabet="ab é\u2003\t\u00a0\u2007\u202f", max_size=10), max_size=3))
def test_normalise_whitespace_is_the_plain_substitution(plain, odd):
    """Texts without any of the characters replaced (no substitution at all) and with some."""
    for texts in (plain, plain + odd):
        lines = [Line(k + 1, t) for k, t in enumerate(texts)]
        out, changes = furniture.normalise_whitespace(lines, None)
        assert changes == [] and out == [
            Line(ln.number, re.sub(r"[\u00a0\t\u2007\u202f]", " ", ln.text).strip())
            for ln in lines]
        assert all(a is b for a, b in zip(out, lines) if a.text == b.text)


# -- segment: is_caps ---------------------------------------------------------------------------

def _plain_is_caps(t: str) -> bool:
    letters = "".join(filter(str.isalpha, t))
    return len(letters) >= 3 and sum(map(str.isupper, letters)) >= 0.85 * len(letters)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ABCabcÉéΣσ\u216b\u24b612 .,-", max_size=12))
def test_is_caps_is_the_plain_count(t):
    """Upper-case characters that are no letters (the Roman numeral twelve, a circled A) count
    in the cheap test, never in the plain one: the cheap one only ever says no sooner."""
    assert segment.is_caps(t) == _plain_is_caps(t)


def test_is_caps_on_the_seed_texts():
    assert [segment.is_caps(t) for t in SEED_LINES] == list(map(_plain_is_caps, SEED_LINES))
    assert sum(map(segment.is_caps, SEED_LINES)) > 100


# -- ocr: repair_ocr passes a line of plain tokens by one set test -----------------------------

def test_repair_ocr_is_each_line_repaired_alone():
    """Lines short and long, their misread tokens anywhere (first, last, alone) among tokens
    settled as plain on earlier lines: the result is each line's repaired alone (no earlier
    line, so no set of plain tokens), and the misreadings are repaired."""
    import random

    from build_site.clean.furniture import FurnitureConfig
    from build_site.clean.ocr import repair_ocr

    rng = random.Random(17)
    good = ["the", "party", "workers", "class", "and", "of", "in", "it", "Lenin", "1917", "."]
    bad = ["tbe", "c1ass", "rnen", "ofthe", "w·ork", "IS"]
    vocab = build_vocabulary(["the party workers class and of in it Lenin men work"] * 3)
    lines = []
    for k in range(1, 3000):
        toks = [rng.choice(good) for _ in range(rng.randint(0, 6))]
        if toks and rng.random() < 0.5:
            toks[rng.choice([0, -1, rng.randrange(len(toks))])] = rng.choice(bad)
        lines.append(Line(k, " ".join(toks)))
    cfg = FurnitureConfig(extra={"ocr_repair": True})
    out, changes = repair_ocr(lines, cfg, vocab)
    alone = [repair_ocr([ln], cfg, vocab) for ln in lines]
    assert out == [ln for o, _ in alone for ln in o]
    assert changes == [c for _, made in alone for c in made]
    repaired = [c for c in changes if c.reason.startswith("OCR misreading")]
    assert len(repaired) > 150 and any(c.before == "rnen" and c.after == "men" for c in repaired)


# -- vocabulary: words in punctuation ----------------------------------------------------------

@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    ["word", "Word", "'tis", "don't", "abc’", "“the", "end.”", "(see", "p.", "—x—", "a-b",
     "café,", "[sic]", "’s", "'", "12", "x1,", "ab’cd.", ",", "", "McCall.", "THE;"]),
    max_size=8).map(" ".join), max_size=6))
def test_vocabulary_counts_are_the_patterns(texts):
    from test_clean_speed import _reference_vocabulary

    vocab = build_vocabulary(texts)
    counts, compounds = _reference_vocabulary(texts)
    assert list(vocab.counts.items()) == list(counts.items())  # the same order too
    assert list(vocab.compound_counts.items()) == list(compounds.items())


# -- vocabulary: compounds counted per distinct token ----------------------------------------------

def test_build_vocabulary_compounds_on_the_seed_texts():
    for raw in sorted(ROOT.glob("source/*/*.txt")):
        lines = raw.read_text("utf-8", "replace").split("\n")
        compounds: dict[str, int] = {}
        for t in lines:
            for left, right in re.findall(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b", t):
                if right.lower() not in FUNCTION_WORDS and left.lower() not in FUNCTION_WORDS:
                    key = f"{left}-{right}".lower()
                    compounds[key] = compounds.get(key, 0) + 1
        got = build_vocabulary(lines).compound_counts
        assert list(got.items()) == list(compounds.items()), raw
        assert compounds, raw


# -- segment: _norm ---------------------------------------------------------------------------------

def _plain_norm(t: str) -> str:
    return " ".join(re.sub(r"\s+(?=[:;,])", "", t).split()).casefold()


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_LINES, _WORDY, st.text(alphabet=" \t\u00a0\u2003\n\x1c:;,.aßİ", max_size=30)))
def test_norm_is_the_plain_substitution(t):
    assert segment._norm(t) == _plain_norm(t)


def test_norm_on_the_seed_texts():
    assert [segment._norm(t) for t in SEED_LINES] == [_plain_norm(t) for t in SEED_LINES]
    assert any(re.search(r"\s[:;,]", t) for t in SEED_LINES)
