"""The thin shell every stage shares: a Faust app with /metrics and /healthz, typed outputs and dead-letters.

A stage's `app.py` builds a `Stage`, declares its tables, and gives `Stage.process` a handler: raw Kafka
value in, `Output`s out. `Stage` does the rest the same way for every stage: decoding failures and
`InvalidInput` go to the stage's dead-letter topic with the original bytes and a reason; an unexpected
exception is logged with its traceback and dead-lettered too, so no message can stop a stage; counters and
a processing-time histogram are kept per stage. Only stage apps import this module (it imports faust).
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from typing import Any, cast

import faust
from faust import web
from faust.exceptions import PartitionsMismatch
from faust.sensors.monitor import Monitor
from faust.transport.consumer import Consumer
from faust.types import TP
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from shared.errors import FatalError, InvalidInput
from shared.logs import logging_config
from shared.metrics import StageMetrics
from shared.records import Incoming, Output, dead_letter_record
from shared.serde import encode
from shared.settings import ServiceSettings
from shared.topics import changelog_topic, deadletter_topic, spec

__all__ = ["Incoming", "Output", "Stage", "run_worker"]

log = logging.getLogger("wiredesk.runtime")


Handler = Callable[[Incoming], Awaitable[Sequence[Output]]]

# The exit status of a worker that stops for its supervisor to start it again (sysexits' EX_TEMPFAIL).
EXIT_FOR_RESTART = 75


class Stage:
    """A wiredesk stage process: its Faust app, its topics, its metrics and its dead-letter topic."""

    def __init__(
        self,
        name: str,
        *,
        source: str,
        default_port: int,
        settings: ServiceSettings | None = None,
        stateful: bool = False,
    ) -> None:
        self.name = name
        self.settings = settings or ServiceSettings()
        (self.settings.state_dir / name).mkdir(parents=True, exist_ok=True)
        self.app = faust.App(
            f"{self.settings.namespace}wiredesk-{name}",
            broker=f"kafka://{self.settings.bootstrap}",
            key_serializer="raw",
            value_serializer="raw",
            store="rocksdb://" if stateful else "memory://",
            datadir=str(self.settings.state_dir / name),
            web_host=self.settings.web_host,
            web_bind=self.settings.web_host,
            web_port=self.settings.web_port or default_port,
            web_enabled=True,
            # Tables are co-partitioned with the source topic, so their changelogs need its partition count.
            topic_partitions=self._partitions(source),
            topic_replication_factor=1,
            topic_disable_leader=True,
            consumer_auto_offset_reset="earliest",
            producer_acks=-1,
            producer_linger=self.settings.producer_linger_ms / 1000,
            broker_session_timeout=self.settings.session_timeout_seconds,
            broker_heartbeat_interval=min(3.0, self.settings.session_timeout_seconds / 4),
            logging_config=logging_config(name, self.settings.log_level),
        )
        self.source = self.topic(source)
        self.metrics = StageMetrics(name)
        self._chores: list[_Chore] = []
        monitor = ConsumerMonitor()
        self.app.monitor = monitor
        REGISTRY.register(ConsumerCollector(name, monitor))
        self._add_web_pages()

        async def rewind(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
            self.metrics.positions.forget()
            await self._rewind_uncommitted()

        self.app.on_rebalance_complete.connect(rewind)

    def topic(self, name: str) -> faust.TopicT:
        """The Faust topic of catalogue entry `name`, carrying raw bytes."""
        qualified = self.settings.namespace + name
        return self.app.topic(qualified, key_type=bytes, value_type=bytes, partitions=self._partitions(name))

    def _partitions(self, name: str) -> int:
        return self.settings.topic_partitions or spec(name).partitions

    def table(self, name: str, *, on_recover: Callable[[], object] | None = None) -> MutableMapping[str, Any]:
        """A RocksDB-backed table `<stage>-<name>` of str keys and JSON values, with a changelog topic.

        It is a MutableMapping the stage's core can use like a dict, but writable only while a message is
        processed (Faust sends each write to the changelog partition of the current message). Its contents
        are also kept decoded in memory, reloaded after every recovery: the cores read their state many
        times per message (merge reads up to a few dozen events), and decoding it from RocksDB on every read
        cost more than the decision itself. Memory grows with the table. `on_recover` runs once the table
        is recovered after each rebalance, before messages flow: the place to rebuild in-memory indexes
        derived from it.
        """
        schema: faust.Schema[str, Any] = faust.Schema(
            key_type=str, value_type=None, key_serializer="json", value_serializer="json"
        )
        table = self.app.Table(f"{self.name}-{name}", schema=schema)
        # `topics apply` creates the changelog before the worker starts (schemas/topics.yaml says why),
        # under the name Faust will use: a Faust upgrade that renamed it must stop the stage here.
        expected = self.settings.namespace + changelog_topic(self.name, name)
        if (actual := table.changelog_topic.get_topic_name()) != expected:
            raise FatalError(f"Faust names the changelog {actual}, not {expected}")
        mirrored = _Mirrored(table)

        async def recovered() -> None:
            started = time.perf_counter()
            mirrored.reload()
            if on_recover is not None:
                on_recover()
            # The recovered state and the indexes derived from it live as long as the worker: keep the
            # garbage collector from walking them again and again (new objects are still collected).
            gc.freeze()
            seconds = round(time.perf_counter() - started, 3)
            log.info("table recovered", extra={"table": name, "records": len(mirrored), "seconds": seconds})

        table.on_recover(recovered)
        return mirrored

    def every(self, seconds: float, chore: Callable[[], object]) -> None:
        """Run `chore` at most once per `seconds`, from inside message handling.

        Table maintenance (expiry, closing quiet events) must run there: Faust tables are writable only
        while a message of their partition is processed, so a timer could not write them.
        """
        self._chores.append(_Chore(seconds, chore))

    def process(self, handler: Handler, *, concurrency: int = 1) -> None:
        """Run `handler` on every record of the source topic, in order per partition."""

        async def agent(stream: faust.StreamT[bytes]) -> None:
            async for event in stream.events():
                message = event.message
                self.metrics.positions.saw(message.topic, message.partition, message.offset)
                incoming = Incoming(
                    value=event.value,
                    key=message.key,
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                )
                await self.handle(handler, incoming)

        agent.__name__ = f"{self.name}_agent"
        self.app.agent(self.source, name=f"wiredesk.{self.name}", concurrency=concurrency)(agent)

    async def handle(self, handler: Handler, incoming: Incoming) -> None:
        """Run one record through `handler`, sending its outputs or dead-lettering it."""
        started = time.perf_counter()
        try:
            outputs = await handler(incoming)
        except InvalidInput as exc:
            await self.dead_letter(incoming, exc.code, exc.reason, raw_id=exc.raw_id)
            return
        except PartitionsMismatch as exc:
            # Not the record's fault: the table's changelog is not (yet) in the consumer's metadata. Each
            # record after it would fail alike, and dead-lettering would drain the backlog into the
            # dead-letter topic; exiting leaves them uncommitted for the restarted worker.
            log.critical("table changelog unusable; exiting for a restart", extra={"reason": str(exc)})
            os._exit(EXIT_FOR_RESTART)
        except Exception as exc:  # a bug must not stop the stage: dead-letter it and say so loudly
            log.exception("unexpected error; message dead-lettered", extra={"offset": incoming.offset})
            await self.dead_letter(incoming, "internal_error", f"{type(exc).__name__}: {exc}")
            return
        finally:
            self.metrics.processing_seconds.observe(time.perf_counter() - started)
        for chore in self._chores:
            chore.run_if_due()
        for output in outputs:
            await self.send(output)
        self.metrics.processed.labels("ok" if outputs else "dropped").inc()

    async def send(self, output: Output) -> None:
        """Produce one output record (acknowledged before the source offset is committed)."""
        key, value = output.encoded()
        await self._produce(output.topic, key, value)
        self.metrics.sent.labels(output.topic).inc()
        if output.on_sent is not None:
            output.on_sent()

    async def dead_letter(self, incoming: Incoming, code: str, reason: str, raw_id: str | None = None) -> None:
        """Send `incoming` to this stage's dead-letter topic with its original bytes and `reason`."""
        record = dead_letter_record(self.name, incoming, code, reason, raw_id)
        await self._produce(deadletter_topic(self.name), incoming.key, encode(record))
        self.metrics.dead_lettered.labels(code).inc()
        self.metrics.processed.labels("deadletter").inc()
        log.warning("dead-lettered", extra={"code": code, "reason": reason, "offset": incoming.offset})

    async def _produce(self, name: str, key: bytes | None, value: bytes | None) -> None:
        # Straight to Faust's producer, under its Topic and Channel layers (codecs, sensors, a future per
        # record: 7 % of dedup's CPU in a py-spy profile): values are bytes already, and Faust flushes this
        # producer before it commits offsets all the same.
        topic = self.settings.namespace + name
        await self.app.producer.send(topic, key, value, partition=None, timestamp=None, headers=None)

    async def _rewind_uncommitted(self) -> None:
        """Read a source partition that has no committed offset from its beginning.

        While Faust recovers tables, the consumer may already have fetched ahead on the source partitions;
        Faust then seeks them to their committed offsets, which does nothing when there is none (a worker
        killed before its first commit). Without this seek the restarted worker would go on from where the
        prefetch stopped, and every message in between would be lost.
        """
        consumer = cast(Consumer, self.app.consumer)
        source = self.source.get_topic_name()
        partitions = {tp for tp in consumer.assignment() if tp.topic == source}
        if not partitions:
            return
        committed = await consumer.seek_to_committed()
        uncommitted = sorted(tp for tp in partitions if not committed.get(tp))
        if uncommitted:
            for tp, earliest in (await consumer.earliest_offsets(*uncommitted)).items():
                await consumer.seek(tp, earliest)
            log.info(
                "no committed offset; reading from the beginning",
                extra={"partitions": [tp.partition for tp in uncommitted]},
            )

    def _add_web_pages(self) -> None:
        app = self.app

        # Plain functions: Faust binds page handlers to its view, as (view, request).
        async def healthz(view: web.View, request: web.Request) -> web.Response:
            healthy = app.started and not app.should_stop and not app.crashed
            body = {"status": "ok" if healthy else "unavailable", "stage": self.name}
            return view.json(body, status=200 if healthy else 503)

        async def metrics(view: web.View, request: web.Request) -> web.Response:
            return view.bytes(generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

        app.page("/healthz")(healthz)
        app.page("/metrics")(metrics)


class ConsumerMonitor(Monitor):
    """Faust's monitor without its per-message bookkeeping.

    Faust's Monitor (and its Prometheus variant, which this replaces) updates a dozen counters, and
    Prometheus labels, for every message, event, send and table write: about a tenth of a stage's CPU in
    a py-spy profile of dedup. What is kept: the offsets behind the consumer-lag gauge, commits and
    rebalances (a few calls per second), and the time each partition's stream last took an event, which
    Faust's own "stream is not processing" warnings read.
    """

    def on_message_in(self, tp: TP, offset: int, message: Any) -> None:
        return None

    def on_stream_event_in(self, tp: TP, offset: int, stream: Any, event: Any) -> dict[str, Any] | None:
        self.stream_inbound_time[tp] = time.monotonic()
        return None

    def on_stream_event_out(self, tp: TP, offset: int, stream: Any, event: Any, state: Any = None) -> None:
        return None

    def on_message_out(self, tp: TP, offset: int, message: Any) -> None:
        return None

    def on_table_get(self, table: Any, key: Any) -> None:
        return None

    def on_table_set(self, table: Any, key: Any, value: Any) -> None:
        return None

    def on_table_del(self, table: Any, key: Any) -> None:
        return None

    def on_send_initiated(self, producer: Any, topic: str, message: Any, keysize: int, valsize: int) -> Any:
        return None

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        return None


class ConsumerCollector(Collector):
    """Per source partition: the end offset, the committed offset and the lag between them; rebalances.

    Read from the monitor when scraped, so nothing is paid per message.
    """

    def __init__(self, stage: str, monitor: Monitor) -> None:
        self.prefix = f"wiredesk_{stage}_consumer"
        self.monitor = monitor

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        labels = ["topic", "partition"]
        lag = GaugeMetricFamily(
            f"{self.prefix}_lag", "Records on the source partition not yet committed as processed.", labels=labels
        )
        end = GaugeMetricFamily(f"{self.prefix}_end_offset", "End offset of the source partition.", labels=labels)
        committed = GaugeMetricFamily(
            f"{self.prefix}_committed_offset", "Offset committed on the source partition.", labels=labels
        )
        ends = dict(self.monitor.tp_end_offsets)
        commits = dict(self.monitor.tp_committed_offsets)
        for tp, offset in ends.items():
            values = [tp.topic, str(tp.partition)]
            end.add_metric(values, offset)
            if tp in commits:
                committed.add_metric(values, commits[tp])
                lag.add_metric(values, max(0, offset - commits[tp]))
        yield lag
        yield end
        yield committed
        yield CounterMetricFamily(
            f"{self.prefix}_rebalances", "Consumer group rebalances this worker took part in.", self.monitor.rebalances
        )


class _Mirrored(MutableMapping[str, Any]):
    """A Faust table read from a decoded copy in memory; writes go to the table (and its changelog) too.

    Values are shared with the caller, so the cores never change a value in place: they write a new one.
    """

    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self._table = table
        self._memory: dict[str, Any] = {}

    def reload(self) -> None:
        self._memory = dict(self._table.items())

    def __getitem__(self, key: str) -> Any:
        return self._memory[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._table[key] = value
        self._memory[key] = value

    def __delitem__(self, key: str) -> None:
        del self._table[key]
        del self._memory[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._memory)

    def __len__(self) -> int:
        return len(self._memory)

    def __contains__(self, key: object) -> bool:
        return key in self._memory


class _Chore:
    def __init__(self, seconds: float, run: Callable[[], object]) -> None:
        self.seconds = seconds
        self.run = run
        self.last = time.monotonic()

    def run_if_due(self) -> None:
        if time.monotonic() - self.last >= self.seconds:
            self.last = time.monotonic()
            self.run()


def run_worker(stage: Stage) -> None:
    """Run the stage's Faust worker in this process until SIGTERM or Ctrl-C."""
    worker = faust.Worker(
        stage.app,
        loglevel=stage.settings.log_level,
        logging_config=logging_config(stage.name, stage.settings.log_level),
        redirect_stdouts=False,
    )
    worker.execute_from_commandline()
