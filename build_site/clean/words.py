"""Fixes inside running text, line by line, each guarded by the vocabulary.

Every fixer takes the lines, the work's configuration and the text's vocabulary, and returns
(lines, changes). A change names the rule, the raw line and the words before and after, so the
report lists every word the cleaner touched. Line-break hyphens are resolved here, on lines,
by moving the second half of the word up to the line where it starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..model import Change, Line
from .furniture import FurnitureConfig
from .letterspacing import collapse_line, maybe_spaced, rejoin_pieces, spaced_runs, weak_pieces
from .vocabulary import FUNCTION_WORDS, Vocabulary, general_frequency

WordFixer = Callable[[list[Line], FurnitureConfig, Vocabulary], tuple[list[Line], list[Change]]]


def collapse_letterspacing(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                           ) -> tuple[list[Line], list[Change]]:
    """Letter-spaced runs collapsed and re-segmented into words (see ``letterspacing``)."""
    out, changes = [], []
    for ln in lines:
        if ln.text and maybe_spaced(ln.text) and spaced_runs(ln.text.split()):
            new = collapse_line(ln.text, vocab)
            if new != ln.text:
                changes.append(Change("letter-spacing", "changed", ln.number, ln.text, new,
                                      "letter-spaced run collapsed and cut into words"))
                ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


def rejoin_split_words(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                       ) -> tuple[list[Line], list[Change]]:
    """A word broken by a stray space ('meas ures'): two or more pieces that are not words
    themselves and make a common word together. Unsafe for real short words, so a piece must
    be unknown to both the text and general English."""
    out, changes = [], []
    weak = weak_pieces([ln.text for ln in lines], vocab, min_piece=2)
    for ln in lines:
        maybe = ln.text and not weak.isdisjoint(ln.text.split(" "))
        new = rejoin_pieces(ln.text, vocab, min_piece=2, min_word=5) if maybe else ln.text
        if new != ln.text:
            for before, after in _diff_words(ln.text, new):
                changes.append(Change("split-word", "changed", ln.number, before, after,
                                      "pieces of one word rejoined"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_HYPHEN_END = re.compile(r"([A-Za-z\u00c0-\u024f]+)[-~]$")  # '~': a hyphen the scan misread
_WORD_START = re.compile(r"^([A-Za-z\u00c0-\u024f’']+)(\S*)\s*")
_TRAILING_WORD = re.compile(r"([A-Za-z\u00c0-\u024f]+)$")


def hyphen_decision(first: str, second: str, vocab: Vocabulary) -> tuple[bool, str]:
    """Keep the hyphen of 'first-/second'? (keep, why). Kept when the second part is
    capitalised ('Socialist-/Revolutionaries', 'non-/Party') or the text prints the
    hyphenated form elsewhere and not the joined one; dropped otherwise."""
    hyph = f"{first}-{second}".lower()
    joined = (first + second).lower()
    if second[:1].isupper():
        return True, "second part capitalised"
    if hyph in vocab.compounds and vocab.corpus_count(joined) == 0:
        return True, "hyphenated form printed elsewhere in the text"
    if hyph in vocab.compounds:
        return False, "ambiguous: both forms printed in the text; joined"
    if vocab.known(joined):
        return False, "joined word is known"
    return False, "ambiguous: joined word unknown; joined"


def join_line_breaks(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                     ) -> tuple[list[Line], list[Change]]:
    """Words cut at a line end: 'ob-' / 'stacles', and 'Janu' / 'ary' (a break whose hyphen
    was lost, for instance under a watermark). The second half moves up to the first line.
    Blank lines between the halves (page joins) are crossed; a text line is not."""
    out = list(lines)
    changes: list[Change] = []
    for i, ln in enumerate(out):
        text = ln.text
        if not text:
            continue
        j = i + 1
        while j < len(out) and not out[j].text:
            j += 1
        if j >= len(out) or j - i > 6:
            continue
        nxt = out[j].text
        m2 = _WORD_START.match(nxt)
        if not m2:
            continue
        second = m2.group(1)
        m = _HYPHEN_END.search(text) if text.endswith(("-", "~", "-\n", "~\n")) else None
        if m and not text.endswith("--") and (second[:1].islower() or second[:1].isupper()
                                              and m.group(1)[:1].isupper()):
            first = m.group(1)
            keep, why = hyphen_decision(first, second, vocab)
            word = f"{first}-{second}" if keep else first + second
            new_text = text[: m.start()] + word + m2.group(2)
            changes.append(Change("line-break-hyphen", "joined", ln.number,
                                  f"{first}- / {second}", word, why))
            if why.startswith("ambiguous"):
                changes.append(Change("line-break-hyphen", "flagged", ln.number,
                                      f"{first}- / {second}", word, why))
        else:
            # A known second half settles it: tested before the first half is looked for.
            if not second[:1].islower() or vocab.known(second, 1e-6):
                continue
            t = _TRAILING_WORD.search(text)
            if not t:
                continue
            first = t.group(1)
            if vocab.known(first, 1e-6) or not vocab.known(first + second, 1e-5):
                continue
            word = first + second
            new_text = text[: t.start()] + word + m2.group(2)
            changes.append(Change("line-break", "joined", ln.number, f"{first} / {second}", word,
                                  "word cut at a line end without a hyphen"))
        rest = nxt[m2.end():]
        out[i] = Line(ln.number, new_text)
        out[j] = Line(out[j].number, rest)
    # A continuation line emptied by the move is gone: dropped rather than left as a blank
    # line that would read as a paragraph break.
    had_text = {ln.number for ln in lines if ln.text}
    return [ln for ln in out if ln.text or ln.number not in had_text], changes


def _case_like(model: str, word: str) -> str:
    if model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_CAMEL = re.compile(r"([A-Za-z][a-z]{3,})([A-Z][a-z]{2,})")


def rehyphenate_compounds(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                          ) -> tuple[list[Line], list[Change]]:
    """Compounds glued at a lost line break ('workingclass', 'nonParty'): the hyphen goes back
    when the text prints the hyphenated form elsewhere. CamelCase words whose halves are both
    words ('SocialDemocratic') get a hyphen too. Unsafe where the joined spelling is also
    the author's ('cooperative'): then the hyphenated form must be the commoner in the text."""
    by_joined: dict[str, str] = {}
    for comp in sorted(vocab.compounds):
        left, right = comp.split("-", 1)
        joined = left + right
        hyph, glued = vocab.compound_counts[comp], vocab.corpus_count(joined)
        if (general_frequency(joined) < 1e-6 and hyph >= glued) or (hyph >= 3 and hyph >= 3 * glued):
            by_joined[joined] = comp

    def fixed(w: str) -> str:
        low = w.lower()
        if low in by_joined:
            left = by_joined[low].split("-", 1)[0]
            return w[: len(left)] + "-" + w[len(left):]
        camel = _CAMEL.fullmatch(w)
        if camel and all(vocab.known(p, 1e-6) for p in camel.groups()):
            return camel.group(1) + "-" + camel.group(2)
        return w

    # Each distinct token is decided once; a line none of whose tokens changes is left
    # without a substitution (set operations, no Python call per token).
    kept: set[str] = set()
    fixes: dict[str, str] = {}

    def fix(m: re.Match) -> str:
        return fixes.get(m.group(0), m.group(0))

    out, changes = [], []
    for ln in lines:
        new = ln.text
        if new:
            seen = set(_TOKEN.findall(new))
            for w in seen - kept - fixes.keys():
                f = fixed(w)
                if f == w:
                    kept.add(w)
                else:
                    fixes[w] = f
            if not seen.isdisjoint(fixes):
                new = _TOKEN.sub(fix, new)
        if new != ln.text:
            for before, after in _diff_words(ln.text, new):
                changes.append(Change("glued-compound", "changed", ln.number, before, after,
                                      "hyphen restored in a compound glued at a line break"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_FUNC = "|".join(sorted(FUNCTION_WORDS, key=len, reverse=True))
_HYPHEN_DASH = re.compile(rf"(?<=[a-z,;])-(?=(?:{_FUNC})\b)(?!\w+-)", re.IGNORECASE)


def normalise_dashes(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                     ) -> tuple[list[Line], list[Change]]:
    """Dashes typed or read as hyphens: '--', ' - ', 'word- word', and, in a text that never
    prints a dash, a line-initial '-' and 'word-the' (a hyphen before a function word). Spaced
    dots '. . .' lose their spaces. Unsafe on 'pre- and post-war' (kept: 'and'/'or' after
    'x- '), on 'five-year- plan' (kept), and on compounds ending in a function word
    ('unheard-of'), which is why 'word-the' is read as a dash only where no dash is printed."""
    out, changes = [], []
    for ln in lines:
        t = ln.text
        if not t or "-" not in t and "—" not in t and ". ." not in t:
            out.append(ln)  # every rule below needs a hyphen, a dash or spaced dots
            continue
        new = re.sub(r"\s*--+\s*", "—", t)
        new = re.sub(r"\b([a-z]+-[a-z]+)- (?=[a-z])", r"\1 ", new)  # 'five-year- plan'.
        new = re.sub(r"(?<=\S) - (?=\S)", "—", new)
        new = re.sub(r"(?<=[a-z])- (?!(?:and|or|to)\b)(?=[a-z])", "—", new) \
            if not re.search(r"[a-z]-[a-z]+- [a-z]", new) else new
        new = re.sub(r"(?<=\w) —|— (?=\w)", "—", new)
        if vocab.em_dashes < 5:
            # A text that never prints a dash set its dashes as hyphens.
            new = re.sub(r"^-(?=[a-z])", "—", new)
            new = _HYPHEN_DASH.sub("—", new)
        new = re.sub(r"\.(?: \.){2,}", lambda m: m.group(0).replace(" ", ""), new)
        if new != t:
            changes.append(Change("dash", "changed", ln.number, t, new,
                                  "dash or ellipsis spacing normalised"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


def _diff_words(before: str, after: str) -> list[tuple[str, str]]:
    """Pairs of (old token run, new token run) that differ, for the report."""
    import difflib

    a, b = before.split(), after.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append((" ".join(a[i1:i2]), " ".join(b[j1:j2])))
    return out


WORD_FIXERS: tuple[WordFixer, ...] = (
    collapse_letterspacing,
    join_line_breaks,
    rejoin_split_words,
    rehyphenate_compounds,
    normalise_dashes,
)
