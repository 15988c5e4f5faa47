"""The small document model passed between stages.

raw file -> ``decode`` -> ``Line`` list -> ``clean`` (drops furniture, returns ``Line`` list and
``Change`` records) -> ``segment`` (builds ``Document``: sections, blocks, notes) -> ``render``
(Markdown pages). Every value is frozen: a stage returns new values, never mutates its input.
Text held here is plain text (data); only ``render`` turns it into Markdown, escaping it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum


class Level(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    """A problem or a note about an input, shown by the CLI or the plugin as the caller decides."""

    level: Level
    code: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        return f"{where}: {self.level.value}: {self.message} [{self.code}]" if where else (
            f"{self.level.value}: {self.message} [{self.code}]"
        )


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line of a raw file; ``number`` is 1-based, as ``sed -n Np`` prints it.

    Slotted: the cleaner makes tens of thousands per text, and without an instance dict the
    conversion takes about 8% less CPU (benchmarks/convert_profile.py).
    """

    number: int
    text: str


@dataclass(frozen=True)
class Change:
    """One thing the cleaner did to the raw text, for the proofreader's report.

    ``action`` is 'dropped' (a whole line removed), 'changed' (text altered), 'joined' (lines or
    a hyphenated word joined) or 'flagged' (left alone but suspicious). ``rule`` names the fixer.
    """

    rule: str
    action: str
    line: int
    before: str
    after: str = ""
    reason: str = ""


class BlockKind(str, Enum):
    PARAGRAPH = "paragraph"
    QUOTE = "quote"  # block quotation
    LIST_ITEM = "list_item"
    TABLE = "table"  # preformatted rows, kept as they are
    BREAK = "break"  # a section break such as '* * *'
    META = "meta"  # a date line, a publication line, a signature: shown as metadata
    DAMAGED = "damaged"  # text the source garbled; shown marked as damaged, never repaired


@dataclass(frozen=True)
class NoteRef:
    """A note marker inside a block: it sits after character ``offset`` of the block text."""

    offset: int
    note_id: str


@dataclass(frozen=True)
class InlineLink:
    """A cross-link over ``text[start:end]`` of a block, filled in by the links stage.

    ``href`` is relative to the docs folder ('work/page.md#p-3'); render makes it relative to the
    page. ``kind`` is 'person' or 'title'; ``data`` holds (name, value) pairs for the hover card.
    """

    start: int
    end: int
    href: str
    kind: str
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Connection:
    """One entry of a paragraph's connections panel: 'quotes', 'quoted-in', 'also-quoted-in',
    'revised-in', 'referenced-in', 'person'; ``href`` is docs-relative like InlineLink's."""

    kind: str
    href: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    first_line: int = 0
    last_line: int = 0
    refs: tuple[NoteRef, ...] = ()
    anchor: str = ""  # paragraph id, filled in by the anchors stage
    page: str = ""  # print page where the block starts, when the source shows it
    links: tuple[InlineLink, ...] = ()  # cross-links inside the text (links stage)
    connections: tuple[Connection, ...] = ()  # the paragraph's connections panel (links stage)


@dataclass(frozen=True)
class PageRef:
    """An in-volume reference in a note ('this volume, p. 103') over ``text[start:end]``:
    ``page`` as printed; ``line`` is the first raw line of the block that stood on that page
    (0 until the notes stage resolves it); render links it to that block's paragraph id."""

    start: int
    end: int
    page: int
    line: int = 0


@dataclass(frozen=True)
class Note:
    """A footnote or endnote; ``note_id`` is unique in its document."""

    note_id: str
    text: str
    kind: str = "footnote"  # 'footnote' (page bottom), 'endnote', 'bracketed'
    first_line: int = 0
    signature: str = ""  # '—Tr.', '—Ed.', ... kept in ``text`` too; here for filtering
    missing: bool = False  # the marker survives but the source lost the note's text
    page_refs: tuple[PageRef, ...] = ()  # 'See this volume, p. N' links (notes stage)
    label: str = ""  # the note's number as printed, when the source numbers it


@dataclass(frozen=True)
class Section:
    """A node of the author's structure: volume part, work, chapter, section.

    ``is_page`` sections become their own Markdown page; the others become headings inside
    the page of their nearest page ancestor.
    """

    title: str
    slug: str
    level: int = 1
    is_page: bool = False
    subtitle: str = ""
    meta: tuple[tuple[str, str], ...] = ()  # (label, value): ('Date', 'January 9, 1924')
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()
    first_line: int = 0
    title_refs: tuple[NoteRef, ...] = ()


def all_sections(sections: Iterable[Section]) -> Iterator[Section]:
    """Every section of a tree, pages and headings, in reading order."""
    for sec in sections:
        yield sec
        yield from all_sections(sec.children)


@dataclass(frozen=True)
class Document:
    """One raw text turned into structure. ``slug`` is the work folder name under ``source/``."""

    slug: str
    sections: tuple[Section, ...]
    notes: tuple[Note, ...] = ()
    changes: tuple[Change, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    # The work's folder under docs, 'author/work' (e.g. 'stalin/works-6'); '' means ``slug``.
    # render.page_paths reads it, so every stage that asks for a page's path agrees.
    url_prefix: str = ""
    # Filled by the anchors stage (keep them when rebuilding a Document: use dataclasses.replace):
    aliases: tuple[tuple[str, str], ...] = ()  # retired paragraph id -> live id it resolves to
    cite: tuple[tuple[str, str], ...] = ()  # ('author', ...), ('title', ...), ('date', ...)


@dataclass(frozen=True)
class Page:
    """One Markdown page of the generated site; ``path`` is relative to docs, e.g. 'x/index.md'."""

    path: str
    title: str
    markdown: str
    work_slug: str = ""
    extra: dict = field(default_factory=dict, hash=False, compare=False)
