"""`python -m services.simulator --seed 1 --rate 5 --spool var/spool/incoming --port 8900 --truth t.jsonl`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from services.simulator.driver import Simulator
from services.simulator.plan import CHANNELS
from services.simulator.server import SimState, build_app, parse_faults, start_server


@click.command()
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--rate", type=float, default=5.0, show_default=True, help="Items per second.")
@click.option("--spool", type=click.Path(path_type=Path), default=Path("var/spool/incoming"), show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8900, show_default=True)
@click.option("--truth", type=click.Path(path_type=Path), default=Path("var/simulator/truth.jsonl"), show_default=True)
@click.option("--duration", type=float, default=None, help="Seconds to run; default until interrupted.")
@click.option("--faults", default="", help="e.g. slow=0.1,error=0.05,throttle=0.05,truncate=0.02")
@click.option("--linger", type=float, default=0.0, help="Seconds to keep serving after --duration (tests).")
@click.option("--backlog", type=int, default=0, show_default=True, help="Items already there at start (benchmarks).")
@click.option(
    "--channels",
    default=",".join(CHANNELS),
    show_default=True,
    help="Comma-separated channels to send; the others' items are planned but never sent.",
)
def main(
    seed: int,
    rate: float,
    spool: Path,
    host: str,
    port: int,
    truth: Path,
    duration: float | None,
    faults: str,
    linger: float,
    backlog: int,
    channels: str,
) -> None:
    """Play Reuters, AP, AFP and TASS on 127.0.0.1 and into a spool folder."""
    try:
        state = SimState(faults=parse_faults(faults, seed))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from exc
    chosen = [name.strip() for name in channels.split(",") if name.strip()]
    if unknown := sorted(set(chosen) - set(CHANNELS)):
        raise click.BadParameter(f"unknown {unknown}; known: {', '.join(CHANNELS)}", param_hint="--channels")

    async def serve() -> None:
        runner, base_url = await start_server(build_app(state, base_url=f"http://{host}:{port}"), host, port)
        simulator = Simulator(seed, state=state, spool=spool, truth=truth, base_url=base_url, channels=chosen)
        click.echo(f"simulator on {base_url}; spool {spool}; truth {truth}", err=True)
        try:
            simulator.emit(backlog)
            await simulator.run(rate, duration=duration)
            simulator.close()  # the ground truth is complete once every item is out
            click.echo("simulator: done, still serving", err=True)
            await asyncio.sleep(linger)
        finally:
            simulator.close()
            await runner.cleanup()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
