"""Fixes inside running text, line by line, each guarded by the vocabulary.

Every fixer takes the lines, the work's configuration and the text's vocabulary, and returns
(lines, changes). A change names the rule, the raw line and the words before and after, so the
report lists every word the cleaner touched. Line-break hyphens are resolved here, on lines,
by moving the second half of the word up to the line where it starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate, compress, count, repeat
from operator import attrgetter, is_, ne

from ..model import Change, Line
from .furniture import TERMINAL, FurnitureConfig, keeps_full
from .letterspacing import collapse_line, maybe_spaced, rejoin_pieces, spaced_runs, weak_pieces
from .vocabulary import FUNCTION_WORDS, Vocabulary, general_frequency

WordFixer = Callable[[list[Line], FurnitureConfig, Vocabulary], tuple[list[Line], list[Change]]]


def collapse_letterspacing(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                           ) -> tuple[list[Line], list[Change]]:
    """Letter-spaced runs collapsed and re-segmented into words (see ``letterspacing``). A run
    whose one-letter tokens are all words themselves ('a a a a', 'I a') is left alone: it
    reads as words, and collapsed it would make no word ('aaaa')."""
    out, changes = [], []
    for ln in lines:
        toks = ln.text.split() if ln.text and maybe_spaced(ln.text) else []
        runs = spaced_runs(toks) if toks else []
        if runs and any(len(t) == 1 and t.isalpha() and t not in "aAI" for a, b in runs
                        for t in toks[a:b]):
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
    # The text is split on spaces once: its weak tokens are found in that list, and so are
    # the lines that hold one (line k's tokens start at ``starts[k]``, as a line of n spaces
    # gives n + 1 tokens); only those lines are tried, on their slice of that list, and the
    # others are kept as they are, without a step per line.
    texts = list(map(attrgetter("text"), lines))
    starts = list(accumulate(map((1).__add__, map(str.count, texts, repeat(" "))), initial=0))
    tokens, seen = _space_tokens(texts, starts, vocab)
    weak = weak_pieces(seen, vocab, min_piece=2)
    holding = {bisect_right(starts, at) - 1
               for at in compress(count(), map(weak.__contains__, tokens))}
    out, changes = list(lines), []
    for k in sorted(holding):  # (line k's tokens, as ``ln.text.split(" ")`` gives them)
        ln = lines[k]
        mine = tokens[starts[k]:starts[k + 1]]
        new = rejoin_pieces(ln.text, vocab, 2, 5, weak.intersection(mine), mine)
        if new != ln.text:
            for before, after in _diff_words(ln.text, new):
                changes.append(Change("split-word", "changed", ln.number, before, after,
                                      "pieces of one word rejoined"))
            out[k] = Line(ln.number, new)
            seen.update(new.split(" "))
    # Every token of the lines returned is in ``seen`` (it may hold tokens of the lines as
    # they were, too): ``rehyphenate_compounds``, next, reads its words from it rather than
    # from another split of the whole text.
    vocab.memo["tokens"] = (tuple(out), seen)
    return out, changes


def _space_tokens(texts: list[str], starts: list[int], vocab: Vocabulary
                  ) -> tuple[list[str], set[str]]:
    """``" ".join(texts).split(" ")`` (``starts``: where each line's tokens begin in it) and a
    set holding every one of those tokens (and maybe more). Taken from the split the
    vocabulary made of the text (memo "split", the lines as they were then), where only the
    lines that differ now are split again: the fixers between change few lines. A token of
    a line as it was only joins the set (the decisions on a token depend on it alone)."""
    then = vocab.memo.get("split")
    if then is None or len(then[0]) != len(texts):
        tokens = " ".join(texts).split(" ")
        return tokens, set(tokens)
    old_texts, old_tokens, chunks = then
    seen = set(chunks)
    tokens = []
    shift = 0  # tokens that the changed lines so far have gained (or lost, below zero)
    copied = 0  # old tokens taken so far
    for k in compress(count(), map(ne, texts, old_texts)):
        at = starts[k] - shift  # where line k's tokens began in the old split
        tokens += old_tokens[copied:at]
        new = texts[k].split(" ")
        tokens += new
        seen.update(new)
        copied = at + old_texts[k].count(" ") + 1
        shift += len(new) - (copied - at)
    if not copied:
        return old_tokens, seen  # (no line changed: the same list, never written to)
    tokens += old_tokens[copied:]
    return tokens, seen


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
    was lost, for instance under a watermark). The second half moves up to the first line,
    except where the second line is one full printed line and stays full with the whole
    word (``keeps_full``), or holds nothing but the second half ('neers.', a paragraph's
    last line): then the first half moves down. Blank lines between the halves (page joins)
    are crossed; a text line is not."""
    from ..paragraphs import typical_width  # paragraphs imports clean

    out = list(lines)
    changes: list[Change] = []
    width = typical_width(lines)
    known_second: dict[str, bool] = {}  # vocab.known(w, 1e-6) of the second halves asked
    for i, ln in enumerate(out):
        text = ln.text
        if not text:
            continue
        # Either way the line must end in a hyphen or in a letter of ``_TRAILING_WORD`` (most
        # lines end in punctuation): settled by that character, before the next line is read.
        last = text[-2:-1] if text.endswith("\n") else text[-1]
        if last not in "-~" and not ("a" <= last <= "z" or "A" <= last <= "Z"
                                     or "\u00c0" <= last <= "\u024f"):
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
            first, start = m.group(1), m.start()
            keep, why = hyphen_decision(first, second, vocab)
            word = f"{first}-{second}" if keep else first + second
            new_text = text[: m.start()] + word + m2.group(2)
            changes.append(Change("line-break-hyphen", "joined", ln.number,
                                  f"{first}- / {second}", word, why))
            if why.startswith("ambiguous"):
                changes.append(Change("line-break-hyphen", "flagged", ln.number,
                                      f"{first}- / {second}", word, why))
        else:
            # A known second half settles it: tested before the first half is looked for
            # (once per distinct word: most lines of a hard-wrapped text end in a letter
            # before a lower-case word, and the same words begin many lines).
            if not second[:1].islower():
                continue
            known = known_second.get(second)
            if known is None:
                known = known_second[second] = vocab.known(second, 1e-6)
            if known:
                continue
            t = _TRAILING_WORD.search(text)
            if not t:
                continue
            first = t.group(1)
            if vocab.known(first, 1e-6) or not vocab.known(first + second, 1e-5):
                continue
            word, start = first + second, t.start()
            new_text = text[:start] + word + m2.group(2)
            changes.append(Change("line-break", "joined", ln.number, f"{first} / {second}", word,
                                  "word cut at a line end without a hyphen"))
        rest = nxt[m2.end():]
        head = text[:start].rstrip()
        down = new_text[len(head):].lstrip() + (" " + rest if rest else "")
        if j == i + 1 and head and not head.endswith(TERMINAL) and (
                not rest or keeps_full(nxt, down, width)):
            out[i] = Line(ln.number, head)
            out[j] = Line(out[j].number, down)
            continue
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

    # Each distinct token of the text is decided once, from one scan of the whole text, and
    # only the lines that hold a changing token are rewritten (tokenizing every line cost
    # most of this fixer's time, on lines it nearly always leaves alone).
    texts = list(map(attrgetter("text"), lines))
    joined = "\n".join(texts)
    fixes: dict[str, str] = {}
    # The whitespace tokens of the text, or a superset of them: those ``rejoin_split_words``
    # left for these very lines (the same Line objects), else one split of the text. A token
    # the text no longer holds only makes a fix that no line uses (a line is rewritten only
    # where a whole letter run is a key of ``fixes``).
    before, tokens = vocab.memo.get("tokens", ((), None))
    if tokens is None or len(before) != len(lines) or not all(map(is_, before, lines)):
        tokens = set(joined.split())
    for w in _letter_runs(tokens):
        if w.islower() and w not in by_joined:
            continue  # ``fixed`` keeps it: no glued compound, and no capital for CamelCase
        f = fixed(w)
        if f != w:
            fixes[w] = f

    def fix(m: re.Match) -> str:
        return fixes.get(m.group(0), m.group(0))

    out, changes = list(lines), []
    for k in sorted(_holding(joined, texts, fixes)):  # (the other lines are kept as they are)
        ln = lines[k]
        new = _TOKEN.sub(fix, ln.text)
        if new != ln.text:
            for before, after in _diff_words(ln.text, new):
                changes.append(Change("glued-compound", "changed", ln.number, before, after,
                                      "hyphen restored in a compound glued at a line break"))
            out[k] = Line(ln.number, new)
    return out, changes


def _letter_runs(chunks: set[str]) -> set[str]:
    """The distinct matches of ``_TOKEN`` in the whitespace tokens ``chunks`` of a text: those
    of the text (no match spans whitespace). A token of ASCII letters alone is its own one
    match (most are: found by C-level filters, without the pattern); the others are read by
    the pattern once, joined by spaces."""
    runs = set(filter(str.isalpha, filter(str.isascii, chunks)))
    runs.update(_TOKEN.findall(" ".join(chunks.difference(runs))))
    return runs


def _holding(joined: str, texts: list[str], needles: Iterable[str]) -> set[int]:
    """Indices of the ``texts`` (``joined`` by newlines) holding any of ``needles`` (no
    newline in them) as a substring: ``str.find`` over the whole text, far faster than a
    pattern of the alternatives or a search per line. A needle inside a longer word only
    costs a rewrite that changes nothing."""
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
    found: set[int] = set()
    for w in needles:
        at = joined.find(w)
        while at >= 0:
            found.add(bisect_right(starts, at) - 1)
            at = joined.find(w, at + 1)
    return found


_DOUBLE_HYPHEN = re.compile(r"\s*--+\s*")
_COMPOUND_HYPHEN_SPACE = re.compile(r"\b([a-z]+-[a-z]+)- (?=[a-z])")
_COMPOUND_HYPHEN_SPACE_ANY = re.compile(r"[a-z]-[a-z]+- [a-z]")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")
_HYPHEN_SPACE = re.compile(r"(?<=[a-z])- (?!(?:and|or|to)\b)(?=[a-z])")
_DASH_SPACE = re.compile(r"(?<=\w) —|— (?=\w)")
_OPENING_HYPHEN = re.compile(r"^-(?=[a-z])")
_SPACED_DOTS = re.compile(r"\.(?: \.){2,}")
_FUNC = "|".join(sorted(FUNCTION_WORDS, key=len, reverse=True))
_HYPHEN_DASH = re.compile(rf"(?<=[a-z,;])-(?=(?:{_FUNC})\b)(?!\w+-)", re.IGNORECASE)


def normalise_dashes(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
                     ) -> tuple[list[Line], list[Change]]:
    """Dashes typed or read as hyphens: '--', ' - ', 'word- word', and, in a text that never
    prints a dash, a line-initial '-' and 'word-the' (a hyphen before a function word). Spaced
    dots '. . .' lose their spaces. Unsafe on 'pre- and post-war' (kept: 'and'/'or' after
    'x- '), on 'five-year- plan' (kept), and on compounds ending in a function word
    ('unheard-of'), which is why 'word-the' is read as a dash only where no dash is printed.
    There, too, a hyphen that closes a dash pair ('the Taylor system—as well as all measures
    of capitalism-combine the ...') is a dash unless the compound is attested
    (``_closing_dashes``)."""
    out, changes = [], []
    open_dash = False  # the sentence so far holds an odd number of dashes
    for ln in lines:
        t = ln.text
        if not t or "-" not in t and "—" not in t and ". ." not in t:
            out.append(ln)  # every rule below needs a hyphen, a dash or spaced dots,
            if open_dash and _SENTENCE_END.search(t):  # but a sentence end closes a pair
                open_dash = False
            continue
        # Each substitution runs only where the line holds what its pattern needs to match
        # at all ('--', '- ', ' - ', '—', '-', '. .'): a substring test scans far faster.
        new = _DOUBLE_HYPHEN.sub("—", t) if "--" in t else t
        if "- " in new:
            new = _COMPOUND_HYPHEN_SPACE.sub(r"\1 ", new)  # 'five-year- plan'.
            if " - " in new:
                new = _SPACED_HYPHEN.sub("—", new)
            if "- " in new and not _COMPOUND_HYPHEN_SPACE_ANY.search(new):
                new = _HYPHEN_SPACE.sub("—", new)
        if "—" in new:
            new = _DASH_SPACE.sub("—", new)
        if vocab.em_dashes < 5:
            # A text that never prints a dash set its dashes as hyphens.
            if "-" in new:
                new = _OPENING_HYPHEN.sub("—", new)
                new = _HYPHEN_DASH.sub("—", new)
            new, open_dash = _closing_dashes(new, open_dash, vocab)
        if ". ." in new:
            new = _SPACED_DOTS.sub(lambda m: m.group(0).replace(" ", ""), new)
        if new != t:
            changes.append(Change("dash", "changed", ln.number, t, new,
                                  "dash or ellipsis spacing normalised"))
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


_PREFIXES = frozenset([
    "self", "co", "counter", "re", "non", "anti", "pre", "post", "semi", "super", "sub", "ex",
    "well", "ill", "so", "near", "much", "half", "over", "under", "above", "below", "quasi",
    "ultra", "pseudo", "vice", "inter", "intra", "multi", "extra", "all", "one", "two",
    "three", "four", "five", "six", "seven", "eight", "nine", "ten"])
_SENTENCE_END = re.compile(r"[.?!](?=[\s\"”’)]|$)")
_PAIR_HYPHEN = re.compile(r"(?<![\w-])([A-Za-z]{3,})-([a-z]{3,})(?![\w-])|—|"
                          + _SENTENCE_END.pattern)


def _attested(first: str, second: str, vocab: Vocabulary) -> bool:
    """Is 'first-second' a compound? Printed twice in the text, a word when joined
    ('store-houses'), or a prefix ('self-', 'counter-', 'well-')."""
    hyph, low = f"{first}-{second}".lower(), first.lower()
    return vocab.compound_counts.get(hyph, 0) >= 2 or low in _PREFIXES or general_frequency(
        low + second) >= 1e-7


def _closing_dashes(text: str, open_dash: bool, vocab: Vocabulary) -> tuple[str, bool]:
    """In a text that sets its dashes as hyphens: the hyphen after an opening dash in the same
    sentence, between two words whose compound is not attested, closes the pair. Returns the
    line and whether a dash is still open at its end. Unsafe on a new compound inside a
    parenthesis opened by a dash; an attested compound there is kept."""
    out, pos = [], 0
    for m in _PAIR_HYPHEN.finditer(text):
        tok = m.group(0)
        if tok == "—":
            open_dash = not open_dash
        elif tok in ".?!":
            open_dash = False
        elif open_dash and not _attested(m.group(1), m.group(2), vocab):
            out.append(text[pos:m.start()] + f"{m.group(1)}—{m.group(2)}")
            pos, open_dash = m.end(), False
    return "".join(out) + text[pos:], open_dash


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
