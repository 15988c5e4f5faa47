"""MkDocs's Markdown stage on two cores: a forked worker renders a share of the pages.

MkDocs converts every page's Markdown in one loop on one core (``_populate_page``: on_pre_page,
read_source, on_page_markdown, ``Page.render``, on_page_content), which at 4,000 pages is most of
a build while the second core idles. At ``on_nav`` the plugin forks one worker (a copy of the
build: same config, files, pages and extensions, so the same HTML) that takes pages from the end
of MkDocs's order while MkDocs works from the front; the two meet in the middle, whatever the
page sizes or the other load on the machine. For a page the worker took, the plugin's
``on_pre_page`` gives the page a ``render`` that installs what ``Page.render`` would have set
(content, toc, title, anchor ids, links to anchors), so every other hook, the templates and
MkDocs's own checks see the same page as in a serial build, and the site is byte-identical.

The worker's log records (a broken link's warning, say) are sent with the page and emitted in
the main process when MkDocs reaches that page: in the same order as a serial build and counted
by ``--strict``. An error in the worker is raised there too, so MkDocs names the page.

The worker only calls ``Page.read_source`` and ``Page.render``: other plugins' hooks are never
run in it (their state would be lost), so when another plugin listens on the events before
``render`` (pre_page, page_read_source, page_markdown) the plugin renders serially. If the worker
dies, the main process renders its pages itself.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("mkdocs.plugins.library")

_EVENTS_BEFORE_RENDER = ("pre_page", "page_read_source", "page_markdown")
STALL_SECONDS = 300.0
"""A worker that sends nothing for this long while the main process waits is ended and its
pages rendered in the main process: a build must never hang on it (no page takes minutes)."""


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` sets on a page (MkDocs 1.6), as rendered by the worker, with the
    records it logged and the digest of the Markdown it converted."""

    index: int
    digest: bytes
    content: str | None = None
    toc: Any = None
    title: str | None = None
    anchor_ids: set[str] | None = None
    links: dict[str, dict[str, str]] | None = None  # target src_uri -> {anchor: link}
    records: list[logging.LogRecord] = field(default_factory=list)
    error: BaseException | None = None


def digest(markdown: str | None) -> bytes:
    """Fingerprint of a page's Markdown: the main process renders the page itself if its
    Markdown is not what the worker converted."""
    return hashlib.blake2b((markdown or "").encode("utf-8", "surrogatepass"),
                           digest_size=16).digest()


def other_listeners(config, plugin) -> list[str]:
    """Events before ``render`` that a plugin other than ``plugin`` listens on."""
    events = getattr(config.plugins, "events", {})
    return [name for name in _EVENTS_BEFORE_RENDER
            for method in events.get(name, ()) if getattr(method, "__self__", None) is not plugin]


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """A record that pickles: its message formatted, its traceback as text."""
    record = copy.copy(record)
    record.msg = record.getMessage()
    record.args = None
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    return record


def _portable_error(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 (any exception type may fail to pickle)
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _render_one(page, index: int, config, files, records: list) -> Rendered:
    """Render one page as MkDocs would, in the worker (a forked copy: the page is ours)."""
    page.read_source(config)
    md_digest = digest(page.markdown)
    del records[:]  # only what render logs: the main process runs read_source itself
    config._current_page = page
    try:
        page.render(config, files)
    except Exception as exc:  # noqa: BLE001 (raised again in the main process, for that page)
        return Rendered(index, md_digest, records=[_portable(r) for r in records],
                        error=_portable_error(exc))
    finally:
        config._current_page = None
    links = getattr(page, "links_to_anchors", None)
    return Rendered(
        index, md_digest, content=page.content, toc=page.toc,
        title=page._title_from_render, anchor_ids=page.present_anchor_ids,
        links=None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        records=[_portable(r) for r in records])


def _worker(pages: list, config, files, bounds, lock, conn) -> None:
    """Take pages from the end of the list until meeting the main process; send each result."""
    records: list[logging.LogRecord] = []

    def capture(self, record):  # every logger's records go to the main process, unfiltered
        if not self.disabled:
            records.append(record)
    logging.Logger.handle = capture  # this process only: a fork of the build
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    try:
        while True:
            with lock:
                index = bounds[1] - 1
                if index < bounds[0]:
                    break
                bounds[1] = index
            try:
                conn.send(_render_one(pages[index], index, config, files, records))
            except (BrokenPipeError, EOFError):
                raise
            except Exception:  # noqa: BLE001 (a result that does not pickle, say)
                conn.send(Rendered(index, b""))  # no digest matches: rendered in the main process
    except (BrokenPipeError, EOFError):
        pass  # the main process is done with us
    finally:
        conn.close()


class ParallelRender:
    """One build's worker, its share of the pages and the results received so far."""

    def __init__(self, pages: list, config, files) -> None:
        self.index = {id(p): i for i, p in enumerate(pages)}
        self.results: dict[int, Rendered] = {}
        self.done = threading.Condition()
        self.finished = False  # the worker sent everything it will send, or died
        self.last = time.monotonic()  # when the worker last sent a result
        self.pages = len(pages)
        self.installed = 0  # pages whose worker result was used
        ctx = multiprocessing.get_context("fork")
        self.lock = ctx.Lock()
        self.bounds = ctx.RawArray("l", [0, len(pages)])  # [main's next page, worker's lowest]
        recv, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_worker, name="library-render", daemon=True,
                                   args=(pages, config, files, self.bounds, self.lock, send))
        gc.freeze()  # the worker's garbage collector leaves the shared heap alone (copy-on-write)
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        send.close()
        self.conn = recv
        self.reader = threading.Thread(target=self._receive, name="library-render-reader",
                                       daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, files, config, plugin) -> ParallelRender | None:
        """Fork the worker for this build's pages, or None when a serial build is the right one
        (one core, too few pages, or another plugin's hook runs before ``render``)."""
        if (os.cpu_count() or 1) < 2:
            return None
        others = other_listeners(config, plugin)
        if others:
            log.info("library: pages rendered on one core (another plugin listens on "
                     + ", ".join(sorted(set(others))) + ")")
            return None
        pages = [f.page for f in files.documentation_pages() if f.page is not None]
        if len(pages) < 2:
            return None
        return cls(pages, config, files)

    def _receive(self) -> None:
        """Drain the pipe as results come (the worker never waits on a busy main process)."""
        try:
            while True:
                result = self.conn.recv()
                with self.done:
                    self.last = time.monotonic()
                    self.results[result.index] = result
                    self.done.notify_all()
        except (EOFError, OSError):
            pass
        finally:
            with self.done:
                self.finished = True
                self.done.notify_all()

    def claim(self, page) -> int | None:
        """Called as MkDocs reaches ``page``: None if the main process renders it (and the
        worker no longer may), else its index in the worker's share."""
        index = self.index.get(id(page))
        if index is None:
            return None
        with self.lock:
            if index < self.bounds[1]:
                self.bounds[0] = max(self.bounds[0], index + 1)
                return None
        return index

    def wait(self, index: int) -> Rendered | None:
        """The worker's result for a page it took; None if it died first."""
        with self.done:
            while not self.done.wait_for(lambda: index in self.results or self.finished,
                                         timeout=1.0):
                if time.monotonic() - self.last > STALL_SECONDS:
                    log.info(f"library: the render worker sent nothing for {STALL_SECONDS:.0f} s;"
                             " its pages are rendered here")
                    self.process.kill()  # the reader then meets the pipe's end: finished
                    self.last = time.monotonic()
            return self.results.pop(index, None)

    def close(self) -> int:
        """End the worker and the reader (after the Markdown stage, or on a failed build);
        return how many pages the worker's results were used for."""
        if self.process.is_alive():
            self.process.kill()  # exiting, or a failed build: nothing more is needed from it
        self.process.join()
        self.reader.join()  # it ends at the end of the pipe, now that the worker is gone
        self.conn.close()
        self.results.clear()
        return self.installed


def install(page, index: int, renderer: ParallelRender) -> None:
    """Give ``page`` a ``render`` that takes the worker's result, or renders here if there is
    none (the worker died) or the Markdown differs from what the worker converted."""
    serial_render = page.render

    def render(config, files) -> None:
        del page.render  # the class's render again
        result = renderer.wait(index)
        if result is None or result.digest != digest(page.markdown):
            return serial_render(config, files)
        for record in result.records:
            logging.getLogger(record.name).handle(record)
        if result.error is not None:
            raise result.error
        renderer.installed += 1
        page.content = result.content
        page.toc = result.toc
        page._title_from_render = result.title
        page.present_anchor_ids = result.anchor_ids
        if result.links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): links
                                     for uri, links in result.links.items()}

    page.render = render

