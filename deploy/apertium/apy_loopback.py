"""Run Debian's Apertium APy bound to 127.0.0.1 only: `python3 apy_loopback.py PAIRS_DIR -p PORT`.

APy has no bind-address option and listens on every interface; a translation engine holding unpublished
copy must not be reachable from the network, so this launcher pins tornado's bind address before
handing over to APy's own `main()` (same arguments). Run it with the system Python that Debian's
`apertium-apy` package installs into, not the project's virtualenv.
"""

import sys
from typing import Any

import tornado.tcpserver
from apertium_apy import apy

LOOPBACK = "127.0.0.1"
_bind = tornado.tcpserver.TCPServer.bind


def _loopback_bind(
    self: tornado.tcpserver.TCPServer, port: int, address: Any = None, *args: Any, **kwargs: Any
) -> None:
    _bind(self, port, LOOPBACK, *args, **kwargs)


tornado.tcpserver.TCPServer.bind = _loopback_bind  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(apy.main())
