"""Thin MkDocs adapter: runs the converter and hands its pages to MkDocs as virtual files.

Nothing is written into a docs folder: pages are ``File.generated``. ``mkdocs serve`` watches
``source/`` and rebuilds when a raw text or its metadata changes.

Builds are atomic: MkDocs writes into a temporary sibling of ``site_dir``, which replaces
``site_dir`` only when the whole build succeeded (strict-mode warnings included). A failed
build leaves the previous site as it was, so ``mkdocs serve`` keeps serving the last good
build while it prints the error. Every failure reaches the user as a ``PluginError`` naming
the file and line, never as a traceback.
"""

from __future__ import annotations

import gc
import html
import json
import logging
import os
import shutil
import time
from pathlib import Path

from markupsafe import Markup
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import CountHandler

from . import anchors, downloads, page_html, parallel_render, search, theme_cache
from .library import Built, build_library
from .model import Level

log = logging.getLogger("mkdocs.plugins.library")


class LibraryConfig(Config):
    source_dir = c.Type(str, default="source")
    """Folder holding one sub-folder per work (raw text + work.yml) and authors.yml."""
    cache_dir = c.Type(str, default=".cache/build-site")
    """Where converted texts are cached by a hash of their inputs ('' turns the cache off)."""
    parallel_render = c.Type(bool, default=True)
    """Render the pages' Markdown, then their templates, on two cores (a forked worker takes a
    share of the pages in each stage: build_site/parallel_render.py)."""
    direct_html = c.Type(bool, default=True)
    """Make the generated pages' HTML straight from the document model (build_site/page_html.py),
    byte for byte what Python-Markdown makes of their Markdown, when the site's Markdown
    settings are the ones it reproduces; off: every page goes through Python-Markdown."""


def html_title(title: str) -> Markup:
    """A title from a source as MkDocs and Material expect one: HTML, here escaped text.

    Material writes ``nav_item.title`` and ``page.title`` into the page unescaped, so a title
    like '<img onerror=...>' would run; Markup keeps the ``| e`` filter from escaping twice.
    """
    return title if isinstance(title, Markup) else Markup(html.escape(title, quote=True))


def html_nav(nav: list) -> list:
    """The nav tree (lists of {title: path or children}) with every title as ``html_title``."""
    out: list = []
    for item in nav:
        if isinstance(item, dict):
            out.append({html_title(k): html_nav(v) if isinstance(v, list) else v
                        for k, v in item.items()})
        else:
            out.append(item)
    return out


def safe_striptags(value) -> Markup:
    """Jinja's ``striptags`` returns plain text that Material then writes unescaped (in <title>,
    where '</title><script>' would end the element): return it escaped instead."""
    return Markup.escape(Markup(str(value)).striptags())


def _prepare_env(env) -> None:
    """The plugin's change to the theme's Jinja environment (``on_env``; ``theme_cache``
    compiles the templates for an environment changed the same way)."""
    env.filters["striptags"] = safe_striptags


def staging_dir(site_dir: Path) -> Path:
    """Where this build writes: a hidden sibling of ``site_dir`` (same file system: rename)."""
    return site_dir.with_name(f".{site_dir.name}.building-{os.getpid()}")


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by the finished build ``staging``: two renames, then a delete."""
    old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        try:
            site_dir.rename(old)
        except OSError:  # a mount point or a busy folder: replace its contents instead
            _replace_contents(staging, site_dir)
            return
    try:
        staging.rename(site_dir)
    except OSError:
        if old.exists():
            old.rename(site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _replace_contents(staging: Path, site_dir: Path) -> None:
    """Second best, for a ``site_dir`` that cannot be renamed: only the build is complete."""
    log.info(f"library: {site_dir} cannot be renamed; replacing its contents")
    for child in site_dir.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for child in staging.iterdir():
        child.rename(site_dir / child.name)
    staging.rmdir()


def _rss_mb() -> int | None:
    """This process's resident memory now (Linux), for the build report."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def article_is_content(config, plugin) -> bool:
    """True when a written page's ``<article>`` holds the passages that
    ``search.article_html`` makes of the page's content: the content partial is Material's own
    (not a theme override's), this plugin sees the content last, and no other plugin can
    change the page after it (page_context, post_page)."""
    events = getattr(config.plugins, "events", {})
    last = events.get("page_content", [])[-1:]
    if not last or getattr(last[0], "__self__", None) is not plugin:
        return False
    if parallel_render.other_listeners(config, plugin, ("page_context", "post_page")):
        return False
    try:
        import material
    except ImportError:
        return False
    ours = Path(material.__file__).resolve().parent / "templates"
    for folder in config.theme.dirs:
        if (Path(folder) / "partials" / "content.html").is_file():
            return Path(folder).resolve() == ours
    return False


def _strict_warnings(config) -> bool:
    """MkDocs aborts a strict build for warnings only after ``on_post_build``: look ahead."""
    if not config.strict:
        return False
    return any(isinstance(h, CountHandler) and h.get_counts()
               for h in logging.getLogger("mkdocs").handlers)


class LibraryPlugin(BasePlugin[LibraryConfig]):
    """Adds the library's generated pages and navigation to the MkDocs build."""

    def __init__(self) -> None:
        self.built: Built | None = None
        self.site_dir: Path | None = None  # the real site_dir while we build into a sibling
        self.cache_dir: Path | None = None
        self.downloads: downloads.Downloads | None = None
        self.download_pool = None  # downloads.early_pool's workers until Downloads.start
        self.files: Files | None = None  # MkDocs's files, whose pages are freed after writing
        self.renderer: parallel_render.ParallelRender | None = None  # this build's worker
        self.direct: page_html.DirectPages | None = None  # pages made without Python-Markdown
        self.nav = None  # MkDocs's navigation, for the template worker
        self.stager: search.BackgroundStager | None = None  # makes search records meanwhile
        self.search_pages: list[search.SearchPage] = []
        self.records_from_content = False  # the stager is fed at on_page_content (_start_stager)
        self.sent: set[str] = set()  # pages handed to the stager at on_page_content
        self.early: search.EarlyIndex | None = None  # the indexer started at on_env
        self.staged: tuple | None = None  # records staged at on_env, indexed at the end
        self.templates = theme_cache.TemplateCache()  # the theme's, compiled (kept across builds)
        self.precompile: theme_cache.Precompile | None = None  # compiling them meanwhile
        self.timings: list[tuple[str, float]] = []
        self.memory: list[tuple[str, int | None]] = []  # resident MB of this process after each
        self._clock = 0.0

    def _lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings.append((stage, now - self._clock))
        self.memory.append((stage, _rss_mb()))
        self._clock = now

    def _source(self, config) -> Path:
        return Path(config.config_file_path).parent / self.config.source_dir

    def on_config(self, config):
        source = self._source(config)
        self.site_dir = Path(config.site_dir).resolve()
        if not source.is_dir():
            raise PluginError(f"library: source folder not found: {source} "
                              "(set plugins.library.source_dir in mkdocs.yml)")
        missing = {"attr_list", "footnotes"} - {str(e) for e in config.markdown_extensions}
        if missing:
            raise PluginError("library: add " + " and ".join(sorted(missing))
                              + " to markdown_extensions in mkdocs.yml")
        self._stop_renderer()  # a previous build's, if it failed before reaping it
        self._stop_stager()
        gc.unfreeze()  # what a previous build froze at its end (on_post_build), collectable again
        root = Path(config.config_file_path).parent
        cache_dir = root / self.config.cache_dir if self.config.cache_dir else None
        self.cache_dir = cache_dir
        self.built = None  # under `mkdocs serve` the previous build's documents can go now
        self._clock = time.perf_counter()
        self._stop_precompile()
        self._stop_downloads()  # a previous build's, if it failed before finishing them
        # The downloads' workers are forked now, while this process is small and alone
        # (downloads.early_pool); they get their jobs once the texts are converted and linked.
        self.download_pool = downloads.early_pool()
        try:  # the theme's templates compile while the texts convert in worker processes
            built = build_library(source, cache_dir=cache_dir,
                                  started=lambda: self._start_precompile(config))
        except Exception as exc:  # a converter bug must not reach the user as a traceback
            raise PluginError(f"library: converting {source} failed: {type(exc).__name__}: "
                              f"{exc} (a bug in build_site: run `build-site check` and report "
                              "it with the text that causes it)") from exc
        for d in built.diagnostics:
            if d.level is Level.WARNING:
                log.warning(str(d))
            elif d.level is Level.INFO:
                log.info(str(d))
        if built.errors:
            raise PluginError("library: the texts could not be converted:\n  "
                              + "\n  ".join(str(d) for d in built.errors))
        self.built = built
        self.timings = list(built.timings)
        self.memory = [("library", _rss_mb())]
        self._clock = time.perf_counter()
        log.info(f"library: converted {len(built.converted)} of {len(built.documents)} texts "
                 f"({len(built.documents) - len(built.converted)} from the cache)")
        # The search records' process starts now, while MkDocs lists the files on one core.
        self._start_stager(config)
        # EPUB and text files are made in worker processes while MkDocs renders the HTML: from
        # now, or, when the search index is made while the templates are written
        # (``records_from_content``), from on_env (their worker starts now, on the core MkDocs
        # leaves idle while it lists the files): the records' process then keeps up with the
        # Markdown stage, the indexer starts sooner, and the downloads run beside its last,
        # single-threaded phase, on the core the build leaves idle then.
        pool, self.download_pool = self.download_pool, None
        self.downloads = downloads.Downloads.start(built, cache_dir,
                                                   conversions=built.conversion_keys,
                                                   hold=self.records_from_content, pool=pool)
        self._lap("downloads-start")
        config.nav = html_nav(built.nav)
        staging = staging_dir(self.site_dir)
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        config.site_dir = str(staging)
        return config

    def _stop_downloads(self) -> None:
        """Stop the downloads' workers (a failed build's): those not handed to ``Downloads``
        yet, and ``Downloads``'s own."""
        if self.download_pool is not None:
            self.download_pool.shutdown(wait=False, cancel_futures=True)
            self.download_pool = None
        if self.downloads is not None:
            self.downloads.close()
            self.downloads = None

    def _stop_precompile(self) -> None:
        """A previous (failed) build's compiling thread: done before the cache is reused."""
        if self.precompile is not None:
            self.precompile.join()
        self.precompile = None

    def _start_precompile(self, config) -> None:
        """Compile the theme's templates in a thread while the texts convert (this process only
        waits then): ``theme_cache``. Not when another plugin listens on env (it may change
        the environment the templates are compiled for after ``on_env`` has checked it)."""
        if not parallel_render.other_listeners(config, self, ("env",)):
            self.precompile = theme_cache.Precompile(config, self.templates, _prepare_env)

    def on_files(self, files: Files, config) -> Files:
        assert self.built is not None
        self._lap("mkdocs-files")
        for page in self.built.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        return files

    def on_nav(self, nav, config, files):
        """Pages exist now: the chapter pages' HTML will be made without Python-Markdown
        (page_html.DirectPages); fork the worker that renders a share of the others' Markdown."""
        self._stop_renderer()
        self.nav = nav
        self.direct = page_html.DirectPages.start(self.built, config, self) \
            if self.config.direct_html else None
        if self.config.parallel_render:
            self.renderer = parallel_render.ParallelRender.start(files, config, self, self.direct)
        return nav

    def _start_stager(self, config) -> None:
        """Start the search records' process (search.BackgroundStager). It is fed each page's
        article as MkDocs renders the page's Markdown (``on_page_content``) when the written
        article is just that (``article_is_content``): the records are then ready when the
        templates start, and so can the indexer (``_start_index``). Else it is fed each page
        as it is written (``on_post_page``)."""
        self._stop_stager()
        assert self.built is not None
        self.search_pages = search.search_pages(self.built.documents,
                                                search.work_infos(self.built.library))
        self.records_from_content = (
            article_is_content(config, self)
            and search.may_index_early(self.built.documents, (_rss_mb() or 0) << 20))
        self.sent = set()
        try:
            self.stager = search.BackgroundStager(self.search_pages)
        except (OSError, ValueError) as exc:  # no worker: the search stage makes the records
            log.info(f"library: no second process for the search records ({exc})")

    @event_priority(-100)  # the content as the template gets it, after other plugins' changes
    def on_page_content(self, content: str, page, config, files) -> str:
        if self.stager is not None and self.records_from_content:
            url = search.page_url(page.file.src_uri)
            # Material's content partial: page.title (HTML, see on_env), else the site name.
            title = str(page.title) if page.title else html.escape(config.site_name)
            self.stager.add(url, search.article_html(content, title))
            self.sent.add(url)
        return content

    def on_pre_page(self, page, config, files):
        """MkDocs reaches ``page``: it takes the worker's result if the worker took the page;
        else (or if that result cannot be used) its HTML is made here without Python-Markdown,
        or MkDocs renders it."""
        if self.direct is not None:
            self.direct.install(page)
        index = self.renderer.claim(page) if self.renderer is not None else None
        if index is not None:
            parallel_render.install(page, index, self.renderer)
        return page

    def _stop_direct(self, worker: parallel_render.ParallelRender | None = None) -> None:
        """Every page is rendered: say how many pages' HTML was made without Python-Markdown
        (here, or by the Markdown ``worker``)."""
        if self.direct is None:
            return
        direct, self.direct = self.direct, None
        made = direct.made + (worker.direct_made if worker is not None else 0)
        declined = direct.declined + (worker.direct_declined if worker is not None else 0)
        log.info(f"library: {made} pages' HTML made without Python-Markdown"
                 + (f" ({declined} given to it after all)" if declined else ""))

    def _stop_renderer(self) -> parallel_render.ParallelRender | None:
        """Reap this build's worker (if any), say how many pages it rendered; return it."""
        if self.renderer is None:
            return None
        renderer, self.renderer = self.renderer, None
        used = renderer.close()
        log.info(f"library: {used} of {renderer.pages} {renderer.what} rendered by a second "
                 "process")
        return renderer

    def on_env(self, env, config, files):
        # every page is rendered: the Markdown worker is done
        self._stop_direct(self._stop_renderer())
        self._lap("mkdocs-markdown")  # MkDocs calls on_env after converting every page
        self.files = files
        _prepare_env(env)
        if self.precompile is not None:  # before the template worker is forked: both use them
            self.precompile.attach(env)
            self.precompile = None
        for file in files.documentation_pages():
            page = file.page
            if page is not None and page.title is not None and not isinstance(page.title, Markup):
                # Titles from a heading are HTML already (MkDocs keeps entities): mark them.
                page.title = Markup(page.title)
        shared = env
        if self.config.parallel_render:  # the pages' templates on two cores too
            # Forked before the search records' process starts: a fork taken after it would
            # hold a copy of the pipe that feeds it.
            self.renderer = parallel_render.ParallelRender.start_templates(
                files, config, self, self.nav, env)
            if self.renderer is not None:
                shared = parallel_render.SharedEnv(env, self.renderer, config)
        self._start_index(config)
        if self.downloads is not None:  # held at on_config
            self.downloads.release()
        self._lap("search-start")  # the template worker forked, the records waited for
        return shared

    def _start_index(self, config) -> None:
        """Every page's records are made (``on_page_content``): start the indexer now, while
        the templates are written (search.start_index), or keep the records for the end."""
        if self.stager is None or not self.records_from_content:
            return
        if any(p.url not in self.sent for p in self.search_pages):
            return  # a page MkDocs did not render: the stager reads it once it is written
        stager, self.stager = self.stager, None
        site_dir = Path(config.site_dir)
        staged = stager.finish(site_dir)
        if staged is None:
            log.info(f"library: the search records' worker failed ({stager.error}); "
                     "they are made from the written pages")
            return
        try:
            self.early = search.start_index(staged, site_dir, (_rss_mb() or 0) << 20)
        except OSError as exc:  # the indexer could not start: tried again (and reported) at the end
            log.info(f"library: the search index could not start early ({exc})")
            self.early = None
        if self.early is None:
            self.staged = staged

    @event_priority(-100)  # the page as it is written, after every other plugin's changes
    def on_post_page(self, output: str, page, config) -> str:
        if self.stager is not None and not self.records_from_content:
            self.stager.add(search.page_url(page.file.src_uri), output)
        return output

    def _stop_stager(self) -> None:
        """End the search records' process and an early indexer; drop staged records."""
        if self.stager is not None:
            self.stager.close()
            self.stager = None
        if self.early is not None:
            self.early.close()
            self.early = None
        if self.staged is not None:
            shutil.rmtree(self.staged[0], ignore_errors=True)
            self.staged = None

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, config) -> None:
        assert self.built is not None
        site_dir = Path(config.site_dir)
        self._stop_renderer()  # every page is written: the template worker is done
        self._lap("mkdocs-html")  # templates, static files, anchor validation
        try:
            anchors.write_catalogue(self.built, site_dir, config.use_directory_urls)
            self._lap("catalogue")
            # The downloads first: a job still queued holds its document, which must be gone
            # before the indexer starts (at 50x they are all done by now).
            if self.downloads is not None:
                self.downloads.finish(site_dir)
            self._lap("downloads")
            texts, converted = len(self.built.documents), self.built.converted
            pages = self._free_pages()
            stager, self.stager = self.stager, None
            early, self.early = self.early, None
            staged, self.staged = self.staged, None
            if early is not None:
                early.finish()
            else:
                search.write_index(pages, site_dir, stager=stager, staged=staged)
            if stager is not None and stager.error:
                log.info(f"library: the search records' worker failed ({stager.error}); "
                         "they were made from the written pages")
            self._lap("search")
            self._report(texts, converted)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"library: writing the search index or downloads into {site_dir} "
                              f"failed: {type(exc).__name__}: {exc}") from exc
        if self.site_dir is None or _strict_warnings(config):
            return  # MkDocs aborts next; on_build_error drops the staging folder
        try:
            swap_in(site_dir, self.site_dir)
        except OSError as exc:
            raise PluginError(f"library: could not move the new build {site_dir} to "
                              f"{self.site_dir}: {exc}; the previous site is unchanged") from exc
        config.site_dir = str(self.site_dir)
        log.info(f"library: site written to {self.site_dir}")
        self.site_dir = None
        # The build is done: what is alive now lives to the end of `mkdocs build`, so the
        # collector leaves it alone (the next build's on_config hands it back under `mkdocs
        # serve`). Python's exit collects every generation but the frozen one, several times;
        # 1x corpus, from the last exit handler to the process's end: 0.12-0.24 s without,
        # 0.02-0.05 s with (more than the plain build's whole exit, 0.09-0.10 s).
        gc.freeze()

    def _free_pages(self) -> list[search.SearchPage]:
        """Every page is written by now: keep what the search index needs (each page's URL,
        trail and work) and let go of the rest before the search indexer, a second large
        process, starts: the documents, and what MkDocs keeps on each page (Markdown, also
        held by the page's file, HTML, table of contents, the set of its ids). The downloads are
        finished by now: their jobs held documents too."""
        assert self.built is not None
        pages = self.search_pages or search.search_pages(
            self.built.documents, search.work_infos(self.built.library))
        self.search_pages = []
        for file in self.files.documentation_pages() if self.files is not None else ():
            if file.abs_src_path is None:  # a generated page: the file holds its Markdown
                file.content_string = ""
            page = file.page
            if page is not None:
                page.markdown = page.content = None
                page.toc = []  # type: ignore[assignment]
                page.present_anchor_ids = set()
                page.links_to_anchors = {}
        self.files = None
        self.built = None
        search.release_memory()
        self._lap("free-pages")
        return pages

    def _report(self, texts: int, converted: tuple[str, ...]) -> None:
        """Log where the time went, and keep it in the cache folder as ``last-build.json`` (the
        benchmark reads it: which texts were converted, and each stage's wall seconds and this
        process's resident MB after it)."""
        log.info("library: stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings))
        if self.cache_dir is None:
            return
        made = self.downloads.made if self.downloads is not None else None
        data = {"texts": texts, "converted": list(converted),
                "downloads_made": made, "stages": dict(self.timings),
                "rss_mb": dict(self.memory)}
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        (self.cache_dir / "last-build.json").write_text(json.dumps(data, indent=1))

    def on_build_error(self, error) -> None:
        """The build failed: drop the half-written staging folder; ``site_dir`` is untouched."""
        self._stop_renderer()
        self.direct = None
        self._stop_stager()
        self._stop_downloads()
        if self.site_dir is not None:
            staging = staging_dir(self.site_dir)
            shutil.rmtree(staging, ignore_errors=True)
            log.error(f"library: build failed; {self.site_dir} keeps the previous build")
            self.site_dir = None

    def on_serve(self, server, config, builder):
        server.watch(str(self._source(config)))
        server.builder = keep_serving(server.builder)
        return server


def keep_serving(builder):
    """Wrap ``mkdocs serve``'s rebuild so that a failed one leaves the last good build served.

    MkDocs would hold every request until a build succeeds ("the server will appear stuck")
    and print a traceback for a non-MkDocs error. The error is already logged by then (as
    'ERROR - library: ... file:line ...'); here we say what is served and carry on.
    """
    def rebuild() -> None:
        try:
            builder()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 (reported, and serving goes on)
            if not isinstance(exc, SystemExit | PluginError):
                log.error(f"library: the rebuild failed: {type(exc).__name__}: {exc}")
            log.error("library: the rebuild failed (see above); still serving the last good "
                      "build; fix the problem and save to rebuild")
    return rebuild
