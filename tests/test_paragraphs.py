"""Paragraph boundaries and block kinds on small made-up fixtures."""

from __future__ import annotations

from build_site.model import Block, BlockKind, Line, Section
from build_site.paragraphs import (
    block_kind,
    breaks_before,
    is_damaged,
    make_block,
    tail_is_short,
    with_pages,
)

W = 60


def test_short_final_line_with_punctuation_ends_a_paragraph():
    assert breaks_before("and that was the end of it.", "Next morning they", False, W)


def test_full_width_line_does_not_end_a_paragraph_even_with_a_full_stop():
    full = "x" * 58 + "."
    assert not breaks_before(full, "Next morning", False, W)


def test_blank_line_after_a_full_line_is_a_page_join_not_a_break():
    full = "the wind had dropped and the boats could go out again at"
    assert not breaks_before(full + " last", "Dawn came", True, W) or len(full) < 0.85 * W
    assert not breaks_before("a" * 59, "Dawn came", True, W)


def test_blank_line_inside_a_sentence_never_breaks():
    assert not breaks_before("they said it was", "over by then.", True, W)
    assert not breaks_before("they said it was", "over by then.", True, None)


def test_blank_line_after_a_short_unpunctuated_line_breaks():
    assert breaks_before("March 3, 1911", "The meeting opened", True, W)
    assert breaks_before("Strictly private", "Dear friend:", True, None)


def test_unwrapped_text_needs_a_blank_line():
    assert breaks_before("One paragraph.", "Another.", True, None)
    assert not breaks_before("One paragraph.", "Another.", False, None)


def test_tail_of_a_joined_line():
    assert tail_is_short("y" * (2 * W + 10), W)
    assert not tail_is_short("y" * (W - 2), W)


def test_block_kinds():
    assert block_kind("* * *") is BlockKind.BREAK
    assert block_kind("(Applause.)") is BlockKind.META
    assert block_kind("(Prolonged applause.)") is BlockKind.META
    assert block_kind("J. Roberts") is BlockKind.META
    assert block_kind("a) the first point of the plan;") is BlockKind.LIST_ITEM
    assert block_kind("2) The second point, which is longer.") is BlockKind.LIST_ITEM
    assert block_kind("“The harbour must be dredged every year.” (see Vol. 4, p. 12)") \
        is BlockKind.QUOTE
    assert block_kind("The harbour was dredged (at last) in May.") is BlockKind.PARAGRAPH


def test_damaged_text_is_recognised_and_ordinary_prose_is_not():
    assert is_damaged("the grain was then ce ultemelsnmen, thimnt. wroblq the")
    assert is_damaged("and so the )Tj level of output rose")
    assert not is_damaged("The council met on Tuesday and agreed to widen the road.")
    assert not is_damaged("Among them were Kowalczyk, Nieminen, Oyelaran and Ferreira.")


def test_make_block_kind_and_page():
    lines = [Line(10, "It was a long winter and the pass"), Line(11, "stayed closed.")]
    block, _ = make_block(lines, page_of={10: "44", 11: "44"})
    assert block.text == "It was a long winter and the pass stayed closed."
    assert (block.kind, block.first_line, block.last_line, block.page) == (
        BlockKind.PARAGRAPH, 10, 11, "44")


def test_with_pages_fills_nested_sections():
    sec = Section("T", "t", blocks=(Block(BlockKind.PARAGRAPH, "a", 3, 4),),
                  children=(Section("U", "u", blocks=(Block(BlockKind.PARAGRAPH, "b", 9, 9),)),))
    out = with_pages((sec,), {3: "1", 9: "2"})
    assert out[0].blocks[0].page == "1" and out[0].children[0].blocks[0].page == "2"


def test_a_list_item_after_a_finished_item_starts_a_block_even_after_a_long_line():
    from build_site.paragraphs import breaks_before

    prev = "groups as contracting parties within the working party?"  # not short at 55
    assert breaks_before(prev, "2) Has the new policy been justified in the main, or", False, 56)
    assert breaks_before("the boats will be repaired in the spring;",
                         "3) the crews will be paid in full before the winter;", False, 45)
    # mid-sentence, '2)' is text: no break
    assert not breaks_before("and it was decided, under point", "2) of the order, that the",
                             False, 40)


def test_a_paragraph_that_is_one_quotation_is_a_block_quotation():
    words = " ".join(["the workers of every country must hold the line"] * 3)
    assert block_kind(f'"{words.capitalize()}."') is BlockKind.QUOTE
    assert block_kind(f"“{words.capitalize()}.”") is BlockKind.QUOTE
    assert block_kind(f'"{words.capitalize()}".') is BlockKind.QUOTE
    # Narration between two quoted pieces: prose that quotes, not a block quotation.
    assert block_kind(f'"{words}," wrote Lenin, "{words}."') is BlockKind.PARAGRAPH
    # A short quoted line (speech, a slogan) stays a paragraph.
    assert block_kind('"All power to the Soviets!"') is BlockKind.PARAGRAPH
    # Quoted at the start only.
    assert block_kind(f'"{words}," he said, and {words}.') is BlockKind.PARAGRAPH
