"""The cleaning report of one text: what was dropped, joined, repaired or flagged, and where.

The proofreader's view of the cleaner. It is shown twice: as the work's 'Transcription notes'
page on the site and as ``build-site explain TEXT``. It also holds the conservation check:
every word of the raw text is in the output or in a change of a named kind.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import notes
from .model import Block, BlockKind, Change, Document, Line, Page, Section, all_sections
from .render import escape

REPORT_TITLE = "Transcription notes"
REPORT_FILE = "transcription-notes.md"

INTRO = ("This text was cleaned by a program from the raw source. Every line it dropped and "
         "every word it changed is listed here with its line number in the raw file. "
         "Passages the source garbled are kept as they are and marked as damaged.")

WORD = re.compile(r"[^\W_]+")

RULE_TITLES = {
    "running-head": "Running heads and page numbers",
    "printout-footer": "Printout headers and footers (URL, page count, timestamp)",
    "boilerplate": "Site navigation and boilerplate",
    "watermark": "Watermark words",
    "debris": "Scanner debris and junk markers",
    "letter-spacing": "Letter-spaced lines collapsed",
    "line-break-hyphen": "Words hyphenated at a line break",
    "line-break": "Words cut at a line break without a hyphen",
    "split-word": "Words split by a stray space",
    "glued-compound": "Compounds glued at a lost hyphen",
    "dash": "Dashes and ellipses",
    "ocr": "OCR repairs",
    "correction": "Corrections (corrections.yml)",
    "damaged": "Damaged passages",
    "mojibake": "Encoding repairs",
}

#: Rules whose changes only move spaces and hyphens: the letters must stay the same.
REFLOW_RULES = frozenset({"letter-spacing", "line-break-hyphen", "line-break", "split-word",
                          "glued-compound", "dash"})


@dataclass(frozen=True)
class ReportSection:
    rule: str
    title: str
    changes: tuple[Change, ...]

    def counts(self) -> Counter:
        return Counter(c.action for c in self.changes)


def damaged_changes(doc: Document) -> list[Change]:
    """Damaged blocks as report entries (the block is kept and marked, never repaired)."""
    return [Change("damaged", "flagged", b.first_line, b.text[:200], "",
                   f"garbled in the source (lines {b.first_line}-{b.last_line}); kept as is, "
                   "marked as damaged")
            for b in iter_blocks(doc.sections) if b.kind is BlockKind.DAMAGED]


def report_sections(doc: Document) -> list[ReportSection]:
    by_rule: dict[str, list[Change]] = {}
    for ch in list(doc.changes) + damaged_changes(doc):
        by_rule.setdefault(ch.rule, []).append(ch)
    order = list(RULE_TITLES)
    rules = sorted(by_rule, key=lambda r: (order.index(r) if r in order else len(order), r))
    return [ReportSection(r, RULE_TITLES.get(r, r.replace("-", " ").capitalize()),
                          tuple(by_rule[r])) for r in rules]


def iter_blocks(sections: Iterable[Section]) -> Iterable[Block]:
    for sec in sections:
        yield from sec.blocks
        yield from iter_blocks(sec.children)




def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def output_words(doc: Document) -> Counter:
    """Every word the reader can see: titles, metadata, blocks and notes."""
    out: Counter = Counter()
    for sec in all_sections(doc.sections):
        out.update(words(sec.title))
        out.update(words(sec.subtitle))
        for _, value in sec.meta:
            out.update(words(value))
        for b in sec.blocks:
            out.update(words(b.text))
    for n in doc.notes:
        out.update(words(n.text))
    return out


def accounted_words(changes: Sequence[Change]) -> Counter:
    """Words a change took out of the text: a dropped line's words, or the words a change
    replaced that are not in its result."""
    acc: Counter = Counter()
    for ch in changes:
        before = Counter(words(ch.before))
        if ch.action != "dropped":
            before -= Counter(words(ch.after))
        acc.update(before)
    return acc


def unaccounted_words(raw: Sequence[Line], doc: Document) -> Counter:
    """Raw words neither in the output nor taken out by a named change. Should be empty."""
    raw_words = Counter(w for ln in raw for w in words(ln.text))
    missing = raw_words - output_words(doc)
    return missing - accounted_words(doc.changes)


def letters(text: str) -> str:
    return "".join(c.lower() for c in text if c.isalnum())


def reflow_violations(changes: Sequence[Change]) -> list[Change]:
    """Reflow changes that altered letters (they may only move spaces, hyphens, dashes)."""
    return [c for c in changes if c.rule in REFLOW_RULES and c.action != "flagged"
            and letters(c.before) != letters(c.after)]


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|") if text else ""


def report_markdown(doc: Document, title: str) -> str:
    """The 'Transcription notes' page: counts first, then every change by kind. Its HTML is
    made without Python-Markdown by report_html.py's walk: change both together."""
    secs = report_sections(doc)
    lines = [f"# {REPORT_TITLE}: {_cell(title)}\n",
             f"{INTRO}\n",
             f"{_cell(notes_line(doc))}\n",
             "| Kind | Dropped | Changed | Joined | Flagged |", "| --- | ---: | ---: | ---: | ---: |"]
    for s in secs:
        c = s.counts()
        lines.append(f"| {_cell(s.title)} | {c['dropped']} | {c['changed']} | {c['joined']} | "
                     f"{c['flagged']} |")
    lines.append("")
    for s in secs:
        lines.append(f"## {_cell(s.title)}\n")
        lines.append("| Line | Action | Before | After | Why |")
        lines.append("| ---: | --- | --- | --- | --- |")
        for ch in s.changes:
            lines.append(f"| {ch.line} | {ch.action} | {_cell(ch.before[:160])} | "
                         f"{_cell(ch.after[:160])} | {_cell(ch.reason)} |")
        lines.append("")
    return "\n".join(lines)


def notes_line(doc: Document) -> str:
    """The notes' counts (issue 6): markers, texts, attached, missing, unused."""
    return notes.counts_sentence(notes.document_counts(doc.sections, doc.notes, doc.changes))


def report_text(doc: Document) -> str:
    """Plain text for ``build-site explain``."""
    secs = report_sections(doc)
    out = [f"# What the cleaner did to {doc.slug}", "", notes_line(doc), ""]
    for s in secs:
        c = s.counts()
        out.append(f"- {s.title} [{s.rule}]: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    for s in secs:
        out += ["", f"## {s.title}"]
        for ch in s.changes:
            after = f" -> {ch.after!r}" if ch.after else ""
            out.append(f"line {ch.line}: {ch.action}: {ch.before!r}{after}  ({ch.reason})")
    return "\n".join(out)


def transcription_page(doc: Document, title: str, index_path: str) -> Page:
    """The report as a site page, beside the work's index page (which links to it)."""
    folder = index_path.rsplit("/", 1)[0]
    return Page(f"{folder}/{REPORT_FILE}", f"{REPORT_TITLE}: {title}",
                report_markdown(doc, title), doc.slug)
