"""The search records' fast paths give what the plain code they stand for gives: the scan for
the article (``_outside``) is ``_OUTSIDE.search``, ``_space`` is split-and-join, and the
records staged in RAM are the files staged on disk (or the build makes them itself)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_search import _fragments, _three_pages, _written_site

from build_site import search


def test_every_whitespace_but_the_space_is_unprintable():
    """The premise of ``_single_spaced``, over every code point: str.split's whitespace is the
    regex \\s's, and none of it but the space is printable."""
    space = re.compile(r"\s")
    for code in range(0x110000):
        c = chr(code)
        assert c.isspace() == (space.match(c) is not None), hex(code)
        assert not (c.isspace() and c != " " and c.isprintable()), hex(code)


TEXT = st.lists(st.sampled_from([
    "a", "word", "é", "—", " ", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x1c", "\x85", "\u00a0",
    "\u2009", "\u2028", "\u3000", "\u200b", "\ufeff", "&", "<"]), max_size=16).map("".join)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_space_is_split_and_join(text: str):
    assert search._space(text) == " ".join(text.split())


# Pieces of markup around what the scan looks for, in both cases and with the characters that
# Python's case-insensitive matching takes for ASCII letters (long s, dotless i, Kelvin sign).
MARKUP = st.lists(st.sampled_from([
    "<", ">", "/", "-", " ", "\n", "a", "x", "<!--", "-->", "--", "-- >", "<!", "<script>",
    "</script>", "<SCRIPT src=x>", "</ScRiPt >", "<scriptx>", "<\u017fcript>", "<style>",
    "</style>", "<STYLE/>", "<article>", "<ARTICLE class='a'>", "<article/>", "<articles>",
    "<artıcle>", "<Article\n", "<p>", "</article>", "\u212a", "<a href='>'>"]),
    max_size=14).map("".join)


@settings(max_examples=5000, deadline=None)
@given(MARKUP, st.integers(0, 3))
def test_outside_is_the_regex_search(html: str, pos: int):
    want = search._OUTSIDE.search(html, pos)
    got = search._outside(html, pos)
    assert (got is None) == (want is None)
    if want is not None:
        assert (got.span(), got.groups()) == (want.span(), want.groups())


def test_records_are_staged_in_ram_when_it_has_room(tmp_path: Path, monkeypatch):
    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search, "MEMORY_DIR", ram)
    monkeypatch.setattr(search, "_free_bytes", lambda path: 10 * search.MEMORY_DIR_SPARE)
    assert search.stage_parent() == ram
    monkeypatch.setattr(search, "_free_bytes", lambda path: search.MEMORY_DIR_SPARE)
    assert search.stage_parent() is None  # less than twice the spare: on disk
    monkeypatch.setattr(search, "MEMORY_DIR", tmp_path / "none")
    assert search.stage_parent() is None


def test_the_staged_files_are_the_records_html(tmp_path: Path):
    pages, html = _three_pages()
    records = list(search.library_records(pages, html.get))
    sizes, _ = search._stage(records, tmp_path)
    files = sorted(tmp_path.rglob("*.html"), key=lambda f: int(f.stem))
    assert [f.read_text(encoding="utf-8") for f in files] == [search.record_html(r)
                                                               for r in records]
    assert sizes == [len(r.content.split()) for r in records]


def test_staging_stops_before_the_ram_runs_out(tmp_path: Path, monkeypatch):
    pages, html = _three_pages()
    records = list(search.library_records(pages, html.get))
    sizes = [len(search.record_html(r).encode()) for r in records]
    monkeypatch.setattr(search, "_free_bytes", lambda path: 100_000)
    (tmp_path / "fits").mkdir()
    (tmp_path / "full").mkdir()
    search._stage(records, tmp_path / "fits", keep_free=100_000 - max(sizes))  # each fits
    assert len(list((tmp_path / "fits").rglob("*.html"))) == len(records)
    try:
        search._stage(records, tmp_path / "full", keep_free=100_000 - min(sizes) + 1)
    except OSError as exc:
        assert "bytes would stay free" in str(exc)
    else:
        raise AssertionError("staging went on with less than keep_free left")
    assert not list((tmp_path / "full").rglob("*.html"))


def test_a_full_ram_folder_leaves_the_records_to_the_build(tmp_path: Path, monkeypatch):
    """The worker is told to keep more free than any disk has: it stops at the first record,
    and the search stage makes the records from the written pages instead."""
    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search, "stage_parent", lambda: ram)
    monkeypatch.setattr(search, "MEMORY_DIR_SPARE", 1 << 62)
    pages, html = _three_pages()
    site = _written_site(tmp_path / "site", html)
    stager = search.BackgroundStager(pages)
    for page in pages:
        stager.add(page.url, html[page.url])
    assert search.write_index(pages, site, stager=stager) == 6
    assert "bytes would stay free" in stager.error and not stager.folder.exists()
    assert len(_fragments(site / search.BUNDLE_DIR)) == 6


# Markup of the kinds the walk treats apart: blocks with and without ids, furniture (by tag,
# class, id, aria-hidden, data-pagefind-ignore) with blocks, notes and furniture inside it,
# note containers, void and self-closed tags, raw text, comments, unclosed and stray end tags,
# entities and whitespace.
TAGS = st.sampled_from([
    "<p>", "<p id='p-1'>", "</p>", "<li>", "<li id=\"fn:1\">", "</li>", "<ul>", "</ul>",
    "<h2 id='h'>", "</h2>", "<h1 id='t'>", "</h1>", "<div>", "<div id='d'>", "</div>",
    "<div class='footnote'>", "<div class=\"footnote x\" id='n'>", "<blockquote id='q'>",
    "</blockquote>", "<span aria-hidden='true'>", "</span>", "<a class='headerlink'>",
    "<a class=\"footnote-ref\" href='#fn:1'>", "<a class='footnote-backref'>", "</a>",
    "<sup id='fnref:1'>", "</sup>", "<div data-pagefind-ignore>", "<nav>", "</nav>",
    "<button>", "</button>", "<br>", "<br/>", "<hr>", "<span/>", "<script>x<p>y</script>",
    "<style>p{}</style>", "<!-- <p id='c'>c</p> -->", "<table>", "<td>", "</table>",
    "<aside id='a' class='x'>", "</aside>", "</article>", "<article>", "text", "more words",
    " ", "\n", "&amp;", "&para;", "\u00a0", "  two  spaces ", "é"])


@settings(max_examples=4000, deadline=None)
@given(st.lists(TAGS, max_size=40).map("".join))
def test_extract_passages_is_the_plain_walk(body: str):
    from search_reference import extract_passages as reference

    page = (f"<html><head><script>var a='<article>'</script></head><body><article>{body}"
            "</article><p id='after'>after</p></body></html>")
    for html in (page, body):
        assert search.extract_passages(html) == reference(html)


PASSAGES = st.lists(st.builds(
    search.Passage, st.sampled_from(["p-1", "p-2", ""]), TEXT,
    st.sampled_from(["paragraph", "note", "heading"]), st.sampled_from(["", "H"])), max_size=12)


@settings(max_examples=2000, deadline=None)
@given(PASSAGES, st.integers(1, 12))
def test_record_words_are_its_contents_words(passages, max_words: int):
    """``page_records`` gives each record the words it grouped by; they are the words of its
    joined content, as a record made without them counts."""
    work = search.WorkInfo("W", ("A",))
    records = list(search.page_records(passages, "/w/", ("W",), work, max_words=max_words))
    assert [r.passages for r in records] == [
        tuple((p.anchor, p.text, search._tag(p)) for p in run)
        for run in search.group_passages(passages, max_words)]
    for r in records:
        assert r.words == len(r.content.split())
        assert search.Record(r.url, r.passages, r.language, r.show, r.filters) == r
