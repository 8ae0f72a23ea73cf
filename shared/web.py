"""/metrics and /healthz for the processes that do not run on Faust's web server (publish, ingest)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

__all__ = ["health_app", "serve"]


def health_app(stage: str, healthy: Callable[[], bool]) -> web.Application:
    """An aiohttp app answering GET /metrics (Prometheus text) and GET /healthz (200 ok or 503)."""

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(request: web.Request) -> web.Response:
        ok = healthy()
        return web.json_response({"status": "ok" if ok else "unavailable", "stage": stage}, status=200 if ok else 503)

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving `app`; the caller cleans the returned runner up."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
