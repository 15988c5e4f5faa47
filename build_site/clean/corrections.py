"""Per-text corrections as data: ``source/<slug>/corrections.yml``, a list of entries
``{find, replace, reason}`` applied to the cleaned lines after every fixer.

A correction is for a slip no generic rule should touch (a misprint the proofreader checked
against the page). Each must match exactly one cleaned line once: one that matches nothing or
matches more than once is an error naming the file and the entry, so a stale correction never
silently does nothing or too much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from ..model import Change, Diagnostic, Level, Line


@dataclass(frozen=True)
class Correction:
    find: str
    replace: str
    reason: str
    index: int = 0  # position in the file, for messages


def parse_corrections(text: str | None, path: str) -> tuple[tuple[Correction, ...],
                                                          tuple[Diagnostic, ...]]:
    """Read the YAML list; malformed entries are errors, never skipped silently."""
    if text is None:
        return (), ()
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as e:
        return (), (Diagnostic(Level.ERROR, "corrections-syntax", f"not valid YAML: {e}", path),)
    if not isinstance(data, list):
        return (), (Diagnostic(Level.ERROR, "corrections-shape",
                               "corrections.yml must be a list of {find, replace, reason}", path),)
    out, diags = [], []
    for k, entry in enumerate(data, 1):
        if not (isinstance(entry, dict) and isinstance(entry.get("find"), str)
                and isinstance(entry.get("replace"), str) and entry.get("reason")
                and entry["find"]):
            diags.append(Diagnostic(Level.ERROR, "corrections-entry",
                                    f"entry {k} needs non-empty 'find', 'replace' and 'reason'",
                                    path))
            continue
        out.append(Correction(entry["find"], entry["replace"], str(entry["reason"]), k))
    return tuple(out), tuple(diags)


def apply_corrections(lines: Sequence[Line], corrections: Sequence[Correction], path: str = ""
                      ) -> tuple[list[Line], list[Change], list[Diagnostic]]:
    """Apply each correction to the one line it matches; log it as a change."""
    out = list(lines)
    changes: list[Change] = []
    diags: list[Diagnostic] = []
    for c in corrections:
        hits = [(i, ln.text.count(c.find)) for i, ln in enumerate(out) if c.find in ln.text]
        total = sum(n for _, n in hits)
        if total != 1:
            what = "matches nothing" if total == 0 else f"matches {total} times"
            diags.append(Diagnostic(Level.ERROR, "correction-match",
                                    f"correction {c.index} (find {c.find!r}) {what}; it must "
                                    "match exactly once in the cleaned text", path))
            continue
        i = hits[0][0]
        ln = out[i]
        out[i] = Line(ln.number, ln.text.replace(c.find, c.replace))
        changes.append(Change("correction", "changed", ln.number, c.find, c.replace, c.reason))
    return out, changes, diags
