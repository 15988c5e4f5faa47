"""The structure stages' shortcuts give the answers of the plain definitions they replace.

Each shortcut (a substring test before a pattern, a lookup in wordfreq's table, a search of a
line's tail, a cached group cost) is checked against the straightforward version on made-up
and random inputs. No timing here: speed is measured by benchmarks/structure_profile.py.
"""

from __future__ import annotations

import random
import re

from wordfreq import get_frequency_dict, zipf_frequency

from build_site import notes, paragraphs, render
from build_site.model import Line
from build_site.segment import SENTENCE_END, ends_sentence


def _garbled_reference(tok: str) -> bool:
    core = tok.strip(".,;:!?\"“”‘’'()[]*—-")
    if not core:
        return False
    if len(core) >= 4 and re.search(r"[A-Za-z]\d|\d[A-Za-z]", core) and not re.fullmatch(
            r"\d+(?:st|nd|rd|th|s)", core):
        return True
    if not core.isalpha() or len(core) < 2 or core.istitle():
        return False
    return zipf_frequency(core.lower(), "en") < 1.0


def test_garbled_agrees_with_wordfreq_near_the_cut():
    # The table lookup is trusted only above 2e-8; the listed words closest to that, and
    # words below it, must get the same answer as zipf_frequency gives.
    table = get_frequency_dict("en", "best")
    near = [w for w, f in table.items() if w.isascii() and w.isalpha() and 1e-8 <= f < 4e-8]
    assert len(near) > 1000
    words = near[:4000] + ["the", "Capital", "c0mmunism", "3rd", "1920s", "xqzv", "versi~ns",
                           "naïve", "Qqqq", "(thus)", "—and", "aB", "mAnifesto", "A1b2"]
    for w in words:
        assert paragraphs._garbled(w) == _garbled_reference(w), w


def test_garbled_agrees_on_random_tokens():
    rng = random.Random(7)
    alphabet = "abcdeilmnorstuvxyzAEIMOT0123456789.,'’-~é"
    for _ in range(3000):
        tok = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        assert paragraphs._garbled(tok) == _garbled_reference(tok), tok


def test_damaged_shortcuts_keep_the_patterns_answers():
    for text in ["plain words only here.", "the )Tj operator", "a T* b", "Tj", "xTjx",
                 "lost ~ve letter", "~ alone", "a ~ b", "gar~bled", "q1x z9k m4m w7w p2p q8q"]:
        expected = bool(paragraphs.PDF_DEBRIS.search(text)) or bool(
            paragraphs.damaged_spans(text)) or bool(paragraphs.UNREAD.search(text))
        assert paragraphs.is_damaged(text) == expected, text


def test_damaged_spans_without_enough_garbled_tokens_is_empty():
    assert paragraphs.damaged_spans("one xq1z two three four five six seven") == []
    assert paragraphs.damaged_spans("xq1z zq2x a wq3v b c d e") == [(0, 6)]


def test_sentence_end_reads_the_tail_only_when_that_is_the_same():
    rng = random.Random(11)
    chars = "ab .!?…:;\"”’')]1[0\n"
    cases = ["x" * 60 + "." + ")" * 45, "x" * 60 + "!" + "”" * 39 + "[2]", "x" * 100 + ".7"]
    for _ in range(20000):
        t = "".join(rng.choice(chars) for _ in range(rng.randint(0, 70)))
        if rng.random() < 0.3:
            t += rng.choice(".!?") + "".join(rng.choice("\"”’')]")
                                             for _ in range(rng.randint(30, 50)))
        cases.append(t)
    for t in cases:
        assert ends_sentence(t) == bool(SENTENCE_END.search(t)), repr(t)


def _escape_reference(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*_{}\[\]()#+!-])", r"\\\1", text)
    text = text.replace("\\]:", "\\]&#58;")
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = re.sub(r"^( ?\d+)\.", r"\1\\.", text)
    text = render._CONTROL.sub(render._char_refs, text)
    # At the edges Markdown strips all whitespace: the non-ASCII spaces become references.
    return re.sub(r"^\s+|\s+$", lambda m: "".join(c if c <= "\x9f" else f"&#{ord(c)};"
                                                   for c in m.group(0)), text)


def test_escape_matches_its_plain_definition():
    rng = random.Random(3)
    pieces = ["a", "b", " ", "  ", "\t", "\r\n", "\n", "\u00a0", "\u2028", "\u3000", "\x85",
              "\x02", "1", ".", "&", "<", ">", "\x0b", "\x1c", ":", *"\\`*_{}[]()#+!-"]
    for _ in range(20000):
        t = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert render.escape(t) == _escape_reference(t), repr(t)


def test_footnote_continuation_found_by_bisection_is_the_scanned_one():
    # A note breaking off at its page end goes on in the next page's trailing wide lines.
    # Lines in order take the bisection path; one pair out of order, the scanning path.
    pages = notes.PageMap((1, 11, 21, 31), (1, 2, 3, 4))
    body, wide = "b" * 58 + ".", "w" * 75

    def text(n: int) -> str:
        return wide if n in (17, 18, 19, 20) else body

    lines = [Line(n, text(n)) for n in range(1, 41)]
    shuffled = lines[:]
    shuffled[0], shuffled[1] = shuffled[1], shuffled[0]

    def run(ls: list[Line]) -> list[int]:
        foot = notes._Foot("1", [8, 9], "A note that goes on and on", 0)
        foot_lines = ls[:9] + [Line(10, "the note breaks off at the page end, with no stop")]
        return notes._continuations([foot], foot_lines + ls[10:], pages, 60)[0].idx

    assert run(lines) == [8, 9, 16, 17, 18, 19]
    assert run(shuffled) == run(lines)


def test_a_line_that_cannot_open_a_note_opens_no_zone():
    # _footnotes skips a line when _may_open_note says no: _zone must then find nothing there,
    # whatever the lines after it and the label aliases.
    rng = random.Random(5)
    pieces = ["1", "2", "3", "12", "l", "I", "O", "/", "*", "**", "[*]", "(", ")", "[", "]",
              ".", " ", "  ", "The", "note", "Tr.", "—", "A", "word", "x", "'", "”"]
    follow = [Line(k, t) for k, t in enumerate(
        ["goes on here.", "2 Another note.", "* a star note", "", "end of it."], 2)]
    opened = skipped = 0
    for _ in range(20000):
        first = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        expected = rng.randint(1, 3)
        aliases = rng.choice([{}, {"'": "4"}, {"l": str(expected)}])
        lines = [Line(1, first)] + follow[:rng.randint(0, len(follow))]
        zone = notes._zone(lines, list(range(len(lines))), expected, aliases, 0)
        if notes._may_open_note(first, expected, aliases):
            opened += bool(zone)
        else:
            skipped += 1
            assert zone == [], (first, expected, aliases)
    assert opened > 100 and skipped > 1000  # both kinds of line were tried


def test_a_line_without_a_digit_holds_no_endnote_marker():
    rng = random.Random(8)
    chars = "ab .,;:”’\"')]*-—1٣²"
    for _ in range(20000):
        t = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        if not notes._DIGIT.search(t):
            assert not notes.NUM_MARK.search(t), t


def test_typical_width_as_the_median_and_count():
    import statistics

    def reference(lines):
        widths = [len(ln.text) for ln in lines if len(ln.text) >= 30]
        if len(widths) < 20:
            return None
        med = statistics.median(widths)
        near = sum(1 for w in widths if 0.8 * med <= w <= 1.25 * med)
        return int(med) if near >= 0.5 * len(widths) and med < 140 else None

    rng = random.Random(2)
    found = 0
    for _ in range(3000):
        base, spread = rng.randint(25, 160), rng.choice([1, 5, 30])
        lines = [Line(k, "x" * max(0, int(rng.gauss(base, spread))))
                 for k in range(rng.randint(0, 80))]
        got = paragraphs.typical_width(lines)
        assert got == reference(lines), [len(ln.text) for ln in lines]
        found += got is not None
    assert 300 < found < 2700  # both answers occur
