"""The reading room in a real browser: dark-mode toggle, phone layout, print to PDF (notes at
the bottom, no navigation), the 404 page, and screenshots for a person to look at.

Screenshots go to $SCREENSHOT_DIR or out/screenshots (the CI log names the folder)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from conftest import need

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "out" / "screenshots"))


def _url(site_url: str, built: Path, page: Path) -> str:
    rel = page.parent.relative_to(built).as_posix()
    return site_url + ("" if rel == "." else rel + "/")


def notes_page(built: Path) -> Path:
    """The built page with the most note references (found in the files, not by URL)."""
    pages = sorted(built.rglob("index.html"),
                   key=lambda p: -p.read_text(encoding="utf-8").count('class="footnote-ref"'))
    assert pages and 'class="footnote-ref"' in pages[0].read_text(encoding="utf-8"), \
        "no page of the built site has notes"
    return pages[0]


def chapter_page(built: Path) -> Path:
    """A text page with many long paragraphs (found in the files, not by URL)."""
    def long_paragraphs(p: Path) -> int:
        paras = re.findall(r'<p id="[^"]+">(.*?)</p>', p.read_text(encoding="utf-8"), re.DOTALL)
        return sum(len(re.sub(r"<[^>]+>", "", t)) > 600 for t in paras)

    return max(built.rglob("index.html"), key=long_paragraphs)


def shot(pg, name: str, **kw) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), **kw)


def test_dark_mode_toggle_switches_scheme_and_colours(page, site_url, built_site):
    page.goto(_url(site_url, built_site, chapter_page(built_site)))
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    assert scheme == "default"
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    shot(page, "chapter-light")
    page.locator('label[title="Switch to dark mode"]').click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg
    text = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).color")
    assert text != "rgb(0, 0, 0)", "text must be light on the dark background"
    shot(page, "chapter-dark")
    page.reload()  # the choice is remembered
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.locator('label[title="Switch to light mode"]').click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'")


def test_reading_typography_measure_and_face(page, site_url, built_site):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(_url(site_url, built_site, chapter_page(built_site)))
    page.evaluate("document.fonts.ready")
    info = page.evaluate("""() => {
      const paras = [...document.querySelectorAll('.md-content .md-typeset p')]
        .filter((e) => e.textContent.length > 600);
      const perLine = paras.map((p) => {
        const range = document.createRange();
        range.selectNodeContents(p);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        return p.textContent.length / lines;
      }).sort((a, b) => a - b);
      const cs = getComputedStyle(paras[0]);
      return {family: cs.fontFamily, size: parseFloat(cs.fontSize),
              lh: parseFloat(cs.lineHeight) / parseFloat(cs.fontSize),
              chars: perLine[Math.floor(perLine.length / 2)],
              loaded: document.fonts.check('16px "Literata Variable"')};
    }""")
    assert "Literata" in info["family"] and info["loaded"]
    assert info["size"] >= 16 and 1.4 <= info["lh"] <= 1.8
    assert 60 <= info["chars"] <= 80, f"measure of {info['chars']:.0f} characters per line"
    shot(page, "chapter-wide")


def test_shouting_headings_are_set_in_small_caps(page, site_url, built_site):
    page.goto(_url(site_url, built_site, chapter_page(built_site)))
    page.evaluate("""() => {
      const box = document.querySelector('.md-content .md-typeset');
      box.insertAdjacentHTML('beforeend',
        '<h2 id="t1">THE PARTY\u2019S TASKS<a class="headerlink" href="#t1">¶</a></h2>' +
        '<h2 id="t2">The NEP and the USSR</h2>');
      window.libraryReading.markShouting(document);
    }""")
    assert page.locator("#t1").get_attribute("class") == "shout"
    assert "shout" not in (page.locator("#t2").get_attribute("class") or "")
    caps = page.evaluate("getComputedStyle(document.getElementById('t1')).fontVariantCaps")
    assert caps == "all-small-caps"
    assert page.locator("#t1").inner_text().startswith("THE PARTY"), "the words are unchanged"


def test_phone_layout(browser, site_url, built_site):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2,
                              is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    try:
        for target in (built_site / "index.html", notes_page(built_site)):
            pg.goto(_url(site_url, built_site, target))
            sizes = pg.evaluate("""() => ({
              scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
              font: parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize),
              sidebar: getComputedStyle(document.querySelector('.md-sidebar--primary'))
                .transform})""")
            assert sizes["scroll"] <= sizes["inner"], f"wider than the phone: {sizes}"
            assert sizes["font"] >= 16
        shot(pg, "phone-notes-page")
        pg.goto(site_url)
        shot(pg, "phone-home")
    finally:
        ctx.close()


def test_print_to_pdf_has_no_navigation_and_notes_at_the_bottom(page, site_url, built_site):
    need(_has_pypdf(), "pypdf is not installed (pip install -e '.[test]')")
    from pypdf import PdfReader

    target = notes_page(built_site)
    page.goto(_url(site_url, built_site, target))
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.md-header', '.md-sidebar--primary', '.md-footer']
      .map((s) => document.querySelector(s)).filter(Boolean)
      .every((e) => getComputedStyle(e).display === 'none')""")
    assert hidden
    after = page.evaluate("""() => {
      const a = [...document.querySelectorAll('.md-typeset p a[href]')]
        .find((e) => !e.matches('.footnote-ref, .headerlink') && !e.getAttribute('href').startsWith('#'));
      return a ? getComputedStyle(a, '::after').content : null;
    }""")
    if after is not None:
        assert "<" in after, "link targets are written out in print"
    pdf = page.pdf(format="A4", print_background=False)
    (SHOTS).mkdir(parents=True, exist_ok=True)
    (SHOTS / "print-notes-page.pdf").write_bytes(pdf)
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
    flat = [re.sub(r"\s+", " ", t) for t in pages]
    note = page.evaluate("document.querySelector('.footnote li').textContent")
    words = " ".join(re.sub(r"[↩\s]+", " ", note).split()[:6])
    where = [i for i, t in enumerate(flat) if words in t]
    assert where, f"the first note ({words!r}) is not in the PDF"
    first_para = page.evaluate("document.querySelector('.md-typeset p[id^=\"p-\"]').textContent")
    start = " ".join(first_para.split()[:5])
    para_at = [i for i, t in enumerate(flat) if start in t]
    assert para_at and where[0] >= para_at[0], "notes come after the text"
    assert where[0] >= len(flat) - 2 or len(flat) == 1, "notes are printed at the end"
    nav_title = "Library of Historical Texts"
    assert nav_title not in flat[0], "the site header is not printed"


def _has_pypdf() -> bool:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return False
    return True


def test_note_popup_screenshot(page, site_url, built_site):
    page.goto(_url(site_url, built_site, notes_page(built_site)))
    ref = page.locator(".footnote-ref").first
    ref.scroll_into_view_if_needed()
    ref.focus()  # the popup opens on keyboard focus as on hover
    page.wait_for_selector(".md-tooltip2--active, [role=tooltip]:visible", timeout=5000)
    shot(page, "note-popup")


def test_home_screenshot(page, site_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url)
    shot(page, "home")


@pytest.fixture(scope="module")
def host_url(built_site):
    """The built site served as static hosts serve it: 404.html for a missing page."""
    import functools
    import http.server
    import threading

    class Host(http.server.SimpleHTTPRequestHandler):
        def send_error(self, code, message=None, explain=None):
            page = built_site / "404.html"
            if code != 404 or not page.is_file():
                return super().send_error(code, message, explain)
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Host, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_404_offers_the_work_and_searches_the_words(page, host_url, built_site):
    site_url = host_url
    work = next(p for p in built_site.rglob("index.html")
                if 'class="downloads"' in p.read_text(encoding="utf-8"))
    work_url = _url(site_url, built_site, work)
    missing = work_url + "no-such-chapter-power/"
    response = page.goto(missing)
    assert response is not None and response.status == 404
    page.wait_for_selector("#not-found[data-ready=true]", timeout=10000)
    offered = page.locator("[data-not-found-work] a")
    assert offered.count() == 1
    assert offered.first.get_attribute("href").rstrip("/") == work_url.rstrip("/")
    words = page.locator("[data-not-found-words]").inner_text()
    assert "chapter" in words and "power" in words
    value = page.evaluate("(document.getElementById('library-search-input') || "
                          "document.querySelector('.md-search__input') || {}).value")
    assert value and "power" in value, "the search box holds the URL's words"
    shot(page, "not-found")


def test_404_suggest_logic_in_the_page(page, site_url):
    page.goto(site_url)
    found = page.evaluate("""() => window.libraryReading.suggest(
        'lenin/soviets-at-work/missing-page/',
        ['', 'lenin/', 'lenin/soviets-at-work/', 'lenin/soviets-at-work/foreword/',
         'stalin/works-6/'])""")
    assert found["work"] == "lenin/soviets-at-work/"
    found = page.evaluate("""() => window.libraryReading.suggest(
        'old/soviets-at-work.html', ['', 'lenin/', 'lenin/soviets-at-work/'])""")
    assert found["work"] == "lenin/soviets-at-work/"
    found = page.evaluate("() => window.libraryReading.suggest('zzz/', ['', 'lenin/'])")
    assert found["work"] == "" and found["pages"] == []
