"""Atomic builds: a failed build leaves the previous site/ exactly as it was; a good one
replaces it whole. ``mkdocs serve`` keeps serving the last good build and prints the error."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_robust_build import copy_fixture, mkdocs_build, no_traceback, set_raw, snapshot


@pytest.fixture
def good_site(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A fixture project with a first, good build in ``site``; returns (project, site, files)."""
    project = copy_fixture(tmp_path)
    site = tmp_path / "site"
    proc = mkdocs_build(project, site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project, site, snapshot(site)


def leftovers(site: Path) -> list[str]:
    return [p.name for p in site.parent.iterdir() if ".building-" in p.name or ".old-" in p.name]


def test_metadata_error_leaves_site_untouched(good_site):
    project, site, before = good_site
    yml = project / "source" / "hostile-text" / "work.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "date_dispaly: oops\n", encoding="utf-8")
    proc = mkdocs_build(project, site)
    assert proc.returncode != 0
    no_traceback(proc)
    assert f"{yml}:" in proc.stderr and "date_dispaly" in proc.stderr
    assert snapshot(site) == before
    assert leftovers(site) == []


def test_bad_raw_text_leaves_site_untouched(good_site):
    project, site, before = good_site
    set_raw(project / "source" / "hostile-text", b"%PDF-1.7 binary")
    proc = mkdocs_build(project, site)
    assert proc.returncode != 0
    no_traceback(proc)
    assert "raw.txt" in proc.stderr and "PDF" in proc.stderr
    assert snapshot(site) == before and leftovers(site) == []


def test_failure_after_pages_are_written_leaves_site_untouched(good_site):
    """A strict-mode warning stops MkDocs only after every page is written and post-build ran:
    the new pages were in the staging folder, never in site/."""
    project, site, before = good_site
    (project / "docs" / "extra.md").write_text("# Extra\n\n[gone](missing.md)\n", "utf-8")
    proc = mkdocs_build(project, site)
    assert proc.returncode != 0
    no_traceback(proc)
    assert "missing.md" in proc.stderr
    assert snapshot(site) == before and leftovers(site) == []


def test_good_build_replaces_the_whole_site(good_site):
    project, site, before = good_site
    (site / "stale.html").write_text("from an old build", encoding="utf-8")
    set_raw(project / "source" / "hostile-text", "A new text.\n\nIts only paragraph.\n")
    proc = mkdocs_build(project, site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = snapshot(site)
    assert "stale.html" not in after and after != before
    assert leftovers(site) == []


def test_converter_crash_is_a_plugin_error_not_a_traceback(tmp_path: Path, monkeypatch):
    """A bug in the converter reaches the user as one 'library: ...' error line."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from build_site import plugin

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(plugin, "build_library", broken)
    project = copy_fixture(tmp_path)
    cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    with pytest.raises(Abort):
        build(cfg)
    assert not (tmp_path / "site").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read()
    except OSError:
        return None


def _wait(check, limit: float = 300.0, step: float = 0.3):
    """Poll ``check`` until it returns something true (a liveness limit, not a timing test)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(step)
    return check()


def test_serve_keeps_the_last_good_build_and_shows_the_error(tmp_path: Path):
    project = copy_fixture(tmp_path)
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve",
                                 "-a", f"127.0.0.1:{port}", "-f", str(project / "mkdocs.yml")],
                                cwd=project, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        first = _wait(lambda: _get(url))
        assert first and b"Library" in first, log.read_text()
        yml = project / "source" / "hostile-text" / "work.yml"
        yml.write_text(yml.read_text(encoding="utf-8").replace("date: 1924", "date: 19x4"),
                       encoding="utf-8")
        assert _wait(lambda: "keeps the previous build" in log.read_text()), log.read_text()
        text = log.read_text()
        assert f"{yml}:" in text and "date" in text
        assert "Traceback" not in text
        # The same page as before the failed rebuild (the live-reload ids differ per request).
        same = re.compile(rb"livereload\(\d+, \d+\)")
        assert same.sub(b"", _get(url) or b"") == same.sub(b"", first)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_swap_replaces_site_and_falls_back_for_a_folder_that_cannot_move(tmp_path, monkeypatch):
    from build_site.plugin import staging_dir, swap_in

    site = tmp_path / "site"
    for content in ("first", "second"):
        staging = staging_dir(site)
        staging.mkdir()
        (staging / f"{content}.html").write_text(content)
        swap_in(staging, site)
        assert [p.name for p in site.iterdir()] == [f"{content}.html"]
    assert leftovers(site) == []
    real = Path.rename

    def busy(self, target):  # site/ is a mount point: it cannot be renamed
        if self == site:
            raise OSError(16, "Device or resource busy")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", busy)
    staging = staging_dir(site)
    staging.mkdir()
    (staging / "third.html").write_text("third")
    swap_in(staging, site)
    assert [p.name for p in site.iterdir()] == ["third.html"] and leftovers(site) == []
