"""Downloads: the EPUB keeps the site's paragraph ids and turns notes into EPUB 3 footnotes;
every real work's EPUB passes Debian's epubcheck; the plain text keeps words and notes."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import need
from lxml import etree

from build_site import downloads
from build_site.model import Block, BlockKind, Document, Note, NoteRef, Section

ROOT = Path(__file__).resolve().parents[1]
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
WHEN = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

INFO = downloads.WorkInfo(
    slug="tiny", title="A Tiny <Work> & Co", authors=("A. Writer", "B. Other"),
    date="1924-01/1924-03", language="en", subtitle="Sub", publisher="Pub House",
    source="Scanned pamphlet", source_url="http://example.org/tiny")


def tiny_doc() -> Document:
    text = "First paragraph with a note here and <script>alert(1)</script> as data."
    first = Block(BlockKind.PARAGRAPH, text, refs=(NoteRef(32, "n1"),), anchor="p-1")
    quote = Block(BlockKind.QUOTE, "A quoted line.", refs=(NoteRef(14, "n2"),), anchor="p-2")
    damaged = Block(BlockKind.DAMAGED, "tbe qnick brwn", anchor="p-3")
    sub = Section("Part One", "part-one", level=2, blocks=(quote, Block(BlockKind.BREAK, ""),
                                                           damaged))
    chap = Section("Chapter I", "chapter-i", level=1, is_page=True, blocks=(first,),
                   children=(sub,), meta=(("Date", "January 1924"),))
    chap2 = Section("Chapter II", "chapter-ii", level=1, is_page=True,
                    blocks=(Block(BlockKind.PARAGRAPH, "No notes here.", anchor="p-4"),))
    notes = (Note("n1", "The first note, with <b>tags</b> as text."),
             Note("n2", "The second note.—Tr.", signature="—Tr."))
    return Document("tiny", (chap, chap2), notes)


def epub_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_epub_notes_are_footnotes_and_paragraph_ids_are_kept():
    files = epub_files(downloads.epub_bytes(tiny_doc(), INFO, WHEN))
    chapter = etree.fromstring(files["EPUB/c001.xhtml"])
    ids = chapter.xpath("//x:p/@id", namespaces=NS)
    assert ids == ["p-1", "p-2", "p-3"]
    refs = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    asides = chapter.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert [a.get("href") for a in refs] == ["#fn-n1", "#fn-n2"]
    assert [a.get("id") for a in asides] == ["fn-n1", "fn-n2"]
    assert [a.text for a in refs] == ["1", "2"]
    first = "".join(asides[0].itertext())
    assert "<b>tags</b>" in first, "note text is data, shown as itself"
    para = chapter.xpath("//x:p[@id='p-1']", namespaces=NS)[0]
    assert "<script>alert(1)</script>" in "".join(para.itertext())
    assert not chapter.xpath("//x:script | //x:b", namespaces=NS)
    # the note marker sits where the source put it
    assert "".join(para.itertext()).startswith("First paragraph with a note here1 and")
    assert chapter.xpath("//x:p[@id='p-3']/@class", namespaces=NS) == ["damaged"]
    assert chapter.xpath("//x:h3/@id", namespaces=NS) == ["part-one"]
    other = etree.fromstring(files["EPUB/c002.xhtml"])
    assert not other.xpath("//x:aside", namespaces=NS)


def test_epub_metadata_and_table_of_contents():
    files = epub_files(downloads.epub_bytes(tiny_doc(), INFO, WHEN))
    opf = etree.fromstring(files["EPUB/content.opf"])
    dc = {k: opf.xpath(f"//dc:{k}/text()", namespaces=NS)
          for k in ("title", "creator", "date", "language", "source", "publisher", "identifier")}
    assert dc["title"] == ["A Tiny <Work> & Co"]
    assert dc["creator"] == ["A. Writer", "B. Other"]
    assert dc["date"] == ["1924-01"]
    assert dc["language"] == ["en"]
    assert dc["source"] == ["http://example.org/tiny"]
    assert dc["publisher"] == ["Pub House"]
    assert dc["identifier"][0].startswith("urn:uuid:")
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    hrefs = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS)
    assert "c001.xhtml" in hrefs and "c001.xhtml#part-one" in hrefs and "c002.xhtml" in hrefs


def test_epub_has_no_page_list_of_its_footnotes(monkeypatch):
    """ebooklib's default EPUB 3 'page-list' listed every element with an epub:type and an id
    (the footnotes) as print pages: it is turned off, and nothing else of the book changes."""
    import re

    files = epub_files(downloads.epub_bytes(tiny_doc(), INFO, WHEN))
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    assert not nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)

    writer = downloads._writer_class()

    class WithPages(writer):  # ebooklib's default
        def __init__(self, name, book, options):
            super().__init__(name, book, {**options, "epub3_pages": True})

    monkeypatch.setattr(downloads, "_writer_class", lambda: WithPages)
    before = epub_files(downloads.epub_bytes(tiny_doc(), INFO, WHEN))
    old_nav = etree.fromstring(before["EPUB/nav.xhtml"])
    (pages,) = old_nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    assert pages.xpath(".//x:a/@href", namespaces=NS) == ["c001.xhtml#fn-n1", "c001.xhtml#fn-n2"]
    pages.getparent().remove(pages)

    def flat(tree) -> bytes:
        return re.sub(rb">\s+<", b"><", etree.tostring(tree))

    assert flat(old_nav) == flat(nav)
    assert {k: v for k, v in before.items() if k != "EPUB/nav.xhtml"} == {
        k: v for k, v in files.items() if k != "EPUB/nav.xhtml"}


def test_epub_is_the_same_bytes_whenever_it_is_built(monkeypatch):
    import time

    first = downloads.epub_bytes(tiny_doc(), INFO)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # zip entries stamp time.time
    monkeypatch.setattr(time, "localtime", lambda *a: time.gmtime(2_000_000_000))
    assert downloads.epub_bytes(tiny_doc(), INFO) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist()[0] == "mimetype"
        assert z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


def test_plain_text_keeps_words_notes_and_marks_damage():
    text = downloads.plain_text(tiny_doc(), INFO)
    assert text.startswith("A Tiny <Work> & Co\n")
    assert "By A. Writer, B. Other" in text
    assert "a note here[1] and" in text
    assert "[1] The first note, with <b>tags</b> as text." in text
    assert "[damaged in the source] tbe qnick brwn" in text
    assert all(len(line) <= 72 for line in text.splitlines() if " " in line)


@pytest.mark.parametrize("page_path, href", [
    ("tiny/index.md", "../downloads/tiny.epub"),
    ("lenin/tiny/index.md", "../../downloads/tiny.epub"),
    ("index.md", "downloads/tiny.epub"),
    ("lenin/tiny.md", "../../downloads/tiny.epub"),
])
def test_download_links_are_relative_to_the_page(page_path, href):
    assert f'href="{href}"' in downloads.downloads_html("tiny", page_path)


def _epubcheck() -> str:
    exe = shutil.which("epubcheck")
    need(exe is not None, "Debian's epubcheck is not installed (apt-get install -y epubcheck)")
    return exe


def _check(exe: str, paths: list[Path]) -> None:
    """Run epubcheck on every file at once (each run starts a JVM) and demand no error."""
    jar = Path(exe).resolve()
    cmd = ["java", "-jar", str(jar)] if jar.suffix == ".jar" else [exe]
    procs = [(p, subprocess.Popen([*cmd, str(p)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)) for p in paths]
    failures = []
    for path, proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0 or "ERROR" in out or "FATAL" in out:
            failures.append(f"{path.name}:\n{out[-3000:]}")
    assert not failures, "\n".join(failures)


def test_fixture_epub_passes_epubcheck(tmp_path):
    exe = _epubcheck()
    path = tmp_path / "tiny.epub"
    path.write_bytes(downloads.epub_bytes(tiny_doc(), INFO, WHEN))
    _check(exe, [path])


def test_every_real_work_epub_passes_epubcheck(built_site):
    exe = _epubcheck()
    slugs = sorted(d.name for d in (ROOT / "source").iterdir() if (d / "work.yml").is_file())
    paths = [built_site / "downloads" / f"{slug}.epub" for slug in slugs]
    missing = [p.name for p in paths if not p.is_file()]
    assert not missing, f"no EPUB written for {missing}"
    _check(exe, paths)


def test_built_site_links_each_work_to_its_downloads(built_site):
    import re

    for slug in (d.name for d in (ROOT / "source").iterdir() if (d / "work.yml").is_file()):
        pages = [p for p in built_site.rglob("index.html")
                 if f'downloads/{slug}.epub"' in p.read_text(encoding="utf-8")]
        assert pages, f"no page links the EPUB of {slug}"
        html = pages[0].read_text(encoding="utf-8")
        for href in re.findall(r'<p class="downloads">.*?</p>', html, re.DOTALL)[0].split('href="')[1:]:
            target = (pages[0].parent / href.split('"')[0]).resolve()
            assert target.is_file() and target.stat().st_size > 0, target
