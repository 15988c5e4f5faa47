"""Paragraph ids that keep pointing at the same words: assignment against a committed ledger.

A published paragraph link is a promise, so ids are not positions: each work keeps a ledger,
``source/<slug>/anchors.yml``, of every id it ever published. A live id carries a fingerprint of
its text (an exact digest, its size and a bottom-k sketch of its word 3-grams); a retired id
carries its successor. Each build matches the blocks against the live ids by content:

1. identical text keeps its id (in order, so repeated paragraphs keep theirs);
2. otherwise the pair sharing most words wins (greedy, deterministic): a corrected, split or
   merged paragraph keeps its id on the block that holds most of its words;
3. an id whose words went into a block that kept another id retires to that block (merges);
4. an id whose words are nowhere would vanish: that is an ERROR naming the ledger and the id,
   until ``build-site anchors --accept`` retires it to the block now in its place;
5. blocks left over get new ids, numbered on from the ledger's ``next`` (never reused).

Ids are unique per work, not only per page, so they survive a paragraph moving to another page
(the site's ``anchors.json`` catalogue says which page each id is on). Building never writes the
ledger: two builds from the same inputs give the same ids; ``--accept`` is the deliberate step.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .model import Block, BlockKind, Diagnostic, Document, Level, Page, Section, all_sections

LEDGER_FILE = "anchors.yml"
SKETCH = 16  # shingle hashes kept per paragraph: enough to estimate shares, small in git
SHORT = 16  # a text of fewer words is fingerprinted by its words, not its 3-grams
HEAD_WORDS = 8  # first words kept for people reading the ledger and for the catalogue
_ID = re.compile(r"p-(\d+)")
_WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- fingerprints


def words_of(text: str) -> list[str]:
    """Words as matching sees them: case, punctuation and Unicode variants do not count.

    The words are ``\\w+`` runs of the text normalised (NFKC) and case-folded. Most texts are
    ASCII but for a few punctuation marks (``_NOT_WORD``), which are never word characters and
    which normalising and folding leave as they are: those become spaces first. An ASCII text
    is its own NFKC form and folds to lower case, so it is split by a byte table that lowers
    A-Z, keeps a-z, 0-9 and '_' and makes anything else a space, without normalising or
    folding it (at 50x the corpus, 0.82 against 1.03 s CPU for every block;
    ``_words_of_plain`` in tests/test_anchors_fast_paths.py is the definition)."""
    if not text.isascii():
        text = _spaced_marks(text)
        if not text.isascii():
            return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return text.encode().translate(_ASCII_WORD).decode().split()


def _spaced_marks(text: str) -> str:
    for mark in _NOT_WORD:
        if mark in text:
            text = text.replace(mark, " ")
    return text


_NOT_WORD = ("“", "”", "—", "’", "‘", "–")  # common in the texts, and never in a \w+ run
_ASCII_WORD = bytes(c + 32 if 65 <= c <= 90 else c if chr(c).isascii() and (
    chr(c).isalnum() or c == 95) else 32 for c in range(256))  # A-Z lowered, a-z 0-9 _ kept


def _digest(words: Sequence[str]) -> str:
    return hashlib.blake2b(" ".join(words).encode(), digest_size=6).hexdigest()


def digest_size(text: str) -> tuple[str, int]:
    """``_digest(words_of(text))`` and the number of words: what matching needs of a block
    whose text the ledger holds already (most blocks). For a text that is ASCII once its marks
    are spaces, the words are split, joined and hashed as bytes, not made strings (with
    ``words_of``'s byte table: at 50x the corpus, 0.65 against 0.88 s CPU for every block)."""
    text = _spaced_marks(text) if not text.isascii() else text
    if not text.isascii():
        words = words_of(text)
        return _digest(words), len(words)
    raw_words = text.encode().translate(_ASCII_WORD).split()
    return hashlib.blake2b(b" ".join(raw_words), digest_size=6).hexdigest(), len(raw_words)


def _h(text: str) -> int:
    """A shingle's 32-bit hash: stable across runs and machines (unlike ``hash``), and fast."""
    return zlib.crc32(text.encode())


def shingles(words: Sequence[str]) -> frozenset[int]:
    """Hashed word 3-grams: a typo touches only three of them. A short text is its words, as
    two typos can change every 3-gram of a ten-word line."""
    if len(words) < SHORT:
        return frozenset(_h(w) for w in words)
    return _trigrams(words)


def _trigrams(words: Sequence[str]) -> frozenset[int]:
    return frozenset(_h(f"{a} {b} {c}") for a, b, c in zip(words, words[1:], words[2:]))


def _lookup(words: Sequence[str]) -> frozenset[int]:
    """What a block offers to old fingerprints: its 3-grams and its words (for short ones)."""
    return _trigrams(words) | frozenset(_h(w) for w in words)


def head(text: str, n: int = HEAD_WORDS) -> str:
    """The first words of a block, as printed: how people recognise a paragraph. (Split at
    most ``n`` times: the first ``n`` words are the same, and a long paragraph is not cut
    into all its words.)"""
    return " ".join(text.split(None, n)[:n])[:80]


@dataclass(frozen=True)
class Print:
    """A block's fingerprint: exact digest, word count, bottom-k shingle sketch, first words.

    The share of the sketch found in a block estimates the share of the words that went there."""

    digest: str
    size: int
    sketch: tuple[int, ...]
    words: str

    @staticmethod
    def of(text: str) -> Print:
        ws = words_of(text)
        return Print(_digest(ws), len(ws), tuple(sorted(shingles(ws))[:SKETCH]), head(text))


@dataclass(frozen=True)
class Entry:
    """One published id: live (``fp`` set) or retired (``successor`` set)."""

    anchor: str
    fp: Print | None = None
    successor: str = ""
    words: str = ""


@dataclass(frozen=True)
class Ledger:
    """Every id a work has published; live ids in reading order as of the last accept."""

    entries: tuple[Entry, ...] = ()
    next_number: int = 1

    @property
    def live(self) -> list[Entry]:
        return [e for e in self.entries if e.fp is not None]


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Outcome:
    """What one build makes of a ledger: an id per block, and what happened to the old ids."""

    ids: tuple[str, ...]  # one per block, in reading order
    new: tuple[str, ...]  # ids first given now
    moved: tuple[tuple[str, str], ...]  # (old id, successor) found by content: a merge
    vanished: tuple[tuple[str, str], ...]  # (old id, block in its place): needs --accept
    aliases: tuple[tuple[str, str], ...]  # every retired id -> the live id it resolves to
    next_number: int = 1


def _number(anchor: str) -> int:
    m = _ID.fullmatch(anchor)
    return int(m.group(1)) if m else 0


def match(ledger: Ledger, texts: Sequence[str],
          sinks: Sequence[tuple[str, str]] = ()) -> Outcome:
    """Assign ids to ``texts`` (the blocks in reading order) against ``ledger`` (pure).

    ``sinks`` are (id, text) of headings and notes: a paragraph the cleaner turned into one of
    those retires to it rather than vanishing."""
    digests, sizes = zip(*map(digest_size, texts)) if texts else ((), ())
    live = ledger.live
    owner: dict[int, str] = {}  # block index -> id
    kept: dict[str, int] = {}  # id -> block index
    by_digest: dict[str, list[Entry]] = {}
    for e in live:
        assert e.fp is not None  # live entries have a fingerprint
        by_digest.setdefault(e.fp.digest, []).append(e)
    for i, digest in enumerate(digests):  # 1. identical text
        if by_digest.get(digest):
            e = by_digest[digest].pop(0)
            owner[i], kept[e.anchor] = e.anchor, i
    rest = [e for e in live if e.anchor not in kept]
    sets = [_lookup(words_of(t)) for t in texts] if rest else []
    index: dict[int, list[int]] = {}
    for i, s in enumerate(sets):
        for h in s:
            index.setdefault(h, []).append(i)
    hits: dict[str, dict[int, int]] = {}
    for e in live:
        if e.anchor in kept:
            continue  # most ids: identical text, nothing to weigh
        assert e.fp is not None
        counts: dict[int, int] = {}
        for h in e.fp.sketch:
            for i in index.get(h, ()):
                counts[i] = counts.get(i, 0) + 1
        hits[e.anchor] = counts
    order = {e.anchor: k for k, e in enumerate(live)}
    pairs = []  # 2. most shared words first
    for e in live:
        assert e.fp is not None
        if e.anchor in kept or not e.fp.sketch:
            continue
        for i, n in hits[e.anchor].items():
            frac = n / len(e.fp.sketch)
            shared = frac * e.fp.size
            if ((frac >= 0.5 and shared >= 0.1 * sizes[i])
                    or (frac >= 0.2 and shared >= 0.6 * sizes[i])):
                pairs.append((-shared, order[e.anchor], i, e.anchor))
    for _, _, i, anchor in sorted(pairs):
        if i not in owner and anchor not in kept:
            owner[i], kept[anchor] = anchor, i
    numbers = [_number(e.anchor) for e in ledger.entries]
    nxt = max([ledger.next_number, *(n + 1 for n in numbers)])
    new = []
    for i in range(len(texts)):  # 5. new ids, never reused
        if i not in owner:
            owner[i] = f"p-{nxt}"
            new.append(owner[i])
            nxt += 1
    sink_sets = [(target, _lookup(words_of(text))) for target, text in sinks] if rest else []
    moved, vanished = [], []
    for k, e in enumerate(live):  # 3. and 4.
        if e.anchor in kept:
            continue
        assert e.fp is not None
        n = len(e.fp.sketch) or 1
        least = 0.5 if e.fp.size < SHORT else 0.25  # a few common words prove little
        best = max(((c, -i, owner[i]) for i, c in hits[e.anchor].items()), default=None)
        sink = max(((sum(h in s for h in e.fp.sketch), -j, t)
                    for j, (t, s) in enumerate(sink_sets)), default=None)
        if sink and sink[0] / n >= 0.5 and (not best or sink[0] >= best[0]):
            moved.append((e.anchor, sink[2]))  # it became a heading or a note
            continue
        if best and best[0] / n >= least:
            moved.append((e.anchor, best[2]))
            continue
        place = next((kept[x.anchor] for x in live[k + 1:] if x.anchor in kept), None)
        if place is None:
            place = next((kept[x.anchor] for x in reversed(live[:k]) if x.anchor in kept), 0)
        vanished.append((e.anchor, owner.get(place, "")))
    ids = tuple(owner[i] for i in range(len(texts)))
    step = {e.anchor: e.successor for e in ledger.entries if e.successor}
    step.update(dict(moved))
    step.update((a, s) for a, s in vanished if s)
    return Outcome(ids, tuple(new), tuple(moved), tuple(vanished),
                   tuple(resolve_all(step, set(ids) | {t for t, _ in sinks})), nxt)


def resolve_all(step: dict[str, str], live: set[str]) -> Iterator[tuple[str, str]]:
    """Follow successor chains to a live id; ids whose chain ends nowhere are left out."""
    for anchor in sorted(step, key=_number):
        seen, cur = {anchor}, step[anchor]
        while cur not in live and cur in step and cur not in seen:
            seen.add(cur)
            cur = step[cur]
        if cur in live:
            yield anchor, cur


def accepted(ledger: Ledger, texts: Sequence[str], outcome: Outcome) -> Ledger:
    """The ledger after ``--accept``: fingerprints follow the current text, every retired id
    names the live id it now resolves to, and ``next`` moves past every id handed out."""
    live = [Entry(a, Print.of(t)) for a, t in zip(outcome.ids, texts)]
    aliases = dict(outcome.aliases)
    words = {e.anchor: e.words or (e.fp.words if e.fp else "") for e in ledger.entries}
    retired = [Entry(a, successor=aliases[a], words=words.get(a, "")) for a in aliases]
    return Ledger(tuple(live + retired), outcome.next_number)


# ---------------------------------------------------------------- the ledger file


def _hex(sketch: Iterable[int]) -> str:
    return " ".join(f"{h:08x}" for h in sketch)


_NOT_PRINTABLE_ASCII = re.compile(r"[^\x00-\x7e]")  # DEL too: YAML refuses it raw


def _yaml_escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _quoted(text: str) -> str:
    """``text`` as a double-quoted YAML string, ASCII only: JSON's quoting (what ledgers have
    always held), except that a character beyond U+FFFF is one ``\\U`` escape. JSON writes it
    as two surrogate escapes, which YAML rejects: a ledger holding an emoji or a mathematical
    letter in a paragraph's first words could not be read back."""
    return _NOT_PRINTABLE_ASCII.sub(_yaml_escape, json.dumps(text, ensure_ascii=False))


def dump_ledger(ledger: Ledger, slug: str) -> str:
    """YAML, one id a line, in a stable order: accept diffs show exactly what changed."""
    out = [f"# Paragraph ids published for {slug}. Written by `build-site anchors --accept`;",
           "# do not edit by hand. live: id: [digest, word count, sketch, first words];",
           "# retired: id: [successor, first words]. Ids are never reused.",
           f"next: {ledger.next_number}", "live:"]
    for e in ledger.entries:
        if e.fp is not None:
            out.append(f"  {e.anchor}: [{_quoted(e.fp.digest)}, {e.fp.size}, "
                       f"{_quoted(_hex(e.fp.sketch))}, {_quoted(e.fp.words)}]")
    out.append("retired:")
    for e in sorted((e for e in ledger.entries if e.fp is None), key=lambda e: _number(e.anchor)):
        out.append(f"  {e.anchor}: [{_quoted(e.successor)}, {_quoted(e.words)}]")
    return "\n".join(out) + "\n"


# A ledger as ``dump_ledger`` writes it: comments, 'next: N', 'live:' and 'retired:', each
# entry one line of an id and a flow sequence of double-quoted strings (and the word count).
_JSON_STR = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_LIVE_LINE = re.compile(rf"  (p-[0-9]+): (\[{_JSON_STR}, (?:0|[1-9][0-9]*), {_JSON_STR}, "
                        rf"{_JSON_STR}\])")
_RETIRED_LINE = re.compile(rf"  (p-[0-9]+): (\[{_JSON_STR}, {_JSON_STR}\])")
_NEXT_LINE = re.compile(r"next: (0|[1-9][0-9]*)")
# The escapes a YAML and a JSON double-quoted string read alike (a surrogate '\ud83d' is an
# error to YAML, half a character to JSON; '\U' and '\x' are YAML's alone): a text holds no
# other one if no backslash is left once they are taken out, from left to right as both read.
_SHARED_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u(?![dD][89abAB])[0-9a-fA-F]{4})')


def _ledger_data(text: str) -> dict | None:
    """What YAML reads from a ledger written as ``dump_ledger`` writes one, read without YAML:
    printable ASCII lines of the shapes above, whose strings hold only escapes that JSON reads
    as YAML does, so that all their sequences are read by one ``json.loads``. Anything else is
    None (and is read by YAML). The seed ledgers' YAML was half of the anchors stage's CPU
    time (0.03 of 0.06 s at 1x the corpus), which runs in every text's conversion job."""
    if not text.isascii() or not text.replace("\n", "").isprintable() or (
            "\\" in text and "\\" in _SHARED_ESCAPE.sub("", text)):
        return None
    data: dict = {}
    seqs: list[str] = []
    # the mapping being read: (its line's pattern, its (id, index in seqs) pairs)
    section: tuple[re.Pattern[str], list[tuple[str, int]]] | None = None
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        if section is not None:
            m = section[0].fullmatch(line)
            if m is not None:
                section[1].append((m.group(1), len(seqs)))
                seqs.append(m.group(2))
                continue
        m = _NEXT_LINE.fullmatch(line)
        if m is not None and "next" not in data:
            data["next"] = int(m.group(1))
        elif line in ("live:", "retired:") and line[:-1] not in data:
            section = (_LIVE_LINE if line == "live:" else _RETIRED_LINE, [])
            data[line[:-1]] = section[1]
        else:
            return None
    values = json.loads("[" + ",".join(seqs) + "]")
    for name in ("live", "retired"):
        if name in data:  # a mapping (the last value of a repeated id, where it first was)
            entries = {anchor: values[k] for anchor, k in data[name]}
            data[name] = entries or None
    return data


def parse_ledger(text: str) -> Ledger:
    """Read a ledger file's text (raises ValueError with what is wrong)."""
    try:
        data = _ledger_data(text)
        if data is None:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        entries = []
        for anchor, (digest, size, sketch, words) in (data.get("live") or {}).items():
            fp = Print(str(digest), int(size), tuple(int(h, 16) for h in sketch.split()), words)
            entries.append(Entry(str(anchor), fp))
        for anchor, (succ, words) in (data.get("retired") or {}).items():
            entries.append(Entry(str(anchor), successor=str(succ), words=str(words)))
        return Ledger(tuple(entries), int(data.get("next", 1)))
    except (yaml.YAMLError, TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"not a ledger written by `build-site anchors --accept`: {err}") from err


def ledger_path(source_dir: Path | str, slug: str) -> Path:
    return Path(source_dir) / slug / LEDGER_FILE


def read_ledger(path: Path) -> tuple[Ledger | None, list[Diagnostic]]:
    """The ledger, or None and an error when the file is damaged; a missing file is empty."""
    if not path.is_file():
        return Ledger(), []
    try:
        return parse_ledger(path.read_text(encoding="utf-8")), []
    except ValueError as err:
        return None, [Diagnostic(Level.ERROR, "anchors-bad-ledger", str(err), str(path))]


# ---------------------------------------------------------------- the document


def anchored_blocks(sections: Iterable[Section]) -> Iterator[Block]:
    """Blocks that get an id, in reading order (a section's blocks, then its children)."""
    for sec in sections:
        for b in sec.blocks:
            if b.kind is not BlockKind.BREAK:
                yield b
        yield from anchored_blocks(sec.children)


def _with_ids(sections: tuple[Section, ...], ids: Iterator[str]) -> tuple[Section, ...]:
    out = []
    for sec in sections:
        blocks = tuple(b if b.kind is BlockKind.BREAK else replace(b, anchor=next(ids))
                       for b in sec.blocks)
        out.append(replace(sec, blocks=blocks, children=_with_ids(sec.children, ids)))
    return tuple(out)


def note_target(note_id: str) -> str:
    """The HTML id of a note as render writes it (a Markdown footnote ``[^key]``)."""
    return "fn:" + re.sub(r"[^A-Za-z0-9-]", "-", note_id)


def _inline_sections(section: Section) -> Iterator[Section]:
    """A page's section and the sections shown inside it (as render walks them)."""
    yield section
    for child in section.children:
        if not child.is_page:
            yield from _inline_sections(child)




def sinks(doc: Document) -> list[tuple[str, str]]:
    """Headings shown inside a page (their slug is an id) and notes shown on a page."""
    out = [(s.slug, s.title) for s in all_sections(doc.sections) if not s.is_page and s.slug]
    refs = {r.note_id for b in anchored_blocks(doc.sections) for r in b.refs}
    out += [(note_target(n.note_id), n.text) for n in doc.notes if n.note_id in refs]
    return out


def anchor_document(doc: Document, ledger: Ledger, path: str) -> tuple[Document, Outcome]:
    """Set every block's id from ``ledger`` (pure); ``path`` names the ledger in messages."""
    texts = [b.text for b in anchored_blocks(doc.sections)]
    outcome = match(ledger, texts, sinks(doc))
    diags = []
    words = {e.anchor: e.fp.words for e in ledger.live if e.fp is not None}
    for old, place in outcome.vanished:
        diags.append(Diagnostic(
            Level.ERROR, "anchors-vanished",
            f"published paragraph id {old} ({words.get(old, '')!r}...) would vanish: its words "
            f"are no longer in the text. If that is intended, run `build-site anchors --accept` "
            f"to retire it to {place or 'nothing'} (the paragraph now in its place)", path))
    if outcome.new or outcome.moved or not Path(path).is_file():
        diags.append(Diagnostic(
            Level.INFO, "anchors-pending",
            f"{len(outcome.new)} new and {len(outcome.moved)} merged paragraph ids are not yet "
            "recorded: run `build-site anchors --accept` when the text is final", path))
    doc = replace(doc, sections=_with_ids(doc.sections, iter(outcome.ids)),
                  diagnostics=doc.diagnostics + tuple(diags), aliases=outcome.aliases)
    return doc, outcome


def _citation(source_dir: Path, slug: str, lib=None) -> tuple[tuple[str, str], ...]:
    """Author, title and date of the work, from ``lib`` (the library already loaded) or read
    from ``source_dir``: reading every work's metadata once per text made a build quadratic."""
    if lib is None:
        from .metadata import load_library

        lib, _ = load_library(Path(source_dir))
    meta = lib.works.get(slug)
    if meta is None:
        return ()
    authors = ", ".join(lib.people[a].name for a in meta.authors if a in lib.people)
    return (("author", authors), ("title", meta.title), ("date", meta.date_display or meta.date))


def work_citation(lib, slug: str) -> tuple[tuple[str, str], ...]:
    """The citation fields of a work from the loaded library (what ``assign_anchors`` sets)."""
    return _citation(Path(), slug, lib)


def assign_anchors(doc: Document, source_dir, lib=None) -> Document:
    """Give every block its stable id from the work's ledger (read here, matched purely);
    ``lib``, the loaded library metadata, supplies the citation fields."""
    return anchor_from_ledger(doc, ledger_path(source_dir, doc.slug),
                              lambda: _citation(source_dir, doc.slug, lib))


def anchor_from_ledger(doc: Document, path: Path,
                       cite: Callable[[], tuple[tuple[str, str], ...]]
                       | tuple[tuple[str, str], ...]) -> Document:
    """``assign_anchors`` with the ledger's path and the citation fields given (or a function
    making them): what the cached conversion runs in its worker, which has no library."""
    if not any(True for _ in anchored_blocks(doc.sections)):
        return doc  # nothing converted (e.g. undecodable): do not report every id as gone
    ledger, diags = read_ledger(path)
    if ledger is None:
        return replace(doc, diagnostics=doc.diagnostics + tuple(diags))
    doc, _ = anchor_document(doc, ledger, str(path))
    return replace(doc, cite=cite() if callable(cite) else cite)


def accept(doc: Document, source_dir) -> tuple[str, Outcome] | None:
    """What ``--accept`` writes for ``doc``: the new ledger text (None if the ledger is bad)."""
    texts = [b.text for b in anchored_blocks(doc.sections)]
    if not texts:
        return None
    path = ledger_path(source_dir, doc.slug)
    ledger, _ = read_ledger(path)
    if ledger is None:
        return None
    outcome = match(ledger, texts, sinks(doc))
    return dump_ledger(accepted(ledger, texts, outcome), doc.slug), outcome


# ---------------------------------------------------------------- the page and the catalogue


def page_data(section: Section, doc: Document, blocks: Sequence[Block]) -> dict:
    """What the page script needs: retired ids landing here, print pages, citation fields."""
    here = {b.anchor for b in blocks if b.anchor}
    here |= {s.slug for s in _inline_sections(section) if s is not section}
    here |= {note_target(r.note_id) for b in blocks for r in b.refs}
    data: dict = {"work": doc.slug, "chapter": section.title, **dict(doc.cite)}
    aliases = {a: s for a, s in doc.aliases if s in here}
    if aliases:
        data["aliases"] = aliases
    pages = {b.anchor: b.page for b in blocks if b.anchor and b.page}
    if pages:
        data["pages"] = pages
    return data


def page_url(path: str, use_directory_urls: bool = True) -> str:
    """Site-relative URL of a generated page, as MkDocs makes it."""
    if not use_directory_urls:
        return path[:-3] + ".html"
    if path == "index.md" or path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[:-3] + "/"


_ATTR_ID = re.compile(r"^(?:> )?\{[^}\n]*#(p-\d+)[^}\n]*\}$", re.MULTILINE)


def page_ids(markdown: str) -> list[str]:
    """The paragraph ids a page's Markdown gives (``_ATTR_ID``'s matches), trying the pattern
    only on lines holding '#p-': a plain search finds them, where the pattern would be tried
    at every line start (10x corpus: 0.028 against 0.078 s of CPU)."""
    out: list[str] = []
    find, pos = markdown.find, 0
    while (at := find("#p-", pos)) != -1:
        start = markdown.rfind("\n", 0, at) + 1
        end = find("\n", at)
        m = _ATTR_ID.match(markdown, start)
        if m is not None:
            out.append(m.group(1))
        if end == -1:
            break
        pos = end
    return out


def catalogue(pages: Sequence[Page], docs: Sequence[Document],
              use_directory_urls: bool = True) -> dict:
    """Every page, its paragraph ids with first words, and each work's retired ids."""
    words = {(d.slug, b.anchor): head(b.text) for d in docs for b in anchored_blocks(d.sections)}
    out_pages = []
    for p in pages:
        ids = page_ids(p.markdown)
        if ids:
            out_pages.append({"url": page_url(p.path, use_directory_urls), "title": p.title,
                              "work": p.work_slug,
                              "ids": [[a, words.get((p.work_slug, a), "")] for a in ids]})
    works = {d.slug: {"retired": dict(d.aliases)} for d in docs}
    return {"version": 1, "pages": out_pages, "works": works}


def write_catalogue(built, site_dir: Path, use_directory_urls: bool = True) -> Path:
    """Write ``anchors.json`` at the site root, for other sites and for the page script."""
    target = Path(site_dir) / "anchors.json"
    data = catalogue(built.pages, built.documents, use_directory_urls)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                      encoding="utf-8")
    return target
