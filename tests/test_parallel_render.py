"""The Markdown and template stages on two cores (build_site/parallel_render.py) give the build
a serial one gives: the same pages byte for byte, the same warnings in the same order (so --strict aborts the
same way), errors naming the page, and no worker left behind, also after a failed build."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import jinja2
import markdown
import pytest
import yaml
from mkdocs.commands.build import _build_page, _populate_page, build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import get_navigation
from test_determinism import DATE_STAMPED, differing
from test_robust_build import ROOT, copy_fixture

from build_site import parallel_render
from build_site.parallel_render import ParallelRender, install

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2,
                                reason="the worker is only started with a second core")

PAGES = {
    "index.md": "# Home\n\nSee [the second page](two.md#details) and [nothing](missing.md).\n",
    "two.md": "# Two\n\n## Details {#details}\n\nText[^1] with a [bad anchor](#nowhere).\n\n"
              "[^1]: A note.\n",
    "three.md": "Untitled page: [absolute](/abs.md), [unrecognized](four), "
                "[anchor on two](two.md#gone).\n\n## A heading\n\n### Below it\n",
    "four.md": "# Four <em>emph</em>\n\n<div id=\"raw-id\" markdown>\n*inside*\n</div>\n",
    **{f"more/p{i}.md": f"# Page {i}\n\n" + "A paragraph with *emphasis*.\n\n" * 40
       + f"[broken {i}](../missing-{i}.md)\n" for i in range(12)},
}


def project(tmp: Path) -> Path:
    """A plain MkDocs project (no library plugin): pages with every kind of link warning."""
    for name, text in PAGES.items():
        (tmp / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "docs" / name).write_text(text, encoding="utf-8")
    real = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg = {"site_name": "t", "docs_dir": "docs", "strict": True, "plugins": [],
           "markdown_extensions": real["markdown_extensions"], "validation": real["validation"]}
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return tmp / "mkdocs.yml"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.lines.append(f"{record.levelname} {record.name} {record.getMessage()}")


def logged_error(run, message: str) -> list[str]:
    """The warnings and errors MkDocs logged while ``run`` raised a ValueError of ``message``."""
    handler = Records()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        with pytest.raises(ValueError, match=message):
            run()
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return handler.lines


def populate(config_file: Path, parallel: bool, before=None):
    """MkDocs's populate loop over every page, serially or with the worker; the worker is left
    to take every page it can before the loop starts (``before`` runs in between)."""
    config = load_config(str(config_file))
    files = get_files(config)
    get_navigation(files, config)
    pages = [f.page for f in files.documentation_pages()]
    handler = Records()
    logging.getLogger("mkdocs").addHandler(handler)
    renderer = None
    try:
        if parallel:
            renderer = ParallelRender(pages, parallel_render.markdown_job(config, files))
            with renderer.done:
                renderer.done.wait_for(lambda: renderer.finished, timeout=60)
            if before is not None:
                before(renderer)
        for page in pages:
            index = renderer.claim(page) if renderer is not None else None
            if index is not None:
                install(page, index, renderer)
            _populate_page(page, config, files)
        for page in pages:
            page.validate_anchor_links(files=files, log_level=logging.WARNING)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
        used = renderer.close() if renderer is not None else 0
    return pages, handler.lines, used


def state(page) -> tuple:
    """Everything ``Page.render`` sets, comparable across two builds."""
    links = {f.src_uri: v for f, v in (page.links_to_anchors or {}).items()}
    return (page.file.src_uri, page.content, str(page.toc), page.title,
            sorted(page.present_anchor_ids), links)


def test_worker_pages_and_warnings_equal_serial(tmp_path: Path):
    config_file = project(tmp_path)
    serial, serial_log, _ = populate(config_file, parallel=False)
    pages, log, used = populate(config_file, parallel=True)
    assert used == len(pages) == len(PAGES)  # the worker rendered every page here
    assert [state(p) for p in pages] == [state(p) for p in serial]
    assert len(serial_log) >= 15 and log == serial_log  # same warnings, same order


def test_worker_error_is_raised_for_its_page(tmp_path: Path, monkeypatch):
    config_file = project(tmp_path)
    (tmp_path / "docs" / "more" / "p5.md").write_text("# Boom\n\nBOOM\n", encoding="utf-8")
    convert = markdown.Markdown.convert

    def failing(self, text):
        if "BOOM" in text:
            raise ValueError("the extension failed")
        return convert(self, text)
    monkeypatch.setattr(markdown.Markdown, "convert", failing)  # before the fork: in the worker
    lines = logged_error(lambda: populate(config_file, parallel=True), "the extension failed")
    assert any("Error reading page 'more/p5.md': the extension failed" in ln
               for ln in lines), lines


def test_dead_worker_or_changed_markdown_is_rendered_here(tmp_path: Path):
    config_file = project(tmp_path)
    serial, _, _ = populate(config_file, parallel=False)
    pages, _, used = populate(config_file, parallel=True,
                              before=lambda r: r.results.pop(3, None))  # as if it died there
    assert used == len(pages) - 1
    assert [state(p) for p in pages] == [state(p) for p in serial]

    def edit(renderer) -> None:  # a page's Markdown is not what the worker converted
        (tmp_path / "docs" / "two.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    pages, _, used = populate(config_file, parallel=True, before=edit)
    assert used == len(pages) - 1
    assert "New text." in next(p for p in pages if p.file.src_uri == "two.md").content


def test_waiting_results_are_kept_out_of_the_heap(tmp_path: Path, monkeypatch):
    """The worker's results wait in a temporary file, not in the main process's memory, until
    MkDocs reaches their pages (at 50x half the pages' HTML waits at once); without a file they
    wait in RAM, and the pages are the same either way."""
    config_file = project(tmp_path)
    serial, _, _ = populate(config_file, parallel=False)
    seen = {}

    def look(renderer) -> None:
        seen["file"] = renderer.spill.file is not None
        seen["in_ram"] = len(renderer.spill.memory)
        seen["on_disk"] = os.fstat(renderer.spill.file.fileno()).st_size
        seen["waiting"] = sorted(renderer.results.values())
    pages, _, used = populate(config_file, parallel=True, before=look)
    assert used == len(pages) and [state(p) for p in pages] == [state(p) for p in serial]
    assert seen["file"] and seen["in_ram"] == 0
    assert len(seen["waiting"]) == len(pages)
    assert seen["on_disk"] == sum(size for _, size in seen["waiting"]) > 10_000

    def no_file(*args, **kwargs):
        raise OSError("no temporary folder")
    monkeypatch.setattr(parallel_render.tempfile, "TemporaryFile", no_file)
    pages, _, used = populate(config_file, parallel=True,
                              before=lambda r: seen.update(in_ram=len(r.spill.memory)))
    assert used == len(pages) and seen["in_ram"] == len(pages)
    assert [state(p) for p in pages] == [state(p) for p in serial]


class Unpicklable(str):
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def test_result_that_does_not_pickle_is_rendered_here(tmp_path: Path, monkeypatch):
    config_file = project(tmp_path)
    serial, serial_log, _ = populate(config_file, parallel=False)
    convert = markdown.Markdown.convert

    def odd(self, text):  # in the worker (patched before the fork) and here alike
        html = convert(self, text)
        return Unpicklable(html) if "# Four" in text else html
    monkeypatch.setattr(markdown.Markdown, "convert", odd)
    pages, log, used = populate(config_file, parallel=True)
    assert used == len(pages) - 1
    assert [state(p) for p in pages] == [state(p) for p in serial] and log == serial_log


def test_stalled_worker_is_ended_and_its_pages_rendered_here(tmp_path: Path, monkeypatch):
    config_file = project(tmp_path)
    serial, _, _ = populate(config_file, parallel=False)
    convert, main = markdown.Markdown.convert, os.getpid()

    def stuck(self, text):  # the worker hangs on its first page
        if os.getpid() != main:
            time.sleep(3600)
        return convert(self, text)
    monkeypatch.setattr(markdown.Markdown, "convert", stuck)
    monkeypatch.setattr(parallel_render, "STALL_SECONDS", 1.0)
    config = load_config(str(config_file))
    files = get_files(config)
    get_navigation(files, config)
    pages = [f.page for f in files.documentation_pages()]
    renderer = ParallelRender(pages, parallel_render.markdown_job(config, files))
    try:
        for page in pages:
            index = renderer.claim(page)
            if index is not None:
                install(page, index, renderer)
            _populate_page(page, config, files)
    finally:
        assert renderer.close() == 0
    assert [state(p) for p in pages] == [state(p) for p in serial]


def no_worker_left() -> None:
    names = ("library-render", "library-templates")
    assert not [p for p in multiprocessing.active_children() if p.name in names]
    assert not [t for t in threading.enumerate() if t.name in [f"{n}-reader" for n in names]]


def test_worker_reaped_after_each_build_also_a_failed_one(tmp_path: Path, caplog):
    """As under ``mkdocs serve``: builds in one process, one failing in the Markdown stage."""
    proj = copy_fixture(tmp_path)
    site = str(tmp_path / "site")
    caplog.set_level(logging.INFO, logger="mkdocs")
    build(load_config(str(proj / "mkdocs.yml"), site_dir=site))
    assert re.search(r"library: [1-9]\d* of \d+ pages rendered by a second process", caplog.text)
    assert re.search(r"library: [1-9]\d* of \d+ page templates rendered by a second process",
                     caplog.text)
    no_worker_left()
    (proj / "docs" / "broken.md").write_text("# B\n\n<div markdown>\n", encoding="utf-8")
    convert = markdown.Markdown.convert

    def failing(self, text):
        raise ValueError("render failed")
    markdown.Markdown.convert = failing
    try:
        with pytest.raises((ValueError, Abort)):
            build(load_config(str(proj / "mkdocs.yml"), site_dir=site))
    finally:
        markdown.Markdown.convert = convert
    no_worker_left()
    (proj / "docs" / "broken.md").unlink()
    caplog.clear()
    cfg = load_config(str(proj / "mkdocs.yml"), site_dir=site)
    cfg.plugins["library"].config.parallel_render = False
    build(cfg)
    assert "rendered by a second process" not in caplog.text
    no_worker_left()


def write_config(tmp: Path, parallel: bool) -> Path:
    """The real site's config with absolute paths, and the option set."""
    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg["docs_dir"] = str(ROOT / cfg["docs_dir"])
    cfg["theme"]["custom_dir"] = str(ROOT / cfg["theme"]["custom_dir"])
    cfg["plugins"] = [{"library": {"source_dir": str(ROOT / "source"),
                                   "cache_dir": str(tmp / "cache"),
                                   "parallel_render": parallel}}]
    path = tmp / f"mkdocs-{parallel}.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def run_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], capture_output=True, text=True, env=env, check=False)


def test_real_site_is_byte_identical_to_a_serial_build(tmp_path: Path):
    """Pagefind's filter files differ between any two builds (tests/test_determinism.py): the
    rest, every page and asset, must be the same bytes."""
    serial = run_build(write_config(tmp_path, False), tmp_path / "serial")
    assert serial.returncode == 0, serial.stderr[-3000:]
    parallel = run_build(write_config(tmp_path, True), tmp_path / "parallel")
    assert parallel.returncode == 0, parallel.stderr[-3000:]
    used = re.search(r"library: (\d+) of (\d+) pages rendered by a second process",
                     parallel.stderr)
    assert used and int(used[1]) > 0, parallel.stderr[-3000:]
    assert "rendered by a second process" not in serial.stderr
    assert differing(tmp_path / "serial", tmp_path / "parallel") - DATE_STAMPED == set()


def test_worker_makes_direct_pages_as_the_main_process_does(tmp_path: Path, caplog,
                                                           monkeypatch):
    """The Markdown worker also serves the pages made without Python-Markdown
    (page_html.DirectPages): left to take every page first, it makes them all, they are counted
    as made directly, and the site is the one a serial build writes."""
    proj = copy_fixture(tmp_path)
    caplog.set_level(logging.INFO, logger="mkdocs")
    start = ParallelRender.start

    def start_and_wait(files, *args, **kwargs):
        renderer = start(files, *args, **kwargs)
        assert renderer.pages == len(files.documentation_pages())  # the direct ones too
        with renderer.done:  # the worker takes every page before MkDocs reaches the first
            renderer.done.wait_for(lambda: renderer.finished, timeout=60)
        return renderer
    monkeypatch.setattr(ParallelRender, "start", start_and_wait)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    build(load_config(str(proj / "mkdocs.yml"), site_dir=str(tmp_path / "parallel")))
    pages = re.search(r"library: (\d+) of (\d+) pages rendered by a second process", caplog.text)
    assert pages and pages[1] == pages[2], caplog.text
    made = re.search(r"library: (\d+) pages' HTML made without Python-Markdown(.*)", caplog.text)
    assert made and int(made[1]) > 0 and "after all" not in made[2]
    monkeypatch.setattr(ParallelRender, "start", start)
    caplog.clear()
    cfg = load_config(str(proj / "mkdocs.yml"), site_dir=str(tmp_path / "serial"))
    cfg.plugins["library"].config.parallel_render = False
    build(cfg)
    assert f"library: {made[1]} pages' HTML made without Python-Markdown" in caplog.text
    assert differing(tmp_path / "serial", tmp_path / "parallel") - DATE_STAMPED == set()
    no_worker_left()


def test_strict_build_aborts_the_same_way(tmp_path: Path):
    """A broken link in a page the worker may render: the same warnings, in the same order, and
    the same abort as a serial build."""
    proj = copy_fixture(tmp_path)
    for i in range(30):
        (proj / "docs" / f"extra-{i}.md").write_text(
            f"# Extra {i}\n\n" + "Words and more words.\n\n" * 50 + f"[x](missing-{i}.md)\n",
            encoding="utf-8")
    runs = {}
    for parallel in (False, True):
        cfg = yaml.safe_load((proj / "mkdocs.yml").read_text(encoding="utf-8"))
        cfg["plugins"] = [{"library": {"source_dir": "source", "cache_dir": "",
                                       "parallel_render": parallel}}]
        path = proj / f"mkdocs-{parallel}.yml"
        path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
        runs[parallel] = run_build(path, tmp_path / f"site-{parallel}")
    for proc in runs.values():
        assert proc.returncode == 1
        assert "Aborted with 31 warnings in strict mode!" in proc.stdout, proc.stderr[-3000:]
    warnings = {k: [ln for ln in p.stderr.splitlines() if ln.startswith("WARNING")]
                for k, p in runs.items()}
    assert warnings[True] == warnings[False]
    assert re.search(r"library: [1-9]\d* of \d+ pages rendered", runs[True].stderr)


# --- The template stage ---------------------------------------------------------------------

def build_pages(config_file: Path, site: Path, parallel: bool, before=None):
    """MkDocs's page loop (``_build_page``) over every populated page, serially or with the
    template worker, left to take every page it can first (``before`` runs in between):
    ({page: HTML written}, warnings, pages whose worker HTML was used). MkDocs's own theme
    writes the build time into each page: it is fixed (SOURCE_DATE_EPOCH) for the comparison."""
    config = load_config(str(config_file), site_dir=str(site))
    files = get_files(config)
    nav = get_navigation(files, config)
    for f in files.documentation_pages():
        _populate_page(f.page, config, files)
    env = config.theme.get_env()
    doc_files = files.documentation_pages()
    pages = [f.page for f in doc_files]
    handler = Records()
    logging.getLogger("mkdocs").addHandler(handler)
    renderer = None
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        if parallel:
            renderer = ParallelRender(pages, parallel_render.template_job(config, nav, doc_files,
                                                                          env),
                                      name="library-templates")
            with renderer.done:
                renderer.done.wait_for(lambda: renderer.finished, timeout=60)
            if before is not None:
                before(renderer)
            env = parallel_render.SharedEnv(env, renderer, config)
        for page in pages:
            _build_page(page, config, doc_files, nav, env)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
        logging.getLogger("mkdocs").removeHandler(handler)
        used = renderer.close() if renderer is not None else 0
    html = {p.file.src_uri: Path(p.file.abs_dest_path).read_text(encoding="utf-8")
            for p in pages}
    return html, handler.lines, used


def test_worker_templates_equal_serial(tmp_path: Path):
    config_file = project(tmp_path)
    serial, serial_log, _ = build_pages(config_file, tmp_path / "serial", parallel=False)
    html, log, used = build_pages(config_file, tmp_path / "parallel", parallel=True)
    assert used == len(html) == len(PAGES)  # the worker rendered every template here
    assert html == serial and log == serial_log
    assert "A paragraph with <em>emphasis</em>." in html["more/p3.md"]


def test_dead_or_unsent_template_is_rendered_here(tmp_path: Path, monkeypatch):
    config_file = project(tmp_path)
    serial, _, _ = build_pages(config_file, tmp_path / "serial", parallel=False)
    html, _, used = build_pages(config_file, tmp_path / "dead", parallel=True,
                                before=lambda r: r.results.pop(3, None))  # as if it died there
    assert used == len(html) - 1 and html == serial
    render = jinja2.Template.render

    def odd(self, *args, **kwargs):  # in the worker (patched before the fork) and here alike
        out = render(self, *args, **kwargs)
        return Unpicklable(out) if "<h1 id=\"four" in out else out
    monkeypatch.setattr(jinja2.Template, "render", odd)
    html, _, used = build_pages(config_file, tmp_path / "unsent", parallel=True)
    assert used == len(html) - 1 and html == serial


def test_template_error_in_the_worker_is_raised_for_its_page(tmp_path: Path, monkeypatch):
    config_file = project(tmp_path)
    (tmp_path / "docs" / "more" / "p5.md").write_text("# Five\n\nBOOM\n", encoding="utf-8")
    render, main = jinja2.Template.render, os.getpid()

    def failing(self, *args, **kwargs):
        out = render(self, *args, **kwargs)
        if os.getpid() != main and "<p>BOOM</p>" in out:
            raise ValueError("the template failed")
        return out
    monkeypatch.setattr(jinja2.Template, "render", failing)
    lines = logged_error(lambda: build_pages(config_file, tmp_path / "site", parallel=True),
                         "the template failed")
    assert any("Error building page 'more/p5.md': the template failed" in ln
               for ln in lines), lines


def test_templates_serial_when_another_plugin_listens_on_page_context(tmp_path: Path):
    proj = copy_fixture(tmp_path)
    (proj / "hooks.py").write_text("def on_page_context(context, page, config, nav):\n"
                                   "    return context\n", encoding="utf-8")
    cfg = yaml.safe_load((proj / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg["hooks"] = ["hooks.py"]
    (proj / "mkdocs.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    proc = run_build(proj / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"library: [1-9]\d* of \d+ pages rendered by a second", proc.stderr)
    assert "page templates rendered by a second process" not in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_worker_pipe_holds_a_large_page_without_a_reader(tmp_path: Path):
    """A page's HTML is larger than a default pipe (64 KB): with the widened pipe the worker
    hands over several pages while the main process's reader thread waits for the GIL."""
    import fcntl

    from build_site.search import widen_pipe

    read_end, write_end = os.pipe()
    try:
        widen_pipe(write_end)
        os.set_blocking(write_end, False)
        assert os.write(write_end, b"x" * 900_000) == 900_000  # would raise at 64 KB
    finally:
        os.close(read_end)
        os.close(write_end)
    config = load_config(str(project(tmp_path)))
    files = get_files(config)
    get_navigation(files, config)
    pages = [f.page for f in files.documentation_pages()]
    renderer = ParallelRender(pages, parallel_render.markdown_job(config, files))
    try:
        assert fcntl.fcntl(renderer.conn.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
    finally:
        renderer.close()
