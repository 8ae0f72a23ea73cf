"""A real single-node Apache Kafka broker (KRaft), run from Maven Central jars with `java`.

The jars are fetched once with Maven (deploy/kafka/pom.xml) into `<kafka_home>/<version>/libs`.
A broker lives in a folder of its own (`server.properties`, `data/`, `broker.log`, `broker.json`),
listens on loopback only, and is stopped with SIGTERM (a controlled shutdown), SIGKILL after a grace period.
The same class serves `wiredesk kafka start|stop|status`, `make run` and the test suite's session fixture.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from shared.errors import FatalError
from shared.settings import PROJECT_ROOT

__all__ = ["BrokerInfo", "LocalBroker", "fetch_jars", "free_port"]

POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
LOG4J = PROJECT_ROOT / "deploy" / "kafka" / "log4j2.properties"
LOG4J_TOOLS = PROJECT_ROOT / "deploy" / "kafka" / "log4j2-tools.properties"
READY_LINE = "Kafka Server started"

# Small-machine settings. The dedupe buffer is allocated eagerly on the heap (128 MiB by default);
# replication factors of 1 let the internal topics (offsets, transactions) live on one node.
_SINGLE_NODE = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "5",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "5",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "true",
    "num.partitions": "1",
    "log.cleaner.dedupe.buffer.size": "2097152",
    "num.network.threads": "2",
    "num.io.threads": "2",
    "background.threads": "2",
    "num.recovery.threads.per.data.dir": "1",
    "log.initial.task.delay.ms": "100",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    found = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if not found:
        raise FatalError("java not found: install a JDK 17+ or set JAVA_HOME")
    return found


def fetch_jars(version: str, kafka_home: Path) -> Path:
    """The folder of the broker's jars for `version`, fetched with Maven when not cached yet."""
    libs = kafka_home / version / "libs"
    if (libs / f"kafka_2.13-{version}.jar").exists():
        return libs
    mvn = shutil.which("mvn")
    if not mvn:
        raise FatalError("mvn not found: Maven is needed once to fetch the Kafka jars")
    staging = kafka_home / version / "libs.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(POM),
        f"-Dkafka.version={version}",
        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FatalError(f"fetching Kafka {version} jars failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    # Rename only when complete, so an interrupted fetch is never mistaken for a cache.
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return libs


@dataclass(frozen=True)
class BrokerInfo:
    """A running broker, as recorded in its folder's broker.json."""

    pid: int
    port: int
    controller_port: int
    version: str
    cluster_id: str
    started_in_s: float

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients use."""
        return f"127.0.0.1:{self.port}"


class LocalBroker:
    """One single-node KRaft broker in `directory`."""

    def __init__(self, directory: Path, *, version: str, kafka_home: Path, heap: str = "512m") -> None:
        self.directory = directory.resolve()
        self.version = version
        self.kafka_home = kafka_home
        self.heap = heap

    @property
    def log_path(self) -> Path:
        """The broker's own log (stdout and stderr of the JVM)."""
        return self.directory / "broker.log"

    @property
    def _info_path(self) -> Path:
        return self.directory / "broker.json"

    def status(self) -> BrokerInfo | None:
        """The running broker, or None when none runs from this folder."""
        try:
            info = BrokerInfo(**json.loads(self._info_path.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if not _alive(info.pid) or not _port_open(info.port):
            return None
        return info

    def start(self, *, port: int = 0, timeout: float = 60.0) -> BrokerInfo:
        """Start the broker (formatting its storage the first time) and wait until it serves clients.

        An already running broker in the same folder is returned as it is. `port` 0 picks a free one.
        """
        running = self.status()
        if running:
            return running
        began = time.monotonic()
        libs = fetch_jars(self.version, self.kafka_home)
        self.directory.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        controller_port = free_port()
        cluster_id = self._cluster_id()
        properties = self._write_properties(port, controller_port)
        self._format(libs, properties, cluster_id)
        process = self._launch(libs, properties)
        self._wait_ready(process, timeout)
        info = BrokerInfo(
            pid=process.pid,
            port=port,
            controller_port=controller_port,
            version=self.version,
            cluster_id=cluster_id,
            started_in_s=round(time.monotonic() - began, 2),
        )
        self._info_path.write_text(json.dumps(info.__dict__))
        return info

    def stop(self, *, timeout: float = 30.0) -> bool:
        """Stop the broker with SIGTERM, SIGKILL after `timeout`; False when none was running."""
        try:
            pid = int(json.loads(self._info_path.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            return False
        if not _alive(pid):
            self._info_path.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self._info_path.unlink(missing_ok=True)
        return True

    def _cluster_id(self) -> str:
        # The id is kept with the data: a restarted broker must present the id its storage was formatted with.
        path = self.directory / "cluster.id"
        if path.exists():
            return path.read_text().strip()
        cluster_id = "-"
        # One id in 64 would start with "-", which the storage tool's argument parser reads as an option
        # (Kafka's own Uuid.randomUuid rejects those for the same reason).
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        path.write_text(cluster_id)
        return cluster_id

    def _write_properties(self, port: int, controller_port: int) -> Path:
        properties = dict(_SINGLE_NODE)
        properties.update(
            {
                "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
                "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
                "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
                "log.dirs": str(self.directory / "data"),
            }
        )
        path = self.directory / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        return path

    def _format(self, libs: Path, properties: Path, cluster_id: str) -> None:
        if (self.directory / "data" / "meta.properties").exists():
            return
        command = [
            _java(),
            "-Xmx128m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            f"-Dlog4j2.configurationFile={LOG4J_TOOLS}",
            "-cp",
            f"{libs}/*",
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(properties),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise FatalError(f"kafka storage format failed: {result.stdout}{result.stderr}")

    def _launch(self, libs: Path, properties: Path) -> subprocess.Popen[bytes]:
        command = [
            _java(),
            "-Xms128m",
            f"-Xmx{self.heap}",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-UsePerfData",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J}",
            f"-Dkafka.logs.dir={self.directory}",
            "-cp",
            f"{libs}/*",
            "kafka.Kafka",
            str(properties),
        ]
        log = self.log_path.open("ab")
        # A session of its own: the broker outlives the CLI that started it and ignores its Ctrl-C.
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise FatalError(f"Kafka exited with {process.returncode} during start; see {self.log_path}")
            with self.log_path.open("rb") as log:
                log.seek(max(0, offset - 4096))
                if READY_LINE.encode() in log.read():
                    return
            time.sleep(0.1)
        process.kill()
        raise FatalError(f"Kafka did not start within {timeout:.0f}s; see {self.log_path}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state != "Z"


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
