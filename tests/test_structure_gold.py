"""Each text's structure gold (tests/gold/structure/<slug>.yml) against the built site: the
work page's contents list (the navigation of the work), each page's <h1> and date, the pages
under a page ('subpages') and the headings inside a page ('sections')."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from build_site import metadata
from build_site.library import work_url

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "tests" / "gold" / "structure").glob("*.yml"))
LIB, _ = metadata.load_library(ROOT / "source")
KNOWN_GAPS: dict[str, str] = {}  # slug -> reason, for a gold the site does not meet yet


def _text(fragment: str) -> str:
    """A heading's text as printed: tags, footnote markers and the permalink sign removed."""
    fragment = re.sub(r'<sup id="fnref[^"]*">.*?</sup>', "", fragment, flags=re.DOTALL)
    fragment = re.sub(r'<a class="headerlink".*?</a>', "", fragment, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _first_list(fragment: str) -> str:
    """The inside of the first <ul> of ``fragment``, up to its own </ul> (lists nest)."""
    start = fragment.index("<ul>") + len("<ul>")
    depth = 1
    for m in re.finditer(r"<(/?)ul>", fragment[start:]):
        depth += -1 if m.group(1) else 1
        if not depth:
            return fragment[start:start + m.start()]
    raise AssertionError("unclosed contents list")


def _contents(built: Path, slug: str) -> list[tuple[int, Path]]:
    """(depth, page file) of every entry of the work page's contents list, in order."""
    folder = built / work_url(slug, LIB.works[slug])  # the work's folder: author/work
    index = (folder / "index.html").read_text(encoding="utf-8")
    ul = _first_list(index.split('id="contents"', 1)[1])
    out, depth = [], 0
    for m in re.finditer(r"<(/?)ul>|<a href=\"([^\"]+)\"", ul):
        if m.group(2) is None:
            depth += -1 if m.group(1) else 1
            continue
        page = (folder / m.group(2).split("#")[0]).resolve()
        out.append((depth, page / "index.html" if page.is_dir() else page))
    return out


def _page(path: Path) -> tuple[str, str, list[str]]:
    """A page's <h1>, its 'Date' metadata, and its h2-h4 headings in order."""
    doc = path.read_text(encoding="utf-8").split('<article', 1)[1]
    h1 = _text(re.search(r"<h1[^>]*>(.*?)</h1>", doc, flags=re.DOTALL).group(1))
    date = re.search(r"<dt>Date</dt><dd>(.*?)</dd>", doc)
    heads = [_text(h) for h in re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", doc, flags=re.DOTALL)]
    return h1, html.unescape(date.group(1)) if date else "", heads


@pytest.mark.parametrize("gold", GOLD, ids=[g.stem for g in GOLD])
def test_site_matches_structure_gold(built_site: Path, gold: Path, request):
    if gold.stem in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[gold.stem], strict=True))
    want = yaml.safe_load(gold.read_text(encoding="utf-8"))
    entries = [(depth, _page(path)) for depth, path in _contents(built_site, gold.stem)]
    top = [page for depth, page in entries if depth == 0]
    assert [h1 for h1, _, _ in top] == [p["title"] for p in want["pages"]]
    for (h1, date, _), page in zip(top, want["pages"]):
        if "date" in page:
            assert date == page["date"], h1
    children: dict[str, list[str]] = {}
    parent = ""
    for depth, (h1, _, _) in entries:
        if depth == 0:
            parent = h1
        elif depth == 1:
            children.setdefault(parent, []).append(h1)
    for title, subs in (want.get("subpages") or {}).items():
        assert children.get(title) == subs, title
    headings = {h1: heads for _, (h1, _, heads) in entries}
    for title, heads in (want.get("sections") or {}).items():
        assert [h for h in headings.get(title, []) if h != "Contents"] == heads, title
