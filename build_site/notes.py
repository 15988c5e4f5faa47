"""Notes: footnotes, endnotes and bracketed notes, cut out of the text and attached to markers.

Two steps around ``segment``. ``split_notes`` works on cleaned lines, where the print page of
every line is still known (note texts sit at page bottoms, in a NOTES section, or after a
letter in brackets): it finds note texts and markers, pairs them, and returns the lines
without the note texts and without the markers, remembering where each marker stood.
``attach_notes`` finds those places again in the joined paragraphs and headings.

Three forms, each detected generically:

- page-bottom footnotes: a line opening with a label ('*', '**', or the next note number,
  OCR misreadings allowed) shortly before a page start; the marker is looked for on the same
  page, before the note; a note cut mid-word ('capi* My italics') gives its word back; a note
  left unfinished at a page bottom continues at the next page bottom in the notes' type width;
- endnotes: a NOTES section of blocks separated by number lines and 'p. N' back-references;
  bare-number markers are told from ordinary numbers by keeping the increasing sequence
  1, 2, 3 ... that fits the back-referenced pages, then aligned with the note blocks by a
  monotone dynamic programme on page distance (number lines are evidence, not truth);
- bracketed notes: '[n] text' lines after a letter, paired with the '[n]' markers since the
  previous group of notes (numbering restarts in each letter).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from .clean.furniture import TERMINAL
from .clean.text import join_lines
from .model import Block, BlockKind, Change, Line, Note, NoteRef, PageRef, Section

MISSING_TEXT = "The text of this note is missing in the source."
SIGNATURE = re.compile(r"\s?—\s?((?:Tr|Ed|Trans|J\. ?St|N\. ?L|V\. ?I\. ?L)\.)\s*$")
NOTES_HEAD = re.compile(r"^(?:NOTES|Notes|ENDNOTES|Endnotes|EXPLANATORY NOTES)$")
_NOTES_HEADS = frozenset(["NOTES", "Notes", "ENDNOTES", "Endnotes", "EXPLANATORY NOTES"])
"""The lines ``NOTES_HEAD`` matches (once stripped)."""
BACKREF = re.compile(r"^p\. ?(\d{1,4})$")  # 'p. 37': the page of the note's marker
BARE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
PAGE_START_MARK = re.compile(r"^ \S")  # the extraction marks a page start with one space
STAR_LABEL = re.compile(r"^(?:\[(\*{1,3})\]|(\*{1,3}))\s?(?=\S)(?!\*)")
GLUED_STAR = re.compile(r"^(.*?[A-Za-z,.;:)”’\"])(\*{1,3}) (?=[A-Z“\"])(.*)$")
BRACKET_NOTE = re.compile(r"^\[(\d{1,3})\]\s+(?=\S)")
BRACKET_MARK = re.compile(r" ?\[(\d{1,3})\]")
STAR_MARK = re.compile(r"(?<=\S)(?:\[(\*{1,3})\]|(?<!\*)(\*{1,3})(?!\*))")
# A bare number right after a word or punctuation ('democracy 2 that', 'Profintern.63').
_DIGIT = re.compile(r"\d")  # what NUM_MARK's number needs
NUM_MARK = re.compile(r"(?<=[A-Za-z.,;:!?”’\"')\]*\d])( ?)(\d{1,3})(?=[\s)—–,.;:?!-]|$)")
# Words after which a number is a reference or a date, never a note marker.
NOT_MARKER_BEFORE = re.compile(
    r"(?:\b(?:No|Nos|p|pp|Vol|vol|Vols|Art|Arts|art|para|Point|Points|Article|Articles|Chapter|"
    r"Section|Part|Paragraph|Clause|Volume|page|pages|Thesis|Book|Nr|§|January|February|March|"
    r"April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|"
    r"Aug|Sept|Sep|Oct|Nov|Dec)\.?|[-–/])$")
# After a number, words that make it a count or a decimal, never a note marker.
NOT_MARKER_AFTER = re.compile(r"^(?:[.,]\d|[-–]\d|\s?(?:per ?cent|per\b|%|million|thousand|and \d|or \d))")
DIGIT_MISREADS = {"1": "1lIi/", "0": "0O"}
# An in-volume cross-reference in a note: 'See this volume, p. 103', 'this volume, pp. 246-73'.
VOLUME_REF = re.compile(r"\bthis volume, (pp?)\. ?(\d{1,4})(?:[-–](\d{1,4}))?")


@dataclass(frozen=True)
class NotesConfig:
    """Per-work options from ``work.yml`` ``cleaning.notes``.

    ``label_aliases`` maps how a scan misread a note number to the number ("'": "4" when the
    OCR reads a superscript 4 as an apostrophe), for labels and markers alike.
    """

    extra: dict = field(default_factory=dict)

    @property
    def label_aliases(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.extra.get("label_aliases") or {}).items()}


@dataclass(frozen=True)
class Mark:
    """A marker cut from line ``line`` (raw number) at column ``col`` of the returned text;
    ``context`` is the text just before it there, to find the place again after joining."""

    line: int
    col: int
    note_id: str
    context: str
    after: str = ""
    # A note that stood as a paragraph of its own between two paragraphs: the raw line where
    # the next paragraph starts, so that cutting the note does not join the two (0: none).
    resume: int = 0


@dataclass(frozen=True)
class Counts:
    """Per-text numbers for the report and the tests."""

    markers: int = 0  # markers found in the text
    notes: int = 0  # note texts found
    attached: int = 0  # note texts paired with at least one marker
    missing: int = 0  # markers whose note text is not in the source
    unpaired: int = 0  # markers without a note (and not declared missing)
    unused: int = 0  # note texts without a marker


@dataclass(frozen=True)
class SplitNotes:
    lines: tuple[Line, ...]
    candidates: tuple = ()
    changes: tuple[Change, ...] = ()
    marks: tuple[Mark, ...] = ()
    notes: tuple[Note, ...] = ()
    counts: Counts = Counts()
    # (raw line, print page) of endnote markers whose note gives its page ('p. 37'): evidence
    # for where print pages stood, stronger than an estimate from page starts.
    page_marks: tuple[tuple[int, int], ...] = ()


# -- pages -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageMap:
    """Where print pages start (raw line numbers) and the page number of each, when known."""

    starts: tuple[int, ...]
    numbers: tuple[int | None, ...]

    def index(self, line: int) -> int:
        return bisect.bisect_right(self.starts, line) - 1

    def next_start(self, line: int) -> int | None:
        k = bisect.bisect_right(self.starts, line)
        return self.starts[k] if k < len(self.starts) else None

    def number(self, line: int) -> int | None:
        k = self.index(line)
        return self.numbers[k] if 0 <= k < len(self.numbers) else None


def page_map(raw: Sequence[Line], kept: set[int], until: int | None = None) -> PageMap:
    """Page starts: a raw line opening with exactly one space (the extraction's page-start
    mark), or furniture the cleaner dropped between blank lines (running head, page number).
    A bare number so dropped is the page's printed number; the others are counted from it."""
    starts: list[int] = []
    known: dict[int, int] = {}
    texts = [ln.text for ln in raw]
    for i, ln in enumerate(raw):
        if until is not None and ln.number >= until:
            break
        t = ln.text
        if not t.strip():
            continue
        furniture = (ln.number not in kept and (i == 0 or not texts[i - 1].strip())
                     and (i + 1 >= len(raw) or not texts[i + 1].strip()))
        if not (furniture or PAGE_START_MARK.match(t)):
            continue
        if starts and ln.number - starts[-1] <= 6 and _all_furniture(raw, kept, starts[-1], i):
            k = len(starts) - 1  # one page top: number, head, first line
        else:
            starts.append(ln.number)
            k = len(starts) - 1
        m = BARE_NUMBER.match(t)
        if furniture and m:
            known[k] = int(m.group(1))
    return PageMap(tuple(starts), tuple(_number_pages(len(starts), known)))


def _all_furniture(raw: Sequence[Line], kept: set[int], start: int, i: int) -> bool:
    return all(ln.number not in kept or not ln.text.strip()
               for ln in raw[start - 1:i] if ln.number >= start)


def _number_pages(n: int, known: dict[int, int]) -> list[int | None]:
    """Between two printed numbers, spread the pages over the page starts found (some starts
    are lost in extraction); outside them, count from the nearest printed number."""
    out: list[int | None] = [None] * n
    anchors = sorted(known)
    for k in range(n):
        j = bisect.bisect_right(anchors, k) - 1
        if 0 <= j < len(anchors) - 1 and anchors[j + 1] > anchors[j]:
            a, b = anchors[j], anchors[j + 1]
            out[k] = known[a] + round((k - a) * (known[b] - known[a]) / (b - a))
        elif j >= 0:
            out[k] = known[anchors[j]] + (k - anchors[j])
        elif anchors:
            out[k] = known[anchors[0]] - (anchors[0] - k)
    return out


# -- helpers -----------------------------------------------------------------------------------
def _signature(text: str) -> str:
    m = SIGNATURE.search(text)
    return ("—" + m.group(1)) if m else ""


def _note_text(parts: Sequence[Line]) -> str:
    text, _ = join_lines([p for p in parts if p.text.strip()])
    return text


_LABEL_OPEN = re.compile(r"^[\[(]?(\S{1,3}?)[.)\]]?\s+(?=\S)")
_LABEL_TOKEN = re.compile(r"[0-9lIi|/O]{1,3}")
_LABEL_MISREADS = str.maketrans("lIi|/O", "11111" + "0")
_LABEL_START = frozenset("0123456789lIi|/O")
_LABEL_GOES_ON = _LABEL_START | frozenset(".)]")  # what follows a label's first character


def _label_number(text: str, expected: int, aliases: dict[str, str]) -> str | None:
    """The rest of ``text`` when it opens with note number ``expected`` (as printed, misread
    by the OCR, or under a declared alias), else None."""
    for alias, num in aliases.items():
        if num == str(expected) and text.startswith(alias) and len(text) > len(alias) + 3 \
                and (text[len(alias)].isupper() or text[len(alias)] == " "):
            return text[len(alias):].strip()
    m = _LABEL_OPEN.match(text)
    if not m:
        return None
    token = m.group(1)
    if not _LABEL_TOKEN.fullmatch(token) or not any(c.isdigit() for c in token) \
            and expected != 1:
        return None
    norm = token.translate(_LABEL_MISREADS)
    return text[m.end():].strip() if norm == str(expected) else None


def _num_pattern(n: int, aliases: dict[str, str]) -> re.Pattern:
    """The printed forms of marker ``n``: its digits, OCR misreadings glued to punctuation or
    digits, and declared aliases glued to a word."""
    s = str(n)
    variant = "".join(f"[{re.escape(DIGIT_MISREADS.get(c, c))}]" for c in s)
    alias = [re.escape(a) for a, v in aliases.items() if v == s]
    alts = [rf"(?<=[A-Za-z.,;:!?”’\"')\]]) ?{s}(?=[\s)—,.;:-]|$)",
            rf"(?<=[.,;:!?”’\"')\]\d]) ?(?:{variant})(?=[\s)—,.;:-]|$)",
            rf"(?<=[a-z]){s}(?=[\s)—,.;:-]|$)"]
    alts += [rf"(?<=[a-z]){a}(?=\s)" for a in alias]
    return re.compile("|".join(f"(?:{a})" for a in alts))


@dataclass(frozen=True)
class _Hit:
    """A marker found: line index, span in that line, note key."""

    idx: int
    start: int
    end: int
    key: str
    resume: int = 0  # see Mark.resume


# -- page-bottom footnotes ---------------------------------------------------------------------
@dataclass
class _Foot:
    key: str  # '*', '**' or the number
    idx: list[int]  # cleaned-line indices of the note text
    first_text: str
    page: int
    glued_idx: int | None = None  # line whose tail was the note's first line
    glued_body: str = ""
    extra: list[str] = field(default_factory=list)


WINDOW = 16  # lines between a note's first line and the page end, at most


def _footnotes(lines: list[Line], pages: PageMap, width: int | None, aliases: dict[str, str],
               stop: int | None) -> list[_Foot]:
    """Page-bottom notes in reading order (see module docstring)."""
    feet: list[_Foot] = []
    expected = 1
    i, n = 0, len(lines)
    numbers = [ln.number for ln in lines]
    ascending = all(a < b for a, b in pairwise(numbers))
    while i < n:
        ln = lines[i]
        if stop is not None and ln.number >= stop:
            break
        if not _may_open_note(ln.text, expected, aliases):
            # No note can start here (what ``_zone`` reads first), whatever follows; past the
            # last page start no page end closes a note (``end`` below is None: no star label
            # here), and the search stops, as it does there.
            if not pages.starts or ln.number >= pages.starts[-1]:
                break
            i += 1
            continue
        end = pages.next_start(ln.number)
        if STAR_LABEL.match(ln.text) and SIGNATURE.search(ln.text):
            end = ln.number + 1  # a signed one-line note: complete whatever follows
        if end is None:
            break
        if ascending:  # the lines before the page end are a prefix of the window
            span = list(range(i, bisect.bisect_left(numbers, end, i, min(n, i + 2 * WINDOW + 1))))
        else:
            span = [j for j in range(i, min(n, i + 2 * WINDOW + 1)) if numbers[j] < end]
        if len(span) > 2 * WINDOW or (len(span) > WINDOW and not ln.text[:1].isdigit()):
            i += 1  # too far from the page end (numbered notes may fill a longer bottom)
            continue
        zone = _zone(lines, span, expected, aliases, pages.index(ln.number))
        if zone and zone[0].key.isdigit() and not _has_marker(
                lines, pages, i, zone[0].key, aliases, numbers if ascending else None):
            zone = []
        if not zone:
            i += 1
            continue
        for f in zone:
            if f.key.isdigit():
                expected = int(f.key) + 1
        feet.extend(zone)
        i = span[-1] + 1
    return _continuations(feet, lines, pages, width)


def _has_marker(lines: list[Line], pages: PageMap, i: int, key: str, aliases: dict[str, str],
                numbers: list[int] | None = None) -> bool:
    """Is numbered marker ``key`` printed on the page above line ``i``? ``numbers``: the
    lines' numbers when they ascend, so that the page's first line is found by bisection
    rather than by a scan from the text's start (a scan per note made the stage quadratic)."""
    top = pages.starts[pages.index(lines[i].number)] if pages.index(lines[i].number) >= 0 else 0
    pat = _num_pattern(int(key), aliases)
    return any(pat.search(lines[j].text) for j in _from_top(lines, numbers, top, i))


def _from_top(lines: list[Line], numbers: list[int] | None, top: int, end: int) -> range | list[int]:
    """Indexes ``j < end`` of the lines numbered ``top`` or later, in order; by bisection when
    ``numbers`` (the lines' ascending numbers) is given."""
    if numbers is not None:
        return range(bisect.bisect_left(numbers, top, 0, end), end)
    return [j for j in range(end) if lines[j].number >= top]


def _may_open_note(first: str, expected: int, aliases: dict[str, str]) -> bool:
    """Could ``_zone`` open a note at this line? Only with a star (a star label or a glued
    star) or the label of the next note or the one after: a cheap test that settles most
    lines before their page's span is worked out."""
    if "*" in first:
        return True
    # A label's first character, after an opening bracket, is a digit or a misread one.
    at = 1 if first[:1] in ("[", "(") else 0
    start = first[at:at + 1]
    if not first.startswith(tuple(aliases)):
        if start not in _LABEL_START:
            return False
        # And the next one goes on with the label, closes it or is a space: lines opening
        # with a word ('In', 'It', 'Of') go no further, without the pattern.
        after = first[at + 1:at + 2]
        if after not in _LABEL_GOES_ON and not after.isspace():
            return False
    return any(_label_number(first, num, aliases) is not None for num in (expected, expected + 1))


def _zone(lines: list[Line], span: list[int], expected: int, aliases: dict[str, str],
          page: int) -> list[_Foot]:
    """Notes filling ``span`` (the lines from one line to the page end), if it opens a note."""
    first = lines[span[0]].text
    out: list[_Foot] = []
    glued = GLUED_STAR.match(first)
    if STAR_LABEL.match(first) and not re.match(r"^(\*\s*){3}$", first):
        key = "*" * first[:4].count("*")
        out.append(_Foot(key, [span[0]], STAR_LABEL.sub("", first, count=1), page))
    elif glued and (SIGNATURE.search(first) or len(span) <= 2) and len(span) <= 4:
        out.append(_Foot(glued.group(2), [span[0]], glued.group(3), page, span[0],
                         glued.group(1)))
    else:
        for num in (expected, expected + 1):  # a note whose label is lost is skipped
            rest = _label_number(first, num, aliases)
            if rest is not None:
                break
        big = [w for w in (rest or "").split() if w[:1].isalpha() and len(w) > 3]
        if rest is None or (not rest.endswith(TERMINAL)
                            and sum(w[0].isupper() for w in big) >= 0.6 * max(1, len(big))):
            return []  # a numbered heading ('1. REPORT ON ...'), not a note
        out.append(_Foot(str(num), [span[0]], rest, page))
    for j in span[1:]:
        t = lines[j].text
        cur = out[-1]
        if STAR_LABEL.match(t) and cur.key.startswith("*"):
            out.append(_Foot("*" * t[:4].count("*"), [j], STAR_LABEL.sub("", t, count=1), page))
            continue
        if cur.key.isdigit():
            rest = _label_number(t, int(cur.key) + 1, aliases)
            if rest is not None and cur.extra == [] and len(cur.idx) >= 1:
                out.append(_Foot(str(int(cur.key) + 1), [j], rest, page))
                continue
        cur.idx.append(j)
    return out


def _continuations(feet: list[_Foot], lines: list[Line], pages: PageMap, width: int | None
                   ) -> list[_Foot]:
    """A note unfinished at its page end goes on at the bottom of the next page, set in the
    notes' wider measure: claim that trailing run of wide lines. A note that ends a sentence
    at its page end may still go on: then the run must be plainly in the notes' measure and
    cut the body's sentence in two (the body goes on, lower case, on the page after)."""
    if not width:
        return feet
    numbers = [ln.number for ln in lines]
    ascending = all(a < b for a, b in pairwise(numbers))
    for f in feet:
        for _ in range(3):  # a note runs over at most a few pages
            last = lines[f.idx[-1]].text
            nxt = pages.next_start(lines[f.idx[-1]].number)
            after = pages.next_start(nxt) if nxt is not None else None
            if after is None:
                break
            assert nxt is not None  # (else after is None)
            if ascending:  # the next page's lines are one run: find its ends, not scan
                lo = f.idx[-1] + 1
                page_idx = list(range(bisect.bisect_left(numbers, nxt, lo),
                                      bisect.bisect_left(numbers, after, lo)))
            else:
                page_idx = [j for j in range(f.idx[-1] + 1, len(lines))
                            if nxt <= numbers[j] < after]
            if not last.endswith(TERMINAL):
                run = _wide_tail(lines, page_idx, width)
            else:
                run = _measure_tail(lines, page_idx, width)
                resume = page_idx[-1] + 1 if page_idx else len(lines)
                if run and not (resume < len(lines) and lines[resume].text[:1].islower()
                                and lines[run[0]].text[:1].isupper()
                                and not lines[run[0] - 1].text.endswith(TERMINAL)):
                    run = []
            if not run:
                break
            f.idx.extend(run)
    return feet


def _wide_tail(lines: list[Line], idx: list[int], width: int) -> list[int]:
    run: list[int] = []
    wide = 0
    for j in reversed(idx):
        w = len(lines[j].text)
        if 0.8 * width <= w <= 1.08 * width:  # the body's own measure: the note ends here
            break
        run.append(j)
        wide += 1.08 * width < w <= 1.4 * width
    return sorted(run) if wide >= 2 and len(run) < len(idx) else []


def _measure_tail(lines: list[Line], idx: list[int], width: int, need: int = 6) -> list[int]:
    """The page's trailing lines set in the notes' measure: the suffix where lines wider than
    the body's measure most outnumber lines in it (short and run-together lines are neutral)."""
    def score(j: int) -> int:
        w = len(lines[j].text)
        return -1 if 0.8 * width <= w <= width + 1 else (1 if width + 1 < w <= 1.4 * width
                                                          else 0)

    best, start, total = 0, None, 0
    for k in range(len(idx) - 1, 0, -1):  # never the whole page
        total += score(idx[k])
        if total >= best and total > 0:
            best, start = total, k
    return idx[start:] if start is not None and best >= need else []


def _footnote_hits(feet: list[_Foot], lines: list[Line], pages: PageMap,
                   skip: set[int], aliases: dict[str, str]) -> dict[int, list[_Hit]]:
    """For each footnote (by position in ``feet``), its markers on the same page, before it."""
    hits: dict[int, list[_Hit]] = {}
    used: set[tuple[int, int]] = set()
    last_num: tuple[int, int] = (-1, -1)
    numbers: list[int] | None
    numbers = [ln.number for ln in lines]
    if not all(a < b for a, b in pairwise(numbers)):
        numbers = None
    for k, f in enumerate(feet):
        start = f.glued_idx if f.glued_idx is not None else f.idx[0]
        top = pages.starts[f.page] if f.page >= 0 else 0
        body = [j for j in _from_top(lines, numbers, top, start + 1) if j not in skip]
        found: list[_Hit] = []
        for j in body:
            text = f.glued_body if j == f.glued_idx else lines[j].text
            if f.key.startswith("*"):
                for m in STAR_MARK.finditer(text):
                    key = m.group(1) or m.group(2)
                    if key == f.key and (j, m.start()) not in used:
                        found.append(_Hit(j, m.start(), m.end(), f"s{k}"))
            else:
                pat = _num_pattern(int(f.key), aliases)
                for m in pat.finditer(text):
                    if NOT_MARKER_BEFORE.search(text[:m.start()].rstrip()):
                        continue
                    if (j, m.start()) > last_num and (j, m.start()) not in used:
                        found.append(_Hit(j, m.start(), m.end(), f.key))
        if not f.key.startswith("*") and found:
            exact = [h for h in found if f.key in lines[h.idx].text[h.start:h.end]]
            found = [exact[0] if exact else found[-1]]  # misreadings: the nearest one
            last_num = (found[0].idx, found[0].start)
        for h in found:
            used.add((h.idx, h.start))
        hits[k] = found
    return hits


# -- endnotes ----------------------------------------------------------------------------------
@dataclass
class _Block:
    idx: list[int]
    label: int | None = None
    backref: int | None = None
    hard: bool = True  # opened by a number line or after a back-reference


def _notes_region(raw: Sequence[Line]) -> tuple[int, int] | None:
    """Raw line numbers [a, b) of the endnote texts: after a NOTES heading, up to the next
    caps heading or a number far beyond any note count (a year heading). Read from the raw
    lines: the heading and the number lines look like page furniture to the cleaner."""
    texts = [ln.text.strip() for ln in raw]
    for a, ln in enumerate(raw):
        # (A stripped line holds no newline, so the anchored pattern matches exactly the
        # heading words: a set lookup says it without a pattern call per line.)
        if texts[a] in _NOTES_HEADS:
            b = a + 1
            while b < len(raw):
                t = raw[b].text.strip()
                m = BARE_NUMBER.match(t)
                if (m and int(m.group(1)) > 400) or (
                        t.isupper() and len(t.split()) >= 2 and texts.count(t) == 1
                        and max(len(w) for w in t.split()) >= 6):
                    break  # a year heading, or a caps heading (not a recurring watermark)
                b += 1
            end = raw[b].number if b < len(raw) else raw[-1].number + 1
            return ln.number, end
    return None


def _recurring(raw: Sequence[Line]) -> set[str]:
    """Short lines printed three times or more: watermarks and running heads."""
    from collections import Counter

    counts = Counter(ln.text.strip() for ln in raw if 0 < len(ln.text.strip()) <= 40)
    return {t for t, n in counts.items() if n >= 3 and not BARE_NUMBER.match(t)
            and not BACKREF.match(t)}


def _endnote_blocks(raw: Sequence[Line], region: tuple[int, int], index: dict[int, int],
                    lines: list[Line]) -> list[_Block]:
    """Blocks of note text (cleaned-line indices) between number lines, back-references and
    page starts after a finished sentence."""
    blocks: list[_Block] = []
    cur: _Block | None = None
    label: int | None = None
    after_ref = True
    furniture = _recurring(raw)
    for ln in raw:
        if not region[0] < ln.number < region[1]:
            continue
        t = ln.text.strip()
        if not t or t in furniture or (t.isupper() and len(t.split()) <= 3):
            continue  # a watermark or running head, never note text
        m = BARE_NUMBER.match(t)
        if m and int(m.group(1)) <= 400:
            label, after_ref, cur = int(m.group(1)), True, None
            continue
        r = BACKREF.match(t)
        if r:
            if cur is not None:
                cur.backref = cur.backref or int(r.group(1))
            elif blocks:
                blocks[-1].backref = blocks[-1].backref or int(r.group(1))
            cur, after_ref = None, True
            continue
        j = index.get(ln.number)
        if j is None or not lines[j].text:
            continue  # furniture the cleaner dropped (a watermark line)
        weak = (cur is not None and PAGE_START_MARK.match(ln.text)
                and lines[cur.idx[-1]].text.endswith((".", "”", ")")) and t[:1].isupper())
        if cur is None or weak:
            cur = _Block([j], label, None, hard=label is not None or after_ref)
            blocks.append(cur)
            label, after_ref = None, False
        else:
            cur.idx.append(j)
    return blocks


def _marker_chain(cands: list[tuple[int, int, int, int | None, str, str]],
                  hint: dict[int, int]
                  ) -> list[int]:
    """The increasing run of note numbers through the candidates (index order), preferring
    consecutive numbers and pages that agree with the notes' back-references. ``cands`` are
    (line idx, position, value, page, char before, shape). Returns indices into ``cands``."""
    n = len(cands)
    score = [0.0] * n
    prev = [-1] * n

    def weight(c: tuple[int, int, int, int | None, str, str]) -> float:
        v, page = c[2], c[3]
        w = 1.0
        if v in hint and page is not None:
            d = abs(hint[v] - page)
            w = 3.0 if d <= 1 else 2.0 if d <= 3 else 0.5
        if c[5] == "count":  # 'has 54 members': a number between two words reads as a count
            w -= 0.4
        return w

    for i in range(n):
        v = cands[i][2]
        best, arg = (weight(cands[i]) - 1.5 * (v - 1)), -1
        for k in range(max(0, i - 400), i):
            u = cands[k][2]
            if u < v:
                s = score[k] + weight(cands[i]) - 1.5 * (v - u - 1)
            elif (u == v and cands[k][3] == cands[i][3] and 0 < cands[i][0] - cands[k][0] <= 12
                  and re.match(r"[,.;]", cands[i][4]) and re.match(r"[,.;]", cands[k][4])):
                s = score[k] + 0.2  # the same note cited twice on one page, after punctuation
            else:
                continue
            if s > best:
                best, arg = s, k
        score[i], prev[i] = best, arg
    if not n:
        return []
    i = max(range(n), key=lambda k: score[k])
    chain = []
    while i >= 0:
        chain.append(i)
        i = prev[i]
    return chain[::-1]


_PRONOUN_OPENING = re.compile(r"(?:It|Its|He|His|She|They|Their|These)\b")
_LONG_WORD = re.compile(r"[a-z]{4,}")


def _align(marker_pages: dict[int, int | None], count: int, blocks: list[_Block],
           lines: list[Line], contexts: dict[int, set[str]]) -> dict[int, list[int]]:
    """Note number -> the blocks holding its text (empty: missing), by a monotone dynamic
    programme over (notes, blocks): page distance to the back-reference, agreement with the
    number lines, a cost for a missing text and for a break inside a text."""
    inf = float("inf")
    J = len(blocks)
    cost = [[inf] * (J + 1) for _ in range(count + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (J + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0

    def group(j0: int, j1: int) -> tuple[float, int | None, set[str], list[int], float, int, int]:
        """What a group's cost owes to its blocks alone; computed once per group (``ending``),
        since the programme tries every group against several note numbers. The least and greatest
        back-reference settle the page distance for a page outside them."""
        first = blocks[j0]
        c = 0.0 if first.hard else 1.0
        opening = lines[first.idx[0]].text
        c += 8.0 if opening[:1].islower() else 0.0  # a note goes on here
        c += 10.0 if _PRONOUN_OPENING.match(opening) else 0.0
        words = set(_LONG_WORD.findall(" ".join(
            lines[j].text for blk in blocks[j0:j1] for j in blk.idx).lower()[:300]))
        for blk in blocks[j0 + 1:j1]:
            c += 10.0 if blk.label is not None else (3.0 if blk.hard else 1.5)
        refs = [blk.backref for blk in blocks[j0:j1] if blk.backref is not None]
        extra = 2.0 * (len(refs) - 1) if len(refs) > 1 else 0.0
        return c, first.label, words, refs, extra, min(refs, default=0), max(refs, default=0)

    # The groups ending at each block j (j0 from j-4 up), each with its start: made the first
    # time a note reaches j, and read as one list for every note after.
    ending: list[list[tuple] | None] = [None] * (J + 1)
    for k in range(1, count + 1):
        context, page = contexts.get(k, set()), marker_pages.get(k)
        before, row, came = cost[k - 1], cost[k], back[k]  # rows of notes k-1 and k
        for j in range(J + 1):
            if before[j] < inf:  # note k has no text
                c = before[j] + 7.0
                if c < row[j]:
                    row[j], came[j] = c, (j, j)
            if not j:
                continue
            col = ending[j]
            if col is None:
                col = ending[j] = [(j0, *group(j0, j)) for j0 in range(max(0, j - 4), j)]
            best, arg = row[j], came[j]
            for j0, base, label, words, refs, extra, lo, hi in col:
                b = before[j0]
                if b < inf:
                    # The group's cost against note k, inline (the programme's innermost
                    # step). The half-point terms add up exactly in any order; the page term
                    # and the extra back-references come last, as they always did, so the
                    # sums are the same floats.
                    gc = (-4.0 if label == k else (6.0 if label is not None else 0.0)) + base
                    gc -= 1.5 * min(3, len(words & context))  # it names what it annotates
                    if refs and page is not None:
                        near = lo - page if page <= lo else page - hi if page >= hi else min(
                            abs(r - page) for r in refs)
                        gc += near * 0.8 if near > 1 else 0.0
                    c = b + (gc + extra if extra else gc)
                    if c < best:
                        best, arg = c, (j0, j)
            row[j], came[j] = best, arg
    out: dict[int, list[int]] = {}
    j = J
    if cost[count][J] == inf:
        return {}
    for k in range(count, 0, -1):
        step = back[k][j]
        assert step is not None  # (every step of a path of finite cost is set)
        j0, j1 = step
        out[k] = list(range(j0, j1))
        j = j0
    return out


def _endnotes(lines: list[Line], raw: Sequence[Line], pages: PageMap, region: tuple[int, int],
              skip: set[int]) -> tuple[list[_Block], dict[int, list[int]], list[_Hit], int]:
    index = {ln.number: j for j, ln in enumerate(lines)}
    blocks = _endnote_blocks(raw, region, index, lines)
    hint = {blk.label: blk.backref for blk in blocks if blk.label and blk.backref}
    top = max([blk.label or 0 for blk in blocks] + [len(blocks)])
    cands: list[tuple[int, int, int, int | None, str, str]] = []
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for j, ln in enumerate(lines):
        if ln.number >= region[0]:
            break
        if j in skip:
            continue
        t = ln.text
        if not _DIGIT.search(t):
            continue  # a marker is a number (most lines hold none: the pattern is slower)
        for m in NUM_MARK.finditer(t):
            v = int(m.group(2))
            if not 1 <= v <= top + 3 or NOT_MARKER_BEFORE.search(t[:m.start()].rstrip()):
                continue
            before = t[:m.start()]
            if NOT_MARKER_AFTER.match(t[m.end():]) or (
                    m.group(1) == "" and re.search(r"(?:\d|\d[.,])$", before)):
                continue
            shape = "count" if re.search(r"[a-z] ?$", before) and re.match(
                r" [a-z]", t[m.end():]) else ""
            cands.append((j, m.start(), v, pages.number(ln.number), before[-1:], shape))
            spans[(j, m.start())] = (m.start(), m.end())
    chain = _marker_chain(cands, hint)
    hits = [_Hit(cands[c][0], *spans[(cands[c][0], cands[c][1])], str(cands[c][2]))
            for c in chain]
    count = max([int(h.key) for h in hits] + [blk.label or 0 for blk in blocks])
    marker_pages: dict[int, int | None] = {}
    contexts: dict[int, set[str]] = {}
    stop = {"this", "that", "with", "from", "which", "have", "were", "been", "their", "there"}
    for h in hits:
        before = lines[h.idx].text[:h.start]
        if len(before) < 60 and h.idx > 0:
            before = lines[h.idx - 1].text + " " + before
        contexts.setdefault(int(h.key), set(re.findall(r"[a-z]{4,}", before[-80:].lower())) - stop)
        marker_pages.setdefault(int(h.key), pages.number(lines[h.idx].number))
    return blocks, _align(marker_pages, count, blocks, lines, contexts), hits, count


# -- bracketed notes ---------------------------------------------------------------------------
def _bracketed(lines: list[Line]) -> tuple[list[tuple[str, list[int], str]], list[_Hit]]:
    """'[n] text' note lines grouped after each letter, with the '[n]' markers since the
    previous group; an unnumbered paragraph after a note goes on with it."""
    notes: list[tuple[str, list[int], str]] = []
    hits: list[_Hit] = []
    pending: list[_Hit] = []
    group, i, n = 0, 0, len(lines)
    while i < n:
        if "[" not in lines[i].text:  # what both patterns need: most lines are done here
            i += 1
            continue
        if not BRACKET_NOTE.match(lines[i].text):
            for m in BRACKET_MARK.finditer(lines[i].text):
                pending.append(_Hit(i, m.start(), m.end(), m.group(1)))
            i += 1
            continue
        group += 1
        members: list[tuple[str, list[int], str]] = []
        while i < n:
            t = lines[i].text
            note = BRACKET_NOTE.match(t)
            if note:
                members.append((note.group(1), [i], t[note.end():]))
            elif not t:
                pass
            elif members and _continues_note(t):
                members[-1][1].append(i)
            else:
                break
            i += 1
        for num, idx, first in members:
            key = f"b{group}-{num}"
            notes.append((key, idx, first))
            hits.extend(replace(h, key=key) for h in pending if h.key == num)
        pending = []
    return notes, hits


def _continues_note(t: str) -> bool:
    return (len(t.split()) >= 5 and t.endswith((".", "?", "!", "”", ")", '"'))
            and not BRACKET_MARK.search(t) and not re.match(r"^\w[\w ]{0,20}: ", t))


# -- inline translator's and editor's notes ----------------------------------------------------
# '[TRANSLATOR NOTE—written before …]', "[Translator's note: The phrase …]": a note set in the
# running text in brackets, by its label. Other bracketed insertions (glosses, '[?]') stay.
INLINE_OPEN = re.compile(r"\[(?=(?:TRANSLATOR|Translator|EDITOR|Editor)(?:['’]?[Ss])?"
                         r"(?: (?:NOTE|[Nn]ote))?\s*[:—–-])")


def _inline_notes(lines: list[Line]
                  ) -> tuple[list[Line], list[Note], list[_Hit], set[int], list[Change]]:
    """Cut labelled bracketed notes out of the running lines (they may run over several
    lines); the marker stays where the bracket opened, or at the end of the text before it
    when the note stood alone as a paragraph."""
    lines = list(lines)
    notes_: list[Note] = []
    hits: list[_Hit] = []
    drop: set[int] = set()
    changes: list[Change] = []
    j = 0
    while j < len(lines):
        m = INLINE_OPEN.search(lines[j].text)
        close = None
        if m:
            for k in range(j, min(len(lines), j + 12)):
                c = lines[k].text.find("]", m.end() if k == j else 0)
                if c >= 0:
                    close = (k, c)
                    break
        if not m or close is None:
            j += 1
            continue
        k, c = close
        body = [Line(lines[j].number, lines[j].text[m.end():] if k > j else
                     lines[j].text[m.end():c])]
        body += [lines[i] for i in range(j + 1, k)]
        if k > j:
            body.append(Line(lines[k].number, lines[k].text[:c]))
        key = f"i{len(notes_) + 1}"
        text = _note_text(body)
        notes_.append(Note(key, text, "inline", lines[j].number, _signature(text)))
        head = lines[j].text[:m.start()].rstrip()
        tail = lines[k].text[c + 1:]
        drop.update(range(j + 1, k))
        tail = tail.strip()
        changes.append(Change("note-inline", "changed", lines[j].number,
                              " / ".join(lines[i].text for i in range(j, k + 1)),
                              " / ".join(t for t in (head, tail) if t),
                              "bracketed note moved to a popup at its place"))
        if head:  # the text around the note becomes one line: no new short line ends it
            sep = "" if not tail or tail[:1] in ",.;:)!?" else " "
            lines[j] = Line(lines[j].number, head + sep + tail)
            hits.append(_Hit(j, len(head), len(head), key))
            if k > j:
                drop.add(k)
        else:
            drop.update((j, k))
            if tail:
                lines[k] = Line(lines[k].number, tail)
                drop.discard(k)
            prev = next((i for i in range(j - 1, -1, -1) if i not in drop and lines[i].text),
                        None)
            nxt = next((i for i in range(k + 1, len(lines)) if lines[i].text), None)
            alone = (not tail and nxt is not None and j > 0 and not lines[j - 1].text
                     and not lines[k + 1].text)
            if prev is not None:
                hits.append(_Hit(prev, len(lines[prev].text), len(lines[prev].text), key,
                                 lines[nxt].number if alone and nxt is not None else 0))
        j = k + 1 if k > j else j + 1
    return lines, notes_, hits, drop, changes


# -- the two steps -----------------------------------------------------------------------------
def split_notes(lines: Sequence[Line], raw: Sequence[Line], cfg: NotesConfig) -> SplitNotes:
    """Remove note texts and markers from the running lines (``raw`` are the undecorated raw
    lines, for the page-start signal)."""
    from .paragraphs import typical_width

    lines = list(lines)
    aliases = cfg.label_aliases
    raw_text = {ln.number: ln.text for ln in raw}
    region = _notes_region(raw)
    stop = region[0] if region else None
    pages = page_map(raw, {ln.number for ln in lines}, stop)
    width = typical_width(lines)
    notes: list[Note] = []
    hits: list[_Hit] = []
    drop: set[int] = set()
    glue: dict[int, str] = {}
    changes: list[Change] = []
    page_marks: list[tuple[int, int]] = []
    unused = missing = 0

    lines, inline_notes, inline_hits, inline_drop, inline_changes = _inline_notes(lines)
    notes.extend(inline_notes)
    hits.extend(inline_hits)
    drop.update(inline_drop)
    changes.extend(inline_changes)

    feet = _footnotes(lines, pages, width, aliases, stop) if len(pages.starts) >= 3 else []
    if region:  # a book with a NOTES section numbers only those; its page notes are starred
        feet = [f for f in feet if not f.key.isdigit()]
    in_feet = {j for f in feet for j in f.idx}
    foot_hits = _footnote_hits(feet, lines, pages, in_feet, aliases)
    for k, f in enumerate(feet):
        key = f"s{k}" if f.key.startswith("*") else f.key
        body = [Line(lines[f.idx[0]].number, f.first_text)] + [lines[j] for j in f.idx[1:]]
        text = _note_text(body)
        notes.append(Note(_id(key), text, "footnote", body[0].number, _signature(text),
                          label="" if f.key.startswith("*") else f.key))
        drop.update(f.idx)
        if f.glued_idx is not None:
            drop.discard(f.glued_idx)
            glue[f.glued_idx] = f.glued_body
        hits.extend(replace(h, key=_id(key)) for h in foot_hits[k])
        if not foot_hits[k]:
            unused += 1
            changes.append(Change("note-unused", "flagged", body[0].number, text[:80], "",
                                  "page-bottom note without a marker on its page"))

    if region:
        blocks, groups, end_hits, count = _endnotes(lines, raw, pages, region, in_feet)
        marked = {int(h.key) for h in end_hits}
        placed = {j for g in groups.values() for j in g}
        for k in range(1, count + 1):
            idx = [j for b in groups.get(k, []) for j in blocks[b].idx]
            if not idx:
                if k in marked:
                    missing += 1
                    notes.append(Note(str(k), MISSING_TEXT, "endnote", 0, "", missing=True,
                                      label=str(k)))
                    line = lines[next(h.idx for h in end_hits if h.key == str(k))].number
                    changes.append(Change("note-missing", "flagged", line, str(k), "",
                                          f"note {k}: marker kept, its text is not in the source"))
                continue
            text = _note_text([lines[j] for j in idx])
            notes.append(Note(str(k), text, "endnote", lines[idx[0]].number, _signature(text),
                              label=str(k)))
            refs = [blocks[b].backref for b in groups.get(k, []) if blocks[b].backref]
            at = [lines[h.idx].number for h in end_hits if h.key == str(k)]
            if refs and at and refs[0] is not None:  # (refs holds set backrefs only)
                page_marks.append((at[0], refs[0]))
            if k not in marked:
                unused += 1
                changes.append(Change("note-unused", "flagged", lines[idx[0]].number, text[:80],
                                      "", f"endnote {k}: no marker found in the text"))
        for b, blk in enumerate(blocks):
            if b not in placed:
                unused += 1
                changes.append(Change("note-unused", "flagged", lines[blk.idx[0]].number,
                                      lines[blk.idx[0]].text[:80], "", "endnote text not paired"))
        hits.extend(replace(h, key=_id(h.key)) for h in end_hits)
        in_region = [j for j, ln in enumerate(lines) if region[0] <= ln.number < region[1]]
        drop.update(in_region)
        changes.append(Change("notes-section", "dropped", region[0], raw_text[region[0]], "",
                              f"NOTES section: {len(blocks)} note texts moved to their markers"))
        in_text = {j for b in placed for j in blocks[b].idx}
        changes.extend(Change("notes-section", "dropped", lines[j].number, lines[j].text, "",
                              "note number or page back-reference: the note is at its marker")
                       for j in in_region if j not in in_text and lines[j].text.strip())

    if not feet and not region:
        groups_b, bracket_hits = _bracketed(lines)
        for key, idx, first in groups_b:
            text = _note_text([Line(lines[idx[0]].number, first)] + [lines[j] for j in idx[1:]])
            notes.append(Note(key, text, "bracketed", lines[idx[0]].number, _signature(text),
                              label=key.split("-")[1]))
            drop.update(idx)
            if not any(h.key == key for h in bracket_hits):
                unused += 1
                changes.append(Change("note-unused", "flagged", lines[idx[0]].number, text[:80],
                                      "", f"note [{key.split('-')[1]}]: no marker in its letter"))
        hits.extend(bracket_hits)

    notes = [with_page_refs(nt) for nt in notes]
    note_ids = {nt.note_id for nt in notes}
    out_lines, marks, cut_changes = _cut(lines, hits, drop, glue, note_ids)
    changes.extend(cut_changes)
    for j in sorted(drop):
        if region is None or not region[0] <= lines[j].number < region[1]:
            changes.append(Change("note-text", "dropped", lines[j].number, lines[j].text, "",
                                  "note text moved to its marker"))
    attached = len({m.note_id for m in marks} & {nt.note_id for nt in notes if not nt.missing})
    counts = Counts(markers=len(hits), notes=sum(not nt.missing for nt in notes),
                    attached=attached, missing=missing, unpaired=0, unused=unused)
    return SplitNotes(tuple(out_lines), (), tuple(changes), tuple(marks), tuple(notes), counts,
                      tuple(sorted(page_marks)))


def with_page_refs(note: Note) -> Note:
    """The note with its in-volume page references found (resolved later, by attach_notes)."""
    refs = tuple(PageRef(m.start(), m.end(), int(m.group(2)))
                 for m in VOLUME_REF.finditer(note.text))
    return replace(note, page_refs=refs) if refs else note


def _id(key: str) -> str:
    return key


def _cut(lines: list[Line], hits: list[_Hit], drop: set[int], glue: dict[int, str],
         note_ids: set[str]) -> tuple[list[Line], list[Mark], list[Change]]:
    """Remove note lines and marker spans; a line whose tail was a note gets its word back
    from the next kept line ('capi' + 'talism')."""
    by_line: dict[int, list[_Hit]] = {}
    for h in hits:
        if h.key in note_ids:
            by_line.setdefault(h.idx, []).append(h)
    out: list[Line] = []
    marks: list[Mark] = []
    changes: list[Change] = []
    pending_glue: tuple[int, int] | None = None  # (index in out, raw number)
    for j, ln in enumerate(lines):
        if j in drop:
            continue
        if pending_glue is None and j not in by_line and j not in glue:
            out.append(ln)  # most lines: nothing to cut or rejoin
            continue
        text = glue.get(j, ln.text)
        new, pos = "", 0
        line_marks: list[tuple[int, str, int]] = []
        for h in sorted(by_line.get(j, []), key=lambda h: h.start):
            start = h.start
            if start > pos:
                new += text[pos:start]
            if text[h.end:h.end + 2] in (" )", " —") and new.endswith(" "):
                new = new.rstrip()
            line_marks.append((len(new.rstrip()), h.key, h.resume))
            new = new.rstrip() if text[start:start + 1] == " " and not new.endswith(" ") else new
            pos = h.end
            if text[pos:pos + 2] in (" )", " .", " ,", " ;", " :") and not new.endswith(" "):
                pos += 1  # 'ed. 30 ).': the space stood for the raised figure
        new += text[pos:]
        if line_marks:
            changes.append(Change("note-marker", "changed", ln.number, text, new,
                                  "note marker cut; shown as a footnote reference"))
        offset = 0
        number = ln.number
        if pending_glue is not None and new[:1].islower():
            k, number = pending_glue
            prev = out.pop(k)
            changes.append(Change("note-split-word", "joined", ln.number, prev.text + " / " + new,
                                  prev.text + new, "word split by a page-bottom note rejoined"))
            offset = len(prev.text)
            new = prev.text + new
        pending_glue = None
        for col, key, resume in line_marks:
            col += offset
            marks.append(Mark(number, col, key, new[max(0, col - 30):col], new[col:col + 30],
                              resume))
        out.append(Line(number, new))
        if j in glue and new[-1:].isalpha():
            pending_glue = (len(out) - 1, number)
    return out, marks, changes


def _place(text: str, mark: Mark, cursor: int) -> int | None:
    """Offset in joined ``text`` where ``mark`` stood, searching from ``cursor``."""
    ctx = re.sub(r"\s+", " ", mark.context).replace("--", "—")
    for size in (30, 16, 8, 4):
        piece = ctx[-size:].lstrip()
        if len(piece) < min(size, len(ctx.strip())) or not piece:
            continue
        k = text.find(piece, max(0, cursor - len(piece)))  # two markers may share a place
        if k >= 0:
            return k + len(piece)
    after = re.sub(r"\s+", " ", mark.after).strip()
    for size in (20, 8):
        piece = after[:size]
        if piece:
            k = text.find(piece, cursor)
            if k >= 0:
                return k if k == 0 or text[k - 1] != " " else k - 1
    return None


def _split_block(block: Block, cuts: list[tuple[int, int, int]]) -> tuple[Block, ...]:
    """Split a block where a note that stood as its own paragraph was cut out (``cuts``:
    offset, last line before, first line after), so the paragraphs around it stay two."""
    out: list[Block] = []
    for off, last, resume in sorted(cuts, reverse=True):
        rest = block.text[off:]
        if not rest.strip() or not rest.lstrip()[:1].isupper():
            continue
        skip = len(rest) - len(rest.lstrip())
        out.append(replace(block, text=rest.lstrip(), first_line=resume,
                           refs=tuple(replace(r, offset=r.offset - off - skip)
                                      for r in block.refs if r.offset > off)))
        block = replace(block, text=block.text[:off], last_line=last,
                        refs=tuple(r for r in block.refs if r.offset <= off))
    return (block, *reversed(out))


def _heading_fallback(sections: tuple[Section, ...], marks: list[Mark], used: set[int]
                      ) -> tuple[Section, ...]:
    """A marker left over in a heading's lines (a subtitle, a heading the structure stage
    reworded) goes at the end of that heading's title."""
    flat: list[Section] = []

    def collect(secs: Sequence[Section]) -> None:
        for s in secs:
            flat.append(s)
            collect(s.children)

    collect(sections)
    extra: dict[int, list[NoteRef]] = {}
    for k, m in enumerate(marks):
        if k in used:
            continue
        owners = [s for s in flat if s.first_line <= m.line
                  and (not s.blocks or m.line < s.blocks[0].first_line)]
        if owners:
            sec = max(owners, key=lambda s: s.first_line)
            extra.setdefault(id(sec), []).append(NoteRef(len(sec.title), m.note_id))
            used.add(k)

    def rebuild(sec: Section) -> Section:
        children = tuple(rebuild(c) for c in sec.children)
        refs = sec.title_refs + tuple(extra.get(id(sec), ()))
        return replace(sec, children=children, title_refs=refs)

    return tuple(rebuild(s) for s in sections)


# -- in-volume page references -----------------------------------------------------------------
def _reading_blocks(sections: Sequence[Section]) -> list[tuple[Block, bool]]:
    """Blocks in reading order with whether each opens a section (a work, a chapter)."""
    out: list[tuple[Block, bool]] = []
    for sec in sections:
        kept = [b for b in sec.blocks if b.kind is not BlockKind.BREAK and b.first_line]
        out.extend((b, k == 0) for k, b in enumerate(kept))
        out.extend(_reading_blocks(sec.children))
    return out


def _monotone(points: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (line, page) points whose pages never go down: a back-reference
    that disagrees with its neighbours is a misprint or a misreading, and is left out."""
    pts = sorted(points)
    best = [1] * len(pts)
    prev = [-1] * len(pts)
    for i in range(len(pts)):
        for k in range(i):
            if pts[k][1] <= pts[i][1] and pts[k][0] < pts[i][0] and best[k] + 1 > best[i]:
                best[i], prev[i] = best[k] + 1, k
    i = max(range(len(pts)), key=lambda k: best[k]) if pts else -1
    run = []
    while i >= 0:
        run.append(pts[i])
        i = prev[i]
    return run[::-1]


def page_estimate(blocks: Sequence[Block], page_marks: Sequence[tuple[int, int]]
                  ) -> list[float | None]:
    """Print page (fractional) where each block starts: between endnote markers that give
    their page, interpolated on raw lines; elsewhere the page map's ``Block.page``."""
    pts = _monotone(page_marks)
    out: list[float | None] = []
    for b in blocks:
        k = bisect.bisect_right(pts, (b.first_line, 10 ** 9)) - 1
        if 0 <= k < len(pts) - 1:
            (l0, p0), (l1, p1) = pts[k], pts[k + 1]
            out.append(p0 + (b.first_line - l0) * (p1 - p0) / max(1, l1 - l0))
        else:
            out.append(float(b.page) if b.page.isdigit() else None)
    return out


def resolve_page(page: int, whole_piece: bool, blocks: Sequence[tuple[Block, bool]],
                 est: Sequence[float | None]) -> int:
    """First raw line of the block that stood on print page ``page`` (0: none): the first
    block starting on it, else the one running onto it; for a page range ('pp. 246-73', a
    whole piece) the section that opens nearest that page, when one opens within a page."""
    if whole_piece:
        opens = [(abs(e - page), i) for i, ((_, first), e) in enumerate(zip(blocks, est))
                 if first and e is not None and page - 1 <= e < page + 1]
        if opens:
            return blocks[min(opens)[1]][0].first_line
    on = [i for i, e in enumerate(est) if e is not None and int(e) == page]
    if on:
        return blocks[on[0]][0].first_line
    before = [i for i, e in enumerate(est) if e is not None and e < page]
    if before:
        last = est[before[-1]]
        assert last is not None  # (before holds estimated blocks only)
        if last > page - 2:
            return blocks[before[-1]][0].first_line
    return 0


def resolve_page_refs(sections: Sequence[Section], notes_: Sequence[Note],
                      page_marks: Sequence[tuple[int, int]]) -> tuple[Note, ...]:
    """Notes with each in-volume reference pointing at the block that stood on its page."""
    if not any(n.page_refs for n in notes_):
        return tuple(notes_)
    blocks = _reading_blocks(sections)
    est = page_estimate([b for b, _ in blocks], page_marks)
    out = []
    for n in notes_:
        refs = tuple(replace(r, line=resolve_page(r.page, "pp." in n.text[r.start:r.end],
                                                  blocks, est)) for r in n.page_refs)
        out.append(replace(n, page_refs=refs))
    return tuple(out)


def _keep_unmatched_numbers(sec: Section, known: set[str], changes: list[Change]) -> Section:
    """A heading's trailing number that segment read as a note marker ('LECTURE 3') while
    the text has no such note is part of the title after all: put back (the renderer would
    drop a marker without a note, silently), and said in the report."""
    children = tuple(_keep_unmatched_numbers(c, known, changes) for c in sec.children)
    lost = [r for r in sec.title_refs if r.note_id not in known and r.offset == len(sec.title)]
    if not lost:
        return replace(sec, children=children) if children != sec.children else sec
    title = " ".join([sec.title, *(r.note_id for r in lost)])
    changes.append(Change("heading-number", "flagged", sec.first_line, sec.title, title,
                          "a trailing number read as a note marker, but the text has no "
                          "such note: kept in the title"))
    return replace(sec, title=title, children=children,
                   title_refs=tuple(r for r in sec.title_refs if r not in lost))


def attach_notes(sections: tuple[Section, ...], split: SplitNotes, cfg: NotesConfig
                 ) -> tuple[tuple[Section, ...], tuple[Note, ...], tuple[Change, ...]]:
    """Put each marker back at its place in the joined blocks and headings as a ``NoteRef``."""
    marks = sorted(split.marks, key=lambda m: (m.line, m.col))
    lines_of = [m.line for m in marks]
    used: set[int] = set()
    changes: list[Change] = []

    def in_range(first: int, last: int) -> list[int]:
        a = bisect.bisect_left(lines_of, first)
        b = bisect.bisect_right(lines_of, last)
        return [k for k in range(a, b) if k not in used]

    def block_refs(block: Block) -> tuple[Block, ...]:
        ks = in_range(block.first_line, block.last_line)
        if not ks:
            return (block,)
        refs, cursor, cuts = list(block.refs), 0, []
        for k in ks:
            off = _place(block.text, marks[k], cursor)
            if off is None:
                continue
            refs.append(NoteRef(off, marks[k].note_id))
            used.add(k)
            cursor = off
            if marks[k].resume and block.first_line < marks[k].resume <= block.last_line:
                cuts.append((off, marks[k].line, marks[k].resume))
        block = replace(block, refs=tuple(sorted(refs, key=lambda r: r.offset)))
        return _split_block(block, cuts)

    def visit(sec: Section, nxt_line: int) -> Section:
        blocks = tuple(part for b in sec.blocks for part in block_refs(b))
        title_end = blocks[0].first_line - 1 if blocks else sec.first_line + 6
        refs = list(sec.title_refs)
        for k in in_range(sec.first_line, max(sec.first_line, title_end)):
            if sec.title.endswith(marks[k].context.strip()[-8:]) or marks[k].context.strip() \
                    and marks[k].context.strip()[-8:] in sec.title:
                off = sec.title.find(marks[k].context.strip()[-8:]) + len(
                    marks[k].context.strip()[-8:])
                refs.append(NoteRef(off, marks[k].note_id))
                used.add(k)
        children = tuple(visit(c, nxt_line) for c in sec.children)
        return replace(sec, blocks=blocks, children=children, title_refs=tuple(refs))

    known = {n.note_id for n in split.notes}  # segment's title numbers first (not the marks')
    sections = tuple(_keep_unmatched_numbers(s, known, changes) for s in sections)
    out = tuple(visit(s, 0) for s in sections)
    out = _heading_fallback(out, marks, used)
    for k, m in enumerate(marks):
        if k not in used:
            changes.append(Change("note-marker-lost", "flagged", m.line, m.context, "",
                                  f"marker of note {m.note_id} could not be placed"))
    for n in (resolved := resolve_page_refs(out, split.notes, split.page_marks)):
        for r in n.page_refs:
            if not r.line:
                changes.append(Change("note-page-ref", "flagged", n.first_line,
                                      n.text[r.start:r.end], "",
                                      f"no paragraph found on page {r.page}: left as text"))
    return out, resolved, tuple(changes)


# -- counts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocCounts:
    """The notes of a finished document, as the report gives them."""

    markers: int  # note references placed in the text and headings
    notes: int  # note texts found in the source
    attached: int  # note texts with at least one marker
    missing: tuple[str, ...]  # printed numbers of markers whose note text the source lost
    unused: tuple[str, ...]  # note texts without a marker ('1 at line 426')
    lost: int  # markers cut from the text that could not be placed again


def document_counts(sections: Sequence[Section], notes_: Sequence[Note],
                    changes: Sequence[Change]) -> DocCounts:
    """Count from the document itself, after every stage: what the reader gets."""
    refs: list[str] = []

    def visit(secs: Sequence[Section]) -> None:
        for s in secs:
            refs.extend(r.note_id for r in s.title_refs)
            refs.extend(r.note_id for b in s.blocks for r in b.refs)
            visit(s.children)

    visit(sections)
    used = set(refs)
    present = [n for n in notes_ if not n.missing]
    return DocCounts(
        markers=len(refs), notes=len(present),
        attached=sum(n.note_id in used for n in present),
        missing=tuple(n.label or n.note_id for n in notes_ if n.missing and n.note_id in used),
        unused=tuple(f"{n.label or '*'} at line {n.first_line}" for n in present
                     if n.note_id not in used),
        lost=sum(c.rule == "note-marker-lost" for c in changes))


def counts_sentence(c: DocCounts) -> str:
    """One plain sentence for the report page and ``build-site explain``."""
    if not c.markers and not c.notes:
        return "Notes: none in this text."
    parts = [f"{c.markers} note markers in the text", f"{c.notes} note texts",
             f"{c.attached} attached to their markers"]
    parts.append(f"{len(c.missing)} markers whose note text is missing in the source"
                 + (f" ({', '.join(c.missing)})" if c.missing else ""))
    parts.append(f"{len(c.unused)} note texts without a marker"
                 + (f" ({', '.join(c.unused)})" if c.unused else ""))
    if c.lost:
        parts.append(f"{c.lost} markers that could not be placed again")
    return "Notes: " + "; ".join(parts) + "."
