import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.ingest.feeds import FeedConfig
from services.ingest.ports import FeedStats
from services.ingest.push import SIGNATURE_HEADER, PushFeed, add_push_routes, sign
from tests.unit.ingest.helpers import Recorder

SECRET = b"s3cret"


@pytest.fixture
async def push_client():
    rec = Recorder()
    feed = FeedConfig(name="partner", agency="partner", connector="push", secret_env="PUSH_SECRET")
    app = web.Application()
    add_push_routes(app, {"partner": PushFeed(feed, SECRET, FeedStats("partner"))}, rec.publish, max_bytes=1024)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client, rec
    await client.close()


async def test_signed_body_is_published(push_client):
    client, rec = push_client
    body = b"<rss version='2.0'/>"
    response = await client.post("/push/partner", data=body, headers={SIGNATURE_HEADER: sign(body, SECRET)})
    assert response.status == 202
    assert (await response.json())["raw_id"] == rec.envelopes[0].raw_id
    assert rec.envelopes[0].payload == body


@pytest.mark.parametrize("signature", [None, "sha256=00", sign(b"other", SECRET)])
async def test_bad_signature_is_401_and_nothing_published(push_client, signature):
    client, rec = push_client
    headers = {SIGNATURE_HEADER: signature} if signature else {}
    response = await client.post("/push/partner", data=b"body", headers=headers)
    assert response.status == 401
    assert "reason" in await response.json()
    assert rec.envelopes == []


async def test_oversize_is_413(push_client):
    client, rec = push_client
    body = b"x" * 2048
    response = await client.post("/push/partner", data=body, headers={SIGNATURE_HEADER: sign(body, SECRET)})
    assert response.status == 413
    assert rec.envelopes == []


async def test_unknown_feed_is_404(push_client):
    client, _ = push_client
    response = await client.post("/push/nobody", data=b"x")
    assert response.status == 404


async def test_failed_publish_is_503(push_client):
    client, rec = push_client
    rec.fail_after = 0
    response = await client.post("/push/partner", data=b"x", headers={SIGNATURE_HEADER: sign(b"x", SECRET)})
    assert response.status == 503
