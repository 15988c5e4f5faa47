"""The links stage's cheaper forms (title regexes with an ASCII separator, C-level word and
word-pair passes) against plain definitions of the same thing, on random texts that mix the
characters where they could differ."""

from __future__ import annotations

import random
import re

from test_links import _FRAGMENTS, _random_texts

from build_site import links


def _title_regex_plain(title: str) -> re.Pattern:
    """title_regex as first written: dashes and '’' in the separator, matched on lowered text."""
    words = links._WORDS.findall(title.lower())
    sep = r"[\s,.:;—–\-’'()]*"
    tail = r"\.?\)" if title.rstrip().endswith(")") else ""
    return re.compile(r"(?<!\w)" + sep.join(re.escape(w) for w in words) + tail + r"(?!\w)")


_TITLE_WORDS = ("the", "state", "and", "revolution", "soviet", "power", "a", "b", "ab", "x1",
                "Straße", "naïve", "ſee")
_GLUE = (" ", "  ", ", ", "—", " – ", "’", "'", "-", "(", ") ", ".", ":", "; ", "\n", "", "!",
         "’s ", "_")


def test_title_regex_on_title_text_matches_where_the_plain_regex_does():
    rng = random.Random(7)
    seen = 0
    for _ in range(400):
        title = " ".join(rng.choice(_TITLE_WORDS) for _ in range(rng.randint(1, 4)))
        title += rng.choice(("", "", " (1917)", ")"))
        fast, plain = links.title_regex(title), _title_regex_plain(title)
        words = links._WORDS.findall(title.lower())
        for _ in range(20):
            parts = [rng.choice(list(_TITLE_WORDS) + list(_FRAGMENTS))
                     for _ in range(rng.randint(0, 6))]
            parts[rng.randint(0, len(parts)):0] = words  # the title's words, glued anyhow
            text = "".join(p + rng.choice(_GLUE) for p in parts)
            lowered = text.lower()
            if len(lowered) != len(text):
                continue
            seps = links.title_text(lowered)
            assert len(seps) == len(lowered)
            for pos in range(len(lowered) + 1):
                a, b = fast.match(seps, pos), plain.match(lowered, pos)
                assert (a and a.span()) == (b and b.span()), (title, text, pos)
                seen += b is not None
    assert seen > 2000


def test_title_spans_equal_the_plain_regex_spans(monkeypatch):
    """Every span found with the cheap separator is the one the plain regex finds."""
    texts = _random_texts(2000, seed=13) + [
        "See “State and Revolution” — and the book State—and Revolution, or "
        "“State–and’Revolution”."]
    titles = ["State and Revolution", "Soviet Power", "The Council", "Grain Ledger"]
    targets = [links.TitleTarget(t, f"{i}.md", f"w{i}", t, False, False)
               for i, t in enumerate(titles)]
    fast = links._title_index([(links.title_regex(t.title), t) for t in targets])
    plain = links._title_index([(_title_regex_plain(t.title), t) for t in targets])

    got = [links.title_spans(text, fast) for text in texts]
    # The plain regexes read the lowered text itself.
    monkeypatch.setattr(links, "title_text", lambda lowered: lowered)
    assert got == [links.title_spans(text, plain) for text in texts]
    found = sum(map(len, got))
    assert found >= 3


def test_the_spaced_hint_is_in_every_letter_spaced_word():
    """stems() reads ``_SPACED`` only where its hint is found: the hint must never miss one."""
    texts = _random_texts(3000, seed=17) + ["r e s u l t", "x a b c", "a b c.", "(a b c)"]
    hits = 0
    for text in texts:
        if links._SPACED.search(text):
            hits += 1
            assert links._SPACED_HINT.search(text), text
    assert hits > 100
