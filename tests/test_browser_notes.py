"""Note popups in Chromium: hover (theme), keyboard focus and Esc, and a tap on a touch screen."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest


def _page_with_notes(built_site: Path) -> tuple[str, str]:
    """A built page that has footnotes, and the text of its first note."""
    for html_path in sorted(built_site.rglob("index.html")):
        html = html_path.read_text(encoding="utf-8")
        m = re.search(r'<li id="fn:([^"]+)">\s*<p>(.*?)</p>', html, flags=re.DOTALL)
        if m and 'class="footnote-ref"' in html:
            text = re.sub(r"<[^>]+>", "", m.group(2)).replace("&nbsp;", " ").strip()
            rel = html_path.parent.relative_to(built_site).as_posix() + "/"
            return rel, text[:25]
    pytest.fail("no built page has footnotes")


def _snippet(text: str) -> str:
    return text.split("&")[0][:20]


def test_hover_and_keyboard_show_the_note_and_esc_closes(built_site, site_url, page):
    rel, text = _page_with_notes(built_site)
    page.goto(site_url + rel)
    ref = page.locator("a.footnote-ref").first
    ref.hover()
    tip = page.locator(".md-tooltip2--active")
    tip.wait_for(state="visible", timeout=5000)
    assert _snippet(text) in tip.inner_text()
    page.mouse.move(0, 0)
    page.locator(".md-tooltip2--active").wait_for(state="detached", timeout=5000)
    # keyboard: tab from the element just before the marker, then Esc
    ref.evaluate("a => { const t = document.createElement('button'); t.id = 'before-ref';"
                 " a.parentElement.before(t); t.focus(); }")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('footnote-ref')")
    tip.wait_for(state="visible", timeout=5000)
    assert _snippet(text) in tip.inner_text()
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('.md-tooltip2--active')", timeout=5000)
    assert page.evaluate("document.activeElement.classList.contains('footnote-ref')")


def test_tap_opens_the_note_instead_of_jumping(built_site, site_url, browser):
    rel, text = _page_with_notes(built_site)
    context = browser.new_context(has_touch=True, is_mobile=True,
                                  viewport={"width": 390, "height": 800})
    try:
        pg = context.new_page()
        pg.goto(site_url + rel)
        ref = pg.locator("a.footnote-ref").first
        ref.scroll_into_view_if_needed()
        ref.tap()
        popup = pg.locator(".note-popup")
        popup.wait_for(state="visible", timeout=5000)
        assert _snippet(text) in popup.inner_text()
        assert "#fn:" not in pg.url, "the tap jumped to the note list"
        pg.keyboard.press("Escape")
        popup.wait_for(state="detached", timeout=5000)
    finally:
        context.close()


def _page_with_printed_numbers(built_site: Path) -> tuple[str, str, str]:
    """A built page whose first footnote's printed number is not its running count."""
    for html_path in sorted(built_site.rglob("index.html")):
        html = html_path.read_text(encoding="utf-8")
        labels = re.search(r'class="note-labels" hidden data-labels="([^"]+)"', html)
        first = re.search(r'<a class="footnote-ref" href="#fn:([^"]+)">(\d+)</a>', html)
        if labels and first:
            data = json.loads(htmllib.unescape(labels.group(1)))
            key, count = first.group(1), first.group(2)
            if data.get(key, count) != count:
                rel = html_path.parent.relative_to(built_site).as_posix() + "/"
                return rel, key, data[key]
    pytest.fail("no built page has a note whose printed number differs from its count")


def test_markers_and_list_show_the_printed_note_number(built_site, site_url, page):
    rel, key, label = _page_with_printed_numbers(built_site)
    page.goto(site_url + rel)
    # Material makes the hrefs absolute: match the end
    ref = page.locator(f'a.footnote-ref[href$="#fn:{key}"]').first
    page.wait_for_function(f"document.querySelector('a.footnote-ref[href$=\"#fn:{key}\"]')"
                           f".textContent === {json.dumps(label)}", timeout=5000)
    assert ref.inner_text() == label
    item = page.locator(f'li[id="fn:{key}"]')
    assert item.get_attribute("data-label") == label
    assert item.evaluate("li => li.value") == int(label)
