from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from services.parse.formats.base import ParseLimits
from services.parse.xmlsafe import local_name, parse_xml
from shared.errors import ParseError

LIMITS = ParseLimits()

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]><x>&secret;</x>"""
INTERNAL_PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY % p "<!ENTITY y 'boom'>"> %p; ]><x>&y;</x>"""


AFTER_COMMENTS = b"""<?xml version="1.0"?>
<!-- <!x --><!DOCTYPE x [<!-- note --><!entity a "b">]><x><![CDATA[<!]]>&a;</x>"""


@pytest.mark.parametrize(
    "data",
    [BOMB, EXTERNAL_ENTITY, INTERNAL_PARAMETER_ENTITY, AFTER_COMMENTS],
    ids=["bomb", "external", "param", "after-comments"],
)
def test_entity_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_xml(data, "NITF", LIMITS)
    assert raised.value.reason == "NITF: document declares entities (<!ENTITY>); refused"
    assert raised.value.code == "xml_entities"


@pytest.mark.parametrize(("depth", "limit"), [(300, 256), (150, 100)], ids=["libxml2-cap", "configured-cap"])
def test_deep_nesting_is_refused(depth: int, limit: int) -> None:
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(ParseError) as raised:
        parse_xml(data, "NewsML-G2", ParseLimits(max_xml_depth=limit))
    assert raised.value.reason == f"NewsML-G2: XML nested deeper than {limit} levels"
    assert raised.value.code == "xml_depth"


@pytest.mark.parametrize("limit", [100, 256], ids=["configured-cap", "libxml2-cap"])
def test_depth_limit_is_exact(limit: int) -> None:
    # The cap counts the root as level 1: a document exactly `limit` deep passes, one more level fails.
    # At 256, libxml2's own cap, libxml2 enforces it alone.
    def nested(depth: int) -> bytes:
        return b"<r>" + b"<a>" * (depth - 1) + b"x" + b"</a>" * (depth - 1) + b"<b/></r>"

    assert parse_xml(nested(limit), "NITF", ParseLimits(max_xml_depth=limit)).tag == "r"
    with pytest.raises(ParseError) as raised:
        parse_xml(nested(limit + 1), "NITF", ParseLimits(max_xml_depth=limit))
    assert raised.value.code == "xml_depth"
    assert raised.value.reason == f"NITF: XML nested deeper than {limit} levels"


def test_oversize_input_is_refused() -> None:
    with pytest.raises(ParseError) as raised:
        parse_xml(b"<a>" + b"x" * 2_000_000 + b"</a>", "NITF", ParseLimits(max_bytes=1_048_576))
    assert raised.value.reason == "input is 1.9 MB; limit is 1 MB"
    assert raised.value.code == "too_large"


def test_malformed_xml_names_the_format() -> None:
    with pytest.raises(ParseError, match=r"^NewsML 1.2: not well-formed XML: ") as raised:
        parse_xml(b"<NewsML><NewsItem></NewsML>", "NewsML 1.2", LIMITS)
    assert raised.value.code == "xml_syntax"


def test_external_dtd_is_not_fetched(corpus_dir: Path) -> None:
    # The ATS/SDA file names NewsML-1.2.dtd and a %nitf; module; neither may be read.
    asked: list[str] = []

    class Spy(etree.Resolver):
        def resolve(self, system_url: str, public_id: str, context: object) -> None:
            asked.append(system_url)

    etree.get_default_parser().resolvers.add(Spy())
    root = parse_xml((corpus_dir / "newsml12" / "ats-sda_newsml12_iso-8859-15_doctype.xml").read_bytes(), "x", LIMITS)
    assert root.findtext(".//HeadLine") == "Un taureau entre dans un magasin à Landquart (GR)"
    assert asked == []


def test_doctype_with_network_dtd_parses_offline() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://203.0.113.9/x.dtd"><x>ok</x>'
    assert parse_xml(data, "x", LIMITS).text == "ok"


def test_latin1_label_on_utf8_bytes_is_relabelled() -> None:
    data = '<?xml version="1.0" encoding="iso-8859-1"?><x>København</x>'.encode()
    assert parse_xml(data, "x", LIMITS).text == "København"


def test_real_latin1_stays_latin1() -> None:
    data = '<?xml version="1.0" encoding="iso-8859-1"?><x>København</x>'.encode("latin-1")
    assert parse_xml(data, "x", LIMITS).text == "København"


def test_local_name_drops_namespace() -> None:
    root = parse_xml(b'<n:newsItem xmlns:n="http://iptc.org/std/nar/2006-10-01/"/>', "x", LIMITS)
    assert local_name(root) == "newsItem"
