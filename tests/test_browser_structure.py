"""A reader finds a section of The Foundations of Leninism from the home page by the navigation
alone: author, volume, work, chapter, then the chapter's table of contents. No chapter URL is
written here: every step clicks a link found by its visible text."""

from __future__ import annotations

import re

WIDE = {"width": 1400, "height": 900}  # both sidebars shown (Material hides them when narrow)


def _nav_link(page, text: str):
    """The primary navigation's link whose label is ``text`` (case as printed or title case)."""
    nav = page.locator("nav.md-nav--primary")
    link = nav.get_by_role("link", name=re.compile(rf"^\s*{re.escape(text)}\s*$", re.IGNORECASE))
    assert link.count() >= 1, f"no navigation link {text!r} on {page.url}"
    return link.first


_H1 = ("() => { const h = document.querySelector('article h1'); if (!h) return '';"
       " const c = h.cloneNode(true); c.querySelectorAll('sup, .headerlink')"
       ".forEach(e => e.remove()); return c.textContent.trim().toLowerCase(); }")


def _expect_h1(page, title: str) -> None:
    """Wait until the page shows ``title`` (any case) as its <h1>, without note markers."""
    from playwright.sync_api import TimeoutError as Timeout

    try:
        page.wait_for_function(f"({_H1})() === {title.lower()!r}")
    except Timeout:
        raise AssertionError(f"{page.url}: h1 is {page.evaluate(_H1)!r}, not {title!r}") from None


def _follow(page, text: str) -> None:
    """Click the navigation link ``text`` and wait for its page (instant navigation or not)."""
    before = page.url
    _nav_link(page, text).click()
    page.wait_for_url(lambda url: url != before)
    page.wait_for_load_state()


def test_home_to_a_section_of_the_foundations_of_leninism(page, site_url):
    page.set_viewport_size(WIDE)
    page.goto(site_url)
    _expect_h1(page, "Library")

    _follow(page, "J. V. Stalin")
    _expect_h1(page, "J. V. Stalin")
    author_url = page.url

    _follow(page, "Works, Volume 6")
    _expect_h1(page, "Works, Volume 6")
    assert page.url.startswith(author_url), "the volume lives under its author"

    _follow(page, "The Foundations of Leninism")
    _expect_h1(page, "The Foundations of Leninism")
    work_url = page.url

    _follow(page, "III. Theory")
    _expect_h1(page, "III. Theory")
    assert page.url.startswith(work_url), "the chapter lives under its work"
    assert page.url.rstrip("/").rsplit("/", 1)[1] == "iii-theory", page.url

    # The chapter's own table of contents lists its numbered points; the first one is a
    # heading on the page that the link scrolls to.
    toc = page.locator(".md-sidebar--secondary nav.md-nav--secondary")
    entry = toc.get_by_role("link", name=re.compile(r"^\s*1\) The importance of theory"))
    assert entry.count() == 1, "the chapter's table of contents lacks its first point"
    entry.click()
    page.wait_for_function("location.hash.length > 1")
    target = page.evaluate("location.hash").lstrip("#")
    heading = page.locator(f"[id='{target}']")
    assert heading.evaluate("e => /^H[2-6]$/.test(e.tagName)")
    assert heading.inner_text().startswith("1) The importance of theory")
    heading.wait_for(state="visible")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < WIDE["height"], "the section is not in view"
