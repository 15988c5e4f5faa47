"""Cleaning: raw lines -> lines without page furniture, with every dropped line recorded.

``clean_lines`` runs the line fixers of ``furniture.FIXERS`` in order. Fixes inside running text
(hyphenation, OCR noise, dashes) act on joined paragraphs and live in ``text.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Change, Line
from .furniture import FIXERS, FurnitureConfig


@dataclass(frozen=True)
class Cleaned:
    lines: tuple[Line, ...]
    changes: tuple[Change, ...]


def clean_lines(lines: tuple[Line, ...], cfg: FurnitureConfig) -> Cleaned:
    """Run every furniture fixer; the result keeps each surviving line's original number."""
    current, changes = list(lines), []
    for fixer in FIXERS:
        current, made = fixer(current, cfg)
        changes.extend(made)
    return Cleaned(tuple(current), tuple(changes))
