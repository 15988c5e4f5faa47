"""Paragraph links in a real browser, with navigation.instant on (as mkdocs.yml has it).

Pages and ids are found through the built site's anchors.json catalogue, never by a
hard-coded chapter URL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _catalogue(built_site: Path) -> dict:
    return json.loads((built_site / "anchors.json").read_text(encoding="utf-8"))


def _longest_page(cat: dict) -> dict:
    return max(cat["pages"], key=lambda p: len(p["ids"]))


def _in_viewport(pg, anchor: str) -> bool:
    return pg.evaluate("""id => { const r = document.getElementById(id).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight && r.height > 0; }""", anchor)


def _highlighted(pg, anchor: str) -> None:
    pg.wait_for_function(
        "id => document.getElementById(id) && "
        "document.getElementById(id).classList.contains('para-target')", arg=anchor)


SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]


@pytest.fixture
def context(browser, site_url):
    """A browser context that may use the clipboard, with instant navigation really on.

    Material's instant navigation only handles URLs listed in sitemap.xml, and it matches them
    by protocol and host but not port; the test server's port is random, so the sitemap is
    served with the test server's address in place of ``site_url``."""
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])

    def sitemap(route):
        body = route.fetch().text().replace(SITE_URL, site_url)
        route.fulfill(body=body, content_type="application/xml")

    ctx.route("**/sitemap.xml", sitemap)
    yield ctx
    ctx.close()


@pytest.fixture
def ipage(context):
    return context.new_page()


def test_instant_navigation_is_on():
    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert "navigation.instant" in cfg["theme"]["features"]


def test_deep_link_puts_the_paragraph_in_view_and_highlights_it(ipage, site_url, built_site):
    p = _longest_page(_catalogue(built_site))
    anchor = p["ids"][len(p["ids"]) * 2 // 3][0]
    ipage.goto(site_url + p["url"] + "#" + anchor)
    _highlighted(ipage, anchor)
    assert _in_viewport(ipage, anchor)
    assert ipage.locator(".para-target").count() == 1


def test_retired_id_lands_on_its_successor(ipage, site_url, built_site):
    cat = _catalogue(built_site)
    located = {(p["work"], a): p for p in cat["pages"] for a, _ in p["ids"]}
    cases = [(old, new, located[(work, new)]) for work, w in sorted(cat["works"].items())
             for old, new in sorted(w["retired"].items()) if (work, new) in located]
    assert cases, "the committed ledgers record retired ids: one must resolve to a paragraph"
    old, new, p = cases[len(cases) // 2]
    ipage.goto(site_url + p["url"] + "#" + old)
    _highlighted(ipage, new)
    assert ipage.evaluate("location.hash") == "#" + new
    assert _in_viewport(ipage, new)


def test_id_of_another_page_is_found_through_the_catalogue(ipage, site_url, built_site):
    cat = _catalogue(built_site)
    by_work: dict[str, list[dict]] = {}
    for p in cat["pages"]:
        by_work.setdefault(p["work"], []).append(p)
    _, pages = max(by_work.items(), key=lambda kv: len(kv[1]))
    first, last = pages[0], pages[-1]
    anchor = last["ids"][-1][0]  # an id that lives on another page of the same work
    ipage.goto(site_url + first["url"] + "#" + anchor)
    ipage.wait_for_url("**/" + last["url"] + "#" + anchor)
    _highlighted(ipage, anchor)


def test_paragraph_is_highlighted_after_instant_navigation(ipage, site_url, built_site):
    p = _longest_page(_catalogue(built_site))
    anchor = p["ids"][len(p["ids"]) // 2][0]
    ipage.goto(site_url)
    ipage.wait_for_load_state("networkidle")  # instant navigation starts once it has the sitemap
    ipage.evaluate("window.__noReload = true")
    ipage.evaluate("""href => { const a = document.createElement('a'); a.href = href;
        document.querySelector('article').appendChild(a); a.click(); }""",
                  site_url + p["url"] + "#" + anchor)
    ipage.wait_for_url("**/" + p["url"] + "#" + anchor)
    _highlighted(ipage, anchor)
    assert ipage.evaluate("window.__noReload === true"), "navigation.instant did not handle it"
    assert _in_viewport(ipage, anchor)


def test_pilcrow_shows_on_keyboard_focus_and_copies_the_link(ipage, site_url, built_site):
    pg = ipage
    p = _longest_page(_catalogue(built_site))
    anchor = p["ids"][0][0]
    pg.goto(site_url + p["url"])
    link = pg.locator(f"#{anchor} > .para-tools > .para-link")
    tools = pg.locator(f"#{anchor} > .para-tools")
    assert float(tools.evaluate("e => getComputedStyle(e).opacity")) == 0
    link.focus()
    pg.wait_for_function("e => getComputedStyle(e).opacity === '1'", arg=tools.element_handle())
    pg.keyboard.press("Enter")
    pg.wait_for_selector(".para-status--on")
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(site_url + p["url"] + "#" + anchor + ":~:text=")
    assert pg.evaluate("location.hash") == "#" + anchor


def test_pilcrow_is_reached_with_the_tab_key(ipage, site_url, built_site):
    p = _longest_page(_catalogue(built_site))
    ipage.goto(site_url + p["url"])
    ipage.locator(f"#{p['ids'][0][0]} > .para-tools > .para-link").focus()
    ipage.keyboard.press("Tab")
    assert ipage.evaluate("document.activeElement.classList.contains('para-cite')")
    ipage.keyboard.press("Shift+Tab")
    assert ipage.evaluate("document.activeElement.classList.contains('para-link')")


def test_cite_copies_a_citation_with_author_and_url(ipage, site_url, built_site):
    pg = ipage
    p = _longest_page(_catalogue(built_site))
    anchor = p["ids"][1][0]
    pg.goto(site_url + p["url"])
    data = json.loads(pg.locator(".anchor-data").get_attribute("data-anchors"))
    pg.locator(f"#{anchor}").hover()
    pg.locator(f"#{anchor} .para-cite").click()
    pg.wait_for_selector(".para-status--on")
    citation = pg.evaluate("navigator.clipboard.readText()")
    assert data["author"] and data["author"] in citation
    assert data["title"] in citation
    assert "¶ 2" in citation
    assert citation.endswith(site_url + p["url"] + "#" + anchor)


def test_touch_screens_show_the_controls(browser, site_url, built_site):
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390,
                                                                           "height": 800})
    try:
        pg = context.new_page()
        p = _longest_page(_catalogue(built_site))
        pg.goto(site_url + p["url"])
        tools = pg.locator(f"#{p['ids'][0][0]} > .para-tools")
        assert float(tools.evaluate("e => getComputedStyle(e).opacity")) > 0.3
        assert tools.locator(".para-link").bounding_box()["width"] > 0
    finally:
        context.close()
