"""The theme's Jinja templates compiled once, ahead of the template stage, for every process.

MkDocs compiles the theme's templates (``main.html``, ``base.html`` and the partials they
include) when it renders the first page, in the main process, and the forked template worker
(``parallel_render.start_templates``) compiled them all again: about 0.11 s of CPU each at 1x,
on the template stage's critical path. Here a thread compiles them while the texts convert
(the main process only waits then), into a Jinja bytecode cache (Jinja's own mechanism: a
template whose source is unchanged is made from its compiled code) that the plugin gives the
build's environment at ``on_env``, before the template worker is forked: neither compiles.

Jinja's generated code depends on the environment's filters and tests (which take a context,
which exist) and its syntax options, so the cache is given to the build's environment only when
those are the ones the templates were compiled with (``fits``); else the templates are compiled
as before. The cache lives as long as the plugin: under ``mkdocs serve`` a rebuild compiles only
the templates whose source changed.
"""

from __future__ import annotations

import threading
from types import CodeType

import jinja2
from jinja2 import meta


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates in memory, by Jinja's bucket key (template name and file) and the
    checksum of their source: a changed source is a miss."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, CodeType, tuple[str, ...]]] = {}
        self.fingerprint: tuple | None = None  # of the environment they were compiled for

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        hit = self.codes.get(bucket.key)
        if hit is not None and hit[0] == bucket.checksum:
            bucket.code = hit[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self.codes[bucket.key] = (bucket.checksum, bucket.code, ())


def fingerprint(env: jinja2.Environment) -> tuple:
    """What Jinja's generated code depends on besides the source: the syntax, the extensions,
    the filters and tests (by identity: whether one exists and what it is passed), autoescape,
    finalize, async, and where templates are found."""
    loader = env.loader
    return (type(env), env.block_start_string, env.block_end_string,
            env.variable_start_string, env.variable_end_string, env.comment_start_string,
            env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
            env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            tuple(sorted(env.extensions)), getattr(env, "newstyle_gettext", None),
            dict(env.policies), env.optimized, env.autoescape, env.finalize, env.is_async,
            dict(env.filters), dict(env.tests), type(loader),
            tuple(getattr(loader, "searchpath", ())))


def compile_templates(env: jinja2.Environment, names: list[str], cache: TemplateCache) -> int:
    """Compile ``names`` and every template they name literally (extends, include, import)
    into ``cache`` for ``env``; a template whose source is already there is skipped. Names made
    at render time (a language partial, say) are left to the build. Returns how many were
    compiled; a template that does not compile is left to the build too (it reports it)."""
    cache.fingerprint = fingerprint(env)
    todo, seen, made = list(names), set(), 0
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert env.loader is not None  # a theme's environment has one (MkDocs's get_env)
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            continue
        key, checksum = cache.get_cache_key(name, filename), cache.get_source_checksum(source)
        hit = cache.codes.get(key)
        if hit is not None and hit[0] == checksum:
            todo.extend(hit[2])
            continue
        try:
            tree = env.parse(source, name, filename)
            refs = tuple(r for r in meta.find_referenced_templates(tree) if r)
            code = env.compile(tree, name, filename)
        except jinja2.TemplateError:
            continue
        cache.codes[key] = (checksum, code, refs)
        todo.extend(refs)
        made += 1
    return made


class Precompile:
    """``compile_templates`` in a thread, for the theme of ``config`` with the plugin's own
    environment changes (``prepare``) applied, as ``on_env`` will; ``attach`` gives the
    result to the build's environment if it fits."""

    def __init__(self, config, cache: TemplateCache, prepare) -> None:
        self.cache = cache
        self.error: BaseException | None = None
        names = ["main.html", *sorted(config.theme.static_templates)]

        def run() -> None:
            try:
                env = config.theme.get_env()
                prepare(env)
                compile_templates(env, names, cache)
            except Exception as exc:  # noqa: BLE001 (the build then compiles them itself)
                self.error = exc

        self.thread = threading.Thread(target=run, name="library-templates-compile", daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join()

    def attach(self, env: jinja2.Environment) -> bool:
        """Wait for the thread; give ``env`` the compiled templates if they were compiled for
        an environment like it (and it has no bytecode cache of its own)."""
        self.thread.join()
        if self.error is not None or env.bytecode_cache is not None:
            return False
        if self.cache.fingerprint != fingerprint(env):
            return False
        env.bytecode_cache = self.cache
        return True
