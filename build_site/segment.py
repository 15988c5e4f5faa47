"""Cleaned lines -> the author's structure: sections (pages and headings) holding blocks.

Generic signals only: ALL-CAPS heading blocks, 'Chapter N' lines, short Title-Case lines
between finished sentences, numbered section lines ('1.' then a title), date lines under a
heading, and paragraph ends (final punctuation on a short last line, or a blank line that does
not fall inside a sentence). Per-work ``structure`` configuration can name heading patterns and
the heading level that starts a page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .model import Block, BlockKind, Change, Line, Section
from .paragraphs import BREAK_LINE, breaks_before, ends_sentence, make_block, tail_is_short, typical_width

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December")
DATE_LINE = re.compile(
    rf"^(?:(?:{MONTHS})(?: \d{{1,2}}(?:-\d{{1,2}})?)?,? \d{{4}}|\d{{1,2}} (?:{MONTHS}),? \d{{4}}|"
    rf"(?:{MONTHS}) \d{{1,2}}(?:-\d{{1,2}})?|(?:[A-Z][a-z]+, )?(?:{MONTHS}),? \d{{4}})\.?$")
PLACE_DATE_LINE = re.compile(rf"^[A-Z][a-z]+, (?:{MONTHS}),? \d{{4}}\.?$")
SMALL_WORDS = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "at", "by", "from",
               "or", "as", "its", "is", "not", "into", "but", "which", "de", "et", "la"}
CHAPTER_LINE = re.compile(r"^(Chapter|CHAPTER|Part|PART|Book|BOOK|Appendix|APPENDIX)\b(\s+[\w.]+)?$")
NUMBER_LINE = re.compile(r"^(\d{1,2}|[IVX]{1,5})\.?$")


@dataclass(frozen=True)
class StructureConfig:
    """Per-work structure options, from ``work.yml`` ``structure``."""

    page_level: int = 1
    """Headings at this level or above start a new page."""
    headings: tuple[tuple[str, int], ...] = ()
    """Extra (regex, level) pairs: a line matching the regex is a heading at that level."""
    not_headings: tuple[str, ...] = ()
    """Regexes of lines that look like headings but are text (declared with a reason)."""
    extra: dict = field(default_factory=dict)


def _letters(t: str) -> str:
    return "".join(c for c in t if c.isalpha())


def is_caps(t: str) -> bool:
    letters = _letters(t)
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def is_title_case(t: str) -> bool:
    words = [w.strip('"“”‘’(),:-') for w in t.split()]
    words = [w for w in words if w and w[0].isalpha()]
    if not words or not words[0][0].isupper():
        return False
    big = [w for w in words if w.lower() not in SMALL_WORDS]
    return bool(big) and sum(w[0].isupper() for w in big) >= 0.75 * len(big)


@dataclass
class _Heading:
    level: int
    title: str
    first_line: int
    subtitle: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)


class _Builder:
    """Walks the lines once, emitting headings and blocks; kept private to ``segment``."""

    def __init__(self, lines: Sequence[Line], cfg: StructureConfig, compounds: frozenset[str]):
        self.lines = list(lines)
        self.cfg = cfg
        self.compounds = compounds
        self.width = typical_width(self.lines)
        self.extra = [(re.compile(p), lvl) for p, lvl in cfg.headings]
        self.not_headings = [re.compile(p) for p in cfg.not_headings]
        self.items: list[_Heading | Block] = []
        self.changes: list[Change] = []
        self.para: list[Line] = []

    # -- classification ------------------------------------------------------------------
    def declared_level(self, t: str) -> int | None:
        for pat, lvl in self.extra:
            if pat.search(t):
                return lvl
        return None

    def is_text_only(self, t: str) -> bool:
        return any(p.search(t) for p in self.not_headings)

    def caps_heading(self, t: str) -> bool:
        return (is_caps(t) and len(t) <= 90 and not t.endswith((".", "!", ",", ";", ":"))
                and not self.is_text_only(t))

    def short(self, t: str) -> bool:
        limit = 0.8 * self.width if self.width else 70
        return len(t) <= limit

    def ends_sentence(self, t: str) -> bool:
        return ends_sentence(t)

    def tail_is_short(self, t: str) -> bool:
        return tail_is_short(t, self.width)

    # -- walking ---------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.para:
            return
        block, changes = make_block(self.para, self.compounds)
        self.changes.extend(changes)
        self.items.append(block)
        self.para = []

    def last_heading(self) -> _Heading | None:
        return self.items[-1] if self.items and isinstance(self.items[-1], _Heading) else None

    def run(self) -> tuple[list[_Heading | Block], list[Change]]:
        lines = self.lines
        i, n = 0, len(lines)
        blank_before = True
        while i < n:
            ln = lines[i]
            t = ln.text
            if not t:
                blank_before = True
                i += 1
                continue
            prev_text = self.para[-1].text if self.para else ""
            at_boundary = not self.para or (self.ends_sentence(prev_text)
                                             and self.tail_is_short(prev_text))
            consumed = self.try_heading(i, at_boundary, blank_before)
            if consumed:
                i += consumed
                blank_before = False
                continue
            heading = self.last_heading()
            if heading is not None and not self.para and DATE_LINE.match(t):
                heading.meta.append(("Date", t.rstrip(".")))
                i += 1
                continue
            if BREAK_LINE.match(t):
                self.flush()
                self.para = [ln]
                self.flush()
                i += 1
                continue
            if self.para and self.breaks_before(prev_text, t, blank_before):
                self.flush()
            self.para.append(ln)
            blank_before = False
            i += 1
        self.flush()
        return self.items, self.changes

    def breaks_before(self, prev: str, nxt: str, blank_between: bool) -> bool:
        return breaks_before(prev, nxt, blank_between, self.width)

    def try_heading(self, i: int, at_boundary: bool, blank_before: bool) -> int:
        """Return how many lines the heading at ``i`` spans (0 if none)."""
        lines, t = self.lines, self.lines[i].text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        declared = self.declared_level(t)
        if declared is not None:
            return self.emit_heading(i, declared, nxt_caps=True)
        if self.is_text_only(t) or not at_boundary:
            return 0
        if CHAPTER_LINE.match(t) or (NUMBER_LINE.match(t) and nxt and (is_caps(nxt) or is_title_case(nxt))):
            return self.emit_heading(i, 1 if (CHAPTER_LINE.match(t) or is_caps(nxt)) else 2,
                                     nxt_caps=True)
        if self.caps_heading(t):
            return self.emit_heading(i, 1, nxt_caps=True)
        if (self.short(t) and is_title_case(t) and not self.ends_sentence(t)
                and not DATE_LINE.match(t) and nxt and (nxt[:1].isupper() or nxt[:1] in "\"“")
                and len(t.split()) <= 12 and (self.para == [] or blank_before or self.width)):
            return self.emit_heading(i, 2, nxt_caps=False)
        return 0

    def emit_heading(self, i: int, level: int, nxt_caps: bool) -> int:
        """Merge a heading block: a number or 'Chapter N' line with its title, and consecutive
        caps lines; a Title-Case line right under a caps title becomes its subtitle."""
        self.flush()
        lines = self.lines
        parts = [lines[i].text]
        j = i + 1
        prefix_only = bool(CHAPTER_LINE.match(parts[0]) or NUMBER_LINE.match(parts[0]))
        while j < len(lines):
            t = lines[j].text
            if not t:
                if prefix_only:
                    j += 1
                    continue
                break
            if prefix_only or (nxt_caps and is_caps(parts[-1]) and self.caps_heading(t)):
                parts.append(t)
                prefix_only = False
                j += 1
                continue
            if (not nxt_caps and not self.ends_sentence(parts[-1]) and is_title_case(parts[-1])
                    and t[:1].islower() and self.short(t) and not self.ends_sentence(t)):
                parts.append(t)  # a title wrapped over two lines
                j += 1
                continue
            break
        title = _join_title(parts)
        heading = _Heading(level, title, lines[i].number)
        if level == 1 and j < len(lines) and lines[j].text and is_title_case(lines[j].text) \
                and not self.ends_sentence(lines[j].text) and not DATE_LINE.match(lines[j].text) \
                and self.short(lines[j].text) and not self.caps_heading(lines[j].text):
            heading.subtitle = lines[j].text
            j += 1
        self.items.append(heading)
        return j - i


def _join_title(parts: list[str]) -> str:
    first = parts[0]
    if (CHAPTER_LINE.match(first) or NUMBER_LINE.match(first)) and len(parts) > 1:
        sep = " " if NUMBER_LINE.match(first) and first.endswith(".") else ": "
        if NUMBER_LINE.match(first) and not first.endswith("."):
            sep = ". "
        return first + sep + " ".join(parts[1:])
    return " ".join(parts)


def slugify(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:60].rstrip("-") or "section"


def segment(lines: Sequence[Line], cfg: StructureConfig, work_title: str,
            compounds: frozenset[str] = frozenset()) -> tuple[tuple[Section, ...], tuple[Change, ...]]:
    """Build the page tree. Text before the first heading belongs to a page named after the
    work; publication lines that close a work become that page's metadata."""
    items, changes = _Builder(lines, cfg, compounds).run()
    pages: list[Section] = []
    used: set[str] = set()

    def unique(slug: str) -> str:
        base, k = slug, 2
        while slug in used:
            slug, k = f"{base}-{k}", k + 1
        used.add(slug)
        return slug

    page: dict | None = None
    child: dict | None = None

    def close_child() -> None:
        nonlocal child
        if child is not None and page is not None:
            page["children"].append(Section(level=2, is_page=False, **_freeze(child)))
        child = None

    def close_page() -> None:
        nonlocal page
        close_child()
        if page is not None:
            pages.append(Section(level=1, is_page=True, **_freeze(page)))
        page = None

    for item in items:
        if isinstance(item, _Heading):
            if item.level <= cfg.page_level:
                close_page()
                page = _new(item, unique(slugify(item.title)))
            else:
                close_child()
                if page is None:
                    page = _new(_Heading(1, work_title, item.first_line), unique("start"))
                child = _new(item, unique(slugify(item.title)))
        else:
            if page is None:
                page = _new(_Heading(1, work_title, item.first_line), unique("start"))
            (child or page)["blocks"].append(item)
    close_page()
    return tuple(_with_closing_meta(p) for p in pages), tuple(changes)


_PUBLICATION = re.compile(r"(No\. ?\d+|Vol\. ?\d+|Moscow|Pravda|Newspaper|Published|Bulletin)")


def _with_closing_meta(page: Section) -> Section:
    """A short last block like 'Pravda, No. 23, January 30, 1924' is the publication line the
    book prints after a work: shown as metadata, not as a paragraph."""
    def split(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], list[tuple[str, str]]]:
        meta: list[tuple[str, str]] = []
        blocks = list(blocks)
        while blocks and blocks[-1].kind is BlockKind.PARAGRAPH and len(blocks[-1].text) <= 100:
            last = blocks[-1].text
            if PLACE_DATE_LINE.match(last) or DATE_LINE.match(last):
                meta.insert(0, ("Date", last.rstrip(".")))
            elif _PUBLICATION.search(last) and re.search(r"\d{4}", last) and not last.endswith("?"):
                meta.insert(0, ("Published", last))
            else:
                break
            blocks.pop()
        return tuple(blocks), meta

    if page.children:
        last = page.children[-1]
        blocks, meta = split(last.blocks)
        children = page.children[:-1] + (replace(last, blocks=blocks),)
        return replace(page, children=children, meta=page.meta + tuple(meta))
    blocks, meta = split(page.blocks)
    return replace(page, blocks=blocks, meta=page.meta + tuple(meta))


def _new(h: _Heading, slug: str) -> dict:
    return {"title": h.title, "slug": slug, "subtitle": h.subtitle, "meta": list(h.meta),
            "blocks": [], "children": [], "first_line": h.first_line}


def _freeze(d: dict) -> dict:
    return {**d, "meta": tuple(d["meta"]), "blocks": tuple(d["blocks"]),
            "children": tuple(d["children"])}
