"""The wiredesk stages. Each is its own package and process; stages never import each other."""

__all__: list[str] = []
