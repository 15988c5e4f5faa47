"""A work's 'Transcription notes' page as MkDocs would render it, without Python-Markdown.

``report.report_markdown`` writes a heading, two paragraphs and Markdown tables of escaped
cells; at 10x the corpus those pages were most of what Python-Markdown still converted (its
tables extension is slow). ``report_page_html`` walks the same report the same way and writes
what Python-Markdown (the site's extensions: tables, toc with permalinks...) makes of that
Markdown: the same bytes, toc, title and ids (``page_html.PageHTML``). Keep this walk beside
``report_markdown``: a change to one is a change to the other; tests/test_report_html.py
compares them on every seed work and on generated reports full of Markdown's special marks.

Text is written by ``page_html.text_html`` (what Python-Markdown makes of ``render.escape``);
whatever it or this module is not sure of (control characters, an empty heading, a line
number or action that is not plain, a paragraph opening a fence) declines the page (None),
and it goes through Python-Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from . import report
from .model import Change, Document
from .page_html import Decline, PageHTML, PageWriter, finish, strip_block_edges, text_html

_PLAIN_LINE = re.compile(r"-?[0-9]+\Z")  # report_markdown writes a line number unescaped
_PLAIN_ACTION = re.compile(r"[a-z]+\Z")  # and an action
_RIGHT = ' style="text-align: right;"'
_SUMMARY_HEAD = ("<table>\n<thead>\n<tr>\n<th>Kind</th>\n<th" + _RIGHT + ">Dropped</th>\n<th"
                 + _RIGHT + ">Changed</th>\n<th" + _RIGHT + ">Joined</th>\n<th" + _RIGHT
                 + ">Flagged</th>\n</tr>\n</thead>\n<tbody>")
_CHANGES_HEAD = ("<table>\n<thead>\n<tr>\n<th" + _RIGHT + ">Line</th>\n<th>Action</th>\n"
                 "<th>Before</th>\n<th>After</th>\n<th>Why</th>\n</tr>\n</thead>\n<tbody>")
_TABLE_END = "\n</tbody>\n</table>"
_EMPTY_ROW = "\n<tr>\n" + "<td></td>\n" * 5 + "</tr>"  # the tables extension's empty table


def report_page_html(doc: Document, title: str,
                     resolve: Callable[[str], str]) -> PageHTML | None:
    """What MkDocs's ``Page.render`` makes of ``report.report_markdown(doc, title)``;
    ``resolve`` is MkDocs's link rewriting (only the headings' permalinks here). None if
    declined (before ``resolve`` is called)."""
    try:
        page = _walk(doc, title)
    except Decline:
        return None
    return finish(page, resolve)


def _cell(raw: str) -> str:
    """A table cell: the tables extension strips its ASCII spaces, the '\\|' _cell adds
    comes out as '|' (as every escape() backslash does)."""
    return text_html(raw).strip(" ") if raw else ""


def heading_html(page: PageWriter, level: int, *raw: str) -> None:
    """``# text`` as Python-Markdown and the toc extension make it (id: ``finish``)."""
    out = page.out
    opening = len(out)
    out.append("")
    inner = "".join(text_html(r) for r in raw).strip(" ")
    if not inner:
        raise Decline("an empty heading")
    page.texts.add(len(out))
    out.append(inner)
    page.headings.append((level, opening, len(out), None))
    out.append('<a class="headerlink" href="')
    page.href("#")
    out.append(f'" title="Permanent link">&para;</a></h{level}>')


def paragraph_html(page: PageWriter, raw: str) -> None:
    """A paragraph of escaped text: Python-Markdown strips its leading spaces only."""
    if not raw.strip() or raw.lstrip(" ").startswith(("~~~", "```")):
        raise Decline("an empty or fenced paragraph")
    page.out.append("\n<p>")
    start = len(page.out)
    page.text(raw)
    strip_block_edges(page.out, start, page.texts, trailing=False)
    page.out.append("</p>")


def _walk(doc: Document, title: str) -> PageWriter:
    """``report.report_markdown``'s walk."""
    secs = report.report_sections(doc)
    page = PageWriter(doc, "", {}, {})
    out = page.out
    heading_html(page, 1, f"{report.REPORT_TITLE}: ", title)
    paragraph_html(page, report.INTRO)
    paragraph_html(page, report.notes_line(doc))
    out.append("\n" + _SUMMARY_HEAD)
    for s in secs:
        c = s.counts()
        out.append(f"\n<tr>\n<td>{_cell(s.title)}</td>\n"
                   + "".join(f"<td{_RIGHT}>{c[k]}</td>\n"
                             for k in ("dropped", "changed", "joined", "flagged")) + "</tr>")
    out.append(_EMPTY_ROW if not secs else "")
    out.append(_TABLE_END)
    for s in secs:
        out.append("\n")
        heading_html(page, 2, s.title)
        out.append("\n" + _CHANGES_HEAD)
        out.append("".join(_rows(s.changes)) if s.changes else _EMPTY_ROW)
        out.append(_TABLE_END)
    return page


def _rows(changes: Iterable[Change]) -> Iterable[str]:
    for ch in changes:
        line, action = str(ch.line), str(ch.action)
        if not _PLAIN_LINE.match(line) or not _PLAIN_ACTION.match(action):
            raise Decline(f"{line!r} {action!r}")
        yield (f"\n<tr>\n<td{_RIGHT}>{line}</td>\n<td>{action}</td>\n"
               f"<td>{_cell(ch.before[:160])}</td>\n<td>{_cell(ch.after[:160])}</td>\n"
               f"<td>{_cell(ch.reason)}</td>\n</tr>")


def report_pages(built) -> dict[str, tuple[Document, str]]:
    """Each work's transcription notes page in the built library: path -> (document, work
    title), for the pages whose Markdown is ``report_markdown(doc, title)`` (below citation
    front matter), checked here so that a page made otherwise is left to Python-Markdown."""
    docs = {doc.slug: doc for doc in built.documents}
    prefix = f"{report.REPORT_TITLE}: "
    out: dict[str, tuple[Document, str]] = {}
    for p in built.pages:
        doc = docs.get(p.work_slug)
        if doc is None or not p.path.endswith("/" + report.REPORT_FILE) \
                or not p.title.startswith(prefix):
            continue
        title = p.title[len(prefix):]
        if p.markdown.endswith(report.report_markdown(doc, title)):
            out[p.path] = (doc, title)
    return out
