"""metadata reads work.yml and authors.yml with libyaml's parser where PyYAML has it
(``_FastLoader``), and with PyYAML's own parser where libyaml finds an error or the text holds
what PyYAML's reader treats apart: the data, the node tree (each node's line) and the
diagnostics must be the ones PyYAML's parser alone gives, on every text, valid or not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_site import metadata

_CORPUS = Path(__file__).resolve().parents[1] / "source"

# Lines and pieces of YAML, right and wrong: keys, nesting, lists, quotes, block scalars,
# comments, anchors, tabs, duplicate keys, dates and numbers, flow collections, directives.
_PIECES = ("title: ", "title", "authors:", "  - lenin", "- x", "  ", "    ", "\t", ": ", ":",
           "'quoted'", '"dq \\u00e9"', "'it''s'", "\"bad", "'open", "date: 1917-10-13",
           "1924", "yes", "~", "null", "- ", "? ", "{a: 1, b: [2, 3]}", "[a, b", "}", "|",
           ">-", "  text", "# comment", " #x", "&a ", "*a", "!!str ", "!tag ", "---", "...",
           "%YAML 1.1", "Lénine", "—", "\u00a0", "\u0085", "\x07", "\ufeff", "key: value",
           "key: other", "sha256: ab12", "a: b: c", "@", "`", ",", "-1", "0x1F", "1e3", ".inf",
           "Going?", "?", " ? ", "\u2028", "\r", "# --- x ---", "x---y", "etc...", "50%", "{? a: b}", "[?]")


def _tree(node):
    """A node tree as plain values: kind, tag, value and line of every node."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        return ("map", node.tag, node.start_mark.line,
                [(_tree(k), _tree(v)) for k, v in node.value])
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, node.start_mark.line, [_tree(v) for v in node.value])
    return ("scalar", node.tag, node.start_mark.line, node.value)


def _read(path: Path):
    try:
        data, root, diags = metadata._read_yaml(path)
    except Exception as exc:  # noqa: BLE001 - the same failure either way is what is compared
        return ("raised", type(exc))
    return repr(data), _tree(root), diags


def _both(path: Path, monkeypatch) -> tuple:
    fast = _read(path)
    with monkeypatch.context() as m:
        m.setattr(metadata, "_FastLoader", metadata._Loader)  # PyYAML's parser alone
        plain = _read(path)
    return fast, plain


def test_the_fast_loader_is_libyaml_here():
    """Else every comparison below would read the same parser twice."""
    assert yaml.__with_libyaml__
    assert metadata._FastLoader is not metadata._Loader


@settings(max_examples=3000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=5), max_size=10))
def test_yaml_read_by_libyaml_equals_pyyaml(tmp_path, monkeypatch, lines):
    path = tmp_path / "work.yml"
    path.write_text("\n".join("".join(parts) for parts in lines), encoding="utf-8")
    fast, plain = _both(path, monkeypatch)
    assert fast == plain


@pytest.mark.parametrize("path", sorted(_CORPUS.glob("*/work.yml")) + [_CORPUS / "authors.yml"],
                         ids=lambda p: p.parent.name if p.name == "work.yml" else p.name)
def test_the_corpus_metadata_read_by_libyaml_equals_pyyaml(path, monkeypatch):
    fast, plain = _both(path, monkeypatch)
    assert fast == plain and fast[1] is not None
