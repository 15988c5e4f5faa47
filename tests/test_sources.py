"""The real source/ folder: its metadata validates and its raw files are the seeds, unedited."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from build_site.metadata import Library, load_library

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "source"
SEEDS = ROOT.parent / "shared" / "seeds"

# slug -> (seed file, kind of raw text), as shared/seeds/README.md describes them.
EXPECTED = {
    "soviets-at-work": ("000_df80dc9cc8f42b51.txt", "ocr-print"),
    "soviet-power": ("001_cb4941fb3032546b.txt", "web-page-text"),
    "revolution-betrayed": ("002_58ccb17ca8d2a55e.txt", "pdf-web-printout"),
    "last-struggle-of-lenin": ("003_03292c8d22aefd78.txt", "web-article"),
    "stalin-works-6": ("004_93893b877f0de433.txt", "pdf-text-book"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def library() -> Library:
    library, diagnostics = load_library(SOURCE)
    assert [str(d) for d in diagnostics] == []
    return library


def test_all_five_works_load_without_any_diagnostic(library: Library) -> None:
    assert list(library.works) == sorted(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_work_points_at_its_seed_with_its_kind(library: Library, slug: str) -> None:
    work = library.works[slug]
    assert (work.raw_file, work.raw_kind) == EXPECTED[slug]
    assert sha256(SOURCE / slug / work.raw_file) == work.sha256


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_raw_file_is_the_seed_unchanged(library: Library, slug: str) -> None:
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SEEDS} must exist under CI")
        pytest.skip(f"{SEEDS} is not here")
    work = library.works[slug]
    assert sha256(SOURCE / slug / work.raw_file) == sha256(SEEDS / work.raw_file)


def test_authors_and_name_variants_for_cross_links(library: Library) -> None:
    cited = {a for work in library.works.values() for a in work.authors}
    assert cited == {"lenin", "stalin", "trotsky", "robert-paris"}
    # People named in three or more seeds, with the spellings the seeds use (survey §7.3).
    variants = {"lenin": "Lenine", "chernov": "Tchernov", "tsereteli": "Zeretelli"}
    for person_id, spelling in variants.items():
        assert spelling in library.people[person_id].aliases
    for person_id in (
        "trotsky",
        "marx",
        "engels",
        "kerensky",
        "kornilov",
        "kamenev",
        "zinoviev",
        "rykov",
        "krupskaya",
    ):
        assert person_id in library.people
