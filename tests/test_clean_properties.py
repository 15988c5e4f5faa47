"""Property tests: clean paragraphs, degraded the way real sources are degraded (wrapped at
varied widths, hyphenated at line ends, page numbers and running heads, watermark words, blank
lines at page joins, letter-spacing), must come back as they were.

The words and phrases are made up here; none comes from the five source texts.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from build_site.clean import clean_lines
from build_site.clean.furniture import FurnitureConfig
from build_site.clean.letterspacing import collapse_line
from build_site.clean.vocabulary import build_vocabulary
from build_site.model import Line
from build_site.paragraphs import breaks_before, make_block, typical_width

WORDS = ["harbour", "village", "morning", "question", "evening", "weather", "engineer", "railway", "station", "bridge", "teacher", "garden", "kitchen", "window", "market", "orchard", "shepherd", "meadow", "lantern", "council", "library", "painter", "careful", "quietly", "ordinary", "several", "together", "another", "because", "without", "between", "through", "against", "during", "however", "although", "whether", "problem", "answer", "number", "family", "country", "history", "letter", "summer", "winter", "autumn", "spring", "river", "mountain", "forest", "valley", "island", "ocean", "silver", "copper", "timber", "cotton"]
SHORT = ["the", "a", "of", "and", "to", "in", "it", "was", "for", "on", "with", "as", "by", "at", "but", "not"]
HEADS = ["NOTES ON A COASTAL SURVEY", "THE ORCHARD BOOK", "P. Q. WINTERBOTTOM"]
WATERMARK = ("GREY OWL EDITIONS", "REVIEW COPY ONLY")

# Words drawn freely, so runs of 'a' occur ('but a a a a the'): they read as words and must
# not be taken for a letter-spaced word ('aaaa').
word = st.one_of(st.sampled_from(WORDS), st.sampled_from(SHORT))
sentence_words = st.lists(word, min_size=6, max_size=18)
paragraph_sentences = st.lists(sentence_words, min_size=5, max_size=9)
# Fresh random examples on every run; 12 per property keep the file near 10 s (the cleaner
# takes ~0.1-1 s per example). Run with --hypothesis-seed=random to explore.
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def render(sentences: list[list[str]]) -> str:
    return " ".join(" ".join([ws[0].capitalize()] + ws[1:]) + "." for ws in sentences)


def ending_short(sentences: list[list[str]], width: int) -> str:
    """The paragraph with words taken off its end until its printed last line is short (under
    3/4 of the measure), as a printed paragraph's last line is."""
    sents = [list(ws) for ws in sentences]
    while True:
        text = render(sents)
        if len(wrap(text, width)[-1]) < 0.75 * width or len(sents) == 1 and len(sents[0]) == 1:
            return text
        sents[-1].pop()
        if not sents[-1]:
            sents.pop()


def wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return lines + [cur]


def paragraphs_of(lines: list[Line]) -> list[str]:
    """Paragraph reconstruction as ``segment`` does it, without headings."""
    width = typical_width(lines)
    out, para, blank = [], [], False
    for ln in lines:
        if not ln.text:
            blank = True
            continue
        if para and breaks_before(para[-1].text, ln.text, blank, width):
            out.append(make_block(para)[0].text)
            para = []
        para.append(ln)
        blank = False
    if para:
        out.append(make_block(para)[0].text)
    return out


def draw_doc(data, width: int) -> list[str]:
    """Paragraphs whose printed last line is short, as a printed paragraph's is."""
    return [ending_short(ps, width)
            for ps in data.draw(st.lists(paragraph_sentences, min_size=8, max_size=10))]


def wrapped(doc: list[str], width: int) -> list[list[str]]:
    """Wrapped as a printer sets type: every line but a paragraph's last is nearly full (the
    words here are at most 8 letters, so a width of 66 or more keeps lines above 85%)."""
    paras = [wrap(p, width) for p in doc]
    assume(sum(len(p) for p in paras) >= 40)  # typical_width needs a page or two
    return paras


def as_lines(texts: list[str]) -> tuple[Line, ...]:
    return tuple(Line(i, t) for i, t in enumerate(texts, 1))


@SETTINGS
@given(st.integers(66, 100), st.data())
def test_rewrapped_paragraphs_come_back(width, data):
    doc = draw_doc(data, width)
    lines = [t for p in wrapped(doc, width) for t in p]
    cleaned = clean_lines(as_lines(lines), FurnitureConfig())
    assert paragraphs_of(list(cleaned.lines)) == doc


@SETTINGS
@given(st.integers(66, 100), st.data())
def test_page_furniture_and_page_joins_are_removed(width, data):
    doc = draw_doc(data, width)
    paras = wrapped(doc, width)
    flat = [t for p in paras for t in p]
    # page breaks inside sentences: the next line starts in lower case
    cuts = [i for i in range(1, len(flat)) if flat[i][:1].islower()]
    assume(len(cuts) >= 3)
    chosen = sorted(data.draw(st.lists(st.sampled_from(cuts), min_size=3, max_size=5,
                                       unique=True)))
    head = data.draw(st.sampled_from(HEADS))
    page = data.draw(st.integers(2, 400))
    out: list[str] = []
    for i, t in enumerate(flat):
        if i in chosen:
            page += data.draw(st.integers(1, 3))
            kind = data.draw(st.sampled_from(["number-head", "head-number", "blank"]))
            if kind == "number-head":
                out += ["", str(page), "", head, ""]
            elif kind == "head-number":
                out += ["", head, "", str(page), ""]
            else:
                out += ["", ""]
            t = " " + t  # a page starts with one leading space
        out.append(t)
    # make sure the head recurs as a proven running head at least twice
    assume(sum(1 for t in out if t == head) >= 2)
    cleaned = clean_lines(as_lines(out), FurnitureConfig())
    assert paragraphs_of(list(cleaned.lines)) == doc
    assert not any(ln.text in (head, str(page)) for ln in cleaned.lines)


def wrap_hyphenated(text: str, width: int, cut) -> list[str]:
    """Wrapped as a printer hyphenates: a word that does not fit is cut where ``cut`` says
    (None: not cut) when its first part and the hyphen fit; every line stays within the
    measure."""
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            room = width - len(cur) - 2  # a space and the hyphen
            k = cut(w, room) if w.isalpha() and w.islower() and room >= 3 else None
            if k:
                lines.append(f"{cur} {w[:k]}-")
                cur = w[k:]
                continue
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return lines + [cur]


@SETTINGS
@given(st.integers(66, 100), st.data())
def test_line_end_hyphens_are_joined(width, data):
    doc = draw_doc(data, width)
    wrapped(doc, width)  # assumes a page or two of lines
    if data.draw(st.booleans()):
        # hyphenated as a printer does: the lines stay within the measure
        def cut(w: str, room: int) -> int | None:
            ks = list(range(3, min(room, len(w) - 3) + 1))
            return data.draw(st.sampled_from(ks)) if ks and data.draw(st.booleans()) else None

        def set_(p: str) -> list[str]:
            # a paragraph whose hyphenated last line came out long is set without hyphens:
            # a printed paragraph's last line is short (a full one is ambiguous in print too)
            lines = wrap_hyphenated(p, width, cut)
            return lines if len(lines[-1]) < 0.75 * width else wrap(p, width)

        out = [t for p in doc for t in set_(p)]
    else:
        # the first half of the next line's first long word moved up, with a hyphen: the line
        # runs over the measure, as in a scan whose printer let hyphenated lines run long
        out = [t for p in wrapped(doc, width) for t in p]
        for i in range(len(out) - 1):
            first = out[i + 1].split(" ", 1)[0]
            if first.isalpha() and first.islower() and len(first) >= 7 and data.draw(
                    st.booleans()):
                k = data.draw(st.integers(3, len(first) - 3))
                out[i] = out[i] + " " + first[:k] + "-"
                out[i + 1] = first[k:] + out[i + 1][len(first):]
    cleaned = clean_lines(as_lines(out), FurnitureConfig())
    assert paragraphs_of(list(cleaned.lines)) == doc


@SETTINGS
@given(st.integers(66, 100), st.data())
def test_watermark_lines_and_glued_watermark_words_are_removed(width, data):
    doc = draw_doc(data, width)
    paras = wrapped(doc, width)
    flat = [t for p in paras for t in p]
    out: list[str] = []
    for i, t in enumerate(flat):
        out.append(t)
        if 0 < i < len(flat) - 1 and data.draw(st.integers(0, 6)) == 0:
            out.append(data.draw(st.sampled_from(["GREY OWL", "EDITIONS", "REVIEW COPY",
                                                  "ONLY", "GREY OWL EDITIONS"])))
    # glue a watermark word into a word broken at a line end
    for i in range(len(out) - 1):
        nxt = out[i + 1].split(" ", 1)[0]
        if nxt.isalpha() and nxt.islower() and len(nxt) >= 8 and out[i][-1:].isalpha():
            out[i] = out[i] + " " + nxt[:4] + "REVIEW"
            out[i + 1] = out[i + 1][4:]
            break
    cleaned = clean_lines(as_lines(out), FurnitureConfig(watermarks=WATERMARK))
    assert paragraphs_of(list(cleaned.lines)) == doc



def test_a_watermark_line_holding_the_first_half_of_a_cut_word():
    """A watermark stamped on its own line with the first half of the next line's first word
    glued to it ('GREY OWL quesREVIEW' / 'tion spring ...'): once the watermark is cut, the
    half is all that line holds, and it moves down to the rest of its word. Moved up instead
    (a line 'question' alone), the word left the next line, and a full line that ends a
    sentence read as a paragraph's short last line (found by the property above)."""
    width = 70

    def first(t: str) -> str:
        return t.split(" ", 1)[0]

    def case(seed: int) -> tuple[list[str], list[str], int] | None:
        """A document, its lines, and a line inside a paragraph that starts with a long
        lower-case word and ends a sentence where the next line starts one: without that word
        it would read as a paragraph's short last line (under 85% of the measure)."""
        rng = random.Random(seed)
        doc = [ending_short([[rng.choice(WORDS + SHORT) for _ in range(rng.randint(6, 18))]
                             for _ in range(rng.randint(5, 9))], width) for _ in range(9)]
        paras = [wrap(p, width) for p in doc]
        flat = [t for p in paras for t in p]
        lasts = {sum(len(p) for p in paras[:k + 1]) - 1 for k in range(len(paras))}
        i = next((i for i in range(1, len(flat) - 1) if i not in lasts
                  and first(flat[i]).isalpha() and first(flat[i]).islower()
                  and len(first(flat[i])) >= 8 and flat[i].endswith(".")
                  and flat[i + 1][:1].isupper()
                  and len(flat[i]) - len(first(flat[i])) - 1 < 0.85 * width), None)
        return None if i is None else (doc, flat, i)

    doc, flat, i = next(c for c in map(case, range(200)) if c is not None)
    out = flat[:i] + [f"GREY OWL {flat[i][:4]}REVIEW", flat[i][4:]] + flat[i + 1:]
    cleaned = clean_lines(as_lines(out), FurnitureConfig(watermarks=WATERMARK))
    assert paragraphs_of(list(cleaned.lines)) == doc
    assert any(c.rule == "watermark" and c.action == "joined" for c in cleaned.changes)


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), min_size=4, max_size=9))
def test_letter_spaced_lines_collapse_to_the_words(words):
    vocab = build_vocabulary([" ".join(WORDS)] * 3)
    line = " ".join(words)
    spaced = " ".join(c for c in line.replace(" ", ""))
    assert collapse_line(spaced, vocab) == line
