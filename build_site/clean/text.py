"""Fixes inside running text: joining wrapped lines into one paragraph, and small repairs.

These act on the lines of one paragraph at a time; each repair that changes a word is
recorded as a ``Change`` with the raw line it came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Change, Line

_HYPHEN_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"[\w’']+")
_DASHES = re.compile(r"\s*--\s*")
_SPACES = re.compile(r" {2,}")


def _hyphen_end(text: str) -> re.Match | None:
    """``_HYPHEN_END.search(text)``, without rescanning the whole paragraph for every line
    (that made joining quadratic in the paragraph's length): only a text ending in '-' can
    match, and the word before it is looked for in the tail first."""
    if not text.endswith("-"):
        return None
    start = max(0, len(text) - 64)
    m = _HYPHEN_END.search(text, start)
    if m is None or (m.start() == start and start > 0):
        m = _HYPHEN_END.search(text)  # the word may begin before the tail
    return m


def join_lines(lines: Sequence[Line], compounds: frozenset[str] = frozenset()) -> tuple[str, list[Change]]:
    """Join the wrapped lines of one paragraph into a single string.

    A line ending in 'letter-' before a lowercase start is a line-break hyphen: the halves are
    joined without it, unless the hyphenated form is a known compound (``compounds``, lower
    case, e.g. 'non-party'), which keeps its hyphen.
    """
    text, changes = "", []
    for ln in lines:
        t = ln.text.strip()
        if not t:
            continue
        if not text:
            text = t
            continue
        m = _hyphen_end(text)
        if m and t[:1].islower():
            first = m.group(1)
            second = _WORD_START.match(t)
            tail = second.group(0) if second else ""
            if f"{first}-{tail}".lower() in compounds:
                text = text + t
            else:
                text = text[:-1] + t
                changes.append(Change("line-break-hyphen", "joined", ln.number,
                                      f"{first}- / {tail}", f"{first}{tail}",
                                      "hyphen at a line break inside a word"))
        elif text.endswith(("—", "–")) or t.startswith(("—", "–")):
            text = text + t
        else:
            text = text + " " + t
    return tidy(text), changes


def tidy(text: str) -> str:
    """Spacing only: single spaces, '--' as an em dash. No word is changed here."""
    text = _DASHES.sub("—", text) if "--" in text else text
    text = _SPACES.sub(" ", text) if "  " in text else text
    return text.strip()
