"""Every bad input of issue 10, through the command a user runs (``build-site check``): each
is handled correctly or stopped with one clear line naming the file, the line or key, and
what to do. No traceback, ever. The table in the README lists the same cases.
"""

from __future__ import annotations

import codecs
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_robust_build import HOSTILE, set_raw

from build_site.cli import main

TEXT = ("A plain text\n\nIts first paragraph, with “curly quotes” and an é.\n\n"
        "Its second paragraph.\n")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A small library: the fixture's authors.yml and one work with a plain text."""
    src = tmp_path / "source"
    shutil.copytree(HOSTILE / "source", src)
    set_raw(src / "hostile-text", TEXT)
    return src


def check(source: Path, capsys) -> tuple[int, str]:
    status = main(["--source", str(source), "check"])
    out = capsys.readouterr()
    text = out.err + out.out
    assert "Traceback" not in text
    return status, text


def convert(source: Path, out: Path, capsys) -> dict[str, str]:
    assert main(["--source", str(source), "convert", "--out", str(out)]) == 0
    capsys.readouterr()
    # The work page names the raw file's sha256, which differs by encoding: leave it out.
    return {str(p.relative_to(out)): re.sub(r"SHA-256 [0-9a-f]+", "SHA-256", p.read_text("utf-8"))
            for p in sorted(out.rglob("*.md"))}


def line_of(path: Path, text: str) -> int:
    return next(n for n, ln in enumerate(path.read_text("utf-8").splitlines(), 1) if text in ln)


WORK = "hostile-text"


# --- Raw text: encodings and line ends are read; the pages are those of the UTF-8 text ---

@pytest.mark.parametrize("name,data", [
    ("utf-8 with BOM", codecs.BOM_UTF8 + TEXT.encode()),
    ("utf-16", TEXT.encode("utf-16")),
    ("utf-16-le without BOM", TEXT.encode("utf-16-le")),
    ("CRLF", TEXT.replace("\n", "\r\n").encode()),
    ("CR", TEXT.replace("\n", "\r").encode()),
    ("cp1252", (TEXT * 3).encode("cp1252")),
    ("latin-1", (TEXT.replace("“", '"').replace("”", '"') * 3).encode("latin-1")),
])
def test_encodings_and_line_ends_give_the_same_pages(source, tmp_path, capsys, name, data):
    text = TEXT * 3 if name in ("cp1252", "latin-1") else TEXT
    if name == "latin-1":
        text = text.replace("“", '"').replace("”", '"')
    set_raw(source / WORK, text)
    want = convert(source, tmp_path / "want", capsys)
    set_raw(source / WORK, data)
    status, report = check(source, capsys)
    assert status == 0, report
    if name not in ("utf-8 with BOM", "CRLF", "CR"):
        assert "raw.txt: info: not UTF-8; read as" in report
    got = convert(source, tmp_path / "got", capsys)
    assert set(got) == set(want)
    for path, page in want.items():
        diff = difflib.unified_diff(page.splitlines(), got[path].splitlines(), lineterm="")
        assert got[path] == page, "\n".join(list(diff)[:30])


# --- Raw text that cannot be used: stopped, with file, line and what to do ---

@pytest.mark.parametrize("data,code,line,advice", [
    (b"line one\nline \x00two\n", "nul-byte", 2, "re-export"),
    (b"%PDF-1.4\n...", "binary-file", None, "plain-text export"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary-file", None, "plain-text export"),
    (b"", "empty-file", None, "put the text in it"),
    (b" \n\n", "empty-file", None, "put the text in it"),
])
def test_unusable_raw_text_stops_with_a_clear_error(source, capsys, data, code, line, advice):
    set_raw(source / WORK, data)
    status, report = check(source, capsys)
    raw = source / WORK / "raw.txt"
    assert status == 1
    where = f"{raw}:{line}: error:" if line else f"{raw}: error:"
    assert where in report and f"[{code}]" in report and advice in report


def test_ten_megabyte_single_line_stops_with_a_clear_error(source, capsys):
    set_raw(source / WORK, b"word " * 2_000_000)
    status, report = check(source, capsys)
    assert status == 1
    assert f"{source / WORK / 'raw.txt'}:1: error: line 1 is 10,000,000 characters" in report
    assert "re-export the text with its line breaks" in report


def test_stray_bytes_are_kept_visible_and_reported(source, capsys):
    set_raw(source / WORK, TEXT.encode() + b"A \x93quoted\x94 word.\n")
    status, report = check(source, capsys)
    assert status == 0
    assert f"{source / WORK / 'raw.txt'}:6: warning:" in report
    assert "[undecodable-bytes]" in report


# --- Metadata: missing, invalid, duplicate, unknown, undefined ---

def test_missing_raw_file(source, capsys):
    (source / WORK / "raw.txt").unlink()
    status, report = check(source, capsys)
    yml = source / WORK / "work.yml"
    assert status == 1
    assert f"{yml}:{line_of(yml, 'raw_file:')}: error: raw_file: \"raw.txt\" not found" in report
    assert "put the raw text there" in report


def test_missing_work_yml(source, capsys):
    (source / WORK / "work.yml").unlink()
    status, report = check(source, capsys)
    assert status == 1 and f"{source / WORK}: error: no work.yml" in report
    assert "[meta-no-work-yml]" in report


def test_missing_authors_yml(source, capsys):
    (source / "authors.yml").unlink()
    status, report = check(source, capsys)
    assert status == 1 and f"{source / 'authors.yml'}: error:" in report
    assert "[meta-no-authors-file]" in report


def test_invalid_yaml(source, capsys):
    yml = source / WORK / "work.yml"
    yml.write_text(yml.read_text("utf-8").replace("date: 1924", "date: [1924"), "utf-8")
    status, report = check(source, capsys)
    assert status == 1 and f"{yml}:" in report and "[meta-yaml-syntax]" in report
    assert "check indentation" in report


def test_unknown_key(source, capsys):
    yml = source / WORK / "work.yml"
    yml.write_text(yml.read_text("utf-8") + "titel: Another\n", "utf-8")
    status, report = check(source, capsys)
    assert status == 1
    assert f"{yml}:{line_of(yml, 'titel:')}: error: titel: unknown key \"titel\"" in report
    assert 'did you mean "title"' in report


def test_person_referenced_but_not_defined(source, capsys):
    yml = source / WORK / "work.yml"
    yml.write_text(yml.read_text("utf-8").replace("authors: [mallory]", "authors: [malory]"),
                   "utf-8")
    status, report = check(source, capsys)
    assert status == 1
    assert f"{yml}:{line_of(yml, 'authors:')}: error: authors[0]: author id \"malory\"" in report
    assert "add the person there or correct the id" in report


def test_duplicate_slug(source, capsys):
    """'mallory-hostile-text' by mallory is published at mallory/hostile-text/ too."""
    shutil.copytree(source / WORK, source / "mallory-hostile-text")
    yml = source / "mallory-hostile-text" / "work.yml"
    yml.write_text(yml.read_text("utf-8").replace("title: ", "title: Other "), "utf-8")
    status, report = check(source, capsys)
    assert status == 1
    assert f"{yml}:{line_of(yml, 'authors:')}: error: authors: works" in report
    assert "mallory/hostile-text/" in report and "rename one work folder" in report


def test_work_referenced_but_not_defined(source, capsys):
    (source / "links.yml").write_text(yaml.safe_dump({"links": [{
        "from": {"work": WORK, "text": "Its first paragraph"},
        "to": {"work": "no-such-work", "text": "anything"}, "kind": "quotes"}]}), "utf-8")
    _, report = check(source, capsys)
    assert "no-such-work" in report and "links.yml" in report


def test_missing_source_folder_and_no_traceback_from_the_real_command(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "build_site", "--source",
                           str(tmp_path / "nowhere"), "check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "no folder" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bug_is_one_line_not_a_traceback(source, capsys, monkeypatch):
    from build_site import cli

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "build_library", broken)
    status, report = check(source, capsys)
    assert status == 70 and "internal error: KeyError" in report
