"""The body renderer the XML and HTML formats share: paragraphs, table rows and sanitised HTML."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from services.parse.formats.xmlfields import render_markup_text
from services.parse.text import join_paragraphs


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
