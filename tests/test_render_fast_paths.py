"""render.py's fast paths equal the plain code they replace, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from build_site import render

# Every kind of character the edges and the escapes care about: ASCII and Unicode spaces
# (NEL, NBSP, line separator, ideographic space), controls, digits, Markdown punctuation.
_PIECES = st.sampled_from(["a", "é", " ", "  ", "\t", "\r\n", "\n", "\x0b", "\x1c", "\x85",
                           "\u00a0", "\u2028", "\u3000", "\x02", "1", ".", "&", "<", ">", ":",
                           *"\\`*_{}[]()#+!-"])
_TEXTS = st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=30)


def _plain_escape(text: str) -> str:
    """``render.escape`` as it was before its edges were read by ``str.strip``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*_{}\[\]()#+!-])", r"\\\1", text)
    text = text.replace("\\]:", "\\]&#58;")
    text = render._SPACE_RUN.sub(" ", text)
    text = render._NUMBER_START.sub(r"\1\\.", text)
    text = render._CONTROL.sub(render._char_refs, text)
    return render._EDGE_SPACE.sub(render._unicode_space_refs, text)


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_edge_space_refs_is_the_regex(text: str):
    assert render.edge_space_refs(text) == render._EDGE_SPACE.sub(
        render._unicode_space_refs, text)


@settings(max_examples=3000, deadline=None)
@given(_TEXTS, _TEXTS, _TEXTS)
def test_escape_is_the_plain_escape(lead: str, body: str, trail: str):
    text = lead + body + trail
    assert render.escape(text) == _plain_escape(text)


def _plain_escape_attr(text: str) -> str:
    """``render.escape_attr`` as it was before its substitutions were run only where they
    can match."""
    text = (text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#39;")
            .replace("<", "&lt;").replace(">", "&gt;"))
    return render._CONTROL.sub(render._char_refs, render._SPACE_RUN.sub(" ", text))


@settings(max_examples=3000, deadline=None)
@given(_TEXTS, _TEXTS)
def test_escape_attr_is_the_plain_escape_attr(a: str, b: str):
    assert render.escape_attr(a + '"\'' + b) == _plain_escape_attr(a + '"\'' + b)
    assert render.escape_attr(a + b) == _plain_escape_attr(a + b)
