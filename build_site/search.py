"""Full-text search index, written after MkDocs has built the HTML (records made meanwhile).

Readers search for a half-remembered sentence and want to land on it. A Pagefind record holds
a run of consecutive paragraphs and headings of one page (at most ``MAX_WORDS`` words;
footnotes apart), each paragraph written with the id the built page gives it: Pagefind keeps
those ids with their word positions ("anchors"), so the browser opens the page at the
paragraph where the words were found (``chapter/#p-12``). Not one record per paragraph: the
browser fetches Pagefind's page list whole before the first result, about 7.5 bytes a record
(150 KB for the 23,000 paragraphs of a 10x corpus), and Pagefind's time to rank a query grows
with the records that match it. Measured at 50x (benchmarks/search_timing.py): runs of 1,000
words gave 16,775 records, a 122 KB page list and 1.5 s for 'revolution' (10,549 results);
runs of 3,000 words give 7,912 records, 61 KB and 1.0 s, for 3 KB more per fragment (about
7 KB, five fetched before the first results). Ids and text are read from the built
HTML, not re-derived from the model, so the index always agrees with what the browser shows
whatever the anchors and render stages decide. Author, work and
chapter come from the library metadata and the section tree.

A library of more than ``MAX_INDEX_WORDS`` words is indexed in parts, one Pagefind run after
another, merged in the browser (``write_records``): Pagefind's indexer holds about 290 bytes
per word, and the whole build must stay under 2 GiB with the build process alive beside it
(0.28 GB at 50x once the plugin has let the documents and pages go and ``release_memory`` has
returned the memory; 1.05 GB before). Measured at 50x (11.8 M words; peak RSS of each indexer
run; KB fetched before the first five results for 'revolution' / 'dictatorship of the
proletariat' / '"the peasant question"', benchmarks/search_timing.py): one index 3,388 MB,
286 / 281 / 577 KB; two parts 1,799 + 1,634 MB (over 2 GiB with the build process); three
(4 M words each, kept) 1,235 + 1,168 + 1,138 MB, 362 / 368 / 667 KB, build peak 1,427-1,548
MB (summed PSS, 3 builds; 2,020-2,137 MB with four parts and the documents kept); four (3 M
words) at most 922 MB, 401 / 391 / 686 KB: each query word fetches an index chunk of every
part, and each part costs its page list (about 20 KB). 1x and 10x stay one index.

Time. The records are made while MkDocs writes the HTML, in a second process fed each page as
it is written (``BackgroundStager``; the second core idles in that stage), with a scan of the
article instead of html.parser (``extract_passages``), so the search stage is the indexer's
runs alone; Pagefind is run as its binary. Measured on this 2-core machine under other load
(main process of the build, search stage wall / CPU; benchmarks' corpora): before, 1x 0.86 /
0.29 s, 10x 7.9-9.3 / 3.1 s (making and staging records 2.9-3.1 s of it), 50x 39.2 / 20.9 s
(21.0 s of records, three Pagefind runs of 5.8-6.0 s); after, 1x 0.53 / 0.02 s, 10x 3.5-6.1
/ 0.07 s, 50x 23.9-47.5 / 0.54-0.64 s in six builds on a busier machine (Pagefind 6.6-14.6 s
a run, 7.3-9.3 s of CPU each time, as before); the worker's 0.2 / 1.1-1.8 / 7.1-10.1 s of CPU
go to the second core during the HTML stage. Pagefind parses on every core, then builds and
writes the index mostly on one. Since then the worker stages its files in RAM (``stage_parent``)
and its scan is quicker where nothing can be text (the page before its article: ``_outside``;
furniture's attributes) and where text needs no respacing (``_space``): at 10x its CPU went from
1.12-1.55 to 0.78-0.84 s in cold builds (best of three: 1.12 to 0.78; the kernel time of
creating the files on disk varied with the disk's load).

Now the worker is fed earlier still: each page's article as MkDocs renders the page's Markdown
(``article_html``: Material's content partial around the content, the same passages as the
written page; the plugin falls back to the written pages when a theme override, or another
plugin's page_context or post_page hook, could change them). The records are then ready when
the templates start, and when they make one index that fits beside the build process
(``start_index``: 1x and 10x) the indexer runs while the templates are written, filling the
core that each of them leaves idle part of the time. A larger library keeps its parts for the
end, when the build process has let its pages go; a part's bundle is copied while the next
part is indexed.

Why Pagefind's command and not its service (``pagefind --service``, which its Python API
drives), although the service could parse each record as it is made, during the Markdown
stage, and leave only building and writing the index for later. Measured on the 10x corpus's
1,592 records (benchmarks/pagefind_phases.py, CPU seconds, best-worst of 3 runs each): the
command parses in 1.91-2.02 (on both cores) and builds and writes in 2.39-2.47 (mostly on
one), 4.30-4.49 in all, 711 MB; the service parses in 2.11-2.23, then builds and writes in
3.35-3.39 (on one core; as much with ``GetFiles``), 5.46-5.59 in all, 785 MB (1x: 0.49-0.51
against 0.61-0.64). What is left after the Markdown stage (3.4 s of one core against 2.0 on
two and 2.4 on one) is not much shorter, for 1.1 s more CPU, and 0.3-0.8 s more in the records'
process (which encoded each record for the service): on two cores, no shorter build to expect.
Tried in the build (10x, four interleaved pairs, the machine loaded by other work): 41.9-44.0 s
with the service, 44.2-48.5 s without, but the Markdown stage, which the service makes busier,
was as much shorter (13.2-15.8 against 16.5-20.1 s): the other load made the difference (and
a build with more busy processes takes more of a loaded machine). Fewer, larger records do
not help either: Pagefind's CPU follows the words, not the files (10x, 1,592 / 1,142 / 1,093
records: 4.1-4.2 / 4.3 / 4.3-4.35 s, two runs each).

Everything shown beside a result (URL, chapter, author, work) is stored as a Pagefind
*filter*, never as *meta*: Pagefind makes meta values searchable, so with a 'work' meta the
phrase "Revolution Betrayed" matched all 660 paragraphs of that book. Filter values are not
searchable, come back with each result, and a filter's index is only fetched when a reader
filters by it (author and work are offered; the rest never are).

The browser side is ``docs/assets/search.js`` (Pagefind's JavaScript API, our own results in
Material's header), ``overrides/partials/header.html`` and ``library-search.html``.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from .model import Document, Section, all_sections
from .render import page_paths

BUNDLE_DIR = "pagefind"  # under site_dir; search.js loads pagefind/pagefind.js from here
FACETS = "library-facets.json"  # in BUNDLE_DIR: authors and works for the filter lists
MAX_WORDS = 3000  # words in one record: see the module docstring
PARTS = "library-parts.json"  # in BUNDLE_DIR: the further indexes the browser merges
# Words in one Pagefind index (1x: 0.24 M words, 85 MB of indexer; 10x: 2.35 M, 700 MB;
# 50x: 11.8 M, 3.4 GB as one index): a larger library is indexed in parts (module docstring,
# write_records). 4 M: three parts at 50x (1.2 GB of indexer beside a 0.28 GB build process).
MAX_INDEX_WORDS = 4_000_000

# Block elements that hold a reader's passage. A container (blockquote, div) counts only when
# it carries the id itself; otherwise its inner paragraphs do.
_LEAF_BLOCKS = {"p", "li", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_ID_CONTAINERS = {"blockquote", "div", "figure", "section", "aside", "dl", "ol", "ul"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
# Furniture inside passages: permalink pilcrows, note markers ('1'), back-links ('↩').
_SKIP_CLASSES = {"headerlink", "footnote-ref", "footnote-backref"}
_SKIP_TAGS = {"script", "style", "template", "button", "svg", "nav", "form"}


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a built page; ``anchor`` is its element id ('' = page top)."""

    anchor: str
    text: str
    kind: str  # 'paragraph', 'note' or 'heading'
    heading: str = ""  # the nearest heading above it on the page ('' = the page title only)


@dataclass(frozen=True)
class Record:
    """One Pagefind record: consecutive ``(id, text, tag)`` passages of the page at ``url``
    (root-relative, '/work/chapter/'); ``tag`` is 'p', or 'h1'/'h2' for the page title and a
    heading inside it. ``show`` (chapter, section, kind) and ``filters`` (author, work) are both
    written as Pagefind filters."""

    url: str
    passages: tuple[tuple[str, str, str], ...]
    language: str
    show: tuple[tuple[str, str], ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    # len(content.split()), counted here when not given: ``page_records`` gives the count it
    # grouped the passages by (their words add up: a space between two texts neither joins two
    # words nor splits one), which spares counting every word of the library twice.
    words: int = -1

    def __post_init__(self) -> None:
        if self.words < 0:
            object.__setattr__(self, "words", sum(len(t.split()) for _, t, _ in self.passages))

    @property
    def content(self) -> str:
        return " ".join(text for _, text, _ in self.passages)


@dataclass(frozen=True)
class WorkInfo:
    """What a result names besides the chapter: the work and its authors."""

    title: str
    authors: tuple[str, ...]
    language: str = "en"


def _single_spaced(text: str) -> bool:
    """True if the only whitespace in ``text`` is single spaces between words (the form
    ``_space`` gives). Every whitespace character but the space is unprintable (checked for
    every code point in tests/test_search_fast_paths.py), so string methods tell it."""
    return (text.isprintable() and "  " not in text and not text.startswith(" ")
            and not text.endswith(" "))


def _space(text: str) -> str:
    """The text's words joined by single spaces (str.split's whitespace is the regex \\s's,
    checked for every code point). Nearly every passage is one line of single-spaced words
    already: returned as it is (10x: 0.05 against 0.12 s of CPU for splitting and joining)."""
    if _single_spaced(text):
        return text
    return " ".join(text.split())


# The built page is scanned with regular expressions, not html.parser (at 10x, 703 pages: 0.63
# against 2.38 s of CPU): it is MkDocs's own well-formed output, and only its <article> matters
# (a third of the page). Outside the article only what could hide an '<article' counts:
# comments, script and style. The walk inside is the one html.parser drove (same passages on
# every page of the 1x, 10x and 50x benchmark corpora).
_OUTSIDE = re.compile(r"<!--.*?--\s*>|<(script|style)(?=[\s/>])[^>]*>.*?</\s*\1\s*>"
                      r"|(<article)(?=[\s/>])", re.DOTALL | re.IGNORECASE)
# Where an ``_OUTSIDE`` match may start: searched for first, then ``_OUTSIDE`` tried there alone
# (the same matches: every match starts with one of these). Python's re searches this one some
# ten times faster (10x corpus, 843 pages, scan to the article: 0.025 against 0.25 s of CPU).
_OUTSIDE_START = re.compile(r"<(?:!--|script|style|article)", re.IGNORECASE)
# One token: a start or end tag (slash, name, attributes), a comment, a declaration.
_TOKEN = re.compile(r"<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
                    r"|<!--.*?--\s*>|<![^>]*>|<\?[^>]*>", re.DOTALL)
_ATTR = re.compile(r"""([^\s/>=][^\s/=>]*)(?:\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")
_RAW_END = {"script": re.compile(r"</\s*script\s*>", re.IGNORECASE),  # where raw text ends
            "style": re.compile(r"</\s*style\s*>", re.IGNORECASE)}


# The attributes the walk reads: the others (links' data-*, the anchors' JSON) are not unescaped.
_READ = frozenset({"class", "id", "aria-hidden", "data-pagefind-ignore"})


def _attrs(text: str, only: frozenset[str] | None = None) -> dict[str, str]:
    """A start tag's attributes as html.parser gives them: names lower-case, values unescaped
    ('' for none), the last of a repeated name kept; with ``only``, those names alone."""
    out: dict[str, str] = {}
    for name, value in _ATTR.findall(text):
        name = name.lower()
        if only is not None and name not in only:
            continue
        if len(value) > 1 and value[0] in "'\"" and value[0] == value[-1]:
            value = value[1:-1]
        out[name] = unescape(value) if "&" in value else value
    return out


def _outside(html: str, pos: int) -> re.Match | None:
    """``_OUTSIDE.search(html, pos)``: the leftmost match, tried only where one can start."""
    while (start := _OUTSIDE_START.search(html, pos)) is not None:
        if (m := _OUTSIDE.match(html, start.start())) is not None:
            return m
        pos = start.start() + 1
    return None


def extract_passages(html: str) -> list[Passage]:
    """Passages of a built MkDocs page, in reading order (pure: takes the HTML text): the text
    of each block of the page's ``<article>`` with its id, or the nearest id above it."""
    passages: list[Passage] = []
    last_id = heading = ""
    pos = 0
    while (m := _outside(html, pos)) is not None:
        pos = m.end()
        opening = _TOKEN.match(html, m.start()) if m.group(2) else None
        if opening is None or opening.group(3).rstrip().endswith("/"):
            continue  # a comment, script or style, or '<article/>' (opened and closed at once)
        pos = opening.end()
        stack: list[tuple[str, bool]] = [("article", False)]  # (tag, furniture); article = 1
        skip = 0  # >0 while inside furniture
        in_notes = 0  # depth of div.footnote, 0 = outside
        block: tuple[int, str, str] | None = None  # (depth, tag, kind) being captured
        block_id = ""
        buf: list[str] = []
        while stack:
            t = _TOKEN.search(html, pos)
            end = t.start() if t is not None else len(html)
            if block is not None and not skip and end > pos:
                data = html[pos:end]
                buf.append(unescape(data) if "&" in data else data)
            if t is None:
                return passages
            pos = t.end()
            slash, tag = t.group(1), t.group(2)
            if not tag:
                continue  # a comment or declaration
            tag = tag.lower()
            if not slash:
                rest = t.group(3)
                if tag in _VOID:
                    if block is not None:
                        buf.append(" ")  # '<br>' separates words
                    continue
                if skip:
                    # Inside furniture nothing is read: the tag's attributes are not parsed.
                    # (Parsed, they could only mark a furniture tag, which changes no count
                    # that matters before the outer one closes, or a div.footnote, which marks
                    # notes until it closes, inside the furniture.)
                    stack.append((tag, False))
                else:
                    a = _attrs(rest, _READ) if rest and not rest.isspace() else {}
                    classes = set(a["class"].split()) if "class" in a else set()
                    ident = a.get("id", "")
                    furniture = bool(tag in _SKIP_TAGS or classes & _SKIP_CLASSES
                                     or "data-pagefind-ignore" in a
                                     or a.get("aria-hidden") == "true" or ident.startswith("fnref"))
                    stack.append((tag, furniture))
                    depth = len(stack)
                    if furniture:
                        skip += 1
                    else:
                        if tag == "div" and "footnote" in classes and not in_notes:
                            in_notes = depth
                        if block is None and (
                                tag in _LEAF_BLOCKS or (tag in _ID_CONTAINERS and ident)):
                            kind = ("heading" if tag in _HEADINGS else
                                    "note" if in_notes or ident.startswith("fn:") else
                                    "paragraph")
                            block, block_id, buf = (depth, tag, kind), ident, []
                if rest.rstrip().endswith("/"):
                    pass  # '<tag/>': closed at once, below
                elif tag in _RAW_END:  # raw text (skipped: furniture) up to its end tag
                    close = _RAW_END[tag].search(html, pos)
                    if close is None:
                        return passages
                    pos = close.end()
                else:
                    continue
            elif tag in _VOID:
                continue
            # An end tag: pop to the matching tag (tolerates unclosed <p>/<li> as browsers do).
            while stack:
                depth = len(stack)
                open_tag, furniture = stack.pop()
                if furniture and depth > 1:
                    skip -= 1
                if block is not None and block[0] == depth:
                    text = _space("".join(buf))
                    btag, kind = block[1], block[2]
                    block = None
                    if block_id:
                        last_id = block_id
                    # An id-less list or table is furniture (link lists, contents), not text.
                    if text and (block_id or btag == "p"):
                        if kind == "heading":
                            if btag != "h1":
                                heading = text
                            passages.append(Passage(block_id, text, kind, heading))
                        else:  # a block the page gave no id opens at the nearest id above it
                            passages.append(Passage(block_id or last_id, text, kind, heading))
                if in_notes == depth:
                    in_notes = 0
                if open_tag == tag:
                    break
    return passages


def page_url(path: str) -> str:
    """Docs path -> root-relative directory URL: 'x/y.md' -> '/x/y/', 'x/index.md' -> '/x/'."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return "/"
    stem = stem.removesuffix("/index")
    return f"/{stem}/"


def html_file(site_dir: Path, url: str) -> Path:
    return site_dir / url.strip("/") / "index.html"


def page_trails(doc: Document) -> list[tuple[tuple[str, ...], str]]:
    """Every page of a work with the titles of its page ancestors and itself, and its path."""
    parents: dict[int, tuple[str, ...]] = {}

    def visit(sec: Section, trail: tuple[str, ...]) -> None:
        here = trail + (sec.title,) if sec.is_page else trail
        parents[id(sec)] = here
        for child in sec.children:
            visit(child, here)

    for sec in doc.sections:
        visit(sec, ())
    return [(parents.get(id(sec), (sec.title,)), path) for sec, path in page_paths(doc)]


def group_passages(passages: Iterable[Passage], max_words: int) -> list[list[Passage]]:
    """Consecutive passages in runs of at most ``max_words`` words (a longer passage stays
    whole); footnotes never share a run with the text."""
    return [run for run, _ in _runs(passages, max_words)]


def _runs(passages: Iterable[Passage], max_words: int) -> list[tuple[list[Passage], int]]:
    """``group_passages`` with the words of each run."""
    runs: list[list[Passage]] = []
    words: list[int] = []
    for p in passages:
        n = len(p.text.split())
        if (not runs or (p.kind == "note") != (runs[-1][0].kind == "note")
                or words[-1] + n > max_words):
            runs.append([p])
            words.append(n)
        else:
            runs[-1].append(p)
            words[-1] += n
    return list(zip(runs, words))


def _tag(p: Passage) -> str:
    if p.kind != "heading":
        return "p"
    return "h2" if p.heading == p.text else "h1"  # the extractor gives h1 no section heading


def page_records(passages: Iterable[Passage], url: str, trail: tuple[str, ...],
                 work: WorkInfo, max_words: int = 0) -> Iterator[Record]:
    """The records of one page; the browser opens each hit at its passage's id. 'section' is
    the heading in force where the run starts (the browser uses a heading inside the run
    when the hit comes after it)."""
    chapter = " › ".join(trail) or work.title
    for run, words in _runs(passages, max_words or MAX_WORDS):
        kind = "note" if run[0].kind == "note" else "text"
        show = [("chapter", chapter), ("kind", kind)]
        heading = run[0].heading
        if heading and heading != (trail[-1] if trail else ""):
            show.append(("section", heading))
        yield Record(url=url, passages=tuple((p.anchor, p.text, _tag(p)) for p in run),
                     language=work.language, show=tuple(show),
                     filters=(("author", work.authors), ("work", (work.title,))), words=words)


@dataclass(frozen=True)
class SearchPage:
    """A text page to index: all the search stage needs of the documents, taken before the
    plugin lets them go (the indexer is a second large process: see ``write_index``)."""

    url: str  # root-relative, '/work/chapter/'
    trail: tuple[str, ...]  # titles of its page ancestors and itself
    work: WorkInfo


def search_pages(documents: Iterable[Document], works: dict[str, WorkInfo]) -> list[SearchPage]:
    """Every text page of every work, in reading order."""
    out: list[SearchPage] = []
    for doc in documents:
        work = works.get(doc.slug, WorkInfo(doc.slug, ()))
        out.extend(SearchPage(page_url(path), trail, work) for trail, path in page_trails(doc))
    return out


def library_records(pages: Iterable[SearchPage], read: Callable[[str], str | None]
                    ) -> Iterator[Record]:
    """Records for every page, one page at a time; ``read(url)`` gives a built page's HTML."""
    for page in pages:
        html = read(page.url)
        if html is not None:
            yield from page_records(extract_passages(html), page.url, page.trail, page.work)


def arriving_records(pages: list[SearchPage], arriving: Iterable[tuple[str, str]],
                     read: Callable[[str], str | None]) -> Iterator[Record]:
    """``library_records`` for pages whose HTML arrives as ``(url, html)`` in any order (as
    MkDocs writes them): records in the order of ``pages`` all the same, a page's made as soon
    as it arrives and kept only until the pages before it are done. A page that never arrives
    is read with ``read`` once ``arriving`` ends."""
    by_url = {p.url: p for p in pages}
    ready: dict[str, list[Record]] = {}
    it = iter(arriving)
    for page in pages:
        while page.url not in ready and (item := next(it, None)) is not None:
            url, html = item
            if url in by_url and url not in ready:
                p = by_url[url]
                ready[url] = list(page_records(extract_passages(html), url, p.trail, p.work))
        recs = ready.pop(page.url, None)
        if recs is None:
            yield from library_records([page], read)
        else:
            yield from recs


def work_infos(lib) -> dict[str, WorkInfo]:
    """Work title, author names and language for every work of a ``metadata.Library``."""
    if lib is None:
        return {}
    return {slug: WorkInfo(m.title, tuple(lib.people[a].name if a in lib.people else a
                                          for a in m.authors), m.language or "en")
            for slug, m in lib.works.items()}


def record_html(r: Record) -> str:
    """A one-record HTML file for Pagefind's indexer: the text escaped in the body, the URL,
    what results show and the filters as ``<meta data-pagefind-filter>`` tags (not searchable).
    """
    def tag(key: str, value: str) -> str:
        return f'<meta data-pagefind-filter="{escape(key)}[content]" content="{escape(value)}">'

    head = [tag("url", r.url)] + [tag(k, v) for k, v in r.show]
    head += [tag(k, v) for k, vs in r.filters for v in vs]
    body, seen = [], set()
    for anchor, text, element in r.passages:
        # A passage without an id of its own (a subtitle) belongs to the id above it.
        ident = f' id="{escape(anchor)}"' if anchor and anchor not in seen else ""
        seen.add(anchor)
        element = element if element in ("p", "h1", "h2") else "p"
        body.append(f"<{element}{ident}>{escape(text)}</{element}>")
    return (f'<!doctype html><html lang="{escape(r.language)}"><head>{"".join(head)}</head>'
            f'<body><main data-pagefind-body>{"".join(body)}</main></body></html>\n')


def split_sizes(sizes: list[int], max_words: int) -> list[int]:
    """How many consecutive records of ``sizes`` words go in each part: parts of about equal
    words, ceil(words / ``max_words``) of them when records fall well, each within
    ``max_words`` (a longer record is a part alone)."""
    total = sum(sizes)
    share = total / max(1, -(-total // max_words))  # words per part, parts = ceil(total/max)
    counts: list[int] = []
    done = in_part = 0
    for n in sizes:
        # A new part once this one has its share, or when the record would overfill it.
        if not counts or (counts[-1] and (done >= share * len(counts) or in_part + n > max_words)):
            counts.append(0)
            in_part = 0
        counts[-1] += 1
        done += n
        in_part += n
    return counts


def split_records(records: Iterable[Record], max_words: int) -> list[list[Record]]:
    """``records`` cut into the parts ``split_sizes`` gives."""
    recs = list(records)
    parts, start = [], 0
    for n in split_sizes([r.words for r in recs], max_words):
        parts.append(recs[start:start + n])
        start += n
    return parts


def _stage(records: Iterable[Record], folder: Path, keep_free: int = 0
           ) -> tuple[list[int], list]:
    """Write each record as ``folder/<n // 1000>/<n>.html`` as it comes (no record is kept:
    the text of a 50x library is some 150 MB as Python objects); returns each record's words
    and the distinct filters (for ``facets``). ``keep_free``: bytes the file system of
    ``folder`` must keep free (a RAM file system: ``stage_parent``); a record that would leave
    less stops the staging with an OSError."""
    sizes: list[int] = []
    filters: dict = {}
    for n, r in enumerate(records):
        f = folder / f"{n // 1000}" / f"{n}.html"
        if n % 1000 == 0:
            f.parent.mkdir()
        data = record_html(r).encode("utf-8")  # the bytes write_text writes (POSIX newlines)
        if keep_free and _free_bytes(folder) < keep_free + len(data):
            raise OSError(errno.ENOSPC, f"fewer than {keep_free} bytes would stay free", str(f))
        f.write_bytes(data)
        sizes.append(r.words)
        filters.setdefault(r.filters, None)
    return sizes, list(filters)


def release_memory() -> None:
    """Collect garbage and give freed heap memory back to the system before the indexer, a
    second large process, starts. glibc keeps what Python frees for reuse: at 50x, freeing the
    pages' Markdown and HTML alone left the build process at 1.06 GB; with the documents let go
    too and ``malloc_trim``, 0.28 GB. Linux with glibc only (elsewhere only the collection)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


def widen_pipe(fd: int) -> None:
    """Let a pipe hold 1 MB (Linux; elsewhere it stays as it is). A pipe holds 64 KB by
    default, less than one page's HTML: a render worker (parallel_render) then waits in
    ``send`` until the main process's reader thread has read the start, and that thread
    waits for the GIL while the main process renders. Measured (10x corpus, warm builds):
    the worker waited 0.33-0.46 s a stage with 64 KB, 0.04-0.09 s with 1 MB."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _pagefind_command() -> list[str]:
    """Pagefind's binary, as ``python -m pagefind`` finds it, without the Python start-up that
    command costs (0.1-0.2 s a run here)."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except ImportError:
        binary = None
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


MEMORY_DIR = Path("/dev/shm")
"""A RAM file system (Linux) where Pagefind writes its bundle before one copy into the site.

Pagefind writes its ~1,760 files (10x corpus) from many threads at once; on ext4 that costs
kernel time in directory and inode locks (perf: rwsem_spin_on_owner, find_inode_bit). 10x
staged records (1,592 records, 1,762 files), sys CPU of Pagefind + copy, 3 runs each: with
the disk busy (tests running beside), 0.85 / 1.10 / 2.18 s to disk, 0.69-1.01 s through tmpfs;
on an idle disk 0.69-1.07 s to disk, 0.79-1.05 s through tmpfs (no gain; user CPU 3.9-4.5 s). The
bundle is in RAM only until it is copied (15 MB at 10x, about 6.4 bytes a word)."""
BUNDLE_BYTES_PER_WORD = 16  # bound on the bundle's size per indexed word (6.4 measured)
MEMORY_DIR_SPARE = 256 << 20  # free RAM file system left beside the bundle, else disk


def _free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def stage_parent() -> Path | None:
    """Where ``BackgroundStager`` stages the records: ``MEMORY_DIR`` when it exists and has
    twice ``MEMORY_DIR_SPARE`` free (the worker stops, and the build makes the records itself on
    disk, if fewer than ``MEMORY_DIR_SPARE`` bytes would stay free); None: the disk's temporary
    folder.

    One small file a record (1,592 at 10x, 16 MB) costs little to write in RAM and a lot on this
    machine's disk while MkDocs writes the site beside it: creating them in /tmp (ext4) took
    1.0-1.3 s of kernel CPU, against 0.02 s in /dev/shm (benchmarks' 10x corpus, three runs
    each, the machine busy with other builds; 0.04 s on /tmp when the disk was idle). The
    files stay in RAM until Pagefind has indexed them (a part's files go after its run)."""
    try:
        if (MEMORY_DIR.is_dir() and os.access(MEMORY_DIR, os.W_OK | os.X_OK)
                and _free_bytes(MEMORY_DIR) >= 2 * MEMORY_DIR_SPARE):
            return MEMORY_DIR
    except OSError:
        pass
    return None


def _memory_dir(words: int) -> Path | None:
    """A new folder in ``MEMORY_DIR`` if it exists and has room for the bundle of ``words``
    words with ``MEMORY_DIR_SPARE`` left over; None otherwise (Pagefind writes to disk)."""
    try:
        if not MEMORY_DIR.is_dir() or not os.access(MEMORY_DIR, os.W_OK | os.X_OK):
            return None
        if shutil.disk_usage(MEMORY_DIR).free < words * BUNDLE_BYTES_PER_WORD + MEMORY_DIR_SPARE:
            return None
        return Path(tempfile.mkdtemp(prefix="library-pagefind-", dir=MEMORY_DIR))
    except OSError:
        return None


class IndexRun:
    """One run of Pagefind's indexer over the HTML files under ``site`` into the bundle ``out``,
    started at once and waited for in ``finish`` (the build goes on meanwhile). It writes
    through ``MEMORY_DIR`` when that has room for a bundle of ``words`` words, and the bundle
    is then copied."""

    def __init__(self, site: Path, out: Path, language: str, words: int = 0) -> None:
        self.out = out
        self.memory = _memory_dir(words)
        self.target = self.memory / "bundle" if self.memory is not None else out
        try:
            self.proc = subprocess.Popen(
                [*_pagefind_command(), "--site", str(site), "--output-path", str(self.target),
                 "--force-language", language, "--silent"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
        except BaseException:
            self._drop_memory()
            raise

    def finish(self) -> None:
        """Wait for the indexer; raise if it failed; the bundle is at ``out`` afterwards."""
        try:
            self.wait()
            self.copy()
        finally:
            self._drop_memory()

    def wait(self) -> None:
        """Wait for the indexer to exit; raise if it failed (then call ``close``)."""
        stdout, stderr = self.proc.communicate()
        entry = self.target / "pagefind-entry.json"
        if (self.proc.returncode != 0 or not entry.is_file()
                or not entry.read_text(encoding="utf-8")):
            raise RuntimeError(f"Pagefind could not write the search index into {self.out} "
                               f"(exit {self.proc.returncode}): {(stderr or stdout)[-2000:]}")

    def copy(self) -> None:
        """After ``wait``: the bundle into ``out`` if it was written in RAM (one thread creates
        the files on disk: no lock contention), and the RAM freed."""
        if self.memory is not None:
            shutil.copytree(self.target, self.out, copy_function=shutil.copyfile,
                            dirs_exist_ok=True)
            self._drop_memory()

    def close(self) -> None:
        """End the indexer if it still runs (a failed build) and drop its folder in RAM."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()
        self._drop_memory()

    def _drop_memory(self) -> None:
        if self.memory is not None:
            shutil.rmtree(self.memory, ignore_errors=True)


def _write(records: Iterable[Record], out: Path, language: str, max_words: int
           ) -> tuple[int, list]:
    """``write_records``, also returning the distinct filters of the records."""
    with tempfile.TemporaryDirectory(prefix="library-search-") as tmp:
        staged = Path(tmp) / "all"
        staged.mkdir()
        sizes, filters = _stage(records, staged)
        _index_staged(Path(tmp), sizes, out, language, max_words)
    return len(sizes), filters


def _index_staged(tmp: Path, sizes: list[int], out: Path, language: str, max_words: int
                  ) -> None:
    """Pagefind over the records staged in ``tmp/all`` (``_stage``), in parts (``write_records``)
    """
    if out.exists():
        shutil.rmtree(out)
    staged = tmp / "all"
    release_memory()  # what reading the pages took
    counts = split_sizes(sizes, max_words or MAX_INDEX_WORDS) or [0]
    names, start = [], 0
    # A part's files are deleted while the next part is indexed: deleting some 2,600 files just
    # after Pagefind wrote its bundle took 0.2-4.7 s at 50x (the disk busy writing it back).
    # A part's bundle is copied from RAM into the site while the next part is indexed too.
    deleting: list[threading.Thread] = []
    runs: list[IndexRun] = []
    try:
        for i, n in enumerate(counts):
            if len(counts) == 1:
                site = staged
            else:  # this part's files alone, moved (not copied) into a folder of their own
                site = tmp / f"part-{i}"
                for k in range(start, start + n):
                    rel = Path(f"{k // 1000}") / f"{k}.html"
                    (site / rel.parent).mkdir(parents=True, exist_ok=True)
                    (staged / rel).rename(site / rel)
            name = f"part-{i}/" if i else ""
            runs.append(IndexRun(site, out / name if name else out, language,
                                 sum(sizes[start:start + n])))
            if len(runs) > 1:
                runs[-2].copy()  # the previous part's bundle, while this part is indexed
            runs[-1].wait()  # one indexer at a time: each holds some 1.2 GB at 50x
            if len(counts) > 1:
                deleting.append(threading.Thread(target=shutil.rmtree, args=(site,),
                                                 name="search-cleanup", daemon=True))
                deleting[-1].start()
            if name:
                names.append(name)
            start += n
        runs[-1].copy()
    finally:
        for run in runs:
            run.close()
        for thread in deleting:
            thread.join()
    (out / PARTS).write_text(json.dumps(names), encoding="utf-8")


def write_records(records: Iterable[Record], out: Path, language: str = "en",
                  max_words: int = 0) -> int:
    """Index ``records`` into a Pagefind bundle at ``out``; returns how many were indexed.

    Each record goes to Pagefind as a tiny HTML file, indexed by one run of Pagefind's own
    command (``python -m pagefind``): one ``add_custom_record`` call of the Python API per
    record costs a 0.1 s round trip (195 s for the seed corpus), and the API's service is
    terminated right after its last reply, which under load once left an empty
    ``pagefind-entry.json``. The command exits only when every file is written. One language
    for every record (``--force-language``): the browser searches the index of the page's
    language, and every page of this site is in the site's language.

    Records of more than ``max_words`` (default ``MAX_INDEX_WORDS``) words are split
    (``split_sizes``) and indexed one part after another (the memory peak is one part's): the
    first part at ``out``, the others at ``out/part-N/``, listed in ``out/library-parts.json``
    for the browser to merge them (Pagefind's ``mergeIndex``). The price: each query word
    fetches an index chunk of every part (measured at 50x, see the module docstring).
    """
    return _write(records, out, language, max_words)[0]


def write_index(pages: Iterable[SearchPage], site_dir: Path, language: str = "en",
                max_words: int = 0, stager: BackgroundStager | None = None,
                staged: tuple[Path, list[int], list] | None = None) -> int:
    """Write the Pagefind bundle of ``pages`` (``search_pages``) into ``site_dir/pagefind``;
    returns the number of records. ``max_words``: words per index (default
    ``MAX_INDEX_WORDS``). Records are made page by page from the built HTML and written to
    files as they come, so this process holds one page at a time while the indexer runs; with
    a ``stager`` that has made them already while MkDocs wrote the pages (the same files), or
    what a stager's ``finish`` gave (``staged``), only the indexer runs here.
    """
    site_dir = Path(site_dir)
    out = site_dir / BUNDLE_DIR
    if staged is None and stager is not None:
        staged = stager.finish(site_dir)
    if staged is not None:
        tmp, sizes, filters = staged
        try:
            _index_staged(tmp, sizes, out, language, max_words)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        count = len(sizes)
    else:
        def read(url: str) -> str | None:
            f = html_file(site_dir, url)
            return f.read_text(encoding="utf-8") if f.is_file() else None

        count, filters = _write(library_records(pages, read), out, language, max_words)
    _write_facets(out, filters)
    return count


def _write_facets(out: Path, filters: Iterable) -> None:
    (out / FACETS).write_text(json.dumps(facet_lists(filters), ensure_ascii=False),
                              encoding="utf-8")


# --- The indexer started before the HTML is written ------------------------------------------

INDEXER_BYTES_PER_WORD = 310
"""Pagefind's indexer's resident memory per indexed word (measured about 290: module
docstring)."""
EARLY_INDEX_BYTES = 1536 << 20
"""The build process and an early indexer together stay under this (``start_index``): the
rest of 2 GiB is left to the template worker and the records' process."""


def article_html(content: str, title: str) -> str:
    """A page's ``<article>`` as Material's content partial writes it around the page's
    ``content`` (MkDocs's HTML of its Markdown): an ``<h1>`` of ``title`` (HTML) first if the
    content has none. The rest of that partial (tags, edit buttons, source-file dates,
    feedback, comments) holds no passage (``extract_passages``) or is not configured."""
    return f"<article>{'' if '<h1' in content else f'<h1>{title}</h1>'}{content}</article>"


@dataclass
class EarlyIndex:
    """The indexer running on records staged before the HTML is written (``start_index``)."""

    tmp: Path  # the stager's folder, removed by ``finish`` or ``close``
    count: int
    filters: list
    run: IndexRun

    def finish(self) -> int:
        """Wait for the indexer; write the bundle's own files; the number of records."""
        try:
            self.run.finish()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        (self.run.out / PARTS).write_text("[]", encoding="utf-8")  # one index, no parts
        _write_facets(self.run.out, self.filters)
        return self.count

    def close(self) -> None:
        """A failed build: end the indexer, drop the records."""
        self.run.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


CHARS_PER_WORD = 5
"""Characters of block and note text per indexed word, for ``may_index_early``'s estimate (the
10x corpus has 6.1: fewer characters a word over-estimates the words)."""


def may_index_early(documents: Iterable[Document], process_bytes: int) -> bool:
    """Whether ``start_index`` should start the indexer before the templates, told from the
    documents' characters before any record exists. Only then are the records made from the
    rendered content: otherwise they are made while the templates are written, which leave
    the second core partly idle (at 50x, feeding the records process during the Markdown
    stage, whose cores are busy, made that stage 3 s longer, the template stage 1.4 s shorter,
    and the build process waited 1 s for the records at its end)."""
    chars = sum(len(b.text) for d in documents for s in all_sections(d.sections) for b in s.blocks)
    chars += sum(len(n.text) for d in documents for n in d.notes)
    words = chars // CHARS_PER_WORD
    return _early(words, 1 if words <= MAX_INDEX_WORDS else 2, process_bytes)


def _early(words: int, parts: int, process_bytes: int) -> bool:
    return parts <= 1 and process_bytes + words * INDEXER_BYTES_PER_WORD <= EARLY_INDEX_BYTES


def start_index(staged: tuple[Path, list[int], list], site_dir: Path, process_bytes: int,
                language: str = "en", max_words: int = 0) -> EarlyIndex | None:
    """Start the indexer on ``staged`` records (``BackgroundStager.finish``) now, while MkDocs
    still writes the HTML, when they make one index (no parts: ``write_records``) and the
    indexer with the build process (``process_bytes`` resident) fits ``EARLY_INDEX_BYTES``;
    else None (the indexer runs after the HTML, when the build process has let its pages go).

    Why: Pagefind parses on both cores, then builds and writes the index mostly on one, while
    the templates leave the second core partly idle; run one after the other, each leaves a
    core idle for part of its time.
    """
    tmp, sizes, filters = staged
    words = sum(sizes)
    if not _early(words, len(split_sizes(sizes, max_words or MAX_INDEX_WORDS)), process_bytes):
        return None
    out = Path(site_dir) / BUNDLE_DIR
    if out.exists():
        shutil.rmtree(out)
    return EarlyIndex(tmp, len(sizes), filters, IndexRun(tmp / "all", out, language, words))


def facets(records: Iterable[Record]) -> dict:
    """The filter lists for the search box: every author, and every work with its authors.

    A small file of our own: Pagefind's ``filters()`` would fetch every filter index,
    including the one-value-per-paragraph 'url' filter."""
    return facet_lists(r.filters for r in records)


def facet_lists(filters: Iterable[tuple[tuple[str, tuple[str, ...]], ...]]) -> dict:
    """``facets`` from the records' ``filters`` alone."""
    works: dict[str, set[str]] = {}
    for fs in filters:
        f = dict(fs)
        for w in f.get("work", ()):
            works.setdefault(w, set()).update(f.get("author", ()))
    authors = sorted({a for names in works.values() for a in names})
    return {"authors": authors, "works": [[w, sorted(a)] for w, a in sorted(works.items())]}


# --- Records made while MkDocs writes the pages ---------------------------------------------

_END = None  # what the stager's queue carries after the site folder: the sender stops
STAGER_WAIT_SECONDS = 600.0
"""How long ``BackgroundStager.finish`` waits for the worker's answer before it ends the worker
and the records are made in the build process instead (a build must never hang on it)."""

_STAGER_PIPES: set[int] = set()  # this process's write ends of live stagers' pipes


def _drop_stager_pipes() -> None:
    """In a fork of the build (a render worker): point the stagers' pipes at /dev/null. The
    stager's worker ends at the end of its pipe, which a fork holding a copy would delay; the
    descriptor stays valid, so nothing that closes it later closes another file."""
    if _STAGER_PIPES:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            for fd in _STAGER_PIPES:
                os.dup2(null, fd)
        finally:
            os.close(null)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_stager_pipes)


class BackgroundStager:
    """Makes and stages the search records in a second process while MkDocs writes the HTML.

    MkDocs writes the pages on one core (templates), and the second core idles: the plugin
    hands each text page's HTML, exactly as it is written, to a worker (a fresh Python, small:
    not a fork of the build, whose copied memory would grow as the build runs), which extracts
    the passages and writes the record files in the order of the pages (``arriving_records``,
    ``_stage``: the same files as made after the build). When the site is written,
    ``finish`` waits for the last pages and returns the staged folder; the search stage then
    only runs the indexer. Pages go to the worker through a pipe from a thread of their own,
    so MkDocs never waits on the worker. If the worker fails, ``finish`` returns None and the
    records are made from the written files as before.
    """

    def __init__(self, pages: list[SearchPage]) -> None:
        import queue
        from multiprocessing.connection import Connection

        self.urls = {p.url for p in pages}
        self.error = ""  # why ``finish`` returned None
        parent = stage_parent()
        self.folder = Path(tempfile.mkdtemp(prefix="library-search-", dir=parent))
        (self.folder / "all").mkdir()
        to_worker, from_worker = os.pipe(), os.pipe()
        package_parent = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                if p])}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "build_site.search", "stage", str(to_worker[0]),
                 str(from_worker[1]), str(self.folder / "all"),
                 str(MEMORY_DIR_SPARE if parent is not None else 0)],
                pass_fds=(to_worker[0], from_worker[1]), stdin=subprocess.DEVNULL, env=env)
        except BaseException:
            for fd in (*to_worker, *from_worker):
                os.close(fd)
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        os.close(to_worker[0])
        os.close(from_worker[1])
        widen_pipe(to_worker[1])  # fewer, larger writes (a page is some 70 KB)
        self._send_conn = Connection(to_worker[1], readable=False)
        self._pipe = to_worker[1]
        _STAGER_PIPES.add(self._pipe)
        self._recv_conn = Connection(from_worker[0], writable=False)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._queue.put(pages)
        self._sender = threading.Thread(target=self._send, name="search-stager", daemon=True)
        self._sender.start()

    def _send(self) -> None:
        """Thread: pass what ``add`` queued to the worker (a dead worker: drop it)."""
        alive = True
        while (item := self._queue.get()) is not _END:
            if alive:
                try:
                    self._send_conn.send(item)
                except OSError:
                    alive = False
        _STAGER_PIPES.discard(self._pipe)
        self._send_conn.close()

    def add(self, url: str, html: str) -> None:
        """A page as MkDocs writes it (``on_post_page``); pages not indexed are ignored."""
        if url in self.urls and html and not html.isspace():  # MkDocs skips a blank page
            try:  # the bytes MkDocs writes (xmlcharrefreplace: for a lone surrogate only)
                data = html.encode("utf-8")
            except UnicodeEncodeError:
                data = html.encode("utf-8", errors="xmlcharrefreplace")
            self._queue.put((url, data))

    def finish(self, site_dir: Path) -> tuple[Path, list[int], list] | None:
        """Wait for the worker: (the folder holding the staged 'all/', each record's words,
        the distinct filters), or None if it failed (its folder is removed)."""
        self._queue.put(str(site_dir))  # the end of the pages; missing ones are read there
        self._queue.put(_END)
        self._sender.join()
        answer = None
        try:
            if self._recv_conn.poll(STAGER_WAIT_SECONDS):
                answer = self._recv_conn.recv()
        except (EOFError, OSError):
            answer = None
        self.close(remove=answer is None or answer[0] != "ok")
        if answer is None or answer[0] != "ok":
            self.error = answer[1] if answer is not None else "no answer (it stopped)"
            return None
        return self.folder, answer[1], answer[2]

    def close(self, remove: bool = True) -> None:
        """End the worker (a failed build, or after ``finish``); drop its folder if asked."""
        if self._sender.is_alive():
            self._queue.put(_END)
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=5 if not remove else 0.1)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._recv_conn.close()
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def _stage_worker(fd_in: int, fd_out: int, folder: Path, keep_free: int = 0) -> None:
    """The worker of ``BackgroundStager``: pages in, record files out, (sizes, filters) back."""
    from multiprocessing.connection import Connection

    conn_in, conn_out = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    site_dir: list[str] = []

    def arriving() -> Iterator[tuple[str, str]]:
        while not isinstance(item := conn_in.recv(), str):
            url, data = item
            html = data.decode("utf-8")  # as read_text reads the written file: universal
            if "\r" in html:             # newlines
                html = html.replace("\r\n", "\n").replace("\r", "\n")
            yield url, html
        site_dir.append(item)

    def read(url: str) -> str | None:  # a page that never came (after the last one)
        f = html_file(Path(site_dir[0]), url)
        return f.read_text(encoding="utf-8") if f.is_file() else None

    try:
        pages = conn_in.recv()
        sizes, filters = _stage(arriving_records(pages, arriving(), read), folder, keep_free)
        conn_out.send(("ok", sizes, filters))
    except Exception as exc:  # noqa: BLE001 (reported; the build makes the records itself)
        conn_out.send(("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__" and sys.argv[1:2] == ["stage"]:
    _stage_worker(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
