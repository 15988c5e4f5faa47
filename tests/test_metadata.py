"""The work.yml / authors.yml schema and its error reports, on small fixtures.

Expected line numbers are found by searching the fixture text, so each test states which
line a problem is on without hard-coding numbers that an edit to a comment would break.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from build_site.metadata import WorkMeta, load_library, load_people, load_work
from build_site.model import Diagnostic, Level

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the only line of ``path`` containing ``text``."""
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} should be on exactly one line of {path}"
    return lines[0]


def key_of(diagnostic: Diagnostic) -> str:
    """The key path a diagnostic message starts with."""
    return diagnostic.message.split(": ", 1)[0]


@pytest.fixture(scope="module")
def people() -> dict:
    people, diagnostics = load_people(FIXTURES / "authors.yml")
    assert diagnostics == []
    return people


def make_source(tmp_path: Path, *works: tuple[str, str]) -> Path:
    """A source/ folder with the fixture authors.yml and copies of (slug, fixture) works."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(FIXTURES / "authors.yml", source)
    for slug, fixture in works:
        shutil.copytree(FIXTURES / fixture, source / slug)
    return source


def test_good_work_loads_and_reads_a_bare_year_as_text(people: dict) -> None:
    work, diagnostics = load_work(FIXTURES / "good", people)
    assert diagnostics == []
    assert work is not None
    assert (work.title, work.authors, work.date, work.language) == (
        "Soviet Power",
        ["stalin"],
        "1917",
        "en",
    )


def test_every_problem_in_a_file_is_reported_once_with_file_line_and_key(people: dict) -> None:
    path = FIXTURES / "many-problems" / "work.yml"
    work, diagnostics = load_work(path.parent, people)
    assert work is None
    assert all(d.level is Level.ERROR and d.path == str(path) for d in diagnostics)
    found = {(key_of(d), d.line, d.code) for d in diagnostics}
    assert found == {
        ("subtitel", line_of(path, "subtitel:"), "meta-unknown-key"),
        ("aliases", line_of(path, "aliases:"), "meta-wrong-type"),
        ("authors[1]", line_of(path, "- lenn"), "meta-unknown-author"),
        ("date", line_of(path, "date:"), "meta-invalid-value"),
        ("source.description", line_of(path, "source:"), "meta-missing-key"),
    }
    assert len(diagnostics) == len(found)
    messages = {key_of(d): d.message for d in diagnostics}
    assert 'did you mean "subtitle"?' in messages["subtitel"]
    assert "allowed keys are title, subtitle," in messages["subtitel"]
    assert "expected a list" in messages["aliases"]
    assert str(FIXTURES / "authors.yml") in messages["authors[1]"]
    assert "expected a date like 1924, 1924-01 or 1924-01-30" in messages["date"]
    assert "required key missing" in messages["source.description"]


def test_yaml_syntax_error_names_its_line(people: dict) -> None:
    path = FIXTURES / "syntax-error" / "work.yml"
    work, diagnostics = load_work(path.parent, people)
    assert work is None
    assert [(d.code, d.path, d.line) for d in diagnostics] == [
        ("meta-yaml-syntax", str(path), line_of(path, "   url:"))
    ]


def test_missing_raw_file_is_reported_at_raw_file(people: dict) -> None:
    path = FIXTURES / "missing-raw" / "work.yml"
    work, diagnostics = load_work(path.parent, people)
    assert work is None
    assert [(d.code, d.line) for d in diagnostics] == [
        ("meta-raw-missing", line_of(path, "raw_file:"))
    ]
    assert '"soviet-power.txt" not found' in diagnostics[0].message


def test_sha256_mismatch_gives_both_digests_and_the_rule(people: dict) -> None:
    path = FIXTURES / "sha-mismatch" / "work.yml"
    work, diagnostics = load_work(path.parent, people)
    assert work is None
    assert [(d.code, d.line) for d in diagnostics] == [
        ("meta-sha256-mismatch", line_of(path, "sha256:"))
    ]
    message = diagnostics[0].message
    assert "ab" * 32 in message
    assert "cf85816179e1d45e9ce1ac425cd64259e7fb8e65df50375381afcdff9b7aae6e" in message
    assert "must never be edited" in message


def test_folder_without_work_yml(people: dict) -> None:
    work, diagnostics = load_work(FIXTURES / "no-work-yml", people)
    assert work is None
    assert [d.code for d in diagnostics] == ["meta-no-work-yml"]


def test_people_problems_are_all_reported(tmp_path: Path) -> None:
    path = FIXTURES / "people-problems.yml"
    people, diagnostics = load_people(path)
    assert people == {}
    assert {(key_of(d), d.line, d.code) for d in diagnostics} == {
        ("lenin.bron", line_of(path, "bron:"), "meta-unknown-key"),
        ("stalin.sort_name", line_of(path, "stalin:"), "meta-missing-key"),
        ("Trotsky", line_of(path, "Trotsky:"), "meta-bad-id"),
        ("kamenev.died", line_of(path, "died:"), "meta-wrong-type"),
    }


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "meta-empty", None),
        ("- title: a list, not a mapping\n", "meta-wrong-type", 1),
        ("title: A\ntitle: B\n", "meta-duplicate-key", 2),
    ],
    ids=["empty-file", "not-a-mapping", "duplicate-key"],
)
def test_malformed_files(tmp_path: Path, people: dict, text: str, code: str, line: int) -> None:
    (tmp_path / "work.yml").write_text(text)
    work, diagnostics = load_work(tmp_path, people)
    assert work is None
    assert (code, line) in {(d.code, d.line) for d in diagnostics}


def test_yes_no_values_get_a_quoting_hint(tmp_path: Path, people: dict) -> None:
    text = (FIXTURES / "good" / "work.yml").read_text() + "language: no\n"
    (tmp_path / "work.yml").write_text(text)
    shutil.copy(FIXTURES / "good" / "raw.txt", tmp_path)
    _, diagnostics = load_work(tmp_path, people)
    assert [key_of(d) for d in diagnostics] == ["language"]
    assert "put the value in quotes" in diagnostics[0].message


def test_library_loads_sorted_works_and_warns_on_shared_titles(tmp_path: Path) -> None:
    source = make_source(tmp_path, ("b-copy", "good"), ("a-first", "good"))
    library, diagnostics = load_library(source)
    assert list(library.works) == ["a-first", "b-copy"]
    assert list(library.people) == ["lenin", "stalin"]
    assert [(d.level, d.code) for d in diagnostics] == [(Level.WARNING, "meta-duplicate-title")]
    assert "a-first" in diagnostics[0].message and "b-copy" in diagnostics[0].message


def test_library_reports_folders_that_are_not_works(tmp_path: Path) -> None:
    source = make_source(tmp_path, ("good", "good"), ("empty", "no-work-yml"), ("Bad_Slug", "good"))
    library, diagnostics = load_library(source)
    assert list(library.works) == ["good"]
    assert sorted(d.code for d in diagnostics) == ["meta-bad-slug", "meta-no-work-yml"]


def test_library_without_authors_file(tmp_path: Path) -> None:
    source = make_source(tmp_path, ("good", "good"))
    (source / "authors.yml").unlink()
    library, diagnostics = load_library(source)
    assert library.works == {}
    codes = [d.code for d in diagnostics]
    assert codes == ["meta-no-authors-file", "meta-unknown-author"]


def test_models_are_frozen(people: dict) -> None:
    work, _ = load_work(FIXTURES / "good", people)
    assert work is not None
    with pytest.raises(ValidationError):
        work.title = "Changed"  # type: ignore[misc]


def _valid_dates() -> st.SearchStrategy[str]:
    day = st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31))
    return st.tuples(day, st.sampled_from([4, 7, 10])).map(lambda d: d[0].isoformat()[: d[1]])


@given(start=_valid_dates(), end=_valid_dates())
def test_date_ranges_are_accepted_exactly_when_in_order(start: str, end: str) -> None:
    base = {
        "title": "T",
        "authors": ["a"],
        "source": {"description": "d"},
        "raw_kind": "web-article",
        "raw_file": "r.txt",
        "sha256": "0" * 64,
    }
    WorkMeta.model_validate({**base, "date": start})
    common = min(len(start), len(end))
    if start[:common] <= end[:common]:
        WorkMeta.model_validate({**base, "date": f"{start}/{end}"})
    else:
        with pytest.raises(ValidationError, match="ends before it starts"):
            WorkMeta.model_validate({**base, "date": f"{start}/{end}"})


@pytest.mark.parametrize("date", ["1924-02-30", "1924-00", "24", "1924/", "1924-1-1", "c. 1924"])
def test_bad_dates_are_rejected(date: str) -> None:
    with pytest.raises(ValidationError, match="expected a date like"):
        WorkMeta.model_validate({"date": date})


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "authors",
                    "date",
                    "source",
                    "description",
                    "raw_file",
                    "sha256",
                    "titel",
                    "order",
                ]
            )
            | st.text(),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150,
          deadline=None)  # a loaded CI machine took 315 ms for one example
@given(data=_yaml_values)
def test_any_yaml_gives_diagnostics_never_a_traceback(tmp_path: Path, data: object) -> None:
    (tmp_path / "work.yml").write_text(yaml.safe_dump(data))
    work, diagnostics = load_work(tmp_path, {})
    assert work is None
    assert diagnostics and all(d.path and d.message for d in diagnostics)
