"""The links stage on two cores: a forked process reads half of the distinct texts (people,
titles, stems), and the links, pages and memo are the same as on one core."""

from __future__ import annotations

import multiprocessing

import pytest
from test_links_memo import _input

from build_site import links

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="the second core is used by fork only")


def test_two_cores_give_the_same_links_and_memo(monkeypatch):
    docs, lib, paths = _input()
    one = links.link_library(docs, lib, links.LinksConfig(), paths, workers=1)
    two = links.link_library(docs, lib, links.LinksConfig(), paths, workers=2)
    assert two == one and one.counts.get("quotation") and one.counts.get("title")
    memo1, memo2 = links.Memo(), links.Memo()
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo1, workers=1) == one
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo2, workers=2) == one
    assert memo2.stems == memo1.stems and memo2.aligned == memo1.aligned
    assert memo2.titles == memo1.titles and memo2.titles_key == memo1.titles_key
    # Warm: the memo holds every text's stems and titles, so this core (whose calls are
    # counted; the child's are not seen here) works none of them out.
    calls = []
    for name in ("stems", "title_spans"):
        real = getattr(links, name)
        monkeypatch.setattr(links, name, lambda *a, _f=real, _n=name: calls.append(_n) or _f(*a))
    warm = memo2.next()
    assert links.link_library(docs, lib, links.LinksConfig(), paths, warm, workers=2) == one
    assert warm.stems == memo1.stems and warm.titles == memo1.titles and calls == []


def test_both_halves_come_back():
    """Every distinct text's mentions, title spans and stems, as one process finds them."""
    docs, lib, paths = _input()
    texts = [b.block.text for b in links.paragraphs(docs)]
    pattern, forms = links.person_pattern(lib.people)
    index = links._title_index([(links.title_words(w.title), links.TitleTarget(
        w.title, paths[s], s, w.title, False, False)) for s, w in lib.works.items()])
    mentions, spans, words = links._per_text(texts, pattern, forms, index, None, 2)
    unique = set(texts)
    assert set(mentions) == set(spans) == set(words) == unique
    assert any(spans.values()) and any(mentions.values())
    for t in unique:
        assert mentions[t] == links.person_mentions(t, pattern, forms)
        assert spans[t] == links.title_spans(t, index)
        assert words[t] == links.stems(t)
    # One core: only the mentions up front, the rest as the stage reads the texts.
    assert links._per_text(texts, pattern, forms, index, None, 1)[1:] == ({}, {})
