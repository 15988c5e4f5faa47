"""The downloads' cache key from the conversion cache (``Built.conversion_keys``): it changes
with the conversion, the links stage's changes and the metadata, it finds the files a build
made, and they are the files made from the documents themselves."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from test_downloads import INFO, tiny_doc

from build_site import downloads
from build_site.library import build_library
from build_site.model import InlineLink

ROOT = Path(__file__).resolve().parents[1]
KEY = "a" * 64


def test_built_carries_the_conversion_keys_of_its_cache(tmp_path: Path):
    built = build_library(ROOT / "source", cache_dir=tmp_path / "cache")
    keys = built.conversion_keys
    assert set(keys) == {d.slug for d in built.documents}
    assert all((tmp_path / "cache" / f"{slug}-{key}.pickle").is_file()
               for slug, key in keys.items())
    assert build_library(ROOT / "source", only=["soviet-power"]).conversion_keys == {}  # no cache


def test_the_key_follows_the_conversion_the_links_and_the_metadata():
    doc = tiny_doc()
    key = downloads.download_key(doc, INFO, KEY)
    assert key == downloads.download_key(tiny_doc(), INFO, KEY) and len(key) == 24
    assert key != downloads.download_key(doc, INFO, "b" * 64)
    assert key != downloads.download_key(doc, dataclasses.replace(INFO, title="Other"), KEY)
    first = doc.sections[0]
    linked = dataclasses.replace(first.blocks[0], links=(InlineLink(0, 5, "/x/", "person"),))
    doc2 = dataclasses.replace(doc, sections=(dataclasses.replace(first, blocks=(linked,)),
                                              *doc.sections[1:]))
    assert key != downloads.download_key(doc2, INFO, KEY)  # what the links stage changed
    assert key != downloads.download_key(doc, INFO)  # the repr's keys are apart


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_files_found_by_conversion_keys_are_the_documents_files(tmp_path: Path):
    cache_dir = tmp_path / "cache"
    built = build_library(ROOT / "source", cache_dir=cache_dir)
    made = downloads.Downloads.start(built, cache_dir, workers=0,
                                     conversions=built.conversion_keys)
    made.finish(tmp_path / "site")
    assert sorted(made.made) == sorted(d.slug for d in built.documents if d.sections)
    rebuilt = build_library(ROOT / "source", cache_dir=cache_dir)
    again = downloads.Downloads.start(rebuilt, cache_dir, workers=0,
                                      conversions=rebuilt.conversion_keys)
    again.finish(tmp_path / "again")
    assert again.made == []  # the same conversions and links: the files are reused
    plain = downloads.Downloads.start(built, None, workers=0)  # made from the documents
    plain.finish(tmp_path / "plain")
    want = _files(tmp_path / "plain" / downloads.FOLDER)
    assert _files(tmp_path / "site" / downloads.FOLDER) == want
    assert _files(tmp_path / "again" / downloads.FOLDER) == want


def test_held_jobs_run_only_once_released_and_make_the_same_files(tmp_path: Path):
    """``hold``: the worker starts, but no file is made before ``release`` (``finish``
    releases what is still held); the files are the ones made at once."""
    cache_dir = tmp_path / "cache"
    built = build_library(ROOT / "source", cache_dir=cache_dir)
    held = downloads.Downloads.start(built, cache_dir, workers=1, hold=True,
                                     conversions=built.conversion_keys)
    try:
        for future in held.pending:  # the worker's first job: ready to make files
            future.result(timeout=120)
        assert held.held and not any(folder.exists() and any(folder.iterdir())
                                     for _, folder in held.files)
        held.release()
        assert not held.held
    finally:
        held.finish(tmp_path / "site")
    plain = downloads.Downloads.start(built, None, workers=0)
    plain.finish(tmp_path / "plain")
    assert (_files(tmp_path / "site" / downloads.FOLDER)
            == _files(tmp_path / "plain" / downloads.FOLDER))
    unreleased = downloads.Downloads.start(built, tmp_path / "cache2", workers=1, hold=True)
    unreleased.finish(tmp_path / "site2")  # finish releases the held jobs itself
    assert (_files(tmp_path / "site2" / downloads.FOLDER)
            == _files(tmp_path / "plain" / downloads.FOLDER))
