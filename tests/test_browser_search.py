"""Search as a reader uses it, in Chromium: the header box, paragraph results, landing on the
paragraph, exact phrases, filters, no-results message, footnotes, keyboard.

Pages are found through the built files, never by a chapter URL written here."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from build_site import metadata, search
from build_site.library import build_library

ROOT = Path(__file__).resolve().parents[1]
LIB, _ = metadata.load_library(ROOT / "source")
WAIT = 20_000  # ms: a generous bound for a loaded machine, not a performance assertion


def _url(site_url: str, built_site: Path, page: Path) -> str:
    return site_url + page.parent.relative_to(built_site).as_posix() + "/"


def _text_pages(built_site: Path) -> list[Path]:
    """Pages that show paragraphs (the texts), in a stable order."""
    return [f for f in sorted(built_site.rglob("index.html")) if "pagefind" not in f.parts
            and len(re.findall(r'<p id="p-', f.read_text(encoding="utf-8"))) >= 5]


def _work_in_nav(page) -> str:
    """The title of the work the open page belongs to, read from the active navigation."""
    labels = page.eval_on_selector_all(
        ".md-nav--primary .md-nav__item--active > .md-nav__link",
        "ls => ls.map(l => l.textContent.trim())")
    titles = {m.title for m in LIB.works.values()}
    found = [t for t in labels if t in titles]
    assert found, f"no work title among the active navigation entries {labels}"
    return found[-1]


def _search(page, query: str) -> int:
    """Type ``query`` in the header box and wait until its results are on screen."""
    before = page.eval_on_selector("#library-search-results", "el => +(el.dataset.done || 0)")
    page.fill("#library-search-input", query)
    page.wait_for_function(
        "(n) => +(document.getElementById('library-search-results').dataset.done || 0) > n",
        arg=before, timeout=WAIT)
    return int(page.eval_on_selector("#library-search-results", "el => el.dataset.count || 0"))


def _deployed_at(page, site_url: str) -> None:
    """Serve sitemap.xml as if the site were deployed at the test server's address.

    navigation.instant only handles URLs listed in sitemap.xml, whose host and port come from
    mkdocs.yml's site_url; the test server listens on another port."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    configured = re.search(r"^site_url:\s*(\S+)", config, flags=re.MULTILINE).group(1)

    def handle(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(configured, site_url))

    page.route("**/sitemap.xml", handle)


def _open_search(page, url: str) -> None:
    page.goto(url)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "library-search-input"
    assert page.evaluate("document.getElementById('__search').checked")


def _phrase(words: list[str], start: int, n: int) -> str:
    """``n`` consecutive words of a text from about ``start`` on, all of them plain words
    (no numbers, dashes or note markers), so that the phrase is the text's own."""
    plain = re.compile(r"^[\"“‘(]?[A-Za-z][a-z'’]*[,.;:!?)\"”’]?$")
    for i in list(range(start, len(words) - n)) + list(range(start)):
        if all(plain.match(w) for w in words[i:i + n]):
            return " ".join(w.strip("\"“”‘’(),.;:!?") for w in words[i:i + n])
    raise AssertionError(f"no run of {n} plain words in the paragraph")


@pytest.fixture(scope="module")
def known_paragraph(built_site: Path, site_url: str, browser):
    """A long paragraph of a text page: (work title, page URL, id, words, chapter title)."""
    pages = _text_pages(built_site)
    assert pages, "no text page with paragraphs in the built site"
    target = pages[len(pages) // 2]
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(_url(site_url, built_site, target))
    paras = pg.eval_on_selector_all(
        "article p[id^='p-']", "ps => ps.map(p => [p.id, p.innerText])")
    chapter = pg.eval_on_selector("article h1", """h => { const c = h.cloneNode(true);
        c.querySelectorAll('sup, .headerlink').forEach(e => e.remove());
        return c.textContent.trim(); }""")
    work = _work_in_nav(pg)
    ctx.close()
    pid, text = max(paras, key=lambda p: len(p[1].split()))
    words = text.split()
    assert len(words) >= 30, "the longest paragraph is too short for a phrase"
    return work, _url(site_url, built_site, target), pid, words, chapter


def test_phrase_finds_its_paragraph_and_opens_it(page, site_url, built_site, known_paragraph):
    work, url, pid, words, chapter = known_paragraph
    _deployed_at(page, site_url)
    _open_search(page, site_url)
    page.evaluate("window.__noReload = true")  # survives only an instant (in-page) navigation
    assert _search(page, _phrase(words, len(words) // 2, 8)) >= 1
    first = page.locator("#library-search-results .library-search__hit").first
    assert first.get_attribute("href").endswith(f"#{pid}")
    assert first.get_attribute("href").startswith(url)
    assert first.locator(".library-search__work").inner_text() == work
    assert chapter in first.locator(".library-search__chapter").inner_text()
    assert first.locator(".library-search__author").inner_text()
    assert first.locator(".library-search__snippet mark").count() >= 1
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('li')?.id") == "library-search-r0"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#{pid}", timeout=WAIT)
    page.wait_for_function("(id) => document.querySelector(':target')?.id === id", arg=pid,
                           timeout=WAIT)
    assert page.evaluate("window.__noReload") is True, "navigation.instant was bypassed"
    # The landing paragraph is highlighted (the anchors feature's :target style).
    page.wait_for_function("""() => { const s = getComputedStyle(document.querySelector(':target'));
        return s.backgroundColor !== 'rgba(0, 0, 0, 0)' || s.boxShadow !== 'none'
               || s.outlineStyle !== 'none'; }""", timeout=WAIT)
    assert not page.evaluate("document.getElementById('__search').checked")
    box = page.locator(f"[id='{pid}']").bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_click_on_a_result_lands_on_the_paragraph(page, site_url, known_paragraph):
    _, url, pid, words, _ = known_paragraph
    _open_search(page, site_url)
    _search(page, '"' + _phrase(words, 3, 6) + '"')
    page.locator(f"#library-search-results a[href$='#{pid}']").first.click()
    page.wait_for_url(f"**#{pid}", timeout=WAIT)
    assert page.url.startswith(url)
    page.wait_for_function("(id) => document.querySelector(':target')?.id === id", arg=pid,
                           timeout=WAIT)


def test_quoted_phrase_is_narrower_than_its_words(page, site_url):
    _open_search(page, site_url)
    loose = _search(page, "Soviet power")
    exact = _search(page, '"Soviet power"')
    assert 1 <= exact < loose
    # Typographic quotes, as pasted from a book, work the same.
    assert _search(page, "\u201cSoviet power\u201d") == exact
    for snippet in page.locator(".library-search__snippet").all_inner_texts():
        assert re.search(r"soviet\W+power", snippet, re.IGNORECASE), snippet


def test_no_results_says_so(page, site_url):
    _open_search(page, site_url)
    assert _search(page, "qxzvjkwq") == 0
    assert "No results" in page.inner_text("#library-search-status")
    assert page.locator("#library-search-results li").count() == 0


def test_author_filter_narrows_the_results(page, site_url):
    _open_search(page, site_url)
    everyone = _search(page, "revolution")
    authors = page.eval_on_selector_all("#library-search-author option",
                                        "os => os.map(o => o.value).filter(Boolean)")
    assert len(authors) >= 2
    counts = {}
    for name in authors:
        before = page.eval_on_selector("#library-search-results", "el => +el.dataset.done")
        page.select_option("#library-search-author", name)
        page.wait_for_function(
            "(n) => +document.getElementById('library-search-results').dataset.done > n",
            arg=before, timeout=WAIT)
        counts[name] = int(page.eval_on_selector("#library-search-results",
                                                 "el => el.dataset.count"))
        for line in page.locator(".library-search__author").all_inner_texts():
            assert name in line
    assert all(c < everyone for c in counts.values())
    assert max(counts.values()) >= 1


def test_work_filter_keeps_one_work(page, site_url):
    _open_search(page, site_url)
    _search(page, "power")
    works = page.eval_on_selector_all("#library-search-work option",
                                      "os => os.map(o => o.value).filter(Boolean)")
    assert sorted(works) == sorted(m.title for m in LIB.works.values())
    before = page.eval_on_selector("#library-search-results", "el => +el.dataset.done")
    page.select_option("#library-search-work", works[0])
    page.wait_for_function(
        "(n) => +document.getElementById('library-search-results').dataset.done > n",
        arg=before, timeout=WAIT)
    shown = page.locator(".library-search__work").all_inner_texts()
    assert shown and set(shown) == {works[0]}


def test_footnote_text_is_searchable(page, site_url, built_site):
    note_pages = [f for f in _text_pages(built_site)
                  if '<li id="fn:' in f.read_text(encoding="utf-8")]
    assert note_pages, "no page with footnotes in the built site"
    target = note_pages[0]
    url = _url(site_url, built_site, target)
    page.goto(url)
    notes = page.eval_on_selector_all(
        ".footnote li[id]", "ls => ls.map(l => [l.id, l.innerText.replace('↩', '')])")
    nid, text = max(notes, key=lambda n: len(n[1].split()))
    page.keyboard.press("/")
    _search(page, '"' + _phrase(text.split(), 0, 4) + '"')
    hit = page.locator(f"#library-search-results a[href$='#{nid}']")
    assert hit.count() >= 1, f"note {nid} of {url} not found"
    assert hit.first.locator(".library-search__kind").text_content() == "footnote"


def test_keyboard_opens_moves_and_closes(page, site_url):
    _open_search(page, site_url)
    assert _search(page, "Lenin") >= 3
    focused = "document.activeElement.closest('li')?.id"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "library-search-r1"
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "library-search-r0"
    page.keyboard.press("x")  # typing on a result goes back to the box
    assert page.evaluate("document.activeElement.id") == "library-search-input"
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "library-search-input"


def test_fast_typing_shows_the_last_query(page, site_url):
    """Keystrokes typed faster than a search answers: the list ends with the results of the
    whole query, as many as the same query given at once."""
    _open_search(page, site_url)
    expected = _search(page, "soviet power")
    page.fill("#library-search-input", "")
    page.keyboard.type("soviet power")  # one input event per character
    page.wait_for_function(
        "() => { const l = document.getElementById('library-search-results');"
        " return l.dataset.query === 'soviet power' && l.querySelector('.library-search__hit'); }",
        timeout=WAIT)
    page.wait_for_timeout(500)  # no late answer to 'soviet powe' may replace it
    assert page.eval_on_selector("#library-search-results", "el => el.dataset.query") \
        == "soviet power"
    assert int(page.eval_on_selector("#library-search-results",
                                     "el => el.dataset.count")) == expected


def test_common_words_alone_are_still_searched(page, site_url):
    """Common words are left out of a query only when other words remain."""
    _open_search(page, site_url)
    assert _search(page, "of the") >= 1


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def parted_site(built_site: Path, tmp_path_factory):
    """The real site with its search index written in parts (as a large library's is), served:
    (site URL, the page URLs indexed in the last part)."""
    tmp = tmp_path_factory.mktemp("parted")
    site = tmp / "site"
    shutil.copytree(built_site, site, copy_function=os.link)  # write_index replaces, never
    built = build_library(ROOT / "source", cache_dir=tmp / "cache")  # writes through links
    pages = search.search_pages(built.documents, search.work_infos(built.library))
    search.write_index(pages, site, max_words=60_000)
    bundle = site / search.BUNDLE_DIR
    parts = json.loads((bundle / search.PARTS).read_text(encoding="utf-8"))
    assert len(parts) >= 2, "the corpus should need several parts of 60,000 words"
    last = set()
    for f in (bundle / parts[-1] / "fragment").iterdir():
        raw = gzip.decompress(f.read_bytes())
        last.add(json.loads(raw[raw.index(b"{"):])["filters"]["url"][0])
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", sorted(last)
    server.shutdown()


def test_an_index_in_parts_finds_what_one_index_finds(browser, site_url, parted_site):
    parted_url, last_pages = parted_site
    counts = {}
    for url in (site_url, parted_url):
        ctx = browser.new_context()
        pg = ctx.new_page()
        _open_search(pg, url)
        counts[url] = [_search(pg, q) for q in ("revolution", '"Soviet power"', "qxzvjkwq")]
        ctx.close()
    assert counts[parted_url] == counts[site_url] and counts[site_url][0] >= 1
    # A phrase of a page indexed in the last part: its paragraph comes first.
    ctx = browser.new_context()
    pg = ctx.new_page()
    target = parted_url + last_pages[len(last_pages) // 2].lstrip("/")
    pg.goto(target)
    pid, text = max(pg.eval_on_selector_all("article p[id^='p-']",
                                            "ps => ps.map(p => [p.id, p.innerText])"),
                    key=lambda p: len(p[1].split()))
    words = text.split()
    _open_search(pg, parted_url)
    assert _search(pg, _phrase(words, len(words) // 2, 8)) >= 1
    first = pg.locator("#library-search-results .library-search__hit").first
    assert first.get_attribute("href").startswith(target)
    assert first.get_attribute("href").endswith(f"#{pid}")
    ctx.close()


# Pagefind's own exact-phrase search, on the module search.js has loaded: which records
# hold the phrase, and the index files it fetched for them.
_NATIVE = """async (q) => {
  const pf = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
  const res = await pf.search(q);
  return res.results.length;
}"""
_COMMON = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "it", "of", "on",
           "or", "that", "the", "this", "to", "was", "which", "with"}


def _exhaust(page) -> int:
    """Press 'Show more' until every result is shown; the final count."""
    more = page.locator("#library-search-more")
    while more.is_visible():
        shown = page.locator("#library-search-results li").count()
        more.click()
        page.wait_for_function(
            "(n) => document.querySelectorAll('#library-search-results li').length > n"
            " || document.getElementById('library-search-more').hidden", arg=shown, timeout=WAIT)
    page.wait_for_function(
        "() => document.getElementById('library-search-results').dataset.exact === 'true'",
        timeout=WAIT)
    return int(page.eval_on_selector("#library-search-results", "el => el.dataset.count"))


def _common_word_phrases(words: list[str]) -> list[str]:
    """Three-word phrases of a paragraph with a common word first and in the middle."""
    plain = [w.strip("\"“”‘’(),.;:!?").lower() for w in words]
    found = {}
    for i in range(len(plain) - 2):
        a, b, c = plain[i:i + 3]
        if not all(re.fullmatch(r"[a-z]+", w) for w in (a, b, c)):
            continue
        if a in _COMMON and b not in _COMMON and c not in _COMMON:
            found.setdefault("first", f"{a} {b} {c}")
        if a not in _COMMON and b in _COMMON and c not in _COMMON:
            found.setdefault("middle", f"{a} {b} {c}")
    assert len(found) == 2, f"no such phrases in {' '.join(words)[:200]}"
    return list(found.values())


def test_phrase_with_common_words_finds_what_pagefind_finds(page, site_url, known_paragraph):
    """A quoted phrase with common words is asked of Pagefind without them and each record is
    checked for the whole phrase: the results are Pagefind's own exact-phrase results, each
    shows the phrase, and the reversed phrase (its words, never in that order) finds none."""
    _, _, pid, words, _ = known_paragraph
    _open_search(page, site_url)
    for phrase in _common_word_phrases(words):
        _search(page, f'"{phrase}"')
        found = _exhaust(page)
        assert found >= 1 and found == page.evaluate(_NATIVE, f'"{phrase}"'), phrase
        assert page.locator(f"#library-search-results a[href$='#{pid}']").count() >= 1
        for snippet in page.locator(".library-search__snippet").all():
            marked = " ".join(snippet.locator("mark").all_inner_texts()).lower()
            assert re.sub(r"[^a-z ]", "", marked).find(phrase) >= 0, (phrase, marked)
        backwards = " ".join(reversed(phrase.split()))
        if page.evaluate(_NATIVE, f'"{backwards}"') == 0:
            assert _search(page, f'"{backwards}"') == 0
            assert "No results" in page.inner_text("#library-search-status")


def test_phrase_with_common_words_does_not_fetch_their_index(browser, site_url,
                                                             known_paragraph):
    """The index files fetched for "the X Y" are those of "X Y": the common word's index
    entries (the largest of all) are never fetched."""
    words = _common_word_phrases(known_paragraph[3])[0].split()
    fetched = {}
    for query in (" ".join(words), " ".join(words[1:])):
        ctx = browser.new_context()
        pg = ctx.new_page()
        urls = []
        pg.on("request", lambda r, urls=urls: urls.append(r.url))
        _open_search(pg, site_url)
        _search(pg, f'"{query}"')
        fetched[query] = {u for u in urls if "/pagefind/index/" in u}
        ctx.close()
    with_common, without = fetched.values()
    assert without and with_common == without
