import httpx
import orjson
from click.testing import CliRunner

from services.simulator.__main__ import main
from services.simulator.driver import Simulator
from services.simulator.server import SimState, build_app, start_server


def test_channels_filter_sends_only_those_items_and_the_same_ones():
    everything = Simulator(4).emit(400)
    only_ap = Simulator(4, channels=["ap_api"]).emit(30)
    assert {item.filer.channel for item in only_ap} == {"ap_api"}
    # The filter leaves the plan alone: the AP items are those an unfiltered run sends, in order.
    assert [item.payload for item in only_ap] == [i.payload for i in everything if i.filer.channel == "ap_api"][:30]


async def test_afp_search_pages_by_published_time_whatever_the_arrival_order():
    state = SimState()
    sim = Simulator(2, state=state, channels=["afp_api"])
    items = sim.emit(60)
    runner, base = await start_server(build_app(state))
    try:
        state.tokens.add("token")
        async with httpx.AsyncClient(headers={"Authorization": "Bearer token"}) as client:
            since, got = "", []
            for _ in range(20):
                answer = await client.post(
                    f"{base}/afp/v1/api/search", json={"dateRange": {"from": since}, "maxRows": 7}
                )
                docs = answer.json()["response"]["docs"]
                got += [doc for doc in docs if doc["published"] > since or not got]
                if len(docs) < 7:
                    break
                since = docs[-1]["published"]
    finally:
        await runner.cleanup()
    published = [doc["published"] for doc in got]
    assert published == sorted(published)
    assert {(d["uno"], d["version"]) for d in got} == {(i.item_id, i.version) for i in items}


def test_backlog_is_there_before_done(tmp_path):
    truth = tmp_path / "truth.jsonl"
    args = ["--port", "0", "--truth", str(truth), "--spool", str(tmp_path / "spool"), "--channels", "reuters_api"]
    result = CliRunner().invoke(main, [*args, "--backlog", "25", "--duration", "0"])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in truth.read_bytes().splitlines()]
    assert len(lines) == 25 and {line["channel"] for line in lines} == {"reuters_api"}
    assert not (tmp_path / "spool").exists() or not any((tmp_path / "spool").iterdir())


def test_unknown_channel_is_refused():
    result = CliRunner().invoke(main, ["--channels", "ap_api,telex"])
    assert result.exit_code == 2 and "telex" in result.output
