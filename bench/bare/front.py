"""The bare project behind make serve's front (portal.threaded_wsgi), as the portal's
portal.asgi: Django's WSGI handler in a pool of threads, one hop per request."""

import os

from bench.bare.wsgi import application as django_application
from portal.threaded_wsgi import ThreadedWsgi

application = ThreadedWsgi(django_application, int(os.environ.get("GUNICORN_THREADS", "8")))
