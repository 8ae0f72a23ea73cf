"""What the XML and HTML formats share: the body renderer (paragraphs, table rows, sanitised HTML) and
the field reader (`extract`)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from services.parse.formats.xmlfields import (
    FieldMap,
    extract,
    render_body,
    render_markup_text,
)
from services.parse.text import collapse_whitespace, join_paragraphs


def test_a_blank_line_inside_a_paragraph_is_one_space_in_the_body_text() -> None:
    body = render_markup_text("<p>First  half\n\n second half</p><p>Next</p>")
    assert body.paragraphs == ["First half  second half", "Next"]
    assert body.text == "First half second half\n\nNext" == join_paragraphs(body.paragraphs)


def test_table_rows_are_cleaned_cells_joined_by_one_space() -> None:
    markup = "<table><tr><td> Boston </td><td>24</td><td>\n</td><td>.632\n\n(x)</td></tr></table>"
    body = render_markup_text(markup)
    assert body.text == "Boston 24 .632 (x)"
    assert body.html == "<table><tr><td> Boston </td><td>24</td><td> </td><td>.632 (x)</td></tr></table>"


def test_a_comment_between_table_cells_is_skipped() -> None:
    body = render_markup_text("<table><tr><td>a</td><!-- note --><td>b <b>c</b></td></tr></table><p>x</p>")
    assert body.text == "a b c\n\nx"
    assert body.html == "<table><tr><td>a</td><td>b <b>c</b></td></tr></table><p>x</p>"


@pytest.mark.parametrize(
    "href",
    [
        "https://example.com/a/b?c=1&d=2#e",
        "mailto:desk@example.com",
        "http://x.example/%20;,+@!$*()~'-_.",
        "https://example.com/a b",
        "https://example.com/é",
        'https://example.com/"quoted"',
        "https://example.com/<x>",
    ],
)
def test_a_safe_link_is_written_as_lxml_writes_it(href: str) -> None:
    expected = etree.tostring(etree.Element("a", href=href), encoding="unicode", method="html")
    body = render_markup_text(f"<p>See <a href='{html.escape(href)}' onclick='x()'>this</a>.</p>")
    assert body.html == f"<p>See {expected[: -len('</a>')]}this</a>.</p>"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x17F), max_size=40))
def test_any_href_is_written_as_lxml_writes_it(tail: str) -> None:
    href = "https://example.com/" + tail
    expected = etree.tostring(etree.Element("a", href=href), encoding="unicode", method="html")
    body = render_markup_text(f"<p><a href='{html.escape(href)}'>x</a></p>")
    assert body.html == f"<p>{expected[: -len('</a>')]}x</a></p>"


@settings(max_examples=300, deadline=None)
@given(
    # Any text XML can hold (no surrogate, control character, U+FFFE or U+FFFF).
    st.text(
        alphabet=st.sampled_from(" \n\t\r\xa0\u2028\u3000ab&<é")
        | st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    )
)
def test_html_text_is_each_whitespace_run_as_one_space_and_escaped(text: str) -> None:
    container = etree.Element("div")
    etree.SubElement(container, "p").text = text
    body = render_body(container)
    if body.paragraphs:
        assert body.html == f"<p>{html.escape(collapse_whitespace(text), quote=False)}</p>"


FIELDS: FieldMap = {
    "title": ("meta/title",),
    "headline": ("content/headline[@rank='1']", "content/headline"),
    "fallback": ("content/missing", "meta/title"),
    "replaces": ("meta/link[@rel='prev']/@href",),
    "language": ("@xml:lang",),
    "deep": (".//lang/@code",),
    "first_in_document": (".//headline", "meta/title"),
    "after_xpath": ("note[kind/@x='y']/text", "note[@kind='a']/text"),
    "parent_step": ("../nothing", "note//text"),
    "absent": ("meta/absent", "@missing"),
}
FIELDS_DOCUMENT = """<item xml:lang="en" {xmlns}>
  <meta>
    <title>  </title>
    <title>Second  title</title>
    <link rel="other" href="http://other"/>
    <link rel="prev" href="http://prev"/>
  </meta>
  <content>
    <headline rank="2">Rank two</headline>
    <headline rank="1">Rank <b>one</b></headline>
    <deep><lang code=" fr "/></deep>
  </content>
  <note kind="a"><text>advisory</text></note>
</item>"""
FIELDS_EXPECTED = {
    "title": "Second title",
    "headline": "Rank one",
    "fallback": "Second title",
    "replaces": "http://prev",
    "language": "en",
    "deep": "fr",
    "first_in_document": "Rank two",
    "after_xpath": "advisory",
    "parent_step": "advisory",
    "absent": None,
}


@pytest.mark.parametrize("namespace", [None, "urn:example:fields"])
def test_extract_reads_each_field_from_its_first_xpath_with_text(namespace: str | None) -> None:
    xmlns = f'xmlns="{namespace}"' if namespace else ""
    root = etree.fromstring(FIELDS_DOCUMENT.format(xmlns=xmlns))
    assert extract(root, FIELDS, namespace) == FIELDS_EXPECTED


def test_extract_outside_the_namespace_finds_nothing() -> None:
    root = etree.fromstring(FIELDS_DOCUMENT.format(xmlns='xmlns="urn:example:fields"'))
    assert extract(root, FIELDS) == {field: None for field in FIELDS_EXPECTED} | {"language": "en"}


NAMESPACED_BODY = """<body {xmlns}>
  <p>Intro with <a href="https://example.com/x">a link</a>,<br/>a break and <b>bold</b>.</p>
  <div><h2>Heading</h2><table><tr><td>A</td><td>1</td></tr></table><pre>line one
line two</pre><ul><li>item</li></ul></div>
  <header><p>chrome</p></header>
</body>"""


def test_a_namespaced_body_renders_as_the_same_body_without_its_namespace() -> None:
    # XHTML and G2 bodies are rendered without stripping their namespace: tags are read by local name.
    bare = render_body(etree.fromstring(NAMESPACED_BODY.format(xmlns="")))
    namespaced = render_body(etree.fromstring(NAMESPACED_BODY.format(xmlns='xmlns="http://www.w3.org/1999/xhtml"')))
    assert (
        namespaced.paragraphs
        == bare.paragraphs
        == [
            "Intro with a link, a break and bold.",
            "Heading",
            "A 1",
            "line one",
            "line two",
            "item",
        ]
    )
    assert namespaced.html == bare.html
    assert bare.html is not None and bare.html.startswith('<p>Intro with <a href="https://example.com/x">a link</a>,')
