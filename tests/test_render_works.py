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


def test_cached_pages_are_reused_only_for_the_same_work_and_links(tmp_path, monkeypatch):
    import dataclasses
    import shutil

    from build_site import cache
    from build_site.model import Connection

    source = tmp_path / "source"
    shutil.copytree(ROOT / "source", source)
    cache_dir = tmp_path / "cache"
    fresh = library.build_library(source, workers=1)
    cold = library.build_library(source, cache_dir=cache_dir, workers=1)
    assert cold.pages == fresh.pages
    made: list[str] = []
    real = library.work_pages
    monkeypatch.setattr(library, "work_pages", lambda doc, *a: made.append(doc.slug) or real(
        doc, *a))
    warm = library.build_library(source, cache_dir=cache_dir, workers=1)
    assert made == [] and warm.pages == fresh.pages
    work_yml = source / "soviet-power" / "work.yml"
    work_yml.write_text(work_yml.read_text() + "# touched\n")
    again = library.build_library(source, cache_dir=cache_dir, workers=1)
    assert made == ["soviet-power"] and again.pages == fresh.pages
    # The links stage's part of a document is in the key: one more connection, another key.
    doc = next(d for d in again.documents if d.slug == "soviet-power")
    sec = doc.sections[0]
    block = dataclasses.replace(sec.blocks[0], connections=(Connection("quotes", "x.md", "X"),))
    linked = dataclasses.replace(doc, sections=(
        dataclasses.replace(sec, blocks=(block, *sec.blocks[1:])), *doc.sections[1:]))
    assert cache.pages_key("k", linked, "") != cache.pages_key("k", doc, "")
    assert cache.pages_key("k", doc, "") == cache.pages_key("k", doc, "")
    assert cache.pages_key("k", doc, "") != cache.pages_key("j", doc, "")
