"""Fast paths of paragraphs, segment, notes and decode give the same results as the plain code
they replaced (issue 11, conversion throughput).

Each is compared with a straightforward copy of the earlier code on many generated inputs, in
random order (some fast paths keep what they learnt between calls: the answer must not depend
on what came before). Speed itself is measured by benchmarks/convert_profile.py, never here.
"""

from __future__ import annotations

import itertools
import random

from test_convert_fast_paths import _reference_damaged_spans

from build_site import paragraphs

_WORDS = ["the", "party", "and", "workers", "Lenin,", "(1917)", "“Soviet”", "3rd", "1920s",
          "xq1z", "zq2x", "wq3v", "b7c", "qzxvbnmqwrtplk9", "xxqqzzvvbbnnmm", "tbe", "aud",
          "Tj", "T*", "~ve", "ofthe", "—", "-", "'", "\u00a0", "revolutionary."]


def test_damaged_spans_whatever_the_words_seen_before():
    rng = random.Random(11)
    found = 0
    for round_ in range(2):
        if round_ == 1:
            paragraphs._PLAIN.clear()  # as in a fresh process
        for _ in range(3000):
            seps = [" ", "  ", "\n", "\t", "\u2003"]
            text = "".join(rng.choice(_WORDS) + rng.choice(seps)
                           for _ in range(rng.randint(0, 30)))
            assert paragraphs.damaged_spans(text) == _reference_damaged_spans(text), text
            found += bool(_reference_damaged_spans(text))
    assert found > 500


def test_plain_tokens_are_only_words():
    """What the fast path skips is exactly what weighs nothing."""
    rng = random.Random(12)
    for _ in range(2000):
        paragraphs.damaged_spans(" ".join(rng.choices(_WORDS, k=12)))
    assert paragraphs._PLAIN
    assert all(paragraphs._garbled_weight(t) == 0 for t in paragraphs._PLAIN)


def _reference_whole_quotation(text: str) -> bool:
    body = text.removesuffix(".")
    if len(text.split()) < paragraphs.QUOTATION_WORDS:
        return False
    if body[:1] == '"' and body.endswith('"'):
        return body.count('"') == 2
    if body[:1] == "“" and body.endswith("”"):
        return body.count("“") == 1 and body.count("”") == 1
    return False


def test_whole_quotation_is_the_plain_test():
    rng = random.Random(13)
    pieces = ['"', "“", "”", ".", "word", " ", "‘", "'", ""]
    found = 0
    for _ in range(20_000):
        n = rng.choice([0, 3, 30, 60])
        text = "".join(rng.choice(pieces) for _ in range(n))
        if rng.random() < 0.3:
            q = rng.choice(['"', "“"])
            text = q + " ".join(["word"] * rng.randint(20, 30)) + rng.choice(['"', "”", '".'])
        got = paragraphs.is_whole_quotation(text)
        assert got == _reference_whole_quotation(text), text
        found += got
    assert found > 100


def test_lines_from_the_page_top_are_the_plain_scan():
    """``notes._from_top`` bisects ascending line numbers; the scan is the definition."""
    from build_site.model import Line
    from build_site.notes import _from_top

    rng = random.Random(14)
    for _ in range(3000):
        nums = sorted(rng.sample(range(1, 200), rng.randint(0, 40)))
        if rng.random() < 0.3:
            rng.shuffle(nums)  # not ascending: the scan must be used
        lines = [Line(n, "x") for n in nums]
        ascending = all(a < b for a, b in itertools.pairwise(nums))
        top, end = rng.randint(0, 210), rng.randint(0, len(lines))
        expected = [j for j in range(end) if lines[j].number >= top]
        assert list(_from_top(lines, nums if ascending else None, top, end)) == expected
        assert list(_from_top(lines, None, top, end)) == expected


def _reference_may_open_note(first: str, expected: int, aliases: dict[str, str]) -> bool:
    from build_site.notes import _LABEL_START, _label_number

    if "*" in first:
        return True
    start = first[1:2] if first[:1] in ("[", "(") else first[:1]
    if start not in _LABEL_START and not any(first.startswith(alias) for alias in aliases):
        return False
    return any(_label_number(first, num, aliases) is not None for num in (expected, expected + 1))


def test_may_open_note_is_the_plain_test():
    from build_site.notes import _may_open_note

    rng = random.Random(15)
    pieces = ["1", "2", "3", "l", "I", "'", "[", "(", ")", "]", ".", " ", "The", "a", "*", "x"]
    for _ in range(20_000):
        first = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        aliases = dict(rng.sample([("'", "4"), ("x", "2"), ("The", "1"), ("", "3")],
                                  rng.randint(0, 3)))
        expected = rng.randint(1, 4)
        assert _may_open_note(first, expected, aliases) == _reference_may_open_note(
            first, expected, aliases), (first, expected, aliases)


def test_may_open_note_is_the_plain_test_on_words_and_odd_spaces():
    """Lines that open with a word, a label glued to a word, or a label before spaces of any
    kind (the cheap test reads the character after the label's first)."""
    from build_site.notes import _may_open_note

    rng = random.Random(16)
    pieces = ["1", "2", "l", "I", "i", "O", "|", "/", "0", "n", "t", "f", "In", "It", "Of",
              ".", ")", "]", "[", "(", " ", "\t", "\u00a0", "\u2009", "\n", "—", "x"]
    for _ in range(40_000):
        first = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        aliases = dict(rng.sample([("I", "1"), ("x", "2"), ("In", "3")], rng.randint(0, 2)))
        expected = rng.randint(1, 3)
        assert _may_open_note(first, expected, aliases) == _reference_may_open_note(
            first, expected, aliases), (first, expected, aliases)


def test_may_open_note_on_the_seed_texts():
    from pathlib import Path

    from build_site.notes import _may_open_note

    root = Path(__file__).resolve().parents[1]
    lines = [t.strip() for raw in sorted(root.glob("source/*/*.txt"))
             for t in raw.read_text("utf-8", "replace").split("\n")]
    opened = 0
    for first in lines:
        for expected in (1, 2, 7, 12):
            got = _may_open_note(first, expected, {})
            assert got == _reference_may_open_note(first, expected, {}), (first, expected)
            opened += got
    assert opened > 100


def _reference_align(marker_pages, count, blocks, lines, contexts):
    """notes._align as it was: the group cost a function of its own, the page distance the
    least over every back-reference."""
    import re as _re

    pronoun = _re.compile(r"(?:It|Its|He|His|She|They|Their|These)\b")
    long_word = _re.compile(r"[a-z]{4,}")
    inf = float("inf")
    J = len(blocks)
    cost = [[inf] * (J + 1) for _ in range(count + 1)]
    back = [[None] * (J + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0

    def group_cost(k, context, page, j0, j1):
        first = blocks[j0]
        c = 0.0 if first.hard else 1.0
        opening = lines[first.idx[0]].text
        c += 8.0 if opening[:1].islower() else 0.0
        c += 10.0 if pronoun.match(opening) else 0.0
        words = set(long_word.findall(" ".join(
            lines[j].text for blk in blocks[j0:j1] for j in blk.idx).lower()[:300]))
        for blk in blocks[j0 + 1:j1]:
            c += 10.0 if blk.label is not None else (3.0 if blk.hard else 1.5)
        refs = [blk.backref for blk in blocks[j0:j1] if blk.backref is not None]
        extra = 2.0 * (len(refs) - 1) if len(refs) > 1 else 0.0
        c = (-4.0 if first.label == k else (6.0 if first.label is not None else 0.0)) + c
        c -= 1.5 * min(3, len(words & context))
        if refs and page is not None:
            near = min(abs(r - page) for r in refs)
            c += near * 0.8 if near > 1 else 0.0
        return c + extra if extra else c

    for k in range(1, count + 1):
        context, page = contexts.get(k, set()), marker_pages.get(k)
        for j in range(J + 1):
            if cost[k - 1][j] < inf:
                c = cost[k - 1][j] + 7.0
                if c < cost[k][j]:
                    cost[k][j], back[k][j] = c, (j, j)
            for j0 in range(max(0, j - 4), j):
                if cost[k - 1][j0] < inf:
                    c = cost[k - 1][j0] + group_cost(k, context, page, j0, j)
                    if c < cost[k][j]:
                        cost[k][j], back[k][j] = c, (j0, j)
    out = {}
    j = J
    if cost[count][J] == inf:
        return {}
    for k in range(count, 0, -1):
        j0, j1 = back[k][j]
        out[k] = list(range(j0, j1))
        j = j0
    return out


def test_endnote_alignment_is_the_plain_programme():
    from build_site.model import Line
    from build_site.notes import _align, _Block

    rng = random.Random(16)
    texts = ["It was said", "the congress decided", "Lenin wrote this letter", "see above",
             "Their programme", "workers and peasants", "1. Resolution of the party"]
    words = ["congress", "letter", "party", "workers", "programme", "said"]
    differ = 0
    for _ in range(400):
        n_lines = rng.randint(1, 30)
        lines = [Line(k + 1, rng.choice(texts)) for k in range(n_lines)]
        blocks, j = [], 0
        while j < n_lines:
            size = rng.randint(1, 3)
            blocks.append(_Block(list(range(j, min(n_lines, j + size))),
                                 label=rng.choice([None, None, rng.randint(1, 8)]),
                                 backref=rng.choice([None, rng.randint(1, 40)]),
                                 hard=rng.random() < 0.6))
            j += size
        count = rng.randint(1, 8)
        marker_pages = {k: rng.choice([None, rng.randint(1, 40)]) for k in range(1, count + 1)}
        contexts = {k: set(rng.sample(words, rng.randint(0, 3))) for k in range(1, count + 1)}
        got = _align(marker_pages, count, blocks, lines, contexts)
        assert got == _reference_align(marker_pages, count, blocks, lines, contexts)
        differ += len({tuple(v) for v in got.values()}) > 1
    assert differ > 100  # the programme does place notes in different blocks


def _reference_footnotes(lines, pages, width, aliases, stop):
    """notes._footnotes as it was: the page end worked out for every line, then the test of
    whether a note can open there."""
    import bisect as _bisect

    from build_site import notes as N

    feet = []
    expected = 1
    i, n = 0, len(lines)
    numbers = [ln.number for ln in lines]
    ascending = all(a < b for a, b in itertools.pairwise(numbers))
    while i < n:
        ln = lines[i]
        if stop is not None and ln.number >= stop:
            break
        end = pages.next_start(ln.number)
        if N.STAR_LABEL.match(ln.text) and N.SIGNATURE.search(ln.text):
            end = ln.number + 1
        if end is None:
            break
        if not N._may_open_note(ln.text, expected, aliases):
            i += 1
            continue
        if ascending:
            span = list(range(i, _bisect.bisect_left(numbers, end, i, min(n, i + 2 * N.WINDOW + 1))))
        else:
            span = [j for j in range(i, min(n, i + 2 * N.WINDOW + 1)) if numbers[j] < end]
        if len(span) > 2 * N.WINDOW or (len(span) > N.WINDOW and not ln.text[:1].isdigit()):
            i += 1
            continue
        zone = N._zone(lines, span, expected, aliases, pages.index(ln.number))
        if zone and zone[0].key.isdigit() and not N._has_marker(lines, pages, i, zone[0].key,
                                                                  aliases):
            zone = []
        if not zone:
            i += 1
            continue
        for f in zone:
            if f.key.isdigit():
                expected = int(f.key) + 1
        feet.extend(zone)
        i = span[-1] + 1
    return N._continuations(feet, lines, pages, width)


def test_footnotes_are_the_plain_search():
    from build_site.model import Line
    from build_site.notes import PageMap, _footnotes

    rng = random.Random(17)
    texts = ["The workers of the city met and decided that the strike",
             "would go on until the demands were met.1 The party",
             "1 See the resolution of the congress, p. 12.", "2 Ibid., p. 40.",
             "* Written in 1917. — J. S.", "*) A note of the editor, on the text above.",
             "the peasants.2 And so on", "", "3 Lenin, Works, Vol. 6.", "[*] Translator.",
             "l See the first chapter of this book, where it is said."]
    found = 0
    for _ in range(600):
        n = rng.randint(0, 60)
        nums = list(range(1, n + 1))
        if rng.random() < 0.2:
            rng.shuffle(nums)
        lines = [Line(k, rng.choice(texts)) for k in nums]
        starts = tuple(sorted(rng.sample(range(1, n + 10), rng.randint(0, min(8, n + 9)))))
        pages = PageMap(starts, tuple(range(1, len(starts) + 1)))
        aliases = rng.choice([{}, {"l": "1"}])
        stop = rng.choice([None, rng.randint(1, n + 1)])
        got = _footnotes(lines, pages, None, aliases, stop)
        assert got == _reference_footnotes(lines, pages, None, aliases, stop)
        found += bool(got)
    assert found > 50


def test_typical_width_is_the_median_of_body_lines():
    import statistics
    from bisect import bisect_left, bisect_right

    from build_site.model import Line

    def reference(lines):
        widths = sorted(w for w in map(len, (ln.text for ln in lines)) if w >= 30)
        if len(widths) < 20:
            return None
        med = statistics.median(widths)
        near = bisect_right(widths, 1.25 * med) - bisect_left(widths, 0.8 * med)
        return int(med) if near >= 0.5 * len(widths) and med < 140 else None

    rng = random.Random(18)
    found = 0
    for _ in range(2000):
        base = rng.choice([28, 30, 60, 70, 150])
        lines = [Line(k, "x" * max(0, int(rng.gauss(base, rng.choice([1, 5, 30])))))
                 for k in range(rng.randint(0, 80))]
        got = paragraphs.typical_width(lines)
        assert got == reference(lines)
        found += got is not None
    assert found > 200


def test_with_page_is_replace():
    """The block with its page set field by field is ``dataclasses.replace``'s; the list of
    Block's fields is checked, so that a new field cannot be dropped here unseen."""
    from dataclasses import fields, replace

    from build_site.model import Block, BlockKind, InlineLink, NoteRef
    from build_site.paragraphs import _with_page

    assert [f.name for f in fields(Block)] == [
        "kind", "text", "first_line", "last_line", "refs", "anchor", "page", "links",
        "connections"]
    b = Block(BlockKind.QUOTE, "text", 3, 5, (NoteRef(2, "n1"),), "p-4", "",
              (InlineLink(0, 2, "a.md#p-1", "person", ()),), ("c",))
    assert _with_page(b, "12") == replace(b, page="12")


def test_typical_width_on_the_seed_texts():
    """The counted median is the sorted one on each seed text's lines, whole and cut into
    pieces of every size (even and odd counts of body lines)."""
    import statistics
    from pathlib import Path

    from build_site.model import Line

    def reference(lines):
        widths = sorted(len(ln.text) for ln in lines if len(ln.text) >= 30)
        if len(widths) < 20:
            return None
        med = statistics.median(widths)
        near = sum(1 for w in widths if 0.8 * med <= w <= 1.25 * med)
        return int(med) if near >= 0.5 * len(widths) and med < 140 else None

    root = Path(__file__).resolve().parents[1]
    seen = set()
    for raw in sorted(root.glob("source/*/*.txt")):
        lines = [Line(k, t) for k, t in enumerate(raw.read_text("utf-8").split("\n"))]
        for size in (len(lines), 997, 60, 41, 40, 21, 20):
            for at in range(0, len(lines), size):
                got = paragraphs.typical_width(lines[at:at + size])
                assert got == reference(lines[at:at + size]), (raw, at, size)
                seen.add(got is None)
    assert seen == {True, False}
