"""Cached, parallel conversion: only a changed text is converted again."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest

from build_site import cache, downloads, metadata
from build_site.cache import Job, job_key
from build_site.library import build_library

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


def test_conversion_never_runs_the_modules_left_out_of_its_version():
    """The cache key leaves out the later stages' modules (an edit to the plugin must not throw
    away every conversion): that is right only if converting a text never runs their code."""
    job = next(j for j in _jobs(ROOT / "source") if j.slug == "soviet-power")
    ran: set[str] = set()

    def trace(frame, event, arg):
        if event == "call":
            ran.add(frame.f_code.co_filename)

    sys.setprofile(trace)
    try:
        doc = cache._convert(job)
    finally:
        sys.setprofile(None)
    assert doc.sections
    package = {str(p) for p in cache.PACKAGE_DIR.rglob("*.py")}
    used = {Path(f).relative_to(cache.PACKAGE_DIR).as_posix() for f in ran if f in package}
    assert "segment.py" in used  # the trace sees the converter
    assert used & cache.AFTER_CONVERSION == set()


def test_a_touched_text_alone_is_converted_and_its_downloads_alone_remade(tmp_path: Path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "source", source)
    cache_dir = tmp_path / "cache"
    cold = build_library(source, cache_dir=cache_dir)
    assert sorted(cold.converted) == sorted(d.slug for d in cold.documents)
    assert [k for k, _ in cold.timings][:2] == ["metadata", "convert"]
    (source / "soviet-power" / "work.yml").write_text(
        (source / "soviet-power" / "work.yml").read_text() + "# touched\n")
    warm = build_library(source, cache_dir=cache_dir)
    assert warm.converted == ("soviet-power",)
    assert warm.pages == cold.pages  # the cached texts give the same site

    site = tmp_path / "site"
    made = downloads.Downloads.start(cold, cache_dir, workers=2)
    made.finish(site)
    assert sorted(made.made) == sorted(d.slug for d in cold.documents if d.sections)
    first = {p.name: p.read_bytes() for p in (site / downloads.FOLDER).iterdir()}
    # One document changes (its first page retitled): only its files are made again.
    docs = tuple(d if d.slug != "soviet-power" else dataclasses.replace(d, sections=(
        dataclasses.replace(d.sections[0], title="Changed"), *d.sections[1:]))
        for d in warm.documents)
    again = downloads.Downloads.start(dataclasses.replace(warm, documents=docs), cache_dir)
    again.finish(site)
    assert again.made == ["soviet-power"]
    now = {p.name: p.read_bytes() for p in (site / downloads.FOLDER).iterdir()}
    assert {n for n in first if first[n] != now[n]} == {"soviet-power.epub", "soviet-power.txt"}


def test_a_job_with_its_ledger_gives_the_anchors_stage_result(tmp_path: Path):
    """The anchors stage runs in the conversion's job (cached with it): the document is the
    one assign_anchors makes of the plain conversion, and the ledger is part of the key."""
    from build_site import anchors

    source = tmp_path / "source"
    shutil.copytree(ROOT / "source", source)
    lib, _ = metadata.load_library(source)
    plain = next(j for j in _jobs(source) if j.slug == "soviet-power")
    job = dataclasses.replace(plain, ledger=str(anchors.ledger_path(source, plain.slug)),
                              cite=anchors.work_citation(lib, plain.slug))
    expected = anchors.assign_anchors(cache._convert(plain), source, lib)
    doc = cache._convert(job)
    assert doc == expected and doc.cite and any(b.anchor for b in doc.sections[0].blocks)
    assert not any(b.anchor for b in cache._convert(plain).sections[0].blocks)
    before = cache.job_key(job)
    ledger = Path(job.ledger)
    ledger.write_text(ledger.read_text() + "# touched\n")
    assert cache.job_key(job) != before
    assert cache.job_key(dataclasses.replace(job, cite=(("author", "Other"),))) != before


def test_a_work_whose_name_starts_another_keeps_the_others_cache_entry(tmp_path: Path):
    """'lenin' and 'lenin-v1' are two works: writing the first one's new entry removes its own
    old entries only, never the other's (which would be converted again at the next build)."""
    job = next(j for j in _jobs(ROOT / "source") if j.slug == "soviet-power")
    other = dataclasses.replace(job, slug="soviet-power-v1")
    cache_dir = tmp_path / "cache"
    cache.convert_many([job, other], cache_dir, workers=1)
    touched = dataclasses.replace(job, cite=(("author", "Someone"),))  # a new key
    _, converted = cache.convert_many([touched, other], cache_dir, workers=1)
    assert converted == ["soviet-power"]
    _, converted = cache.convert_many([touched, other], cache_dir, workers=1)
    assert converted == []
    assert len(list(cache_dir.glob("*.pickle"))) == 2


def test_converting_here_calls_started_after_the_conversions(monkeypatch):
    """With one worker the texts convert in this process: a thread started meanwhile would only
    take turns with them (and lengthen a warm build's conversion step), so ``started`` comes
    after the last one."""
    events: list[str] = []
    monkeypatch.setattr(cache, "_convert", lambda job: events.append(job.slug) or job.slug)
    jobs = [cache.Job(slug, "{}", f"/nowhere/{slug}.txt") for slug in ("a", "b")]
    docs, fresh = cache.convert_many(jobs, None, workers=1,
                                     started=lambda: events.append("started"))
    assert events == ["a", "b", "started"]
    assert docs == {"a": "a", "b": "b"} and fresh == ["a", "b"]


def test_a_jobs_key_does_not_depend_on_how_its_paths_are_spelled(tmp_path: Path, monkeypatch):
    """Under `mkdocs serve` the first build reads mkdocs.yml by a relative path and the rebuilds
    by an absolute one: the same work must keep its key (else every text converts again)."""
    work = tmp_path / "lib" / "w"
    work.mkdir(parents=True)
    (work / "raw.txt").write_text("Some text.\n")
    (work / "anchors.yml").write_text("next: 1\n")
    elsewhere = tmp_path / "ledgers" / "w.yml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("next: 2\n")
    monkeypatch.chdir(tmp_path)
    for ledger in ("lib/w/anchors.yml", "ledgers/w.yml"):
        relative = Job("w", "{}", "lib/w/raw.txt", ledger=ledger)
        absolute = Job("w", "{}", str(tmp_path / "lib/w/raw.txt"), ledger=str(tmp_path / ledger))
        dotted = Job("w", "{}", "./lib/../lib/w/raw.txt", ledger=ledger)
        assert job_key(relative) == job_key(absolute) == job_key(dotted)
    in_folder = job_key(Job("w", "{}", "lib/w/raw.txt", ledger="lib/w/anchors.yml"))
    other = job_key(Job("w", "{}", "lib/w/raw.txt", ledger="ledgers/w.yml"))
    assert in_folder != other  # which ledger it is still counts
    before = other
    elsewhere.write_text("next: 3\n")
    assert job_key(Job("w", "{}", "lib/w/raw.txt", ledger="ledgers/w.yml")) != before


def test_texts_convert_with_rarer_young_collections_and_the_setting_comes_back(monkeypatch):
    """The collector's young threshold is raised while the texts convert (here and in the
    workers forked meanwhile, which inherit it) and restored afterwards, also when a
    conversion fails."""
    import gc

    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def convert(job):
        seen.append(gc.get_threshold())
        if job.slug == "bad":
            raise ValueError("a converter bug")
        return job.slug

    monkeypatch.setattr(cache, "_convert", convert)
    jobs = [cache.Job(slug, "{}", f"/nowhere/{slug}.txt") for slug in ("a", "b")]
    cache.convert_many(jobs, None, workers=1)
    assert seen == [(cache.YOUNG_THRESHOLD, *before[1:])] * 2
    assert gc.get_threshold() == before
    with pytest.raises(ValueError, match="a converter bug"):
        cache.convert_many([cache.Job("bad", "{}", "/nowhere/bad.txt")], None, workers=1)
    assert gc.get_threshold() == before


def test_forked_conversion_workers_inherit_the_raised_threshold(monkeypatch):
    """``convert_many``'s pool is forked inside ``fewer_collections``: its workers convert
    with the raised threshold too."""
    import gc

    monkeypatch.setattr(cache, "_convert", _threshold_of)  # (the forked workers see it too)
    jobs = [cache.Job(slug, "{}", f"/nowhere/{slug}.txt") for slug in ("a", "b")]
    docs, _ = cache.convert_many(jobs, None, workers=2)
    assert set(docs.values()) == {(cache.YOUNG_THRESHOLD, *gc.get_threshold()[1:])}


def _threshold_of(job: cache.Job) -> tuple[int, int, int]:
    """A stand-in conversion, run in a worker: the collector's thresholds there."""
    import gc

    return gc.get_threshold()


def test_cached_documents_are_read_with_rarer_young_collections(tmp_path: Path, monkeypatch):
    """Unpickling the cached documents makes as many objects as converting them, all kept:
    it runs under the raised threshold too."""
    import gc
    import pickle

    job = cache.Job("a", "{}", str(tmp_path / "a.txt"))
    (tmp_path / "a.txt").write_text("x")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / f"a-{job_key(job)}.pickle").write_bytes(pickle.dumps("the document"))
    seen: list[tuple[int, int, int]] = []
    real_loads = pickle.loads

    def loads(data):
        seen.append(gc.get_threshold())
        return real_loads(data)

    monkeypatch.setattr(cache.pickle, "loads", loads)
    before = gc.get_threshold()
    docs, converted = cache.convert_many([job], cache_dir, workers=1)
    assert docs == {"a": "the document"} and converted == []
    assert seen == [(cache.YOUNG_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before
