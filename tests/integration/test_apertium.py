"""Spanish copy translated for real by Debian's Apertium APy, started on loopback by the project's launcher.

`make install` puts `apertium`, `apertium-eng-spa` and `apertium-apy` on the machine; under `make test`
and CI a missing engine fails the run, a bare pytest elsewhere skips and says why.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.enrich.config import EnrichSettings
from services.enrich.translate import translation_service
from shared.kafka.broker import free_port
from shared.models import Story
from shared.settings import PROJECT_ROOT
from tests.integration.conftest import assert_loopback_only

LAUNCHER = PROJECT_ROOT / "deploy" / "apertium" / "apy_loopback.py"
MODES = Path("/usr/share/apertium/modes")
SYSTEM_PYTHON = "/usr/bin/python3"

SPANISH = Story(
    id="efe:es-1",
    agency="efe",
    agency_id="es-1",
    format="ninjs",
    language="es",
    headline="El Gobierno anuncia nuevas medidas económicas",
    body_text="El presidente del Gobierno anunció hoy un plan para el puerto.\n\nLos sindicatos piden diálogo.",
)


def _required() -> bool:
    return os.environ.get("WIREDESK_REQUIRE_BROKER") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def apy_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real APy serving spa-eng on 127.0.0.1."""
    if not (MODES / "spa-eng.mode").exists() or not Path(SYSTEM_PYTHON).exists():
        message = "Apertium spa-eng is not installed (make install adds apertium, apertium-eng-spa, apertium-apy)"
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    workdir = tmp_path_factory.mktemp("apy")
    with (workdir / "apy.log").open("wb") as log:
        process = subprocess.Popen(
            [SYSTEM_PYTHON, str(LAUNCHER), str(MODES), "-p", str(port)], cwd=workdir, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/listPairs", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"APy did not start: {(workdir / 'apy.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_spanish_story_translated_by_real_apertium(apy_url: str) -> None:
    settings = EnrichSettings(translation_routes="es-en=apertium", apertium_url=apy_url)
    service = translation_service(settings, cache={})
    assert service is not None
    translated = await service.translate_story(SPANISH, "es", "en")
    assert translated.translation_status == "done"
    english = translated.translations["en"]
    assert english.engine == "apertium" and english.machine is True
    assert english.headline is not None and "Government" in english.headline and "economic" in english.headline
    assert english.lede is not None and "president" in english.lede.lower() and "today" in english.lede
    assert english.body_text is not None and "unions" in english.body_text.lower()


def test_apy_listens_on_loopback_only(apy_url: str) -> None:
    assert_loopback_only(int(apy_url.rsplit(":", 1)[1]))
