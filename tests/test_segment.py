"""segment: one small fixture per structure signal, on hard-wrapped text (a typeset book) and
on one-paragraph-per-line text (a web page). Each test can fail: it names what must (or must
not) become a heading, a page, metadata or a paragraph."""

from __future__ import annotations

import pytest

from build_site.model import BlockKind, Document, Line, Section
from build_site.render import page_paths, url_prefix
from build_site.segment import (
    StructureConfig,
    load_structure,
    segment,
    slugify,
    split_note_number,
    walk,
)

# A wrapped paragraph of a typeset book: lines of about 55 characters, one sentence each.
PROSE = ("the working class has drawn its lessons from the struggle\n"
         "and it will not forget them in the years that are to come.\n") * 6


def _lines(text: str) -> list[Line]:
    return [Line(k, t) for k, t in enumerate(text.split("\n"), 1)]


def _tree(text: str, cfg: StructureConfig | None = None, title: str = "A Work"):
    sections, _changes = segment(_lines(text), cfg or StructureConfig(), title)
    return sections


def _outline(sections) -> list[tuple[int, str]]:
    return [(depth, s.title) for s, depth in walk(sections)]


def _paragraphs(sec: Section) -> list[str]:
    return [b.text for b in sec.blocks if b.kind is BlockKind.PARAGRAPH]


def test_caps_title_over_two_lines_is_one_heading_with_its_date_and_note_number():
    text = (f"THE RESULTS OF THE THIRTEENTH\nCONGRESS OF THE R.C.P. (B.) 1\n"
            f"June 17, 1924\n\n{PROSE}")
    [work] = _tree(text)
    assert work.title == "THE RESULTS OF THE THIRTEENTH CONGRESS OF THE R.C.P. (B.)"
    assert [r.note_id for r in work.title_refs] == ["1"]
    assert ("Date", "June 17, 1924") in work.meta
    assert work.is_page and _paragraphs(work)


def test_caps_body_text_that_runs_on_stays_a_paragraph():
    """A vow printed in capitals is text: its lines run on into a longer caps line."""
    text = (f"FIRST WORK\nJanuary 26, 1924\n\n{PROSE}"
            "DEPARTING FROM US, COMRADE LENIN ENJOINED US\n"
            "TO REMAIN FAITHFUL TO THE PRINCIPLES OF THE\n"
            "COMMUNIST INTERNATIONAL. WE VOW TO YOU, COMRADE LENIN, THAT WE SHALL NOT SPARE\n"
            "OUR LIVES!\n\n" + PROSE)
    sections = _tree(text)
    assert _outline(sections) == [(0, "FIRST WORK")]
    assert any("DEPARTING FROM US, COMRADE LENIN" in p for p in _paragraphs(sections[0]))


def test_roman_chapters_become_pages_of_their_work_with_page_level_2():
    text = (f"THE FOUNDATIONS OF LENINISM\n\n{PROSE}\nI\nTHE HISTORICAL ROOTS OF LENINISM\n\n"
            f"{PROSE}\nII\nMETHOD\n\n{PROSE}")
    [work] = _tree(text, StructureConfig(page_level=2))
    assert [c.title for c in work.children] == ["I. THE HISTORICAL ROOTS OF LENINISM",
                                               "II. METHOD"]
    assert all(c.is_page for c in work.children)


def test_numbered_points_are_headings_counted_from_one_within_their_chapter():
    text = (f"III\nTHEORY\n\n{PROSE}"
            "c) the theory of the proletarian revolution.\n"
            "1) The importance of theory. Some think that Leninism\n"
            f"is the precedence of practice over theory.\n{PROSE}"
            "2) Criticism of the “theory” of spontaneity, or the role\n"
            f"of the vanguard in the movement. The “theory” is old.\n{PROSE}"
            "4) A point out of order. It is only text of the chapter.\n" + PROSE)
    [chapter] = _tree(text)
    assert [c.title for c in chapter.children] == [
        "1) The importance of theory",
        "2) Criticism of the “theory” of spontaneity, or the role of the vanguard in the movement"]
    first = chapter.children[0]
    assert _paragraphs(first)[0].startswith("Some think that Leninism is the precedence")
    # not a heading: text of the section (a list item of its own since it follows a full stop)
    assert any("4) A point out of order" in b.text for b in chapter.children[1].blocks)


def test_a_numbered_list_whose_items_end_with_semicolons_is_not_a_heading():
    text = (f"TO A NEWSPAPER\n\n{PROSE}Remember these three commandments:\n"
            "1) Guard your correspondents like the apple\nof your eye. They are your army;\n"
            "2) Establish the closest ties with the peasants;\n"
            "3) Disseminate truth in the countryside.\n\n" + PROSE)
    [work] = _tree(text)
    assert work.children == ()


WEB = ("It is a paragraph of a web page, one paragraph per line, long enough to count as "
       "prose and ending as a sentence does.\n\n")


def test_document_header_lines_make_a_page_with_structured_metadata():
    text = (f"Essay heading\n\n{WEB * 3}Letter to L. D. TROTSKY[2]\n\n"
            "Dictated: Dictated by phone on March 5, 1923\n\nTop secret\n\n"
            f"Dear Comrade Trotsky:\n\n{WEB * 2}")
    sections = _tree(text, title="Essay heading")
    letter = sections[-1]
    assert letter.title == "Letter to L. D. TROTSKY"
    assert [r.note_id for r in letter.title_refs] == ["2"]
    assert ("Dictated", "Dictated by phone on March 5, 1923") in letter.meta


def test_a_letter_title_over_a_classification_mark_is_a_document_without_header_lines():
    text = (f"{WEB * 3}Letter to Stalin on March 5, 1923\n\nTop secret\n\n"
            f"Copy to Comrades Kamenev and Zinoviev\n\nDear Comrade Stalin:\n\n{WEB}")
    sections = _tree(text)
    assert [s.title for s in sections] == ["A Work", "Letter to Stalin on March 5, 1923"]
    assert sections[1].is_page


def test_a_line_about_a_letter_inside_the_text_is_not_a_title():
    text = f"{WEB * 2}Letter to the Congress was read aloud.\n\nTop secret\n\n{WEB}"
    assert [s.title for s in _tree(text)] == ["A Work"]


def test_closing_publication_and_date_lines_become_metadata_of_the_work():
    text = (f"ON THE DEATH OF LENIN\nJanuary 26, 1924\n\n{PROSE}\n"
            "Pravda, No. 23,\nJanuary 30, 1924\n\nLENIN\nJanuary 28, 1924\n\n" + PROSE)
    first, second = _tree(text)
    assert dict(first.meta).get("Published", "").startswith("Pravda, No. 23")
    assert not any("Pravda" in p for p in _paragraphs(first))
    assert second.title == "LENIN"


def test_chapter_lines_and_a_lost_chapter_title_from_the_navigation_line():
    text = (f"Chapter 4\nTHE STRUGGLE FOR PRODUCTIVITY OF LABOR\n\n{PROSE}"
            "Back to CHAPTER 3 On to CHAPTER 5\n" + PROSE)
    sections = _tree(text)
    assert [s.title for s in sections] == ["Chapter 4: THE STRUGGLE FOR PRODUCTIVITY OF LABOR",
                                           "Chapter 5"]
    assert "missing" in dict(sections[1].meta)["Note"]


def test_a_lost_section_heading_from_configuration_is_marked():
    cfg, diags = load_structure({"lost_titles": [
        {"before": "^The army of the proletarian", "title": "4.", "level": 3}]})
    assert diags == ()
    text = f"Chapter 8\n\n{PROSE}The army of the proletarian dictatorship ought to have.\n{PROSE}"
    [chapter] = _tree(text, cfg)
    [lost] = chapter.children
    assert lost.title == "4." and "missing" in dict(lost.meta)["Note"]


def test_chronicle_entries_are_headings_of_their_own_page():
    cfg, _ = load_structure({"chronicle": {"start": "^1924$", "title": "Biographical Chronicle"}})
    text = (f"A WORK\n\n{PROSE}\n1924\n\nJanuary 4\n\nStalin speaks at a meeting.\n\n"
            "January 9\n\nHe gives an interview.\n")
    sections = _tree(text, cfg)
    chron = sections[-1]
    assert chron.title == "Biographical Chronicle" and chron.is_page
    assert [c.title for c in chron.children] == ["January 4", "January 9"]


def test_unknown_structure_keys_are_reported_with_file_and_key():
    cfg, diags = load_structure({"page_levl": 2}, "source/x/work.yml")
    assert cfg == StructureConfig()
    assert diags and "structure.page_levl" in diags[0].message
    assert diags[0].path == "source/x/work.yml"


def test_bad_regex_in_structure_is_reported():
    _, diags = load_structure({"not_headings": ["(unclosed"]})
    assert diags and "bad regex" in diags[0].message


@pytest.mark.parametrize("title, want", [
    ("OF THE R. C. P. (B.) 1", ("OF THE R. C. P. (B.)", ("1",))),
    ("TROTSKY[2]", ("TROTSKY", ("2",))),
    ("Pravda, No. 23", ("Pravda, No. 23", ())),
    ("CHAPTER 11", ("CHAPTER 11", ())),
])
def test_trailing_note_numbers_leave_the_title(title, want):
    assert split_note_number(title) == want


def test_slugs_are_readable_ascii_without_leading_article():
    assert slugify("III. THEORY") == "iii-theory"
    assert slugify("THE FOUNDATIONS OF LENINISM") == "foundations-of-leninism"
    assert slugify("THE PARTY’S TASKS") == "partys-tasks"


def test_page_paths_are_author_work_chapter():
    chapter = Section("III. THEORY", "iii-theory", level=2, is_page=True)
    work = Section("THE FOUNDATIONS OF LENINISM", "foundations-of-leninism", is_page=True,
                   children=(chapter,))
    doc = Document("stalin-works-6", (work,), url_prefix=url_prefix("stalin-works-6", "stalin"))
    assert [p for _, p in page_paths(doc)] == [
        "stalin/works-6/foundations-of-leninism/index.md",
        "stalin/works-6/foundations-of-leninism/iii-theory.md"]
    assert url_prefix("revolution-betrayed", "trotsky") == "trotsky/revolution-betrayed"
    # Without a prefix (a document built outside the library) the folder is the slug.
    assert page_paths(Document("w", (chapter,)))[0][1] == "w/iii-theory.md"


def test_a_shredded_two_column_chronicle_entry_is_rejoined():
    """Under 'June 17' only the first word of each line survives; the tails come later."""
    cfg, _ = load_structure({"chronicle": {"start": "^1924$", "title": "Chronicle"}})
    text = ("1924\n\nJune 17\n\nJ.\nof\nat\n\nJune 27\n\nThe Political Bureau appoints him.\n\n"
            "V. Stalin delivers a report on the “Results\nthe Thirteenth Congress”\n"
            "the Courses for Secretaries.\nJuly\n\nThe magazine publishes an interview.\n")
    lines = _lines(text)
    [chron], changes = segment(lines, cfg, "A Work")
    entries = {c.title: _paragraphs(c) for c in chron.children}
    assert entries["June 17"] == [("J. V. Stalin delivers a report on the “Results of the "
                                   "Thirteenth Congress” at the Courses for Secretaries.")]
    assert entries["June 27"] == ["The Political Bureau appoints him."]
    assert entries["July"] == ["The magazine publishes an interview."]
    assert sum(c.rule == "column-rejoin" for c in changes) == 3


def test_a_numbered_caps_title_keeps_its_second_part_after_a_full_stop():
    text = (f"A REPORT\nMay 24\n\n{PROSE}3. THE COMPOSITION OF THE PARTY.\nTHE LENIN ENROLMENT\n\n"
            + PROSE)
    [report] = _tree(text)
    assert [c.title for c in report.children] == [
        "3. THE COMPOSITION OF THE PARTY. THE LENIN ENROLMENT"]


def test_caps_lines_under_a_title_are_a_dedication_only_when_they_dedicate():
    dedicated = _tree(f"A BOOK\n\nDEDICATED\nTO THE LENIN ENROLMENT\n\n{PROSE}")
    assert dedicated[0].children == ()
    assert dict(dedicated[0].meta)["Dedication"].startswith("DEDICATED")
    section = _tree(f"A SPEECH\nOctober 22, 1924\n\nDEFECTS IN THE REPORTS FROM\nTHE LOCALITIES\n\n"
                    f"{PROSE}")
    assert [c.title for c in section[0].children] == ["DEFECTS IN THE REPORTS FROM THE LOCALITIES"]


def test_a_caps_title_ending_in_a_quotation_mark_runs_on():
    text = (f"II\nTWO SPECIFIC FEATURES\nAND TROTSKY’S THEORY OF “PERMANENT”\nREVOLUTION\n\n{PROSE}")
    [part] = _tree(text)
    assert part.title == "II. TWO SPECIFIC FEATURES AND TROTSKY’S THEORY OF “PERMANENT” REVOLUTION"


def test_a_section_number_keeps_its_sentence_case_title():
    """'2.' alone, then 'Is the harbour a public road?': the number is the section's, not a
    paragraph of its own or the end of the paragraph before."""
    text = (f"A REPORT\nMay 24\n\n1.\nHow the pilots were paid\n\n{PROSE}\n2.\n"
            f"Is the harbour a public road?\n\n{PROSE}")
    [report] = _tree(text)
    assert [c.title for c in report.children] == [
        "1. How the pilots were paid", "2. Is the harbour a public road?"]
    assert not any(b.text.rstrip().endswith(("1.", "2.")) for c in report.children
                   for b in c.blocks)


def test_the_next_section_number_is_a_heading_even_after_a_line_without_a_stop():
    """A garbled line ends with no full stop; the next number of the chapter's sections still
    starts a section ('3.' after '2.'), while a number out of sequence stays in the text."""
    text = (f"A REPORT\nMay 24\n\n2.\nHow the pilots were paid\n\n{PROSE}"
            "the last line of the passage is garbled xqz wrr\n 3.\nThe boats in winter\n\n"
            f"{PROSE}")
    [report] = _tree(text)
    assert [c.title for c in report.children] == [
        "2. How the pilots were paid", "3. The boats in winter"]
    text2 = text.replace(" 3.\nThe boats", " 7.\nThe boats")
    [report2] = _tree(text2)
    assert [c.title for c in report2.children] == ["2. How the pilots were paid"]
