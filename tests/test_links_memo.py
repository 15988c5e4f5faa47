"""The links stage's memo (stems of a text, alignment of two texts) kept between builds: the
same links, and a text already seen is not worked out again."""

from __future__ import annotations

from pathlib import Path

from build_site import anchors, cache, links, metadata
from build_site.library import work_index_page

ROOT = Path(__file__).resolve().parents[1]


def _input():
    source = ROOT / "source"
    lib, _ = metadata.load_library(source)
    jobs = [cache.Job(s, m.model_dump_json(), str(source / s / m.raw_file),
                      ledger=str(anchors.ledger_path(source, s)),
                      cite=anchors.work_citation(lib, s)) for s, m in lib.works.items()]
    docs, _ = cache.convert_many(jobs, None, workers=2)
    paths = {s: work_index_page(d, lib.works[s], lib).path for s, d in docs.items()}
    return docs, lib, paths


def test_a_memo_gives_the_same_links_and_saves_the_work(monkeypatch):
    docs, lib, paths = _input()
    plain = links.link_library(docs, lib, links.LinksConfig(), paths)
    first = links.Memo()
    with_memo = links.link_library(docs, lib, links.LinksConfig(), paths, first)
    assert with_memo == plain and plain.counts.get("quotation")
    assert first.stems and first.aligned  # everything used is kept for the next build
    calls = {"stems": 0, "align": 0, "titles": 0}
    real_stems, real_align, real_titles = links.stems, links._align, links.title_spans

    def count(name, fn):
        def wrapped(*args):
            calls[name] += 1
            return fn(*args)
        return wrapped

    monkeypatch.setattr(links, "stems", count("stems", real_stems))
    monkeypatch.setattr(links, "_align", count("align", real_align))
    monkeypatch.setattr(links, "title_spans", count("titles", real_titles))
    second = first.next()
    again = links.link_library(docs, lib, links.LinksConfig(), paths, second)
    assert again == plain and calls == {"stems": 0, "align": 0, "titles": 0}
    assert second.stems == first.stems and second.aligned == first.aligned
    assert second.titles == first.titles and second.titles_key == first.titles_key
    # Other titles (every landing page elsewhere): the titles found are looked for again.
    moved = {s: "elsewhere/" + p for s, p in paths.items()}
    other = second.next()
    with_other = links.link_library(docs, lib, links.LinksConfig(), moved, other)
    assert calls["titles"] > 0 and other.titles_key != second.titles_key
    assert with_other == links.link_library(docs, lib, links.LinksConfig(), moved)
    # A text no longer in the library leaves the memo at the next build.
    one = {s: d for s, d in list(docs.items())[:1]}
    third = second.next()
    links.link_library(one, lib, links.LinksConfig(), paths, third)
    assert len(third.stems) < len(first.stems)
    assert set(third.stems) <= set(first.stems)
