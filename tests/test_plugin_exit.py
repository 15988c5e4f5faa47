"""A finished build freezes what is alive (``gc.freeze``), so that the exit of `mkdocs build`
does not collect it again; the next build (``mkdocs serve``) hands it back to the collector
first, and a failed build freezes nothing."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from test_robust_build import copy_fixture


def test_a_build_freezes_at_its_end_and_the_next_one_unfreezes(tmp_path: Path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from build_site import plugin

    project = copy_fixture(tmp_path)
    gc.unfreeze()
    try:
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
        assert (tmp_path / "site" / "index.html").is_file()
        assert gc.get_freeze_count() > 0

        def broken(*args, **kwargs):
            raise ZeroDivisionError("a bug")

        monkeypatch.setattr(plugin, "build_library", broken)
        with pytest.raises(Abort):
            build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
        assert gc.get_freeze_count() == 0  # unfrozen at on_config; the failed build froze nothing
    finally:
        gc.unfreeze()
