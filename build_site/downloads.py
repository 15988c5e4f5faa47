"""Downloads for every work (EPUB 3, plain text), written after the HTML build.

Readers carry texts offline and cite them by paragraph, so both formats are made from the same
``Document`` the site renders: the EPUB keeps the site's paragraph ids (a citation 'p-12' works in
both) and its notes are EPUB 3 footnotes (``epub:type`` noteref/footnote) that e-readers show as
popups. Text from a source is escaped as XML text: it is data, never markup.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import html
import itertools
import re
import shutil
import textwrap
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .model import Block, BlockKind, Document, Note, Section
from .render import _assign_ids, _walk, page_paths

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

FIXED_TIME = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)
"""dcterms:modified and zip entry times: a constant (the zip epoch), so that two builds of the
same texts give byte-identical files (tests/test_determinism.py) whatever the build date."""

FOLDER = "downloads"
"""Site folder holding every work's files, so their URLs stay put when page URLs change."""

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_KEY = re.compile(r"[^A-Za-z0-9-]")

EPUB_CSS = """\
body { font-family: serif; line-height: 1.5; }
h1, h2, h3, h4, h5, h6 { font-variant-caps: normal; line-height: 1.2; }
p { margin: 0 0 0.6em; text-indent: 0; }
p.subtitle { font-style: italic; }
p.source-meta { font-size: 0.9em; font-style: italic; }
p.damaged { color: #7a3b00; border-left: 3px solid #c0722f; padding-left: 0.5em; }
hr.section-break { border: 0; text-align: center; margin: 1em 0; }
hr.section-break::after { content: "* * *"; }
blockquote { margin: 0.6em 1.5em; }
pre { white-space: pre-wrap; font-size: 0.85em; }
dl.work-meta dt { font-weight: bold; }
dl.work-meta dd { margin: 0 0 0.4em 1em; }
aside.footnote { font-size: 0.9em; }
sup a { text-decoration: none; }
"""


@dataclass(frozen=True)
class WorkInfo:
    """The metadata a download carries: what the work is and where the text came from."""

    slug: str
    title: str
    authors: tuple[str, ...]
    date: str  # ISO partial date or range, as in work.yml
    language: str = "en"
    subtitle: str = ""
    date_display: str = ""
    publisher: str = ""
    edition: str = ""
    source: str = ""
    source_url: str = ""
    translators: tuple[str, ...] = ()


def work_info(slug: str, meta, people) -> WorkInfo:
    """WorkInfo from a work's validated metadata and the people it names."""
    return WorkInfo(
        slug=slug, title=meta.title, subtitle=meta.subtitle,
        authors=tuple(people[a].name for a in meta.authors if a in people),
        date=meta.date, date_display=meta.date_display, language=meta.language,
        publisher=meta.publisher, edition=meta.edition, source=meta.source.description,
        source_url=meta.source.url, translators=tuple(meta.translators))


def file_names(slug: str) -> dict[str, str]:
    """Format label -> file path under the site root."""
    return {"EPUB": f"{FOLDER}/{slug}.epub", "Plain text": f"{FOLDER}/{slug}.txt"}


def downloads_html(slug: str, page_path: str) -> str:
    """The work page's 'Downloads' line: links relative to the page at docs path ``page_path``.

    Raw HTML rather than Markdown links, because the files are written after the build and
    MkDocs' link validation would report them as missing.
    """
    parts = PurePosixPath(page_path).parts
    depth = len(parts) - 1 if parts[-1] == "index.md" else len(parts)
    up = "../" * depth
    links = " · ".join(f'<a href="{html.escape(up + path)}" download>{label}</a>'
                       for label, path in file_names(slug).items())
    return f'<p class="downloads"><strong>Downloads:</strong> {links}</p>\n'


def _xml(text: str) -> str:
    # A printable text has none of the characters XML forbids (all unprintable: checked over
    # every code point in tests/test_downloads_speed.py): no regex scan for them.
    return html.escape(text if text.isprintable() else _XML_BAD.sub("", text), quote=True)


def _date_start(date: str) -> str:
    """W3C date for dc:date: the start of a range ('1922-12/1923-03' -> '1922-12')."""
    return date.partition("/")[0]


def _note_keys(sections: Sequence[Section], notes: dict[str, Note]) -> dict[str, str]:
    """note id -> XML id, in order of first reference on the page (as the site numbers them)."""
    keys: dict[str, str] = {}
    for sec in sections:
        for ref in [*sec.title_refs, *(r for b in sec.blocks for r in b.refs)]:
            if ref.note_id in notes and ref.note_id not in keys:
                keys[ref.note_id] = "fn-" + _KEY.sub("-", ref.note_id)
    return keys


def _inline(text: str, refs, keys: dict[str, str], numbers: dict[str, int]) -> str:
    if not refs:  # most blocks
        return _xml(text)
    out, last = [], 0
    for ref in sorted(refs, key=lambda r: r.offset):
        out.append(_xml(text[last:ref.offset]))
        if ref.note_id in keys:
            key = keys[ref.note_id]
            out.append(f'<sup><a epub:type="noteref" href="#{key}" role="doc-noteref">'
                       f"{numbers[ref.note_id]}</a></sup>")
        last = ref.offset
    out.append(_xml(text[last:]))
    return "".join(out)


def _block_xhtml(block: Block, anchor: str, keys, numbers) -> str:
    body = _inline(block.text, block.refs, keys, numbers)
    idattr = f' id="{_xml(anchor)}"' if anchor else ""
    if block.kind is BlockKind.BREAK:
        return '<hr class="section-break"/>'
    if block.kind is BlockKind.QUOTE:
        return f"<blockquote><p{idattr}>{body}</p></blockquote>"
    if block.kind is BlockKind.TABLE:
        return f"<pre{idattr}>{body}</pre>"
    cls = {BlockKind.META: ' class="source-meta"',
           BlockKind.DAMAGED: ' class="damaged" title="damaged in the source"'}.get(block.kind, "")
    return f"<p{idattr}{cls}>{body}</p>"


def _meta_xhtml(meta: Sequence[tuple[str, str]]) -> str:
    if not meta:
        return ""
    rows = "".join(f"<dt>{_xml(k)}</dt><dd>{_xml(v)}</dd>" for k, v in meta)
    return f'<dl class="work-meta">{rows}</dl>'


def chapter_xhtml(section: Section, doc: Document) -> str:
    """The body of one page of the work: headings, paragraphs with the site's ids, footnotes."""
    sections = list(_walk(section))
    ids = _assign_ids(sections)
    notes = {n.note_id: n for n in doc.notes}
    keys = _note_keys(sections, notes)
    numbers = {nid: i for i, nid in enumerate(keys, 1)}
    parts = []
    for sec in sections:
        level = 1 if sec is section else min(6, 1 + sec.level)
        sid = "" if sec is section else f' id="{_xml(sec.slug)}"'
        title = _inline(sec.title, sec.title_refs, keys, numbers)
        parts.append(f"<h{level}{sid}>{title}</h{level}>")
        if sec.subtitle:
            parts.append(f'<p class="subtitle">{_xml(sec.subtitle)}</p>')
        parts.append(_meta_xhtml(sec.meta))
        for b in sec.blocks:
            parts.append(_block_xhtml(b, ids.get(id(b), b.anchor), keys, numbers))
    if keys:
        parts.append('<section epub:type="footnotes" role="doc-endnotes"><hr/>')
        for nid, key in keys.items():
            parts.append(f'<aside epub:type="footnote" role="doc-footnote" id="{key}">'
                         f"<p>{numbers[nid]}. {_xml(notes[nid].text)}</p></aside>")
        parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _title_page(info: WorkInfo) -> str:
    rows = [("Author", ", ".join(info.authors)), ("Written", info.date_display or info.date)]
    rows += [(k, v) for k, v in (("Translated by", ", ".join(info.translators)),
                                 ("Edition", info.edition), ("Publisher", info.publisher),
                                 ("Source of this text", info.source),
                                 ("Source address", info.source_url)) if v]
    sub = f'<p class="subtitle">{_xml(info.subtitle)}</p>' if info.subtitle else ""
    return f"<h1>{_xml(info.title)}</h1>{sub}{_meta_xhtml(rows)}"


def _book_id(slug: str) -> str:
    """Stable identifier, so a re-built EPUB is the same book to a reading app."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"library-of-historical-texts/{slug}"))


def epub_bytes(doc: Document, info: WorkInfo,
               modified: datetime.datetime | None = None) -> bytes:
    """The work as an EPUB 3 file (bytes): title page, one chapter per site page, nav and NCX."""
    import io

    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier(_book_id(info.slug))
    book.set_title(info.title)
    book.set_language(info.language)
    for i, name in enumerate(info.authors, 1):
        book.add_author(name, uid=f"creator{i}")
    book.add_metadata("DC", "date", _date_start(info.date))
    if info.publisher:
        book.add_metadata("DC", "publisher", info.publisher)
    book.add_metadata("DC", "source", info.source_url or info.source)
    desc = "; ".join(x for x in (info.subtitle, info.edition, info.source) if x)
    if desc:
        book.add_metadata("DC", "description", desc)
    css = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                        content=EPUB_CSS.encode())
    book.add_item(css)

    def page(uid: str, name: str, title: str, body: str):
        item = epub.EpubHtml(uid=uid, title=title, file_name=name, lang=info.language,
                             content=f"<html><body>{body}</body></html>")
        item.add_item(css)
        book.add_item(item)
        return item

    spine = [page("title", "title.xhtml", info.title, _title_page(info))]
    paths = page_paths(doc)
    items = {}
    for i, (sec, _path) in enumerate(paths, 1):
        items[id(sec)] = page(f"c{i}", f"c{i:03d}.xhtml", sec.title, chapter_xhtml(sec, doc))
        spine.append(items[id(sec)])

    def toc(sections: Iterable[Section]) -> list:
        out = []
        for sec in sections:
            if not sec.is_page:
                continue
            item = items[id(sec)]
            link = epub.Link(item.file_name, sec.title, item.id)
            inner = [epub.Link(f"{item.file_name}#{s.slug}", s.title, f"{item.id}-{s.slug}")
                     for s in _walk(sec) if s is not sec]
            subs = toc(sec.children)
            if inner or subs:
                out.append((epub.Section(sec.title, item.file_name), [link, *inner, *subs]))
            else:
                out.append(link)
        return out

    book.toc = [epub.Link("title.xhtml", info.title, "title-link"), *toc(doc.sections)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *spine]
    buf = io.BytesIO()
    # No EPUB 3 'page-list': ebooklib fills it with every element that has an epub:type and
    # an id, here each footnote, which are not print pages (e-readers offered them as "pages");
    # it also parsed every chapter once more to find them (0.2 of 0.9 s of CPU at 10x).
    writer = _writer_class()(buf, book, {"mtime": modified or FIXED_TIME, "epub3_pages": False})
    writer.process()
    writer.write()
    return buf.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry ``FIXED_TIME`` and mode 0644, so that the same EPUB comes
    out for the same input: ebooklib names entries by path, and zipfile stamps them with the
    time of writing. Each entry keeps the archive's compression at zlib's default level."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


@functools.cache
def _writer_class() -> type:
    """ebooklib's EPUB writer with its zip made by ``_FixedTimeZip``: written once, where
    stamping the entries afterwards meant inflating and deflating the whole book again."""
    from ebooklib import epub

    class Writer(epub.EpubWriter):
        def write(self) -> None:  # ebooklib 0.20's EpubWriter.write, the zip class apart
            self.out = _FixedTimeZip(self.file_name, "w", zipfile.ZIP_DEFLATED)
            self.out.writestr("mimetype", "application/epub+zip",
                              compress_type=zipfile.ZIP_STORED)  # first and stored (EPUB)
            self._write_container()
            self._write_opf()
            self._write_items()
            self.out.close()

    return Writer


_WS_TRANS = textwrap.TextWrapper.unicode_whitespace_trans
_WORD_SEP = textwrap.TextWrapper.wordsep_simple_re
# Whitespace other than a single space between words: any other whitespace character (what
# str.strip removes, which textwrap's blank-chunk test uses), two spaces, or an outer space.
_NOT_SIMPLE = re.compile(r"[^\S ]|  |^ | $")


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
    break_long_words=False, break_on_hyphens=False)``, line for line, in a fraction of its time.

    textwrap moves its chunks (words and runs of whitespace) one by one; here each line is
    found by bisecting the chunks' running lengths. Same chunks (textwrap's own whitespace
    table and separator), same greedy rule: a line takes the most chunks that fit, drops a
    blank chunk at its end (and one at its start after the first line), and a word longer than
    the line stands alone (tests/test_downloads.py compares the two on random texts). Text
    whose only whitespace is single spaces between words (nearly every paragraph) takes a
    shorter road: each line ends at the last space within reach."""
    room = width - len(indent)
    if room <= 0:
        raise ValueError(f"invalid width {width!r} (must be > {len(indent)})")
    if _simple(text):
        return _wrap_simple(text, room, indent) if text else []
    chunks = [c for c in _WORD_SEP.split(text.expandtabs().translate(_WS_TRANS)) if c]
    ends = list(itertools.accumulate(map(len, chunks), initial=0))
    lines: list[str] = []
    i, n = 0, len(chunks)
    while i < n:
        if lines and not chunks[i].strip():
            i += 1
            if i == n:
                break
        j = bisect.bisect_right(ends, ends[i] + room, i) - 1  # chunks i..j-1 fit
        if j == i:  # the next word is longer than a line: alone on it
            j += 1
        end = j - 1 if not chunks[j - 1].strip() else j
        if end > i:
            lines.append(indent + "".join(chunks[i:end]))
        i = j
    return lines


def _simple(text: str) -> bool:
    """``not _NOT_SIMPLE.search(text)``, by string methods when the text is printable: every
    whitespace character but the space is unprintable (tests/test_downloads_speed.py checks every
    code point), so a printable text has no other whitespace. The regex search took two thirds
    of ``plain_text``'s time (0.21 of 0.32 s of CPU at 10x)."""
    if text.isprintable():
        return not ("  " in text or text.startswith(" ") or text.endswith(" "))
    return not _NOT_SIMPLE.search(text)


def _wrap_simple(text: str, room: int, indent: str) -> list[str]:
    """``_wrap`` of a text of words separated by single spaces (``_NOT_SIMPLE`` finds none)."""
    lines: list[str] = []
    start, n = 0, len(text)
    while n - start > room:
        space = text.rfind(" ", start, start + room + 1)
        if space <= start:  # no space within reach: a word longer than a line, alone on it
            space = text.find(" ", start)
            if space < 0:
                break
        lines.append(indent + text[start:space])
        start = space + 1
    lines.append(indent + text[start:])
    return lines


def plain_text(doc: Document, info: WorkInfo, width: int = 72) -> str:
    """The work as plain text: a header, then each page's text, with its notes after it."""
    out = [info.title, "=" * min(width, len(info.title))]
    if info.subtitle:
        out.append(info.subtitle)
    out += ["", "By " + ", ".join(info.authors), info.date_display or info.date]
    for label, value in (("Edition", info.edition), ("Publisher", info.publisher),
                         ("Source", info.source), ("Source address", info.source_url)):
        if value:
            out.extend(_wrap(f"{label}: {value}", width))
    notes = {n.note_id: n for n in doc.notes}
    for sec, _path in page_paths(doc):
        sections = list(_walk(sec))
        keys = _note_keys(sections, notes)
        numbers = {nid: i for i, nid in enumerate(keys, 1)}
        for s in sections:
            title = _with_marks(s.title, s.title_refs, numbers)
            out += ["", "", title, ("=" if s is sec else "-") * min(width, len(title))]
            if s.subtitle:
                out.append(s.subtitle)
            out += [f"{k}: {v}" for k, v in s.meta]
            for b in s.blocks:
                out.append("")
                if b.kind is BlockKind.BREAK:
                    out.append("* * *".center(width).rstrip())
                elif b.kind is BlockKind.TABLE:
                    out.append(b.text)
                else:
                    text = _with_marks(b.text, b.refs, numbers)
                    if b.kind is BlockKind.DAMAGED:
                        text = "[damaged in the source] " + text
                    indent = "    " if b.kind is BlockKind.QUOTE else ""
                    # textwrap.fill's lines, split again as its joined text was
                    out.extend("\n".join(_wrap(text, width, indent)).splitlines())
        if keys:
            out += ["", "Notes", ""]
            for nid in keys:
                out.extend(_wrap(f"[{numbers[nid]}] {notes[nid].text}", width))
    return "\n".join(out).rstrip() + "\n"


def _with_marks(text: str, refs, numbers: dict[str, int]) -> str:
    out, last = [], 0
    for ref in sorted(refs, key=lambda r: r.offset):
        out.append(text[last:ref.offset])
        if ref.note_id in numbers:
            out.append(f"[{numbers[ref.note_id]}]")
        last = ref.offset
    out.append(text[last:])
    return "".join(out)


def write_downloads(built, site_dir: Path) -> None:
    """Write site/downloads/<slug>.epub and .txt for every converted work."""
    Downloads.start(built, None, workers=0).finish(site_dir)


def _ready() -> None:
    """A worker's first job when ``Downloads.start`` holds the others: load what ``make_files``
    needs (this module is loaded to unpickle this call)."""
    from ebooklib import epub  # noqa: F401


def make_files(doc: Document, info: WorkInfo, folder: str) -> None:
    """Write one work's EPUB and text into ``folder`` (``_<slug>.epub`` / ``.txt``, renamed to
    ``<slug>.*`` last, so a file under the final name is always complete). Runs in a worker."""
    names = {k: Path(folder) / PurePosixPath(v).name for k, v in file_names(doc.slug).items()}
    epub, txt = epub_bytes(doc, info), plain_text(doc, info).encode("utf-8")
    for path, data in ((names["EPUB"], epub), (names["Plain text"], txt)):
        tmp = path.with_name("_" + path.name)
        tmp.write_bytes(data)
        tmp.replace(path)


def download_key(doc: Document, info: WorkInfo, conversion: str = "") -> str:
    """What a work's files are made from: the document as the site renders it, the work's
    metadata, the package's code and the EPUB library's version.

    The document is its conversion and what the links stage changed in it (``cache.pages_key``
    hashes the two the same way for the work's pages): with ``conversion``, the key of the
    cached conversion it came from (``Built.conversion_keys``), the links stage's changes are hashed
    with it; without, the document's repr (every field; 0.15 s of CPU at 10x, in the build
    process before MkDocs starts, against 0.03 s)."""
    from importlib.metadata import PackageNotFoundError, version

    from .cache import package_version, pages_key

    try:
        ebooklib = version("EbookLib")
    except PackageNotFoundError:
        ebooklib = "?"
    if conversion:
        return "c" + pages_key(conversion, doc, f"downloads {ebooklib} {info!r}")[:23]
    h = hashlib.sha256(f"{package_version()} {ebooklib}".encode())
    h.update(repr(info).encode())
    h.update(repr(doc).encode())
    return h.hexdigest()[:24]


def early_pool(workers: int | None = None) -> ProcessPoolExecutor | None:
    """A process pool for ``Downloads.start``, forked now (the plugin calls this before the
    conversion, when the build process is still small and runs one thread), or None where
    that cannot be done safely (no ``fork``, or other threads running: a fork copies their
    locks as they are, held or not; ``Downloads.start`` then spawns its workers).

    Why forked, and early: a spawned worker is a fresh interpreter that imports MkDocs's
    command line again (``__main__``) and starts multiprocessing's resource tracker, a second
    interpreter (for the semaphores of a spawned pool; a forked pool's are unlinked at once):
    about 0.3 s of CPU on the 1x corpus (benchmarks/cpu_timeline.py: 'spawned' and 'python'),
    spent while MkDocs keeps both cores busy. A fork of the process before the conversion
    copies no document (the jobs are sent as before) and costs a few milliseconds.
    ``workers``: None, one a spare core (at least one)."""
    import multiprocessing
    import os
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    workers = workers or max(1, (os.cpu_count() or 1) - 1)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        for _ in range(workers):  # the first job forks every worker, now
            pool.submit(_ready)
    except Exception:  # noqa: BLE001 (no fork now: Downloads.start spawns its workers)
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


@dataclass
class Downloads:
    """The downloads of one build, made while MkDocs renders the HTML and copied into the site
    after it (``finish``). With a cache folder, a work's files are kept there under the hash of
    their inputs (``download_key``), so a rebuild remakes only the files of a changed text;
    missing files are made in worker processes (the MkDocs build itself uses one core)."""

    files: list[tuple[str, Path]]  # (slug, folder holding <slug>.epub and .txt)
    pending: list  # futures of make_files still running
    pool: ProcessPoolExecutor | None
    scratch: Path | None  # a temporary folder (no cache): removed by ``finish``
    made: list[str]  # slugs whose files this build makes (not found in the cache)
    held: list = field(default_factory=list)  # jobs for the workers, until ``release``

    @classmethod
    def start(cls, built, cache_dir: Path | None, workers: int | None = None,
              conversions: dict[str, str] | None = None, hold: bool = False,
              pool: ProcessPoolExecutor | None = None) -> Downloads:
        """Find each work's files in ``cache_dir`` or start making them (``workers``=0: now,
        in this process; None: one worker per spare core, at least one; ``pool``: in the
        workers of ``early_pool``, which this ``Downloads`` then owns). ``conversions``: slug
        -> the key of the cached conversion each document of ``built`` was linked from
        (``Built.conversion_keys``), for a cheaper
        ``download_key``; only for documents exactly as ``build_library`` returned them.
        ``hold``: the workers start (a fresh interpreter takes a tenth of a second of CPU) but
        get their jobs only at ``release`` (the plugin lets them run when a core is free)."""
        import os
        import tempfile

        lib = getattr(built, "library", None)
        files: list[tuple[str, Path]] = []
        jobs: list[tuple[Document, WorkInfo, Path]] = []
        scratch = None
        if cache_dir is None:
            scratch = Path(tempfile.mkdtemp(prefix="library-downloads-"))
        converted = conversions or {}
        for doc in built.documents if lib is not None else ():
            assert lib is not None  # (the loop runs only then)
            if not doc.sections or doc.slug not in lib.works:
                continue
            info = work_info(doc.slug, lib.works[doc.slug], lib.people)
            if scratch is not None:
                folder = scratch
            else:
                assert cache_dir is not None  # (no scratch folder only with a cache)
                key = download_key(doc, info, converted.get(doc.slug, ""))
                folder = cache_dir / "downloads" / f"{doc.slug}-{key}"
            files.append((doc.slug, folder))
            names = [folder / PurePosixPath(n).name for n in file_names(doc.slug).values()]
            if not all(n.is_file() for n in names):
                jobs.append((doc, info, folder))
        if cache_dir is not None:
            keep = {f.name for _, f in files}
            for old in (cache_dir / "downloads").glob("*") if jobs else ():
                if old.is_dir() and old.name not in keep and any(
                        old.name.startswith(f"{doc.slug}-") for doc, _, _ in jobs):
                    shutil.rmtree(old, ignore_errors=True)  # a changed text's old files
        for _, _, folder in jobs:
            folder.mkdir(parents=True, exist_ok=True)
        slugs = [doc.slug for doc, _, _ in jobs]
        warming: list = []  # a spawned pool's first jobs, which start its workers now
        if pool is not None and not jobs:  # forked already, and nothing to make
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        elif pool is None:  # (a forked pool takes even one job)
            if workers is None:
                workers = max(1, min(len(jobs), (os.cpu_count() or 1) - 1))
            if workers > 0 and len(jobs) > 1:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # 'spawn': a fresh interpreter, not a copy of this large process (memory) and
                # safe beside the threads of ``mkdocs serve``.
                pool = ProcessPoolExecutor(workers,
                                           mp_context=multiprocessing.get_context("spawn"))
                if hold:
                    warming = [pool.submit(_ready) for _ in range(workers)]
        if pool is None:
            for doc, info, folder in jobs:
                make_files(doc, info, str(folder))
            return cls(files, [], None, scratch, slugs)
        if hold:
            return cls(files, warming, pool, scratch, slugs, held=jobs)
        return cls(files, [pool.submit(make_files, doc, info, str(folder))
                           for doc, info, folder in jobs], pool, scratch, slugs)

    def release(self) -> None:
        """Give the workers the jobs ``start`` held."""
        held, self.held = self.held, []
        if self.pool is not None:
            self.pending.extend(self.pool.submit(make_files, doc, info, str(folder))
                                for doc, info, folder in held)

    def finish(self, site_dir: Path) -> None:
        """Wait for the workers and put every work's files into ``site_dir/downloads``."""
        try:
            self.release()
            for future in self.pending:
                future.result()
            if not self.files:
                return
            target = site_dir / FOLDER
            target.mkdir(parents=True, exist_ok=True)
            for slug, folder in self.files:
                for name in file_names(slug).values():
                    src = folder / PurePosixPath(name).name
                    if self.scratch is not None:
                        src.replace(site_dir / name)
                    else:
                        shutil.copyfile(src, site_dir / name)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers and drop the temporary folder (also after a failed build)."""
        if self.pool is not None:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)
            self.pool = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
