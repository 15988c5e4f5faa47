"""Converting many texts fast: in parallel on every core, and cached by a hash of the inputs.

A converted ``Document`` depends only on the raw bytes, the work's metadata and the converter's
own code, so the cache key is the hash of those three. Under ``mkdocs serve`` a change to one
text re-converts only that text. The cache lives in ``.cache/build-site/`` beside the sources
(git-ignored) and can be deleted at any time.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .model import Block, Document, Page, Section

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Job:
    slug: str
    meta_json: str  # the work's metadata, serialised (the converter is keyed on it)
    raw_path: str
    # When set, the converted text is also given its paragraph ids from this ledger (the
    # anchors stage, per text: cached with the conversion and run on every core), with
    # ``cite`` as its citation fields (author names come from the library, not the folder).
    ledger: str = ""
    cite: tuple[tuple[str, str], ...] = ()


FORMAT = "2"  # what a cache entry holds: 2 = the document with its paragraph ids (if asked)

AFTER_CONVERSION = frozenset({
    "__main__.py", "cli.py", "plugin.py", "links.py", "reading.py", "report.py",
    "downloads.py", "search.py", "linkcheck.py", "theme_cache.py"})
"""Modules that only ever run on converted documents (a conversion never calls them, which
tests/test_cache.py checks by tracing one): editing them must not throw away every cached
conversion. Any other file of the package is part of the converter's version (anchors.py too:
a job with a ledger runs it)."""


@lru_cache(maxsize=1)
def converter_version() -> str:
    """Hash of the converter's source: any change to it invalidates the cache."""
    return _source_hash(AFTER_CONVERSION)


@lru_cache(maxsize=1)
def package_version() -> str:
    """Hash of the whole package's source, for results of the later stages (downloads)."""
    return _source_hash(frozenset())


def _source_hash(leave_out: frozenset[str]) -> str:
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel not in leave_out:
            h.update(rel.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def job_key(job: Job) -> str:
    """Hash of the converter, the metadata and every file in the work's folder (the raw text,
    and any per-work data such as corrections, which the converter may read)."""
    folder = Path(job.raw_path).parent
    # The ledger by where it is from the work's folder, not by how its path is spelled: under
    # `mkdocs serve` the first build reads the configuration by a relative path and the
    # rebuilds by an absolute one, and the first rebuild converted every text again.
    ledger_at = os.path.relpath(Path(job.ledger).resolve(), folder.resolve()) if job.ledger else ""
    h = hashlib.sha256()
    for part in (FORMAT.encode(), converter_version().encode(), job.slug.encode(),
                 job.meta_json.encode(), repr((ledger_at, job.cite)).encode()):
        h.update(hashlib.sha256(part).digest())
    for path in sorted(folder.iterdir()):
        if path.is_file():
            h.update(path.name.encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    if os.path.dirname(ledger_at):  # a ledger elsewhere is an input too
        ledger = Path(job.ledger)
        h.update(hashlib.sha256(ledger.read_bytes() if ledger.is_file() else b"").digest())
    return h.hexdigest()


def _convert(job: Job) -> Document:
    """Run in a worker process: rebuild the metadata object, convert one text and, when the
    job names a ledger, give it its paragraph ids."""
    from .anchors import anchor_from_ledger
    from .library import convert_work
    from .metadata import WorkMeta

    meta = WorkMeta.model_validate_json(job.meta_json)
    doc = convert_work(job.slug, meta, Path(job.raw_path).read_bytes(), job.raw_path)
    return anchor_from_ledger(doc, Path(job.ledger), job.cite) if job.ledger else doc


def _size(job: Job) -> int:
    try:
        return os.path.getsize(job.raw_path)
    except OSError:
        return 0


def _kept(docs: Iterable[Document]) -> Iterator[Document]:
    """Yield each document, then move everything alive into the collector's permanent
    generation: documents live to the end of the build, and without this every full
    collection walks all of them again (measured once at 50x, before other fixes: 5.9 of
    85 s of one-core conversion CPU)."""
    for doc in docs:
        yield doc
        gc.collect(0)  # young cyclic garbage of the conversion is freed, not frozen
        gc.freeze()


YOUNG_THRESHOLD = 50_000
"""Allocations between two young collections while texts convert (Python's default: 700)."""


@contextmanager
def fewer_collections(threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Collect the young generation less often while texts convert. The converter makes
    millions of short-lived objects and few cycles: at the default every 700 allocations, the
    collector ran 690 young and 47 middle collections in a one-core 10x conversion, 0.23 s of
    7.5 (gc.callbacks); at 50,000, 68 and 1, 0.10 s (10,000: 0.14 s). Most young collections
    left are ``_kept``'s, one a text. Worker processes forked meanwhile inherit the setting.
    Not off: the cycles there are (exception tracebacks, frames) are still freed."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def convert_many(jobs: Sequence[Job], cache_dir: Path | None, workers: int | None = None,
                 progress: Callable[[Iterable], Iterable] | None = None,
                 keys: dict[str, str] | None = None,
                 started: Callable[[], None] | None = None,
                 ) -> tuple[dict[str, Document], list[str]]:
    """Convert every job, taking cached results where the key matches.

    Returns the documents by slug and the slugs actually converted (not from the cache); with a
    cache, each job's key goes into ``keys`` (by slug), for the caches of later stages.
    ``started`` is called once the conversions run in their worker processes (the caller may
    then use this process's idle time, in a thread), or, when they are converted here, once
    they are done (a thread would only take turns with them, and slow the conversion step of
    a warm build, which converts a text or two).
    """
    docs: dict[str, Document] = {}
    todo: list[tuple[Job, Path | None]] = []
    with fewer_collections():  # (unpickling makes as many objects as converting, and keeps them)
        for job in jobs:
            target = None
            if cache_dir is not None:
                key = job_key(job)
                if keys is not None:
                    keys[job.slug] = key
                target = cache_dir / f"{job.slug}-{key}.pickle"
                if target.exists():
                    try:
                        docs[job.slug] = pickle.loads(target.read_bytes())
                        continue
                    except Exception:  # noqa: BLE001 - a damaged cache entry is only a miss
                        target.unlink(missing_ok=True)
            todo.append((job, target))
        if docs:
            gc.freeze()  # cached documents live to the end of the build too (``_kept``)
        workers = workers or min(len(todo), os.cpu_count() or 1)
        results = _convert_all([job for job, _ in todo], workers, progress, started)
    for (job, target), doc in zip(todo, results):
        docs[job.slug] = doc
        if target is not None:
            _replace_entry(target, job.slug, doc)
    return {j.slug: docs[j.slug] for j in jobs}, [j.slug for j, _ in todo]


def _convert_all(pending: list[Job], workers: int,
                 progress: Callable[[Iterable], Iterable] | None,
                 started: Callable[[], None] | None) -> list[Document]:
    """``convert_many``'s conversions, in its order: on ``workers`` forked processes, or here."""
    if workers > 1 and len(pending) > 1:
        # Largest texts first, so that no core is left idle while the last big one converts.
        order = sorted(range(len(pending)), key=lambda k: -_size(pending[k]))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = pool.map(_convert, [pending[k] for k in order])  # the workers are forked now
            if started is not None:
                started()
            by_index = dict(zip(order, _kept(progress(done) if progress else done)))
        return [by_index[k] for k in range(len(pending))]
    results = list(_kept(_convert(j) for j in (progress(pending) if progress else pending)))
    if started is not None:  # after: a thread would only take turns with them here
        started()
    return results


# --- a work's pages -------------------------------------------------------------------------

PAGES = "pages"  # the folder of cached pages under the cache folder


def _blocks(sections: Iterable[Section]) -> Iterator[Block]:
    for sec in sections:
        yield from sec.blocks
        yield from _blocks(sec.children)


def pages_key(job_key: str, doc: Document, extra: str) -> str:
    """Key of a linked work's own pages. The document before links is its conversion's (its key
    covers the text, metadata, ledger and citation fields); the links stage changes only the
    blocks' links, connections and ids, which are hashed here with their places; ``extra`` is
    whatever else the pages are made of (title, landing page, citation fields); and any change
    to the package's code changes the key."""
    layer = [(k, b.anchor, b.links, b.connections)
             for k, b in enumerate(_blocks(doc.sections)) if b.links or b.connections]
    h = hashlib.sha256()
    for part in (FORMAT, package_version(), job_key, extra, repr(layer)):
        h.update(hashlib.sha256(part.encode()).digest())
    return h.hexdigest()


def _pages_path(cache_dir: Path, slug: str, key: str) -> Path:
    return cache_dir / PAGES / f"{slug}-{key}.pickle"


def cached_pages(cache_dir: Path, slug: str, key: str) -> list[Page] | None:
    """The pages stored under ``key``, or None (a damaged entry is only a miss)."""
    path = _pages_path(cache_dir, slug, key)
    try:
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - any unreadable entry is a miss
        path.unlink(missing_ok=True)
        return None


def store_pages(cache_dir: Path, slug: str, key: str, pages: list[Page]) -> None:
    """Store a work's pages, in place of its older entries."""
    _replace_entry(_pages_path(cache_dir, slug, key), slug, pages)


def _replace_entry(path: Path, slug: str, value) -> None:
    """Write ``value`` as the cache entry ``path`` (``<slug>-<key>.pickle``), atomically, in
    place of the work's older entries in that folder: the slug, a dash and a key of 64
    characters, not the entries of a work whose name starts with this one's ('lenin-v1' beside
    'lenin')."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{slug}-{'?' * 64}.pickle"):
        old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


# --- the links stage's memo -----------------------------------------------------------------


def _memo_path(cache_dir: Path) -> Path:
    return cache_dir / f"links-memo-{package_version()}.pickle"


def load_links_memo(cache_dir: Path):
    """The memo of the last build by the same code (see ``links.Memo``), or an empty one."""
    from .links import Memo

    try:
        old = pickle.loads(_memo_path(cache_dir).read_bytes())
    except Exception:  # noqa: BLE001 - a missing or unreadable memo is an empty one
        old = None
    return old if isinstance(old, Memo) else Memo()


def store_links_memo(cache_dir: Path, memo) -> None:
    """Keep ``memo.next()`` for the next build, in place of any memo of other code."""
    path = _memo_path(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("links-memo-*.pickle"):
        old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(memo.next(), protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
