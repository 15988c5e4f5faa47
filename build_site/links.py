"""Cross-links between works: title mentions, shared quotations, people, and the pages that
gather them (a page per person, an index of people, a map of the library).

Runs after every work is converted and anchored, before render. Everything here is pure: the
caller reads ``source/links.yml`` and ``source/authors.yml``. Links point at paragraph ids as
render will write them (``Block.anchor``, else render's own fallback numbering), and at pages
through ``render.page_paths``, so every link resolves and ``mkdocs build --strict`` checks it.
"""

from __future__ import annotations

import array
import dataclasses
import gc
import hashlib
import itertools
import math
import multiprocessing
import operator
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized

import yaml
from rapidfuzz import fuzz

from .model import (
    Block,
    BlockKind,
    Connection,
    Diagnostic,
    Document,
    InlineLink,
    Level,
    Page,
    Section,
)
from .render import _walk, escape, escape_attr, page_anchors, page_paths, relative_href

PEOPLE_DIR = "people"
MAP_PAGE = "library-map.md"
MAX_QUOTE_LINKS = 5  # per paragraph: the best matches, so near-duplicate corpora stay readable


# --- configuration (source/links.yml) -------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A paragraph named by configuration: a work and words from the paragraph (never a line
    number), or a heading of the work (a section title, else a paragraph starting with it)."""

    work: str
    text: str = ""
    heading: str = ""


@dataclass(frozen=True)
class DeclaredTitle:
    title: str
    target: Place
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeclaredLink:
    source: Place  # the paragraph that quotes or names
    target: Place  # the paragraph it points to
    kind: str = "revised-in"  # 'revised-in' (target prints a revised wording), or 'quotes'
    note: str = ""


@dataclass(frozen=True)
class LinksConfig:
    titles: tuple[DeclaredTitle, ...] = ()
    links: tuple[DeclaredLink, ...] = ()
    stock: tuple[str, ...] = ()  # extra stock phrases never to count as shared passages
    path: str = "links.yml"  # where the configuration came from, for diagnostics


def load_config(text: str | None, path: str = "links.yml") -> tuple[LinksConfig, list[Diagnostic]]:
    """Parse links.yml; a missing file is an empty configuration, a bad entry a diagnostic."""
    if not text:
        return LinksConfig(), []
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        return LinksConfig(), [Diagnostic(Level.ERROR, "links-yaml", str(err), path)]
    diags: list[Diagnostic] = []

    def place(d, where) -> Place | None:
        if not isinstance(d, dict) or not isinstance(d.get("work"), str) or not (
                d.get("text") or d.get("heading")):
            diags.append(Diagnostic(Level.ERROR, "links-bad-place",
                                    f"{where}: expected {{work: slug, text: words}} or "
                                    "{work: slug, heading: title}", path))
            return None
        return Place(d["work"], str(d.get("text", "")), str(d.get("heading", "")))

    titles, links = [], []
    for i, t in enumerate(data.get("titles") or ()):
        target = place(t, f"titles[{i}]")
        if target and isinstance(t.get("title"), str):
            titles.append(DeclaredTitle(t["title"], target, tuple(t.get("aliases") or ())))
    for i, item in enumerate(data.get("links") or ()):
        src, dst = place(item.get("from"), f"links[{i}].from"), place(item.get("to"),
                                                                      f"links[{i}].to")
        kind = item.get("kind", "revised-in")
        if kind not in ("revised-in", "quotes"):
            diags.append(Diagnostic(Level.ERROR, "links-bad-kind",
                                    f"links[{i}].kind: expected revised-in or quotes", path))
        elif src and dst:
            links.append(DeclaredLink(src, dst, kind, str(item.get("note", ""))))
    stock = tuple(str(s) for s in data.get("stock_phrases") or ())
    return LinksConfig(tuple(titles), tuple(links), stock, path), diags


# --- where paragraphs are ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # slots: made for every paragraph, twice as fast
class Para:
    """A paragraph with the address render will give it."""

    slug: str
    page: str  # docs-relative Markdown path of its page
    anchor: str
    section: Section  # the section (heading) it sits under, for 'first mention per section'
    page_section: Section
    block: Block

    @property
    def href(self) -> str:
        return f"{self.page}#{self.anchor}"


def paragraphs(docs: Mapping[str, Document]) -> list[Para]:
    """Every addressable block in reading order (section breaks have no id)."""
    out = []
    for slug, doc in docs.items():
        for page_sec, path in page_paths(doc):
            ids = page_anchors(page_sec)
            for sec in _walk(page_sec):
                for b in sec.blocks:
                    if b.kind is not BlockKind.BREAK:
                        out.append(Para(slug, path, ids[id(b)], sec, page_sec, b))
    return out


def _label(p: Para, lib) -> str:
    work = lib.works[p.slug].title if p.slug in lib.works else p.slug
    where = p.page_section.title
    if p.section is not p.page_section and p.section.title:
        where += f" › {p.section.title}"
    return f"{work} › {where} ¶{p.anchor.removeprefix('p-')}"


_NOT_LETTERS = re.compile(r"[\W\d_]+")
# Marks common in the texts that are never letters: dropped first, most texts are then ASCII,
# whose letters are kept by a byte table (a regex tries every character: ``find_place`` reads
# every paragraph of a work up to the one it names, 0.02 s CPU at 1x the corpus, 0.003 so).
_NOT_LETTER_MARKS = "“”—’‘–"
_ASCII_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())


def _letters(text: str) -> str:
    """Letters only, lowercased: survives line breaks, letter-spacing and punctuation."""
    for mark in _NOT_LETTER_MARKS:
        if mark in text:
            text = text.replace(mark, "")
    if text.isascii():
        return text.encode().translate(None, _ASCII_NOT_LETTERS).decode().lower()
    return _NOT_LETTERS.sub("", text).casefold()


def find_place(place: Place, paras: list[Para],
               docs: Mapping[str, Document]) -> Para | Section | None:
    """A configured place: a paragraph containing ``text``, or the section titled ``heading``
    (else the first paragraph that starts with the heading)."""
    mine = [p for p in paras if p.slug == place.work]
    if place.text:
        want = _letters(place.text)
        return next((p for p in mine if want in _letters(p.block.text)), None)
    want = _letters(place.heading)
    doc = docs.get(place.work)
    if doc is not None:
        for page_sec, _ in page_paths(doc):
            for sec in _walk(page_sec):
                if _letters(sec.title).startswith(want):
                    return sec
    return next((p for p in mine if _letters(p.block.text[:len(place.heading) * 3])
                 .startswith(want)), None)


def _section_href(docs: Mapping[str, Document], slug: str, target: Section) -> str:
    for page_sec, path in page_paths(docs[slug]):
        for sec in _walk(page_sec):
            if sec is target:
                return path if sec is page_sec else f"{path}#{sec.slug}"
    return ""


# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    key: str  # person id or title target href
    start: int
    end: int


# A name followed by one of these names a thing named after the person ('Sverdlov University',
# 'the Lenin Enrolment'), not the person.
_NAMED_AFTER = (r"\s+(?i:University|Institute|Academy|Enrolment|Levy|Square|Street|School|"
                r"Library|Prize|Museum|Works)\b")


def person_pattern(people: Mapping) -> tuple[re.Pattern | None, dict[str, str]]:
    """One regex for every name and spelling (and its capitals, as in 'L. D. TROTSKY'), with
    possessive or plural ('the Tchernovs and Zeretellis', Chernov and his like);
    a name inside a longer word or a hyphenated name ('Marx-Engels-Lenin Institute') is not
    the person."""
    forms: dict[str, str] = {}
    for pid, person in people.items():
        for form in (person.name, *person.aliases):
            if len(form) >= 4:
                forms.setdefault(form, pid)
                forms.setdefault(form.upper(), pid)
    if not forms:
        return None, {}
    # Every alternative starts with a literal letter, so the engine skips in C to the next
    # letter that starts a name; '(?<![\w\-.])' before the name is '(?<![\w\-.].)' after its
    # first letter. The names are grouped by that letter, longest first within a group (the
    # order of the plain alternation, where the names of other letters cannot match): at a
    # capital the engine tries the names it starts, not every name (at 10x the corpus, 0.06
    # against 0.03 s CPU).
    by_first: dict[str, list[str]] = {}
    for f in sorted(forms, key=len, reverse=True):
        by_first.setdefault(f[0], []).append(f)
    alts = "|".join(re.escape(first) + r"(?<![\w\-.].)(?:"
                    + "|".join(re.escape(f[1:]) for f in fs) + ")"
                    for first, fs in by_first.items())
    return re.compile(rf"({alts})(?=(?:['’]s|s)?(?![\w\-]))(?!{_NAMED_AFTER})"), forms


def person_mentions(text: str, pattern: re.Pattern | None, forms: dict[str, str]) -> list[Mention]:
    if pattern is None:
        return []
    return [Mention(forms[m.group(1)], m.start(1), m.end(1)) for m in pattern.finditer(text)]


# --- titles ------------------------------------------------------------------------------

_CUE_LIST = ("articles?", "book", "brochure", "pamphlet", "essay", "speech", "lectures?",
             "report", "work", "called", "entitled", "titled", "see(?: also| above)?")
_CUE_TAIL = r"\b[\s,:]*(?:[\[(]\s*)?"
_CUE_WORDS = rf"\b(?:{'|'.join(_CUE_LIST)}){_CUE_TAIL}"
_CUE = re.compile(f"(?:{_CUE_WORDS})$", re.IGNORECASE)
_OPEN = "“\"‘'«"
# Where a title used as a title can start: after an opening quote or italics mark, or a cue.
_STARTS = re.compile(rf"[{_OPEN}_*]\s*|{_CUE_WORDS}", re.IGNORECASE)
# The same starts in lowered text, found by two scans: quote and italics marks (rare
# characters, which the engine skips to in C), and cue words (without IGNORECASE). Their
# matches never overlap (a quote's tail is spaces, a cue's tail holds no quote mark and a cue
# starts with a letter), so the two in order of position are ``_STARTS``' matches. Without
# IGNORECASE they differ from ``_STARTS`` only on the characters that case-fold to a cue
# word's letters and survive lowering (``_FOLDS_TO_ASCII``): a text holding one is read with
# ``_STARTS``.
_QUOTE_STARTS = re.compile(rf"[{re.escape(_OPEN)}_*]\s*")
_CUE_STARTS = re.compile(_CUE_WORDS)
# A cue's match starts where one of these words does (a cue's letters up to its first optional
# part: 'article', 'see'): the places are found by ``str.find`` (a C scan for a literal) and
# ``_CUE_STARTS`` is tried there alone. Its ``finditer`` tries the pattern at every position
# (it starts with ``\b``, so the engine cannot skip to a likely letter): at 50x the corpus,
# 0.32 s CPU for every text, 0.17 s this way.
_CUE_LITERALS = tuple(re.sub(r".\?.*|\(.*", "", w) for w in _CUE_LIST)


def _cue_starts(lowered: str) -> list[re.Match]:
    """``list(_CUE_STARTS.finditer(lowered))``."""
    places = []
    for word in _CUE_LITERALS:
        at = lowered.find(word)
        while at != -1:
            places.append(at)
            at = lowered.find(word, at + 1)
    out: list[re.Match] = []
    end = 0
    for at in sorted(places):
        if at >= end:  # finditer goes on from the end of the last match
            m = _CUE_STARTS.match(lowered, at)
            if m is not None:
                out.append(m)
                end = m.end()
    return out


def _fast_starts(lowered: str) -> list[re.Match]:
    """``list(_STARTS.finditer(lowered))`` for a text without ``_FOLDS_TO_ASCII``."""
    cues = _cue_starts(lowered)
    quotes = list(_QUOTE_STARTS.finditer(lowered))
    if not cues or not quotes:
        return cues or quotes
    return sorted(cues + quotes, key=_match_start)


_match_start = operator.methodcaller("start")
_FOLDS_TO_ASCII = "İıſ"  # with IGNORECASE: 'i' matches İ and ı, 's' matches ſ (and K is lowered)
_WORDS = re.compile(r"\w+")
_CLOSE = "”\"’'»"


@dataclass(frozen=True)
class TitleTarget:
    title: str
    href: str
    slug: str  # the work it belongs to
    label: str
    same_work: bool  # may a mention inside the same work link to it (parts of a work may)
    quoted_only: bool  # only a quoted mention counts (section titles found by themselves)


# Dashes and the typographic apostrophe, read as '-' and "'" where a title is matched: the
# separator between a title's words is then a class of ASCII characters, which ``re`` compiles
# some four times faster than one holding these (a library has hundreds of titles, compiled in
# every build). Each is one character for one, so offsets are kept.
_TITLE_SEPS = (("—", "-"), ("–", "-"), ("’", "'"))


def title_regex(title: str) -> re.Pattern:
    """A title as words with any punctuation or space between ('Better Fewer But Better'
    matches 'Better Fewer, But Better'), in lower case: it is matched against the lowered text
    with its dashes read as hyphens (``title_text``) and capitals are checked apart. The stage
    matches it with ``TitleWords``, the same without a regex to compile per title."""
    return re.compile(title_words(title).pattern)


# Between a title's words; with '—', '–' and '’', which title_text makes '-' and "'".
_TITLE_SEP = re.compile(r"[\s,.:;\-'()]*")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class TitleWords:
    """``title_regex(title)`` as its words. The regex is a literal word, the separator class
    repeated, the next word, and so on: it matches where each word is found in turn after the
    longest run of separators (a separator is never a word character, so giving one back
    cannot let a word match). A library's hundreds of titles then need no compiling, which
    took 0.02 s CPU at 1x the corpus and 0.04 s at 10x."""

    words: tuple[str, ...]
    tail: bool  # the title ends with ')': '.)' or ')' after the last word
    pattern: str  # title_regex's pattern: names the title in the index and the memo's key

    def end(self, text: str, pos: int) -> int:
        """Where the title matched at ``pos`` ends, else -1 (``title_regex(...).match``)."""
        if pos and _WORD_CHAR.match(text, pos - 1):  # (?<!\w)
            return -1
        last = self.words[-1]
        for word in self.words[:-1]:
            if not text.startswith(word, pos):
                return -1
            sep = _TITLE_SEP.match(text, pos + len(word))
            assert sep is not None  # (the pattern matches the empty string)
            pos = sep.end()
        if not text.startswith(last, pos):
            return -1
        pos += len(last)
        if self.tail:  # \.?\)
            if text.startswith(".)", pos):
                pos += 2
            elif text.startswith(")", pos):
                pos += 1
            else:
                return -1
        return -1 if _WORD_CHAR.match(text, pos) else pos  # (?!\w)


def title_words(title: str) -> TitleWords:
    """A title's lowered words, and title_regex's pattern for it."""
    words = tuple(_WORDS.findall(title.lower()))
    tail = title.rstrip().endswith(")")
    pattern = (r"(?<!\w)" + _TITLE_SEP.pattern.join(re.escape(w) for w in words)
               + (r"\.?\)" if tail else "") + r"(?!\w)")
    return TitleWords(words, tail, pattern)


def _capitalised(span: str) -> bool:
    """Used as a title: every longer word has a capital (title case or all capitals)."""
    return all(w[0].isupper() for w in re.findall(r"[^\W\d_]{4,}", span))


def _used_as_title(text: str, start: int, end: int, quoted_only: bool) -> bool:
    before = text[max(0, start - 40):start]
    after = text[end:end + 4].lstrip(",.)")[:1]
    quoted = bool(before.rstrip(" ")[-1:] in _OPEN) and after in _CLOSE
    if quoted:
        return True
    italic = before.endswith(("_", "*")) and text[end:end + 1] in "_*"
    return not quoted_only and _capitalised(text[start:end]) and (
        italic or bool(_CUE.search(before)))


@dataclass(frozen=True, slots=True)
class _Titles:
    """The distinct titles that start with one word, found by their second word: at a start
    a paragraph tries only the titles whose second word is there (and the one-word titles),
    not every title with that first word (their number grows with the library: every version
    of a work has its title and section titles; at 50x the corpus, 137 start with 'the')."""

    alone: list[tuple[int, TitleWords, list[TitleTarget]]]  # one word: (place in order, ...)
    by_second: dict[str, list[tuple[int, TitleWords, list[TitleTarget]]]]
    lengths: tuple[int, ...]  # the second words' lengths, rising


def _title_index(targets: list[tuple[TitleWords, TitleTarget]]) -> dict[str, _Titles]:
    """Titles by their first word, one matcher per distinct title: a paragraph tries them only
    where a title used as a title can start (after a quote mark or a cue), so the scan is linear
    in the text however many titles the library has."""
    index: dict[str, dict[str, tuple[TitleWords, list[TitleTarget]]]] = defaultdict(dict)
    for rx, t in targets:
        first = _WORDS.findall(t.title.lower())[0]
        index[first].setdefault(rx.pattern, (rx, []))[1].append(t)
    out = {}
    for first, titles in index.items():
        alone, by_second = [], defaultdict(list)
        for k, (rx, ts) in enumerate(titles.values()):
            if len(rx.words) > 1:
                by_second[rx.words[1]].append((k, rx, ts))
            else:
                alone.append((k, rx, ts))
        out[first] = _Titles(alone, dict(by_second), tuple(sorted({len(w) for w in by_second})))
    return out


_PLACE = operator.itemgetter(0)


def title_mentions(text: str, index: Mapping, slug: str = "") -> list[tuple[Mention, TitleTarget]]:
    """Titles used as titles in ``text``. A mention that could name parts of several works
    links to the part in its own work, else to nothing (ambiguous)."""
    return _pick_titles(title_spans(text, index), slug)


def title_spans(text: str, index: Mapping) -> list[tuple[tuple[int, int], list[TitleTarget]]]:
    """Every stretch of ``text`` used as a title, with every target it may name: it depends on
    the text alone, so the stage reads a repeated paragraph once."""
    found: dict[tuple[int, int], list[TitleTarget]] = defaultdict(list)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters change length when lowered: keep offsets
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    folds = any(c in lowered for c in _FOLDS_TO_ASCII)
    seps = ""  # the lowered text as title_regex reads it, made at the first title tried
    for start in _STARTS.finditer(lowered) if folds else _fast_starts(lowered):
        word = _WORDS.match(lowered, start.end())
        if word is None or word.group(0) not in index:
            continue
        seps = seps or title_text(lowered)
        at = start.end()
        # Every title here starts with this word: its second word must be where the
        # separators after it end (TitleWords.end's second test, made once for them all), a
        # start of the run of word characters there (a title's words are such runs), so the
        # titles tried are those under one of that run's starts (``_Titles``), in order.
        group = index[word.group(0)]
        sep = _TITLE_SEP.match(seps, word.end())
        assert sep is not None  # (the pattern matches the empty string)
        second_run = _WORDS.match(seps, sep.end())
        tried = group.alone
        if second_run is not None:
            second = second_run.group(0)
            for n in group.lengths:
                if n > len(second):
                    break
                found_here = group.by_second.get(second[:n])
                if found_here is not None:
                    tried = tried + found_here
            if len(tried) > 1:
                tried = sorted(tried, key=_PLACE)
        for _, rx, ts in tried:
            end = rx.end(seps, at)
            if end >= 0:
                used: dict[bool, bool] = {}  # the same for every target with this title
                for t in ts:
                    if t.quoted_only not in used:
                        used[t.quoted_only] = _used_as_title(text, at, end, t.quoted_only)
                    if used[t.quoted_only]:
                        found[(at, end)].append(t)
    return sorted(found.items())


def title_text(lowered: str) -> str:
    """Lowered text as ``title_regex`` matches it: dashes and '’' as '-' and "'"."""
    for mark, ascii_mark in _TITLE_SEPS:
        lowered = lowered.replace(mark, ascii_mark)
    return lowered


def _pick_titles(spans: list[tuple[tuple[int, int], list[TitleTarget]]],
                 slug: str) -> list[tuple[Mention, TitleTarget]]:
    out = []
    for (start, end), ts in spans:
        ts = [t for t in ts if not (t.slug == slug and not t.same_work)]
        works = {t.slug for t in ts}
        if len(works) > 1 and slug in works:
            ts = [t for t in ts if t.slug == slug]
        if len({t.href for t in ts}) == 1:
            out.append((Mention(ts[0].href, start, end), ts[0]))
    return out


# --- shared passages ---------------------------------------------------------------------

_STOP = frozenset("""
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him himself his how i if in into
    is it its itself just me more most my no nor not now of off on once only or other our
    ours out over own same she should so some such than that the their them then there these
    they this those through to too under until up upon very was we were what when where
    which while who whom why will with would you your yet thus must may shall one thing
    things
""".split())  # noqa: SIM905 - a word list reads best as text
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Content words, stemmed to six letters, with their character spans. Letter-spaced words
    ('r e s u l t') are read as one word; function words are left out."""
    raw = [(m.group(0), *m.span()) for m in _TOKEN.finditer(text)]
    if not raw:
        return []
    singles = [k for k, (w, _, _) in enumerate(raw) if len(w) == 1]
    if any(b == a + 1 and raw[b][1] - raw[a][2] <= 2 for a, b in itertools.pairwise(singles)):
        merged = _merge_spaced(raw)
    else:
        merged = raw  # no two neighbouring one-letter words: nothing to merge
    # Every word at once: joiners dropped, then case folded (per character, so the same as
    # word by word); a word never holds a line break.
    words = ("\n".join(w for w, _, _ in merged).replace("-", "").replace("'", "")
             .replace("’", "").casefold().split("\n"))
    return [(w[:6], s, e) for w, (_, s, e) in zip(words, merged)
            if len(w) > 2 and w not in _STOP]


def _merge_spaced(raw: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Three or more one-letter words a space apart are one letter-spaced word."""
    merged: list[tuple[str, int, int]] = []
    i = 0
    while i < len(raw):
        j = i
        while (j + 1 < len(raw) and len(raw[j][0]) == 1 and len(raw[j + 1][0]) == 1
               and raw[j + 1][1] - raw[j][2] <= 2):
            j += 1
        if j - i >= 2:
            merged.append(("".join(w for w, _, _ in raw[i:j + 1]), raw[i][1], raw[j][2]))
        else:  # one or two: words of their own (no later start makes a longer run)
            merged.extend(raw[i:j + 1])
        i = j + 1
    return merged


_SPACED = re.compile(r"(?<!\w)(?:[^\W\d_] ){2,}[^\W\d_](?!\w)")
# The last two letters of a ``_SPACED`` match, each after a space and the last one ending a
# word: in every match, found some four times faster (the engine skips from space to space, no
# lookbehind at every character), and in few texts (three letters a space apart are in most:
# 'was a book'), so most texts skip ``_SPACED`` altogether.
_SPACED_HINT = re.compile(r" [^\W\d_] [^\W\d_](?!\w)")


_JOINER_RUN = re.compile(r"[-'’]{2,}")
_LONG_LETTERS = re.compile(r"[^\W\d_]{3,}")  # runs of letters, the one- and two-letter ones skipped


# Punctuation common in the texts that is neither a letter nor a joiner: a word boundary like a
# space. Replaced by one (and '’' by "'", a joiner like it), most texts are ASCII (below).
_BOUNDARIES = ("—", "“", "”", "‘", "–")
_ASCII_SPLIT = bytes(c if 97 <= c <= 122 else 32 for c in range(256))  # a-z kept, else space
# What ``stems`` leaves out of such a text's words (all a-z): function words, and every word of
# one or two letters, as one set test per word instead of a length test and a set test.
_ASCII_DROP = _STOP | {chr(a) + b for a in range(97, 123) for b in ("", *map(chr, range(97, 123)))}


def stems(text: str) -> list[str]:
    """The same words as ``tokens`` without their positions: the fast path for indexing.

    A single joiner between letters is part of a word and dropped from it, which is what
    dropping every lone joiner from the text before splitting it into letter runs does; a run
    of joiners ('word--word') separates words, as in ``_TOKEN``. Words of one or two letters
    are never stems. The letters of a case-folded ASCII text are a-z, so its words are split
    out by a byte table instead of a regex."""
    if _SPACED_HINT.search(text):
        text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = text.casefold().replace("’", "'")
    for mark in _BOUNDARIES:
        text = text.replace(mark, " ")
    if "-" in text or "'" in text:
        if "--" in text or "''" in text or "-'" in text or "'-" in text:
            text = _JOINER_RUN.sub(" ", text)
        text = text.replace("-", "").replace("'", "")
    if text.isascii():
        return [w[:6] for w in text.encode().translate(_ASCII_SPLIT).decode().split()
                if w not in _ASCII_DROP]
    return [w[:6] for w in _LONG_LETTERS.findall(text) if w not in _STOP]


@dataclass(frozen=True)
class SharedPassage:
    a: int  # index into the paragraph list
    b: int
    a_span: tuple[int, int]  # characters of the shared passage in each block
    b_span: tuple[int, int]
    score: float


def _bigrams(toks: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    return [(toks[i][0], toks[i + 1][0]) for i in range(len(toks) - 1)]


@dataclass(frozen=True)
class Aligned:
    """A text's tokens made ready for ``_align`` once, however many candidates it is in."""

    words: list[str]  # tokens(text)'s words
    starts: list[int]  # and where each starts and ends in the text
    ends: list[int]
    grams: list[str]  # word pairs, as 'w1 w2'
    at: dict[str, list[int]]  # where each word pair is, in order


_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")  # split: [gap, token, gap, token, ..., gap]
_SIX = operator.itemgetter(slice(None, 6))


def aligned_text(text: str) -> Aligned:
    """``tokens(text)`` made ready for ``_align``: its words, their spans, word pairs and where
    each pair is. Without letter-spaced words to merge (most texts), worked out a list at a
    time, with no Python code per word: the text split into gaps and tokens (``re.split``),
    the offsets as running sums of their lengths (at 50x the corpus, tokens' loop over
    ``finditer`` was a third of the alignment's time)."""
    parts = _TOKEN_SPLIT.split(text)
    raw = parts[1::2]
    lens = list(map(len, raw))
    k = -1
    try:
        while True:  # tokens merges one-letter words at most two apart: its own way then
            k = lens.index(1, k + 1)
            if k + 1 < len(lens) and lens[k + 1] == 1 and len(parts[2 * k + 2]) <= 2:
                return _aligned(tokens(text))
    except ValueError:  # no more one-letter words
        pass
    if not raw:
        return Aligned([], [], [], [], {})
    # tokens' words and its test for a content word, on every word at once.
    folded = ("\n".join(raw).replace("-", "").replace("'", "").replace("’", "").casefold()
              .split("\n"))
    keep = list(map(operator.and_, map(operator.lt, itertools.repeat(2), map(len, folded)),
                    map(operator.not_, map(_STOP.__contains__, folded))))
    offsets = list(itertools.accumulate(map(len, parts)))  # token k: offsets[2k], [2k + 1]
    return _ready(list(map(_SIX, itertools.compress(folded, keep))),
                  list(itertools.compress(offsets[0::2], keep)),
                  list(itertools.compress(offsets[1::2], keep)))


def _aligned(toks: list[tuple[str, int, int]]) -> Aligned:
    """``Aligned`` of ``tokens(text)``."""
    return _ready([w for w, _, _ in toks], [s for _, s, _ in toks], [e for _, _, e in toks])


def _ready(words: list[str], starts: list[int], ends: list[int]) -> Aligned:
    grams = list(map(" ".join, itertools.pairwise(words)))
    at: dict[str, list[int]] = {}
    for j, g in enumerate(grams):
        if g in at:
            at[g].append(j)
        else:
            at[g] = [j]
    return Aligned(words, starts, ends, grams, at)


def distinct(texts: Iterable[str]) -> tuple[list[str], list[int]]:
    """Each distinct text once (in order of first appearance), and for every input text the
    index of its copy: the links stage's work on a paragraph depends on its text alone, and a
    library repeats paragraphs (reprints, editions, versions of one text)."""
    first: dict[str, int] = {}
    of = [first.setdefault(t, len(first)) for t in texts]
    return list(first), of


@dataclass
class Memo:
    """What the links stage works out from one or two texts alone, kept from one build for the
    next (library.py stores it in the cache folder, under the package's code version): each
    text's stems, the alignment of two texts, and the titles found in a text (valid while the
    library's titles are the same: ``titles_key``). The ``old_`` entries are read, and every
    entry used now goes into the others (which the next build reads), so entries of texts gone
    are dropped."""

    # A text's stems joined by spaces (a stem never holds one): one string a text, not a list
    # of small ones (a tenth of the memory at 50x the corpus), split again when read.
    old_stems: dict[str, str] = dataclasses.field(default_factory=dict)
    old_aligned: dict[tuple, tuple | None] = dataclasses.field(default_factory=dict)
    stems: dict[str, str] = dataclasses.field(default_factory=dict)
    aligned: dict[tuple, tuple | None] = dataclasses.field(default_factory=dict)

    def stems_of(self, text: str) -> list[str]:
        found = self.old_stems.get(text)
        if found is None:
            words = stems(text)
            self.stems[text] = " ".join(words)
            return words
        self.stems[text] = found
        return found.split(" ") if found else []

    old_titles: dict[str, list] = dataclasses.field(default_factory=dict)
    old_titles_key: str = ""
    titles: dict[str, list] = dataclasses.field(default_factory=dict)
    titles_key: str = ""

    def title_spans_of(self, text: str, index: Mapping) -> list:
        """``title_spans`` of ``text``; ``titles_key`` must be set to the index's key first."""
        found = self.old_titles.get(text) if self.old_titles_key == self.titles_key else None
        self.titles[text] = found = title_spans(text, index) if found is None else found
        return found

    def next(self) -> Memo:
        """The memo the next build starts from."""
        return Memo(self.stems, self.aligned, old_titles=self.titles,
                    old_titles_key=self.titles_key)


@dataclass
class Indexed:
    """The inverted index of the distinct texts, made before ``shared_passages`` (by
    ``_per_text``, on two cores), and every text's stems joined by spaces (for the memo)."""

    postings: dict[str, list[int]]  # word pair -> the distinct texts holding it, rising
    stems: dict[str, str]


def _index(texts: Iterable[str], start: int, stems_of) -> defaultdict[str, list[int]]:
    """Word pair -> the texts holding it (numbered from ``start``, in order)."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for u, text in enumerate(texts, start):
        for g in set(map(" ".join, itertools.pairwise(stems_of(text)))):
            postings[g].append(u)
    return postings


def shared_passages(texts: list[str], works: list[str], max_df: int = 12, min_shared: int = 4,
                    min_words: int = 10, min_score: float = 60.0,
                    stock: Iterable[str] = (), max_versions: float = 0.2,
                    memo: Memo | None = None,
                    known: Indexed | None = None, workers: int = 1,
                    meanwhile: Callable[[], None] | None = None) -> list[SharedPassage]:
    """Passages two works share, tolerant of another translation and of OCR noise.

    Candidates come from an inverted index of rare word pairs (a pair in more than ``max_df``
    paragraphs is a stock phrase and never a candidate), so the work grows with the number of
    paragraphs, not its square; each candidate is aligned along its densest diagonal band and
    kept when the aligned stretches are long and similar (rapidfuzz ratio). Two works with
    candidates in more than ``max_versions`` of the smaller one's paragraphs are versions of one
    text (editions, variants), not a text quoting another: they are not paired at all.

    A text that recurs is read once: the index is built over distinct texts (a pair's
    paragraph count is the sum of its texts' copies), and two texts are aligned once however
    many pairs of paragraphs carry them. With a ``memo``, a text's stems and two texts'
    alignment found by an earlier build are not worked out again. With ``workers`` > 1 the
    alignments are shared with a forked process, and ``meanwhile()`` (other work of the
    caller) is run here while the child starts aligning (``_align_pairs``)."""
    unique, of = distinct(texts)
    copies_of: list[list[int]] = [[] for _ in unique]  # paragraphs carrying each text
    for i, u in enumerate(of):
        copies_of[u].append(i)
    copies = [tuple(c) for c in copies_of]
    # A word pair as one string ('grain ledger'): its hash is kept, a tuple's is recomputed
    # at every lookup (a third of the indexing time). Stems never hold a space.
    stock_grams = {" ".join(g) for s in stock for g in _bigrams(tokens(s))}
    if known is not None:  # the index of these texts, made already (``_per_text``)
        postings = known.postings
        if memo is not None:
            memo.stems.update(known.stems)
    else:
        postings = _index(unique, 0, memo.stems_of if memo is not None else stems)
    task = _PassageTask(postings, copies, works, max_df, min_shared, stock_grams, max_versions,
                        of, unique, min_words, min_score, memo)
    if (workers > 1 and sum(map(len, unique)) >= _CANDIDATES_FORK_COST
            and "fork" in multiprocessing.get_all_start_methods()):
        kept, aligned = _candidates_and_alignments_forked(task, meanwhile)
    else:
        kept, aligned, todo = task.to_align(task.candidates())
        aligned.update(_align_pairs(todo, unique, min_words, min_score, workers, meanwhile))
    out = []
    stored: set[tuple[int, int]] = set()
    for a, b, key in kept:
        found = aligned[key]
        if memo is not None and key not in stored:
            stored.add(key)
            memo.aligned[(unique[key[0]], unique[key[1]], min_words, min_score)] = found
        if found:
            out.append(SharedPassage(a, b, *found))
    return out


_ALIGN_INPUT: tuple = ()  # (distinct texts, min_words, min_score, groups, next) for the fork
_ALIGN_FORK_COST = 800_000  # characters to read before a second process pays for its fork


def _to_align(candidates: list[tuple[int, int]], of: list[int], unique: list[str],
              min_words: int, min_score: float, memo: Memo | None) -> tuple[list, dict, list]:
    """The candidates to read, as (a, b, their two distinct texts); the alignments the memo
    holds; the pairs of distinct texts left to align, in order (each once)."""
    aligned: dict[tuple[int, int], tuple | None] = {}  # two distinct texts -> _align's answer
    kept: list[tuple[int, int, tuple[int, int]]] = []
    todo: dict[tuple[int, int], None] = {}
    for a, b in candidates:
        key = (of[a], of[b])
        kept.append((a, b, key))
        if key not in aligned and key not in todo:
            both = (unique[key[0]], unique[key[1]], min_words, min_score)
            if memo is not None and both in memo.old_aligned:
                aligned[key] = memo.old_aligned[both]
            else:
                todo[key] = None
    return kept, aligned, list(todo)


# Distinct texts' characters before the candidates are worked out in a forked process while
# this one reads people and titles (``meanwhile``): at 1x the corpus (1.4 million) the fork
# costs more than it saves (stage's critical path 0.123 against 0.118 s), at 10x (6.8
# million) it saves a fifth (0.49 against 0.57 s; benchmarks/structure_profile.py --links).
_CANDIDATES_FORK_COST = 3_000_000


@dataclass
class _PassageTask:
    """What ``shared_passages`` finds its candidates and alignments from (a forked child
    inherits it, and keeps there the candidates it found and the counter of groups taken)."""

    postings: Mapping[str, list[int]]
    copies: list[tuple[int, ...]]
    works: list[str]
    max_df: int
    min_shared: int
    stock_grams: set[str]
    max_versions: float
    of: list[int]
    unique: list[str]
    min_words: int
    min_score: float
    memo: Memo | None
    taken: Synchronized[int] | None = None  # the shared count of groups taken (a forked run)
    found: list[tuple[int, int]] | None = None  # the child's candidates, for its aligning

    def candidates(self) -> list[tuple[int, int]]:
        """Pairs of paragraphs to read. Two versions of one text share most paragraphs: that
        is not quoting (``_quoting``)."""
        return _quoting(_shared_texts(self.postings, self.copies, self.max_df, self.stock_grams),
                        self.copies, self.works, self.min_shared, self.max_versions)

    def to_align(self, candidates: list[tuple[int, int]]) -> tuple[list, dict, list]:
        return _to_align(candidates, self.of, self.unique, self.min_words, self.min_score,
                         self.memo)


_FORK_TASK: _PassageTask | None = None  # shared_passages' task, for the fork


def _child_candidates() -> list[tuple[int, int]]:
    """In the child: the candidates, kept for ``_child_aligns`` (the same task, next)."""
    assert _FORK_TASK is not None  # (set before the fork)
    _FORK_TASK.found = _FORK_TASK.candidates()
    return _FORK_TASK.found


def _child_aligns() -> list[tuple[int, list[tuple | None]]]:
    """In the child, right after ``_child_candidates``: the pairs to align worked out as this
    process does (the same inputs, so the same groups in the same order), then groups taken
    in turn with it (``_take_groups``); nothing when there is too little to align."""
    global _ALIGN_INPUT
    task = _FORK_TASK
    assert task is not None and task.found is not None  # (_child_candidates ran)
    groups = _fork_groups(task.to_align(task.found)[2], task.unique)
    if groups is None:
        return []
    _ALIGN_INPUT = (task.unique, task.min_words, task.min_score, groups, task.taken)
    return _take_groups()


def _fork_groups(keys: list[tuple[int, int]], unique: list[str]) -> list | None:
    """``_align_groups``, when two processes pay for aligning ``keys`` (as ``_align_pairs``)."""
    if len(keys) < 2 or sum(len(unique[u]) for u in {u for key in keys for u in key}) \
            < _ALIGN_FORK_COST:
        return None
    return _align_groups(keys, unique)


def _candidates_and_alignments_forked(task: _PassageTask, meanwhile: Callable[[], None] | None
                                      ) -> tuple[list, dict]:
    """``shared_passages``' candidates and their alignments on two cores: a forked child finds
    the candidates (from the inherited index) while this process runs ``meanwhile``; the
    child then goes on to align, taking groups of pairs (``_align_groups``) in turn with this
    process, which joins in once it has the candidates from the child. The answers are the
    same wherever they are worked out (pure functions of the texts)."""
    global _FORK_TASK, _ALIGN_INPUT
    unique, min_words, min_score = task.unique, task.min_words, task.min_score
    fork = multiprocessing.get_context("fork")
    taken = task.taken = fork.Value("i", 0)
    _FORK_TASK = task
    try:
        gc.freeze()  # as _per_text: the child's collector never walks the inherited heap
        with ProcessPoolExecutor(1, mp_context=fork) as pool:
            found = pool.submit(_child_candidates)
            theirs = pool.submit(_child_aligns)  # runs in the child right after
            if meanwhile is not None:
                meanwhile()
            kept, aligned, todo = task.to_align(found.result())
            groups = _fork_groups(todo, unique)
            if groups is None:  # too little to align for two: all here
                _ALIGN_INPUT = (unique, min_words, min_score)
                aligned.update(zip(todo, _align_some(todo)))
                theirs.result()
                return kept, aligned
            _ALIGN_INPUT = (unique, min_words, min_score, groups, taken)
            answers = _take_groups() + theirs.result()
    finally:
        _FORK_TASK, _ALIGN_INPUT = None, ()
    for g, some in answers:
        aligned.update(zip(groups[g], some))
    return kept, aligned


def _align_some(keys: list[tuple[int, int]]) -> list[tuple | None]:
    """``_align`` of each pair of distinct texts, each text tokenised once."""
    unique, min_words, min_score = _ALIGN_INPUT[:3]
    ready: dict[int, Aligned] = {}
    out = []
    for key in keys:
        for u in key:
            if u not in ready:
                ready[u] = aligned_text(unique[u])
        out.append(_align(ready[key[0]], ready[key[1]], min_words, min_score))
    return out


def _align_groups(keys: list[tuple[int, int]], unique: list[str]) -> list[list[tuple[int, int]]]:
    """The pairs as groups that hold no text in common (texts joined by pairs), the costliest
    first, so two processes taking groups in turn tokenise no text twice and end together. A
    text's cost is its length (tokenising it), a pair's a third of its texts' lengths
    (``_align`` reads word pairs, not characters)."""
    parent: dict[int, int] = {}

    def root(u: int) -> int:
        while parent.setdefault(u, u) != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for u, v in keys:
        parent[root(u)] = root(v)
    cost: Counter = Counter()
    for u in parent:
        cost[root(u)] += len(unique[u])
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in keys:
        cost[root(key[0])] += (len(unique[key[0]]) + len(unique[key[1]])) // 3
        groups[root(key[0])].append(key)
    return [groups[g] for g in sorted(groups, key=lambda g: (-cost[g], g))]


def _take_groups() -> list[tuple[int, list[tuple | None]]]:
    """Align the next group not taken yet by either process, until none is left; the
    answers by group number."""
    groups, taken = _ALIGN_INPUT[3:]
    out: list[tuple[int, list[tuple | None]]] = []
    while True:
        with taken.get_lock():
            g = taken.value
            taken.value += 1
        if g >= len(groups):
            return out
        out.append((g, _align_some(groups[g])))


def _align_pairs(keys: list[tuple[int, int]], unique: list[str], min_words: int,
                 min_score: float, workers: int,
                 meanwhile: Callable[[], None] | None = None) -> dict[tuple[int, int],
                                                                     tuple | None]:
    """``_align`` of every pair, after ``meanwhile()`` (other work of the stage). With two
    cores and enough to align, a forked child starts aligning at once, taking groups of pairs
    (``_align_groups``) in turn with this process, which joins in when ``meanwhile`` is done.
    The child inherits the texts by fork and sends back only the answers, which are the same
    wherever they are worked out (``_align`` is a pure function of the two texts)."""
    global _ALIGN_INPUT
    groups = None
    if workers > 1 and len(keys) > 1 and "fork" in multiprocessing.get_all_start_methods():
        groups = _align_groups(keys, unique)
        if sum(len(unique[u]) for u in {u for key in keys for u in key}) < _ALIGN_FORK_COST:
            groups = None  # too little to align to pay for a fork
    if groups is None:
        if meanwhile is not None:
            meanwhile()
        _ALIGN_INPUT = (unique, min_words, min_score)
        try:
            return dict(zip(keys, _align_some(keys)))
        finally:
            _ALIGN_INPUT = ()
    fork = multiprocessing.get_context("fork")
    _ALIGN_INPUT = (unique, min_words, min_score, groups, fork.Value("i", 0))
    try:
        gc.freeze()  # as _per_text: the child's collector never walks the inherited heap
        with ProcessPoolExecutor(1, mp_context=fork) as pool:
            future = pool.submit(_take_groups)
            if meanwhile is not None:
                meanwhile()
            answers = _take_groups() + future.result()
    finally:
        _ALIGN_INPUT = ()
    found: dict[tuple[int, int], tuple | None] = {}
    for g, some in answers:
        found.update(zip(groups[g], some))
    return {key: found[key] for key in keys}


def _candidates(postings: Mapping[str, list[int]], copies: list[tuple[int, ...]],
                works: list[str], max_df: int, min_shared: int,
                stock_grams: AbstractSet[str] = frozenset()) -> list[tuple[int, int]]:
    """The pairs of paragraphs of two works that share at least ``min_shared`` rare word pairs
    (a pair in at most ``max_df`` paragraphs, not a stock phrase), in order.

    ``postings`` gives each word pair's distinct texts, in rising order; ``copies`` each
    text's paragraphs. Counted per pair of distinct texts, not of paragraphs: two paragraphs
    share what their texts share (a text shares all its pairs with a copy of itself), and a
    library repeats texts. The word pairs of one passage have one list of texts (the passage in
    every version of a text), so each list is expanded into pairs of texts once, weighted by
    how many word pairs have it."""
    shared = _shared_texts(postings, copies, max_df, stock_grams)
    pairs: list[tuple[int, int]] = []
    for (u, v), n in shared.items():
        if n >= min_shared:
            pairs.extend(itertools.combinations(copies[u], 2) if u == v else (
                (a, b) if a < b else (b, a) for a in copies[u] for b in copies[v]))
    # Sorted: the pairs were counted in set order, which changes with the hash seed per run.
    return sorted(p for p in pairs if works[p[0]] != works[p[1]])


def _shared_texts(postings: Mapping[str, list[int]], copies: list[tuple[int, ...]],
                  max_df: int, stock_grams: AbstractSet[str] = frozenset()) -> Counter:
    """(u, v), u < v -> the rare word pairs texts u and v share; (u, u) -> those of u, when it
    has copies (``_candidates``)."""
    lists = Counter(map(tuple, postings.values()))
    for g in stock_grams:
        if g in postings:
            lists[tuple(postings[g])] -= 1
    shared: Counter = Counter()  # (u, v), u < v: rare word pairs in both; (u, u): in u
    many = {u for u, c in enumerate(copies) if len(c) > 1}  # the texts with copies
    once: list[tuple[int, ...]] = []  # the lists of one word pair, counted in one C call
    for us, n in lists.items():
        # Every text has at least one paragraph: more than max_df texts, more paragraphs.
        if n < 1 or len(us) > max_df:
            continue
        # Most lists hold no text with copies: a paragraph per text (so the sum below is
        # len(us), already known to be in range when there are pairs), and no (u, u) to count.
        with_copies = not many.isdisjoint(us)
        if with_copies and not 1 < sum(len(copies[u]) for u in us) <= max_df:
            continue
        if len(us) > 1:
            if n == 1:
                once.append(us)
            else:
                for pair in itertools.combinations(us, 2):
                    shared[pair] += n
        if with_copies:
            for u in us:
                if len(copies[u]) > 1:
                    shared[u, u] += n
    shared.update(itertools.chain.from_iterable(
        map(itertools.combinations, once, itertools.repeat(2))))
    return shared


def _quoting(shared: Mapping[tuple[int, int], int], copies: list[tuple[int, ...]],
             works: list[str], min_shared: int, max_versions: float) -> list[tuple[int, int]]:
    """``_candidates`` less the pairs between two works that are versions of one text (pairs
    in more than ``max_versions`` of the smaller work's paragraphs, and more than 20). The
    pairs per two works are counted from each text's works, without making the pairs: at 10x
    the corpus, 78,000 candidates were made and sorted, and 295 of them kept."""
    size = Counter(works)
    # Each text's copies' works, with counts (most texts: one copy).
    works_of = [[(works[c[0]], 1)] if len(c) == 1 else list(Counter(works[a] for a in c).items())
                for c in copies]
    per_works: Counter = Counter()  # (work, work) -> candidates between them
    between: defaultdict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for (u, v), n in shared.items():
        if n < min_shared:
            continue
        wu = works_of[u]
        if u == v:  # copies of one text, two by two: in two works, na * nb pairs
            for (wa, na), (wb, nb) in itertools.combinations(wu, 2):
                wp = (wa, wb) if wa <= wb else (wb, wa)
                per_works[wp] += na * nb
                between[wp].append((u, v))
            continue
        for wa, na in wu:
            for wb, nb in works_of[v]:
                if wa != wb:
                    wp = (wa, wb) if wa <= wb else (wb, wa)
                    per_works[wp] += na * nb
                    between[wp].append((u, v))
    versions = {wp for wp, n in per_works.items()
                if n > max(20, max_versions * min(size[wp[0]], size[wp[1]]))}
    pairs: list[tuple[int, int]] = []
    for u, v in dict.fromkeys(uv for wp, uvs in between.items() if wp not in versions
                              for uv in uvs):
        pairs.extend(p for p in (itertools.combinations(copies[u], 2) if u == v else (
            (a, b) if a < b else (b, a) for a in copies[u] for b in copies[v]))
            if works[p[0]] != works[p[1]] and _ordered(works[p[0]], works[p[1]]) not in versions)
    return sorted(pairs)  # the order of _candidates (whose pairs are in hash-seed order)


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _align(a: Aligned, b: Aligned, min_words: int, min_score: float,
           min_density: float = 0.25):
    # Hits come in (i, j) order: i rises through a's bigrams, j through each bigram's places.
    hits = [(i, j) for i, g in enumerate(a.grams) for j in b.at.get(g, ())]
    if not hits:
        return None
    diags = [(j - i) // 12 for i, j in hits]
    bands = Counter(diags)
    best = max(bands, key=lambda k: (bands[k - 1] + bands[k] + bands[k + 1], -abs(k)))
    near = [h for h, d in zip(hits, diags) if -1 <= d - best <= 1]  # sorted, as hits are
    i0, i1 = near[0][0], near[-1][0] + 1
    js = [j for _, j in near]
    j0, j1 = min(js), max(js) + 1
    if min(i1 - i0, j1 - j0) + 1 < min_words or len(near) < min_density * min(i1 - i0, j1 - j0):
        return None  # too short, or a few shared pairs scattered over long paragraphs
    score = fuzz.ratio(" ".join(a.words[i0:i1 + 1]), " ".join(b.words[j0:j1 + 1]))
    if score < min_score:
        return None
    return (a.starts[i0], a.ends[i1]), (b.starts[j0], b.ends[j1]), score


def _in_quotation(text: str, span: tuple[int, int]) -> bool:
    """Does the shared stretch sit inside quotation marks (a quotation, not the source)?"""
    before = text[:span[0] + 1]
    opened = before.count("“") - before.count("”") > 0 or before.count('"') % 2 == 1
    return opened or text[:span[0]].rstrip()[-1:] in _OPEN


# --- the stage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    docs: dict[str, Document]
    pages: tuple[Page, ...]
    nav: list
    references: dict[str, tuple[tuple[str, str], ...]]  # slug -> (label, href) mentions
    counts: dict[str, int]
    diagnostics: tuple[Diagnostic, ...] = ()
    edges: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)


def crosslink(docs: dict[str, Document], lib) -> dict[str, Document]:
    """Link the documents with the default configuration (no links.yml)."""
    return link_library(docs, lib).docs


def link_library(docs: dict[str, Document], lib, config: LinksConfig = LinksConfig(),
                 index_paths: Mapping[str, str] | None = None, memo: Memo | None = None,
                 workers: int = 1) -> Linked:
    """Find every cross-link, put them on the blocks, and make the people pages and the map.

    ``index_paths`` gives each work's landing page (docs-relative); without it title mentions
    of a whole work link to the work's first page. ``memo``: see ``shared_passages``. With
    ``workers`` > 1, a forked process reads half of the distinct texts (``_per_text``).

    The garbage collector waits until the stage is done: the stage makes hundreds of thousands
    of small containers (paragraphs, postings, links) that live to its end and no reference
    cycles, so a collection in the middle frees nothing and walks them all (at 10x the corpus,
    measured: 0.09 of 1.03 s CPU, most of it in two full collections)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _link_library(docs, lib, config, index_paths, memo, workers)
    finally:
        if enabled:
            gc.enable()


def _link_library(docs: dict[str, Document], lib, config: LinksConfig,
                  index_paths: Mapping[str, str] | None, memo: Memo | None,
                  workers: int) -> Linked:
    paras = paragraphs(docs)
    index_paths = dict(index_paths or {})
    for slug, doc in docs.items():
        if slug not in index_paths and page_paths(doc):
            index_paths[slug] = page_paths(doc)[0][1]
    diags: list[Diagnostic] = [
        Diagnostic(Level.WARNING, "links-unknown-work",
                   f"{where}: work {place.work!r} is not a work of the library (a folder under "
                   "source/ with a work.yml): correct the name or remove the entry", config.path)
        for where, place in _places(config) if place.work not in lib.works]
    links: dict[int, list[InlineLink]] = defaultdict(list)
    conns: dict[int, list[Connection]] = defaultdict(list)
    counts: Counter = Counter()
    edges: Counter = Counter()
    references: dict[str, list[tuple[str, str]]] = defaultdict(list)

    # titles: works (title and aliases), declared titles, and section titles when quoted
    targets: list[tuple[TitleWords, TitleTarget]] = []
    regexes: dict[str, TitleWords] = {}  # a title recurs (every version of a text has it)

    def regex(title: str) -> TitleWords:
        if title not in regexes:
            regexes[title] = title_words(title)
        return regexes[title]

    for slug, meta in lib.works.items():
        if slug in docs and slug in index_paths:
            for t in dict.fromkeys((meta.title, *meta.aliases)):
                if len(_WORDS.findall(t)) >= 2:
                    targets.append((regex(t), TitleTarget(t, index_paths[slug], slug,
                                                          meta.title, False, False)))
    declared_sections: set[int] = set()
    for d in config.titles:
        if d.target.work not in docs:
            continue
        found = find_place(d.target, paras, docs)
        if found is None:
            diags.append(Diagnostic(Level.WARNING, "links-title-not-found",
                                    f"title {d.title!r}: no heading "
                                    f"{d.target.heading or d.target.text!r} in {d.target.work}",
                                    config.path))
            continue
        if isinstance(found, Section):
            declared_sections.add(id(found))
            href = _section_href(docs, d.target.work, found)
        else:
            href = found.href
        label = f"{d.title} (in {lib.works[d.target.work].title})"
        for t in (d.title, *d.aliases):
            targets.append((regex(t), TitleTarget(t, href, d.target.work, label, True,
                                                  False)))
    for slug, doc in docs.items():
        for page_sec, path in page_paths(doc):
            for sec in _walk(page_sec):
                if id(sec) not in declared_sections and len(_WORDS.findall(sec.title)) >= 3:
                    href = path if sec is page_sec else f"{path}#{sec.slug}"
                    label = f"{sec.title} (in {lib.works[slug].title})" if slug in lib.works \
                        else sec.title
                    targets.append((regex(sec.title),
                                    TitleTarget(sec.title, href, slug, label, True, False)))
    by_first = _title_index(targets)
    pattern, forms = person_pattern(lib.people)
    spans: dict[str, list] = {}  # by text: a repeated paragraph is read once
    find = title_spans
    if memo is not None:  # the titles found in a text depend on the text and every target
        memo.titles_key = hashlib.sha256(
            repr([(rx.pattern, t) for rx, t in targets]).encode()).hexdigest()
        find = memo.title_spans_of
    # What depends on a paragraph's text alone (its people, titles and stems), worked out for
    # the distinct texts on every core before the stage reads them in order.
    mentions, ready_spans, indexed = _per_text(
        [p.block.text for p in paras], pattern, forms, by_first, memo, workers)
    for text, found in ready_spans.items():
        spans[text] = found
        if memo is not None:
            memo.titles[text] = found

    # people: every mention for the person's page, the first in each section linked
    named: dict[str, list[int]] = defaultdict(list)
    seen: set[tuple[str, int, str]] = set()
    people_in: dict[int, list[str]] = defaultdict(list)
    people: list[Page] = []

    def people_and_titles() -> None:
        """The people and titles of every paragraph, and the people's pages: run while a
        forked process aligns shared passages (``shared_passages``), which they do not use."""
        for k, p in enumerate(paras):
            text = p.block.text
            if text not in mentions:
                mentions[text] = person_mentions(text, pattern, forms)
            for m in mentions[text]:
                if k not in named[m.key][-1:]:
                    named[m.key].append(k)
                    people_in[k].append(m.key)
                key = (p.page, id(p.section), m.key)
                if key not in seen:
                    seen.add(key)
                    person = lib.people[m.key]
                    links[k].append(InlineLink(m.start, m.end, f"{PEOPLE_DIR}/{m.key}.md", "person",
                                               (("name", person.name), ("dates", _dates(person)),
                                                ("line", _description(person)))))
                    counts["person"] += 1

        for k, p in enumerate(paras):
            text = p.block.text
            if text not in spans:
                spans[text] = find(text, by_first)
            for m, t in _pick_titles(spans[text], p.slug):
                if (t.slug == p.slug and not t.same_work) or t.href.partition("#")[0] == p.page:
                    continue
                links[k].append(InlineLink(m.start, m.end, t.href, "title", (("title", t.label),)))
                references[t.slug].append((_label(p, lib), p.href))
                counts["title"] += 1
                if t.slug != p.slug:
                    edges[tuple(sorted((p.slug, t.slug)))] += 1
        people.extend(people_pages(lib, paras, named))

    # shared passages
    found_pairs = shared_passages([p.block.text for p in paras], [p.slug for p in paras],
                                  stock=config.stock, memo=memo, known=indexed,
                                  workers=workers, meanwhile=people_and_titles)
    per_para: dict[int, list[tuple[float, int, Connection]]] = defaultdict(list)
    for sp in found_pairs:
        a, b = paras[sp.a], paras[sp.b]
        qa = a.block.kind is BlockKind.QUOTE or _in_quotation(a.block.text, sp.a_span)
        qb = b.block.kind is BlockKind.QUOTE or _in_quotation(b.block.text, sp.b_span)
        da, db = _date(lib, a.slug), _date(lib, b.slug)
        if qa and qb:
            ka, kb = "also-quoted-in", "also-quoted-in"
        elif qa != qb:
            ka, kb = ("quotes", "quoted-in") if qa else ("quoted-in", "quotes")
        else:
            ka, kb = ("quoted-in", "quotes") if da <= db else ("quotes", "quoted-in")
        per_para[sp.a].append((sp.score, sp.b, Connection(ka, b.href, _label(b, lib))))
        per_para[sp.b].append((sp.score, sp.a, Connection(kb, a.href, _label(a, lib))))
    for k, quoting in per_para.items():
        for _, other, c in sorted(quoting, key=lambda f: -f[0])[:MAX_QUOTE_LINKS]:
            conns[k].append(c)
            counts["quotation"] += 1
            edges[tuple(sorted((paras[k].slug, paras[other].slug)))] += 1

    # declared links
    for link in config.links:
        if link.source.work not in docs or link.target.work not in docs:
            continue
        src, dst = find_place(link.source, paras, docs), find_place(link.target, paras, docs)
        if not isinstance(src, Para) or not isinstance(dst, Para):
            diags.append(Diagnostic(Level.WARNING, "links-place-not-found",
                                    f"declared link {link.source.text[:40]!r} -> "
                                    f"{link.target.text[:40]!r}: a paragraph was not found",
                                    config.path))
            continue
        ks, kd = ("revised-in", "revises") if link.kind == "revised-in" else ("quotes", "quoted-in")
        k_src = next(k for k, p in enumerate(paras) if p is src)
        k_dst = next(k for k, p in enumerate(paras) if p is dst)
        conns[k_src].append(Connection(ks, dst.href, _label(dst, lib), link.note))
        conns[k_dst].append(Connection(kd, src.href, _label(src, lib), link.note))
        counts["declared"] += 2
        edges[tuple(sorted((src.slug, dst.slug)))] += 1

    # connections panels: every paragraph with a link lists them, people included
    at = {p.href: k for k, p in enumerate(paras)}
    for k in sorted(set(links) | set(conns)):
        p = paras[k]
        for t in links.get(k, ()):
            if t.kind == "title":
                conns[k].append(Connection("references", t.href, dict(t.data)["title"]))
                if t.href in at:
                    conns[at[t.href]].append(Connection("referenced-in", p.href, _label(p, lib)))
        for pid in dict.fromkeys(people_in.get(k, ())):
            conns[k].append(Connection("person", person_path(pid), lib.people[pid].name))
    new_docs = _apply(docs, paras, links, conns)
    pages = people
    pages.append(map_page(lib, docs, index_paths, edges, counts))
    nav = people_nav(lib, named) + [{"Map of the library": MAP_PAGE}]
    return Linked(new_docs, tuple(pages), nav,
                  {s: tuple(v) for s, v in references.items()}, dict(counts), tuple(diags),
                  dict(edges))


_PER_TEXT_INPUT: tuple = ()  # (distinct texts, person pattern, forms, titles, ...) for the fork
# This process's share of the texts' characters in ``_per_text``: a little under half, as it
# also starts the child and takes its index in (``_unpack_into``). Measured with
# benchmarks/structure_profile.py --links --workers 2, CPU seconds of this process and the
# child: with half, 0.35 and 0.32 at 10x the corpus, 0.94 and 0.85 at 50x.
_OWN_SHARE = 0.47


def _read_texts(start: int, stop: int) -> tuple[list, list, list, tuple]:
    """Distinct texts ``start`` to ``stop``: their mentions as (key, start, end), title spans
    (None where not wanted), stems joined by spaces (None where the memo holds them or no memo
    wants them), in the texts' order, and the index of their word pairs (``_pack``). Made for
    the pipe back from the fork: no text and no object per word is pickled (at 10x the corpus,
    2 instead of 70 ms to pickle and unpickle half of the texts' results)."""
    unique, pattern, forms, by_first, spans_too, memo = _PER_TEXT_INPUT
    texts = unique[start:stop]
    mentions = [[(m.key, m.start, m.end) for m in person_mentions(t, pattern, forms)]
                for t in texts]
    spans = [title_spans(t, by_first) if t in spans_too else None for t in texts]
    part = Memo(memo.old_stems) if memo is not None else None
    postings = _index(texts, start, part.stems_of if part is not None else stems)
    joined = [None if part is None or t in part.old_stems else part.stems[t] for t in texts]
    return mentions, spans, joined, _pack(postings)


def _pack(postings: Mapping[str, list[int]]) -> tuple[str, array.array, array.array]:
    """An index as three flat objects, which pickle some five times faster than the dict: its
    word pairs joined by line breaks (a stem never holds one), the length of each pair's list,
    and the lists one after the other."""
    return ("\n".join(postings), array.array("q", map(len, postings.values())),
            array.array("q", itertools.chain.from_iterable(postings.values())))


def _unpack_into(postings: defaultdict[str, list[int]], packed: tuple) -> None:
    """Append a packed index (of texts numbered after every text in ``postings``)."""
    keys, lens, flat = packed
    flat = flat.tolist()
    at = 0
    for g, n in zip(keys.split("\n") if keys else (), lens):
        postings[g] += flat[at:at + n]
        at += n


def _per_text(texts: list[str], pattern, forms, by_first: Mapping, memo: Memo | None,
              workers: int) -> tuple[dict, dict, Indexed | None]:
    """Each distinct text's person mentions and title spans (those the memo does not hold
    already), and the index of their word pairs (``shared_passages``), when a second core can
    take half of the texts; else only the mentions, the rest being worked out as the stage
    reads the texts. The child inherits everything by fork and sends back only what it found,
    which equals what this process would find (pure functions of the text); each process
    indexes its half of the texts, the child's half is appended to this one's (the texts are
    numbered in the same order as ``shared_passages`` numbers them, ``distinct``)."""
    global _PER_TEXT_INPUT
    unique = list(dict.fromkeys(texts))
    if workers < 2 or len(unique) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {t: person_mentions(t, pattern, forms) for t in unique}, {}, None
    fresh_titles = memo is None or memo.old_titles_key != memo.titles_key
    spans_too = {t for t in unique
                 if fresh_titles or memo is not None and t not in memo.old_titles}
    half, cut = sum(map(len, unique)) * _OWN_SHARE, 0
    done = 0
    while cut < len(unique) and done < half:  # this process takes the first part
        done += len(unique[cut])
        cut += 1
    _PER_TEXT_INPUT = (unique, pattern, forms, by_first, spans_too, memo)
    try:
        gc.freeze()  # as render_works: the child's collector never walks the inherited heap
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_read_texts, cut, len(unique))
            mine = unique[:cut]
            mentions = {t: person_mentions(t, pattern, forms) for t in mine}
            spans = {t: title_spans(t, by_first) for t in mine if t in spans_too}
            part = Memo(memo.old_stems) if memo is not None else None
            postings = _index(mine, 0, part.stems_of if part is not None else stems)
            joined = part.stems if part is not None else {}
            found, their_spans, their_stems, packed = future.result()
            for t, m, span, words in zip(unique[cut:], found, their_spans, their_stems):
                mentions[t] = [Mention(*x) for x in m]
                if span is not None:
                    spans[t] = span
                if part is not None:
                    assert memo is not None  # (part is made from it)
                    joined[t] = memo.old_stems[t] if words is None else words
            _unpack_into(postings, packed)
    finally:
        _PER_TEXT_INPUT = ()
    return mentions, spans, Indexed(postings, joined)


def _places(config: LinksConfig) -> list[tuple[str, Place]]:
    out = [(f"titles[{i}]", t.target) for i, t in enumerate(config.titles)]
    for i, d in enumerate(config.links):
        out += [(f"links[{i}].from", d.source), (f"links[{i}].to", d.target)]
    return out


def _date(lib, slug: str) -> str:
    return lib.works[slug].date if slug in lib.works else ""


def _dates(person) -> str:
    if person.born or person.died:
        return f"{person.born or '?'}–{person.died or '?'}"
    return ""


def _description(person) -> str:
    return getattr(person, "description", "") or ""


def _apply(docs, paras, links, conns) -> dict[str, Document]:
    """New documents whose blocks carry their links, connections and (then needed) ids."""
    by_block: dict[int, Block] = {}
    for k, p in enumerate(paras):
        if links.get(k) or conns.get(k):
            by_block[id(p.block)] = dataclasses.replace(
                p.block, anchor=p.anchor, links=p.block.links + tuple(links.get(k, ())),
                connections=p.block.connections + tuple(_dedupe(conns.get(k, ()))))
    if not by_block:
        return dict(docs)
    touched = {id(p.section) for p in paras if id(p.block) in by_block}

    def sec(s: Section) -> Section:
        children = tuple(sec(c) for c in s.children)
        if id(s) not in touched and all(n is o for n, o in zip(children, s.children)):
            return s  # nothing linked here or below: the section as it was (frozen)
        return dataclasses.replace(s, blocks=tuple(by_block.get(id(b), b) for b in s.blocks),
                                   children=children)

    out = {}
    for slug, doc in docs.items():
        sections = tuple(sec(s) for s in doc.sections)
        out[slug] = doc if all(n is o for n, o in zip(sections, doc.sections)) else \
            dataclasses.replace(doc, sections=sections)
    return out


def _dedupe(items: Iterable[Connection]) -> list[Connection]:
    return list(dict.fromkeys(items))


# --- pages -------------------------------------------------------------------------------


def person_path(pid: str) -> str:
    return f"{PEOPLE_DIR}/{pid}.md"


@dataclass(frozen=True)
class PersonPage:
    """What a person's page says, before it is written: the Markdown (``person_markdown``) and,
    without Python-Markdown, the HTML (people_html.py) are made from it. ``works`` are (work
    title, lines); each line is (section title, href from the person's page, paragraph ids)."""

    name: str
    facts: tuple[tuple[str, str], ...]  # (label, value), the empty ones left out
    description: str
    count: int  # paragraphs naming the person
    works: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...]


def person_markdown(person: PersonPage, numbers: dict[str, str] | None = None) -> str:
    """A person's page; ``numbers`` memoizes the escaped paragraph numbers across pages."""
    numbers = {} if numbers is None else numbers

    def number(anchor: str) -> str:  # 'p-12' -> '12', escaped once per id
        if anchor not in numbers:
            numbers[anchor] = escape(anchor.removeprefix("p-"))
        return numbers[anchor]

    n = len(person.works)
    lines = [f"# {escape(person.name)}\n"]
    lines.append('<dl class="work-meta">' + "".join(
        f"<div><dt>{escape_attr(k)}</dt><dd>{escape_attr(v)}</dd></div>"
        for k, v in person.facts) + "</dl>\n")
    if person.description:
        lines.append(f"{escape(person.description)}\n")
    lines.append(f"Named in {person.count} paragraphs of {n} {'work' if n == 1 else 'works'}.\n")
    for title, entries in person.works:
        lines.append(f"## {escape(title)}\n")
        for section_title, rel, anchors in entries:
            refs = ", ".join(f"[¶{number(a)}]({rel}{'#' if a else ''}{a})" for a in anchors)
            lines.append(f"- {escape(section_title)}: {refs}")
        lines.append("")
    return "\n".join(lines) + "\n"


def people_pages(lib, paras: list[Para], named: Mapping[str, list[int]]) -> list[Page]:
    """A page per person named in the library, listing every paragraph that names them,
    grouped by work and page; and an index of people. Each person's page carries its
    ``PersonPage`` in ``extra['person']``."""
    pages = []
    numbers: dict[str, str] = {}
    index = ["# People\n", ("People named in the texts of this library, with the number of "
                            "paragraphs that name them.\n")]
    for pid, person in sorted(lib.people.items(), key=lambda kv: kv[1].sort_name):
        ks = named.get(pid, [])
        if not ks:
            continue
        here = person_path(pid)
        by_work: dict[str, dict[str, list[Para]]] = {}  # work -> page -> paragraphs, in order
        for k in ks:
            by_work.setdefault(paras[k].slug, {}).setdefault(paras[k].page, []).append(paras[k])
        works = list(by_work)
        life = f" ({_dates(person)})" if _dates(person) else ""
        index.append(f"- [{escape(person.name)}]({pid}.md){escape(life)} — "
                     f"{escape(_description(person))} ({len(ks)} paragraphs in "
                     f"{len(works)} {'work' if len(works) == 1 else 'works'})")
        facts = [("Dates", _dates(person)), ("Full name", person.full_name),
                 ("Also written", ", ".join(a for a in person.aliases if a != person.name))]
        model = PersonPage(
            person.name, tuple((k, v) for k, v in facts if v), _description(person), len(ks),
            tuple((lib.works[slug].title if slug in lib.works else slug,
                   tuple((ps[0].page_section.title, relative_href(page, here),
                          tuple(q.anchor for q in ps))
                         for page, ps in by_work[slug].items()))
                  for slug in sorted(works, key=lambda s: (_date(lib, s), s))))
        pages.append(Page(here, person.name, person_markdown(model, numbers), "",
                          {"person": model}))
    pages.insert(0, Page(f"{PEOPLE_DIR}/index.md", "People", "\n".join(index) + "\n", ""))
    return pages


def people_nav(lib, named: Mapping[str, list[int]]) -> list:
    people = [{p.name: person_path(pid)} for pid, p in
              sorted(lib.people.items(), key=lambda kv: kv[1].sort_name) if named.get(pid)]
    return [{"People": [f"{PEOPLE_DIR}/index.md", *people]}]


def _url(path: str) -> str:
    """The directory URL MkDocs gives a Markdown path (use_directory_urls: true)."""
    stem = path.removesuffix(".md")
    stem = stem.removesuffix("index") if stem.endswith("/index") or stem == "index" else stem
    return stem.rstrip("/") + "/" if stem else ""


def map_svg(nodes: list[tuple[str, str, str]], edges: Mapping[tuple[str, str], int],
            size: int = 640) -> str:
    """The works on a circle, the links between them as lines as thick as their count.
    ``nodes`` are (slug, title, href); every node is a link to its work."""
    n = max(len(nodes), 1)
    r = size / 2 - 170  # room for labels left and right
    pos = {slug: (size / 2 + r * math.cos(2 * math.pi * i / n - math.pi / 2),
                  size / 2 + r * math.sin(2 * math.pi * i / n - math.pi / 2))
           for i, (slug, _, _) in enumerate(nodes)}
    top = max(edges.values(), default=1)
    parts = [(f'<svg class="library-map" viewBox="0 0 {size} {size}" role="img" '
              'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
              'aria-label="Map of the library">')]
    titles = {slug: title for slug, title, _ in nodes}
    for (a, b), w in sorted(edges.items()):
        if a in pos and b in pos:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            width = 1 + 7 * math.log1p(w) / math.log1p(top)
            parts.append(f'<line class="map-edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                         f'y2="{y2:.1f}" stroke-width="{width:.1f}" data-weight="{w}">'
                         f'<title>{escape_attr(titles[a])} — {escape_attr(titles[b])}: {w} '
                         f'links</title></line>')
    for slug, title, href in nodes:
        x, y = pos[slug]
        short = title if len(title) <= 24 else title[:22] + "…"
        anchor = "middle" if abs(x - size / 2) < 40 else ("start" if x > size / 2 else "end")
        dx = 0 if anchor == "middle" else (12 if anchor == "start" else -12)
        dy = -14 if y < size / 2 and anchor == "middle" else (22 if anchor == "middle" else 4)
        # xlink:href, not href: Material's instant navigation assigns ``el.href`` on every
        # element with an href attribute, which throws on an SVG link (its href is read-only).
        parts.append(f'<a class="map-node" xlink:href="{escape_attr(href)}" data-work="{slug}">'
                     f'<title>{escape_attr(title)}</title>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>'
                     f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">'
                     f'{escape_attr(short)}</text></a>')
    parts.append("</svg>")
    return "".join(parts)


def map_page(lib, docs, index_paths: Mapping[str, str], edges: Mapping[tuple[str, str], int],
             counts: Mapping[str, int]) -> Page:
    """The map of the library: the SVG, then the same links as a table (read by screen readers,
    and checked by mkdocs like every Markdown link)."""
    here_url = _url(MAP_PAGE)
    nodes = []
    for slug in sorted(docs, key=lambda s: (_date(lib, s), s)):
        if slug in index_paths:
            rel = posixpath.relpath(_url(index_paths[slug]) or ".", here_url.rstrip("/") or ".")
            nodes.append((slug, lib.works[slug].title if slug in lib.works else slug,
                          rel.rstrip("/") + "/"))
    lines = ["# Map of the library\n",
             ("Each circle is a work; a line joins two works that name or quote each other, "
              "thicker for more links. Select a work to open it.\n"),
             f'<figure class="library-map-figure">{map_svg(nodes, edges)}</figure>\n',
             "| Work | Work | Links |", "|---|---|---|"]
    titles = {s: (lib.works[s].title if s in lib.works else s) for s in docs}
    for (a, b), w in sorted(edges.items(), key=lambda kv: -kv[1]):
        if a in index_paths and b in index_paths:
            lines.append(f"| [{escape(titles[a])}]({relative_href(index_paths[a], MAP_PAGE)}) | "
                         f"[{escape(titles[b])}]({relative_href(index_paths[b], MAP_PAGE)}) | "
                         f"{w} |")
    total = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    lines.append(f"\nLinks in the library: {escape(total) or 'none yet'}.\n")
    return Page(MAP_PAGE, "Map of the library", "\n".join(lines) + "\n", "")


def references_markdown(slug: str, linked: Linked, here: str) -> str:
    """'Referenced in' for a work's landing page: the paragraphs that name it or its parts."""
    refs = linked.references.get(slug, ())
    if not refs:
        return ""
    items = "\n".join(f"- [{escape(label)}]({relative_href(href, here)})"
                      for label, href in dict.fromkeys(refs))
    return f"\n## Referenced in\n\n{items}\n"
