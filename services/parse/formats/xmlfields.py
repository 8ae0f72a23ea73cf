"""Field extraction the XML wire formats (NITF, NewsML 1.2, NewsML-G2) share.

One plain xpath serves the namespaced and the bare flavour of a format (AP's namespaced NITF,
Solita's namespaced NewsML 1.2, Reuters' `ns0:` G2): NITF and NewsML 1.2 strip namespaces first;
NewsML-G2, whose documents are large, passes its namespace to `extract`/`xpath` instead.
Fields are read through declarative mappings: field name → xpaths tried in order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.html import fragment_fromstring

from services.parse.text import (
    clean_text,
    collapse_whitespace,
    drop_controls,
    join_paragraphs,
    split_paragraphs,
)
from services.parse.xmlsafe import local_name
from shared.errors import ParseError
from shared.models import Subject

__all__ = [
    "HTML_PARSER",
    "XML_LANG",
    "Body",
    "FieldMap",
    "extract",
    "int_or_none",
    "namespace_of",
    "render_body",
    "render_embedded",
    "render_markup_text",
    "strip_namespaces",
    "subject_from_code",
    "text_of",
    "unique_subjects",
    "urgency_or_none",
    "xpath",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# lxml.etree's HTML parser (no network, recovers from broken markup). lxml.html's own runs a Python class
# lookup for every element it hands out, about a tenth of a web page's parse, for methods nothing here uses.
HTML_PARSER = etree.HTMLParser()

FieldMap = Mapping[str, tuple[str, ...]]
"""Field name → xpaths tried in order; the first non-blank text or attribute value wins."""


def strip_namespaces(root: etree._Element, source: bytes | None = None) -> etree._Element:
    """Drop element namespaces in place (xml:lang and other attributes keep theirs).

    `source`, the bytes `root` was parsed from, spares the walk over every element when the document
    declares no namespace (most NITF and NewsML 1.2 documents), so has none to drop.
    """
    if source is not None and b"xmlns" not in source:
        return root
    # "{*}*" yields elements only (no comments or PIs), so every tag is a str. (An XPath selecting only
    # the namespaced elements costs more than this loop.)
    for element in root.iter("{*}*"):
        tag = element.tag
        if tag[0] == "{":
            element.tag = tag[tag.index("}") + 1 :]
    return root


_PATH_STEP_NAME = re.compile(r"^[A-Za-z_][\w.\-]*")
_PREFIX = "ns"


def _in_namespace(path: str) -> str:
    # "itemMeta/title" -> "ns:itemMeta/ns:title"; attribute, "." and "*" steps stay. Steps are split on
    # "/", so a predicate must not hold one.
    return "/".join(_PATH_STEP_NAME.sub(lambda m: f"{_PREFIX}:{m[0]}", step, count=1) for step in path.split("/"))


@lru_cache(maxsize=512)
def _compiled(expr: str, namespace: str | None = None) -> etree.XPath:
    # A compiled XPath call (~1.5 µs) beats ElementPath's find/findall (~5 µs), which is Python code.
    # Each call costs less without EXSLT's regular expressions (no path uses them), whose functions lxml
    # registers per call, and with attribute values as plain strings, not ones tied to their element.
    options: dict[str, Any] = {"regexp": False, "smart_strings": False}
    if namespace is None:
        return etree.XPath(expr, **options)
    return etree.XPath(_in_namespace(expr), namespaces={_PREFIX: namespace}, **options)


def xpath(node: etree._Element, expr: str, namespace: str | None = None) -> list[Any]:
    """`node.xpath(expr)` with `expr` compiled once per process, not once per call; strings are plain `str`.

    With `namespace`, every element name in `expr` is one in that namespace: a namespaced document is
    read as it is, which costs less than stripping the namespace from every element first.
    """
    result = _compiled(expr, namespace)(node)
    return result if isinstance(result, list) else [result]


def namespace_of(element: etree._Element) -> str | None:
    """The namespace URI of `element`'s tag; None when it has none."""
    tag = element.tag
    return tag[1 : tag.index("}")] if isinstance(tag, str) and tag[:1] == "{" else None


def text_of(node: object) -> str | None:
    """Cleaned text of an element (all descendants) or of an attribute value; None when blank."""
    if isinstance(node, etree._Element):
        raw = _inner_text(node, " ")
    elif isinstance(node, str):
        raw = node
    else:
        return None
    cleaned = clean_text(raw).replace("\n", " ")
    return cleaned or None


def _inner_text(element: etree._Element, separator: str) -> str:
    """The text of `element` and its descendants, pieces joined by `separator`."""
    # Most elements are leaves: their .text, without an itertext walk. (A comment's .text is no text of
    # the document; itertext, which skips comments, says so.)
    if len(element) or not isinstance(element.tag, str):
        return separator.join(element.itertext())
    return element.text or ""


def extract(root: etree._Element, mapping: FieldMap, namespace: str | None = None) -> dict[str, str | None]:
    """Each field of `mapping` read from `root`: the first xpath giving non-blank text.

    Element names in the xpaths are in `namespace` (see `xpath`), or in none.
    """
    found: dict[str, str | None] = {}
    for field, xpaths in mapping.items():
        found[field] = None
        for xpath in xpaths:
            value = next((text for node in _compiled(xpath, namespace)(root) if (text := text_of(node))), None)
            if value:
                found[field] = value
                break
    return found


def int_or_none(value: str | None) -> int | None:
    """A positive integer from `value` ("04" -> 4); None when it is not one."""
    if value and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return None


def urgency_or_none(value: str | None) -> int | None:
    """An IPTC urgency (1–9) from `value`; None when out of range or not a number."""
    number = int_or_none(value)
    return number if number is not None and number <= 9 else None


def unique_subjects(subjects: Iterable[Subject]) -> list[Subject]:
    """`subjects` without repeats, in order (hashing, not pairwise model comparison)."""
    return list(dict.fromkeys(subjects))


# Subjects are immutable and the same codes recur story after story: each is built (validated) once.
@lru_cache(maxsize=4096)
def subject_from_code(code: str, name: str | None = None, default_scheme: str = "subj") -> Subject:
    """A subject from a qcode ("medtop:20000763") or a bare IPTC subject number ("04000000")."""
    scheme, _, local = code.partition(":")
    if not local:
        scheme, local = default_scheme, code
    return Subject(scheme=scheme, code=local, name=name, source="agency")


class Body:
    """A story body as plain paragraphs and sanitised HTML."""

    __slots__ = ("_text", "html", "paragraphs")

    def __init__(self, paragraphs: list[str], html_text: str | None, text: str | None = None) -> None:
        self.paragraphs = paragraphs
        self.html = html_text
        self._text = text

    @property
    def text(self) -> str:
        """Paragraphs separated by a blank line (as `join_paragraphs` joins them, unless given)."""
        return join_paragraphs(self.paragraphs) if self._text is None else self._text


_HEADINGS = {"hl1": "h1", "hl2": "h2", "hl3": "h3", "hl4": "h4", "pre": "p"}
_LEAVES = {"p", "pre", "li", "dt", "dd", "hl1", "hl2", "hl3", "hl4", "h1", "h2", "h3", "h4", "h5", "h6"}
_CONTAINERS = {"div", "block", "body", "body.content", "section", "article", "table", "thead", "tbody", "tfoot"}
_CONTAINERS |= {"ul", "ol", "dl", "blockquote", "DataContent", "nitf", "html", "center", "main"}
# An HTML5 <header> inside the body is page chrome (dpa repeats slugline, time and headline there).
_SKIPPED = {
    "header",
    "footer",
    "script",
    "style",
    "img",
    "media",
    "head",
    "title",
    "object",
    "iframe",
    "lang",
    "noscript",
    "link",
}
_ALLOWED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "b", "i", "em", "strong", "a"}
_ALLOWED |= {"table", "thead", "tbody", "tr", "td", "th"}
_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.I)
# Opening and closing markup by source tag (NITF headings as HTML ones); <a> opens with its href.
_OPEN = {tag: f"<{tag}>" for tag in _ALLOWED - {"a"}} | {tag: f"<{html_tag}>" for tag, html_tag in _HEADINGS.items()}
_PLAIN_HREF = re.compile(r"[A-Za-z0-9:/._~?=#%+,;@!$*()&'-]*")
_CLOSE = {tag: f"</{tag}>" for tag in _ALLOWED} | {tag: f"</{html_tag}>" for tag, html_tag in _HEADINGS.items()}


def render_body(container: etree._Element) -> Body:
    """Paragraphs and sanitised HTML of a body element (NITF body.content, XHTML body, DataContent).

    Elements are read by their local names: a namespaced body (XHTML, G2's inlineXML) needs no stripping.
    """
    for br in container.iter("{*}br"):
        br.tail = "\n" + (br.tail or "")
    paragraphs: list[str] = []
    markup: list[str] = []
    _walk(container, paragraphs, markup)
    paragraphs = [p for p in (clean_text(p).replace("\n", " ") for p in paragraphs) if p]
    # `join_paragraphs` would clean each paragraph again; of a cleaned one that only collapses the
    # spaces a blank line inside it left, which is cheaper done here.
    text = "\n\n".join(" ".join(p.split()) if "  " in p else p for p in paragraphs)
    return Body(paragraphs, _finished_html(markup) if paragraphs else None, text)


def render_embedded(document: etree._Element) -> Body:
    """The body of a document an envelope embeds (NewsML 1.2 DataContent, G2 inlineXML).

    Its NITF body.content, else its XHTML body, else the whole element; found by local name, in any namespace.
    """
    # iter filters tags in C; find(".//…") runs ElementPath's Python.
    container = next(document.iter("{*}body.content"), None)
    if container is None:
        container = next(document.iter("{*}body"), None)
    return render_body(container if container is not None else document)


def render_markup_text(markup: str) -> Body:
    """A body held as text that is itself HTML (CDATA, escaped tags) or plain paragraphs."""
    if not re.search(r"<[a-zA-Z][^>]*>", markup):
        paragraphs = split_paragraphs(markup)
        return Body(paragraphs, "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or None)
    try:
        fragment = fragment_fromstring(markup, create_parent="div", parser=HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"embedded HTML body unreadable: {exc}", code="bad_body") from exc
    return render_body(fragment)


def _walk(element: etree._Element, paragraphs: list[str] | None, markup: list[str]) -> None:
    # One pass renders both the HTML of the element's content and its paragraphs (None: the element is
    # inside a paragraph, whose text is taken whole). Text and inline children (<b>, <a>, NITF <chron>)
    # of a container run together as one paragraph until a block child (a <p>, a nested container)
    # ends the run. HTML is rebuilt rather than filtered: only whitelisted tags (and a safe href) are
    # ever written, so no attribute or element of the source can slip through. Writing markup strings
    # directly costs half of building a sanitised lxml tree and serialising it; text is escaped exactly
    # as lxml's HTML serialiser escapes it (& < >), so the markup is the same.
    text = element.text
    run = [text or ""]
    if text:
        _emit_text(text, markup)
    for child in element:
        tag = local_name(child)  # "" for a comment or processing instruction
        if tag and tag not in _SKIPPED:
            opening = _anchor_opening(child) if tag == "a" else _OPEN.get(tag)
            if opening is not None:
                markup.append(opening)
            # A leaf (most paragraphs and cells) is just its text, read once: no walk over its no children.
            leaf = not len(child)
            text = child.text if leaf else None
            inner = None  # the paragraphs a nested container adds to
            if paragraphs is not None:
                if tag in _CONTAINERS:
                    _flush(run, paragraphs)
                    run = []
                    inner = paragraphs
                elif tag in _LEAVES or tag == "tr":
                    _flush(run, paragraphs)
                    run = []
                    _collect_block(child, tag, text, paragraphs)
                else:
                    run.append((text or "") if leaf else _inner_text(child, ""))
            if inner is not None or not leaf:
                _walk(child, inner, markup)
            elif text:
                _emit_text(text, markup)
            if opening is not None:
                markup.append(_CLOSE[tag])
        # Empty and blank pieces (most tails are indentation) are handled inline: a call each costs more.
        tail = child.tail
        if tail:
            run.append(tail)
            if tail.isspace():
                markup.append(" ")
            else:
                _emit_text(tail, markup)
    if paragraphs is not None:
        _flush(run, paragraphs)


def _flush(run: list[str], out: list[str]) -> None:
    # Most runs are the indentation between block elements: nothing to split or clean.
    text = "".join(run)
    if text and not text.isspace():
        out.extend(split_paragraphs(text))


def _collect_block(element: etree._Element, tag: str, text: str | None, out: list[str]) -> None:
    # The paragraphs of a block that is no container (`tag`, its local name; `text`, a leaf's text, already
    # read): a row, preformatted lines or a paragraph.
    if tag == "tr":
        # A comment among the cells (HTML bodies keep them) is no cell.
        cells = [_inner_text(cell, " ") for cell in element if isinstance(cell.tag, str)]
        row = " ".join(cells)
        # Without line breaks, cleaning the row at once equals cleaning each cell and joining the
        # non-blank ones (a blank line inside a cell would leave a double space in the cell, not the row).
        if "\n" in row or "\r" in row:
            row = " ".join(t for cell in cells if (t := clean_text(cell).replace("\n", " ")))
        else:
            row = clean_text(row)
        out.append(row)
    elif tag == "pre":
        # Preformatted copy is agate (line-ups, results): each line stands on its own.
        out.extend(line for line in _inner_text(element, "").splitlines() if line.strip())
    else:
        out.append(text if text is not None else _inner_text(element, ""))


def _finished_html(markup: list[str]) -> str | None:
    # Text before the first tag is escaped quotes and all, as it always was.
    first_tag = next((i for i, piece in enumerate(markup) if piece.startswith("<")), len(markup))
    leading = "".join(markup[:first_tag])
    leading = leading.replace('"', "&quot;").replace("'", "&#x27;") if leading.strip() else ""
    return (leading + "".join(markup[first_tag:])).strip() or None


def _emit_text(text: str | None, out: list[str]) -> None:
    # Most pieces are indentation between tags or plain words: no call to escape them.
    if not text:
        return
    if text.isspace():
        out.append(" ")
        return
    # Every whitespace character but the space is unprintable, as is every control character, so printable
    # text without a double space has nothing to collapse or drop (most paragraphs): two C scans instead of
    # splitting it into words. Text still unprintable once its whitespace is collapsed has control characters.
    if "  " in text or not text.isprintable():
        text = collapse_whitespace(text)
        if not text.isprintable():
            text = drop_controls(text)
    out.append(html.escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text)


def _anchor_opening(anchor: etree._Element) -> str | None:
    """The opening tag of a link with a safe href; None for any other link (its text is still written)."""
    href = anchor.get("href", "")
    if not _SAFE_HREF.match(href):
        return None
    # lxml's HTML serialiser URI-escapes an href (spaces, non-ASCII) and picks its quote character, so
    # it writes the tag; an href of plain URL characters it writes as is, with "&" as "&amp;" (checked
    # against it in tests/unit/parse/test_xmlfields.py), which costs a tenth as much.
    if _PLAIN_HREF.fullmatch(href):
        return f'<a href="{href.replace("&", "&amp;")}">'
    return str(etree.tostring(etree.Element("a", href=href), encoding="unicode", method="html"))[: -len("</a>")]
