"""Raw bytes -> text lines. The first stage: it decides the encoding and normalises line ends.

UTF-8 (with or without BOM) is taken as is; anything else is detected with charset-normalizer and
the detected encoding is reported, so that a proofreader knows a guess was made. Binary files and
NUL bytes stop the text with an error naming the file and the line.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .model import Diagnostic, Level, Line


@dataclass(frozen=True)
class Decoded:
    lines: tuple[Line, ...]
    encoding: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.level is Level.ERROR for d in self.diagnostics)


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _guess_encoding(data: bytes) -> tuple[str, bool]:
    """Return (encoding, was_guessed)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, False
    try:
        data.decode("utf-8")
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        return "", True
    return best.encoding, True


def decode(data: bytes, path: str) -> Decoded:
    """Decode ``data`` (the raw file at ``path``) into numbered lines."""
    diags: list[Diagnostic] = []
    if not data.strip():
        diags.append(Diagnostic(Level.ERROR, "empty-file", "the raw file is empty: "
                                "put the text in it, or remove the work folder", path))
        return Decoded((), "", tuple(diags))
    encoding, guessed = _guess_encoding(data)
    if not encoding:
        diags.append(Diagnostic(Level.ERROR, "binary-file", "this is not a text file (no text "
                                "encoding fits it): give the plain-text export of the source", path))
        return Decoded((), "", tuple(diags))
    text = data.decode(encoding, errors="replace")
    if guessed:
        diags.append(Diagnostic(Level.INFO, "encoding-detected", f"not UTF-8; read as "
                                f"{encoding} (detected)", path))
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        diags.append(Diagnostic(Level.ERROR, "nul-byte", "NUL byte in the text: the file is "
                                "binary or damaged; re-export it as plain text", path, line))
        return Decoded((), encoding, tuple(diags))
    lines = tuple(Line(i, t) for i, t in enumerate(text.split("\n"), start=1))
    return Decoded(lines, encoding, tuple(diags))
