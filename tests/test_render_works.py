"""A work's own pages are rendered in a forked process beside the main one: the same pages."""

from __future__ import annotations

from pathlib import Path

from build_site import library

ROOT = Path(__file__).resolve().parents[1]


def test_work_pages_made_on_two_processes_equal_those_made_on_one():
    built = library.build_library(ROOT / "source", workers=1)
    lib = built.library
    docs = {d.slug: d for d in built.documents}
    index_paths = {s: library.work_index_page(d, lib.works[s], lib).path for s, d in docs.items()}
    serial = library.render_works(docs, lib, index_paths, workers=1)
    parallel = library.render_works(docs, lib, index_paths, workers=2)
    assert list(serial) == list(docs) and sorted(parallel) == sorted(serial)
    assert parallel == serial
    # ... and they are the build's pages, in its order (citation front matter included).
    by_path = {p.path: p for p in built.pages}
    for pages in serial.values():
        assert pages and all(by_path[p.path] == p for p in pages)
        assert all(p.markdown.startswith("---\n") for p in pages)
