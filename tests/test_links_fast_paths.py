"""The links stage's cheaper forms (title regexes with an ASCII separator, C-level word and
word-pair passes) against plain definitions of the same thing, on random texts that mix the
characters where they could differ."""

from __future__ import annotations

import gc
import itertools
import random
import re
from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from test_links import _FRAGMENTS, _random_texts
from test_links_memo import _input

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


def _title_spans_plain(text: str, titles: list[links.TitleTarget]):
    """title_spans as first written: at every start (case-insensitive ``_STARTS``) where the
    word is a title's first word, that title's plain regex on the lowered text."""
    found = defaultdict(list)
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for start in links._STARTS.finditer(lowered):
        word = links._WORDS.match(lowered, start.end())
        for t in titles:
            if word is None or word.group(0) != links._WORDS.findall(t.title.lower())[0]:
                continue
            m = _title_regex_plain(t.title).match(lowered, start.end())
            if m and links._used_as_title(text, *m.span(), t.quoted_only):
                found[m.span()].append(t)
    return sorted(found.items())


def test_title_words_end_where_the_title_regex_ends():
    rng = random.Random(23)
    seen = 0
    for _ in range(400):
        title = " ".join(rng.choice(_TITLE_WORDS) for _ in range(rng.randint(1, 4)))
        title += rng.choice(("", "", " (1917)", ")", ".)"))
        words, rx = links.title_words(title), links.title_regex(title)
        assert rx.pattern == words.pattern
        for _ in range(20):
            parts = [rng.choice(list(_TITLE_WORDS) + list(_FRAGMENTS))
                     for _ in range(rng.randint(0, 6))]
            parts[rng.randint(0, len(parts)):0] = list(words.words)
            text = links.title_text("".join(p + rng.choice(_GLUE + (".)", ")")) for p in parts)
                                    .lower())
            for pos in range(len(text) + 1):
                m = rx.match(text, pos)
                assert words.end(text, pos) == (m.end() if m else -1), (title, text, pos)
                seen += m is not None
    assert seen > 2000


def test_title_spans_equal_the_plain_regex_spans():
    """The index, the two scans for starts, the second-word test and TitleWords find what the
    plain regexes find at every start (two titles of the same words, 'The Statesman' and 'The
    State Sman', in the order given)."""
    texts = _random_texts(1500, seed=13) + [
        ("See “State and Revolution” — and the book State—and Revolution, or "
         "“State–and’Revolution”, the work (State and Revolution.) and Soviet Power (1918). "
         "“The Council”, “the council of the grain ledger”, see The Statesman, “The Statesman”.")]
    titles = ["State and Revolution", "Soviet Power", "The Council", "Grain Ledger",
              "Soviet Power (1918)", "State and Revolution)", "The State", "The", "Council",
              "The Council of the Grain Ledger", "the Co uncil", "The Statesman", "The State Sman"]
    targets = [links.TitleTarget(t, f"{i}.md", f"w{i}", t, False, i % 3 == 0)
               for i, t in enumerate(titles)]
    index = links._title_index([(links.title_words(t.title), t) for t in targets])
    found = 0
    for text in texts:
        got = links.title_spans(text, index)
        assert got == _title_spans_plain(text, targets), text
        found += len(got)
    assert found >= 100


_CUE_BITS = ("article", "articles", "Article", "book", "books", "ebook", "brochure", "pamphlet",
             "essay", "speech", "lecture", "lectures", "report", "reports", "work", "works",
             "homework", "workers", "called", "recalled", "entitled", "titled", "see", "seen",
             "foresee", "see also", "see above", "seessay", "essays", "titledbook", "é", "_", "*",
             "“", "‘", "«", "\"", "'", "1", "x")
_CUE_GLUE = ("", " ", "  ", ", ", ": ", " (", "[ ", "\n", "-", "’", ".", "_", "é")


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(_CUE_BITS), st.sampled_from(_CUE_GLUE)), max_size=12))
def test_fast_title_starts_equal_the_plain_scan_near_cue_words(parts):
    """``_fast_starts`` (cue words found by str.find, then matched there) finds what
    ``_STARTS.finditer`` finds, on texts packed with cue words, their plurals and singulars,
    longer words holding them, and cues running into each other."""
    lowered = "".join(a + b for a, b in parts).lower()
    assert [m.span() for m in links._fast_starts(lowered)] == [
        m.span() for m in links._STARTS.finditer(lowered)]


_SHARED_FIRST = ("the", "state", "statesman", "states", "s", "st", "sman", "man", "council", "1917",
                 "naïve", "ab", "a")


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_SHARED_FIRST), min_size=1, max_size=4), min_size=1,
                max_size=12),
       st.lists(st.tuples(st.integers(0, 40), st.sampled_from(("“", "‘", "see ", "_", " ", "")),
                          st.sampled_from(("”", "’ ", "_ ", " ", ", ", ""))), max_size=12),
       st.booleans())
def test_titles_found_by_their_second_word_equal_the_plain_regex_spans(titles, parts, cased):
    """Many titles under one first word, their second words prefixes of one another ('state',
    'states', 'statesman', 's'; 'The State Sman' and 'The Statesman' match the same words),
    one-word titles among them, in texts made of those titles (or
    of their words, cut short) in quotes, italics or after a cue: the index by second word
    (``_Titles``) tries what the plain loop over every title finds, in the same order."""
    targets = [links.TitleTarget(" ".join(words).title() if cased else " ".join(words),
                                 f"{i}.md", f"w{i}", "x", False, i % 2 == 0)
               for i, words in enumerate(titles)]
    pieces = []
    for k, before, after in parts:
        words = titles[k % len(titles)]
        shown = " ".join(words[:len(words) - k // 20]) or _SHARED_FIRST[k % len(_SHARED_FIRST)]
        pieces.append(before + (shown.title() if cased else shown) + after)
    text = "".join(pieces)
    index = links._title_index([(links.title_words(t.title), t) for t in targets])
    assert links.title_spans(text, index) == _title_spans_plain(text, targets)

def test_the_spaced_hint_is_in_every_letter_spaced_word():
    """stems() reads ``_SPACED`` only where its hint is found: the hint must never miss one."""
    texts = _random_texts(3000, seed=17) + ["r e s u l t", "x a b c", "a b c.", "(a b c)"]
    hits = 0
    for text in texts:
        if links._SPACED.search(text):
            hits += 1
            assert links._SPACED_HINT.search(text), text
    assert hits > 100


def _candidates_plain(postings, copies, works, max_df, min_shared, stock_grams):
    """shared_passages' candidates as first written: every rare word pair's paragraphs, and
    every two of them counted."""
    pairs = Counter()
    for g, us in postings.items():
        ids = sorted(i for u in us for i in copies[u])
        if len(us) > max_df or g in stock_grams or not 1 < len(ids) <= max_df:
            continue
        pairs.update(itertools.combinations(ids, 2))
    return sorted((a, b) for (a, b), n in pairs.items()
                  if n >= min_shared and works[a] != works[b])


def _random_index(rng, max_texts, max_vocab, max_grams, max_extra, letters):
    """A random inverted index of distinct texts (word pairs ``g0``, ``g1``...) and its
    paragraphs: every text at least once, some many times, in any order, each paragraph in a
    work drawn from ``letters(rng)``; with a stock set and the two thresholds. Returns
    (postings, copies, works, stock, max_df, min_shared)."""
    n_texts = rng.randint(1, max_texts)
    vocab = [f"g{i}" for i in range(rng.randint(1, max_vocab))]
    texts = [set(rng.sample(vocab, rng.randint(0, min(max_grams, len(vocab)))))
             for _ in range(n_texts)]
    of = list(range(n_texts)) + [rng.randrange(n_texts) for _ in range(rng.randint(0, max_extra))]
    rng.shuffle(of)
    works = [rng.choice(letters(rng)) for _ in of]
    copies = [tuple(i for i, u in enumerate(of) if u == t) for t in range(n_texts)]
    postings = {}
    for u, grams in enumerate(texts):
        for g in sorted(grams):
            postings.setdefault(g, []).append(u)
    stock = set(rng.sample(vocab, rng.randint(0, min(3, len(vocab)))))
    return postings, copies, works, stock, rng.randint(2, 12), rng.randint(1, 5)


def test_candidates_counted_per_text_equal_the_paragraph_pairs_counted_one_by_one():
    rng = random.Random(3)
    found = 0
    for _ in range(300):
        postings, copies, works, stock, max_df, min_shared = _random_index(
            rng, max_texts=30, max_vocab=40, max_grams=40, max_extra=20,
            letters=lambda rng: "abcd")
        got = links._candidates(postings, copies, works, max_df, min_shared, stock)
        assert got == _candidates_plain(postings, copies, works, max_df, min_shared, stock)
        found += len(got)
    assert found > 1000



def _quoting_plain(candidates, works, max_versions):
    """shared_passages' kept candidates as first written: every candidate's two works
    counted, the candidates between two versions of one text dropped."""
    size = Counter(works)
    between = [links._ordered(works[a], works[b]) for a, b in candidates]
    per_works = Counter(between)
    versions = {wp for wp, n in per_works.items()
                if n > max(20, max_versions * min(size[wp[0]], size[wp[1]]))}
    return [c for c, wp in zip(candidates, between) if wp not in versions]


def test_quoting_candidates_counted_by_works_equal_the_candidates_counted_one_by_one():
    rng = random.Random(5)
    kept = dropped = 0
    for _ in range(300):
        # Many copies in few works: two works then share enough pairs to be versions.
        postings, copies, works, stock, max_df, min_shared = _random_index(
            rng, max_texts=120, max_vocab=200, max_grams=20, max_extra=60,
            letters=lambda rng: "abcd"[:rng.randint(1, 4)])
        max_versions = rng.choice([0.0, 0.05, 0.2, 1.0])
        plain = _candidates_plain(postings, copies, works, max_df, min_shared, stock)
        want = _quoting_plain(plain, works, max_versions)
        got = links._quoting(links._shared_texts(postings, copies, max_df, stock), copies,
                             works, min_shared, max_versions)
        assert got == want
        kept += len(got)
        dropped += len(plain) - len(got)
    assert kept > 1000 and dropped > 1000, (kept, dropped)

def test_the_collector_is_paused_for_the_stage_only(monkeypatch):
    docs, lib, paths = _input()
    seen = []
    real = links._link_library
    monkeypatch.setattr(links, "_link_library", lambda *a: seen.append(gc.isenabled()) or real(*a))
    assert gc.isenabled()
    links.link_library(docs, lib, links.LinksConfig(), paths)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        links.link_library(docs, lib, links.LinksConfig(), paths)
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def _aligned_plain(text: str) -> links.Aligned:
    """aligned_text as first written: tokens(text), word by word."""
    toks = links.tokens(text)
    words = [w for w, _, _ in toks]
    grams = [f"{x} {y}" for x, y in itertools.pairwise(words)]
    at = defaultdict(list)
    for j, g in enumerate(grams):
        at[g].append(j)
    return links.Aligned(words, [s for _, s, _ in toks], [e for _, _, e in toks], grams,
                         dict(at))


# Words and one-letter words with every kind of gap (letter-spaced words are merged by
# tokens' own path), joiners, non-ASCII letters and numbers that are not digits.
_ALIGN_BITS = st.sampled_from(["a", "I", "b", "word", "Grain", "LEDGER", "don’t", "it's",
                               "e-mail", "x-'y", "Straße", "İstanbul", "ﬁnal", "naïve", "½",
                               "²", "42", "snake_case", "the", "which", "Σίσυφος", "ǅ"])
_ALIGN_GAPS = st.sampled_from([" ", "  ", "   ", ", ", "-", "--", "'", "’", "—", "\n", ". ",
                               "_", "1", ""])


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(_ALIGN_BITS, _ALIGN_GAPS), max_size=30))
def test_aligned_text_is_tokens_word_by_word(parts):
    text = "".join(w + g for w, g in parts)
    assert links.aligned_text(text) == _aligned_plain(text)


def test_aligned_text_on_random_texts():
    for text in _random_texts(3000, seed=23):
        assert links.aligned_text(text) == _aligned_plain(text), text


class _Person:
    def __init__(self, name: str, aliases: tuple[str, ...]):
        self.name, self.aliases = name, aliases


# Names that share first letters and prefixes (so a group tries several, and a longer name
# must win over its prefix), with their capitals, dots and spaces.
_NAME_BITS = st.sampled_from(["L", "Le", "nin", "e", "V. I. ", "Lenin", "Sver", "dlov", "S",
                              "Tchernov", "Trotsky", "L. D. ", "Ma", "rx", "Marx", "é", "Ł"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_NAME_BITS, min_size=1, max_size=4).map("".join), min_size=1,
                max_size=8), st.randoms(use_true_random=False))
def test_person_pattern_grouped_by_first_letter_is_the_plain_alternation(names, rng):
    people = {f"p{k}": _Person(n, tuple(names[k + 1:k + 3])) for k, n in enumerate(names)}
    pattern, forms = links.person_pattern(people)
    if pattern is None:
        return
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    plain = re.compile(rf"(?<![\w\-.])({alts})(?=(?:['’]s|s)?(?![\w\-]))"
                       rf"(?!{links._NAMED_AFTER})")
    pieces = list(forms) + [" ", "-", ".", "’s", "s", "x", " University", " of ", "Le"]
    for _ in range(20):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        got = [(m.key, m.start, m.end) for m in links.person_mentions(text, pattern, forms)]
        assert got == [(forms[m.group(1)], *m.span(1)) for m in plain.finditer(text)], text


def _letters_plain(text: str) -> str:
    """links._letters as first written: one regex over every character."""
    return re.sub(r"[^\w]|[\d_]", "", text).casefold()


_LETTER_BITS = st.sampled_from(_FRAGMENTS + ("x²", "٣", "Ⅻ", "É", "ǅ", "ﬀ", "\u00a0", "¶", "½"))


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.lists(_LETTER_BITS, max_size=20).map("".join) | st.text(max_size=30))
def test_letters_equal_the_plain_regex(text):
    assert links._letters(text) == _letters_plain(text)


def test_letters_on_random_texts_and_their_ascii_forms():
    for text in _random_texts(400, seed=5):
        for form in (text, text.encode("ascii", "ignore").decode()):
            assert links._letters(form) == _letters_plain(form), form
