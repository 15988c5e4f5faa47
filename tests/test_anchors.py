"""Paragraph ids against the ledger: matching, the ledger file, the build failure and --accept."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_site import anchors as A
from build_site.cli import main
from build_site.library import build_library
from build_site.model import Block, BlockKind, Document, Level, Note, NoteRef, Page, Section

ROOT = Path(__file__).resolve().parents[1]

PARAS = [
    ("The first paragraph speaks of the harvest and the long roads between the villages, where "
    "carts moved slowly under the autumn rain."),
    ("A second paragraph tells how the council met in the old school house and argued until the "
    "lamps burned low over the benches."),
    ("The third paragraph is about the railway workers who refused to move the grain trains "
    "until their wages were paid in full."),
    ("Finally the fourth paragraph closes the account with the election of a new committee and "
    "the reading of its first decree."),
]


def first(texts):
    """The ledger a first ``--accept`` writes for ``texts``."""
    return A.accepted(A.Ledger(), texts, A.match(A.Ledger(), texts))


def resolve(outcome: A.Outcome, anchor: str) -> int | None:
    """Index of the block ``anchor`` lands on after ``outcome``, or None."""
    live = dict(outcome.aliases).get(anchor, anchor)
    return outcome.ids.index(live) if live in outcome.ids else None


# ------------------------------------------------------------------ single edits


def test_first_ids_are_short_and_in_reading_order():
    out = A.match(A.Ledger(), PARAS)
    assert out.ids == ("p-1", "p-2", "p-3", "p-4")
    assert out.new == out.ids and out.next_number == 5


def test_a_corrected_typo_keeps_the_id():
    ledger = first(PARAS)
    edited = [PARAS[0], PARAS[1].replace("council", "cuoncil").replace("lamps", "lamp"),
              *PARAS[2:]]
    assert A.match(ledger, edited).ids == ("p-1", "p-2", "p-3", "p-4")


def test_an_inserted_paragraph_gets_a_new_id_and_the_others_keep_theirs():
    ledger = first(PARAS)
    out = A.match(ledger, [PARAS[0], "An entirely new remark about the weather today.", *PARAS[1:]])
    assert out.ids == ("p-1", "p-5", "p-2", "p-3", "p-4")
    assert out.new == ("p-5",) and not out.vanished


def test_a_split_paragraph_keeps_its_id_on_the_larger_part():
    ledger = first(PARAS)
    words = PARAS[2].split()
    big, small = " ".join(words[:14]), " ".join(words[14:])
    out = A.match(ledger, [*PARAS[:2], big, small, PARAS[3]])
    assert out.ids == ("p-1", "p-2", "p-3", "p-5", "p-4")


def test_merged_paragraphs_the_smaller_retires_to_the_merged_one():
    short = "The council agreed."
    ledger = first([PARAS[0], short, PARAS[1]])
    out = A.match(ledger, [PARAS[0] + " " + short, PARAS[1]])
    assert out.ids == ("p-1", "p-3")
    assert out.moved == (("p-2", "p-1"),) and dict(out.aliases) == {"p-2": "p-1"}
    assert not out.vanished


def test_a_deleted_paragraph_vanishes_and_its_place_is_proposed():
    ledger = first(PARAS)
    out = A.match(ledger, [PARAS[0], PARAS[2], PARAS[3]])
    assert out.ids == ("p-1", "p-3", "p-4")
    assert out.vanished == (("p-2", "p-3"),)


def test_repeated_paragraphs_keep_their_ids_in_order():
    texts = [PARAS[0], "Applause.", PARAS[1], "Applause.", PARAS[2]]
    ledger = first(texts)
    out = A.match(ledger, [PARAS[0], "Applause.", "Applause.", PARAS[1], PARAS[2]])
    assert out.ids == ("p-1", "p-2", "p-4", "p-3", "p-5")


def test_retired_ids_are_never_handed_out_again():
    ledger = first(PARAS)
    gone = A.match(ledger, PARAS[:3])
    ledger = A.accepted(ledger, PARAS[:3], gone)
    out = A.match(ledger, [*PARAS[:3], "A fresh closing paragraph about something else entirely."])
    assert out.ids[-1] == "p-5"  # p-4 was published once: it stays retired
    assert dict(out.aliases) == {"p-4": "p-3"}


def test_a_paragraph_that_became_a_heading_or_a_note_retires_to_it():
    ledger = first([*PARAS, "Chapter Two: the Winter", "10 See the note on wages."])
    out = A.match(ledger, PARAS, sinks=[("chapter-two", "Chapter Two: the Winter"),
                                        ("fn:10", "See the note on wages.")])
    assert dict(out.aliases) == {"p-5": "chapter-two", "p-6": "fn:10"}
    assert not out.vanished


def test_chains_of_successors_end_at_a_live_id():
    ledger = A.Ledger((A.Entry("p-1", A.Print.of(PARAS[0])), A.Entry("p-2", successor="p-3"),
                       A.Entry("p-3", successor="p-1"), A.Entry("p-4", successor="p-4")), 5)
    out = A.match(ledger, [PARAS[0]])
    assert dict(out.aliases) == {"p-2": "p-1", "p-3": "p-1"}  # a cycle resolves to nothing


def test_two_builds_from_the_same_inputs_give_the_same_ids():
    ledger = first(PARAS[:2])
    texts = [*PARAS, "Something new."]
    assert A.match(ledger, texts) == A.match(ledger, texts)


# ------------------------------------------------------------------ the ledger file


def test_the_ledger_file_round_trips_and_is_one_id_a_line():
    ledger = A.accepted(first(PARAS), PARAS[1:], A.match(first(PARAS), PARAS[1:]))
    text = A.dump_ledger(ledger, "demo")
    assert A.parse_ledger(text) == ledger
    assert "  p-1: [\"p-2\"" in text and text.count("\n  p-") == 4


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
       st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_any_first_words_round_trip_through_the_ledger_file(live_words, retired_words):
    """Emoji and mathematical letters (beyond U+FFFF) too: JSON's surrogate escapes for them
    made YAML reject the ledger that ``--accept`` had just written."""
    ledger = A.Ledger((A.Entry("p-1", A.Print("d1", 2, (1, 255), live_words)),
                       A.Entry("p-2", successor="p-1", words=retired_words)), 3)
    text = A.dump_ledger(ledger, "demo")
    assert text.isascii() and A.parse_ledger(text) == ledger


def test_the_seed_ledgers_are_written_as_they_were():
    """Ledgers hold JSON's quoting; the \\U escape changes only characters beyond U+FFFF."""
    for path in sorted((Path(__file__).parent.parent / "source").glob("*/" + A.LEDGER_FILE)):
        text = path.read_text(encoding="utf-8")
        assert A.dump_ledger(A.parse_ledger(text), path.parent.name) == text, path


def test_a_damaged_ledger_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / A.LEDGER_FILE).write_text("live: [not, a, mapping\n")
    doc = Document("demo", (Section("T", "t", is_page=True,
                                    blocks=(Block(BlockKind.PARAGRAPH, PARAS[0]),)),))
    out = A.assign_anchors(doc, tmp_path)
    [err] = [d for d in out.diagnostics if d.level is Level.ERROR]
    assert err.code == "anchors-bad-ledger" and err.path.endswith("demo/anchors.yml")


# ------------------------------------------------------------------ the document and the page


def _doc(texts, notes=()):
    blocks = tuple(Block(BlockKind.PARAGRAPH, t) for t in texts)
    return Document("demo", (Section("Title", "title", is_page=True, blocks=(
        blocks[0], Block(BlockKind.BREAK, "* * *"), *blocks[1:])),), notes=notes)


def test_every_block_but_a_break_gets_an_id_and_the_page_data_says_where_old_ids_go():
    doc = _doc([PARAS[0] + " The council agreed.", PARAS[1]],
               notes=(Note("n1", "A note."),))
    ledger = first([PARAS[0], "The council agreed.", PARAS[1]])
    out, _ = A.anchor_document(doc, ledger, "demo/anchors.yml")
    blocks = out.sections[0].blocks
    assert [b.anchor for b in blocks] == ["p-1", "", "p-3"]
    data = A.page_data(out.sections[0], out, blocks)
    assert data["aliases"] == {"p-2": "p-1"} and data["work"] == "demo"


def test_the_catalogue_lists_pages_ids_first_words_and_retired_ids():
    doc, _ = A.anchor_document(_doc(PARAS[:2]), first(PARAS[:3]), "x")
    doc = Document(doc.slug, doc.sections, aliases=(("p-3", "p-2"),))
    page = Page("a/demo/title.md", "Title", "Text\n{ #p-1 }\n\n> Quote\n> { #p-2 }\n", "demo")
    cat = A.catalogue([page], [doc])
    assert cat["pages"] == [{"url": "a/demo/title/", "title": "Title", "work": "demo",
                             "ids": [["p-1", A.head(PARAS[0])], ["p-2", A.head(PARAS[1])]]}]
    assert cat["works"] == {"demo": {"retired": {"p-3": "p-2"}}}
    assert A.page_url("a/index.md") == "a/" and A.page_url("a/b.md", False) == "a/b.html"


def test_page_data_is_escaped_json_in_the_rendered_page():
    from build_site.render import render_document

    hostile = 'He wrote "</div><script>alert(1)</script>" & left.'
    doc, _ = A.anchor_document(_doc([hostile, PARAS[1]]), A.Ledger(), "x")
    doc = Document(doc.slug, doc.sections, cite=(("author", '<b>"Eve"</b>'),))
    md = render_document(doc)[0].markdown
    line = next(ln for ln in md.splitlines() if 'class="anchor-data"' in ln)
    assert "<script>" not in line and "<b>" not in line and '"Eve"' not in line
    raw = line.split('data-anchors="', 1)[1].rsplit('"', 1)[0]
    import html

    assert json.loads(html.unescape(raw))["author"] == '<b>"Eve"</b>'


def test_note_and_heading_ids_count_as_on_the_page():
    sub = Section("Part Two", "part-two", level=2, blocks=(Block(BlockKind.PARAGRAPH, "x"),))
    sec = Section("T", "t", is_page=True, children=(sub,), blocks=(
        Block(BlockKind.PARAGRAPH, "y", refs=(NoteRef(1, "n.1"),), anchor="p-1"),))
    doc = Document("demo", (sec,), aliases=(("p-7", "part-two"), ("p-8", "fn:n-1")))
    data = A.page_data(sec, doc, [*sec.blocks, *sub.blocks])
    assert data["aliases"] == {"p-7": "part-two", "p-8": "fn:n-1"}


# ------------------------------------------------------------------ random edit scripts

VOCAB = [f"{a}{b}{c}" for a in ("ka", "lo", "mi", "ne", "po", "ru", "si", "ta", "vu", "ze")
         for b in ("bar", "den", "fil", "gom", "hut", "jas", "kel", "mor", "nip", "sot",
                   "tur", "vex") for c in ("", "a", "en", "ig")]


@dataclass(frozen=True)
class Tok:
    word: str
    origin: int  # index of the published paragraph it comes from; -1 if inserted


def _text(para: list[Tok]) -> str:
    return " ".join(t.word for t in para)


@st.composite
def corpus(draw):
    """Paragraphs of 1 to 60 words, a word seldom repeated inside one (as in prose)."""
    n = draw(st.integers(3, 12))
    words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=60, unique=True)
    return [[Tok(w, i) for w in draw(words)] for i in range(n)]


EDIT = st.tuples(st.sampled_from(["typo", "split", "merge", "insert", "delete"]),
                 st.integers(0, 10_000), st.integers(0, 10_000))


def apply(paras: list[list[Tok]], script) -> list[list[Tok]]:
    """Apply an edit script; tokens remember which published paragraph they came from."""
    paras = [list(p) for p in paras]
    for op, a, b in script:
        i = a % len(paras)
        p = paras[i]
        if op == "typo" and p:
            k = b % len(p)
            w = p[k].word
            p[k] = Tok(w[:-1] + ("x" if w[-1] != "x" else "y"), p[k].origin)
        elif op == "split" and len(p) > 1:
            k = 1 + b % (len(p) - 1)
            paras[i:i + 1] = [p[:k], p[k:]]
        elif op == "merge" and i + 1 < len(paras):
            paras[i:i + 2] = [p + paras[i + 1]]
        elif op == "insert":
            paras.insert(i, [Tok(VOCAB[(b + j * 7) % len(VOCAB)] + "q", -1)
                             for j in range(1 + b % 30)])
        elif op == "delete" and len(paras) > 1:
            del paras[i]
    return paras


def check_generation(ledger: A.Ledger, before: list[list[Tok]], after: list[list[Tok]]):
    """Every id the ledger ever published lands on a block after the edit; live ids land on
    their own words; where one block holds most of a paragraph's words, the id lands there."""
    texts = [_text(p) for p in after]
    out = A.match(ledger, texts)
    assert out == A.match(ledger, texts), "the same inputs must give the same ids"
    assert len(set(out.ids)) == len(out.ids), "ids are unique"
    published = {e.anchor for e in ledger.entries}
    assert not set(out.new) & published, "a published id was handed out again"
    live = {e.anchor: k for k, e in enumerate(ledger.live)}
    vanished = dict(out.vanished)
    old_texts = [_text(p) for p in before]
    for anchor in published:
        if anchor in vanished:  # --accept records a successor: checked after acceptance below
            if anchor in live:
                origin = live[anchor]
                words = {t.word for t in before[origin]}  # a corrected word is not its own
                most = max(sum(t.origin == origin and t.word in words for t in p) for p in after)
                assert most < 0.5 * len(before[origin]), f"{anchor} vanished with its words here"
            continue
        target = resolve(out, anchor)
        assert target is not None, f"{anchor} resolves to nothing"
        if anchor not in live:
            continue
        origin = live[anchor]
        words = {t.word for t in before[origin]}
        own = [sum(t.origin == origin for t in p) for p in after]
        assert any(t.origin == origin or t.word in words for t in after[target]), (
            f"{anchor} landed on a block without its words")
        best = max(own)
        mine = A.shingles(A.words_of(old_texts[origin]))
        others = [t for k, t in enumerate(old_texts) if k != origin]
        others += [_text(p) for p, n in zip(after, own) if n == 0]
        # Identical texts cannot be told apart by content: the strong check needs a unique one.
        unique = all(len(mine & A._lookup(A.words_of(t))) < 0.5 * len(mine) for t in others)
        if (unique and sum(own) >= 6 and best >= 0.8 * sum(own)
                and best >= 0.5 * len(after[own.index(best)])):
            assert own[target] == best, f"{anchor} did not follow most of its words"
    accepted = A.accepted(ledger, texts, out)
    again = A.match(accepted, texts)
    assert not again.vanished and not again.new and again.ids == out.ids
    for anchor in published:
        assert resolve(again, anchor) is not None, f"{anchor} lost after --accept"
    return accepted, out


def _relabel(after: list[list[Tok]], ledger: A.Ledger, out: A.Outcome) -> list[list[Tok]]:
    """Tokens of the next generation: their origin is the block's index in the new ledger."""
    return [[Tok(t.word, i) for t in p] for i, p in enumerate(after)]


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(corpus(), st.lists(EDIT, min_size=1, max_size=8), st.lists(EDIT, min_size=1, max_size=8))
def test_random_edit_scripts_keep_every_published_id_resolving(paras, script1, script2):
    ledger = first([_text(p) for p in paras])
    after = apply(paras, script1)
    ledger, out = check_generation(ledger, paras, after)
    nxt = _relabel(after, ledger, out)
    check_generation(ledger, nxt, apply(nxt, script2))


# ------------------------------------------------------------------ the build and --accept


def _work(src: Path, paras: list[str]) -> None:
    raw = ("\n\n".join(paras) + "\n").encode()
    folder = src / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw.txt").write_bytes(raw)
    (folder / "work.yml").write_text(
        "title: Demo Work\nauthors: [stalin]\ndate: 1917\nsource:\n  description: a fixture\n"
        f"raw_kind: web-page-text\nraw_file: raw.txt\nsha256: {hashlib.sha256(raw).hexdigest()}\n")


def test_a_vanishing_id_fails_the_build_until_it_is_accepted(tmp_path, capsys):
    shutil.copy(ROOT / "tests/fixtures/metadata/authors.yml", tmp_path / "authors.yml")
    _work(tmp_path, PARAS)
    assert not build_library(tmp_path).errors  # no ledger yet: nothing published
    assert main(["--source", str(tmp_path), "anchors", "--accept"]) == 0
    ledger_file = tmp_path / "demo" / "anchors.yml"
    assert ledger_file.is_file()
    assert [e.anchor for e in A.parse_ledger(ledger_file.read_text()).live] == [
        "p-1", "p-2", "p-3", "p-4"]

    _work(tmp_path, [PARAS[0], PARAS[2], PARAS[3]])  # the second paragraph is deleted
    built = build_library(tmp_path)
    [err] = built.errors
    assert err.code == "anchors-vanished" and err.path == str(ledger_file)
    assert "p-2" in err.message and "build-site anchors --accept" in err.message
    assert main(["--source", str(tmp_path), "anchors"]) == 1  # report only: still failing
    assert ledger_file.read_text().count("p-2:") == 1

    assert main(["--source", str(tmp_path), "anchors", "--accept"]) == 0
    assert "p-2 -> p-3" in capsys.readouterr().out
    built = build_library(tmp_path)
    assert not built.errors
    assert dict(built.documents[0].aliases) == {"p-2": "p-3"}
    assert '  p-2: ["p-3"' in ledger_file.read_text()


def test_the_real_ledgers_match_the_real_texts():
    """A fresh clone builds: every committed ledger accounts for every id it published."""
    built = build_library(ROOT / "source")
    vanished = [d for d in built.diagnostics if d.code == "anchors-vanished"]
    assert not vanished, "\n".join(map(str, vanished[:5]))
    for doc in built.documents:
        ids = [b.anchor for b in A.anchored_blocks(doc.sections)]
        assert all(ids) and len(set(ids)) == len(ids), doc.slug
