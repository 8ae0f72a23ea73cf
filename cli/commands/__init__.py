"""One module per `wiredesk` command group; `cli.main` lists them."""

__all__: list[str] = []
