"""The plugin end to end: a strict MkDocs build of the real corpus contains every work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_site import metadata
from build_site.library import work_url

ROOT = Path(__file__).resolve().parents[1]
LIB, _ = metadata.load_library(ROOT / "source")


def test_home_lists_every_work(built_site: Path):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for slug, meta in LIB.works.items():
        assert f'href="{work_url(slug, meta)}/"' in home, f"home page does not link {slug}"


@pytest.mark.parametrize("slug", sorted(LIB.works))
def test_every_work_has_readable_pages(built_site: Path, slug: str):
    folder = built_site / work_url(slug, LIB.works[slug])  # author/work
    index = folder / "index.html"
    assert index.exists(), f"{slug}: no work page"
    pages = [p for p in folder.rglob("index.html") if p != index]
    assert pages, f"{slug}: no text pages"
    words = 0
    for p in pages:
        html = p.read_text(encoding="utf-8")
        paras = re.findall(r'<p id="p-\d+">(.*?)</p>', html, flags=re.DOTALL)
        words += sum(len(re.sub(r"<[^>]+>", " ", t).split()) for t in paras)
    raw_words = len((ROOT / "source" / slug / LIB.works[slug].raw_file).read_text().split())
    # Furniture and notes are removed, but the author's words stay: well over 80% remain.
    assert words > 0.8 * raw_words, f"{slug}: only {words} of {raw_words} words in paragraphs"


def test_generated_pages_are_not_written_into_the_repository():
    generated = [p for p in (ROOT / "docs").rglob("*.md")]
    assert generated == [], "generated pages must stay virtual"


def test_navigation_tracking_is_off_and_prune_on():
    import yaml

    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    features = cfg["theme"]["features"]
    assert "navigation.tracking" not in features
    assert "navigation.prune" in features
