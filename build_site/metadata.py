"""Per-work metadata (``source/<slug>/work.yml``) and the people (``source/authors.yml``).

Takes the ``source/`` folder and returns a ``Library`` of validated, frozen metadata plus a
list of ``Diagnostic`` values. Bad input never raises: every problem in a file is reported at
once, each naming the file, the line of the offending key, the key path and what is expected,
so that a user can fix a file in one pass. The schema is declared once, as pydantic models;
their attribute docstrings are the field documentation and feed the error messages.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeGuard, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from build_site.model import Diagnostic, Level

WORK_FILE = "work.yml"
PEOPLE_FILE = "authors.yml"

_DATE_HINT = "expected a date like 1924, 1924-01 or 1924-01-30, or a range like 1924-01/1924-12"
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_M = TypeVar("_M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ``1917-10-13`` as text, so dates are validated as they were written."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# libyaml's loader when PyYAML has it (a class chosen at run time: Any to a checker)
_FAST_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_FAST_BASE):
    """``_Loader`` on libyaml's parser, when PyYAML has it: the same data and node tree (each
    node's line), some eight times faster (at 50x the corpus, 251 work.yml files in 0.03
    instead of 0.27 s CPU). Only a file both parsers take is read with it (``_read_yaml``)."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
# Text left to ``_Loader`` alone, whatever libyaml would make of it: what PyYAML's own reader
# refuses (its NON_PRINTABLE) or reads apart (a byte order mark), and the few things the two
# parsers were seen to read differently (tests/test_metadata_fast_yaml.py): tabs (libyaml
# takes some that PyYAML refuses), explicit keys ('? '), document markers and directives at a
# line's start (the line of an empty document's node), a block scalar's indicator with a
# comment right after it, and the line breaks other than '\n' and '\r' (NEL, U+2028, U+2029),
# after which the line starts ('^', '\r') below would be missed.
_PYTHON_ONLY = re.compile("[^\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE"
                          "\uFF00-\uFFFD\U00010000-\U0010FFFF]"
                          r"|(?:(?:^|\r)[ ]*(?:-[ ]+)*|[{\[,][ ]*)\?(?:\s|$)"
                          r"|(?:^|\r)(?:---|\.\.\.|%)"
                          r"|[|>][-+0-9]*#", re.MULTILINE)


def _year_as_text(value: object) -> object:
    """Accept ``date: 1924``, which YAML reads as a number, as the year it plainly means."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _date_parts(text: str) -> tuple[int, ...]:
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise ValueError(_DATE_HINT)
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        month, day = (*parts[1:], 1, 1)[:2]
        datetime.date(parts[0], month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date; {_DATE_HINT}") from None
    return parts


def _check_date(text: str) -> str:
    """Check an ISO partial date or an 'A/B' range that does not end before it starts."""
    start, is_range, end = text.partition("/")
    first = _date_parts(start)
    if is_range:
        last = _date_parts(end)
        common = min(len(first), len(last))
        if last[:common] < first[:common]:
            raise ValueError(f"the range {text!r} ends before it starts")
    return text


def _check_optional_date(text: str) -> str:
    return _check_date(text) if text else text


def _check_text(text: str) -> str:
    if not text.strip():
        raise ValueError("expected some text, found an empty value")
    return text


def _check_language(tag: str) -> str:
    if not _LANGUAGE_RE.fullmatch(tag):
        raise ValueError("expected a BCP 47 language tag like en, fr or en-GB")
    return tag


def _check_sha256(digest: str) -> str:
    if not _SHA256_RE.fullmatch(digest):
        raise ValueError("expected 64 lowercase hex digits, as printed by `sha256sum FILE`")
    return digest


def _is_bare_name(name: object) -> TypeGuard[str]:
    """A raw file must sit in its work folder, so its name may not reach elsewhere."""
    return isinstance(name, str) and name not in {"", ".", ".."} and not set(name) & {"/", "\\"}


def _check_file_name(name: str) -> str:
    if not _is_bare_name(name):
        raise ValueError("expected a bare file name inside the work folder, like 'raw.txt'")
    return name


Text = Annotated[str, AfterValidator(_check_text)]
Date = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(_check_date)]
OptionalDate = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(_check_optional_date)]
RawKind = Literal["ocr-print", "pdf-web-printout", "web-article", "web-page-text", "pdf-text-book"]

_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Source(BaseModel):
    """Where the digital raw text came from: provenance shown to readers and proofreaders."""

    model_config = _CONFIG

    description: Text
    """How the text reached us, e.g. 'marxists.org HTML pages printed to PDF, converted to text'."""
    url: str = ""
    """Address of the digital source, when known."""


class WorkMeta(BaseModel):
    """The metadata of one work: what it is, who wrote it, and which raw file holds it."""

    model_config = _CONFIG

    title: Text
    """The title as the reader should see it."""
    subtitle: str = ""
    """Subtitle or a short line on what the work contains."""
    aliases: list[Text] = []
    """Other titles by which other texts may name this work, used to find cross-references."""
    authors: list[Text] = Field(min_length=1)
    """Ids of people defined in source/authors.yml, in the order they are credited."""
    translators: list[Text] = []
    """Translators as free text, marked when the attribution is not in the file."""
    date: Date
    """When the work was written: 1924, 1924-01, 1924-01-30 or a range such as 1924-01/1924-12."""
    date_display: str = ""
    """The date as readers see it, e.g. 'April 1918'."""
    original_publication: str = ""
    """Where the work first appeared, e.g. 'Rabochy Put, No. 35, October 13, 1917'."""
    edition: str = ""
    """The edition the raw text reproduces."""
    publisher: str = ""
    """Publisher of that edition."""
    published: OptionalDate = ""
    """When that edition appeared, in the same date syntax as ``date``."""
    source: Source
    """Provenance of the digital raw text."""
    language: Annotated[str, AfterValidator(_check_language)] = "en"
    """Language of the text as a BCP 47 tag."""
    raw_kind: RawKind
    """The kind of raw text, which tells the cleaner what damage to expect."""
    raw_file: Annotated[str, AfterValidator(_check_file_name)]
    """File name of the raw text inside the work folder; the file is never edited."""
    sha256: Annotated[str, AfterValidator(_check_sha256)]
    """sha256 of the raw file, so that an edited raw file is caught."""
    order: int = Field(default=0, ge=0)
    """Position among the author's works; 0 sorts by date."""
    cleaning: dict[str, Any] = {}
    """Settings for the cleaning stage, which validates them itself."""
    structure: dict[str, Any] = {}
    """Settings for the segmenting stage, which validates them itself."""


class Person(BaseModel):
    """An author, translator or person named across texts, keyed by id in authors.yml."""

    model_config = _CONFIG

    name: Text
    """Display name, e.g. 'V. I. Lenin'."""
    full_name: str = ""
    """Full name, e.g. 'Vladimir Ilyich Lenin'."""
    sort_name: Text
    """Name for sorted lists, e.g. 'Lenin, Vladimir Ilyich'."""
    born: int | None = None
    """Year of birth, when known."""
    died: int | None = None
    """Year of death, when known (or still living)."""
    aliases: list[Text] = []
    """Spellings of the name seen in the texts (e.g. 'Lenine'), used to find the person."""
    description: str = ""
    """One line on who they were, written by us (not quoted from a text), for hover cards."""


@dataclass(frozen=True)
class Library:
    """All validated metadata: people by id and works by slug (the folder name), both sorted."""

    people: dict[str, Person]
    works: dict[str, WorkMeta]


def load_people(path: Path) -> tuple[dict[str, Person], list[Diagnostic]]:
    """Load authors.yml (a mapping id -> person); people with errors are left out."""
    data, root, diagnostics = _read_yaml(path)
    if root is None:
        return {}, diagnostics
    if not isinstance(data, dict):
        return {}, [*diagnostics, _error(path, "meta-not-mapping", "expected id: person", root)]
    people: dict[str, Person] = {}
    for person_id, entry in data.items():
        if not isinstance(person_id, str) or not _ID_RE.fullmatch(person_id):
            what = f"{person_id}: expected an id of lowercase letters, digits and hyphens"
            diagnostics.append(_error(path, "meta-bad-id", what, _at(root, person_id)))
            continue
        person, problems = _validate(Person, entry, path, root, (person_id,))
        diagnostics += problems
        if person is not None:
            people[person_id] = person
    diagnostics += _shared_aliases(people, path, root)
    return dict(sorted(people.items())), diagnostics


def load_work(
    folder: Path, people: Mapping[str, Person]
) -> tuple[WorkMeta | None, list[Diagnostic]]:
    """Load and check ``folder/work.yml``; None when any error was found, so no stage runs on it.

    Besides the schema it checks what the schema cannot see: author ids against ``people``,
    the raw file's presence, and its sha256 against the recorded one.
    """
    path = folder / WORK_FILE
    if not path.is_file():
        what = (
            f"no {WORK_FILE} in {folder}: every folder under source/ is a work; add {WORK_FILE} "
            "with at least title, authors, date, source, raw_kind, raw_file and sha256"
        )
        return None, [_error(folder, "meta-no-work-yml", what)]
    data, root, diagnostics = _read_yaml(path)
    if root is None:
        return None, diagnostics
    work, problems = _validate(WorkMeta, data, path, root)
    diagnostics += problems
    if isinstance(data, dict):
        diagnostics += _undefined_authors(data, people, path, root, folder.parent / PEOPLE_FILE)
        diagnostics += _raw_file_problems(data, folder, path, root)
    diagnostics.sort(key=lambda d: d.line or 0)
    if any(d.level is Level.ERROR for d in diagnostics):
        return None, diagnostics
    return work, diagnostics


def load_library(source_dir: Path) -> tuple[Library, list[Diagnostic]]:
    """Load authors.yml and every work folder under ``source_dir``; works that fail are left out."""
    people_path = source_dir / PEOPLE_FILE
    if people_path.is_file():
        people, diagnostics = load_people(people_path)
    else:
        what = f"{people_path} not found: it defines the people that works name as authors"
        people, diagnostics = {}, [_error(people_path, "meta-no-authors-file", what)]
    works: dict[str, WorkMeta] = {}
    folders = sorted(p for p in source_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        if not _ID_RE.fullmatch(folder.name):
            what = (
                f"folder name {folder.name!r} is used in URLs: rename it to lowercase letters, "
                "digits and hyphens, like 'revolution-betrayed'"
            )
            diagnostics.append(_error(folder, "meta-bad-slug", what))
            continue
        work, problems = load_work(folder, people)
        diagnostics += problems
        if work is not None:
            works[folder.name] = work
    if not folders:
        diagnostics.append(_error(source_dir, "meta-no-works", "no work folders here"))
    diagnostics += _shared_titles(works, source_dir)
    diagnostics += _shared_urls(works, source_dir)
    return Library(people=people, works=works), diagnostics


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[Diagnostic]]:
    """Parse once into both data and the node tree that knows each key's line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [_error(path, "meta-unreadable", f"cannot read the file: {exc}")]
    if _FastLoader is not _Loader and not _PYTHON_ONLY.search(text):
        parsed = _compose(text, _FastLoader)
        if parsed is not None:  # else libyaml found an error: _Loader words it, as always
            data, root = parsed
            if root is None:
                return None, None, [_error(path, "meta-empty", "the file is empty")]
            return data, root, list(_duplicate_keys(root, path))
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        what = f"invalid YAML: {what}; check indentation, colons and quoting on or before this line"
        line = mark.line + 1 if mark else None
        return None, None, [Diagnostic(Level.ERROR, "meta-yaml-syntax", what, str(path), line)]
    finally:
        loader.dispose()
    if root is None:
        return None, None, [_error(path, "meta-empty", "the file is empty")]
    return data, root, list(_duplicate_keys(root, path))


def _compose(text: str, loader_class: type) -> tuple[Any, yaml.Node | None] | None:
    """The data and the node tree of ``text``, or None when it is not YAML to this loader."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _duplicate_keys(node: yaml.Node, path: Path) -> Iterator[Diagnostic]:
    """YAML keeps the last of two equal keys silently; a user almost never means that."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if key.value in seen:
                what = f"key {key.value!r} appears twice (first on line {seen[key.value]})"
                yield _error(path, "meta-duplicate-key", f"{what}: keep only one", key)
            seen.setdefault(key.value, key.start_mark.line + 1)
            yield from _duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item, path)


def _validate(
    model: type[_M], data: Any, path: Path, root: yaml.Node, prefix: tuple[str, ...] = ()
) -> tuple[_M | None, list[Diagnostic]]:
    """Validate with pydantic, turning each of its errors into a Diagnostic at the key's line."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        diagnostics = []
        for error in exc.errors():
            loc = prefix + tuple(error["loc"])
            code, what = _explain(error, model, tuple(error["loc"]))
            node = _node_at(root, loc) or _at(root, *loc[:-1])
            diagnostics.append(_error(path, code, f"{_key_path(loc)}: {what}", node))
        return None, diagnostics


_EXPECTED_TYPE = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}


def _explain(error: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str]:
    """Say in plain words what is wrong and what is expected; returns (code, message)."""
    kind, value = error["type"], error["input"]
    if kind == "missing":
        field = _field_of(model, loc)
        about = f" ({field.description.rstrip('.')})" if field and field.description else ""
        return "meta-missing-key", f"required key missing{about}"
    if kind in {"extra_forbidden", "invalid_key"}:
        parent = _model_at(model, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        what = f'unknown key "{loc[-1]}"{_suggest(str(loc[-1]), allowed)}'
        return "meta-unknown-key", f"{what}: allowed keys are {', '.join(allowed)}"
    if kind == "value_error":
        return "meta-invalid-value", str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        what = f"expected one of {', '.join(choices)}; got {value!r}"
        return "meta-invalid-value", what + _suggest(str(value), choices)
    if kind == "too_short":
        return "meta-invalid-value", "expected a list with at least one item"
    if kind == "greater_than_equal":
        return "meta-invalid-value", f"expected a number of at least {error['ctx']['ge']}"
    if kind not in _EXPECTED_TYPE:
        return "meta-invalid-value", error["msg"]
    what = f"expected {_EXPECTED_TYPE[kind]}, got {_describe(value)}"
    if kind == "string_type" and isinstance(value, int | float):
        what += "; YAML reads it as a number or true/false: put the value in quotes"
    return "meta-wrong-type", what


def _describe(value: Any) -> str:
    """Name what YAML made of a value, so that 'expected a list, got text ...' explains itself."""
    if value is None:
        return "an empty value"
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return f"{kinds.get(type(value), 'a mapping')} {value!r}"


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that validates the mapping at ``loc``, to list its allowed keys."""
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _field_of(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    parent = _model_at(model, loc[:-1])
    return parent.model_fields.get(str(loc[-1])) if parent and loc else None


def _node_at(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The node to point at for ``loc``: a mapping's key node, a list's item node."""
    node, found = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if pair is None:
                return None
            found, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return None
            found = node = node.value[part]
        else:
            return None
    return found


def _at(root: yaml.Node, *loc: Any) -> yaml.Node:
    """Like ``_node_at`` but falls back to the document, which always has a line."""
    return _node_at(root, loc) or root


def _key_path(loc: tuple[Any, ...]) -> str:
    """('source', 'description') -> 'source.description'; ('authors', 1) -> 'authors[1]'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _error(
    path: Path, code: str, message: str, node: yaml.Node | None = None, level: Level = Level.ERROR
) -> Diagnostic:
    line = node.start_mark.line + 1 if node is not None else None
    return Diagnostic(level, code, message, str(path), line)


def _undefined_authors(
    data: dict[str, Any],
    people: Mapping[str, Person],
    path: Path,
    root: yaml.Node,
    people_path: Path,
) -> Iterator[Diagnostic]:
    authors = data.get("authors")
    for index, author in enumerate(authors if isinstance(authors, list) else []):
        if isinstance(author, str) and author not in people:
            what = (
                f'authors[{index}]: author id "{author}" is not defined in {people_path}'
                f"{_suggest(author, list(people))}: add the person there or correct the id"
            )
            yield _error(path, "meta-unknown-author", what, _at(root, "authors", index))


def _raw_file_problems(
    data: dict[str, Any], folder: Path, path: Path, root: yaml.Node
) -> Iterator[Diagnostic]:
    """The raw file is provenance: it must be there and byte-for-byte what was recorded."""
    name, expected = data.get("raw_file"), data.get("sha256")
    if not _is_bare_name(name):
        return
    raw = folder / name
    if not raw.is_file():
        present = ", ".join(sorted(p.name for p in folder.iterdir() if p.name != WORK_FILE))
        what = (
            f'raw_file: "{name}" not found in {folder} (files there: {present or "none"}): '
            "put the raw text there unchanged, or correct raw_file"
        )
        yield _error(path, "meta-raw-missing", what, _at(root, "raw_file"))
        return
    actual = hashlib.sha256(raw.read_bytes()).hexdigest()
    if isinstance(expected, str) and _SHA256_RE.fullmatch(expected) and actual != expected:
        what = (
            f"sha256: {raw} has sha256 {actual} but {WORK_FILE} records {expected}: raw files "
            "must never be edited (fix text through cleaning settings); restore the original "
            "file, or if the source was deliberately replaced, record the new digest"
        )
        yield _error(path, "meta-sha256-mismatch", what, _at(root, "sha256"))


def _shared_aliases(people: dict[str, Person], path: Path, root: yaml.Node) -> list[Diagnostic]:
    """A spelling that names two people cannot tell a cross-link which one is meant."""
    owner: dict[str, str] = {}
    diagnostics = []
    for person_id, person in people.items():
        for alias in dict.fromkeys((person.name, *person.aliases)):
            other = owner.setdefault(alias.casefold(), person_id)
            if other != person_id:
                what = f'{person_id}: the name "{alias}" also names {other}, so it is ambiguous'
                node = _at(root, person_id)
                diagnostics.append(_error(path, "meta-shared-alias", what, node, Level.WARNING))
    return diagnostics


def _shared_titles(works: dict[str, WorkMeta], source_dir: Path) -> list[Diagnostic]:
    """Two works answering to one title make title cross-references ambiguous."""
    owner: dict[str, str] = {}
    diagnostics = []
    for slug, work in works.items():
        for title in dict.fromkeys((work.title, *work.aliases)):
            other = owner.setdefault(title.casefold(), slug)
            if other != slug:
                what = (
                    f'the title "{title}" names both {other} and {slug}: give one of them a '
                    "distinct title or drop the alias"
                )
                path = source_dir / slug / WORK_FILE
                diagnostics.append(_error(path, "meta-duplicate-title", what, level=Level.WARNING))
    return diagnostics


def _shared_urls(works: dict[str, WorkMeta], source_dir: Path) -> list[Diagnostic]:
    """Two works published at one URL: the second would silently replace the first's pages.

    A work's URL is its first author's id and its folder name without that id in front, so
    'stalin-works-6' and 'works-6', both by stalin, are one slug: stalin/works-6.
    """
    from .render import url_prefix  # the one rule for URLs; imported late, render is heavier

    owner: dict[str, str] = {}
    diagnostics = []
    for slug, work in works.items():
        url = url_prefix(slug, work.authors[0])
        other = owner.setdefault(url, slug)
        if other != slug:
            path = source_dir / slug / WORK_FILE
            _, root, _ = _read_yaml(path)
            what = (
                f"authors: works {other!r} and {slug!r} would both be published at {url}/ "
                f"(first author {work.authors[0]!r} + folder name): rename one work folder"
            )
            node = _at(root, "authors") if root is not None else None
            diagnostics.append(_error(path, "meta-duplicate-slug", what, node))
    return diagnostics
