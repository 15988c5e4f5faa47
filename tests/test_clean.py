"""Unit tests of the cleaner's fixers on small made-up fixtures (no text from the sources)."""

from __future__ import annotations

from build_site.clean import clean_lines
from build_site.clean.corrections import apply_corrections, parse_corrections
from build_site.clean.furniture import FurnitureConfig, drop_debris, drop_running_heads
from build_site.clean.letterspacing import collapse_line, spaced_runs
from build_site.clean.ocr import repair_token
from build_site.clean.pagemap import page_map
from build_site.clean.vocabulary import build_vocabulary
from build_site.clean.words import hyphen_decision
from build_site.model import Level, Line

CFG = FurnitureConfig()


def lines_of(*texts: str) -> tuple[Line, ...]:
    return tuple(Line(i, t) for i, t in enumerate(texts, 1))


def texts(cleaned) -> list[str]:
    return [ln.text for ln in cleaned.lines if ln.text]


def test_page_furniture_sandwich_is_dropped_and_sentence_rejoins():
    raw = lines_of(
        "The harbour pilots met every vessel that came in past the",
        "", "12", "", "A HISTORY OF PILOTAGE", "",
        "breakwater, whatever the weather or the hour of the night.",
        "Later the guild kept its own boats and its own small yard.",
        "", "A HISTORY OF PILOTAGE", "", "13", "",
        "Each boat carried two pilots and a boy who kept the lamps.")
    out = clean_lines(raw, CFG)
    assert "12" not in texts(out) and "13" not in texts(out)
    assert "A HISTORY OF PILOTAGE" not in texts(out)
    dropped = {c.line: c.reason for c in out.changes if c.action == "dropped"}
    assert dropped == {3: "page number", 5: "running head", 10: "running head",
                       12: "page number"}


def test_lone_number_between_sentences_is_kept():
    """Note numbers and list numbers stand alone too; only a cut sentence proves a page."""
    raw = lines_of("The first resolution was carried.", "", "7", "",
                   "The second was put off until the spring meeting.")
    out, changes = drop_running_heads(list(raw), CFG)
    assert [ln.text for ln in out if ln.text] == [
        "The first resolution was carried.", "7",
        "The second was put off until the spring meeting."]
    assert changes == []


def test_heading_that_is_not_repeated_is_kept_even_beside_a_number():
    raw = lines_of("Closing words of the report.", "", "APPENDIX", "", "1", "",
                   "The tables below were compiled later.")
    out, _ = drop_running_heads(list(raw), CFG)
    assert "APPENDIX" in [ln.text for ln in out]


def test_page_map_counts_page_starts_from_a_surviving_number():
    raw = lines_of("first page text", " second page starts here", "still second",
                   "", "40", "", "third page after the number", " fourth page")
    pages = page_map(raw, {5: 40}, frozenset())
    assert pages[1] == "38" and pages[2] == "39" and pages[3] == "39"
    assert pages[7] == "40" and pages[8] == "41"
    assert page_map(raw, {}, frozenset()) == {}


def test_cleaned_exposes_page_of_for_surviving_lines():
    raw = lines_of("The river rose in the night and by the", "", "5", "", "RIVER TOWNS", "",
                   "morning the lower streets were under water.", " The mayor called",
                   "out the fire brigade.", "", "RIVER TOWNS", "", "7", "",
                   "Boats went from door to door.")
    out = clean_lines(raw, CFG)
    assert out.page_of[7] == "5" and out.page_of[8] == "6" and out.page_of[15] == "7"


def test_watermark_lines_and_glued_words_are_cut_and_the_word_rejoined():
    cfg = FurnitureConfig(watermarks=("PURPLE HERON PRESS", "FOR REVIEW ONLY"))
    raw = lines_of("The committee met in Septem", "PURPLE HERON", "", "bered sessions.",
                   "It sat again in OctoREVIEW", "ber and in the winter.", "ONLY")
    out = clean_lines(raw, cfg)
    joined = " ".join(texts(out))
    assert "PURPLE" not in joined and "REVIEW" not in joined and "ONLY" not in joined
    assert "It sat again in October and in the winter." in joined


def test_debris_goes_but_short_words_and_marks_stay():
    raw = lines_of("(", "!(@$", "•J", "of", "2.", "* * *", "[...]", "A real line.")
    out, changes = drop_debris(list(raw), CFG)
    assert [ln.text for ln in out] == ["of", "2.", "* * *", "[...]", "A real line."]
    assert len(changes) == 3


VOCAB = build_vocabulary([
    "the orchard keepers and the beekeepers worked together through the long summer",
    "a well-known orchard, a co-operative of growers, the non-Member growers",
    "the co-operative sold honey; the co-operative kept accounts",
    "the co-operative paid the growers",
])


def test_letter_spaced_run_is_collapsed_into_words():
    line = "t h e o r c h a r d k e e p e r s w o r k e d t o g e t h e r"
    assert spaced_runs(line.split())
    assert collapse_line(line, VOCAB) == "the orchard keepers worked together"


def test_half_spaced_word_and_initials():
    assert collapse_line("they work ed t o g e t h e r", VOCAB) == "they worked together"
    assert collapse_line("Signed: J. R o b e r t s", VOCAB) == "Signed: J. Roberts"


def test_ordinary_short_words_are_not_letter_spacing():
    line = "so it is up to us to do it if we can"
    assert spaced_runs(line.split()) == []
    assert collapse_line(line, VOCAB) == line


def test_hyphen_decisions():
    assert hyphen_decision("orch", "ard", VOCAB)[0] is False
    assert hyphen_decision("non", "Member", VOCAB)[0] is True
    assert hyphen_decision("well", "known", VOCAB)[0] is True


def test_line_break_hyphens_join_across_a_page_join():
    raw = lines_of("The growers sold their har-", "", "", " vest to the co-", "operative.")
    out = clean_lines(raw, CFG, vocab=VOCAB)
    assert texts(out) == ["The growers sold their harvest to the co-operative."] or \
        " ".join(texts(out)) == "The growers sold their harvest to the co-operative."


def test_glued_compound_gets_its_hyphen_back():
    raw = lines_of("The cooperative and the nonMember growers met.")
    out = clean_lines(raw, CFG, vocab=VOCAB)
    assert texts(out) == ["The co-operative and the non-Member growers met."]


def test_dashes_typed_as_hyphens():
    raw = lines_of("He came--late as usual--and sat down.", "It rained - again.",
                   "We waited-the rain did not stop.", "A well-known pre- and post-war fact.",
                   "Wait . . . and see.")
    out = texts(clean_lines(raw, CFG, vocab=VOCAB))
    assert out[0] == "He came—late as usual—and sat down."
    assert out[1] == "It rained—again."
    assert out[2] == "We waited—the rain did not stop."
    assert out[3] == "A well-known pre- and post-war fact."
    assert out[4] == "Wait ... and see."


def test_ocr_repair_only_yields_known_words():
    assert repair_token("gard~n", VOCAB) == "garden"
    assert repair_token("ObVIOUS", VOCAB).lower() == "obvious"
    assert repair_token("uuderstand", VOCAB) == "understand"
    assert repair_token("Xqzvtl", VOCAB) is None  # no repair gives a word: left alone
    assert repair_token("orchard", VOCAB) is None  # a known word is never touched


def test_rare_listed_misreadings_become_the_common_word_one_confusion_away():
    fixed = clean_lines(lines_of("The economie plan was ohly begun, not arid, 0ne said."),
                        FurnitureConfig(extra={"ocr_repair": True}), vocab=VOCAB)
    # 'economie' and 'ohly' are listed (French, a typo) but far rarer than 'economic', 'only';
    # 'arid' is a word in its own right, common enough to be meant: kept.
    assert texts(fixed) == ["The economic plan was only begun, not arid, one said."]
    twice = build_vocabulary(["the economie of the economie"])
    assert repair_token("economie", twice) is None  # the text prints it twice: the author's


def test_ocr_repair_runs_only_where_configured():
    raw = lines_of("The gard~n was uuderstood by all.")
    assert texts(clean_lines(raw, CFG, vocab=VOCAB)) == ["The gard~n was uuderstood by all."]
    fixed = clean_lines(raw, FurnitureConfig(extra={"ocr_repair": True}), vocab=VOCAB)
    assert texts(fixed) == ["The garden was understood by all."]
    assert {c.rule for c in fixed.changes} == {"ocr"}


def test_corrections_apply_once_and_errors_name_file_and_entry():
    corr, diags = parse_corrections(
        "- {find: 'teh', replace: 'the', reason: 'misprint'}\n"
        "- {find: 'zebra', replace: 'x', reason: 'stale'}\n"
        "- {find: 'a', replace: 'b', reason: 'too broad'}\n"
        "- {find: 'no reason', replace: 'x'}\n", "src/w/corrections.yml")
    assert len(corr) == 3 and len(diags) == 1 and "entry 4" in diags[0].message
    out, changes, errors = apply_corrections(list(lines_of("teh cat sat", "on a mat")), corr,
                                             "src/w/corrections.yml")
    assert out[0].text == "the cat sat"
    assert [c.reason for c in changes] == ["misprint"]
    assert len(errors) == 2 and all(e.level is Level.ERROR for e in errors)
    assert all(e.path == "src/w/corrections.yml" for e in errors)
    assert "correction 2" in errors[0].message and "matches nothing" in errors[0].message
    assert "correction 3" in errors[1].message and "times" in errors[1].message


# A page of made-up prose set at a measure of about 60, so that line widths mean something.
PAGE = [
    "The ferry left the north quay at six in the morning and came",
    "back at noon with the mail, the bread and whatever passengers",
    "had business on the mainland; in winter it ran only twice in",
    "the week, and the islanders kept their errands for those days.",
] * 6


def test_watermark_words_read_into_the_start_of_a_line_are_cut():
    cfg = FurnitureConfig(watermarks=("PURPLE HERON PRESS", "FOR REVIEW ONLY"))
    raw = lines_of("The keepers rowed out to the light at dusk and", "ONLY togeREVIEW",
                   "ther they lit the lamp.", "HERON PRESS the lamp burned till dawn.",
                   "FOR the sake of the boats it never went out.")
    out = texts(clean_lines(raw, cfg))
    assert " ".join(out) == ("The keepers rowed out to the light at dusk and together they lit"
                             " the lamp. the lamp burned till dawn. FOR the sake of the boats"
                             " it never went out.")  # a lone short word ('FOR') is kept


def test_a_full_line_after_a_hyphen_keeps_its_width_and_its_paragraph():
    """'engi-' / 'neers ... evening.': moving 'neers' up would leave the second line reading
    as a paragraph's short last line before 'They'; the first half moves down instead."""
    from build_site.paragraphs import breaks_before, typical_width

    raw = lines_of(*PAGE, "On the far shore a crew of young and very careful engi-",
                   "neers worked on the new bridge until the evening came.",
                   "They went home by the last ferry, tired and well pleased.", *PAGE)
    out = [ln for ln in clean_lines(raw, CFG).lines if ln.text]
    k = next(i for i, ln in enumerate(out) if "the evening came." in ln.text)
    assert out[k].text == "engineers worked on the new bridge until the evening came."
    assert out[k - 1].text == "On the far shore a crew of young and very careful"
    assert not breaks_before(out[k].text, out[k + 1].text, False, typical_width(out))


def test_a_short_last_line_after_a_hyphen_still_ends_the_paragraph():
    from build_site.paragraphs import breaks_before, typical_width

    raw = lines_of(*PAGE, "On the far shore a crew of young and very careful engi-",
                   "neers slept.", "They went home by the last ferry, tired and well pleased.",
                   *PAGE)
    out = [ln for ln in clean_lines(raw, CFG).lines if ln.text]
    k = next(i for i, ln in enumerate(out) if "careful" in ln.text)
    assert out[k].text.endswith("careful engineers") and out[k + 1].text == "slept."
    assert breaks_before(out[k + 1].text, out[k + 2].text, False, typical_width(out))


def test_a_word_cut_by_a_glued_watermark_is_made_whole_on_the_full_line():
    from build_site.paragraphs import breaks_before, typical_width

    cfg = FurnitureConfig(watermarks=("PURPLE HERON PRESS",))
    raw = lines_of(*PAGE, "The crew worked through the night. Although ordiPURPLE",
                   "nary boats stayed in, the ferry crossed in the gale.",
                   "Nobody on the island had seen such a crossing before.", *PAGE)
    out = [ln for ln in clean_lines(raw, cfg).lines if ln.text]
    k = next(i for i, ln in enumerate(out) if "the gale." in ln.text)
    assert out[k].text == "ordinary boats stayed in, the ferry crossed in the gale."
    assert not breaks_before(out[k].text, out[k + 1].text, False, typical_width(out))


def test_a_run_of_one_letter_words_is_not_taken_for_letter_spacing():
    from build_site.clean.words import collapse_letterspacing

    vocab = build_vocabulary(["the harbour and the village in the morning"] * 3)
    raw = list(lines_of("but a a a a the harbour", "t h e h a r b o u r"))
    out, changes = collapse_letterspacing(raw, CFG, vocab)
    assert [ln.text for ln in out] == ["but a a a a the harbour", "the harbour"]
    assert len(changes) == 1


def test_a_last_line_holding_only_the_second_half_still_ends_the_paragraph():
    """'engi-' / 'neers.': moved up, the full stop would end a line a little over the measure,
    which does not read as a paragraph's last line (the two paragraphs merged)."""
    from build_site.paragraphs import breaks_before, typical_width

    raw = lines_of(*PAGE, "On the far shore a crew of young and very careful engi-", "neers.",
                   "They went home by the last ferry, tired and well pleased.", *PAGE)
    out = [ln for ln in clean_lines(raw, CFG).lines if ln.text]
    k = next(i for i, ln in enumerate(out) if ln.text == "engineers.")
    assert out[k - 1].text == "On the far shore a crew of young and very careful"
    assert breaks_before(out[k].text, out[k + 1].text, False, typical_width(out))


def test_a_watermark_cut_word_whose_second_half_ends_the_paragraph():
    from build_site.paragraphs import breaks_before, typical_width

    cfg = FurnitureConfig(watermarks=("PURPLE HERON PRESS",))
    raw = lines_of(*PAGE, "The crew worked all night and the boats came in at ordiPURPLE",
                   "nary.", "Nobody on the island had seen such a crossing before.", *PAGE)
    out = [ln for ln in clean_lines(raw, cfg).lines if ln.text]
    k = next(i for i, ln in enumerate(out) if ln.text == "ordinary.")
    assert breaks_before(out[k].text, out[k + 1].text, False, typical_width(out))


def test_two_small_words_glued_by_the_scan_are_split():
    from build_site.clean.ocr import split_glued_function_words

    vocab = build_vocabulary(["the harbour and the village in the morning"] * 3)
    assert split_glued_function_words("Weare", vocab) == "We are"
    assert split_glued_function_words("itand,", vocab) == "it and,"
    for word in ("into", "within", "thereon", "whereat", "harbour", "Wear"):
        assert split_glued_function_words(word, vocab) is None
    # a name the text prints again is the author's word, not a glued pair
    assert split_glued_function_words("Weare", build_vocabulary(["Weare and Weare"])) is None


def test_a_hyphen_closing_a_dash_pair_is_a_dash_where_the_text_prints_no_dashes():
    from build_site.clean.words import normalise_dashes

    vocab = build_vocabulary(["the well-known harbour and the village in the morning"] * 3)
    raw = list(lines_of("The old harbour-as well as all the boats of the",
                        "village-needed a new quay. The harbour-master and the well-known",
                        "ferry-boat came, and the lantern-light shone."))
    out, _ = normalise_dashes(raw, CFG, vocab)
    assert [ln.text for ln in out] == [
        "The old harbour—as well as all the boats of the",
        "village—needed a new quay. The harbour-master and the well-known",
        "ferry-boat came, and the lantern-light shone."]  # no dash open: compounds kept
    printed = build_vocabulary(["a — b — c — d — e — f"] + ["the harbour"] * 3)
    out, _ = normalise_dashes(raw, CFG, printed)
    assert out[1].text.startswith("village-needed")  # a text that prints its dashes


def test_a_sentence_end_on_a_line_without_hyphens_closes_a_dash_pair():
    from build_site.clean.words import normalise_dashes
    text = ["The system—as well as all measures of capitalism-combine two things.",
            "The system—as well as all its measures", "are known. Then we saw",
            "socialism-combine come."]
    vocab = build_vocabulary(text)
    out = [ln.text for ln in normalise_dashes(list(lines_of(*text)), CFG, vocab)[0]]
    assert out[0].endswith("capitalism—combine two things.")  # closes the pair
    assert out[3] == "socialism-combine come."  # the pair was closed by 'known.'
