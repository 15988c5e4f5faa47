"""The front matter is written with libyaml's emitter (``yaml.CSafeDumper``, several times
faster): it must write exactly what the pure-Python ``SafeDumper`` writes, for any title a
source may hold (quotes, colons, '#', '{{', control characters, any script) and read back as
the same values."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from build_site import reading

# Any character but surrogates (a str holding one cannot be written as UTF-8 at all).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
hostile = st.one_of(text, st.sampled_from([
    "", " ", "a: b", "# not a comment", "{{ page.title }}", "'quoted'", '"double"', "- item",
    "? key", "@at", "`tick", "null", "yes", "1924", "1e3", "~", "a\tb", "\x00\x07\x1b",
    "line\nbreak", "\u2028\u2029\x85", "\ufeffbom", "ā: “x” — ‘y’", "*alias", "&anchor", "!tag",
    "%directive", "---", "...", "key:", " lead", "trail ", "｛｝", "\U0001f600",
]), st.builds(lambda a, b: a + b, text, text))
fields = st.dictionaries(
    st.sampled_from(["page_title", "citation_title", "citation_inbook_title", "description",
                     "citation_author", "citation_publisher", "citation_language"]),
    st.one_of(hostile, st.lists(hostile, min_size=1, max_size=3)), min_size=1)


@settings(max_examples=600, deadline=None)
@given(fields)
def test_libyaml_writes_what_the_python_emitter_writes(merged):
    options = {"allow_unicode": True, "sort_keys": False, "width": 10_000}
    ours = reading.dump_front_matter(merged)
    assert ours == yaml.dump(merged, Dumper=yaml.SafeDumper, **options)
    if not any(c in repr(merged) for c in (r"\x85", r"\u2028", r"\u2029")):
        # (the Python emitter writes these line breaks raw, and they read back as spaces or
        # newlines: the front matter was already so before libyaml, see reading.py)
        assert yaml.safe_load(ours) == merged


# A page's own front matter (merged in by with_front_matter) may hold any YAML value.
nested = st.recursive(
    st.one_of(hostile, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(hostile, inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(st.sampled_from(["hide", "search", "weight", "page_title"]),
                                 hostile), nested, min_size=1))
def test_any_front_matter_value_is_written_as_the_python_emitter_writes_it(merged):
    options = {"allow_unicode": True, "sort_keys": False, "width": 10_000}
    assert reading.dump_front_matter(merged) == yaml.dump(merged, Dumper=yaml.SafeDumper,
                                                          **options)
