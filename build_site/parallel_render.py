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

The template stage (MkDocs's ``_build_page``: the theme's template around each page, one core
again, a fifth of a large build) is shared the same way (``start_templates``). At the end of
``on_env`` a second worker is forked; it takes pages from the end and renders their template as
``_build_page`` does (context, ``on_page_context``, ``template.render``). MkDocs builds pages
through the environment ``on_env`` returns, so the plugin returns ``SharedEnv``: for a page the
worker took, ``get_template`` gives a stand-in whose ``render`` returns the worker's HTML, and
MkDocs runs ``on_post_page`` and writes the file as in a serial build. Serial when another plugin
listens on env or page_context (the worker would miss or repeat what it does).
"""

from __future__ import annotations

import copy
import functools
import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from mkdocs.structure.files import InclusionLevel

from .search import widen_pipe

log = logging.getLogger("mkdocs.plugins.library")

_EVENTS_BEFORE_RENDER = ("pre_page", "page_read_source", "page_markdown")
_EVENTS_AROUND_TEMPLATES = ("env", "page_context")
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
    direct: bool | None = None  # a page of ``DirectPages``: its HTML made directly, or declined


@dataclass(frozen=True)
class Templated:
    """A page's HTML as the theme's template renders it (before ``on_post_page``), rendered by
    the template worker, with the records it logged."""

    index: int
    html: str | None = None
    records: list[logging.LogRecord] = field(default_factory=list)
    error: BaseException | None = None


@dataclass(frozen=True)
class Unsent:
    """The worker could not send its result for this page (it does not pickle, say): the main
    process renders the page itself."""

    index: int


def digest(markdown: str | None) -> bytes:
    """Fingerprint of a page's Markdown: the main process renders the page itself if its
    Markdown is not what the worker converted."""
    return hashlib.blake2b((markdown or "").encode("utf-8", "surrogatepass"),
                           digest_size=16).digest()


def other_listeners(config, plugin, names=_EVENTS_BEFORE_RENDER) -> list[str]:
    """Events among ``names`` (default: those before ``render``) that a plugin other than
    ``plugin`` listens on."""
    events = getattr(config.plugins, "events", {})
    return [name for name in names
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


def _render_one(page, index: int, records: list, config, files, direct=None) -> Rendered:
    """Render one page as MkDocs would, in the worker (a forked copy: the page is ours): with
    ``direct`` (the build's ``page_html.DirectPages``), a page of its own gets its HTML from it,
    as in the main process (``plugin.on_pre_page``)."""
    page.read_source(config)
    md_digest = digest(page.markdown)
    del records[:]  # only what render logs: the main process runs read_source itself
    made = direct.made if direct is not None else 0
    is_direct = direct.install(page) if direct is not None else False
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
        records=[_portable(r) for r in records],
        direct=(direct.made > made) if is_direct else None)


def _template_one(page, index: int, records: list, config, nav, doc_files, env
                  ) -> Templated | Unsent:
    """Render one page's template as MkDocs's ``_build_page`` does, up to ``on_post_page``,
    in the template worker."""
    from mkdocs.commands.build import get_context

    del records[:]
    config._current_page = page
    page.active = True
    try:
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        html = template.render(context)
    except Exception as exc:  # noqa: BLE001 (raised again in the main process, for that page)
        return Templated(index, records=[_portable(r) for r in records],
                         error=_portable_error(exc))
    finally:
        page.active = False
        config._current_page = None
    return Templated(index, html, records=[_portable(r) for r in records])


def markdown_job(config, files, direct=None):
    """The Markdown worker's job: ``Page.render`` of one page (``direct``: see ``_render_one``)."""
    return functools.partial(_render_one, config=config, files=files, direct=direct)


def template_job(config, nav, doc_files, env):
    """The template worker's job: the theme's template around one page."""
    return functools.partial(_template_one, config=config, nav=nav, doc_files=doc_files,
                             env=env)


def _packed(index: int, result) -> bytes:
    """A result as the worker sends it: the page's index, then the pickled result (read back
    only when MkDocs reaches the page; until then it waits in the main process's spill file)."""
    return index.to_bytes(8, "little") + pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _worker(pages: list, job, bounds, lock, conn) -> None:
    """Take pages from the end of the list until meeting the main process; send each result."""
    records: list[logging.LogRecord] = []

    def capture(self, record):  # every logger's records go to the main process, unfiltered
        if not self.disabled:
            records.append(record)
    # replaced on purpose, in this process only (a fork of the build)
    logging.Logger.handle = capture  # type: ignore[method-assign]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    try:
        while True:
            with lock:
                index = bounds[1] - 1
                if index < bounds[0]:
                    break
                bounds[1] = index
            try:
                message = _packed(index, job(pages[index], index, records))
            except Exception:  # noqa: BLE001 (a result that does not pickle, say)
                message = _packed(index, Unsent(index))
            conn.send_bytes(message)
    except (BrokenPipeError, EOFError):
        pass  # the main process is done with us
    finally:
        conn.close()


class _Spill:
    """Where the main process keeps the worker's results until MkDocs reaches their pages: an
    unnamed temporary file (RAM if it cannot make one). The two meet in the middle, so at the
    end of a stage half the pages' results wait at once: at 50x, the template stage's are about
    250 MB of pickled HTML (UTF-8; twice that as Python strings)."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None
        try:
            self.file = tempfile.TemporaryFile(prefix="library-render-")  # noqa: SIM115 (close())
        except OSError:
            self.file = None
        self.size = 0
        self.memory: dict[int, bytes] = {}

    def keep(self, data: memoryview) -> tuple[int, int]:
        """Store ``data`` (called from the reader thread only); return where it is."""
        offset = self.size
        self.size += len(data)
        if self.file is not None:
            try:
                done = 0
                while done < len(data):  # a regular file takes it all at once, in practice
                    done += os.pwrite(self.file.fileno(), data[done:], offset + done)
                return offset, len(data)
            except OSError:  # the disk is full, say: keep this one in RAM
                pass
        self.memory[offset] = bytes(data)
        return offset, len(data)

    def read(self, kept: tuple[int, int]) -> bytes:
        offset, size = kept
        data = self.memory.pop(offset, None)
        if data is not None:
            return data
        assert self.file is not None  # what is not in memory is in the file
        parts, done = [], 0
        while done < size:
            part = os.pread(self.file.fileno(), size - done, offset + done)
            if not part:
                raise OSError(f"library: render spill file ended at {offset + done}")
            parts.append(part)
            done += len(part)
        return b"".join(parts)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.memory.clear()


class ParallelRender:
    """One worker, its share of the pages and the results received so far. ``job(page, index,
    records)`` makes a page's result in the worker (``markdown_job``, or the template job of
    ``start_templates``)."""

    def __init__(self, pages: list, job, name: str = "library-render", what: str = "pages"
                 ) -> None:
        self.what = what  # for the log: what the worker renders
        self.index = {id(p): i for i, p in enumerate(pages)}
        self.results: dict[int, tuple[int, int]] = {}  # index -> (offset, size) in spill
        self.spill = _Spill()
        self.done = threading.Condition()
        self.finished = False  # the worker sent everything it will send, or died
        self.last = time.monotonic()  # when the worker last sent a result
        self.pages = len(pages)
        self.installed = 0  # pages whose worker result was used
        self.direct_made = 0  # of those, pages whose HTML the worker made without Python-Markdown
        self.direct_declined = 0  # pages of ``DirectPages`` it gave to Python-Markdown
        ctx = multiprocessing.get_context("fork")
        self.lock = ctx.Lock()
        self.bounds = ctx.RawArray("l", [0, len(pages)])  # [main's next page, worker's lowest]
        recv, send = ctx.Pipe(duplex=False)
        widen_pipe(send.fileno())
        self.process = ctx.Process(target=_worker, name=name, daemon=True,
                                   args=(pages, job, self.bounds, self.lock, send))
        gc.freeze()  # the worker's garbage collector leaves the shared heap alone (copy-on-write)
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        send.close()
        self.conn = recv
        self.reader = threading.Thread(target=self._receive, name=f"{name}-reader",
                                       daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, files, config, plugin, direct=None) -> ParallelRender | None:
        """Fork the worker for this build's pages, or None when a serial build is the right one
        (one core, too few pages, or another plugin's hook runs before ``render``). With
        ``direct`` (``page_html.DirectPages``), the worker makes the HTML of the pages it
        serves as the main process does: the two share those pages too."""
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
        return cls(pages, markdown_job(config, files, direct))

    @classmethod
    def start_templates(cls, files, config, plugin, nav, env) -> ParallelRender | None:
        """Fork the template worker (at the end of ``on_env``: pages and environment are
        final), or None when the templates are rendered serially (one core, too few pages,
        another plugin listening on env or page_context)."""
        if (os.cpu_count() or 1) < 2 or other_listeners(config, plugin, _EVENTS_AROUND_TEMPLATES):
            return None
        if any(f.inclusion is InclusionLevel.DRAFT for f in files):
            return None  # drafts under `mkdocs serve`: MkDocs's page list is not the default
        doc_files = files.documentation_pages()
        pages = [f.page for f in doc_files if f.page is not None]
        if len(pages) < 2:
            return None
        return cls(pages, template_job(config, nav, doc_files, env), name="library-templates",
                   what="page templates")

    def _receive(self) -> None:
        """Drain the pipe as results come (the worker never waits on a busy main process)."""
        try:
            while True:
                message = self.conn.recv_bytes()
                index = int.from_bytes(message[:8], "little")
                kept = self.spill.keep(memoryview(message)[8:])
                with self.done:
                    self.last = time.monotonic()
                    self.results[index] = kept
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
            kept = self.results.pop(index, None)
        return None if kept is None else pickle.loads(self.spill.read(kept))

    def close(self) -> int:
        """End the worker and the reader (after its stage, or on a failed build);
        return how many pages the worker's results were used for."""
        if self.process.is_alive():
            self.process.kill()  # exiting, or a failed build: nothing more is needed from it
        self.process.join()
        self.reader.join()  # it ends at the end of the pipe, now that the worker is gone
        self.conn.close()
        self.results.clear()
        self.spill.close()
        return self.installed


def install(page, index: int, renderer: ParallelRender) -> None:
    """Give ``page`` a ``render`` that takes the worker's result, or renders here if there is
    none (the worker died) or the Markdown differs from what the worker converted (with the
    ``render`` the page had: ``DirectPages``'s, or the class's)."""
    serial_render = page.render

    def render(config, files) -> None:
        vars(page).pop("render", None)  # the class's render again
        result = renderer.wait(index)
        if not isinstance(result, Rendered) or result.digest != digest(page.markdown):
            return serial_render(config, files)
        _replay(result)
        renderer.installed += 1
        if result.direct is not None:
            renderer.direct_made += result.direct
            renderer.direct_declined += not result.direct
        page.content = result.content
        page.toc = result.toc
        page._title_from_render = result.title
        page.present_anchor_ids = result.anchor_ids
        if result.links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): links
                                     for uri, links in result.links.items()}

    page.render = render


def _replay(result: Rendered | Templated) -> None:
    """Emit the worker's log records for a page here, in serial order; raise its error."""
    for record in result.records:
        logging.getLogger(record.name).handle(record)
    if result.error is not None:
        raise result.error


class _FromWorker:
    """Stand-in for a page's template: ``render`` returns the template worker's HTML, or
    renders the template here if the worker has none (it died, or could not send it)."""

    def __init__(self, template, index: int, renderer: ParallelRender) -> None:
        self.template, self.index, self.renderer = template, index, renderer

    def render(self, context) -> str:
        result = self.renderer.wait(self.index)
        if not isinstance(result, Templated):
            return self.template.render(context)
        _replay(result)
        self.renderer.installed += 1
        return result.html


class SharedEnv:
    """The Jinja environment MkDocs builds pages with, sharing the template stage with the
    template worker: ``get_template`` for a page the worker took (``config._current_page``,
    set by ``_build_page``) gives a ``_FromWorker``; everything else is the environment's."""

    def __init__(self, env, renderer: ParallelRender, config) -> None:
        self._env, self._renderer, self._config = env, renderer, config

    def get_template(self, *args, **kwargs):
        template = self._env.get_template(*args, **kwargs)
        page = getattr(self._config, "_current_page", None)
        index = self._renderer.claim(page) if page is not None else None
        return template if index is None else _FromWorker(template, index, self._renderer)

    def __getattr__(self, name: str):
        return getattr(self._env, name)
