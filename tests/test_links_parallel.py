"""The links stage on two cores: a forked process reads half of the distinct texts (people,
titles, stems), and the links, pages and memo are the same as on one core."""

from __future__ import annotations

import multiprocessing

import pytest
from test_links import _random_texts
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
    """Every distinct text's mentions and title spans as one process finds them, and the index
    of word pairs and the stems (for the memo) as shared_passages makes them on one core."""
    docs, lib, paths = _input()
    texts = [b.block.text for b in links.paragraphs(docs)]
    pattern, forms = links.person_pattern(lib.people)
    index = links._title_index([(links.title_words(w.title), links.TitleTarget(
        w.title, paths[s], s, w.title, False, False)) for s, w in lib.works.items()])
    mentions, spans, indexed = links._per_text(texts, pattern, forms, index, None, 2)
    unique = set(texts)
    assert set(mentions) == set(spans) == unique
    assert any(spans.values()) and any(mentions.values())
    for t in unique:
        assert mentions[t] == links.person_mentions(t, pattern, forms)
        assert spans[t] == links.title_spans(t, index)
    distinct, _ = links.distinct(texts)
    plain = links._index(distinct, 0, links.stems)
    assert indexed.postings == plain and indexed.stems == {}
    held = {u for us in indexed.postings.values() for u in us}  # the child's half is in
    assert min(held) < len(distinct) // 4 and max(held) > len(distinct) * 3 // 4
    # With a memo holding half of the texts' stems: the same index, and every text's stems.
    memo = links.Memo(old_stems={t: " ".join(links.stems(t)) for t in distinct[::2]})
    _, _, indexed = links._per_text(texts, pattern, forms, index, memo, 2)
    assert indexed.postings == plain
    assert indexed.stems == {t: " ".join(links.stems(t)) for t in distinct}
    assert list(indexed.stems) == distinct
    # One core: only the mentions up front, the rest as the stage reads the texts.
    assert links._per_text(texts, pattern, forms, index, None, 1)[1:] == ({}, None)


def test_a_packed_index_unpacks_after_another():
    first = links._index(["alpha beta gamma delta", "beta gamma"], 0, links.stems)
    second = links._index(["alpha beta gamma", "zeta theta"], 2, links.stems)
    both = links._index(["alpha beta gamma delta", "beta gamma", "alpha beta gamma",
                         "zeta theta"], 0, links.stems)
    links._unpack_into(first, links._pack(second))
    assert first == both and first["alpha beta"] == [0, 2] and list(first) == list(both)
    empty = links._index([], 0, links.stems)
    links._unpack_into(empty, links._pack(links._index([], 0, links.stems)))
    assert empty == {}


def _pairs(docs) -> tuple[list[tuple[int, int]], list[str]]:
    """The pairs of distinct texts the seed library aligns, as shared_passages finds them."""
    keys = []
    real = links._align_pairs

    def record(todo, unique, *rest):
        keys.append((list(todo), unique))
        return real(todo, unique, *rest)

    texts = [p.block.text for p in links.paragraphs(docs)]
    works = [p.slug for p in links.paragraphs(docs)]
    links._align_pairs = record
    try:
        links.shared_passages(texts, works)
    finally:
        links._align_pairs = real
    return keys[0]


def test_the_alignments_split_in_groups_without_a_common_text():
    docs, _, _ = _input()
    keys, unique = _pairs(docs)
    groups = links._align_groups(keys, unique)
    assert len(groups) > 1 and sorted(k for g in groups for k in g) == sorted(keys)
    texts = [{u for k in g for u in k} for g in groups]
    assert sum(map(len, texts)) == len(set().union(*texts))  # no text in two groups
    for g in groups:  # each group's pairs in the order they came
        assert g == [k for k in keys if k in g]


def test_alignments_on_two_cores_are_the_same(monkeypatch):
    """Every pair's answer from the forked share equals this process's; then the whole stage
    (fork forced however little there is to align) with and without a memo."""
    docs, lib, paths = _input()
    keys, unique = _pairs(docs)
    monkeypatch.setattr(links, "_ALIGN_FORK_COST", 0)
    one = links._align_pairs(keys, unique, 10, 60.0, 1)
    assert any(one.values()) and list(one) == keys
    forks = []
    real_fork = links.ProcessPoolExecutor
    monkeypatch.setattr(links, "ProcessPoolExecutor",
                        lambda *a, **k: forks.append(1) or real_fork(*a, **k))
    ran = []
    assert links._align_pairs(keys, unique, 10, 60.0, 2, lambda: ran.append(1)) == one
    assert forks and ran == [1]  # the other work of the stage, run here once
    assert links._align_pairs(keys, unique, 10, 60.0, 1, lambda: ran.append(2)) == one
    assert ran == [1, 2] and len(forks) == 1
    plain = links.link_library(docs, lib, links.LinksConfig(), paths, workers=1)
    memo1, memo2 = links.Memo(), links.Memo()
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo1, workers=1) == plain
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo2, workers=2) == plain
    assert memo2.aligned == memo1.aligned and list(memo2.aligned) == list(memo1.aligned)
    warm = memo2.next()  # every pair in the memo: nothing to align, no fork for it
    del forks[:]
    monkeypatch.setattr(links, "_align", lambda *a: pytest.fail("aligned again"))
    assert links.link_library(docs, lib, links.LinksConfig(), paths, warm, workers=2) == plain
    assert len(forks) == 1  # _per_text's fork only


def test_a_half_warm_memo_on_two_cores(monkeypatch):
    """A memo holding half of the alignments and half of the stems (a rebuild after some texts
    changed): the forked aligner and indexer give the links and memo of a cold build on one
    core."""
    docs, lib, paths = _input()
    cold = links.Memo()
    plain = links.link_library(docs, lib, links.LinksConfig(), paths, cold, workers=1)
    monkeypatch.setattr(links, "_ALIGN_FORK_COST", 0)
    forks = []
    real_fork = links.ProcessPoolExecutor
    monkeypatch.setattr(links, "ProcessPoolExecutor",
                        lambda *a, **k: forks.append(1) or real_fork(*a, **k))
    half = cold.next()
    half.old_aligned = dict(list(half.old_aligned.items())[::2])
    half.old_stems = dict(list(half.old_stems.items())[1::2])
    assert links.link_library(docs, lib, links.LinksConfig(), paths, half, workers=2) == plain
    assert len(forks) == 2  # the texts' reader, and the aligner for the pairs not in the memo
    assert half.aligned == cold.aligned and half.stems == cold.stems
    assert half.titles == cold.titles


def test_packed_indexes_unpack_as_one_index_of_every_text():
    """Any cut of any texts: the halves' indexes joined are the index of all, in its order."""
    texts = _random_texts(400, seed=29) + ["grain ledger council canal wording"] * 3
    whole = links._index(texts, 0, links.stems)
    for cut in (0, 1, 57, 200, 399, len(texts)):
        first = links._index(texts[:cut], 0, links.stems)
        links._unpack_into(first, links._pack(links._index(texts[cut:], cut, links.stems)))
        assert first == whole and list(first) == list(whole), cut


@pytest.mark.parametrize("align_cost", [0, 10**12])
def test_candidates_found_in_the_child_while_people_are_read_are_the_same(monkeypatch,
                                                                          align_cost):
    """The candidates worked out in a forked child (forced on the seed library), then aligned
    by both processes or (too little to align) by this one: the stage as on one core, with
    and without a memo, and a warm memo aligns nothing again."""
    docs, lib, paths = _input()
    plain = links.link_library(docs, lib, links.LinksConfig(), paths, workers=1)
    memo1 = links.Memo()
    links.link_library(docs, lib, links.LinksConfig(), paths, memo1, workers=1)
    monkeypatch.setattr(links, "_CANDIDATES_FORK_COST", 0)
    monkeypatch.setattr(links, "_ALIGN_FORK_COST", align_cost)
    forked = []
    real = links._candidates_and_alignments_forked
    monkeypatch.setattr(links, "_candidates_and_alignments_forked",
                        lambda *a: forked.append(1) or real(*a))
    assert links.link_library(docs, lib, links.LinksConfig(), paths, workers=2) == plain
    memo2 = links.Memo()
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo2, workers=2) == plain
    assert memo2.aligned == memo1.aligned and list(memo2.aligned) == list(memo1.aligned)
    assert memo2.stems == memo1.stems and memo2.titles == memo1.titles
    monkeypatch.setattr(links, "_align", lambda *a: pytest.fail("aligned again"))
    assert links.link_library(docs, lib, links.LinksConfig(), paths, memo2.next(),
                              workers=2) == plain
    assert forked == [1, 1, 1]
