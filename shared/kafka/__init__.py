"""Kafka helpers every stage and the CLI share: the local broker, topic administration, tailing."""

__all__: list[str] = []
