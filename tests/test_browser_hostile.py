"""The hostile fixture in a real browser: no script of the source runs, nothing it contains
becomes an element or attribute, and the reader sees exactly the source text.

The fixture site uses the real site's theme, overrides, CSS and JavaScript, so that their code
meets the hostile text too (a script that copied text through innerHTML would show here).
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from test_robust_build import copy_fixture, mkdocs_build

from build_site import metadata
from build_site.library import build_library
from build_site.model import BlockKind

SOURCE = Path(__file__).parent / "fixtures" / "hostile" / "source"

# Patterns of the raw file that the cleaner leaves alone: each must show exactly so.
LITERAL = [
    "<script>alert('script')</script>", "<img src=x onerror=alert('img')>",
    "<a href=\"javascript:alert('js')\">click me</a>", "# This line starts like a heading",
    "* this line starts", "- this line starts", "+ this line starts", "> this line starts",
    "1. this line starts", "| this | line | looks | like | a | table |",
    "*stars* and **double stars**, _underscores_ and __double__, `backticks`",
    "[link](http://example.com/evil)", "![alt](http://example.com/x.png)",
    "<http://example.com/auto>", "reference[^1]", "[^1]: this looks like a footnote",
    "{: onclick=\"alert('attr')\" }", "{#injected-id}", "{.injected-class}",
    "{{ config.site_name }}", "{% if true %}yes{% endif %}", "{# a comment #}",
    "&amp; &lt;b&gt; &#60;script&#62; &copy; &nbsp; and a lone & ampersand and a < sign",
    "\\*not emphasis\\* and \\\\ double and C:\\path\\to\\file and \\[bracket\\]",
    "==mark== and ~~strike~~ and ^^insert^^ and :smile:", "]]> and <![CDATA[ x ]]>",
]

# Attribute names our own markup, the theme and the site's scripts use; anything else on an
# element (say '_' or 'raw' from '{% raw %}' read as an attribute list) came from a source.
KNOWN_ATTRIBUTES = """id class href title src alt rel type role tabindex lang dir style hidden
target download colspan rowspan align datetime width height loading for name value content
property srcset sizes open cite start reversed scope placeholder autocomplete autocorrect
autocapitalize spellcheck required checked disabled label media charset crossorigin integrity
defer async method action accept translate viewbox fill d xmlns focusable http-equiv as
referrerpolicy inert popover enterkeyhint inputmode maxlength minlength pattern readonly
multiple selected novalidate autofocus wrap rows cols max min step list form summary headers
abbr span accesskey contenteditable draggable nonce slot part decoding fetchpriority kind
srclang default controls poster preload stroke stroke-width stroke-linecap stroke-linejoin
points x y cx cy r rx ry x1 x2 y1 y2 transform opacity fill-rule clip-rule version
preserveaspectratio text-anchor xmlns:xlink xlink:href""".split()  # noqa: SIM905 (a word list reads best so)

# What a page may contain that the source could have smuggled in.
INJECTED = """(known) => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value.trim().toLowerCase();
      if (a.name.startsWith('on')) bad.push(`${el.tagName} ${a.name}`);
      else if (!known.includes(a.name.toLowerCase()) && !/^(aria|data)-/.test(a.name))
        bad.push(`${el.tagName} [${a.name}]`);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && v.startsWith('javascript:'))
        bad.push(`${el.tagName} ${a.name}=${v}`);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (/alert\\(/.test(s.textContent)) bad.push('inline script calling alert');
  }
  for (const sel of ['#injected-id', '.injected-class']) {
    if (document.querySelector(sel)) bad.push(sel);
  }
  return bad;
}"""


_LIB, _ = metadata.load_library(SOURCE)
_META = _LIB.works["hostile-text"]
# (a piece of a metadata value, the whole value): where the piece shows, the whole must.
WHOLE = [("*Hostile*", _META.title), ("Mallory &", _LIB.people["mallory"].name),
         ("{% raw %}", _META.date_display), ("subtitle", _META.subtitle),
         ("made up", _META.source.description)]


def plain_paragraphs(html: str) -> list[str]:
    """Source paragraphs (p-N) and metadata values in the built HTML that hold any tag."""
    cells = re.findall(r'<p id="p-[^"]*">(.*?)</p>|<dd>(.*?)</dd>', html, flags=re.DOTALL)
    return [a or b for a, b in cells if "<" in (a or b)]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    project = copy_fixture(tmp, with_site_assets=True)
    site = tmp / "site"
    proc = mkdocs_build(project, site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return site


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(hostile_site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _pages(site: Path) -> list[str]:
    return sorted(str(p.parent.relative_to(site)) for p in site.rglob("index.html")
                  if "assets" not in p.parts)


def _visit(page, url: str) -> tuple[list, list]:
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # let page scripts (tooltips, search) run, as a reader would
    return dialogs, errors


def test_no_script_runs_and_nothing_is_injected_on_any_page(page, hostile_site, hostile_url):
    pages = _pages(hostile_site)
    assert len(pages) >= 3
    for rel in pages:
        dialogs, errors = _visit(page, hostile_url + ("" if rel == "." else rel + "/"))
        assert dialogs == [], f"{rel}: a dialog opened: {dialogs}"
        assert errors == [], f"{rel}: console errors: {errors}"
        assert page.evaluate(INJECTED, KNOWN_ATTRIBUTES) == [], rel
        # Wherever a metadata value shows, it shows whole: its markup-like parts are text.
        shown = words(page.locator("article").inner_text())
        for part, whole in WHOLE:
            if part in shown:
                assert words(whole) in shown, f"{rel}: {whole!r} not shown as itself"


def _text_page(site: Path) -> str:
    """The chapter page of the hostile text: the page whose article has paragraph ids."""
    for p in site.rglob("index.html"):
        html = p.read_text(encoding="utf-8")
        if 'id="p-' in html and "this line starts like" in html:
            return str(p.parent.relative_to(site))
    raise AssertionError("no page holds the hostile text")


def test_visible_text_is_the_source_text(page, hostile_site, hostile_url):
    rel = _text_page(hostile_site)
    dialogs, errors = _visit(page, f"{hostile_url}{rel}/")
    assert (dialogs, errors) == ([], [])
    shown = words(page.locator("article").inner_text())
    for pattern in LITERAL:
        assert words(pattern) in shown, pattern
    # Every block the converter made from the raw text shows word for word, in order.
    built = build_library(SOURCE)
    doc = built.documents[0]
    blocks = [words(b.text) for s in doc.sections for b in _blocks(s)
              if b.kind is not BlockKind.BREAK]
    at = 0
    for block in blocks:
        found = shown.find(block, at)
        assert found >= 0, f"not shown as in the source: {block[:200]!r}"
        at = found + len(block)
    lib, _ = metadata.load_library(SOURCE)
    meta = lib.works["hostile-text"]
    assert words(meta.title) in words(page.locator("h1").first.inner_text())
    assert page.title().startswith(meta.title)
    assert plain_paragraphs((hostile_site / rel / "index.html").read_text("utf-8")) == []
    nav = words(page.locator(".md-nav--primary").first.text_content())
    assert words(lib.people["mallory"].name) in nav
    # A very long word must not widen the page beyond the window.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _blocks(section):
    yield from section.blocks
    for child in section.children:
        yield from _blocks(child)


def test_work_page_shows_metadata_as_text(page, hostile_site, hostile_url):
    lib, _ = metadata.load_library(SOURCE)
    meta = lib.works["hostile-text"]
    index = next(p for p in hostile_site.rglob("index.html")
                 if p.parent.name == "hostile-text")
    _visit(page, f"{hostile_url}{index.parent.relative_to(hostile_site)}/")
    shown = words(page.locator("article").inner_text())
    for value in (meta.title, meta.subtitle, meta.date_display, meta.source.description,
                  lib.people["mallory"].name):
        assert words(value) in shown, value
    assert re.search(r"<b onmouseover", shown)
    assert plain_paragraphs(index.read_text("utf-8")) == []
