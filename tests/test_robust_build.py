"""Building a small site of our own (the hostile fixture) in a temp dir, and what every such
build must show: no traceback, errors naming file and line. Other robustness tests import
the helpers from here."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


def copy_fixture(tmp: Path, with_site_assets: bool = False) -> Path:
    """A copy of the hostile fixture (config, docs, source) under ``tmp``; returns its folder.

    ``with_site_assets``: use the real site's theme features, overrides, CSS and JavaScript
    (so that their code meets the hostile text too), with the fixture's own source.
    """
    project = tmp / "hostile"
    shutil.copytree(HOSTILE, project, ignore=shutil.ignore_patterns(".cache", "site"))
    cfg = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg["plugins"] = [{"library": {"source_dir": "source", "cache_dir": ""}}]
    if with_site_assets:
        real = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
        for key in ("theme", "markdown_extensions", "validation", "extra_css",
                    "extra_javascript", "extra"):
            if key in real:
                cfg[key] = real[key]
        cfg["docs_dir"] = str(ROOT / real.get("docs_dir", "docs"))
        if "custom_dir" in cfg["theme"]:
            cfg["theme"]["custom_dir"] = str(ROOT / cfg["theme"]["custom_dir"])
    (project / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return project


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(project / "mkdocs.yml"), "-d", str(site)],
                          cwd=project, capture_output=True, text=True, env=env, check=False)


def set_raw(work: Path, text: str | bytes) -> None:
    """Replace a work's raw file and record its new sha256, as a user adding a text would."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    meta_path = work / "work.yml"
    meta = meta_path.read_text(encoding="utf-8")
    name = yaml.safe_load(meta)["raw_file"]
    old = hashlib.sha256((work / name).read_bytes()).hexdigest()
    (work / name).write_bytes(data)
    meta_path.write_text(meta.replace(old, hashlib.sha256(data).hexdigest()), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the sha256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]


def test_hostile_fixture_builds_strict(tmp_path: Path):
    project = copy_fixture(tmp_path)
    proc = mkdocs_build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    no_traceback(proc)
    assert (tmp_path / "site" / "index.html").is_file()
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name or ".old-" in p.name]


class _Tags(HTMLParser):
    """Real elements (a literal '<' in the file) that a source could have brought in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on") or (name in ("href", "src") and v.startswith("javascript:")):
                self.bad.append(f"<{tag} {name}={value!r}>")
            if name in ("_", "raw"):  # '{% raw %}' read as an attribute list
                self.bad.append(f"<{tag} {name}>")
        if tag in ("img", "b", "i"):
            self.bad.append(f"<{tag}>")

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.bad.append("<script>alert(")

    def handle_endtag(self, tag):
        self._script = False


def injected(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.bad


def test_no_source_markup_survives_in_any_built_file(tmp_path: Path):
    """Static twin of the browser test: in every HTML file and every page title the hostile
    patterns appear only escaped ('&lt;script&gt;'), never as markup."""
    project = copy_fixture(tmp_path, with_site_assets=True)
    proc = mkdocs_build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {}
    for html in (tmp_path / "site").rglob("*.html"):
        hits = injected(html.read_text(encoding="utf-8"))
        if hits:
            found[str(html.relative_to(tmp_path / "site"))] = hits[:3]
    assert found == {}
