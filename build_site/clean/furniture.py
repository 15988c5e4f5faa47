"""Page furniture: lines a printer, a browser or a scanner added, which the author never wrote.

Each fixer takes the lines and returns (kept lines, changes). A dropped line is recorded as a
``Change`` with the rule that dropped it, so the proofreader's report accounts for every line.
Fixers run in the order of ``FIXERS``; each docstring says what it drops and why that is safe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..model import Change, Line

TERMINAL = tuple('.?!:;"”’)…')


@dataclass(frozen=True)
class FurnitureConfig:
    """Per-work knobs; each set in ``work.yml`` under ``cleaning`` with a reason."""

    watermarks: tuple[str, ...] = ()
    """Phrases a reprint stamped over the pages (dropped as whole lines, or cut when glued)."""
    boilerplate: tuple[str, ...] = ()
    """Regexes of lines that are site navigation or printout chrome in this source."""
    extra: dict = field(default_factory=dict)


Fixer = Callable[[list[Line], FurnitureConfig], tuple[list[Line], list[Change]]]


def _next_text(lines: Sequence[Line], i: int, step: int) -> Line | None:
    j = i + step
    while 0 <= j < len(lines):
        if lines[j].text.strip():
            return lines[j]
        j += step
    return None


def normalise_whitespace(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """NBSP and tabs to spaces, trailing spaces off, leading page-start spaces off.

    Whitespace carries no words; the page-start space is kept only as the line's position.
    """
    out = [Line(ln.number, re.sub(r"[\u00a0\t\u2007\u202f]", " ", ln.text).strip()) for ln in lines]
    return out, []


_URL_FOOTER = re.compile(
    r"^(https?://\S+|www\.\S+)(\s+\(\d+ of \d+\))?(\s+\[\d{1,2}/\d{1,2}/\d{2,4}[ \d:]*\])?\s*$"
)


def drop_printout_footers(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """A browser's print footer: the page URL, '(3 of 5)', a timestamp, and the page title
    line printed just above it. They always interrupt a sentence, so they are dropped whole."""
    drop: dict[int, str] = {}
    for i, ln in enumerate(lines):
        if _URL_FOOTER.match(ln.text) and ("(" in ln.text or "[" in ln.text):
            drop[i] = "printout footer (page URL, page count, timestamp)"
            prev = i - 1
            while prev >= 0 and not lines[prev].text:
                prev -= 1
            if prev >= 0 and len(lines[prev].text) < 80 and not lines[prev].text.endswith(TERMINAL):
                drop[prev] = "printout header (page title above the URL footer)"
    return _apply_drops(lines, drop, "printout-footer")


def drop_boilerplate(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Lines matching the work's declared boilerplate patterns (site navigation and the like)."""
    pats = [re.compile(p) for p in cfg.boilerplate]
    drop = {i: "declared boilerplate" for i, ln in enumerate(lines)
            if ln.text and any(p.search(ln.text) for p in pats)}
    return _apply_drops(lines, drop, "boilerplate")


def drop_watermarks(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Watermark words stamped by a reprint: whole lines equal to a watermark word or phrase
    are dropped; a capitalised watermark word glued to a lowercase word ('JanuCOMMERCIAL') is cut."""
    if not cfg.watermarks:
        return lines, []
    words = sorted({w for phrase in cfg.watermarks for w in phrase.split()} | set(cfg.watermarks),
                   key=len, reverse=True)
    whole = re.compile(r"^(?:(?:%s)\s*)+$" % "|".join(map(re.escape, words)))
    glued = re.compile(r"(?<=[a-z])(?:%s)(?=[a-z]|\s|$)" % "|".join(
        re.escape(w) for w in words if len(w) > 3))
    out, changes = [], []
    for ln in lines:
        if ln.text and whole.match(ln.text):
            changes.append(Change("watermark", "dropped", ln.number, ln.text, "",
                                  "watermark line stamped by the reprint"))
            continue
        new = glued.sub("", ln.text)
        if new != ln.text:
            changes.append(Change("watermark", "changed", ln.number, ln.text, new,
                                  "watermark word glued to a word"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_NO_LETTERS = re.compile(r"^[^A-Za-z0-9\u00c0-\u024f\u0400-\u04ff]+$")
_SECTION_BREAK = re.compile(r"^(\*\s*){3}$|^(\*\s){2}\*$")


def drop_debris(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Scanner specks and junk markers: lines with no letter or digit ('(', '!(@$', '.'), and
    1-2 character lines that are neither numbers nor roman numerals. '* * *' is kept: it is a
    section break."""
    drop = {}
    for i, ln in enumerate(lines):
        t = ln.text
        if not t or _SECTION_BREAK.match(t):
            continue
        if _NO_LETTERS.match(t):
            drop[i] = "no letters: scanner speck or junk marker"
        elif len(t) <= 2 and not t.isdigit() and not re.fullmatch(r"[IVX]+\.?", t):
            drop[i] = "stray one- or two-character line"
    return _apply_drops(lines, drop, "debris")


def _is_page_number(t: str) -> bool:
    return bool(re.fullmatch(r"\d{1,4}", t))


def head_key(t: str) -> str:
    """Compare heads on letters and digits only, so 'J. V. S T A L I N' matches 'J. V. STALIN'
    and 'February 3' does not match 'February 20'."""
    return re.sub(r"[^a-z0-9]", "", t.lower())


def _isolated(lines: Sequence[Line], i: int) -> bool:
    before = lines[i - 1].text if i > 0 else ""
    after = lines[i + 1].text if i + 1 < len(lines) else ""
    return not before and not after


def _mid_sentence(lines: Sequence[Line], i: int, skip: set[int]) -> bool:
    """The text after line i goes on with a lower-case word (leading dashes and quotes
    ignored): the sentence runs across it."""
    j = i - 1
    while j >= 0 and (not lines[j].text or j in skip):
        j -= 1
    k = i + 1
    while k < len(lines) and (not lines[k].text or k in skip):
        k += 1
    if j < 0 or k >= len(lines):
        return False
    nxt = lines[k].text.lstrip("-—–'\"“‘ ")
    return nxt[:1].islower()


def drop_running_heads(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Running heads and page numbers. A page's top furniture is a short line standing alone
    between blank lines: a bare number beside a head (a short line without final punctuation,
    within two text lines of the number). A head recognised that way is dropped wherever else
    it stands alone; a lone number or a recurring short line is dropped only where it cuts a
    sentence in two. Unsafe for lone numbers between sentences (note numbers, list numbers):
    those are kept."""
    cand = [i for i, ln in enumerate(lines) if ln.text and _isolated(lines, i)]
    heads = {i for i in cand if len(lines[i].text) <= 60 and not _is_page_number(lines[i].text)
             and not lines[i].text.endswith(tuple(".,;:!?"))}
    numbers = {i for i in cand if _is_page_number(lines[i].text)}
    drop: dict[int, str] = {}
    proven: set[str] = set()
    for i in numbers:
        near = [h for h in heads if abs(h - i) <= 4
                and not any(lines[m].text for m in range(min(h, i) + 1, max(h, i))
                            if m not in heads and m not in numbers)]
        if near:
            drop[i] = "page number"
            for h in near:
                drop[h] = "running head"
                proven.add(head_key(lines[h].text))
    counts = Counter(head_key(lines[i].text) for i in heads)
    first_seen: set[str] = set()
    for i in sorted(heads):
        key = head_key(lines[i].text)
        if i in drop:
            continue
        if key in proven and key in first_seen:
            drop[i] = "running head"
        elif (key in proven or counts[key] >= 2) and _mid_sentence(lines, i, set(drop)):
            drop[i] = "running head"
        first_seen.add(key)
    for i in numbers:
        if i not in drop and _mid_sentence(lines, i, set(drop)):
            drop[i] = "page number"
    return _apply_drops(lines, drop, "running-head")


def _apply_drops(lines: list[Line], drop: dict[int, str], rule: str) -> tuple[list[Line], list[Change]]:
    changes = [Change(rule, "dropped", lines[i].number, lines[i].text, "", why)
               for i, why in sorted(drop.items())]
    return [ln for i, ln in enumerate(lines) if i not in drop], changes


FIXERS: tuple[Fixer, ...] = (
    normalise_whitespace,
    drop_printout_footers,
    drop_boilerplate,
    drop_watermarks,
    drop_debris,
    drop_running_heads,
)
