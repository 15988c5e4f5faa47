"""The links stage on small made-up documents: people, titles, shared passages, declared links,
and how render writes them. The texts here are invented for the tests."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from build_site import links
from build_site.metadata import Person
from build_site.model import Block, BlockKind, Document, InlineLink, Note, NoteRef, Section
from build_site.render import render_document, render_page


@dataclass(frozen=True)
class Work:
    title: str
    date: str
    aliases: tuple[str, ...] = ()


PEOPLE = {
    "lenin": Person(name="V. I. Lenin", sort_name="Lenin", born=1870, died=1924,
                    aliases=["Lenin", "Lenine"], description="A line about him."),
    "sverdlov": Person(name="Y. M. Sverdlov", sort_name="Sverdlov", aliases=["Sverdlov"]),
    "chernov": Person(name="V. M. Chernov", sort_name="Chernov", aliases=["Chernov", "Tchernov"]),
}

# One passage in two invented 'translations', and a long stretch of other text.
PASSAGE_A = ("The granary keepers of the northern valley must count every sack of barley before "
             "the frost, record the weight of each wagon in the ledger, and send the tally to the "
             "council of millers, who will weigh the surplus against the winter reserves of the "
             "river towns and decide how much grain travels south along the canal.")
PASSAGE_B = ("Those keeping the granaries of the northern valley have to count each sack of barley "
             "ahead of the frost, enter the weight of every wagon into the ledger and forward the "
             "tally to the millers' council, which weighs the surplus against the winter reserve "
             "of the river towns and decides how much grain goes south by the canal.")


def para(text: str, kind: BlockKind = BlockKind.PARAGRAPH, refs=()) -> Block:
    return Block(kind, text, refs=tuple(refs))


def doc(slug: str, *pages: tuple[str, list[Block]]) -> Document:
    secs = tuple(Section(title, re.sub(r"\W+", "-", title.lower()).strip("-"), is_page=True,
                         blocks=tuple(blocks)) for title, blocks in pages)
    return Document(slug, secs)


def library(**works: Work):
    return SimpleNamespace(people=PEOPLE, works=works)


def linked_blocks(linked, slug: str) -> list[Block]:
    return [p.block for p in links.paragraphs({slug: linked.docs[slug]})]


# --- people --------------------------------------------------------------------------------


def test_people_match_names_and_spellings_but_not_words_or_things_named_after_them():
    pattern, forms = links.person_pattern(PEOPLE)
    text = ("Lenine wrote; Lenin’s view; LENIN; Leninism; the Marx-Engels-Lenin Institute; "
            "Sverdlov University; Tchernov.")
    found = [(m.key, text[m.start:m.end]) for m in links.person_mentions(text, pattern, forms)]
    assert found == [("lenin", "Lenine"), ("lenin", "Lenin"), ("lenin", "LENIN"),
                     ("chernov", "Tchernov")]


def test_first_mention_per_section_is_linked_and_every_paragraph_is_listed():
    docs = {"a": doc("a", ("One", [para("Lenin spoke."), para("Then Lenine spoke again.")]),
                     ("Two", [para("And Lenin once more.")]))}
    linked = links.link_library(docs, library(a=Work("Work A", "1920")))
    blocks = linked_blocks(linked, "a")
    assert [len([k for k in b.links if k.kind == "person"]) for b in blocks] == [1, 0, 1]
    card = dict(blocks[0].links[0].data)
    assert card == {"name": "V. I. Lenin", "dates": "1870–1924", "line": "A line about him."}
    page = next(p for p in linked.pages if p.path == "people/lenin.md")
    assert page.markdown.count("#p-") == 3  # all three paragraphs, linked ones or not
    assert "people/index.md" in [p.path for p in linked.pages]
    assert {"People": ["people/index.md", {"V. I. Lenin": "people/lenin.md"}]} in linked.nav


# --- titles --------------------------------------------------------------------------------


def test_a_title_is_linked_only_where_it_is_used_as_a_title():
    docs = {
        "power": doc("power", ("Soviet Power", [para("All of it.")])),
        "other": doc("other", ("Text", [
            para("Soviet power is a common phrase, and so is soviet power."),
            para("He wrote the article “Soviet Power” that year."),
            para("In the pamphlet Soviet Power he argued."),
            para("In the pamphlet soviet power grew."),
        ])),
    }
    lib = library(power=Work("Soviet Power", "1917"), other=Work("Other", "1930"))
    linked = links.link_library(docs, lib, index_paths={"power": "power/index.md",
                                                        "other": "other/index.md"})
    blocks = linked_blocks(linked, "other")
    titled = [[b.text[k.start:k.end] for k in b.links if k.kind == "title"] for b in blocks]
    assert titled == [[], ["Soviet Power"], ["Soviet Power"], []]
    assert blocks[1].links[0].href == "power/index.md"
    assert [href for _, href in linked.references["power"]] == [
        "other/text.md#p-2", "other/text.md#p-3"]


def test_declared_title_points_to_a_heading_inside_another_work():
    docs = {
        "vol": doc("vol", ("Preface", [para("A preface.")]),
                   ("THE GRAIN LECTURES", [para("First lecture.")])),
        "later": doc("later", ("Chapter", [
            para("He published his brochure called The Grain Lectures: it said much.")])),
    }
    cfg, diags = links.load_config(
        "titles:\n  - title: The Grain Lectures\n    work: vol\n    heading: THE GRAIN LECTURES\n")
    assert diags == []
    linked = links.link_library(docs, library(vol=Work("Volume", "1924"),
                                              later=Work("Later", "1936")), cfg)
    (link,) = [k for k in linked_blocks(linked, "later")[0].links if k.kind == "title"]
    assert link.href == "vol/the-grain-lectures.md"
    assert linked.edges == {("later", "vol"): 1}


# --- shared passages -----------------------------------------------------------------------


def test_two_translations_of_one_passage_are_found_and_stock_phrases_are_not():
    filler = "Elsewhere the discussion turns to the weather, to shipping and to the harvest fair."
    texts = [f"He wrote: “{PASSAGE_B}” {filler}", PASSAGE_A,
             "From the point of view of the dictatorship of the proletariat, we must act.",
             "From the point of view of the dictatorship of the proletariat, nothing changes."]
    found = links.shared_passages(texts, ["late", "early", "x", "y"])
    assert [(f.a, f.b) for f in found] == [(0, 1)]
    start, end = found[0].a_span
    assert "count each sack of barley" in texts[0][start:end]
    assert "weather" not in texts[0][start:end]
    assert links._in_quotation(texts[0], found[0].a_span)
    assert not links._in_quotation(texts[1], found[0].b_span)


def test_repeats_inside_one_work_are_not_shared_passages():
    assert links.shared_passages([PASSAGE_A, PASSAGE_B], ["same", "same"]) == []


def test_candidates_come_from_rare_word_pairs_not_from_every_pair(monkeypatch):
    """A pair of words in more paragraphs than max_df is stock: no paragraph is compared for it."""
    calls = []
    real = links._align
    monkeypatch.setattr(links, "_align", lambda *a, **k: calls.append(1) or real(*a, **k))
    texts = [f"Paragraph {i} repeats the grain ledger council canal wording." for i in range(300)]
    links.shared_passages(texts, [f"w{i}" for i in range(300)], max_df=12)
    assert calls == []


def test_quotation_links_point_from_the_quotation_to_its_source_and_back():
    docs = {"early": doc("early", ("Article", [para(PASSAGE_A)])),
            "late": doc("late", ("Lecture", [para("Plain words."),
                                             para(f"He wrote: “{PASSAGE_B}”")]))}
    linked = links.link_library(docs, library(early=Work("Early", "1923"),
                                              late=Work("Late", "1924")))
    (src,) = linked_blocks(linked, "early")
    quote = linked_blocks(linked, "late")[1]
    assert [(c.kind, c.href) for c in quote.connections] == [("quotes", "early/article.md#p-1")]
    assert [(c.kind, c.href) for c in src.connections] == [("quoted-in", "late/lecture.md#p-2")]
    assert quote.anchor == "p-2"  # render's own numbering, written down for the panel
    assert linked.counts["quotation"] == 2


def test_declared_link_with_a_note_joins_two_paragraphs_found_by_their_words():
    docs = {"a": doc("a", ("Appendix", [para("Intro."), para("“One country is enough,” he "
                                                              "wrote then.")])),
            "b": doc("b", ("Theory", [para("But one country is not enough for the final "
                                           "victory.")]))}
    text = """
links:
  - from: {work: a, text: "One country is enough"}
    to: {work: b, text: "one country is not enough"}
    kind: revised-in
    note: The first edition; later revised.
"""
    cfg, diags = links.load_config(text)
    assert diags == []
    linked = links.link_library(docs, library(a=Work("A", "1936"), b=Work("B", "1924")), cfg)
    a2 = linked_blocks(linked, "a")[1]
    (b1,) = linked_blocks(linked, "b")
    assert [(c.kind, c.href, c.note) for c in a2.connections] == [
        ("revised-in", "b/theory.md#p-1", "The first edition; later revised.")]
    assert [(c.kind, c.href) for c in b1.connections] == [("revises", "a/appendix.md#p-2")]


@pytest.mark.parametrize("text, code", [
    ("links:\n  - from: {work: a}\n    to: {work: b, text: x}\n", "links-bad-place"),
    ("links:\n  - from: {work: a, text: y}\n    to: {work: b, text: x}\n    kind: odd\n",
     "links-bad-kind"),
    ("titles: [", "links-yaml"),
])
def test_bad_configuration_is_reported(text, code):
    _, diags = links.load_config(text)
    assert [d.code for d in diags] == [code]


def test_declared_place_that_no_longer_exists_is_a_warning():
    docs = {"a": doc("a", ("P", [para("x")])), "b": doc("b", ("Q", [para("y")]))}
    cfg, _ = links.load_config("links:\n  - from: {work: a, text: gone}\n"
                               "    to: {work: b, text: y}\n")
    linked = links.link_library(docs, library(a=Work("A", "1"), b=Work("B", "2")), cfg)
    assert [d.code for d in linked.diagnostics] == ["links-place-not-found"]


# --- map -----------------------------------------------------------------------------------


def test_map_has_a_node_per_work_linking_to_it_and_edges_weighted_by_links():
    svg = links.map_svg([("a", "Alpha", "../a/"), ("b", "Beta <b>", "../b/"),
                         ("c", "Gamma", "../c/")], {("a", "b"): 3, ("b", "c"): 1})
    assert svg.count('<a class="map-node"') == 3 and 'href="../a/"' in svg
    assert "Beta &lt;b&gt;" in svg and "<b>" not in svg
    widths = [float(w) for w in re.findall(r'stroke-width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[0] > widths[1]


def test_directory_urls():
    assert links._url("index.md") == ""
    assert links._url("a/index.md") == "a/"
    assert links._url("a/b.md") == "a/b/"


# --- render --------------------------------------------------------------------------------


def test_render_writes_links_around_escaped_text_relative_to_the_page():
    block = Block(BlockKind.PARAGRAPH, "See [Lenin*] and _more_.", anchor="p-1",
                  links=(InlineLink(4, 12, "people/lenin.md", "person",
                                    (("name", 'V. "I." {Lenin}'),)),))
    sec = Section("T", "t", is_page=True, blocks=(block,))
    md = render_page(sec, Document("w", (sec,)), here="author/w/t.md")
    assert ('See [\\[Lenin\\*\\]](../../people/lenin.md){ .xref-person data-name="V. I. Lenin" }'
            ' and \\_more\\_.') in md


def test_links_compose_with_note_markers_and_a_link_around_a_marker_is_dropped():
    note = Note("n1", "A note.")
    block = Block(BlockKind.PARAGRAPH, "Lenin and Chernov met.", anchor="p-1",
                  refs=(NoteRef(5, "n1"), NoteRef(13, "n1")),
                  links=(InlineLink(0, 5, "people/lenin.md", "person"),
                         InlineLink(10, 17, "people/chernov.md", "person")))
    sec = Section("T", "t", is_page=True, blocks=(block,))
    (page,) = render_document(Document("w", (sec,), notes=(note,)))
    assert "[Lenin](../people/lenin.md){ .xref-person }[^n1] and Che[^n1]rnov met." in page.markdown


def test_connections_panel_is_written_after_its_paragraph():
    from build_site.model import Connection

    block = Block(BlockKind.QUOTE, "Quoted words.", anchor="p-3",
                  connections=(Connection("quotes", "x/y.md#p-1", "X › Y ¶1 <i>"),))
    sec = Section("T", "t", is_page=True, blocks=(block,))
    md = render_page(sec, Document("w", (sec,)), here="w/t.md")
    assert '<div class="xref-panel" data-for="p-3"' in md
    assert "- Quotes [X › Y ¶1 &lt;i&gt;](../x/y.md#p-1)" in md


def test_a_declared_place_in_no_work_of_the_library_names_the_file():
    docs = {"a": doc("a", ("P", [para("x")]))}
    cfg, _ = links.load_config("links:\n  - from: {work: a, text: x}\n"
                               "    to: {work: nowhere, text: y}\n", "source/links.yml")
    linked = links.link_library(docs, library(a=Work("A", "1")), cfg)
    (d,) = linked.diagnostics
    assert d.code == "links-unknown-work" and d.path == "source/links.yml"
    assert "links[0].to" in d.message and "'nowhere'" in d.message


def test_shared_passages_come_out_in_the_same_order_whatever_the_hash_seed():
    """Connections are listed in the order the passages are found: a set's order (which
    changes with PYTHONHASHSEED) must not decide it, or two builds differ."""
    import subprocess
    import sys

    code = (
        "import random\n"
        "from build_site.links import shared_passages\n"
        "rng = random.Random(7)\n"
        "vocab = [''.join(rng.choice('abcdefghijklmnop') for _ in range(7)) for _ in range(400)]\n"
        "half = [' '.join(rng.choice(vocab) for _ in range(20)) for _ in range(16)]\n"
        "texts = [half[k] + ' ' + half[8 + (k + w) % 8] for w in range(3) for k in range(8)]\n"
        "works = [f'w{w}' for w in range(3) for _ in range(8)]\n"
        "print([(p.a, p.b) for p in shared_passages(texts, works)])\n")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(6)}
    assert len(runs) == 1 and runs.pop().count("(") > 10


# --- the fast paths equal their plain definitions ----------------------------------------
# The links stage reads every paragraph of the library; its fast paths (bulk string operations,
# a byte table for ASCII, regexes the engine can skip through) must give exactly what the plain
# word-by-word definitions below give. Random texts mix the characters where they could differ.

_FRAGMENTS = ("the", "grain", "ledger", "Council", "MILLERS", "of", "a", "I", "it's", "don’t",
              "e-mail", "word--word", "x-'y", "re’-elect", "r e s u l t", "a  b  c", "L E N I N",
              "Straße", "ﬁnal", "İstanbul", "ıdea", "ſee", "Kelvin", "Σίσυφος", "naïve", "café",
              "42", "1917th", "snake_case", "—", "–", "“", "”", "‘", "’", "'", "-", ",", ".", ";",
              "(", ")", "[", "*", "_", "«", "»", "\n", "  ", "book", "see also", "called",
              "entitled", "articles", "xbook", "Pamphlet", "SEE ABOVE", "work:", "report (")


def _random_texts(n: int, seed: int = 11) -> list[str]:
    import random
    rng = random.Random(seed)
    return [rng.choice(("", " ")).join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 40)))
            for _ in range(n)]


def _stems_plain(text: str) -> list[str]:
    """stems() as first written: regexes and a translate table, word by word."""
    if links._SPACED.search(text):
        text = links._SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = re.sub(r"[-'’]{2,}", " ", text.casefold()).translate(str.maketrans("", "", "-'’"))
    return [w[:6] for w in re.findall(r"[^\W\d_]+", text) if len(w) > 2 and w not in links._STOP]


def _tokens_plain(text: str) -> list[tuple[str, int, int]]:
    """tokens() as first written: every word normalised by itself."""
    raw = [(m.group(0), m.start(), m.end()) for m in links._TOKEN.finditer(text)]
    merged = links._merge_spaced(raw)
    out = []
    for word, s, e in merged:
        w = re.sub(r"[-'’]", "", word).casefold()
        if len(w) > 2 and w not in links._STOP:
            out.append((w[:6], s, e))
    return out


def test_merge_spaced_joins_three_or_more_one_letter_words_and_keeps_every_other_word_once():
    text = "a b cat r e s u l t dog x y z"
    raw = [(m.group(0), m.start(), m.end()) for m in links._TOKEN.finditer(text)]
    assert links._merge_spaced(raw) == [("a", 0, 1), ("b", 2, 3), ("cat", 4, 7),
                                        ("result", 8, 19), ("dog", 20, 23), ("xyz", 24, 29)]


def test_stems_and_tokens_equal_their_word_by_word_definitions():
    texts = _random_texts(3000)
    assert any(t.isascii() for t in texts) and not all(t.isascii() for t in texts)
    for text in texts:
        assert links.stems(text) == _stems_plain(text), text
        assert links.tokens(text) == _tokens_plain(text), text


def test_fast_title_starts_equal_the_case_insensitive_regex():
    seen = 0
    for text in _random_texts(3000, seed=5):
        lowered = text.lower()
        if len(lowered) != len(text) or any(c in lowered for c in links._FOLDS_TO_ASCII):
            continue  # title_spans reads these with _STARTS itself
        fast = [m.span() for m in links._fast_starts(lowered)]
        assert fast == [m.span() for m in links._STARTS.finditer(lowered)], text
        seen += len(fast)
    assert seen > 1000


def test_a_letter_that_folds_to_a_cue_letter_still_cues_a_title():
    """'ſee' is 'see' to the case-insensitive cue: such a text takes the plain regex."""
    target = links.TitleTarget("Soviet Power", "p/index.md", "p", "Soviet Power", False, False)
    index = links._title_index([(links.title_words("Soviet Power"), target)])
    for cue in ("see", "ſee", "SEE", "ıtem called"):
        found = links.title_mentions(f"As to this, {cue} Soviet Power on it.", index, "other")
        assert [m.key for m, _ in found] == ["p/index.md"], cue


def test_person_regex_equals_the_lookbehind_first_form():
    pattern, forms = links.person_pattern(PEOPLE)
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    plain = re.compile(rf"(?<![\w\-.])({alts})(?=(?:['’]s|s)?(?![\w\-]))"
                       rf"(?!{links._NAMED_AFTER})")
    names = ("Lenin", "Lenine", "LENIN", "Sverdlov", "Tchernov", "V. I. Lenin", "Y. M. Sverdlov")
    import random
    rng = random.Random(3)
    seen = 0
    for _ in range(2000):
        text = "".join(rng.choice(names + _FRAGMENTS + (" University", "’s", "s", "-", ".", "x"))
                       for _ in range(rng.randint(0, 20)))
        got = [(m.key, m.start, m.end) for m in links.person_mentions(text, pattern, forms)]
        assert got == [(forms[m.group(1)], *m.span(1)) for m in plain.finditer(text)], text
        seen += len(got)
    assert seen > 200


def test_distinct_texts_keep_first_appearance_order():
    assert links.distinct(["b", "a", "b", "c", "a"]) == (["b", "a", "c"], [0, 1, 0, 2, 1])


def test_a_repeated_paragraph_is_aligned_once_and_found_in_every_copy(monkeypatch):
    calls = []
    real = links._align
    monkeypatch.setattr(links, "_align", lambda *a, **k: calls.append(1) or real(*a, **k))
    texts = [PASSAGE_A, PASSAGE_B, PASSAGE_A, PASSAGE_B]
    found = links.shared_passages(texts, ["w1", "w2", "w3", "w4"])
    pairs = {(f.a, f.b): f for f in found}
    assert {(0, 1), (0, 3), (1, 2), (2, 3)} <= set(pairs)
    assert pairs[(0, 1)].a_span == pairs[(2, 3)].a_span == pairs[(0, 3)].a_span
    assert pairs[(0, 1)].score == pairs[(2, 3)].score == pairs[(0, 3)].score
    # one alignment per ordered pair of distinct texts (A-B, B-A, A-A, B-B), not per paragraph pair
    assert len(calls) == len({(texts[f.a], texts[f.b]) for f in found}) <= 4


def test_sections_with_nothing_linked_are_kept_not_copied():
    docs = {"a": doc("a", ("One", [para("Lenin spoke.")]), ("Two", [para("Nobody spoke.")]))}
    linked = links.link_library(docs, library(a=Work("Work A", "1920")))
    one, two = linked.docs["a"].sections
    assert one is not docs["a"].sections[0] and one.blocks[0].links
    assert two is docs["a"].sections[1]
    plain = {"b": doc("b", ("Three", [para("Nobody at all.")]))}
    assert links.link_library(plain, library(b=Work("B", "1921"))).docs["b"] is plain["b"]
