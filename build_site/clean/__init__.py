"""Cleaning: raw lines -> lines without page furniture and with running text repaired.

``clean_lines`` runs the line fixers of ``furniture.FIXERS`` (whole lines: heads, footers,
watermarks, debris), then the word fixers of ``words.WORD_FIXERS`` (letter-spacing, line-break
hyphens, glued compounds, dashes), then OCR repair where the work asks for it, then the work's
own corrections. Every dropped or changed line is a ``Change``; the page of each surviving line
is in ``page_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Change, Diagnostic, Line
from .corrections import Correction, apply_corrections
from .furniture import FIXERS, FurnitureConfig
from .ocr import repair_ocr
from .pagemap import page_map
from .vocabulary import Vocabulary, build_vocabulary
from .words import WORD_FIXERS


@dataclass(frozen=True)
class Cleaned:
    lines: tuple[Line, ...]
    changes: tuple[Change, ...]
    page_of: dict[int, str] = field(default_factory=dict, hash=False, compare=False)
    """Print page of each raw line number, where the source lets us infer it."""
    diagnostics: tuple[Diagnostic, ...] = ()


def clean_lines(lines: tuple[Line, ...], cfg: FurnitureConfig,
                vocab: Vocabulary | None = None, corrections: tuple[Correction, ...] = (),
                corrections_path: str = "") -> Cleaned:
    """Run every fixer, then OCR repair (where configured) and the text's corrections; the
    result keeps each surviving line's original number."""
    current, changes = list(lines), []
    for fixer in FIXERS:
        current, made = fixer(current, cfg)
        changes.extend(made)
    if vocab is None:
        vocab = build_vocabulary(ln.text for ln in current)
    for word_fixer in WORD_FIXERS:
        current, made = word_fixer(current, cfg, vocab)
        changes.extend(made)
    current, made = repair_ocr(current, cfg, vocab)
    changes.extend(made)
    current, made, diags = apply_corrections(current, corrections, corrections_path)
    changes.extend(made)
    numbers = {c.line: int(c.before) for c in changes
               if c.rule == "running-head" and c.reason == "page number"}
    furniture = frozenset(c.line for c in changes if c.action == "dropped")
    return Cleaned(tuple(current), tuple(changes), page_map(lines, numbers, furniture),
                   tuple(diags))
