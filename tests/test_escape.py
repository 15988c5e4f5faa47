"""``escape`` and ``escape_attr``: any source text shows as itself and never becomes markup.

Each case renders through Python-Markdown with the site's own extensions and reads the HTML
back: the only elements are the ones we wrote, and the text is the source text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from build_site.model import Block, BlockKind, Document, InlineLink, Note, NoteRef, Section
from build_site.render import escape, escape_attr, render_block, render_page


class _Html(HTMLParser):
    """Elements (tag, attributes) and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, tuple(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.elements.append(("!--", (data,)))

    def handle_pi(self, data):
        self.elements.append(("?", (data,)))

    def unknown_decl(self, data):
        self.elements.append(("!", (data,)))


def parse(html: str) -> _Html:
    p = _Html()
    p.feed(html)
    p.close()
    return p


def to_html(md_text: str) -> str:
    """The site's Markdown extensions (mkdocs.yml), toc with permalinks."""
    md = markdown.Markdown(extensions=["attr_list", "footnotes", "md_in_html", "toc"],
                           extension_configs={"toc": {"permalink": True}})
    return md.convert(md_text)


def words(text: str) -> str:
    """Text as a browser shows it: HTML collapses runs of ASCII whitespace."""
    return " ".join(w for w in re.split(r"[ \t\n\r\f]+", text) if w)


def paragraph(text: str) -> tuple[list, str]:
    """Render ``text`` as render.py writes a paragraph: escaped body, then its id line."""
    p = parse(to_html(escape(text) + "\n{ #p-1 }"))
    return p.elements, "".join(p.text)


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "# a heading", "## two", "* star item", "- dash item", "+ plus item", "> quoted",
    "1. numbered", "12. numbered", "| a | b |", "    four spaces", "\tindented by a tab",
    "```", "```python", "~~~", "---", "***", "___", "===",
    "*em* **strong** _em_ __strong__", "`code`", "``double``", "[x](y)", "![alt](x.png)",
    "<http://example.com>", "<me@example.com>", "[x]: http://example.com", "[x][y]",
    "a[^1] note", "[^1]: a definition", "{: onclick=alert(1) }", "{#injected}", "{.cls}",
    "text { #id } end", "text\n{: #id }", "{{ config }}", "{% include 'x' %}", "{# c #}",
    "&amp; &lt; &#60; &#x3C; &copy; &nbsp; & lone", "a  \nb", "two trailing  ",
    "a\r# b", "a\n\n# b", "a\n    b\n\n    c", "<!-- comment -->", "<![CDATA[ x ]]>",
    "<?php echo 1 ?>", "\\*", "\\\\", "C:\\path\\to", "a_b_c", "snake_case_word",
    "x" * 5000, "word-" * 200, "\xa0leading no-break space", "\t\xa0a tab, then a no-break space",
    "trailing ideographic\u3000",
    "\u2028line separator", "1\\. escaped", " 1. spaced", "!!! note", "--8<-- 'x.md'",
    "==mark==", "~~del~~", "^^ins^^", ":smile:", "*[HTML]: abbr", "Term\n: definition",
    "\x02klzzwxh:0\x03",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_one_plain_paragraph(text: str):
    elements, shown = paragraph(text)
    assert elements == [("p", (("id", "p-1"),))]
    # STX/ETX are Markdown's placeholder marks: written as character references, they
    # cannot call up stashed HTML (the HTML parser here drops them; browsers show nothing).
    assert words(shown) == words(text.replace("\x02", "").replace("\x03", ""))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(
    st.sampled_from(list("ab1.\t\n\r #*-+>|`_[]()!{}:^=~<>&;/\\\"'%")),
    st.characters(blacklist_categories=("Cc", "Cs"))), max_size=60))
def test_fuzz_any_text_is_one_plain_paragraph(text: str):
    if not words(text):
        return  # render.py never writes an empty block
    elements, shown = paragraph(text)
    assert elements == [("p", (("id", "p-1"),))], escape(text)
    assert words(shown) == words(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("#*_[]{}<>&`!-1. \n")),
                                  st.characters(blacklist_categories=("Cc", "Cs"))),
               min_size=1, max_size=40))
@example(title="]:")  # '- [\\]:](page.md)' was read as a link definition
def test_fuzz_titles_in_headings_and_links(title: str):
    """Titles go into '# title', '## title { #slug }' and '- [title](page.md)'."""
    if not words(title):
        return
    cases = [(f"# {escape(title)}", ["h1", "a"]), (f"## {escape(title)} {{ #sec }}", ["h2", "a"]),
             (f"- [{escape(title)}](page.md)", ["ul", "li", "a"])]
    for md_text, tags in cases:
        p = parse(to_html(md_text))
        assert [t for t, _ in p.elements] == tags, md_text
        shown = "".join(p.text)
        if tags[0] != "ul":
            assert shown.endswith("¶")  # the permalink toc adds
            shown = shown[:-1]
        assert words(shown) == words(title)
    p = parse(to_html(cases[1][0]))
    assert dict(p.elements[0][1])["id"] == "sec"
    assert dict(parse(to_html(cases[2][0])).elements[2][1]) == {"href": "page.md"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("<>&\"'\n\t #*`")),
                                  st.characters(blacklist_categories=("Cc", "Cs"))),
               max_size=40))
def test_fuzz_escape_attr_in_raw_html(text: str):
    """Subtitles and metadata go into raw HTML that we write; a blank line would end it."""
    html = to_html(f'<p class="subtitle" title="{escape_attr(text)}">{escape_attr(text)}</p>\n'
                   "\nAfter.\n")
    p = parse(html)
    assert [t for t, _ in p.elements] == ["p", "p"], html
    assert dict(p.elements[0][1])["title"] == " ".join(re.split(r"[ \t\n\r]+", text))
    assert words("".join(p.text)) == words(text + " After.")


def test_long_word_and_numbers_keep_their_text():
    assert escape("1917. The year") == "1917\\. The year"
    assert escape("In 1917. the") == "In 1917. the"
    assert escape("a_b") == "a\\_b"


@pytest.mark.parametrize("kind", [BlockKind.PARAGRAPH, BlockKind.QUOTE, BlockKind.META])
@pytest.mark.parametrize("text", [": the words after the marker.", ":", ":: two", " : spaced",
                                  "  : after two spaces", "\t: after a tab"])
def test_a_block_opening_with_a_note_marker_and_a_colon_keeps_its_text(kind, text: str):
    """'[^1]: ...' opening a block is a footnote definition to Markdown: the paragraph vanished."""
    at = len(text) - len(text.lstrip(" \t")) if text.lstrip(" \t").startswith(":") else 0
    block = Block(kind, text, refs=(NoteRef(at, "n1"),), anchor="p-1")
    html = to_html(render_block(block, {"n1": "n1"}) + "\n\n[^n1]: The note.\n")
    shown = "".join(parse(html).text)
    assert words(text) in words(shown) and 'href="#fn:n1"' in html and "The note." in shown


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("*_`[]()!#+-.:;=~^ \\\"{}<>&'")),
                                  st.characters(blacklist_categories=("Cc", "Cs"))),
               max_size=40))
@example(value="leader of the *Bolshevik* party")
@example(value="a `code` and [a](b) and !x and _y_")
def test_a_cross_links_data_shows_as_itself(value: str):
    """A person's description or a title in a link's data attribute: Markdown's inline marks
    in it made the attribute list show on the page as text."""
    block = Block(BlockKind.PARAGRAPH, "See Lenin here.", anchor="p-1", links=(
        InlineLink(4, 9, "people/lenin.md", "person", (("line", value),)),))
    p = parse(to_html(render_block(block, {}, "work/page.md")))
    links = [dict(attrs) for tag, attrs in p.elements if tag == "a"]
    assert words("".join(p.text)) == "See Lenin here."
    assert links and links[0]["data-line"] == re.sub(r'["{}\\\\<>&]', "", value)


def test_two_notes_whose_ids_differ_only_in_punctuation_stay_two():
    """Footnote keys hold letters, digits and '-': 'a.b' and 'a_b' both gave 'a-b', and
    Markdown made the two notes one."""
    ids = ["a.b", "a_b", "a-b", "a-b-2"]
    block = Block(BlockKind.PARAGRAPH, "one two three four",
                  refs=tuple(NoteRef(o, i) for o, i in zip((3, 7, 13, 18), ids)), anchor="p-1")
    doc = Document("w", (Section("T", "t", is_page=True, blocks=(block,)),),
                   notes=tuple(Note(i, f"Note {i}.") for i in ids))
    html = to_html(render_page(doc.sections[0], doc))
    shown = words("".join(parse(html).text))
    assert all(f"Note {i}." in shown for i in ids)
    assert html.count('class="footnote-ref"') == 4 and html.count("footnote-backref") == 4
