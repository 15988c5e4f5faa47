"""Full-text search index, written after MkDocs has built the HTML."""

from __future__ import annotations

from pathlib import Path


def write_index(built, site_dir: Path) -> None:
    """Placeholder: the search index is not written yet."""
