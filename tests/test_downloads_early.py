"""The downloads' workers forked before the conversion (``downloads.early_pool``): they make the
same files as the build process, even a single job goes to them, and no pool is forked while
another thread runs (a fork copies its locks as they are)."""

from __future__ import annotations

import threading
from pathlib import Path

from test_downloads_key import ROOT, _files

from build_site import downloads
from build_site.library import build_library


def _alone(monkeypatch) -> None:
    """As in a build before its conversion: this test process may hold idle threads of
    earlier tests, which a fork here does not touch."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def test_forked_workers_make_the_files_the_build_process_makes(tmp_path: Path, monkeypatch):
    _alone(monkeypatch)
    pool = downloads.early_pool(1)
    assert pool is not None
    cache_dir = tmp_path / "cache"
    built = build_library(ROOT / "source", cache_dir=cache_dir)
    early = downloads.Downloads.start(built, cache_dir, hold=True, pool=pool,
                                      conversions=built.conversion_keys)
    assert early.pool is pool and early.held and not early.pending
    early.finish(tmp_path / "site")
    assert early.pool is None  # finish shut the pool down
    plain = downloads.Downloads.start(built, None, workers=0)
    plain.finish(tmp_path / "plain")
    assert (_files(tmp_path / "site" / downloads.FOLDER)
            == _files(tmp_path / "plain" / downloads.FOLDER))


def test_one_job_goes_to_the_forked_worker(tmp_path: Path, monkeypatch):
    _alone(monkeypatch)
    built = build_library(ROOT / "source", only=["soviet-power"])
    pool = downloads.early_pool(1)
    assert pool is not None
    one = downloads.Downloads.start(built, tmp_path / "cache", pool=pool)
    assert one.made == ["soviet-power"] and len(one.pending) == 1  # not made here
    one.finish(tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site" / downloads.FOLDER).iterdir()) == [
        "soviet-power.epub", "soviet-power.txt"]
    again = downloads.Downloads.start(built, tmp_path / "cache", pool=downloads.early_pool(1))
    assert again.made == [] and again.pool is None  # nothing to make: the pool is let go


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert downloads.early_pool() is None
    finally:
        stop.set()
        thread.join()
