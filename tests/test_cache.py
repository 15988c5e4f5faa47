"""Cached, parallel conversion: only a changed text is converted again."""

from __future__ import annotations

import shutil
from pathlib import Path

from build_site import cache, metadata

ROOT = Path(__file__).resolve().parents[1]


def _jobs(source: Path) -> list[cache.Job]:
    lib, diags = metadata.load_library(source)
    assert not diags
    return [cache.Job(s, m.model_dump_json(), str(source / s / m.raw_file))
            for s, m in lib.works.items()]


def test_warm_cache_converts_only_the_changed_text(tmp_path: Path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "source", source)
    cache_dir = tmp_path / "cache"
    docs, converted = cache.convert_many(_jobs(source), cache_dir, workers=2)
    assert sorted(converted) == sorted(docs)
    again, converted = cache.convert_many(_jobs(source), cache_dir, workers=2)
    assert converted == []
    assert again == docs  # the cached documents equal the fresh ones
    # A per-work data file changes: that work alone is converted again.
    (source / "soviet-power" / "corrections.yml").write_text("[]\n")
    _, converted = cache.convert_many(_jobs(source), cache_dir, workers=2)
    assert converted == ["soviet-power"]


def test_parallel_and_serial_conversion_agree(tmp_path: Path):
    jobs = [j for j in _jobs(ROOT / "source") if j.slug in {"soviet-power", "soviets-at-work"}]
    parallel, _ = cache.convert_many(jobs, None, workers=2)
    serial, _ = cache.convert_many(jobs, None, workers=1)
    assert parallel == serial


def test_converter_version_changes_with_code(monkeypatch, tmp_path: Path):
    before = cache.converter_version()
    fake = tmp_path / "pkg"
    fake.mkdir()
    (fake / "a.py").write_text("x = 1\n")
    cache.converter_version.cache_clear()
    monkeypatch.setattr(cache, "PACKAGE_DIR", fake)
    one = cache.converter_version()
    (fake / "a.py").write_text("x = 2\n")
    cache.converter_version.cache_clear()
    two = cache.converter_version()
    cache.converter_version.cache_clear()
    monkeypatch.undo()
    assert one != two and before == cache.converter_version()
