"""Notes: footnotes, endnotes and bracketed notes, cut out of the text and attached to markers.

Two steps around ``segment``: ``split_notes`` works on cleaned lines (note texts sit at page
bottoms, in a NOTES section, or inline in brackets) and returns the lines without them;
``attach_notes`` finds the markers in the joined paragraphs and pairs them with note texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import Change, Line, Note, Section


@dataclass(frozen=True)
class NotesConfig:
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SplitNotes:
    lines: tuple[Line, ...]
    candidates: tuple = ()
    changes: tuple[Change, ...] = ()


def split_notes(lines: Sequence[Line], raw: Sequence[Line], cfg: NotesConfig) -> SplitNotes:
    """Remove note texts from the running lines (``raw`` are the undecorated raw lines, for
    page-start and width signals)."""
    return SplitNotes(tuple(lines))


def attach_notes(sections: tuple[Section, ...], split: SplitNotes, cfg: NotesConfig
                 ) -> tuple[tuple[Section, ...], tuple[Note, ...], tuple[Change, ...]]:
    """Find note markers in the blocks, pair them with the note texts, return the notes."""
    return sections, (), ()
