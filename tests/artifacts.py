"""Artifact patterns a reader must never see, shared by the artifact tests.

Each pattern is one kind of leftover from printing, scanning or conversion; ``scan`` returns
(kind, excerpt) for every hit in a text. Kept generic: no string of the five sources.
"""

from __future__ import annotations

import re

PATTERNS: dict[str, re.Pattern] = {
    "letter-spacing": re.compile(r"(?<![\w.])(?:[A-Za-z] ){4,}[A-Za-z](?![\w.])"),
    "url-footer": re.compile(r"https?://|www\.\w|\(\d+ of \d+\)|\[\d{1,2}/\d{1,2}/\d{4}"),
    "junk-marker": re.compile(r"[!@$%^]{2,}|\(@"),
    "line-break-hyphen": re.compile(r"\b[a-z]{2,}- [a-z]{2,}\b(?<!and)(?<!or)(?<!to)"),
    "double-hyphen-dash": re.compile(r"\w--\w|\s--\s"),
    "spaced-hyphen-dash": re.compile(r"\w - \w"),
    "glued-caps-word": re.compile(r"\b[A-Za-z][a-z]{2,}[A-Z]{4,}\b"),
    "ocr-speck": re.compile(r"[~·£•]"),
    "typeface-capitals": re.compile(
        r"\b[a-z]+[A-Z]{2,}[a-z]*\b|\b[A-Z][a-z]*[A-Z]{2,}[a-z]{2,}\b|\b[A-Z][a-z]+[A-Z]{2,}\b"),
    "pdf-operator": re.compile(r"\)Tj|\bTj\b|\bT\*"),
    "watermark": re.compile(r"\b(?:FROM MARX|TO MAO|NOT FOR COMMERCIAL|COMMERCIAL DISTRIBUTION)\b"),
    "spaced-ellipsis": re.compile(r"\. \. \."),
}


def scan(text: str) -> list[tuple[str, str]]:
    hits = []
    for kind, pat in PATTERNS.items():
        for m in pat.finditer(text):
            a, b = max(0, m.start() - 30), min(len(text), m.end() + 30)
            hits.append((kind, text[a:b].replace("\n", " ")))
    return hits
