"""The downloads' cache key from the conversion cache (``conversions``): it changes with the
conversion, the links stage's changes and the metadata, it finds the files a build made, and
they are the files made from the documents themselves."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from test_downloads import INFO, tiny_doc

from build_site import downloads
from build_site.library import build_library
from build_site.model import InlineLink

ROOT = Path(__file__).resolve().parents[1]
KEY = "a" * 64


def test_conversion_keys_are_the_one_entry_of_each_text(tmp_path: Path):
    other = "b" * 64
    for name in (f"lenin-{KEY}.pickle", f"lenin-v1-{other}.pickle", f"twice-{KEY}.pickle",
                 f"twice-{other}.pickle", f"short-{'c' * 16}.pickle", "links-memo-abc.pickle",
                 f"tmp-{KEY}.tmp"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "pages").mkdir()
    assert downloads.conversion_keys(tmp_path) == {"lenin": KEY, "lenin-v1": other}
    assert downloads.conversion_keys(tmp_path / "missing") == {}


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
    conversions = downloads.conversion_keys(cache_dir)
    assert set(conversions) == {d.slug for d in built.documents}
    made = downloads.Downloads.start(built, cache_dir, workers=0, conversions=conversions)
    made.finish(tmp_path / "site")
    assert sorted(made.made) == sorted(d.slug for d in built.documents if d.sections)
    again = downloads.Downloads.start(build_library(ROOT / "source", cache_dir=cache_dir),
                                      cache_dir, workers=0,
                                      conversions=downloads.conversion_keys(cache_dir))
    again.finish(tmp_path / "again")
    assert again.made == []  # the same conversions and links: the files are reused
    plain = downloads.Downloads.start(built, None, workers=0)  # made from the documents
    plain.finish(tmp_path / "plain")
    want = _files(tmp_path / "plain" / downloads.FOLDER)
    assert _files(tmp_path / "site" / downloads.FOLDER) == want
    assert _files(tmp_path / "again" / downloads.FOLDER) == want
