"""A generated page's HTML made straight from the document model (build_site/page_html.py) is
what MkDocs's ``Page.render`` (Python-Markdown with the site's extensions) makes of the
Markdown render.py writes for it: the same content, table of contents, title, ids, links (in
the same order) and log records; on the seed corpus, on generated documents full of Markdown's
special characters, and through whole builds, where a page it must not make goes through
Python-Markdown and the site comes out the same."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page, _RelativePathTreeprocessor
from mkdocs.structure.toc import get_toc
from test_determinism import differing
from test_robust_build import ROOT, copy_fixture

from build_site import page_html, render
from build_site.model import (
    Block,
    BlockKind,
    Connection,
    Document,
    InlineLink,
    Note,
    NoteRef,
    PageRef,
    Section,
)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.name} {record.getMessage()}")


def rendered(page) -> tuple:
    """What ``Page.render`` set, comparable (the toc as MkDocs prints it, links in order)."""
    links = {f.src_uri: list(v.items()) for f, v in (page.links_to_anchors or {}).items()}
    return (page.content, str(page.toc), [(a.title, a.id, a.level) for a in _flat(page.toc)],
            page._title_from_render, page.present_anchor_ids, links)


def _flat(toc):
    for item in toc:
        yield item
        yield from _flat(item.children)


def with_page_edited(built, page):
    """``built`` with ``page``'s Markdown no longer the one the library made (a line added), as
    after another plugin or a hand edit: a direct writer must not take it."""
    return dataclasses.replace(built, pages=tuple(
        dataclasses.replace(p, markdown=p.markdown + "\nAdded.\n") if p is page else p
        for p in built.pages))


def compare(path: str, markdown: str, make, config, files) -> tuple[tuple, tuple | None]:
    """(What ``Page.render`` sets from ``markdown``, what ``make(resolve)`` makes or None if it
    declined), each with the log records made while rendering. ``resolve`` is MkDocs's own
    link resolver for the page, as the plugin passes it."""
    file = files.get_file_from_path(path)
    records = Records()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(records)
    try:
        page = Page(None, file, config)
        page.markdown = markdown
        page.render(config, files)
        want = (*rendered(page), records.lines[:])
        del records.lines[:]
        links = _RelativePathTreeprocessor(file, files, config)
        got = make(links.path_to_url)
        if got is None:
            assert records.lines == [], "a declined page must not have logged"
            return want, None
        direct = Page(None, file, config)
        direct.content, direct.toc = got.content, get_toc(got.toc_tokens)
        direct._title_from_render, direct.present_anchor_ids = got.title, got.anchor_ids
        direct.links_to_anchors = links.links_to_anchors
        return want, (*rendered(direct), records.lines[:])
    finally:
        logger.removeHandler(records)


def both(sec: Section, doc: Document, path: str, config, files) -> tuple[tuple, tuple | None]:
    """(Python-Markdown's result, page_html's result or None if it declined)."""
    return compare(path, render.render_page(sec, doc, here=path),
                   lambda resolve: page_html.render_page_html(sec, doc, path, resolve),
                   config, files)


FIELDS = ("content", "toc", "toc entries", "title", "ids", "links", "log")


def explain(want: tuple, got: tuple) -> str:
    """The first field that differs, around its first difference."""
    for name, a, b in zip(FIELDS, want, got):
        if a != b:
            if isinstance(a, str) and isinstance(b, str):
                k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                return f"{name}: want {a[max(0, k - 80):k + 80]!r}\n got {b[max(0, k - 80):k + 80]!r}"
            if isinstance(a, set):
                return f"{name}: want-only {sorted(a - b)} got-only {sorted(b - a)}"
            return f"{name}: want {a!r}\n got {b!r}"
    return "equal"


# --- (a) every generated page of the seed corpus --------------------------------------------

@pytest.fixture(scope="module")
def corpus():
    """The real site's config, files and built library, as MkDocs has them before rendering."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    plugin = config.plugins["library"]
    try:
        files = config.plugins.on_files(get_files(config), config=config)
        get_navigation(files, config)
        yield config, files, plugin.built
    finally:
        plugin.on_build_error(None)  # stops the download workers, drops the staging folder


def test_every_seed_page_is_what_python_markdown_makes(corpus):
    config, files, built = corpus
    assert page_html.supported(config)
    generated = {p.path: p.markdown for p in built.pages}
    made = 0
    for doc in built.documents:
        for sec, path in render.page_paths(doc):
            # the page's Markdown (below its citation front matter) is render_page's
            assert generated[path].endswith(render.render_page(sec, doc, here=path))
            want, got = both(sec, doc, path, config, files)
            assert got is not None, f"{path} declined"
            assert got == want, f"{path}: {explain(want, got)}"
            made += 1
    assert made >= 70


# --- (b) generated documents ------------------------------------------------------------------

HERE = "w/page.md"
TARGETS = ["w/page.md#p-1", "w/other.md#p-2", "people/someone.md", "w/other.md",
           "missing/gone.md#p-9", "w/page.md#s-1", "w/page.md"]
ALPHABET = ("ab 1.*_#[]()<>&\"'{}\\|!`+-:;~=^\t\n\xa0\u2028\u2003é—"
            "fn:ref2///Footnotes Go Here")
texts = st.text(ALPHABET, max_size=24)
some_texts = st.text(ALPHABET, min_size=1, max_size=24)
NOTE_IDS = ["n1", "n2", "a.b", "x y", "x"]


@st.composite
def documents(draw) -> tuple[Section, Document]:
    lines = iter(range(1, 10_000))

    def refs(text: str):
        return tuple(NoteRef(draw(st.integers(0, len(text))), draw(st.sampled_from(NOTE_IDS)))
                     for _ in range(draw(st.integers(0, 3))))

    def block() -> Block:
        kind = draw(st.sampled_from(list(BlockKind)))
        text = draw(some_texts)
        links = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            data = tuple((k, draw(texts)) for k in draw(st.sets(st.sampled_from(
                ["name", "dates", "line"]), max_size=2)))
            links.append(InlineLink(start, end, draw(st.sampled_from(TARGETS)),
                                    draw(st.sampled_from(["person", "title"])), data))
        connections = tuple(
            Connection(draw(st.sampled_from(["quotes", "person", "odd*kind", "revised-in"])),
                       draw(st.sampled_from(TARGETS)), draw(texts), draw(texts))
            for _ in range(draw(st.integers(0, 2))))
        first = next(lines)
        return Block(kind, text, first_line=first, last_line=first, refs=refs(text),
                     anchor=draw(st.sampled_from(["", f"p-{first}"])),
                     links=tuple(links), connections=connections)

    def section(title: str, slug: str, level: int, children=()) -> Section:
        return Section(title, slug, level=level, subtitle=draw(st.sampled_from(["", "Sub <t> & 'x'"])),
                       meta=tuple((draw(texts), draw(texts)) for _ in range(draw(st.integers(0, 1)))),
                       blocks=tuple(block() for _ in range(draw(st.integers(0, 4)))),
                       children=children, title_refs=refs(title))

    kids = tuple(section(draw(some_texts), f"s-{i}", draw(st.integers(1, 6)))
                 for i in range(draw(st.integers(0, 3))))
    top = section(draw(some_texts), "page", 1, kids)
    top = Section(top.title, top.slug, top.level, True, top.subtitle, top.meta, top.blocks,
                  top.children, title_refs=top.title_refs)
    blocks = [b for s in [top, *kids] for b in s.blocks]
    notes = []
    for nid in NOTE_IDS:
        text = draw(some_texts)
        page_refs = ()
        if blocks and draw(st.booleans()):
            start = draw(st.integers(0, len(text)))
            page_refs = (PageRef(start, draw(st.integers(start, len(text))), 3,
                                 draw(st.sampled_from(blocks)).first_line),)
        notes.append(Note(nid, text, label=draw(st.sampled_from(["", "1", "*"])),
                          page_refs=page_refs))
    doc = Document("w", (top,), notes=tuple(notes), url_prefix="w", cite=(("author", "A & B"),))
    return top, doc


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A config with the real site's Markdown settings and files for the links' targets."""
    tmp = tmp_path_factory.mktemp("site")
    (tmp / "docs").mkdir()
    real = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg = {"site_name": "t", "docs_dir": "docs", "plugins": [],
           "markdown_extensions": real["markdown_extensions"], "validation": real["validation"]}
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    for path in ("w/page.md", "w/other.md", "people/someone.md"):
        (tmp / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "docs" / path).write_text("# x\n", encoding="utf-8")
    config = load_config(str(tmp / "mkdocs.yml"))
    return config, get_files(config)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(documents())
def test_generated_documents_render_as_python_markdown_does(small_site, generated):
    config, files = small_site
    top, doc = generated
    assert render.page_paths(doc)[0][1] == HERE
    want, got = both(top, doc, HERE, config, files)
    if got is not None:
        assert got == want, explain(want, got)


def test_generated_documents_are_mostly_made_not_declined(small_site):
    """The equality above is not won by declining: a document without control characters or
    empty texts is made."""
    config, files = small_site
    made = 0

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(documents())
    def count(generated) -> None:
        nonlocal made
        top, doc = generated
        links = _RelativePathTreeprocessor(files.get_file_from_path(HERE), files, config)
        made += page_html.render_page_html(top, doc, HERE, links.path_to_url) is not None
    count()
    assert made >= 30, made


def test_edges_made_exactly(small_site):
    """Cases hypothesis may take long to meet: notes referenced twice, once in a quote before
    the paragraph that references it first in Python-Markdown's order; quotes in a row."""
    notes = (Note("n", "A note."), Note("m", "Other ]: note"))
    blocks = (Block(BlockKind.QUOTE, "Quoted", refs=(NoteRef(6, "n"),), anchor="p-1"),
              Block(BlockKind.QUOTE, "again 1.", refs=(NoteRef(0, "m"),), anchor="p-2"),
              Block(BlockKind.PARAGRAPH, " 1. Plain\xa0", refs=(NoteRef(3, "n"), NoteRef(3, "m")),
                    anchor="p-3"),
              Block(BlockKind.BREAK, ""),
              Block(BlockKind.QUOTE, "last", refs=(NoteRef(4, "n"),), anchor="p-4"))
    top = Section("Title [x] & y", "page", is_page=True, blocks=blocks,
                  title_refs=(NoteRef(5, "m"),))
    doc = Document("w", (top,), notes=notes, url_prefix="w")
    config, files = small_site
    want, got = both(top, doc, HERE, config, files)
    assert got == want, explain(want, got)
    assert 'id="fnref3:n"' in got[0] and "fnref2:m" in got[0]


def test_declined_constructs_are_declined(small_site):
    """What Python-Markdown reads otherwise than the text says (render.py's Markdown loses or
    changes it there, or render.py writes it escaped) is left to Python-Markdown: a block
    opening with a note marker and ':', a link's data with emphasis marks."""
    config, files = small_site
    links = _RelativePathTreeprocessor(files.get_file_from_path(HERE), files, config)
    cases = [
        (Block(BlockKind.PARAGRAPH, ": as said", refs=(NoteRef(0, "n"),), anchor="p-1"),
         (Note("n", "note"),)),
        (Block(BlockKind.PARAGRAPH, "Name", anchor="p-1", links=(
            InlineLink(0, 4, "w/other.md", "person", (("name", "*x*"),)),)), ()),
    ]
    for block, notes in cases:
        top = Section("T", "page", is_page=True, blocks=(block,))
        doc = Document("w", (top,), notes=notes, url_prefix="w")
        assert page_html.render_page_html(top, doc, HERE, links.path_to_url) is None
        assert both(top, doc, HERE, config, files)[1] is None
    assert links.links_to_anchors == {}, "a declined page is declined before any link"


def test_two_note_ids_with_one_footnote_key_are_made_as_python_markdown_makes_them(small_site):
    """render.page_note_keys numbers the second of two ids that give one key ('a.b', 'a_b')."""
    config, files = small_site
    block = Block(BlockKind.PARAGRAPH, "a b c", refs=(NoteRef(1, "a.b"), NoteRef(3, "a_b"),
                                                     NoteRef(5, "a.b")), anchor="p-1")
    top = Section("T", "page", is_page=True, blocks=(block,))
    doc = Document("w", (top,), notes=(Note("a.b", "one"), Note("a_b", "two")), url_prefix="w")
    want, got = both(top, doc, HERE, config, files)
    assert got == want and "fn:a-b-2" in want[0]


# --- (c) whole builds: made here or by Python-Markdown, the same site --------------------------

def build(project: Path, site: Path) -> str:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(project / "mkdocs.yml"), "-d", str(site)], cwd=project,
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


def configure(project: Path, **change) -> None:
    cfg = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    for key, value in change.items():
        if key == "direct_html":
            cfg["plugins"][0]["library"]["direct_html"] = value
        else:
            cfg[key] = value
    (project / "mkdocs.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")


def made_count(log: str) -> int:
    for line in log.splitlines():
        if "HTML made without Python-Markdown" in line:
            return int(line.split("library: ")[1].split()[0])
    return 0


def test_site_made_directly_equals_python_markdown_site(tmp_path: Path):
    project = copy_fixture(tmp_path, with_site_assets=True)
    log = build(project, tmp_path / "on")
    assert made_count(log) > 0
    configure(project, direct_html=False)
    assert made_count(build(project, tmp_path / "off")) == 0
    assert differing(tmp_path / "on", tmp_path / "off") == set()


@pytest.mark.parametrize("change", ["extensions", "toc-option", "hook", "edited"])
def test_fallback_to_python_markdown_builds_the_same_site(tmp_path: Path, change: str):
    """Another extension or option, another plugin on page_markdown, or a page whose Markdown
    is not what render.py wrote: those pages go through Python-Markdown, and the site is the
    one a build without direct_html makes."""
    project = copy_fixture(tmp_path, with_site_assets=True)
    cfg = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    ext = cfg["markdown_extensions"]
    if change == "extensions":
        configure(project, markdown_extensions=[*ext, "abbr"])
    elif change == "toc-option":
        configure(project, markdown_extensions=[e if e != {"toc": {"permalink": True}}
                                                else {"toc": {"permalink": "#"}} for e in ext])
    elif change == "hook":
        (project / "hooks.py").write_text(
            "def on_page_markdown(markdown, page, config, files):\n    return markdown\n")
        configure(project, hooks=["hooks.py"])
    else:  # a hook edits the pages' Markdown after on_files (no page_markdown listener)
        (project / "hooks.py").write_text(
            "def on_nav(nav, config, files):\n"
            "    for f in files.documentation_pages():\n"
            "        if f.abs_src_path is None:\n"
            "            f.content_string = f.content_string + '\\nAdded *here*.\\n'\n"
            "    return nav\n")
        configure(project, hooks=["hooks.py"])
    log = build(project, tmp_path / "on")
    if change == "edited":
        assert made_count(log) == 0 and "given to it after all" in log
    else:
        assert made_count(log) == 0
    configure(project, direct_html=False)
    build(project, tmp_path / "off")
    assert differing(tmp_path / "on", tmp_path / "off") == set()


def test_real_site_equals_python_markdown_site(built_site: Path, tmp_path: Path):
    """The real corpus, its chapter pages made here (the session's build) or all through
    Python-Markdown: the same site, every page and file (Pagefind's filter order aside)."""
    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg["docs_dir"] = str(ROOT / cfg["docs_dir"])
    cfg["theme"]["custom_dir"] = str(ROOT / cfg["theme"]["custom_dir"])
    cfg["plugins"] = [{"library": {"source_dir": str(ROOT / "source"),
                                   "cache_dir": str(tmp_path / "cache"), "direct_html": False}}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    log = build(tmp_path, tmp_path / "off")
    assert made_count(log) == 0
    assert differing(built_site, tmp_path / "off") <= {"sitemap.xml", "sitemap.xml.gz"}
