"""Thin MkDocs adapter: runs the converter and hands its pages to MkDocs as virtual files.

Nothing is written into a docs folder: pages are ``File.generated``. ``mkdocs serve`` watches
``source/`` and rebuilds when a raw text or its metadata changes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from . import anchors, downloads, search
from .library import Built, build_library
from .model import Level

log = logging.getLogger("mkdocs.plugins.library")


class LibraryConfig(Config):
    source_dir = c.Type(str, default="source")
    """Folder holding one sub-folder per work (raw text + work.yml) and authors.yml."""
    cache_dir = c.Type(str, default=".cache/build-site")
    """Where converted texts are cached by a hash of their inputs ('' turns the cache off)."""


class LibraryPlugin(BasePlugin[LibraryConfig]):
    """Adds the library's generated pages and navigation to the MkDocs build."""

    def __init__(self) -> None:
        self.built: Built | None = None

    def _source(self, config) -> Path:
        return Path(config.config_file_path).parent / self.config.source_dir

    def on_config(self, config):
        source = self._source(config)
        if not source.is_dir():
            raise PluginError(f"library: source folder not found: {source} "
                              "(set plugins.library.source_dir in mkdocs.yml)")
        missing = {"attr_list", "footnotes"} - {str(e) for e in config.markdown_extensions}
        if missing:
            raise PluginError("library: add " + " and ".join(sorted(missing))
                              + " to markdown_extensions in mkdocs.yml")
        root = Path(config.config_file_path).parent
        cache_dir = root / self.config.cache_dir if self.config.cache_dir else None
        built = build_library(source, cache_dir=cache_dir)
        for d in built.diagnostics:
            if d.level is Level.WARNING:
                log.warning(str(d))
            elif d.level is Level.INFO:
                log.info(str(d))
        if built.errors:
            raise PluginError("library: the texts could not be converted:\n  "
                              + "\n  ".join(str(d) for d in built.errors))
        self.built = built
        config.nav = built.nav
        return config

    def on_files(self, files: Files, config) -> Files:
        assert self.built is not None
        for page in self.built.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        return files

    def on_post_build(self, config) -> None:
        assert self.built is not None
        site_dir = Path(config.site_dir)
        search.write_index(self.built, site_dir)
        downloads.write_downloads(self.built, site_dir)
        anchors.write_catalogue(self.built, site_dir, config.use_directory_urls)

    def on_serve(self, server, config, builder):
        server.watch(str(self._source(config)))
        return server
