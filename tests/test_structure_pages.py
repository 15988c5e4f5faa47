"""The finding pages: home, author pages, the work page's contents and 'About this text', the
chronological index; unit tests on the page builders and checks on the built site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_site import metadata
from build_site.library import _date_key, about_block, author_page, home_page, work_url

ROOT = Path(__file__).resolve().parents[1]
LIB, _ = metadata.load_library(ROOT / "source")


def _meta(**over) -> metadata.WorkMeta:
    base = LIB.works["revolution-betrayed"].model_dump()
    base.update(over)
    return metadata.WorkMeta.model_validate(base)


def test_about_block_gives_edition_translator_source_raw_file_and_notes_link():
    text = about_block(LIB.works["revolution-betrayed"])
    assert "## About this text" in text
    for want in ("Edition", "Translated by", "Max Eastman", "Source of this text", "Raw text",
                 "002_58ccb17ca8d2a55e.txt", "(transcription-notes.md)"):
        assert want in text, want
    assert 'href="http://www.marxists.org/archive/trotsky/works/1936-rev/index.htm"' in text


def test_about_block_keeps_metadata_as_data():
    meta = _meta(edition="<script>alert(1)</script>",
                 source={"description": "a \"quoted\" <b>source</b>",
                         "url": "javascript:alert(1)"})
    text = about_block(meta)
    assert "<script>" not in text and "<b>" not in text
    assert "javascript:" not in text, "only http(s) source addresses become links"


def test_home_and_author_pages_link_works_under_author_folders():
    home = home_page(LIB).markdown
    for slug, meta in LIB.works.items():
        assert f"]({work_url(slug, meta)}/index.md)" in home
    stalin = author_page("stalin", [(s, m) for s, m in LIB.works.items()
                                    if m.authors[0] == "stalin"], LIB)
    assert stalin.path == "stalin/index.md"
    assert "](works-6/index.md)" in stalin.markdown
    lenin = author_page("lenin", [], LIB).markdown
    assert "With other authors" in lenin, "a co-authored work is listed on each author's page"
    assert "](../robert-paris/last-struggle-of-lenin/index.md)" in lenin


def test_built_work_pages_have_about_this_text_and_its_notes_page(built_site: Path):
    for slug, meta in LIB.works.items():
        folder = built_site / work_url(slug, meta)
        html = (folder / "index.html").read_text(encoding="utf-8")
        assert 'id="about-this-text"' in html, slug
        about = html.split('id="about-this-text"', 1)[1]
        href = re.search(r'href="(transcription-notes/?)"', about)
        assert href, f"{slug}: no link to its transcription notes"
        assert (folder / "transcription-notes" / "index.html").is_file()


def test_built_author_page_is_the_author_folder(built_site: Path):
    html = (built_site / "stalin" / "index.html").read_text(encoding="utf-8")
    assert 'href="works-6/"' in html and 'href="soviet-power/"' in html


def test_a_chapter_contents_list_shows_once_as_its_contents(built_site: Path):
    """The printout repeats each chapter's section list under its title: shown once, as the
    chapter's 'Contents' metadata, never as paragraphs or headings of the text."""
    folder = built_site / work_url("revolution-betrayed", LIB.works["revolution-betrayed"])
    pages = [p for p in folder.rglob("index.html")
             if re.search(r"<h1[^>]*>Chapter 3:", p.read_text(encoding="utf-8"))]
    assert len(pages) == 1
    html = pages[0].read_text(encoding="utf-8")
    contents = re.findall(r"<dt>Contents</dt><dd>(.*?)</dd>", html)
    assert len(contents) == 1 and "The transitional regime" in contents[0]
    assert not re.search(r"<p[^>]*>The transitional regime", html)
    assert len(re.findall(r"<h2[^>]*>1\. The Transitional Regime", html)) == 1


@pytest.mark.parametrize("text, year, want", [
    ("May 23-31, 1924", 0, (1924, 5, 23)),
    ("15. VII. 24", 0, (1924, 7, 15)),
    ("7/XI 24", 0, (1924, 11, 7)),
    ("January 17", 1924, (1924, 1, 17)),
    ("Written on December 12, 1922", 0, (1922, 12, 12)),
    ("Pravda, Nos. 96, 97; April 26 and 30, May 9, 1924", 0, (1924, 4, 26)),
    ("GIZ, 1925", 0, (1925, 0, 0)),
    ("1924 01", 0, (1924, 1)),
    ("Published for the first time", 1924, None),
])
def test_printed_dates_become_sort_keys(text, year, want):
    assert _date_key(text, year) == want


def test_chronology_puts_the_works_of_a_volume_in_date_order(built_site: Path):
    html = (built_site / "chronology" / "index.html").read_text(encoding="utf-8")
    titles = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>(.*?)</td>",
                                                            html, flags=re.DOTALL)]
    order = ["On the Contradictions in the Young Communist League", "The Foundations of Leninism",
             "Thirteenth Congress of the R.C.P. (B.)", "Concerning the International Situation",
             "Trotskyism or Leninism?"]
    at = [titles.index(t) for t in order]
    assert at == sorted(at), titles
    assert "Preface" not in titles and "Biographical Chronicle" not in titles
