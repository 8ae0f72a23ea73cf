"""What the aiokafka producers wiredesk builds share (ingest, the exactly-once runner)."""

from __future__ import annotations

__all__ = ["MAX_BATCH_BYTES"]

MAX_BATCH_BYTES = 512 * 1024
"""Bytes per partition batch. aiokafka's 16 KB default holds a handful of wire items or ninjs documents,
and a partition's next batch waits for the previous one's acknowledgement, so a backlog cost one broker
round trip per few records. Half a MiB stays under the broker's 1 MB record-batch limit."""
