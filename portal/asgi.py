"""The application ``make serve`` runs (gunicorn with ``portal.worker``'s uvicorn workers).

The push status's held poll is answered on the event loop, in front of Django
(``twofactor.methods.push.asgi``): a browser waiting for its phone costs an open socket, no
thread. Every other request goes through Django's WSGI handler (``portal.wsgi``) in a bounded
pool of threads, one hop per request (``portal.threaded_wsgi``): the pages cost what they
cost on gunicorn's gthread workers, not the thread hop per middleware of Django's ASGI
handler. Database connections are Django's usual per-thread ones.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connections

from portal.threaded_wsgi import ThreadedWsgi
from portal.wsgi import application as django_application  # sets Django up: keep it first
from twofactor.methods.push.asgi import with_long_poll


def build(threads: int) -> tuple[Callable, ThreadedWsgi]:
    """The application and its thread pool, whose threads close their database connections
    when it closes (at the worker's lifespan shutdown; tests build their own and close it)."""
    pages = ThreadedWsgi(django_application, threads, thread_exit=connections.close_all)
    return with_long_poll(pages), pages


application, _pages = build(settings.WSGI_THREADS)
