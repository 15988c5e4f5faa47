"""The theme's templates compiled ahead (build_site/theme_cache.py): an environment given the
cache renders exactly what it renders without, compiles nothing it holds, recompiles a changed
template, and is not given templates compiled for another kind of environment."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import ClassVar

import jinja2
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from test_robust_build import copy_fixture

from build_site.theme_cache import Precompile, TemplateCache, compile_templates, fingerprint

TEMPLATES = {
    "page.html": '{% extends "base.html" %}{% block body %}[{{ text | shout }}]'
                 '{% include "part.html" %}{% endblock %}',
    "base.html": "<html>{% block body %}{% endblock %}{% import 'macros.html' as m %}"
                 "{{ m.hello(name) }}</html>",
    "part.html": "<p>{{ text | striptags }}</p>{% include 'lang/' ~ lang ~ '.html' %}",
    "macros.html": "{% macro hello(n) %}hi {{ n }}{% endmacro %}",
    "lang/en.html": "en",
    "broken.html": "{{ x | no_such_filter }}",
}


def shout(value: str) -> str:
    return value.upper()


def make_env(folder: Path, **filters) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), auto_reload=False)
    env.filters["shout"] = shout
    env.filters.update(filters)
    return env


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in TEMPLATES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def render(env: jinja2.Environment) -> str:
    return env.get_template("page.html").render(text="<b>x</b>", name="n", lang="en")


def test_cached_templates_render_the_same_without_compiling(folder: Path, monkeypatch):
    cache = TemplateCache()
    made = compile_templates(make_env(folder), ["page.html", "missing.html"], cache)
    assert made == 4  # page, base, part, macros; the language partial is named at render time
    want = render(make_env(folder))
    env = make_env(folder)
    env.bytecode_cache = cache
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert render(env) == want
    assert compiled == ["lang/en.html"]


def test_changed_template_is_compiled_again(folder: Path):
    cache = TemplateCache()
    compile_templates(make_env(folder), ["page.html"], cache)
    (folder / "part.html").write_text("<i>{{ text }}</i>", encoding="utf-8")
    env = make_env(folder)
    env.bytecode_cache = cache
    assert "<i><b>x</b></i>" in render(env)
    assert compile_templates(make_env(folder), ["page.html"], cache) == 0  # now cached


def test_template_that_does_not_compile_is_left_to_the_build(folder: Path):
    cache = TemplateCache()
    assert compile_templates(make_env(folder), ["broken.html"], cache) == 0
    env = make_env(folder)
    env.bytecode_cache = cache
    with pytest.raises(jinja2.TemplateAssertionError, match="no_such_filter"):
        env.get_template("broken.html")


def test_not_given_to_an_environment_it_was_not_compiled_for(folder: Path):
    assert fingerprint(make_env(folder)) == fingerprint(make_env(folder))

    def with_context(context, value):
        return value
    other = make_env(folder, shout=jinja2.pass_context(with_context))
    assert fingerprint(other) != fingerprint(make_env(folder))

    class Theme:
        static_templates: ClassVar[set[str]] = {"page.html"}

        def get_env(self):
            return make_env(folder)

    class Config:
        theme = Theme()

    pre = Precompile(Config(), TemplateCache(), lambda env: None)
    assert not pre.attach(other) and other.bytecode_cache is None
    env = make_env(folder)
    assert pre.attach(env) and env.bytecode_cache is pre.cache
    failing = Precompile(Config(), TemplateCache(), lambda env: 1 / 0)
    env = make_env(folder)
    assert not failing.attach(env) and env.bytecode_cache is None


def test_build_compiles_the_theme_in_the_thread_only(tmp_path: Path, monkeypatch, caplog):
    """A whole build: main.html, base.html and the partials they name are compiled once, by
    the plugin's thread; the build's own environment compiles only what is named at render
    time (icons). The site is the one a build without the cache writes (test_parallel_render:
    byte-identical sites)."""
    proj = copy_fixture(tmp_path)
    compiled: list[tuple[str, str]] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append((threading.current_thread().name, name))
        return original(self, source, name, filename, raw, defer_init)
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    caplog.set_level(logging.INFO, logger="mkdocs")
    cfg = load_config(str(proj / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    cfg.plugins["library"].config.parallel_render = False  # every template in this process
    build(cfg)
    ahead = {n for t, n in compiled if t == "library-templates-compile"}
    during = [n for t, n in compiled if t != "library-templates-compile"]
    assert {"main.html", "base.html", "404.html", "partials/header.html"} <= ahead
    assert not set(during) & ahead
    assert all(n.startswith(".icons/") for n in during), during
