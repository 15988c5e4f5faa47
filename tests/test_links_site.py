"""Cross-links in the strict build of the real corpus: the links the survey names exist and
every link resolves. Work folders are found through the map page (one node per work), never by
a hard-coded URL."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

import pytest

MAP = "library-map/index.html"


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("index.html") if "assets" not in p.parts]


def _resolve(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The built file and fragment a relative href on ``page`` points at."""
    path, _, frag = html.unescape(href).partition("#")
    folder = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(folder, path)) if path else folder
    file = site / target / "index.html" if not target.endswith(".html") else site / target
    return (page if not path else file), frag


def work_folders(site: Path) -> dict[str, Path]:
    page = site / MAP
    nodes = re.findall(r'<a class="map-node" xlink:href="([^"]+)" data-work="([^"]+)"',
                       page.read_text(encoding="utf-8"))
    return {slug: _resolve(site, page, href)[0].parent for href, slug in nodes}


def panels(page: Path) -> dict[str, list[tuple[str, str]]]:
    """Paragraph id -> [(connection label, href)] from the page's connections panels."""
    text = page.read_text(encoding="utf-8")
    out = {}
    for pid, body in re.findall(r'<div class="xref-panel" data-for="([^"]+)"[^>]*>(.*?)</div>',
                                text, flags=re.DOTALL):
        out[pid] = re.findall(r'<li>([\w ]+?) <a href="([^"]+)"', body)
    return out


def test_every_cross_link_and_map_node_resolves(built_site: Path):
    checked = 0
    for page in _pages(built_site):
        text = page.read_text(encoding="utf-8")
        hrefs = re.findall(r'<a class="xref-(?:person|title)"[^>]*href="([^"]+)"', text)
        hrefs += [h for links in panels(page).values() for _, h in links]
        if page.relative_to(built_site).as_posix() == MAP:
            hrefs += re.findall(r'<a class="map-node" xlink:href="([^"]+)"', text)
        for href in hrefs:
            file, frag = _resolve(built_site, page, href)
            assert file.exists(), f"{page}: {href} -> missing {file}"
            if frag:
                assert f'id="{frag}"' in file.read_text(encoding="utf-8"), f"{page}: {href}"
            checked += 1
    assert checked > 300


def test_paris_article_and_works_6_quote_each_other(built_site: Path):
    folders = work_folders(built_site)
    paris, works6 = folders["last-struggle-of-lenin"], folders["stalin-works-6"]
    quoted_in, quotes_back = 0, 0
    for page in paris.rglob("index.html"):
        for pid, items in panels(page).items():
            for kind, href in items:
                file, frag = _resolve(built_site, page, href)
                if kind == "Quoted in" and works6 in file.parents:
                    quoted_in += 1
                    back = panels(file)[frag]
                    assert any(k == "Quotes" and _resolve(built_site, file, h) == (page, pid)
                               for k, h in back), f"{file}#{frag} does not link back"
                    quotes_back += 1
    # On Cooperation (two passages) and Better Fewer, But Better, each quoted in Volume 6.
    assert quoted_in >= 4 and quotes_back == quoted_in


def test_revolution_betrayed_names_the_foundations_of_leninism_and_its_first_edition(built_site):
    folders = work_folders(built_site)
    rb, works6 = folders["revolution-betrayed"], folders["stalin-works-6"]
    titles, revised = [], []
    for page in rb.rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        for href, words in re.findall(r'<a class="xref-title"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>',
                                      text):
            titles.append((words, _resolve(built_site, page, href)[0]))
        for items in panels(page).values():
            revised += [_resolve(built_site, page, h)[0] for k, h in items if k == "Revised in"]
    assert any(w == "The Foundations of Leninism" and works6 in f.parents for w, f in titles)
    assert revised and all(works6 in f.parents for f in revised)
    work_page = (works6 / "index.html").read_text(encoding="utf-8")
    assert "Referenced in" in work_page


@pytest.mark.parametrize("person, works", [("chernov", 3), ("lenin", 4), ("tsereteli", 2)])
def test_person_pages_list_paragraphs_by_work(built_site: Path, person: str, works: int):
    page = built_site / "people" / person / "index.html"
    text = page.read_text(encoding="utf-8")
    assert len(re.findall(r"<h2 ", text)) >= works
    assert f'href="{person}/"' in (built_site / "people" / "index.html").read_text(encoding="utf-8")


def test_map_has_a_node_per_work_and_weighted_edges(built_site: Path):
    text = (built_site / MAP).read_text(encoding="utf-8")
    assert len(work_folders(built_site)) == 5
    weights = [int(w) for w in re.findall(r'data-weight="(\d+)"', text)]
    assert weights and max(weights) >= 4
