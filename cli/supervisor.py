"""Run the pipeline's services as child processes: for `wiredesk run` (make run), tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["SIMULATOR_PORT", "STAGES", "ServiceProcess", "Supervisor"]

# Stage name -> default port of its /metrics and /healthz, in pipeline order.
STAGES: dict[str, int] = {
    "ingest": 9100,
    "parse": 9101,
    "dedup": 9102,
    "enrich": 9103,
    "merge": 9104,
    "publish": 9105,
}
SIMULATOR_PORT = 8900


@dataclass
class ServiceProcess:
    """One running service: its process, its web port, and the file its JSON logs go to."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the service's /metrics and /healthz."""
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Supervisor:
    """Starts services as `python -m services.<name>` with a shared environment, and stops them."""

    env: Mapping[str, str]
    log_dir: Path
    namespace: str = ""
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def start(
        self, name: str, port: int, args: Sequence[str] = (), extra_env: Mapping[str, str] | None = None
    ) -> ServiceProcess:
        """Start service `name` with its web port `port`; its logs go to `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        env = {**os.environ, **self.env, "WIREDESK_WEB_PORT": str(port), **(extra_env or {})}
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        service = ServiceProcess(name, port, process, log_path)
        self.services[name] = service
        return service

    def wait_healthy(self, names: Sequence[str] | None = None, timeout: float = 60.0) -> None:
        """Wait until every named service answers /healthz with 200; RuntimeError naming the laggards."""
        pending = set(names or self.services)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                service = self.services[name]
                if service.process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {service.process.returncode}; see {service.log_path}")
                try:
                    if httpx.get(f"{service.url}/healthz", timeout=1.0).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"not healthy after {timeout:.0f}s: {', '.join(sorted(pending))}")

    def kill(self, name: str) -> None:
        """SIGKILL service `name`, as a crash would."""
        service = self.services.pop(name)
        service.process.kill()
        service.process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop every service with SIGTERM (SIGKILL after `timeout`), newest first."""
        for service in reversed(list(self.services.values())):
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in self.services.values():
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        self.services.clear()
