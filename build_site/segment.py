"""Cleaned lines -> the author's structure: a tree of sections (pages and headings) of blocks.

Generic signals first: ALL-CAPS heading blocks (merged over several lines), 'Chapter N' and
roman-numeral lines, 'N.' section lines, short Title-Case lines between finished sentences,
marxists.org-style document headers ('Written: ...'), subtitle and date lines under a heading,
the closing lines a collected-works edition prints after a work (publication, date, signature),
chapter contents lists, and 'Back to ... On to CHAPTER n' navigation lines. Per-work
``structure`` configuration (validated by ``StructureSpec``) only adds what is truly particular.

Levels: 1 = a work or a book's chapter; 2 = a part (a roman-numeral chapter, a dated speech of
a multi-part event); 3 = a section; 4 = a numbered point. Headings at ``page_level`` or above
start pages; deeper ones become headings inside their page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .model import Block, BlockKind, Change, Diagnostic, Level, Line, NoteRef, Section
from .paragraphs import BREAK_LINE, breaks_before, make_block, typical_width

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December")
DATE_LINE = re.compile(
    rf"^(?:(?:{MONTHS})(?: \d{{1,2}}(?:-\d{{1,2}})?)?,? \d{{4}}|\d{{1,2}} (?:{MONTHS}),? \d{{4}}|"
    rf"(?:{MONTHS}) \d{{1,2}}(?:-\d{{1,2}})?|(?:[A-Z][a-z]+, )?(?:{MONTHS}),? \d{{4}})\.?$")
YEAR_DATE = re.compile(r"\b1[5-9]\d\d\.?$")
SHORT_DATE = re.compile(r"^\d{1,2}(?:\. ?| ?/ ?)[IVX]{1,4}\.? ?\d{2}\.?$")  # '15. VII. 24', '7/XI 24'
CHRONICLE_DATE = re.compile(rf"^(?:{MONTHS}) \d{{1,2}}(?:-\d{{1,2}})?(?: ?[—-] ?(?:(?:{MONTHS}) )?"
                            rf"\d{{0,2}})?$")
COMPLIMENTARY = re.compile(r"^(?:Respectfully|Yours|Sincerely|Faithfully|With (?:\w+ )*greetings)\b")
DEDICATION = re.compile(r"^(?:DEDICATED|TO THE MEMORY|IN MEMORY|TO [A-Z])")
CHRONICLE_LOOSE = re.compile(rf"^(?:(?:Beginning|End|Middle|Early|Late) of (?:{MONTHS})|"
                             rf"(?:{MONTHS}) \d{{1,2}}(?:, \d{{1,2}})+)$")
SMALL_WORDS = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "at", "by", "from",
               "or", "as", "its", "is", "not", "into", "but", "which", "de", "et", "la"}
CHAPTER_LINE = re.compile(r"^(Chapter|CHAPTER|Part|PART|Book|BOOK|Appendix|APPENDIX)\b(\s+[\w.]+)?$")
NUMBER_LINE = re.compile(r"^(\d{1,2})\.$")  # (its first character: str.isdecimal, as \d)
_CHAPTER_STARTS = frozenset("CPBA")  # the first letters of CHAPTER_LINE's words
ROMAN_LINE = re.compile(r"^([IVX]{1,5})\.?$")
NUMBERED_CAPS = re.compile(r"^\d{1,2}\. \S")
POINT_NUMBER = re.compile(r"^(\d{1,2})\) [A-Z“\"]")
POINT_TITLE = re.compile(r"^(\d{1,2}\) [^.;:?!]{3,160}?)\.(?: |$)")
NAV_LINE = re.compile(r"^Back to .{1,40}\bOn to (CHAPTER|Chapter|APPENDIX|Appendix|POSTS?C?RIPT)"
                      r"\s*(\d*)\s*$")
LABEL_LINE = re.compile(r"^(Written|Dictated|Published|First [Pp]ublished|Delivered|Source|"
                        r"Dictated by [Tt]elephone|Translated|Transcribed)(?: [^:]{0,20})?: *(\S.*)$")
SIGNATURE = re.compile(r"^(?:Signed: )?(?:[A-Z]\. ?){1,3}(?:[A-Z][a-z]+|(?:[A-Z] ){2,}[a-z ]+)$")
BYLINE = re.compile(r"^(?:(?:[A-Z]\. ?){1,3}[A-Z][a-z]+|[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+)$")
PUBLICATION = re.compile(r"\b(?:No\.|Nos\.|Vol\.|Pravda|Newspaper|[Pp]ublished|Bulletin|GIZ|book|"
                         r"Moscow|Izvestia|Bolshevik|Gazeta|Revolyutsia|Rabochy)")
LETTER_TITLE = re.compile(r"^(?:(?:A |An )?(?:Letter|Telegram|Note|Message|Memo)s? "
                          r"(?:[Tt]o|[Ff]or):? |To )[A-Z]")
CLASSIFICATION = re.compile(r"^(?:Top [Ss]ecret|Strictly [Ss]ecret|Secret|Confidential|"
                            r"Strictly [Cc]onfidential)\.?$")
SALUTATION = re.compile(r"^Dear (?:[Cc]omrades?|Sirs?|Madam|Mr\.|Mrs\.)\b.{0,60}[:,!]$")
TRAILING_NOTE = re.compile(r"^(.*\S)\s+(\d{1,3})$|^(.*\S)\[(\d{1,3})\]$")
SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*(?:\d{1,3}|\[\d{1,3}\])?$|[\"”’)]$")
_CLOSERS = "\"”’')]"  # the class repeated in SENTENCE_END
_LAST = frozenset(".!?…:;\"”’')]")  # what a match of SENTENCE_END can end in, digits aside


# -- configuration -----------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class HeadingRule(_Strict):
    pattern: str
    """Regex of a line that is a heading although no generic signal shows it."""
    level: int = Field(ge=1, le=4)
    """1 work or chapter, 2 part, 3 section, 4 point."""


class LostTitle(_Strict):
    before: str
    """Regex of the first line after the place where the printout lost a heading."""
    title: str
    """The heading to restore; its words must come from the raw file (e.g. a contents list)."""
    level: int = Field(default=1, ge=1, le=4)


class TitleFix(_Strict):
    pattern: str
    """Regex matched against a heading title as printed (a misprint)."""
    replace: str
    """Replacement (regex replacement syntax)."""


class Chronicle(_Strict):
    start: str
    """Regex of the line where a chronicle of dated entries starts (e.g. a bare year)."""
    title: str
    """Its title as printed elsewhere in the file (a running head), since it has no heading."""


class StructureSpec(_Strict):
    """The ``structure:`` block of a work.yml."""

    page_level: int = Field(default=1, ge=1, le=4)
    """Headings at this level or above become pages; deeper ones are headings in a page."""
    headings: list[HeadingRule] = []
    not_headings: list[str] = []
    """Regexes of lines that look like headings but are text."""
    lost_titles: list[LostTitle] = []
    title_fixes: list[TitleFix] = []
    chronicle: Chronicle | None = None


@dataclass(frozen=True)
class StructureConfig:
    """Per-work structure options, compiled from ``StructureSpec``."""

    page_level: int = 1
    headings: tuple[tuple[str, int], ...] = ()
    not_headings: tuple[str, ...] = ()
    lost_titles: tuple[tuple[str, str, int], ...] = ()
    title_fixes: tuple[tuple[str, str], ...] = ()
    chronicle: tuple[str, str] | None = None
    extra: dict = field(default_factory=dict)


def load_structure(data: dict[str, Any], path: str = "") -> tuple[StructureConfig,
                                                                     tuple[Diagnostic, ...]]:
    """Validate a ``structure:`` block; every problem (unknown key, bad regex) is reported with
    the file and the key path, and the defaults are used so that the work still builds."""
    try:
        spec = StructureSpec.model_validate(data or {})
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            key = "structure." + ".".join(str(p) for p in err["loc"])
            what = ("unknown key" if err["type"] == "extra_forbidden" else err["msg"])
            allowed = ", ".join(StructureSpec.model_fields)
            diags.append(Diagnostic(Level.ERROR, "structure-config", f"{key}: {what} "
                                    f"(structure keys: {allowed})", path))
        return StructureConfig(), tuple(diags)
    diags = []
    pats = [("headings", h.pattern) for h in spec.headings] + [
        ("not_headings", p) for p in spec.not_headings] + [
        ("lost_titles", t.before) for t in spec.lost_titles] + [
        ("title_fixes", f.pattern) for f in spec.title_fixes]
    for key, pat in pats:
        try:
            re.compile(pat)
        except re.error as exc:
            diags.append(Diagnostic(Level.ERROR, "structure-config",
                                    f"structure.{key}: bad regex {pat!r}: {exc}", path))
    if diags:
        return StructureConfig(), tuple(diags)
    return StructureConfig(
        page_level=spec.page_level,
        headings=tuple((h.pattern, h.level) for h in spec.headings),
        not_headings=tuple(spec.not_headings),
        lost_titles=tuple((t.before, t.title, t.level) for t in spec.lost_titles),
        title_fixes=tuple((f.pattern, f.replace) for f in spec.title_fixes),
        chronicle=(spec.chronicle.start, spec.chronicle.title) if spec.chronicle else None,
    ), ()


# -- line classifiers ----------------------------------------------------------------------------

def _letters(t: str) -> str:
    return "".join(filter(str.isalpha, t))


def is_caps(t: str) -> bool:
    # 85% of at least three letters is three capitals or more: a line with fewer upper-case
    # characters of any kind (most lines) is settled before its letters are gathered.
    if sum(map(str.isupper, t)) < 3:
        return False
    letters = _letters(t)
    return len(letters) >= 3 and sum(map(str.isupper, letters)) >= 0.85 * len(letters)


def is_title_case(t: str) -> bool:
    words = [w.strip('"“”‘’(),:-') for w in t.split()]
    words = [w for w in words if w and w[0].isalpha()]
    if not words or not words[0][0].isupper():
        return False
    big = [w for w in words if w.lower() not in SMALL_WORDS]
    return bool(big) and sum(w[0].isupper() for w in big) >= 0.75 * len(big)


def ends_sentence(t: str) -> bool:
    """Final punctuation, allowing a trailing note number ('Bogajevsky.7', 'end.[2]')."""
    # Every match of the pattern ends in one of ``_LAST`` or a digit, at the end (or before a
    # final newline): most lines of running text end in a letter or a comma, and are settled
    # by that one character without the search.
    last = t[-1:]
    if last not in _LAST and not last.isdecimal() and last != "\n":
        return False
    # The pattern is anchored at the end: a match longer than the last 40 characters needs
    # a run of closing quotes and brackets through them, so only then search the whole line.
    if len(t) > 40 and t[-40] not in _CLOSERS:
        t = t[-40:]
    return bool(SENTENCE_END.search(t))


def split_note_number(title: str) -> tuple[str, tuple[str, ...]]:
    """'OF THE R. C. P. (B.) 1' -> ('OF THE R. C. P. (B.)', ('1',)); 'TROTSKY[1]' likewise."""
    m = TRAILING_NOTE.match(title)
    if not m:
        return title, ()
    text, num = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    if re.search(r"(?:No\.|Nos\.|Vol\.|Chapter|CHAPTER|,)$", text) or text.endswith(tuple("0123456789")):
        return title, ()
    return text, (num,)


def slugify(text: str) -> str:
    """Readable, stable URL slug: ascii, lowercase, no leading article, cut at a word."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"['’]", "", s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"^(?:the|a|an)-(?=.)", "", s)
    if len(s) > 50:
        s = s[:50].rsplit("-", 1)[0]
    return s or "section"


# -- the walk ----------------------------------------------------------------------------------

@dataclass
class _Heading:
    level: int
    title: str
    first_line: int
    subtitle: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    contents: list[str] = field(default_factory=list)
    chronicle: bool = False


@dataclass
class _Closing:
    """Lines a work ends with: its publication line, date, signature (shown as metadata)."""

    meta: list[tuple[str, str]]


class _Builder:
    """Walks the lines once, emitting headings and blocks; kept private to ``segment``."""

    def __init__(self, lines: Sequence[Line], cfg: StructureConfig, work_title: str,
                 compounds: frozenset[str]):
        self.lines = list(lines)
        self.cfg = cfg
        self.work_title = work_title
        self.compounds = compounds
        self.width = typical_width(self.lines)
        self.declared = [(re.compile(p), lvl) for p, lvl in cfg.headings]
        self.not_headings = [re.compile(p) for p in cfg.not_headings]
        self.lost = [(re.compile(p), t, lvl) for p, t, lvl in cfg.lost_titles]
        self.lost_used: set[int] = set()
        self.chronicle = (re.compile(cfg.chronicle[0]), cfg.chronicle[1]) if cfg.chronicle else None
        # Without the work's own heading patterns (lost titles, a chronicle, declared
        # headings), a line inside a sentence starts a heading only as a chapter line or a
        # section number: ``try_heading`` is asked only of lines that start as those do.
        self.plain_lines = not (self.lost or self.chronicle or self.declared)
        self.items: list[_Heading | Block | _Closing] = []
        self.changes: list[Change] = []
        self.para: list[Line] = []
        self.pending_chapter = ""  # from a 'Back to ... On to CHAPTER n' line
        self.last_point = 0  # the last numbered point '3)' of the current chapter
        self.in_chronicle = False
        self.index = {ln.number: k for k, ln in enumerate(self.lines)}
        self.norms: list[str | None] = [None] * len(self.lines)  # see repeated_below

    # -- helpers
    def text_only(self, t: str) -> bool:
        return bool(self.not_headings) and any(p.search(t) for p in self.not_headings)

    def short(self, t: str, frac: float = 0.8) -> bool:
        return len(t) <= (frac * self.width if self.width else 80)

    def long(self, t: str) -> bool:
        return len(t) >= (0.6 * self.width if self.width else 60)

    def next_nonblank(self, j: int) -> int:
        while j < len(self.lines) and not self.lines[j].text:
            j += 1
        return j

    def text_at(self, j: int) -> str:
        return self.lines[j].text if 0 <= j < len(self.lines) else ""

    def caps_line(self, t: str) -> bool:
        return len(t) <= 90 and is_caps(t) and not self.text_only(t)

    def drop(self, ln: Line, rule: str, reason: str) -> None:
        self.changes.append(Change(rule, "dropped", ln.number, ln.text, reason=reason))

    def flush(self) -> None:
        if not self.para:
            return
        block, changes = make_block(self.para, self.compounds)
        self.changes.extend(changes)
        self.items.append(block)
        self.para = []

    def chapter_line_ahead(self, number: int, span: int = 12) -> bool:
        """Is a 'Chapter N' line near (so the chapter announced by a navigation line has its
        own heading, and a heading before it belongs to the page-top block)?"""
        k = self.index.get(number, 0)
        return any(CHAPTER_LINE.match(self.text_at(j).strip()) for j in range(k, k + span))

    def last_heading(self) -> _Heading | None:
        for it in reversed(self.items):
            if isinstance(it, _Heading):
                return it
            if isinstance(it, Block):
                return None
        return None

    # -- main loop
    def run(self) -> tuple[list, list[Change]]:
        if self.chronicle:
            start = next((k for k, ln in enumerate(self.lines)
                          if self.chronicle[0].search(ln.text.strip())), None)
            if start is not None:
                tail, joined = rejoin_columns(self.lines[start:])
                self.lines = self.lines[:start] + tail
                self.changes.extend(joined)
                self.index = {ln.number: k for k, ln in enumerate(self.lines)}
                self.norms = [None] * len(self.lines)
        i, n = 0, len(self.lines)
        blank_before = True
        i = self.title_block(i)
        while i < n:
            ln = self.lines[i]
            t = ln.text
            if not t.strip():
                blank_before = True
                i += 1
                continue
            # (Each pattern is tried only on a line that starts as its matches do.)
            m = NAV_LINE.match(t.strip()) if "Back to " in t else None
            if m:
                self.flush()
                word = m.group(1).capitalize()
                self.pending_chapter = f"{word} {m.group(2)}".strip() if word == "Chapter" else ""
                self.drop(ln, "navigation-line", "web page navigation between chapters")
                i += 1
                continue
            prev = self.para[-1].text if self.para else ""
            at_boundary = not self.para or ends_sentence(prev) or (
                self.width is None and blank_before) or closing_like(prev)
            first = t.lstrip()[:1]
            if at_boundary or not self.plain_lines or first in _CHAPTER_STARTS or \
                    first.isdecimal():
                consumed = self.try_heading(i, at_boundary, blank_before)
            else:
                consumed = 0  # what ``try_heading`` says of such a line (see ``plain_lines``)
            if consumed:
                i += consumed
                blank_before = False
                continue
            if self.pending_chapter and not self.para and not any(
                    CHAPTER_LINE.match(self.text_at(k).strip()) for k in range(i, min(i + 12, n))):
                self.emit(_Heading(1, self.pending_chapter, ln.number, meta=[
                    ("Note", "The chapter's title is missing from the source.")]))
                self.pending_chapter = ""
            h = None if self.para else self.last_heading()  # (asked only between paragraphs)
            if h is not None and h.level <= 2 and not h.chronicle:
                m = LABEL_LINE.match(t)
                if DATE_LINE.match(t):
                    h.meta.append(("Date", t.rstrip(".")))
                    i += 1
                    continue
                if m and len(t) < 200:
                    h.meta.append((m.group(1).capitalize(), m.group(2)))
                    self.changes.append(Change("header-label", "changed", ln.number, t,
                                               m.group(2), "the label names the metadata"))
                    i += 1
                    continue
                if self.contents_item(i, h):
                    i += 1
                    continue
            if t[:1] == "*" and BREAK_LINE.match(t):
                self.flush()
                self.para = [ln]
                self.flush()
                i += 1
                continue
            if self.para and (breaks_before(prev, t, blank_before, self.width)
                              or self.in_chronicle and blank_before):
                self.flush()
            self.para.append(ln)
            blank_before = False
            i += 1
        self.flush()
        return self.items, self.changes

    def title_block(self, i: int) -> int:
        """A first line that repeats the work's title with more (a web page's title line)
        is the work page's business: dropped, with the byline under it kept as metadata."""
        j = self.next_nonblank(i)
        first = self.text_at(j)
        norm = _norm(first)
        title = _norm(self.work_title)
        if not title or title not in norm or norm == title:
            return i
        self.drop(self.lines[j], "title-line", "the work's title, shown on the work page")
        k = self.next_nonblank(j + 1)
        t = self.text_at(k)
        if t and self.short(t) and not ends_sentence(t) and re.search(r"\d{4}|\bby\b", t):
            self.byline = t
            self.drop(self.lines[k], "byline", "shown as metadata of the first page")
            return k + 1
        return j + 1

    def contents_item(self, i: int, h: _Heading) -> bool:
        """Short unpunctuated lines right under a chapter heading are its contents list."""
        t = self.lines[i].text.strip()
        if self.para or h.level != 1 or not h.title.startswith(("Chapter", "Appendix")) or \
                not self.short(t, 0.9) or bad_title_end(t) or NUMBER_LINE.match(t):
            return False
        bare = _norm(re.sub(r"^\d{1,2}\.\s+", "", t))
        if any(bare == _norm(c) for c in h.contents):
            return False  # the list is over: this is the first section's heading
        if h.contents and t[:1].islower():
            h.contents[-1] += " " + t  # an item wrapped over two lines
        else:
            nxt = self.text_at(self.next_nonblank(i + 1)).strip()
            if self.long(nxt) and not h.contents and not self.repeated_below(i, t):
                return False  # a heading, not a one-item list: nothing repeats it
            h.contents.append(t)
        self.drop(self.lines[i], "contents-list", "the chapter's contents: its headings")
        return True

    def repeated_below(self, i: int, t: str) -> bool:
        """Does a line after ``i`` read as ``t`` (``_norm``)? Each line is normalised once, when
        a question first reaches it: a text may ask this of hundreds of lines."""
        norm, norms = _norm(t), self.norms
        for k in range(i + 1, len(self.lines)):
            if norms[k] is None:
                norms[k] = _norm(self.lines[k].text)
            if norms[k] == norm:
                return True
        return False

    def emit(self, h: _Heading) -> None:
        if h.level == 1:
            self.closing_before()
        self.flush()
        if self.pending_chapter and h.level > 1 and not self.chapter_line_ahead(h.first_line):
            chapter, self.pending_chapter = self.pending_chapter, ""
            self.emit(_Heading(1, chapter, h.first_line, meta=[
                ("Note", "The chapter's title is missing from the source.")]))
        if h.level < 4:
            self.last_point = 0
        for pat, rep in self.cfg.title_fixes:
            fixed = re.sub(pat, rep, h.title)
            if fixed != h.title:
                self.changes.append(Change("title-fix", "changed", h.first_line, h.title, fixed,
                                           "misprint in the title (work.yml structure)"))
                h.title = fixed
        self.items.append(h)

    # -- heading detectors
    def try_heading(self, i: int, at_boundary: bool, blank_before: bool) -> int:
        """Return how many lines the heading at ``i`` spans (0 if none)."""
        lines, t = self.lines, self.lines[i].text.strip()
        for k, (pat, title, lvl) in enumerate(self.lost):
            if k not in self.lost_used and pat.search(t):
                self.lost_used.add(k)
                self.emit(_Heading(lvl, title, lines[i].number, meta=[
                    ("Note", "This heading is missing from the source at this place.")]))
                break
        if self.chronicle and not self.in_chronicle and self.chronicle[0].search(t):
            self.in_chronicle = True
            self.emit(_Heading(1, self.chronicle[1], lines[i].number, chronicle=True))
            self.drop(lines[i], "chronicle-start", "the chronicle's year line, now its page")
            return 1
        if self.in_chronicle:
            # A date line ('June 4', or a month alone): after a blank, or over one.
            if _chronicle_date(t) and (blank_before or not self.para
                                       or not self.text_at(i + 1).strip()):
                self.emit(_Heading(3, t.rstrip("—- "), lines[i].number))
                nxt = self.text_at(i + 1).strip()
                if t.endswith(("—", "-")) and CHRONICLE_DATE.match(nxt):
                    date = self.items[-1]
                    assert isinstance(date, _Heading)  # (emitted just above)
                    date.title = f"{t.rstrip('—- ')}–{nxt}"
                    return 2
                return 1
            two = f"{t} {self.text_at(i + 1).strip()}"  # 'Beginning' / 'of April'
            if CHRONICLE_LOOSE.match(two) and not self.text_at(i + 2).strip():
                self.emit(_Heading(3, two, lines[i].number))
                return 2
            return 0
        for pat, lvl in self.declared:
            if pat.search(t):
                return self.caps_heading(i, lvl, force=True)
        if self.text_only(t):
            return 0
        # (Each pattern is tried only on a line that starts as its matches do: most lines
        # are settled here, by their first character.)
        m = CHAPTER_LINE.match(t) if t[:1] in _CHAPTER_STARTS else None
        if m:
            self.pending_chapter = ""
            return self.prefixed(i, 1, f"{t}: ")
        numbered = self.numbered_section(i, at_boundary) if t[:1].isdecimal() else 0
        if numbered:
            return numbered
        if not at_boundary:
            return 0
        last = self.last_heading()
        if last is not None and not self.para and self.contents_item(i, last):
            return 1  # an item of the chapter's contents list (which shows as its metadata)
        j = self.next_nonblank(i + 1)
        nxt = self.text_at(j).strip()
        if ROMAN_LINE.match(t) and nxt and self.caps_line(nxt):
            roman = ROMAN_LINE.match(t)
            assert roman is not None  # (matched just above)
            return self.prefixed(i, 2, f"{roman.group(1)}. ")
        if NUMBER_LINE.match(t) and nxt and (is_caps(nxt) or is_title_case(nxt)):
            return self.prefixed(i, 3, f"{t} ")
        header = self.document_header(i) or self.contents_heading(i) or self.letter_title(i)
        if header:
            return header
        if self.caps_line(t):
            return self.caps_heading(i, None)
        point = self.numbered_point(i)
        if point:
            return point
        if self.title_case_heading(i, blank_before):
            return self.wrapped_title(i)
        return 0

    def numbered_section(self, i: int, at_boundary: bool) -> int:
        """'2.' alone on its line, then a section title in sentence case ('Is the bureaucracy
        a ruling class?'): a short line without final stop, ended by a blank line. Taken where
        a sentence has ended, or anywhere when the number is the next of the chapter's
        numbered sections (after a garbled line that ends in no stop). Caps and Title-Case
        titles are ``prefixed``'s."""
        m = NUMBER_LINE.match(self.lines[i].text.strip())
        if not m or not (at_boundary or int(m.group(1)) == self.next_section_number()):
            return 0
        j = self.next_nonblank(i + 1)
        title = self.text_at(j).strip()
        if not title or j - i > 2 or not title[:1].isupper() or bad_title_end(title):
            return 0
        if is_caps(title) or is_title_case(title):
            return self.prefixed(i, 3, f"{m.group(1)}. ") if not at_boundary else 0
        listed = self.contents_heading(j)  # a title wrapped over lines, as the contents has it
        if listed:
            h = self.items[-1]
            assert isinstance(h, _Heading)  # (contents_heading emitted it)
            h.title, h.first_line = f"{m.group(1)}. {h.title}", self.lines[i].number
            return j - i + listed
        if not self.short(title, 0.9) or self.text_at(j + 1).strip():
            return 0
        self.emit(_Heading(3, f"{m.group(1)}. {title}", self.lines[i].number))
        return j - i + 1

    def next_section_number(self) -> int:
        """The number the chapter's next numbered section ('3. ...') would carry."""
        for it in reversed(self.items):
            if isinstance(it, _Heading):
                if it.level == 1:
                    return 1
                m = re.match(r"(\d{1,2})\. ", it.title)
                if it.level == 3 and m:
                    return int(m.group(1)) + 1
        return 1

    def numbered_point(self, i: int) -> int:
        """'1) The importance of theory. Some think ...': a numbered point whose short title,
        wrapped over up to three lines, ends at its first full stop; the text runs on after it.
        Points count up from 1 within their chapter, which tells them from a list in the text."""
        t = self.lines[i].text.strip()
        m = POINT_NUMBER.match(t)
        if not m or int(m.group(1)) not in (1, self.last_point + 1):
            return 0
        parts, k = [t], i
        while True:
            end = POINT_TITLE.match(" ".join(parts))
            if end:
                break
            nxt = self.text_at(k + 1).strip()
            if len(parts) == 3 or not nxt or not nxt[:1].islower():
                return 0
            parts.append(nxt)
            k += 1
        title = end.group(1)
        if len(title.split()) > 20 or self.list_item(k):
            return 0
        self.emit(_Heading(4, title, self.lines[i].number))
        self.last_point = int(m.group(1))
        start = len(" ".join(parts[:-1])) + (1 if len(parts) > 1 else 0)
        rest = " ".join(parts)[max(end.end(), start):].strip() if end.end() > start else ""
        if rest:
            self.para = [Line(self.lines[k].number, rest)]
        return k - i + 1

    def list_item(self, k: int) -> bool:
        """The numbered text from line ``k`` runs to the next number or blank and ends with ';':
        an item of a list in the text ('1) Guard your ...; 2) ...'), not a point's heading."""
        while k + 1 < len(self.lines) and self.text_at(k + 1).strip() and \
                not POINT_NUMBER.match(self.text_at(k + 1).strip()):
            k += 1
        return self.text_at(k).rstrip().endswith((";", "; and", "; or"))

    def prefixed(self, i: int, level: int, prefix: str) -> int:
        """'Chapter 1' / 'I' / '1.' on its own line, then the title (caps lines, or a
        Title-Case line continued by lower-case lines, possibly across a blank line)."""
        j = self.next_nonblank(i + 1)
        first = self.text_at(j).strip()
        if not first or not (is_caps(first) or is_title_case(first)) or bad_title_end(first) \
                and not first.endswith(","):
            if prefix.endswith(": "):
                self.emit(_Heading(level, prefix[:-2], self.lines[i].number))
                return i + 1 - i
            return 0
        parts, j = [first], j + 1
        caps = is_caps(first)
        while j < len(self.lines):
            k = self.next_nonblank(j) if not caps else j
            t = self.text_at(k).strip()
            if caps and t and self.caps_line(t) and not title_done(parts[-1]):
                parts.append(t)
                j = k + 1
                continue
            if not caps and t and t[:1].islower() and self.short(t) and not title_done(t) \
                    and not title_done(parts[-1]):
                parts.append(t)
                j = k + 1
                continue
            break
        title, refs = split_note_number(" ".join(p.strip() for p in parts))
        self.emit(_Heading(level, prefix + title, self.lines[i].number, refs=list(refs)))
        if level <= 2:
            h = self.items[-1]
            assert isinstance(h, _Heading)  # (emitted just above)
            j = self.under_heading(j, h)
        return j - i

    def caps_heading(self, i: int, level: int | None, force: bool = False) -> int:
        """A block of caps lines; then subtitle lines, a date line, a source block."""
        parts, j = [self.lines[i].text.strip()], i + 1
        # '3. THE COMPOSITION OF THE PARTY.' / 'THE LENIN ENROLMENT': a numbered caps title
        # may hold a full stop between its parts.
        numbered = bool(NUMBERED_CAPS.match(parts[0])) and is_caps(parts[0])
        while j < len(self.lines) and self.caps_line(self.text_at(j).strip()) \
                and (numbered or not title_done(parts[-1])) and not force or (
                force and j < len(self.lines) and is_caps(parts[0])
                and self.caps_line(self.text_at(j).strip())):
            parts.append(self.text_at(j).strip())
            j += 1
            if len(parts) > 5:
                break
        joined = " ".join(parts)
        capped = len(parts) > 5 or (not force and not ends_sentence(parts[-1])
                                    and is_caps(self.text_at(j).strip()))
        # (a caps block that runs on into a longer caps line is caps body text, cut at a width)
        if not force and (capped or SHORT_DATE.match(joined) or len(joined) > 160 or not numbered
                          and (re.search(r"[.!,;:]$", joined)
                               or re.search(r"[a-zA-Z]{2}[.!] [A-Z][A-Za-z]", joined))):
            return 0  # caps body text (a vow, a greeting), not a heading
        title, refs = split_note_number(joined)
        h = _Heading(level or 3, title, self.lines[i].number, refs=list(refs))
        prev_closing = bool(self.items) and isinstance(self.items[-1], _Closing) or \
            self.closing_before()
        first = not any(isinstance(it, _Heading) for it in self.items)
        j = self.subtitle(j, h)
        date_j = self.next_nonblank(j) if h.subtitle else j
        date = self.text_at(date_j).strip()
        if level is None:
            if NUMBERED_CAPS.match(title) and not DATE_LINE.match(date):
                h.level = 3
            elif DATE_LINE.match(date) and not YEAR_DATE.search(date):
                h.level = 2  # a speech of a multi-part event, dated by its day
            elif first or prev_closing or h.subtitle or (DATE_LINE.match(date)
                                                          and YEAR_DATE.search(date)):
                h.level = 1
            else:
                h.level = 3
        last = self.last_heading()
        if h.level == 3 and last is not None and last.level == 1 and not self.para \
                and DEDICATION.match(joined):
            last.meta.append(("Dedication", joined))  # caps lines right under a work's title
            return j - i
        self.emit(h)
        if h.level <= 2:
            j = self.under_heading(j, h)
        return j - i

    def subtitle(self, j: int, h: _Heading) -> int:
        """Title-Case lines under a caps title ('A Speech Delivered at / the Second ...')."""
        parts: list[str] = []
        while j < len(self.lines) and len(parts) < 3:
            t = self.text_at(j).strip()
            nxt_is_date = bool(DATE_LINE.match(self.text_at(j + 1).strip()))
            if not t or is_caps(t) or DATE_LINE.match(t) or LABEL_LINE.match(t) or \
                    (ends_sentence(t) and not t.endswith(")") and not (parts and nxt_is_date)) \
                    or not self.short(t, 0.95):
                break
            if not parts and not is_title_case(t):
                break
            nxt = self.text_at(j + 1).strip()
            if not parts and self.long(nxt) and not DATE_LINE.match(nxt) and nxt[:1].isupper() \
                    and not nxt[:1].islower() and len(t.split()) <= 3:
                break  # a short line then body text: not a subtitle
            parts.append(t)
            j += 1
        if parts:
            sub, refs = split_note_number(" ".join(parts))
            h.subtitle = sub
            h.refs.extend(refs)
        return j

    def under_heading(self, j: int, h: _Heading) -> int:
        """A date line, then (after a blank) a short source block ending with a year."""
        k = self.next_nonblank(j)
        t = self.text_at(k).strip()
        if DATE_LINE.match(t):
            h.meta.append(("Date", t.rstrip(".")))
            j = k + 1
            k = self.next_nonblank(j)
        block: list[str]
        block, m = [], k
        while m < len(self.lines) and self.text_at(m).strip() and len(block) < 5:
            block.append(self.text_at(m).strip())
            m += 1
        text = " ".join(block)
        if block and len(block) <= 4 and all(self.short(b) for b in block) \
                and YEAR_DATE.search(block[-1]) and PUBLICATION.search(text):
            h.meta.append(("Published", text))
            return m
        return j

    def document_header(self, i: int) -> int:
        """marxists.org-style document header: [byline] title [subtitle], then 'Written: ...'
        or 'Dictated: ...' lines. Each such document is a work-level page."""
        t = self.lines[i].text.strip()
        if ends_sentence(t) and not t.endswith("]") or len(t) > 150 or DATE_LINE.match(t) \
                or t.endswith(",") or LABEL_LINE.match(t):
            return 0
        idx, j = [i], self.next_nonblank(i + 1)
        while j < len(self.lines) and len(idx) < 4:
            u = self.text_at(j).strip()
            if LABEL_LINE.match(u):
                break
            if ends_sentence(u) and not u.endswith((")", "]")) or len(u) > 150 or \
                    DATE_LINE.match(u) or u.endswith(","):
                return 0
            idx.append(j)
            j = self.next_nonblank(j + 1)
        else:
            return 0
        if not LABEL_LINE.match(self.text_at(j).strip()):
            return 0
        texts = [self.text_at(k).strip() for k in idx]
        meta: list[tuple[str, str]] = []
        if len(texts) >= 1 and BYLINE.match(texts[0]) and (len(texts) > 1 or self.lost_here(j)):
            meta.append(("Author", texts.pop(0)))
        if not texts:
            lost = [(k, t, lvl) for k, (pat, t, lvl) in enumerate(self.lost)
                    if k not in self.lost_used and pat.search(self.text_at(j).strip())]
            if not lost:
                return 0
            self.lost_used.add(lost[0][0])
            meta.append(("Note", "The title is missing from the source."))
            self.emit(_Heading(lost[0][2], lost[0][1], self.lines[i].number, meta=meta))
            return j - i
        title, refs = split_note_number(texts[0])
        h = _Heading(1, title, self.lines[i].number, subtitle=" ".join(texts[1:]),
                     meta=meta, refs=list(refs))
        self.emit(h)
        return j - i

    def letter_title(self, i: int) -> int:
        """'Letter to Stalin on March 5, 1923' over a classification mark ('Top secret') or a
        salutation ('Dear Comrade Stalin:'): a letter's own title, where the edition gave it
        no 'Written:'/'Dictated:' header line."""
        t = self.lines[i].text.strip()
        if not LETTER_TITLE.match(t) or len(t) > 100 or bad_title_end(t):
            return 0
        nxt = self.text_at(self.next_nonblank(i + 1)).strip()
        if not (CLASSIFICATION.match(nxt) or SALUTATION.match(nxt)):
            return 0
        title, refs = split_note_number(t)
        self.emit(_Heading(1, title, self.lines[i].number, refs=list(refs)))
        return 1

    def contents_heading(self, i: int) -> int:
        """A line (or up to three, a blank between allowed) that repeats an item of its
        chapter's contents list is that section's heading, whatever the printout did to it."""
        first = self.text_at(i).strip()
        if not first or not self.short(first, 0.9):
            return 0  # the loop below would stop at once: spare the search for the chapter
        chapter = next((it for it in reversed(self.items) if isinstance(it, _Heading)
                        and it.level == 1), None)
        if chapter is None or not chapter.contents:
            return 0
        items = {_norm(c): c for c in chapter.contents}
        parts: list[str]
        parts, j, best = [], i, 0
        while j < len(self.lines) and len(parts) < 3:
            t = self.text_at(j).strip()
            if not t or (parts and not t[:1].islower()) or not self.short(t, 0.9):
                break
            parts.append(t)
            j = self.next_nonblank(j + 1)
            joined = _norm(" ".join(parts))
            if any(joined == k or (joined.startswith(k) and len(parts) > 1) for k in items):
                best = j
        if not best:
            return 0
        count = 0
        title_lines: list[str] = []
        k = i
        while k < best:
            if self.text_at(k).strip():
                title_lines.append(self.text_at(k).strip())
                count += 1
            k += 1
        self.emit(_Heading(3, " ".join(title_lines), self.lines[i].number))
        return best - i

    def lost_here(self, j: int) -> bool:
        """A configured lost title belongs right here (a byline with no title under it)."""
        t = self.text_at(j).strip()
        return any(pat.search(t) for pat, _t, _l in self.lost)

    def title_case_heading(self, i: int, blank_before: bool) -> bool:
        t = self.lines[i].text.strip()
        if self.width is None:
            return False  # one paragraph per line: a short Title-Case line is a salutation
        if not (self.short(t) and is_title_case(t) and not ends_sentence(t)
                and len(t.split()) <= 12 and not DATE_LINE.match(t) and not SIGNATURE.match(t)
                and not re.search(r"[,;]$|\d{4}", t)):
            return False
        j = i + 1
        while j < len(self.lines) and self.text_at(j)[:1].islower() and self.short(self.text_at(j)):
            j += 1  # a wrapped title
        k = self.next_nonblank(j)
        nxt = self.text_at(k).strip()
        return bool(nxt) and (nxt[:1].isupper() or nxt[:1] in "\"“'‘") and self.long(nxt) \
            and not is_caps(nxt)

    def wrapped_title(self, i: int) -> int:
        parts, j = [self.lines[i].text.strip()], i + 1
        while j < len(self.lines) and self.text_at(j)[:1].islower() and self.short(self.text_at(j)):
            parts.append(self.text_at(j).strip())
            j += 1
        title, refs = split_note_number(" ".join(parts))
        self.emit(_Heading(3, title, self.lines[i].number, refs=list(refs)))
        return j - i

    def closing_before(self) -> bool:
        """Do the text's last lines (the open paragraph and up to two short blocks before it)
        close a work? If so, split them off as the work's metadata."""
        k = len(self.items)
        taken: list[Block] = []
        while k > 0 and len(taken) < 2 and isinstance(item := self.items[k - 1], Block) and \
                item.kind is BlockKind.PARAGRAPH and item.last_line - item.first_line < 4:
            k -= 1
            taken.insert(0, item)
        pool = [(b, ln) for b in taken for ln in self.lines_of(b)] + [(None, ln) for ln in self.para]
        tail: list[tuple[Block | None, Line]] = []
        for src, ln in reversed(pool):
            t = ln.text.strip()
            if not self.short(t, 0.9) or len(tail) >= 6:
                break
            if STOP.search(t) and not closing_like(t):
                break
            tail.insert(0, (src, ln))
        for m in range(len(tail)):
            meta = closing_meta([ln.text.strip() for _s, ln in tail[m:]])
            if not meta:
                continue
            cut = len(pool) - len(tail) + m
            keep = pool[:cut]
            del self.items[k:]
            self.para = []
            for b in taken:
                rest = [ln for src, ln in keep if src is b]
                if rest and len(rest) == len(self.lines_of(b)):
                    self.items.append(b)
                elif rest:
                    self.para = rest
                    self.flush()
            self.para = [ln for src, ln in keep if src is None]
            self.flush()
            self.items.append(_Closing(meta))
            return True
        return False

    def lines_of(self, b: Block) -> list[Line]:
        # Stops once it has enough lines, or (lines in order) once past the block's last one:
        # scanning to the end of the text each time made closing checks quadratic.
        want = b.last_line - b.first_line + 1
        ordered = self.ascending()
        out: list[Line] = []
        for k in range(self.index.get(b.first_line, 0), len(self.lines)):
            ln = self.lines[k]
            if b.first_line <= ln.number <= b.last_line and ln.text.strip():
                out.append(ln)
                if len(out) >= want:
                    break
            elif ordered and ln.number > b.last_line:
                break
        return out

    def ascending(self) -> bool:
        """Are the line numbers in order (always, unless a work's lines were rearranged)?"""
        if getattr(self, "_ascending_of", None) is not self.lines:
            self._ascending_of = self.lines
            self._ascending = all(a.number < b.number for a, b in zip(self.lines, self.lines[1:]))
        return self._ascending


PLACE_DATE_LINE = re.compile(rf"^[A-Z][a-z]+, (?:{MONTHS}),? \d{{4}}\.?$")
FIRST_TIME = re.compile(r"^(?:Published|Printed) for the first time\.?$")
STOP = re.compile(r"[.!?…][\"”’')\]]*(?:\d{1,3})?$")


_LOWER_OR_SPACE = frozenset(" abcdefghijklmnopqrstuvwxyz")


def closing_like(t: str) -> bool:
    """A line that can end a work (a date, a year, a signature): a heading may follow it."""
    t = t.strip()
    if not t or len(t) >= 80:
        return False
    # Each pattern is anchored at the end: the dates end in a digit or a full stop, the
    # signature and 'for the first time' in a lower-case letter (or a space, or a stop). A
    # line ending otherwise (a comma, a capital, a bracket) is settled by its last character.
    last = t[-1]
    if last in _LOWER_OR_SPACE:  # only the two that start with a capital can match
        return "A" <= t[0] <= "Z" and bool(SIGNATURE.match(t) or FIRST_TIME.match(t))
    if not (last.isdecimal() or last == "."):
        return False
    return bool(
        DATE_LINE.match(t) or YEAR_DATE.search(t) or SHORT_DATE.match(t) or SIGNATURE.match(t)
        or FIRST_TIME.match(t))


def rejoin_columns(lines: Sequence[Line]) -> tuple[list[Line], list[Change]]:
    """A two-column page whose columns the PDF-to-text shredded: under a date, a run of
    one-word lines ('J.' / 'of' / 'at' / 'of') holds the first word of each line of the entry;
    the rest of those lines comes later as a block of as many lines that follows no date.
    Each first word goes back before its line's tail; the tails leave their wrong place."""
    out = list(lines)
    changes: list[Change] = []
    k = 0
    while k < len(out):
        run = _word_run(out, k)
        if len(run) < 2 or not _after_date(out, k):
            k += 1
            continue
        tails = _orphan_block(out, k + len(run), len(run))
        if tails is None:
            k += len(run)
            continue
        for w, t in zip(run, tails):
            joined = f"{out[w].text.strip()} {out[t].text.strip()}"
            changes.append(Change("column-rejoin", "joined", out[w].number, out[w].text, joined,
                                  f"the rest of the line was printed at line {out[t].number}"))
            out[w] = Line(out[w].number, joined)
        for t in sorted(tails, reverse=True):
            del out[t]
        k += len(run)
    return out, changes


def _word_run(lines: Sequence[Line], k: int) -> list[int]:
    run = []
    while k < len(lines) and re.fullmatch(r"\S{1,3}", lines[k].text.strip()):
        run.append(k)
        k += 1
    return run


def _after_date(lines: Sequence[Line], k: int) -> bool:
    j = k - 1
    while j >= 0 and not lines[j].text.strip():
        j -= 1
    return j >= 0 and _chronicle_date(lines[j].text.strip())


def _chronicle_date(t: str) -> bool:
    """'June 17', 'June 17—', 'July 1-3', 'January 29, 31', 'Beginning of April', or a month
    alone ('July')."""
    return bool(CHRONICLE_DATE.match(t) or CHRONICLE_LOOSE.match(t)) or t in MONTHS.split("|")


def _orphan_block(lines: Sequence[Line], k: int, size: int, reach: int = 80) -> list[int] | None:
    """The first block of exactly ``size`` non-blank lines after a blank, not under a date
    line, starting in lower case or mid-name, within ``reach`` lines."""
    for j in range(k, min(len(lines), k + reach)):
        if lines[j].text.strip() or j + 1 >= len(lines) or not lines[j + 1].text.strip():
            continue
        start = j + 1
        end = start
        while end < len(lines) and lines[end].text.strip() and not _chronicle_date(
                lines[end].text.strip()):
            end += 1
        prev = next((lines[p].text.strip() for p in range(j, -1, -1) if lines[p].text.strip()),
                    "")
        first = lines[start].text.strip()
        if end - start == size and not _chronicle_date(prev) and (
                first[:1].islower() or re.match(r"^[A-Z]\. ", first)):
            return list(range(start, end))
    return None


def title_done(t: str) -> bool:
    """A title line that closes its title: final punctuation, not a quote or a bracket
    ('… "Five-year Plan in Four Years"' / 'and "Complete Collectivization"' runs on)."""
    return bool(re.search(r"[.!?;:][\"”’')\]]*$", t))


def bad_title_end(t: str) -> bool:
    return bool(re.search(r"[.!;:,]$", t))


def closing_meta(lines: Sequence[str]) -> list[tuple[str, str]]:
    """Classify the lines after a work's text: dates, signatures, a publication line (whose
    parts may wrap over lines). [] when they are not closing lines."""
    if not lines:
        return []
    text = " ".join(lines)
    if COMPLIMENTARY.match(text):
        return []  # 'Respectfully yours, March 6, 1923': the letter's own closing words
    if not (YEAR_DATE.search(text) or SHORT_DATE.search(text) or FIRST_TIME.match(lines[-1])
            or SIGNATURE.match(lines[-1])):
        return []
    meta: list[tuple[str, str]] = []
    pub: list[str] = []
    for t in lines:
        if pub and pub[-1].endswith((",", ";", "in", ":")):
            pub.append(t)
        elif SIGNATURE.match(t):
            meta.append(("Signed", t))
        elif DATE_LINE.match(t) or PLACE_DATE_LINE.match(t) or SHORT_DATE.match(t):
            meta.append(("Date", t.rstrip(".")))
        elif PUBLICATION.search(t) or YEAR_DATE.search(t) or FIRST_TIME.match(t) or pub:
            pub.append(t)
        else:
            return []
    if pub:
        meta.append(("Published", " ".join(pub)))
    return meta


def _norm(t: str) -> str:
    """Text compared loosely: no space before ':;,', runs of spaces as one, case folded. (Run
    over the rest of a text for each contents item: hence no pattern. ``str.split`` splits at
    exactly the characters ``\\s`` matches; once the runs are single spaces and none is at
    an end, the space before each ':;,' is the run there was, and removing one makes no new
    space-and-stop pair.)"""
    one = " ".join(t.split())
    return one.replace(" ,", ",").replace(" ;", ";").replace(" :", ":").casefold()


# -- the tree ----------------------------------------------------------------------------------

def segment(lines: Sequence[Line], cfg: StructureConfig, work_title: str,
            compounds: frozenset[str] = frozenset()) -> tuple[tuple[Section, ...], tuple[Change, ...]]:
    """Build the section tree. Text before the first heading belongs to a page named after the
    work; closing lines become metadata of the work they close."""
    b = _Builder(lines, cfg, work_title, compounds)
    items, changes = b.run()
    byline = getattr(b, "byline", "")
    root: dict = _node(_Heading(0, work_title, 0), "")
    stack: list[dict] = [root]
    used: set[tuple[str, str]] = set()

    def unique(slug: str, parent: dict) -> str:
        scope = parent.get("scope", "")
        base, k, s = slug, 2, slug
        while (scope, s) in used:
            s, k = f"{base}-{k}", k + 1
        used.add((scope, s))
        return s

    def open_heading(h: _Heading) -> dict:
        while len(stack) > 1 and stack[-1]["level"] >= h.level:
            stack.pop()
        parent = stack[-1]
        is_page = parent is root or (h.level <= cfg.page_level and parent["is_page"])
        node = _node(h, "")
        node["is_page"] = is_page
        node["scope"] = node_scope = (parent.get("scope", "") + "/" + parent["slug"]
                                      if is_page else parent.get("scope", ""))
        node["slug"] = unique(slugify(h.title), {"scope": node_scope})
        parent["children"].append(node)
        stack.append(node)
        return node

    for item in items:
        if isinstance(item, _Heading):
            open_heading(item)
        elif isinstance(item, _Closing):
            work = next((n for n in stack[1:] if n["level"] == 1), None) or (
                stack[1] if len(stack) > 1 else None)
            if work is None:
                work = open_heading(_Heading(1, work_title, 0))
            work["meta"].extend(item.meta)
        else:
            if len(stack) == 1:
                start = open_heading(_Heading(1, work_title, item.first_line))
                if byline:
                    start["meta"].append(("Byline", byline))
            stack[-1]["blocks"].append(item)
    sections = tuple(_freeze(n, 1) for n in root["children"])
    sections = tuple(_closing_tail(s) for s in sections)
    if byline and sections and not any(k == "Byline" for k, _ in sections[0].meta):
        sections = (replace(sections[0], meta=(("Byline", byline),) + sections[0].meta),
                    ) + sections[1:]
    return sections, tuple(changes)


def _closing_tail(sec: Section) -> Section:
    """The last work of a text has no following heading: its closing lines are found here."""
    def last_leaf(s: Section) -> Section:
        return last_leaf(s.children[-1]) if s.children else s

    leaf = last_leaf(sec)
    if not leaf.blocks or leaf.blocks[-1].kind is not BlockKind.PARAGRAPH:
        return sec
    tail_blocks: list[Block] = []
    for blk in reversed(leaf.blocks):
        if blk.kind is not BlockKind.PARAGRAPH or len(blk.text) > 120 or len(tail_blocks) >= 3:
            break
        tail_blocks.insert(0, blk)
    for k in range(len(tail_blocks)):
        meta = closing_meta([b.text for b in tail_blocks[k:]])
        if meta:
            keep = leaf.blocks[:len(leaf.blocks) - len(tail_blocks) + k]
            return _replace_leaf(replace(sec, meta=sec.meta + tuple(meta)), keep)
    return sec


def _replace_leaf(sec: Section, blocks: tuple[Block, ...]) -> Section:
    if not sec.children:
        return replace(sec, blocks=blocks)
    return replace(sec, children=sec.children[:-1] + (_replace_leaf(sec.children[-1], blocks),))


def _node(h: _Heading, slug: str) -> dict:
    # A chapter's contents list, printed once under its title: its sections, in order.
    contents = [("Contents", " · ".join(h.contents))] if h.contents else []
    return {"title": h.title, "slug": slug, "level": h.level, "subtitle": h.subtitle,
            "meta": list(h.meta) + contents, "blocks": [], "children": [],
            "first_line": h.first_line,
            "refs": list(h.refs), "is_page": False}


def _freeze(d: dict, level: int) -> Section:
    """Pages keep their depth in the page tree as level (1 = top); headings get their depth
    inside their page (1 = the first heading level under the page title)."""
    children = tuple(_freeze(c, level + 1 if c["is_page"] or not d["is_page"] else 1)
                     for c in d["children"])
    title = d["title"]
    refs = tuple(NoteRef(len(title), r) for r in d["refs"])
    return Section(title=title, slug=d["slug"], level=level, is_page=d["is_page"],
                   subtitle=d["subtitle"], meta=tuple(d["meta"]), blocks=tuple(d["blocks"]),
                   children=children, first_line=d["first_line"], title_refs=refs)


def walk(sections: Sequence[Section]):
    """Every section in reading order, with its depth in the tree."""
    def visit(s: Section, depth: int):
        yield s, depth
        for c in s.children:
            yield from visit(c, depth + 1)
    for s in sections:
        yield from visit(s, 0)
