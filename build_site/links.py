"""Cross-links between works: title mentions, shared quotations, people."""

from __future__ import annotations

from .model import Document


def crosslink(docs: dict[str, Document], lib) -> dict[str, Document]:
    """Placeholder: no links yet."""
    return docs
