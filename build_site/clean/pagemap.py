"""The print page of every line, from page-start lines and surviving page numbers.

A PDF or OCR text keeps the page structure in two weak signals: a line that starts with exactly
one space and then text begins a page, and a few bare page numbers survive as furniture. Each
page-start line advances the page; each surviving number fixes it. Lines before the first
number are counted back from it. Without any surviving number there is no page map.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence

from ..model import Line

PAGE_START = re.compile(r"^ [^ ]")


def page_map(raw: Sequence[Line], numbers: Mapping[int, int],
             furniture: frozenset[int] = frozenset()) -> dict[int, str]:
    """``numbers`` maps the line number of a dropped page number to its value; ``furniture``
    holds the numbers of the other dropped lines (heads), which do not end a page top."""
    if not numbers:
        return {}
    # page index: +1 at every page start or page number (a number stands at the page top, and
    # the line after it has no leading space).
    index: dict[int, int] = {}
    k, last_was_number = 0, False
    anchors: list[tuple[int, int]] = []  # (page index, printed number)
    for ln in raw:
        if ln.number in numbers:
            k += 1
            anchors.append((k, numbers[ln.number]))
            last_was_number = True
        elif PAGE_START.match(ln.text) and not last_was_number:
            k += 1
        elif ln.text.strip() and ln.number not in furniture:
            last_was_number = False
        index[ln.number] = k
    out: dict[int, str] = {}
    keys = [a[0] for a in anchors]  # ascending: k only grows
    for ln in raw:
        pi = index[ln.number]
        at = bisect_right(keys, pi)  # the last number at or before this page
        base_index, base_number = anchors[at - 1] if at else anchors[0]
        page = base_number + (pi - base_index)
        if page > 0:
            out[ln.number] = str(page)
    return out
