"""Conservative OCR repair, for texts whose work.yml sets ``cleaning: ocr_repair: true``.

Only tokens that are no known word are touched, and a repair is taken only when it yields a
known word (general English or the text's own vocabulary): specks ('·', '~', '£') and the
typeface's lower-case letters read as capitals ('ObVIOUS', 'VIew') first, then one
substitution from a small OCR confusion table ('uuderstand' -> 'understand'). What cannot be
repaired that way is left as it is and flagged in the report. Unsafe on names and foreign
words that the vocabulary does not know: those are the reason for the 'known result' rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..model import Change, Line
from .furniture import FurnitureConfig
from .vocabulary import FUNCTION_WORDS, Vocabulary, general_frequency

CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("m", "rn"), ("li", "h"), ("ii", "u"), ("c", "e"), ("e", "c"), ("l", "i"),
    ("i", "l"), ("1", "l"), ("1", "i"), ("0", "o"), ("5", "s"), ("u", "n"), ("n", "u"),
    ("h", "n"), ("h", "b"), ("v", "u"), ("I", "l"), ("I", "i"), ("!", "l"), ("}", "i"),
    ("$", "s"), ("f", "t"), ("t", "f"), ("a", "s"), ("Q", "O"), ("tl", "d"), ("cl", "d"),
    ("ri", "n"), ("vv", "w"), ("£", "f"), ("£", "S"), ("li", "u"), ("n", "h"), ("}", "i"),
    ("ll", "u"), ("B", "s"), ("0", "o"),
)
_ABBREVIATIONS = {"etc", "viz", "cf", "pp", "ibid", "ca", "vol", "nos", "no"}


def tidy_specks(text: str) -> str:
    """Punctuation specks of a scan: a lone '.' or ',' between words, a '.' after a lower-case
    word before a lower-case word ('the. bourgeoisie'), a speck glued to the start of a word
    ('.accounting', ',people'), a stray apostrophe after a word not ending in 's' ('task''),
    and straight quotes spaced the wrong way ('the" Red Guard"' -> 'the "Red Guard"')."""
    for pattern, replacement, needles in _SPECKS:
        # A pattern is tried only on a line that holds one of the substrings every match
        # of it holds (most lines hold none for most patterns): a substring test is far
        # cheaper than the pattern's scan.
        for needle in needles:
            if needle in text:
                text = pattern.sub(replacement, text)
                break
    return text


_SPECKS: tuple[tuple[re.Pattern, str | Callable[[re.Match], str], tuple[str, ...]], ...] = tuple(
    (re.compile(p), r, needles) for p, r, needles in (
        (r"(?<=\S) [.,](?= [A-Za-z(\"])", "", (" .", " ,")),
        (r"(?<=\s)\\(?=[a-z])", "", ("\\",)),
        (r"(?<=\s)[.,:'](?=[a-z])", "", (".", ",", ":", "'")),
        (r"^[.,:](?=[a-z])", "", (".", ",", ":")),
        (r"\b([a-z]{2,})\.(?= [a-z])",
         lambda m: m.group(0) if m.group(1) in _ABBREVIATIONS else m.group(1), (". ",)),
        (r"(?<=[a-rt-z])'(?=[\s,.;:]|$)", "", ("'",)),
        (r"(?<=[,.;:])'(?=\s|$)", "", ("'",)),
        (r"(?<=\w)\" (\w[^\"]{0,60}?[\w.,!?])\"(?=[\s,.;:!?)]|$)", r' "\1"', ('" ',)),
        (r"(?<=\S) ,(?=\s)", ",", (" ,",)),
        (r"\) ,", "),", (") ,",))))
"""``tidy_specks``'s substitutions, in order (compiled once: they run on every line), each
with the substrings of which every match holds one."""


def split_glued_dash(tok: str, vocab: Vocabulary) -> str | None:
    """'possiblethat' -> 'possible—that': two words glued where a dash was lost, the second a
    function word. Only for unknown tokens with exactly one such split."""
    core = tok.strip(".,;:!?\"'()")
    if len(core) < 6 or not core.isalpha() or _good(core, vocab, 1e-7):
        return None
    splits = [(core[:k], core[k:]) for k in range(3, len(core) - 1)
              if core[k:].lower() in FUNCTION_WORDS - {"of", "a", "i"}
              and core[:k].lower() not in FUNCTION_WORDS
              and general_frequency(core[:k]) >= 1e-5]
    if len(splits) != 1:
        return None
    left, right = splits[0]
    start = tok.index(core)
    return tok[:start] + left + "—" + right + tok[start + len(core):]
def split_glued_function_words(tok: str, vocab: Vocabulary) -> str | None:
    """'Weare' -> 'We are': two function words glued where the scan lost the space. The glued
    form may be in the frequency list (typos are: 'weare', 'ofthe'), so this is for tokens far
    rarer than either part, that the text does not print again, with exactly one such split.
    Unsafe on a name spelled like two small words ('Weare' the town): hence the rarity."""
    core = tok.strip(".,;:!?\"'()")
    low = core.lower()
    if not core.isalpha() or len(core) < 4 or not (core.islower() or core.istitle()) \
            or general_frequency(low) >= 1e-6 or vocab.corpus_count(low) >= 2:
        return None
    splits = [k for k in range(2, len(low) - 1)
              if low[:k] in FUNCTION_WORDS and low[k:] in FUNCTION_WORDS
              and low[:k] not in ("there", "where")]  # 'thereon', 'whereat': old adverbs
    if len(splits) != 1:
        return None
    k, start = splits[0], tok.index(core)
    return tok[:start] + core[:k] + " " + core[k:] + tok[start + len(core):]


_TOKEN = re.compile(r"(?<![\w~£·])([\w~£·.:,!}$]*[\w~£·}$])")
_SUSPECT = re.compile(r"[~£·}$]|[a-z][A-Z]|[A-Z]{2,}[a-z]|[A-Za-z]![A-Za-z]|^[A-Z][a-z]+[A-Z]"
                      r"|^[\"'(]?0[a-z]{2,}")


def _good(word: str, vocab: Vocabulary, floor: float = 1e-8) -> bool:
    return general_frequency(word.lower()) >= floor or vocab.corpus_count(word) >= 3


def _bases(tok: str) -> list[str]:
    """The token, with inner specks and stray punctuation removed, and lower-cased where the
    typeface's small letters were read as capitals."""
    bases = [tok]
    if re.search(r"[a-z~][.:,]+[a-z~]", tok):
        bases.append(re.sub(r"(?<=[a-z~])[.:,]+(?=[a-z~])", "", tok))
    for b in list(bases):
        if re.search(r"[A-Z]", b[1:]) and re.search(r"[a-z~]", b):
            bases.append(b[:1] + b[1:].lower())
            bases.append(b.lower())
    return bases


def _candidates(tok: str) -> list[str]:
    out: list[str] = []
    for base in _bases(tok):
        out.append(base)
        specks = [k for k, ch in enumerate(base) if ch in "~£!"]
        if 0 < len(specks) <= 2:
            letters = "abcdefghijklmnopqrstuvwxyz"
            fills = [a + b for a in letters for b in letters] if len(specks) == 2 else letters
            for fill in fills:
                chars = list(base)
                for k, ch in zip(specks, fill):
                    chars[k] = ch
                out.append("".join(chars))
            out.append("\0" + "".join(ch for ch in base if ch not in "~£!"))
        for a, b in CONFUSIONS:
            out.extend(_swaps(base, a, b))
    return out


def repair_token(tok: str, vocab: Vocabulary) -> str | None:
    """The repaired word, or None when no single repair gives a known word."""
    core = tok.strip(".,:;!?\"'()")
    if "-" in core.strip("-"):
        parts = core.split("-")
        fixed = [repair_token(p, vocab) or p for p in parts]
        if fixed == parts:
            return None
        start = tok.index(core)
        return tok[:start] + "-".join(fixed) + tok[start + len(core):]
    plain_case = core.islower() or core.isupper() or core.istitle()
    has_speck = bool(re.search(r"[~£}]", core))
    if not core or len(core) < (2 if has_speck else 3) or core.isupper():
        return None
    if plain_case and _good(core, vocab):
        return repair_rare_word(tok, core, vocab)
    if sum(c.isdigit() for c in core) >= sum(c.isalpha() for c in core):
        return None
    lead, trail = tok[: tok.index(core)], tok[tok.index(core) + len(core):]
    need = 1e-5 if len(core) <= 4 else 1e-6 if len(core) < 8 else 1e-7
    cands = set()
    for c in _candidates(core):
        deletion = c.startswith("\0")  # a speck deleted rather than read as a letter
        c = c.lstrip("\0")
        if c.lower() == core.lower() and plain_case:
            continue
        known = general_frequency(c) >= (1e-5 if deletion else need) or (
            not deletion and vocab.corpus_count(c) >= 3)
        if c != core and (c.islower() or c.istitle()) and known and not re.fullmatch(
                r"[ivxlc]+", c.lower()):
            cands.add(c)
    def score(c: str) -> float:
        return general_frequency(c) * (1 + vocab.corpus_count(c))

    scored = sorted(cands, key=lambda c: (-score(c), c))
    if core[:1].islower():
        scored = [c for c in scored if c[:1].islower()] or scored
    if not scored:
        return None
    scored = list(dict.fromkeys(c.lower() if core[1:2].isupper() or core[:1].islower() else c
                                for c in scored))
    if len(scored) > 1 and scored[1].lower() != scored[0].lower() and score(
            scored[1].lower()) * 5 > score(scored[0].lower()):
        return None
    return lead + scored[0] + trail


RARE = 1e-6  # a listed word this rare, one misreading away from a common one, is suspect
COMMONER = 1000  # ... when the common word is at least this many times more frequent


def repair_rare_word(tok: str, core: str, vocab: Vocabulary) -> str | None:
    """'economie' -> 'economic', 'thia' -> 'this', 'ohly' -> 'only': misreadings that happen to
    be listed (a French word, a typo, a name) but are far rarer than a word one confusion away.
    Only for lower-case tokens of four letters or more that the text does not print again
    (a word the author uses twice is his), when exactly one candidate is common (>= 1e-5) and
    a thousand times more frequent. Unsafe on rare words the author meant ('arid' is spared
    because it is not rare enough: the bound is 1e-6)."""
    if not core.islower() or len(core) < 4 or not core.isalpha() \
            or general_frequency(core) >= RARE or vocab.corpus_count(core) >= 2:
        return None
    floor = max(1e-5, general_frequency(core) * COMMONER)
    cands = {c for a, b in CONFUSIONS if a.islower() or a.isdigit()
             for c in _swaps(core, a, b) if c.isalpha() and general_frequency(c) >= floor}
    if len(cands) != 1:
        return None
    start = tok.index(core)
    return tok[:start] + cands.pop() + tok[start + len(core):]


def _rare_lower(core: str) -> bool:
    """A listed lower-case word rare enough for ``repair_rare_word`` to look at."""
    return len(core) >= 4 and core.islower() and general_frequency(core) < RARE


def _swaps(word: str, a: str, b: str) -> list[str]:
    """Every string made by replacing one occurrence of ``a`` in ``word`` with ``b``."""
    out, start = [], word.find(a)
    while start != -1:
        out.append(word[:start] + b + word[start + len(a):])
        start = word.find(a, start + 1)
    return out


def repair_ocr(lines: list[Line], cfg: FurnitureConfig, vocab: Vocabulary
               ) -> tuple[list[Line], list[Change]]:
    """Specks out, then out-of-vocabulary tokens repaired or flagged (see module docstring)."""
    if not cfg.extra.get("ocr_repair"):
        return lines, []
    out, changes = [], []
    plain: set[str] = set()  # tokens neither suspect nor unknown: left alone
    for ln in lines:
        t = ln.text
        if not t:
            out.append(ln)
            continue
        new = re.sub(r"(?<=[a-z])·(?=[a-z])", " ", t) if "·" in t else t
        new = re.sub(r"\s*·\s*", " ", new).strip() if "·" in new else new
        new = tidy_specks(new)
        if new != t:
            changes.append(Change("ocr", "changed", ln.number, t, new,
                                  "specks of the scan removed ('·', stray stops and apostrophes, "
                                  "quotes spaced the wrong way)"))
        tokens = new.split(" ")
        # (A line of tokens all settled as plain, the usual one, is passed by one C-level
        # set test rather than a step per token.)
        for k, tok in enumerate(() if plain.issuperset(tokens) else tokens):
            if tok in plain:
                continue
            split = split_glued_function_words(tok, vocab)
            if split:
                tokens[k] = split
                changes.append(Change("ocr", "changed", ln.number, tok, split,
                                      "two small words glued where the scan lost a space"))
                continue
            core = tok.strip(".,:;!?\"'()")
            if not _SUSPECT.search(tok) and (re.search(r"\d", tok) or (
                    _good(core, vocab, 1e-7) and not _rare_lower(core))):
                plain.add(tok)  # decided by the token and the vocabulary alone
                continue
            if tok.isupper() and len(tok.strip(".,:;")) <= 3 and tok.strip(".,:;") != "III":
                # 'IS' in lower-case prose is 'is'; elsewhere capitals are left alone.
                neighbours = [x for x in tokens[max(0, k - 2):k + 3] if x is not tok]
                if tok.strip(".,:;") in ("IS", "IT", "IN", "ON") and all(
                        x[:1].islower() for x in neighbours if x[:1].isalpha()):
                    tokens[k] = tok.lower()
                    changes.append(Change("ocr", "changed", ln.number, tok, tokens[k],
                                          "capital letters read for lower case"))
                continue
            fixed = repair_token(tok, vocab) or (split_glued_dash(tok, vocab)
                                                 if vocab.em_dashes < 5 else None)
            if fixed and fixed != tok:
                if fixed[:1].isupper() and k > 0 and not tokens[k - 1].endswith((".", "!", "?")) \
                        and re.search(r"[A-Z]", tok[1:]):
                    fixed = fixed[:1].lower() + fixed[1:]
                tokens[k] = fixed
                changes.append(Change("ocr", "changed", ln.number, tok, fixed,
                                      "OCR misreading; the repair is a known word"))
            elif _SUSPECT.search(tok) and re.search(r"[A-Za-z]", tok):
                changes.append(Change("ocr", "flagged", ln.number, tok, "",
                                      "looks misread; no repair gives a known word"))
        new2 = " ".join(tokens)
        out.append(Line(ln.number, new2))
    return out, changes
