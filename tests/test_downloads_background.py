"""The download workers take only the CPU the build leaves idle, and their queued jobs hold no
document, so the plugin can let the documents go before the search indexer while they run."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from build_site import downloads
from build_site.library import build_library
from build_site.model import Document

ROOT = Path(__file__).resolve().parents[1]


def _documents(slugs: set[str]) -> list[Document]:
    gc.unfreeze()  # the conversion freezes what it made: frozen objects are not listed
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Document) and o.slug in slugs]


def test_workers_run_at_the_lowest_priority_and_jobs_hold_no_document(tmp_path: Path):
    built = build_library(ROOT / "source", only=["soviet-power", "last-struggle-of-lenin"])
    slugs = {d.slug for d in built.documents}
    made = downloads.Downloads.start(built, None, workers=1)
    try:
        assert made.pool is not None and len(made.pending) == 2
        plain = downloads.Downloads.start(built, None, workers=0)  # made here, at once
        plain.finish(tmp_path / "plain")
        del built
        assert _documents(slugs) == []  # while the jobs are queued or running
        assert made.pool.submit(os.nice, 0).result() == 19
        made.finish(tmp_path / "site")
    finally:
        made.close()
    want = sorted((tmp_path / "plain" / downloads.FOLDER).iterdir())
    got = sorted((tmp_path / "site" / downloads.FOLDER).iterdir())
    assert [p.name for p in got] == [p.name for p in want] and len(got) == 4
    assert all(g.read_bytes() == w.read_bytes() for g, w in zip(got, want))
