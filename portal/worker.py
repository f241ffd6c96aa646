"""The gunicorn worker of ``make serve``: uvicorn's, answering held polls as it stops.

``uvicorn_worker.UvicornWorker`` runs ``uvicorn.Server``, whose shutdown (on SIGTERM from
gunicorn's master, for a stop or a HUP reload, or after ``max_requests``) waits for every
request in flight before it ends. This subclass tells ``portal.shutdown`` first, so a held
push status poll is answered at once ("ask again") and the worker exits in about a second
instead of after the longest poll.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from gunicorn.arbiter import Arbiter
from uvicorn_worker import UvicornWorker

from portal import shutdown


class _Server(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        shutdown.begin()  # held polls answer now; uvicorn then waits for their replies
        await super().shutdown(sockets)


class PortalWorker(UvicornWorker):
    """uvicorn's gunicorn worker with ``_Server`` in place of ``uvicorn.Server``."""

    async def _serve(self) -> None:  # as UvicornWorker._serve, with _Server
        self.config.app = self.wsgi
        server = _Server(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
