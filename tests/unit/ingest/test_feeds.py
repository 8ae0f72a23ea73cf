import pytest

from services.ingest.feeds import parse_feeds
from shared.errors import InvalidInput


def test_default_feeds_file_loads(fixtures_dir):
    feeds = parse_feeds((fixtures_dir.parent.parent / "deploy" / "feeds.yaml").read_text())
    assert {f.connector for f in feeds} == {"spool", "ap_api", "reuters_api", "afp_api", "rss", "push"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: [{name: a, agency: ap, connector: ap_api}]", "feed a: Value error, connector ap_api needs 'url'"),
        ("feeds: [{name: a, agency: ap, connector: spool, directory: x, secret_env: 'abc123'}]", "must NAME"),
        ("feeds: [{name: a, agency: x, connector: ftp}]", "feed a field connector"),
        (
            "feeds: [{name: a, agency: x, connector: push, secret_env: S}, {name: a, agency: x, connector: push,"
            " secret_env: S}]",
            "repeated: a",
        ),
        ("feeds: [", "not valid YAML"),
    ],
)
def test_mistakes_are_named(text, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        parse_feeds(text)


def test_secret_comes_from_named_variable():
    (feed,) = parse_feeds("feeds: [{name: p, agency: x, connector: push, secret_env: PUSH_KEY}]")
    assert feed.secret({"PUSH_KEY": "k"}) == "k"
    with pytest.raises(InvalidInput, match="PUSH_KEY is not set"):
        feed.secret({})
