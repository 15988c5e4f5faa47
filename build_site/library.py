"""The whole conversion: source folder -> documents -> Markdown pages and a navigation tree.

This is the only module that reads files; every stage it calls is a pure function. MkDocs is
not imported here: the plugin and the CLI both call ``build_library``.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import anchors, cache, downloads, links, metadata, notes, paragraphs, reading, report
from .clean import clean_lines
from .clean.corrections import parse_corrections
from .clean.furniture import FurnitureConfig
from .decode import decode
from .model import Diagnostic, Document, Level, Page
from .render import (
    escape,
    escape_attr,
    page_paths,
    relative_href,
    render_document,
    url_prefix,
    work_folder,
)
from .segment import StructureConfig, load_structure, segment


@dataclass(frozen=True)
class Built:
    pages: tuple[Page, ...]
    nav: list
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]
    library: metadata.Library | None = None  # for downloads and citation metadata
    converted: tuple[str, ...] = ()  # slugs converted in this build (the rest from the cache)
    timings: tuple[tuple[str, float], ...] = ()  # (stage, wall seconds), in order
    # slug -> key of the cached conversion each document was linked from (with a cache only):
    # the downloads' cache key starts from it (``downloads.download_key``)
    conversion_keys: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]


def furniture_config(meta: metadata.WorkMeta) -> FurnitureConfig:
    c = dict(meta.cleaning)
    return FurnitureConfig(watermarks=tuple(c.pop("watermarks", ())),
                           boilerplate=tuple(c.pop("boilerplate", ())), extra=c)


def structure_config(meta: metadata.WorkMeta, path: str = "") -> StructureConfig:
    """The validated ``structure`` block (problems: see ``structure_diagnostics``)."""
    return load_structure(meta.structure, path)[0]


def structure_diagnostics(meta: metadata.WorkMeta, path: str = "") -> tuple[Diagnostic, ...]:
    return load_structure(meta.structure, path)[1]


def notes_config(meta: metadata.WorkMeta) -> notes.NotesConfig:
    return notes.NotesConfig(extra=dict(meta.cleaning.get("notes", {})))


def convert_work(slug: str, meta: metadata.WorkMeta, raw: bytes, raw_path: str) -> Document:
    """One raw text -> one document (pure: the caller reads the file)."""
    decoded = decode(raw, raw_path)
    if not decoded.ok:
        return Document(slug, (), diagnostics=decoded.diagnostics)
    corr_file = Path(raw_path).with_name("corrections.yml")
    corr, corr_diags = parse_corrections(
        corr_file.read_text("utf-8") if corr_file.is_file() else None, str(corr_file))
    cleaned = clean_lines(decoded.lines, furniture_config(meta), corrections=corr,
                          corrections_path=str(corr_file))
    split = notes.split_notes(cleaned.lines, decoded.lines, notes_config(meta))
    yml = str(Path(raw_path).with_name("work.yml"))
    sections, seg_changes = segment(split.lines, structure_config(meta, yml), meta.title)
    sections = paragraphs.with_pages(sections, cleaned.page_of)
    sections, note_list, note_changes = notes.attach_notes(sections, split, notes_config(meta))
    changes = cleaned.changes + split.changes + seg_changes + note_changes
    return Document(slug, sections, note_list, changes,
                    decoded.diagnostics + corr_diags + cleaned.diagnostics
                    + structure_diagnostics(meta, yml), url_prefix=work_url(slug, meta))


def work_url(slug: str, meta: metadata.WorkMeta) -> str:
    """The work's docs folder, 'author/work', under its first author."""
    return url_prefix(slug, meta.authors[0])


def _author_names(meta: metadata.WorkMeta, lib: metadata.Library) -> str:
    return ", ".join(lib.people[a].name for a in meta.authors if a in lib.people)


def work_index_page(doc: Document, meta: metadata.WorkMeta, lib: metadata.Library) -> Page:
    """The work's landing page: what it is, its contents, and 'About this text'."""
    rows = [("Author", _author_names(meta, lib)), ("Written", meta.date_display or meta.date),
            ("First published", meta.original_publication)]
    lines = [f"# {escape(meta.title)}\n"]
    if meta.subtitle:
        lines.append(f'<p class="subtitle">{escape_attr(meta.subtitle)}</p>\n')
    lines.append(_dl(rows))
    here = f"{work_folder(doc)}/index.md"
    lines.append(downloads.downloads_html(doc.slug, here))
    lines.append("## Contents\n")
    for sec, path in page_paths(doc):
        rel = relative_href(path, here)
        depth = rel.count("/") - rel.endswith("/index.md")  # a section's own page
        lines.append(f"{'    ' * depth}- [{escape(sec.title)}]({rel})")
    lines.append("")
    lines.append(about_block(meta))
    return Page(here, meta.title, "\n".join(lines) + "\n", doc.slug)


def _dl(rows: list[tuple[str, str]]) -> str:
    """Label/value rows as the work-meta list; empty values are left out."""
    items = "".join(f"<div><dt>{escape_attr(k)}</dt><dd>{escape_attr(v)}</dd></div>"
                    for k, v in rows if v)
    return f'<dl class="work-meta">{items}</dl>\n'


RAW_KINDS = {"ocr-print": "OCR of a scanned printed text",
             "pdf-web-printout": "web pages printed to PDF, converted to text",
             "web-article": "a web article saved as plain text",
             "web-page-text": "the text of a web page",
             "pdf-text-book": "text extracted from the PDF of a typeset book"}


def about_block(meta: metadata.WorkMeta) -> str:
    """'About this text': which edition and translation this is, where the digital text came
    from and what raw file it was made from, so a reader can judge it and a proofreader can
    check it; the transcription notes list every change the cleaner made."""
    raw = (f"{RAW_KINDS.get(meta.raw_kind, meta.raw_kind)}: {meta.raw_file} "
           f"(SHA-256 {meta.sha256[:16]}…)")
    rows = [("Edition", meta.edition), ("Publisher", meta.publisher),
            ("Published", str(meta.published or "")),
            ("Translated by", ", ".join(meta.translators)),
            ("Source of this text", meta.source.description),
            ("Raw text", raw)]
    out = ['## About this text { #about-this-text }\n', _dl(rows)]
    if meta.source.url.startswith(("http://", "https://")):
        # The address goes in the link only: as visible text it reads like a printout footer.
        out.append(f'<p class="source-link"><a href="{escape_attr(meta.source.url)}" '
                   'rel="nofollow">The digital source of this text</a></p>\n')
    out.append(f"[{report.REPORT_TITLE}]({report.REPORT_FILE}): how this text was cleaned "
               "from its raw source, line by line.")
    return "\n".join(out)


def home_page(lib: metadata.Library) -> Page:
    """The library by author (sorted by sort name), each work with its date."""
    lines = ["# Library\n", ("The texts of this library, by author. See also the "
                             "[chronological index](chronology.md).\n")]
    for pid, works in _works_by_author(lib):
        person = lib.people[pid]
        life = f" ({person.born or '?'}–{person.died or '?'})" if person.born or person.died else ""
        lines.append(f"## {escape(person.name)}{escape(life)} {{ #{pid} }}\n")
        lines.append(f"[All works by {escape(person.name)}]({pid}/index.md)\n")
        for slug, meta in works:
            when = meta.date_display or meta.date
            lines.append(f"- [{escape(meta.title)}]({work_url(slug, meta)}/index.md) — "
                         f"{escape(when)}")
        lines.append("")
    return Page("index.md", "Library", "\n".join(lines), "")


def _works_by_author(lib: metadata.Library) -> list[tuple[str, list[tuple[str, metadata.WorkMeta]]]]:
    first_author: dict[str, list[tuple[str, metadata.WorkMeta]]] = {}
    for slug, meta in lib.works.items():
        first_author.setdefault(meta.authors[0], []).append((slug, meta))
    return [(pid, sorted(ws, key=lambda w: (w[1].order or 0, w[1].date, w[1].title)))
            for pid, ws in sorted(first_author.items(), key=lambda kv: lib.people[kv[0]].sort_name)]


def nav_tree(lib: metadata.Library, docs: dict[str, Document]) -> list:
    """MkDocs nav: Library, then author -> work -> pages; section index pages via
    ``navigation.indexes``. Titles are plain text in the nav (MkDocs escapes them)."""
    nav: list = [{"Library": "index.md"}, {"Chronological index": "chronology.md"}]
    for pid, works in _works_by_author(lib):  # an author is a nav section: <id>/index.md
        entries = []
        for slug, meta in works:
            doc = docs.get(slug)
            children: list = [f"{work_url(slug, meta)}/index.md"]
            if doc is not None:
                children.extend(_page_nav(doc))
                children.append({report.REPORT_TITLE:
                                 f"{work_url(slug, meta)}/{report.REPORT_FILE}"})
            entries.append({meta.title: children})
        nav.append({lib.people[pid].name: [f"{pid}/index.md"] + entries})
    return nav


def _page_nav(doc: Document) -> list:
    """Pages in reading order, from ``page_paths`` (the one place URLs are decided); a page
    with sub-pages becomes a nav section whose index page is itself."""
    paths = {id(sec): path for sec, path in page_paths(doc)}

    def visit(sec) -> dict | str:
        subs = [c for c in sec.children if c.is_page]
        if not subs:
            return {nav_title(sec): paths[id(sec)]}
        return {nav_title(sec): [paths[id(sec)]] + [visit(c) for c in subs]}

    return [visit(s) for s in doc.sections if s.is_page]


def nav_title(sec) -> str:
    """Navigation label: the title as printed, ALL-CAPS softened to title case for reading."""
    t = sec.title
    if sum(c.isupper() for c in t) > 0.8 * max(1, sum(c.isalpha() for c in t)):
        words: list[str] = []
        for w in t.split():
            low = w.lower()
            keep = bool(re.fullmatch(r"[IVX]+\.?|(?:[A-Z]\.)+\S*|[A-Z]\.?|\(?[A-Z]\.\)?", w))
            words.append(w if keep else (low if words and low in _SMALL else low.capitalize()))
        t = " ".join(words)
    return t


_SMALL = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "at", "by", "or", "as"}


def author_page(pid: str, works: list[tuple[str, metadata.WorkMeta]],
                lib: metadata.Library) -> Page:
    """One page per author, the folder of their works (/stalin/): their works in order with
    dates, then the works they share with a first author listed elsewhere."""
    person = lib.people[pid]
    here = f"{pid}/index.md"
    lines = [f"# {escape(person.name)}\n"]
    if person.full_name and person.full_name != person.name:
        lines.append(f"{escape(person.full_name)}\n")
    shared = sorted(((s, m) for s, m in lib.works.items() if pid in m.authors[1:]),
                    key=lambda w: (w[1].date, w[1].title))
    for heading, group in (("", works), ("With other authors", shared)):
        if heading and group:
            lines.append(f"\n## {heading}\n")
        for slug, meta in group:
            when = meta.date_display or meta.date
            href = relative_href(f"{work_url(slug, meta)}/index.md", here)
            lines.append(f"- [{escape(meta.title)}]({href}) — {escape(when)}")
    return Page(here, person.name, "\n".join(lines) + "\n", "")


def chronology_page(lib: metadata.Library, docs: dict[str, Document]) -> Page:
    """Every work in date order: date, title, author, where it was first published. The works
    of a collection that print their own date or header (a volume of Works, a post of letters)
    are listed one by one; a book's dated introduction is not a work of its own."""
    rows: list[tuple[tuple, str, str, str, str]] = []
    for slug, meta in lib.works.items():
        author = _author_names(meta, lib)
        start = _date_key(meta.date.split("/")[0].replace("-", " "), 0) or (9999,)
        rows.append((start, escape(meta.date_display or meta.date),
                     f"[{escape(meta.title)}]({work_url(slug, meta)}/index.md)",
                     escape(author), escape(meta.original_publication)))
        doc = docs.get(slug)
        parts = [(sec, path, dict(sec.meta)) for sec, path in (page_paths(doc) if doc else [])
                 if sec.level == 1 and sec.is_page]
        keys = [next((k for k in (_date_key(m.get(f, ""), start[0]) for f in _WHEN) if k), None)
                for _, _, m in parts]
        known = [k for k, key in enumerate(keys) if key]
        if len(known) < 2:
            continue
        # An undated work between dated ones (the volume is in date order) sorts just before
        # the next dated one; a preface before them or a chronicle after them is no work.
        for k in range(known[0], known[-1] + 1):
            sec, path, m = parts[k]
            key: tuple[float, ...] | None = keys[k]
            if key is None:
                nxt = keys[next(j for j in known if j > k)]
                assert nxt is not None  # (a known key)
                key = nxt[:-1] + (nxt[-1] - 0.5,)
            shown = m.get("Date") or m.get("Written") or m.get("Dictated") or "—"
            link = f"[{escape(nav_title(sec))}]({path})"
            by = m.get("Author") or author  # the document's own byline, when it prints one
            rows.append((key, escape(shown), link, escape(by),
                         escape(m.get("Published", "") or m.get("First published", ""))))
    lines = ["# Chronological index\n", "Every work in the library by date.\n",
             "| Date | Title | Author | First published |", "|---|---|---|---|"]
    for _k, date, title, author, pub in sorted(rows, key=lambda r: r[0]):
        cell = [c.replace("|", "\\|") for c in (date, title, author, pub)]
        lines.append("| " + " | ".join(cell) + " |")
    return Page("chronology.md", "Chronological index", "\n".join(lines) + "\n", "")


_WHEN = ("Date", "Written", "Dictated", "Published", "First published")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


def _date_key(text: str, year: int) -> tuple[int, ...] | None:
    """(year, month, day) of the first date in a printed date or header line ('January 17',
    'May 23-31, 1924', '15. VII. 24', '7/XI 24', '1924 01'); the year defaults to ``year``."""
    t = text.lower()
    m = re.search(r"\b(\d{1,2})\s*[./]\s*([ivx]{1,4})\.?\s*(\d{2})\b", t)
    if m and m.group(2) in _ROMAN:
        return 1900 + int(m.group(3)), _ROMAN.index(m.group(2)) + 1, int(m.group(1))
    m = re.search(r"^(\d{4})(?: (\d{1,2}))?(?: (\d{1,2}))?$", t.strip())
    if m:
        return tuple(int(g) for g in m.groups() if g)
    m = re.search(r"\b(" + "|".join(_MONTHS) + r")\b(?:\s+(\d{1,2})\b)?", t)
    if not m:
        only = re.search(r"\b(1[89]\d\d)\b", t)  # 'GIZ, 1925': the year alone
        return (int(only.group(1)), 0, 0) if only else None
    after = re.search(r"\b(1[89]\d\d)\b", t[m.end():]) or re.search(r"\b(1[89]\d\d)\b", t)
    found = int(after.group(1)) if after else year
    if not found:
        return None
    return found, _MONTHS.index(m.group(1)) + 1, int(m.group(2) or 0)


def build_library(source_dir: Path, only: Iterable[str] | None = None,
                  progress: Callable[[Iterable], Iterable] | None = None,
                  cache_dir: Path | None = None, workers: int | None = None,
                  started: Callable[[], None] | None = None) -> Built:
    """Convert every work under ``source_dir`` (or those in ``only``), in parallel, taking
    unchanged texts from ``cache_dir`` when given. ``started``: see ``cache.convert_many``
    (called at most once: not if the metadata has errors)."""
    timer = _Timer()
    lib, diags = metadata.load_library(source_dir)
    diags = list(diags)
    timer.lap("metadata")
    if any(d.level is Level.ERROR for d in diags):
        return Built((), [], (), tuple(diags))
    slugs = [s for s in lib.works if only is None or s in set(only)]
    # Each text is converted and given its paragraph ids from its ledger in one job (the
    # anchors stage depends on that text alone): cached together, and run on every core.
    jobs = [cache.Job(slug, lib.works[slug].model_dump_json(),
                      str(source_dir / slug / lib.works[slug].raw_file),
                      ledger=str(anchors.ledger_path(source_dir, slug)),
                      cite=anchors.work_citation(lib, slug)) for slug in slugs]
    keys: dict[str, str] = {}
    docs, fresh = cache.convert_many(jobs, cache_dir, workers, progress, keys, started)
    timer.lap("convert")
    timer.lap("anchors")  # done in the conversion's jobs (kept: the stage list stays the same)
    index_pages = {slug: work_index_page(doc, lib.works[slug], lib) for slug, doc in docs.items()}
    links_file = source_dir / "links.yml"
    links_config, links_diags = links.load_config(
        links_file.read_text("utf-8") if links_file.is_file() else None, str(links_file))
    memo = cache.load_links_memo(cache_dir) if cache_dir is not None else None
    linked = links.link_library(docs, lib, links_config,
                                {slug: page.path for slug, page in index_pages.items()}, memo,
                                workers or os.cpu_count() or 1)
    if cache_dir is not None:
        cache.store_links_memo(cache_dir, memo)
    docs = linked.docs
    diags.extend(links_diags + list(linked.diagnostics))
    timer.lap("links")
    # A work's own pages (chapters and transcription notes, with their citation front matter)
    # depend on that work alone once it is linked: rendered on every core ("render"). The
    # other pages are made and cited here ("citation"); a work's pages go where its slug is.
    rendered = render_works(docs, lib, {slug: page.path for slug, page in index_pages.items()},
                            workers, cache_dir, keys)
    order: list[Page | str] = [home_page(lib)]
    for slug, doc in docs.items():
        diags.extend(doc.diagnostics)
        index = index_pages[slug]
        order.append(dataclasses.replace(index, markdown=index.markdown + links.references_markdown(
            slug, linked, index.path)))
        order.append(slug)
    order.extend(linked.pages)
    order.append(chronology_page(lib, docs))
    order.extend(author_page(pid, works, lib) for pid, works in _works_by_author(lib))
    nav = nav_tree(lib, docs) + linked.nav
    timer.lap("render")
    cited = iter(reading.citation_pages(  # citation_* meta and titles (issue 12)
        [p for p in order if isinstance(p, Page)], docs, lib))
    pages = [q for p in order for q in (rendered[p] if isinstance(p, str) else (next(cited),))]
    timer.lap("citation")
    return Built(tuple(pages), nav, tuple(docs.values()), tuple(diags), lib,
                 converted=tuple(fresh), timings=tuple(timer.laps), conversion_keys=keys)


def work_pages(doc: Document, title: str, index_path: str, lib: metadata.Library) -> list[Page]:
    """A linked work's chapter pages and its transcription notes, with citation front matter
    (``reading.citation_pages`` treats every page alone, so a work's pages can be cited apart
    from the rest)."""
    pages = render_document(doc)
    pages.append(report.transcription_page(doc, title, index_path))
    return reading.citation_pages(pages, {doc.slug: doc}, lib)


_RENDER_INPUT: tuple = ()  # (docs, lib, index paths) for the forked worker of render_works


def _render_some(slugs: list[str]) -> dict[str, list[Page]]:
    docs, lib, index_paths = _RENDER_INPUT
    return {s: work_pages(docs[s], lib.works[s].title, index_paths[s], lib) for s in slugs}


def render_works(docs: dict[str, Document], lib: metadata.Library, index_paths: dict[str, str],
                 workers: int | None = None, cache_dir: Path | None = None,
                 keys: dict[str, str] | None = None) -> dict[str, list[Page]]:
    """``work_pages`` of every work. With a cache and each work's conversion key (``keys``), a
    work whose pages are stored under the same key is not rendered again (under ``mkdocs
    serve`` a change to one text leaves most works' links as they were)."""
    if cache_dir is None or not keys:
        return _render_works(docs, lib, index_paths, workers)
    page_keys = {s: cache.pages_key(keys[s], doc, repr((
        lib.works[s].title, index_paths[s], lib.works[s].model_dump_json(),
        reading.work_fields(lib.works[s], lib.people)))) for s, doc in docs.items() if s in keys}
    out: dict[str, list[Page]] = {}
    for s, key in page_keys.items():
        found = cache.cached_pages(cache_dir, s, key)
        if found is not None:
            out[s] = found
    todo = {s: doc for s, doc in docs.items() if s not in out}
    made = _render_works(todo, lib, index_paths, workers) if todo else {}
    for s, pages in made.items():
        if s in page_keys:
            cache.store_pages(cache_dir, s, page_keys[s], pages)
    out.update(made)
    return {s: out[s] for s in docs}


def _render_works(docs: dict[str, Document], lib: metadata.Library, index_paths: dict[str, str],
                  workers: int | None = None) -> dict[str, list[Page]]:
    """With more than one worker, a forked process renders the smaller half of the text while
    this one renders the rest (the documents are inherited, not sent; only the pages come
    back)."""
    global _RENDER_INPUT
    slugs = list(docs)
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(slugs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        _RENDER_INPUT = (docs, lib, index_paths)
        try:
            return _render_some(slugs)
        finally:
            _RENDER_INPUT = ()
    size = {s: sum(len(b.text) for b in anchors.anchored_blocks(docs[s].sections)) for s in slugs}
    mine: list[str] = []
    theirs: list[str] = []
    load = [0, 0]
    for s in sorted(slugs, key=lambda s: -size[s]):  # largest first, to the lighter side
        side = 0 if load[0] <= load[1] else 1
        (mine, theirs)[side].append(s)
        load[side] += size[s]
    _RENDER_INPUT = (docs, lib, index_paths)
    try:
        # Everything alive now lives to the end of the build: frozen, the collector of the
        # child never walks it (walking would copy every page of memory it touches).
        gc.freeze()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_render_some, theirs)
            out = _render_some(mine)
            out.update(future.result())
    finally:
        _RENDER_INPUT = ()
    return out


class _Timer:
    """Wall time of each stage, so a build can say where its time went (logged by the plugin,
    read by the benchmark); never used to decide anything. benchmarks/structure_profile.py sets
    ``clock`` to ``time.process_time`` to read CPU time instead."""

    clock = staticmethod(time.perf_counter)

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = self.clock()

    def lap(self, stage: str) -> None:
        now = self.clock()
        self.laps.append((stage, now - self._last))
        self._last = now
