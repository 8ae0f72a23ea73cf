"""What every wiredesk stage shares: models, settings, errors, topics, Kafka helpers and metrics.

`shared` imports no stage. Stages meet only through Kafka topics and this package.
"""

__all__: list[str] = []
