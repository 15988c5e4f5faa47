"""Two builds from the same inputs are byte-identical, except the files MkDocs stamps with the
build date (listed in the README). The second build runs with another hash seed, so that an
order taken from a set or a dict of strings shows up as a difference."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from test_robust_build import ROOT, copy_fixture, mkdocs_build, snapshot

# sitemap.xml carries <lastmod> (the build date); sitemap.xml.gz is it, gzipped with that date
# as the gzip header's mtime. Nothing else MkDocs or Material writes holds a date.
DATE_STAMPED = {"sitemap.xml", "sitemap.xml.gz"}
# Pagefind 1.5.2 writes its filter indexes in hash-map order: two runs over the same input files
# give the same words, fragments and search results but filter files (and the meta and entry
# files that name them by content hash) in another byte order. Checked outside the project:
# 300 identical pages indexed twice differ only there, and not at all without filters.
PAGEFIND_UNORDERED = re.compile(r"^pagefind/(part-\d+/)?(filter/.*\.pf_filter|"
                                r"pagefind\.\w+\.pf_meta|pagefind-entry\.json)$")
ANOTHER_DAY = "1000000000"  # SOURCE_DATE_EPOCH of 2001-09-09: MkDocs stamps this date instead


def differing(a: Path, b: Path) -> set[str]:
    """Files whose bytes differ between two builds, leaving out Pagefind's filter-order files
    (but not their number: a missing or extra filter file still counts)."""
    sa, sb = snapshot(a), snapshot(b)
    diff = {k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k)}
    unordered = {k for k in diff if PAGEFIND_UNORDERED.match(k)}
    count = lambda snap: sum(1 for k in snap if PAGEFIND_UNORDERED.match(k))
    assert count(sa) == count(sb), "the two search indexes hold different numbers of files"
    return diff - unordered


def build(project: Path, site: Path, **env: str) -> None:
    full = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(project / "mkdocs.yml"), "-d", str(site)],
                          cwd=project, capture_output=True, text=True, env=full, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_hostile_site_builds_twice_the_same(tmp_path: Path):
    project = copy_fixture(tmp_path, with_site_assets=True)
    build(project, tmp_path / "a", PYTHONHASHSEED="1")
    build(project, tmp_path / "b", PYTHONHASHSEED="2", SOURCE_DATE_EPOCH=ANOTHER_DAY)
    diff = differing(tmp_path / "a", tmp_path / "b")
    assert diff - DATE_STAMPED == set(), f"not reproducible: {sorted(diff - DATE_STAMPED)}"
    assert diff == DATE_STAMPED, "the README's list of date-stamped files is out of date"


def test_real_corpus_builds_twice_the_same(built_site: Path, tmp_path: Path):
    build(ROOT, tmp_path / "again", PYTHONHASHSEED="12345")
    diff = differing(built_site, tmp_path / "again") - DATE_STAMPED
    assert diff == set(), f"not reproducible: {sorted(diff)[:20]}"


def test_mkdocs_build_helper_is_the_same_build(tmp_path: Path):
    """The helper the other robustness tests use builds the same site as ``build`` here."""
    project = copy_fixture(tmp_path)
    assert mkdocs_build(project, tmp_path / "a").returncode == 0
    build(project, tmp_path / "b")
    assert differing(tmp_path / "a", tmp_path / "b") <= DATE_STAMPED
