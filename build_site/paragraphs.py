"""Paragraph reconstruction: where one of the author's paragraphs ends and the next begins.

Used by ``segment`` on the lines between headings. The signals are the text's own measure:
the typical line width (hard-wrapped texts), final punctuation on a short last line, the next
line's capital, and blank lines that do not fall inside a sentence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from .clean.furniture import TERMINAL
from .clean.text import join_lines
from .model import Block, BlockKind, Change, Line

BREAK_LINE = re.compile(r"^(\*\s*){3}$")


def typical_width(lines: Sequence[Line]) -> int | None:
    """Median width of body lines, or None when the text is not hard-wrapped."""
    widths = [len(ln.text) for ln in lines if len(ln.text) >= 30]
    if len(widths) < 20:
        return None
    med = statistics.median(widths)
    near = sum(1 for w in widths if 0.8 * med <= w <= 1.25 * med)
    return int(med) if near >= 0.5 * len(widths) and med < 140 else None


def ends_sentence(text: str) -> bool:
    return text.endswith(TERMINAL)


def tail_is_short(text: str, width: int | None) -> bool:
    """Is the last printed line of ``text`` short? Lines joined at a hyphen are several
    printed lines long, so the tail is what remains after whole widths."""
    if not width:
        return True
    n = max(1, round(len(text) / width))
    return len(text) - (n - 1) * width < 0.85 * width


def breaks_before(prev: str, nxt: str, blank_between: bool, width: int | None) -> bool:
    """Does a new paragraph start at ``nxt``? Final punctuation on a short last line and a
    plausible paragraph start; a blank line alone is not enough if it falls mid-sentence."""
    starts = nxt[:1].isupper() or nxt[:1] in "\"“‘'([—0123456789*"
    if not (ends_sentence(prev) and starts):
        return False
    if width is None:
        return blank_between
    return tail_is_short(prev, width)


def make_block(lines: Sequence[Line], compounds: frozenset[str] = frozenset()
               ) -> tuple[Block, list[Change]]:
    """Join a paragraph's lines and decide what kind of block it is."""
    text, changes = join_lines(lines, compounds)
    kind = BlockKind.BREAK if BREAK_LINE.match(text) else BlockKind.PARAGRAPH
    return Block(kind, text, lines[0].number, lines[-1].number), changes
