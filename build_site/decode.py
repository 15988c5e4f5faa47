"""Raw bytes -> text lines. The first stage: it decides the encoding and normalises line ends.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are taken as they say; UTF-16 without a
BOM is recognised by its zero bytes; anything else is detected with charset-normalizer and the
detected encoding is reported, so that a proofreader knows a guess was made. CRLF and lone CR
line ends become LF. Binary files (PDF, Word, ZIP, images), NUL bytes, an empty file and a line
too long to be a line of text stop the work with an error naming the file, the line and what
to do; bytes that fit no encoding are kept visible as U+FFFD and reported with their line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import count

from .model import Diagnostic, Level, Line

# A paragraph of a real text is at most some tens of thousands of characters; a line a
# hundred times longer is a file whose line breaks were lost (or not text at all), and no
# paragraph or page could be found in it.
MAX_LINE = 1_000_000
# charset-normalizer reads this much to decide; the whole file is then decoded.
_SAMPLE = 1_000_000


@dataclass(frozen=True)
class Decoded:
    lines: tuple[Line, ...]
    encoding: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.ERROR for d in self.diagnostics)


# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

# Files people mistake for text: (magic bytes, what it is).
_MAGIC = ((b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a ZIP archive (Word .docx, EPUB, ODT?)"),
          (b"\xd0\xcf\x11\xe0", "an old Word/Office file"), (b"{\\rtf", "an RTF file"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
          (b"AT&TFORM", "a DjVu file"), (b"\x7fELF", "a program"))

# A well-formed multi-byte UTF-8 letter: rare by chance in cp1252 or latin-1 text.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_WESTERN = {"cp1252", "latin_1", "iso8859_15"}
_CONTROL_BYTES = [bytes([b]) for b in (*range(9), 11, *range(14, 32), 127)]
# C0 controls other than tab, LF, CR and form feed (pdftotext's page break) are not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _error(code: str, message: str, path: str, line: int | None = None) -> Diagnostic:
    return Diagnostic(Level.ERROR, code, message, path, line)


def _bom(data: bytes) -> str:
    return next((name for bom, name in _BOMS if data.startswith(bom)), "")


def _utf16_without_bom(data: bytes) -> str:
    """UTF-16 text of Latin script has a zero in every other byte: which side says the order."""
    sample = data[:4096]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return ""


def _detect(data: bytes) -> str:
    """charset-normalizer's best guess for non-UTF-8 bytes, or '' when nothing fits."""
    from charset_normalizer import from_bytes

    results = from_bytes(data[:_SAMPLE])
    best = results.best()
    if best is None:
        # Nothing fits cleanly; text with few control bytes is still text: read it the
        # Western way (latin-1 reads every byte) rather than refuse it.
        controls = sum(data[:_SAMPLE].count(b) for b in _CONTROL_BYTES)
        if controls <= 0.01 * min(len(data), _SAMPLE):
            return "cp1252" if _fits_cp1252(data) else "latin_1"
        return ""
    # Single-byte encodings are ambiguous (French in latin-1 reads as well in cp1250): prefer
    # the Western one our texts come in when it reads the bytes as cleanly.
    for match in results:
        if match.encoding in _WESTERN and match.chaos <= best.chaos + 0.01:
            return "cp1252" if _fits_cp1252(data) else "latin_1"
    return best.encoding


def _fits_cp1252(data: bytes) -> bool:
    """cp1252 leaves five bytes undefined; latin-1 reads every byte (0x80-0x9f as controls)."""
    return not any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def decode(data: bytes, path: str) -> Decoded:
    """Decode ``data`` (the raw file at ``path``) into numbered lines."""
    diags: list[Diagnostic] = []
    if not data.strip():
        what = "the raw file is empty: put the text in it, or remove the work folder"
        return Decoded((), "", (_error("empty-file", what, path),))
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            what = (f"this is {kind}, not a text file: give the plain-text export of the "
                    "source (UTF-8 .txt)")
            return Decoded((), "", (_error("binary-file", what, path),))
    encoding, how = _bom(data), "byte order mark"
    if not encoding:
        encoding, how = _utf16_without_bom(data), "zero bytes, no byte order mark"
    if not encoding:
        try:
            data.decode("utf-8")
            encoding, how = "utf-8", ""
        except UnicodeDecodeError:
            # UTF-8 with a few stray bytes (a cp1252 quote pasted in) stays UTF-8: reading it
            # all as cp1252 would garble every other non-ASCII letter.
            mixed = _UTF8_SEQUENCE.search(data[:_SAMPLE]) is not None
            encoding, how = ("utf-8", "") if mixed else (_detect(data), "detected")
    if not encoding:
        what = ("this is not a text file (no text encoding fits it): give the plain-text "
                "export of the source (UTF-8 .txt)")
        return Decoded((), "", (_error("binary-file", what, path),))
    if how and encoding not in ("utf-8", "utf-8-sig"):
        diags.append(Diagnostic(Level.INFO, "encoding-detected",
                                f"not UTF-8; read as {encoding} ({how})", path))
    try:
        text, bad_at = data.decode(encoding), None
    except UnicodeDecodeError as exc:  # kept visible as U+FFFD, and reported below
        text, bad_at = data.decode(encoding, errors="replace"), exc.start
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        what = ("NUL byte in the text: the file is binary or damaged; re-export it as plain "
                "text (UTF-8)")
        return Decoded((), encoding, (*diags, _error("nul-byte", what, path,
                                                     _line_of(text, text.index("\x00")))))
    controls = len(_CONTROL.findall(text[:_SAMPLE]))
    if controls > 0.01 * min(len(text), _SAMPLE):
        what = (f"{controls} control characters in the first {min(len(text), _SAMPLE)} "
                "characters: this is not a text file; give the plain-text export of the source")
        return Decoded((), encoding, (*diags, _error("binary-file", what, path)))
    lines = text.split("\n")
    for number, line in enumerate(lines if max(map(len, lines)) > MAX_LINE else (), start=1):
        if len(line) > MAX_LINE:
            what = (f"line {number} is {len(line):,} characters long: the file's line breaks "
                    "were lost, so no paragraph can be found; re-export the text with its line "
                    "breaks (one line per line or paragraph)")
            return Decoded((), encoding, (*diags, _error("line-too-long", what, path, number)))
    if bad_at is not None:
        what = (f"some bytes could not be read as {encoding}; they show as '\ufffd' (the "
                "first is on this line): check the file's encoding, or re-export it as UTF-8")
        diags.append(Diagnostic(Level.WARNING, "undecodable-bytes", what, path,
                                data.count(b"\n", 0, bad_at) + 1))
    elif (controls or len(text) > _SAMPLE) and _CONTROL.search(text):
        # (A text no longer than the sample was counted whole above: none there, none here.)
        match = _CONTROL.search(text)
        assert match is not None  # found just above
        what = (f"control character U+{ord(match.group(0)):04X} in the text (kept; it shows as "
                "nothing): the export may be damaged here")
        diags.append(Diagnostic(Level.WARNING, "control-character", what, path,
                                _line_of(text, match.start())))
    return Decoded(tuple(map(Line, count(1), lines)), encoding, tuple(diags))
