"""Each text's structure gold (tests/gold/structure/<slug>.yml) against the built site: the
work page's contents list (the navigation of the work) and each page's <h1> and date."""

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
KNOWN_GAPS = {
    # The letter 'Letter to Stalin on March 5, 1923' has no 'Written:'/'Dictated:' header line,
    # so no generic signal finds it yet.
    "last-struggle-of-lenin": "the letter to Stalin of March 5, 1923 is not found",
    # The cleaner prints 'OF THER. C. P. (B.)' (letter-spacing collapse, issue 4), and the
    # contents-list parser of this test still reads extra items for this work: to be resolved.
    "stalin-works-6": "title damaged by the cleaner; contents parsing not finished",
}


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _top_pages(built: Path, slug: str) -> list[tuple[str, str]]:
    """(h1, date) of the work's top-level pages, in the order of the work page's contents."""
    folder = built / work_url(slug, LIB.works[slug])  # the work's folder: author/work
    index = (folder / "index.html").read_text(encoding="utf-8")
    contents = index.split('id="contents"', 1)[1]
    ul = re.search(r"<ul>(.*)</ul>", contents, flags=re.S).group(1)
    out = []
    depth = 0
    for m in re.finditer(r"<(/?)ul>|<a href=\"([^\"]+)\"", ul):
        if m.group(1) is not None and m.group(0).startswith("<"):
            if m.group(0) == "<ul>":
                depth += 1
                continue
            if m.group(0) == "</ul>":
                depth -= 1
                continue
        href = m.group(2)
        if href is None or depth:
            continue
        page = (folder / href.split("#")[0]).resolve()
        page = page / "index.html" if page.is_dir() else page
        doc = page.read_text(encoding="utf-8")
        h1 = _text(re.search(r"<h1[^>]*>(.*?)</h1>", doc, flags=re.S).group(1))
        date = re.search(r"<dt>Date</dt><dd>(.*?)</dd>", doc)
        out.append((h1.rstrip("¶").strip(), html.unescape(date.group(1)) if date else ""))
    return out


@pytest.mark.parametrize("gold", GOLD, ids=[g.stem for g in GOLD])
def test_site_matches_structure_gold(built_site: Path, gold: Path, request):
    if gold.stem in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[gold.stem], strict=True))
    want = yaml.safe_load(gold.read_text(encoding="utf-8"))
    got = _top_pages(built_site, gold.stem)
    assert [t for t, _ in got] == [p["title"] for p in want["pages"]]
    for (title, date), page in zip(got, want["pages"]):
        if "date" in page:
            assert date == page["date"], title
