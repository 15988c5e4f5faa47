"""Cross-links in a real browser (navigation.instant on): follow a quotation from the Paris
article to Works, Volume 6 and back through the connections panels, and open a person's page
from a hover card. Pages are found in the built files, never by a hard-coded chapter URL."""

from __future__ import annotations

from pathlib import Path

from test_links_site import _resolve, panels, work_folders


def _quotation(site: Path) -> tuple[Path, str, Path, str]:
    """A paragraph of the Paris article quoted in Works, Volume 6, and the quoting paragraph."""
    folders = work_folders(site)
    works6 = folders["stalin-works-6"]
    for page in sorted(folders["last-struggle-of-lenin"].rglob("index.html")):
        for pid, items in panels(page).items():
            for kind, href in items:
                file, frag = _resolve(site, page, href)
                if kind == "Quoted in" and works6 in file.parents:
                    return page, pid, file, frag
    raise AssertionError("no paragraph of the Paris article is quoted in Works, Volume 6")


def _url(site_url: str, site: Path, file: Path) -> str:
    return site_url + file.parent.relative_to(site).as_posix() + "/"


def _open_panel_and_follow(pg, pid: str, kind: str) -> None:
    toggle = pg.locator(f"#{pid} .xref-toggle")
    toggle.click()
    panel = pg.locator(f'.xref-panel[data-for="{pid}"]')
    panel.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    panel.locator("li", has_text=kind).locator("a").first.click()


def test_quotation_link_from_paris_to_works_6_and_back(built_site: Path, site_url: str, page):
    src, pid, dst, frag = _quotation(built_site)
    start = _url(site_url, built_site, src)
    page.goto(start + f"#{pid}")
    page.wait_for_selector(f"#{pid} .xref-toggle")
    assert page.locator(f'.xref-panel[data-for="{pid}"]').is_hidden()  # closed until asked

    _open_panel_and_follow(page, pid, "Quoted in")
    page.wait_for_url(_url(site_url, built_site, dst) + f"#{frag}")
    page.wait_for_selector(f"#{frag} .xref-toggle")
    assert page.locator(f"#{frag}").is_visible()

    _open_panel_and_follow(page, frag, "Quotes")
    page.wait_for_url(start + f"#{pid}")
    assert page.locator(f"#{pid}").is_visible()


def test_hover_card_opens_the_persons_page(built_site: Path, site_url: str, page):
    folder = work_folders(built_site)["last-struggle-of-lenin"]
    src = next(p for p in sorted(folder.rglob("index.html"))
               if 'class="xref-person"' in p.read_text(encoding="utf-8"))
    page.goto(_url(site_url, built_site, src))
    link = page.locator("a.xref-person").first
    link.wait_for()
    name = link.get_attribute("data-name")
    link.hover()
    card = page.locator(".xref-card")
    card.wait_for(state="visible")
    assert name in card.inner_text()
    card.hover()  # moving into the card keeps it open
    card.locator(".xref-card-name").click()
    page.wait_for_url("**/people/*/")
    assert page.locator("h1").inner_text().rstrip("¶ \n") == name
    assert page.locator("h2").count() >= 1  # the paragraphs naming them, grouped by work
