"""Accessibility: axe-core (npm, pinned in package.json, installed by `npm ci`) injected by
Playwright finds no serious or critical violation on the home page, an author page, a chapter,
the page densest with notes, and the search results; controls show a visible focus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import need
from test_browser_reading import _url, chapter_page, notes_page

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(pg) -> list[dict]:
    need(AXE.is_file(), "axe-core is not installed (run `npm ci` in the repository)")
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def author_page(built: Path) -> Path:
    """An author's page if the site has them (a page listing works, not a work itself),
    else a work page."""
    works = [p for p in built.rglob("index.html")
             if 'class="downloads"' in p.read_text(encoding="utf-8")]
    parents = [w.parent.parent / "index.html" for w in works]
    authors = [p for p in parents if p.is_file() and p != built / "index.html"]
    return (authors or works)[0]


PAGES = {
    "home": lambda b: b / "index.html",
    "author": author_page,
    "chapter": chapter_page,
    "notes": notes_page,
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violation(page, site_url, built_site, name, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(_url(site_url, built_site, PAGES[name](built_site)))
    found = axe_violations(page)
    assert not found, json.dumps(found, indent=1)


def test_no_serious_axe_violation_in_search_results(page, site_url):
    page.goto(site_url)
    page.keyboard.press("/")
    box = page.locator("#library-search-input, .md-search__input").first
    box.fill("soviet power")
    page.wait_for_selector(".md-search-result__item, .md-search-result__list li", timeout=15000)
    found = axe_violations(page)
    assert not found, json.dumps(found, indent=1)


def test_keyboard_focus_is_visible(page, site_url, built_site):
    page.goto(_url(site_url, built_site, notes_page(built_site)))
    ref = page.locator(".md-typeset .footnote-ref").first
    ref.focus()
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
      return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert style[0] != "none" and style[1] >= 2, style


def test_tabbing_through_a_page_always_shows_where_focus_is(page, site_url, built_site):
    """Walk the keyboard through the page densest with notes: every stop is visibly marked
    (outline or box shadow) and the page's controls (note markers, paragraph tools, search,
    palette) are among the stops."""
    page.goto(_url(site_url, built_site, notes_page(built_site)))
    page.locator("body").click(position={"x": 1, "y": 1})
    stops, invisible = [], []
    for _ in range(120):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
          if (!e || e === document.body) return null;
          const s = getComputedStyle(e);
          return {tag: e.tagName, cls: String(e.className), id: e.id,
                  visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                           || (s.boxShadow && s.boxShadow !== 'none')}; }""")
        if info is None:
            continue
        stops.append(info)
        if not info["visible"]:
            invisible.append(info)
    assert stops, "nothing on the page takes keyboard focus"
    assert any("footnote-ref" in s["cls"] for s in stops), "note markers are not reachable"
    assert not invisible, f"focus not shown on {invisible[:5]}"
