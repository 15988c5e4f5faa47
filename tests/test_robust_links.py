"""The link check: every internal link and #fragment of a built site resolves. It can fail
(small hand-made sites), and it finds nothing broken in the real corpus and the hostile site."""

from __future__ import annotations

from pathlib import Path

from test_robust_build import copy_fixture, mkdocs_build

from build_site.cli import main
from build_site.linkcheck import check_site


def write(site: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


GOOD = {
    "index.html": '<a href="work/">w</a> <a href="work/#p-1">p</a> <a href="#top">t</a>'
                  '<h1 id="top">T</h1><link rel="stylesheet" href="assets/x.css">'
                  '<a href="https://example.com/x#nowhere">ext</a><a href="mailto:a@b">m</a>'
                  '<link rel="preconnect" href="/nowhere/"><a href="work/index.html?q=1#p-1">q</a>',
    "work/index.html": '<p id="p-1">x</p><a href="../">up</a><a href="/work/#p-1">abs</a>'
                       '<a name="old">n</a><a href="#old">to n</a>'
                       '<script src="../assets/x.js"></script>',
    "assets/x.css": "", "assets/x.js": "",
}


def test_a_sound_site_has_no_broken_link(tmp_path: Path):
    assert check_site(write(tmp_path, GOOD)) == []


def test_missing_page_file_and_anchor_are_reported_with_file_and_line(tmp_path: Path):
    site = write(tmp_path, {**GOOD, "work/index.html": GOOD["work/index.html"]
                            + '\n<a href="../gone/">g</a>\n<a href="../#nope">n</a>'
                            + '<img src="../assets/missing.png">'})
    found = sorted((d.code, d.path, d.line) for d in check_site(site))
    assert found == [("broken-anchor", "work/index.html", 3),
                     ("broken-link", "work/index.html", 2),
                     ("broken-link", "work/index.html", 3)]


def test_link_out_of_the_site_is_broken(tmp_path: Path):
    (tmp_path / "outside.html").write_text("x")
    site = write(tmp_path / "site", {"index.html": '<a href="../outside.html">o</a>'})
    assert [d.code for d in check_site(site)] == ["broken-link"]


def test_check_command_reads_a_built_site(tmp_path: Path, capsys):
    site = write(tmp_path / "site", {"index.html": '<a href="#x">x</a>'})
    source = Path(__file__).parent / "fixtures" / "hostile" / "source"
    assert main(["--source", str(source), "check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "index.html:1" in err and "broken-anchor" in err


def test_real_corpus_has_no_broken_link(built_site: Path):
    assert [str(d) for d in check_site(built_site)] == []


def test_hostile_site_has_no_broken_link(tmp_path: Path):
    project = copy_fixture(tmp_path, with_site_assets=True)
    proc = mkdocs_build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [str(d) for d in check_site(tmp_path / "site")] == []
