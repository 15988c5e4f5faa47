"""Citation metadata: titles in title case where the source shouted for layout, a description
from the first paragraph, YAML front matter that keeps other stages' keys, and the built head."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from build_site import metadata, reading
from build_site.model import Block, BlockKind, Page, Section

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("title, shown", [
    ("THE BRIGAND'S PEACE", "The Brigand's Peace"),
    ("Chapter 1: WHAT HAS BEEN ACHIEVED", "Chapter 1: What Has Been Achieved"),
    ("IV. THE DICTATORSHIP OF THE PROLETARIAT", "IV. The Dictatorship of the Proletariat"),
    ("The NEP and the USSR", "The NEP and the USSR"),
    ("“LEFT-WING” CHILDISHNESS", "“Left-Wing” Childishness"),
    ("Soviet Power", "Soviet Power"),
])
def test_display_title(title, shown):
    assert reading.display_title(title) == shown


def test_description_is_the_first_real_paragraph_cut_at_a_word():
    short = Block(BlockKind.META, "Moscow, April, 1918.")
    long = Block(BlockKind.PARAGRAPH, "word " * 60)
    sec = Section("T", "t", blocks=(short, long))
    text = reading.description([sec], limit=40)
    assert text.endswith("…") and len(text) <= 41 and "Moscow" not in text
    assert not text[:-1].endswith(" ")


def test_front_matter_is_yaml_escaped_and_keeps_existing_keys():
    page = Page("w/c.md", "c", "---\nsearch:\n  exclude: true\n---\n\n# C\n", "w")
    evil = 'He said: "--- <script>" # not a comment'
    out = reading.with_front_matter(page, {"description": evil, "citation_author": ["A", "B"]})
    head, body = re.match(r"---\n(.*?\n)---\n\n(.*)", out.markdown, re.DOTALL).groups()
    data = yaml.safe_load(head)
    assert data == {"description": evil, "citation_author": ["A", "B"],
                    "search": {"exclude": True}}
    assert body == "# C\n"


def _head(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_every_work_page_head_has_citation_metadata(built_site):
    lib, _ = metadata.load_library(ROOT / "source")
    seen = {slug: 0 for slug in lib.works}
    for path in built_site.rglob("index.html"):
        head = _head(path.read_text(encoding="utf-8"))
        inbook = re.search(r'<meta name="citation_inbook_title" content="([^"]*)"', head)
        if not inbook:
            continue
        title = re.search(r"<title>([^<]*)</title>", head)[1]
        cite = re.search(r'<meta name="citation_title" content="([^"]*)"', head)[1]
        assert title.startswith(cite), (path, title)
        assert re.search(r'<meta name="citation_author" content="[^"]+"', head), path
        assert re.search(r'<meta name="citation_publication_date" content="\d{4}', head), path
        assert re.search(r'<meta name="citation_publisher" content="[^"]+"', head), path
        assert re.search(r'<meta name="description" content="[^"]{20,}"', head), path
        assert re.search(r'<link rel="canonical" href="http[^"]+"', head), path
        for slug, meta in lib.works.items():
            if inbook[1] == reading.display_title(meta.title).replace("&", "&amp;").replace(
                    "'", "&#39;").replace('"', "&#34;"):
                seen[slug] += 1
                names = [lib.people[a].name for a in meta.authors]
                assert title.endswith(" - " + ", ".join(names)), (path, title)
    assert all(seen.values()), f"works without chapter citation metadata: {seen}"


def test_sitemap_lists_the_pages(built_site):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") >= 10


def test_no_font_cdn_and_the_font_licence_ships(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    fonts = built_site / "assets" / "fonts" / "literata"
    assert (fonts / "OFL.txt").is_file()
    css = (built_site / "assets" / "reading.css").read_text(encoding="utf-8")
    for url in re.findall(r'url\("([^"]+)"\)', css):
        assert (built_site / "assets" / url).is_file(), url
