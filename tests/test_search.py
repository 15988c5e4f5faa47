"""Search index (build_site/search.py): passages read from built HTML, records, the bundle."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from build_site import plugin, search
from build_site.library import build_library
from build_site.model import Block, BlockKind, Document, Section
from build_site.render import page_paths

PAGE = """<!doctype html><html><head><title>x</title></head><body>
<nav class="md-nav"><p id="nav-p">Navigation text</p></nav>
<article class="md-content__inner md-typeset">
<h1 id="chapter-1">Chapter 1<a class="headerlink" href="#chapter-1">&para;</a></h1>
<p class="subtitle">What has been achieved</p>
<p id="p-1">The proletariat seized<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>
  the power &amp; kept it &lt;script&gt;alert(1)&lt;/script&gt;.</p>
<div class="xref-panel" data-pagefind-ignore="data-pagefind-ignore"><ul><li>Names Lenin</li></ul></div>
<ul><li>Contents entry</li></ul>
<h2 id="growth">Industrial growth<a class="headerlink" href="#growth">&para;</a></h2>
<blockquote><p id="p-2">A quoted paragraph.</p></blockquote>
<p id="p-3">Line one<br>line two</p>
<div class="footnote"><hr><ol>
<li id="fn:1"><p>A note about power.&#160;<a class="footnote-backref" href="#fnref:1">&#8617;</a></p></li>
</ol></div>
</article>
<footer><p id="foot">Footer</p></footer>
</body></html>"""


def test_passages_are_the_article_blocks_with_their_ids():
    got = [(p.anchor, p.kind, p.heading, p.text) for p in search.extract_passages(PAGE)]
    assert got == [
        ("chapter-1", "heading", "", "Chapter 1"),
        ("chapter-1", "paragraph", "", "What has been achieved"),
        ("p-1", "paragraph", "",
         "The proletariat seized the power & kept it <script>alert(1)</script>."),
        ("growth", "heading", "Industrial growth", "Industrial growth"),
        ("p-2", "paragraph", "Industrial growth", "A quoted paragraph."),
        ("p-3", "paragraph", "Industrial growth", "Line one line two"),
        ("fn:1", "note", "Industrial growth", "A note about power."),
    ]


TRICKY_PAGE = """<!DOCTYPE html><html><head><title>t</title>
<script>var s = "<article><p id='no'>in a script</p></article>";</script>
<style>article::before { content: "<article>"; }</style>
<!-- <article><p id="no2">in a comment</p></article> -->
</head><body><ARTICLE class="md-content__inner">
<P ID="p-1" class='a'>Upper &amp; case<span/> tags<BR/>here</P>
<p id="p-&quot;2&quot;">An id with entities &#8212; &mdash;</p>
<script>document.write("<p id='p-x'>not text</p>")</script>
<ul id="list"><li>one<li>two</ul>
<p>no id of its own</br> next</p>
<!-- a comment <p id="p-c">hidden</p> -->
<div aria-hidden="true"><p id="p-h">hidden</p></div>
<table><tr><td>an id-less table</td></tr></table>
<h2 id="sec">Section <a class="headerlink" href="#sec">&para;</a></h2>
<p id="p-3">Text<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> on.
</article>
<footer><p id="f">Footer</p></footer>
<article><p id="p-4">A second article</p></article>
</body></html>"""


def test_passages_of_markup_the_scan_must_read_as_a_parser_does():
    """The article is found by a scan, not a parser: an '<article>' in a script, a style or a
    comment is not one; upper-case names, entities in attributes, '<x/>', a script inside the
    article, unclosed <li>, a second article. (These passages are html.parser's, which this
    extractor replaced: the two agreed on every page of the 1x, 10x and 50x corpora.)"""
    got = [(p.anchor, p.kind, p.heading, p.text) for p in search.extract_passages(TRICKY_PAGE)]
    assert got == [
        ("p-1", "paragraph", "", "Upper & case tags here"),
        ('p-"2"', "paragraph", "", "An id with entities \u2014 \u2014"),
        ("list", "paragraph", "", "onetwo"),
        ("list", "paragraph", "", "no id of its own next"),
        ("sec", "heading", "Section", "Section"),
        ("p-3", "paragraph", "Section", "Text on."),
        ("p-4", "paragraph", "Section", "A second article"),
    ]


def test_page_without_article_has_no_passages():
    assert search.extract_passages("<html><body><p id='p-1'>x</p></body></html>") == []


def test_page_url_is_the_directory_url():
    assert search.page_url("revolution-betrayed/chapter-1.md") == "/revolution-betrayed/chapter-1/"
    assert search.page_url("work/part/index.md") == "/work/part/"
    assert search.page_url("index.md") == "/"


def _doc() -> Document:
    block = Block(BlockKind.PARAGRAPH, "text", anchor="p-1")
    chapter = Section("Chapter 2", "chapter-2", level=2, is_page=True, blocks=(block,))
    heading = Section("A heading", "a-heading", level=2, blocks=(block,))
    part = Section("Part One", "part-one", level=1, is_page=True, children=(chapter, heading))
    return Document("work", (part,))


def test_page_trails_name_every_page_ancestor():
    paths = [path for _, path in page_paths(_doc())]
    assert search.page_trails(_doc()) == [(("Part One",), paths[0]),
                                          (("Part One", "Chapter 2"), paths[1])]


def test_records_group_passages_and_keep_notes_apart():
    work = search.WorkInfo("The Work", ("A. Author", "B. Author"), "en")
    passages = [search.Passage("ch", "Ch", "heading", ""),
                search.Passage("p-1", "one two three", "paragraph", ""),
                search.Passage("sec", "A heading", "heading", "A heading"),
                search.Passage("p-2", "four five", "paragraph", "A heading"),
                search.Passage("p-3", "six seven eight", "paragraph", "A heading"),
                search.Passage("fn:2", "A note.", "note", "A heading")]
    recs = list(search.page_records(passages, "/work/part/ch/", ("Part", "Ch"), work,
                                    max_words=8))
    assert [r.passages for r in recs] == [
        (("ch", "Ch", "h1"), ("p-1", "one two three", "p"), ("sec", "A heading", "h2"),
         ("p-2", "four five", "p")),
        (("p-3", "six seven eight", "p"),),
        (("fn:2", "A note.", "p"),)]
    assert {r.url for r in recs} == {"/work/part/ch/"}
    assert dict(recs[0].show) == {"chapter": "Part › Ch", "kind": "text"}
    assert dict(recs[1].show) == {"chapter": "Part › Ch", "kind": "text", "section": "A heading"}
    assert dict(recs[2].show)["kind"] == "note"
    assert dict(recs[0].filters) == {"author": ("A. Author", "B. Author"), "work": ("The Work",)}


def test_a_passage_longer_than_the_limit_stays_whole():
    long = search.Passage("p-1", "word " * 50, "paragraph")
    short = search.Passage("p-2", "word", "paragraph")
    assert search.group_passages([short, long, short], 10) == [[short], [long], [short]]


def test_library_records_read_each_page_of_each_document():
    seen: list[str] = []

    def read(url: str) -> str | None:
        seen.append(url)
        return PAGE if "chapter-2" in url else None

    works = {"work": search.WorkInfo("The Work", ("A. Author",))}
    pages = search.search_pages([_doc()], works)
    assert [(p.trail, p.work.title) for p in pages] == [(("Part One",), "The Work"),
                                                        (("Part One", "Chapter 2"), "The Work")]
    recs = list(search.library_records(pages, read))
    chapter = search.page_url(page_paths(_doc())[1][1])
    assert seen == [search.page_url(p) for _, p in page_paths(_doc())]
    assert [r.url for r in recs] == [chapter, chapter]  # the text, then the notes
    assert [a for r in recs for a, _, _ in r.passages] == [
        "chapter-1", "chapter-1", "p-1", "growth", "p-2", "p-3", "fn:1"]


def _three_pages() -> tuple[list[search.SearchPage], dict[str, str]]:
    work = search.WorkInfo("The Work", ("A. Author",))
    pages = [search.SearchPage(f"/work/ch-{i}/", (f"Ch {i}",), work) for i in range(3)]
    html = {p.url: PAGE.replace("p-1", f"p-1{i}") for i, p in enumerate(pages)}
    return pages, html


def test_records_of_pages_arriving_in_any_order_come_in_reading_order():
    pages, html = _three_pages()
    read_later: list[str] = []

    def read(url: str) -> str | None:
        read_later.append(url)
        return html.get(url)

    arriving = [(pages[2].url, html[pages[2].url]), ("/not-a-text/", PAGE),
                (pages[0].url, html[pages[0].url])]  # the middle page never comes
    got = list(search.arriving_records(pages, arriving, read))
    assert got == list(search.library_records(pages, html.get))
    assert read_later == [pages[1].url]


def _files(folder: Path) -> dict[str, bytes]:
    return {f.relative_to(folder).as_posix(): f.read_bytes()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def _written_site(site: Path, html: dict[str, str]) -> Path:
    """A site folder holding each page's HTML where MkDocs writes it."""
    for url, text in html.items():
        search.html_file(site, url).parent.mkdir(parents=True)
        search.html_file(site, url).write_text(text, encoding="utf-8")
    return site


@pytest.mark.parametrize("in_ram", [False, True])
def test_the_background_stager_stages_the_same_files(tmp_path: Path, monkeypatch, in_ram: bool):
    """On disk (the temporary folder) and in a RAM folder (here a stand-in folder): the same
    files as staging the written pages."""
    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search, "stage_parent", lambda: ram if in_ram else None)
    pages, html = _three_pages()
    site = _written_site(tmp_path / "site", html)
    expected = tmp_path / "expected"
    expected.mkdir()
    want = search._stage(search.library_records(pages, html.get), expected)
    stager = search.BackgroundStager(pages)
    assert (stager.folder.parent == ram) is in_ram
    for page in reversed(pages[1:]):  # out of order; the first page is read from the site
        stager.add(page.url, html[page.url].replace("\n", "\r\n"))  # read_text's newlines
    stager.add("/not-a-text/", PAGE)
    staged = stager.finish(site)
    assert staged is not None and stager.error == ""
    folder, sizes, filters = staged
    assert (sizes, filters) == want
    assert _files(folder / "all") == _files(expected) and len(_files(expected)) == 6
    assert stager.proc.returncode == 0
    shutil.rmtree(folder)


def test_a_failed_stager_leaves_the_records_to_the_build(tmp_path: Path):
    pages, html = _three_pages()
    site = _written_site(tmp_path / "site", html)
    stager = search.BackgroundStager(pages)
    stager.add(pages[0].url, html[pages[0].url])
    stager.proc.kill()
    assert search.write_index(pages, site, stager=stager) == 6
    assert stager.error and not stager.folder.exists()
    assert len(_fragments(site / search.BUNDLE_DIR)) == 6


def _record(passages, show=(("chapter", "C"),), filters=(("author", ("A",)), ("work", ("W",)))):
    return search.Record("/w/c/", tuple(passages), "en", show, filters)


def test_record_html_escapes_source_text_and_keeps_labels_unsearchable():
    rec = _record([("p-1", 'Say "<b>hi</b>" & <script>x()</script>', "p"),
                   ("p-1", "a subtitle", "p"), ('x"><b', "t", "h2")],
                  (("chapter", 'A "T" <i>'),), (("author", ("X <y>",)),))
    html = search.record_html(rec)
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert '<p id="p-1">Say &quot;&lt;b&gt;hi&lt;/b&gt;&quot; &amp; &lt;script&gt;' in html
    assert "<p>a subtitle</p>" in html  # one element per id
    assert '<h2 id="x&quot;&gt;&lt;b">t</h2>' in html
    assert 'data-pagefind-filter="chapter[content]" content="A &quot;T&quot; &lt;i&gt;"' in html
    assert 'data-pagefind-filter="author[content]" content="X &lt;y&gt;"' in html
    assert 'data-pagefind-filter="url[content]" content="/w/c/"' in html
    assert "data-pagefind-meta" not in html  # Pagefind would make meta values searchable


def test_facets_list_authors_and_works():
    recs = [_record([], (), (("author", ("B", "A")), ("work", ("W2",)))),
            _record([], (), (("author", ("C",)), ("work", ("W1",))))]
    assert search.facets(recs) == {"authors": ["A", "B", "C"],
                                   "works": [["W1", ["C"]], ["W2", ["A", "B"]]]}


def _fragments(bundle: Path) -> list[dict]:
    out = []
    for f in sorted((bundle / "fragment").iterdir()):
        raw = gzip.decompress(f.read_bytes())
        out.append(json.loads(raw[raw.index(b"{"):]))
    return out


def test_write_records_builds_a_pagefind_bundle(tmp_path: Path):
    recs = [_record([(f"p-{i}", f"Paragraph {i} about <tag> & the soviets.", "p"),
                     (f"p-{i + 10}", "Next one.", "p")]) for i in range(3)]
    out = tmp_path / "pagefind"
    (out / "stale").mkdir(parents=True)
    assert search.write_records(recs, out) == 3
    assert (out / "pagefind.js").is_file() and not (out / "stale").exists()
    assert json.loads((out / "pagefind-entry.json").read_text())["languages"]
    frags = _fragments(out)
    assert len(frags) == 3
    for f in frags:
        assert f["filters"] == {"url": ["/w/c/"], "chapter": ["C"], "author": ["A"],
                                "work": ["W"]}
        assert "about <tag> & the soviets." in f["content"] and not f["meta"].get("chapter")
        words = f["content"].split()
        # Pagefind keeps each paragraph's id with the position of its first word.
        assert [(a["id"], words[a["location"]]) for a in f["anchors"]] == [
            (f["anchors"][0]["id"], "Paragraph"), (f["anchors"][1]["id"], "Next")]


def _five_records_and_a_ram_dir(tmp_path: Path, monkeypatch) -> tuple[list, Path]:
    """Five one-paragraph records, and an empty folder standing in for the RAM file system."""
    recs = [_record([(f"p-{i}", f"Paragraph {i} about the soviets and more words here.", "p")])
            for i in range(5)]
    ram = tmp_path / "shm"
    ram.mkdir()
    monkeypatch.setattr(search, "MEMORY_DIR", ram)
    monkeypatch.setattr(search, "MEMORY_DIR_SPARE", 0)
    return recs, ram


def test_the_bundle_through_ram_is_the_bundle_written_in_place(tmp_path: Path, monkeypatch):
    # Pagefind writes into a RAM file system and the bundle is copied out; with none (or too
    # little room) it writes in place. The same records either way (Pagefind's hashed file
    # names differ from run to run), and nothing is left behind in RAM.
    recs, ram = _five_records_and_a_ram_dir(tmp_path, monkeypatch)
    made = []
    real_mkdtemp = search.tempfile.mkdtemp
    monkeypatch.setattr(search.tempfile, "mkdtemp",
                        lambda *a, **kw: made.append(kw.get("dir")) or real_mkdtemp(*a, **kw))
    search.write_records(recs, tmp_path / "via-ram", max_words=20)
    assert made.count(ram) == 3 and list(ram.iterdir()) == []  # all 3 parts went through RAM
    monkeypatch.setattr(search, "MEMORY_DIR", tmp_path / "missing")
    search.write_records(recs, tmp_path / "in-place", max_words=20)
    assert made.count(ram) == 3

    def bundle(root: Path) -> tuple[list, list]:
        names = sorted(str(f.relative_to(root)) for f in root.rglob("*")
                       if f.is_file() and "pf_meta" not in f.name)
        parts = json.loads((root / search.PARTS).read_text())
        frags = _fragments(root) + [f for n in parts for f in _fragments(root / n)]
        return names, sorted(json.dumps(f, sort_keys=True) for f in frags)

    via_ram, in_place = bundle(tmp_path / "via-ram"), bundle(tmp_path / "in-place")
    assert "part-1/pagefind-entry.json" in via_ram[0] and via_ram == in_place
    assert len(via_ram[1]) == 5
    monkeypatch.setattr(search, "MEMORY_DIR", ram)
    monkeypatch.setattr(search, "MEMORY_DIR_SPARE", 1 << 60)  # no room: Pagefind writes in place
    assert search._memory_dir(10) is None


@pytest.mark.parametrize("failing", [0, 1])
def test_a_failed_indexer_run_names_the_bundle_and_leaves_nothing_in_ram(tmp_path: Path,
                                                                        monkeypatch, failing):
    """Parts are indexed one after another, a part's bundle copied while the next is indexed:
    when a run fails (the first or the second), the build fails naming the bundle, and no
    run is left running and nothing in RAM."""
    recs, ram = _five_records_and_a_ram_dir(tmp_path, monkeypatch)
    real_command = search._pagefind_command
    calls: list[int] = []

    def command() -> list[str]:
        calls.append(1)
        return ["false"] if len(calls) == failing + 1 else real_command()

    monkeypatch.setattr(search, "_pagefind_command", command)
    with pytest.raises(RuntimeError, match="Pagefind could not write the search index into"):
        search.write_records(recs, tmp_path / "bundle", max_words=20)
    assert len(calls) == failing + 1
    assert list(ram.iterdir()) == []


def _words(n: int, i: int = 0) -> search.Record:
    return _record([(f"p-{i}", " ".join(["soviet"] * n), "p")])


def test_split_records_makes_even_parts_within_the_limit():
    def sizes(ns: list[int], limit: int) -> list[list[int]]:
        parts = search.split_records([_words(n, i) for i, n in enumerate(ns)], limit)
        return [[len(r.content.split()) for r in p] for p in parts]

    assert sizes([5, 5, 5, 5], 100) == [[5, 5, 5, 5]]  # all fit: one index, as before
    assert sizes([5, 5, 5, 5], 10) == [[5, 5], [5, 5]]
    assert sizes([5, 5, 5, 5, 5, 5], 20) == [[5, 5, 5], [5, 5, 5]]  # even, not 20 + 10
    assert sizes([3] * 10, 10) == [[3, 3, 3]] * 3 + [[3]]  # never over the limit
    assert sizes([20, 1], 10) == [[20], [1]]  # a longer record stays whole, alone
    # Order is kept: the parts, joined, are the records.
    recs = [_words(n, i) for i, n in enumerate([4, 7, 2, 9, 1, 6])]
    assert [r for p in search.split_records(recs, 10) for r in p] == recs


def test_write_records_in_parts_lists_the_parts(tmp_path: Path):
    recs = [_record([(f"p-{i}", f"Paragraph {i} about the soviets and more words here.", "p")])
            for i in range(5)]
    out = tmp_path / "pagefind"
    assert search.write_records(recs, out, max_words=20) == 5
    names = json.loads((out / search.PARTS).read_text())
    assert names == ["part-1/", "part-2/"]
    frags = _fragments(out) + [f for n in names for f in _fragments(out / n)]
    assert sorted(f["content"] for f in frags) == sorted(r.content for r in recs)
    for n in names:
        assert json.loads((out / n / "pagefind-entry.json").read_text())["languages"]
    # One index when the words fit: the list of further parts is empty.
    search.write_records(recs, out)
    assert json.loads((out / search.PARTS).read_text()) == []
    assert not (out / "part-1").exists() and len(_fragments(out)) == 5


def test_write_index_reads_the_pages_it_is_given(tmp_path: Path):
    site = tmp_path / "site"
    (site / "work" / "ch").mkdir(parents=True)
    (site / "work" / "ch" / "index.html").write_text(PAGE, encoding="utf-8")
    work = search.WorkInfo("The Work", ("A. Author",))
    pages = [search.SearchPage("/work/ch/", ("Ch",), work),
             search.SearchPage("/work/gone/", ("Gone",), work)]  # no HTML: nothing indexed
    assert search.write_index(pages, site) == 2  # the text, then the notes
    bundle = site / search.BUNDLE_DIR
    assert json.loads((bundle / search.FACETS).read_text()) == {
        "authors": ["A. Author"], "works": [["The Work", ["A. Author"]]]}
    assert sorted(f["filters"]["kind"][0] for f in _fragments(bundle)) == ["note", "text"]


@pytest.mark.parametrize("early", [False, True])
def test_the_plugin_lets_the_documents_go_before_the_indexer_runs(tmp_path: Path, monkeypatch,
                                                                   early: bool):
    """The indexer is a second large process: when it runs after the HTML is written, the
    build process keeps no document, no page Markdown or HTML (their memory is what keeps the
    50x build under 2 GiB). It starts before the templates (search.start_index) only when it
    and the whole build process fit ``EARLY_INDEX_BYTES``, and then before any page is
    written."""
    import gc

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from test_robust_build import copy_fixture

    from build_site.model import Document as Doc

    project = copy_fixture(tmp_path)
    site = tmp_path / "site"
    seen: dict = {}
    real_run = search.IndexRun.__init__

    def watch(self, *args, **kwargs):
        gc.unfreeze()  # the conversion freezes what it made: frozen objects are not listed
        gc.collect()
        seen["documents"] = [o.slug for o in gc.get_objects() if isinstance(o, Doc)
                             and o.slug == "hostile-text"]
        seen["built"] = library.built
        seen["written"] = [p.name for p in Path(library_site()).rglob("index.html")]
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(search.IndexRun, "__init__", watch)
    if not early:
        monkeypatch.setattr(search, "EARLY_INDEX_BYTES", 0)
    cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    library = cfg.plugins["library"]
    assert isinstance(library, plugin.LibraryPlugin)

    def library_site() -> str:
        return cfg.site_dir  # the staging folder while building

    build(cfg)
    if early:
        assert seen["written"] == []  # started before the templates: no page written yet
        assert seen["built"] is not None
    else:
        assert seen["documents"] == []
        assert seen["built"] is None
        assert seen["written"]
    assert (site / search.BUNDLE_DIR / "pagefind-entry.json").is_file()
    assert json.loads((site / search.BUNDLE_DIR / search.PARTS).read_text()) == []


@pytest.mark.parametrize("theme", ["fixture", "site"])
@pytest.mark.parametrize("early", [False, True])
def test_the_plugin_stages_the_records_while_mkdocs_writes_the_pages(tmp_path: Path,
                                                                     monkeypatch, theme: str,
                                                                     early: bool):
    """The build's records come from its stager (no fallback), fed each page's content (the
    indexer then starts before the templates) or each written page, and they are the files
    that staging the written pages after the build makes, byte for byte; with the fixture's
    theme and with the site's (its overrides and features)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from test_robust_build import copy_fixture

    project = copy_fixture(tmp_path, with_site_assets=theme == "site")
    seen: dict = {}
    real_write, real_index, real_start = (search.write_index, search._index_staged,
                                          search.start_index)

    def write(pages, site_dir, *args, **kwargs):
        seen["stager"] = kwargs.get("stager")
        return real_write(pages, site_dir, *args, **kwargs)

    def index(tmp, sizes, *args):
        seen["staged"] = _files(tmp / "all")
        return real_index(tmp, sizes, *args)

    def start(staged, *args, **kwargs):
        seen["staged"] = _files(staged[0] / "all")
        seen["early"] = real_start(staged, *args, **kwargs)
        return seen["early"]

    monkeypatch.setattr(search, "write_index", write)
    monkeypatch.setattr(search, "_index_staged", index)
    monkeypatch.setattr(search, "start_index", start)
    if not early:
        monkeypatch.setattr(plugin, "article_is_content", lambda config, plugin: False)
    site = tmp_path / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    if early:
        assert seen["early"] is not None and "stager" not in seen  # no late search stage
    else:
        assert seen["stager"] is not None and seen["stager"].error == ""
        assert not seen["stager"].folder.exists()
    built = build_library(project / "source")
    pages = search.search_pages(built.documents, search.work_infos(built.library))
    expected = tmp_path / "expected"
    expected.mkdir()

    def read(url: str) -> str | None:
        f = search.html_file(site, url)
        return f.read_text(encoding="utf-8") if f.is_file() else None

    search._stage(search.library_records(pages, read), expected)
    assert seen["staged"] == _files(expected) and seen["staged"]


# --- The real site ---------------------------------------------------------------------------


def test_built_site_has_the_bundle_and_not_lunr(built_site: Path):
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    assert not (built_site / "search" / "search_index.json").exists()
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'id="library-search-input"' in home
    assert 'data-md-component="search"' not in home and 'name="search"' not in home


def test_every_record_opens_an_element_that_exists(built_site: Path):
    frags = _fragments(built_site / "pagefind")
    ids: dict[str, set[str]] = {}
    kinds: set[str] = set()
    for f in frags:
        page = f["filters"]["url"][0]
        if page not in ids:
            html = (built_site / page.strip("/") / "index.html").read_text(encoding="utf-8")
            ids[page] = set(re.findall(r'\sid="([^"]+)"', html))
        for a in f["anchors"]:
            assert a["id"] in ids[page], f"{page}#{a['id']}: no element with that id"
        assert f["filters"]["work"] and f["filters"]["author"] and f["filters"]["chapter"], page
        kinds.add(f["filters"]["kind"][0])
    assert kinds == {"text", "note"}
    # Every built page that shows numbered paragraphs (the texts) is searchable.
    for f in built_site.rglob("index.html"):
        if '<p id="p-' in f.read_text(encoding="utf-8"):
            url = "/" + f.parent.relative_to(built_site).as_posix() + "/"
            assert url in ids, f"{url}: its paragraphs are not in the search index"



@pytest.mark.parametrize("content", [
    '<h1 id="t">Chapter &lt;One&gt;</h1>\n<p id="p-1">First words.</p>',
    '<p id="p-1">A page whose content has no heading.</p>\n<p id="p-2">Second.</p>',
])
def test_article_html_reads_as_materials_content_partial(tmp_path: Path, content: str):
    """``article_html`` gives the passages Material's content partial gives around a page's
    content, also when the partial adds the title as ``<h1>`` (the content has none)."""
    from types import SimpleNamespace

    from markupsafe import Markup
    from mkdocs.config import load_config
    from test_robust_build import copy_fixture

    project = copy_fixture(tmp_path, with_site_assets=True)
    config = load_config(str(project / "mkdocs.yml"))
    title = Markup("Title &amp; <em>more</em>")  # as on_env leaves it: HTML
    page = SimpleNamespace(content=content, title=title, meta={}, edit_url=None,
                           file=SimpleNamespace(src_uri="w/c.md"), is_homepage=False)
    partial = config.theme.get_env().get_template("partials/content.html")
    written = partial.render(page=page, config=config)
    passages = search.extract_passages(f"<article>{written}</article>")
    assert passages == search.extract_passages(search.article_html(content, str(title)))
    assert [p.anchor for p in passages if p.kind == "paragraph"][:1] == ["p-1"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_a_fork_of_the_build_does_not_hold_the_stagers_pipe(tmp_path: Path):
    """The render workers are forks of the build: their copy of the pipe to the records'
    process points at /dev/null, so only the build process feeds (and ends) it."""
    import os

    stager = search.BackgroundStager([])
    try:
        fd = stager._pipe
        assert os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        pid = os.fork()
        if pid == 0:  # the child: exit 0 only if its copy is /dev/null
            os._exit(0 if os.readlink(f"/proc/self/fd/{fd}") == os.devnull else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")  # ours is untouched
    finally:
        stager.close()


def test_records_come_from_the_content_only_when_the_indexer_may_start_early():
    """The estimate from the documents' characters: a small library fits beside the build
    process; one of more than ``MAX_INDEX_WORDS`` estimated words (parts), or one whose indexer
    would not fit ``EARLY_INDEX_BYTES`` beside it, is indexed at the end."""
    def library(chars: int) -> list[Document]:
        block = Block(BlockKind.PARAGRAPH, "x" * chars, 1, 1)
        return [Document("w", (Section("T", "t", blocks=(block,), first_line=1),))]

    small = library(1_000_000)
    assert search.may_index_early(small, 100 << 20)
    assert not search.may_index_early(small, search.EARLY_INDEX_BYTES)  # no room beside it
    many = library(search.CHARS_PER_WORD * (search.MAX_INDEX_WORDS + 1))
    assert not search.may_index_early(many, 0)


def test_an_indexer_that_cannot_start_early_fails_the_build_as_at_the_end(tmp_path: Path,
                                                                          monkeypatch, caplog):
    """No Pagefind binary: the early start gives way, and the search stage at the end fails
    the build with the plugin's error naming the bundle, not a traceback from on_env."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort
    from test_robust_build import copy_fixture

    caplog.set_level("INFO", logger="mkdocs.plugins.library")
    project = copy_fixture(tmp_path)
    monkeypatch.setattr(search, "_pagefind_command", lambda: [str(tmp_path / "no-pagefind")])
    cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    with pytest.raises(Abort):
        build(cfg)
    assert "could not start early" in caplog.text
    assert "library: writing the search index or downloads into" in caplog.text
    assert "no-pagefind" in caplog.text
    assert not (tmp_path / "site").exists()
