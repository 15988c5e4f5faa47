"""Downloads for every work (EPUB, plain text), written after the HTML build."""

from __future__ import annotations

from pathlib import Path


def write_downloads(built, site_dir: Path) -> None:
    """Placeholder: no downloads yet."""
