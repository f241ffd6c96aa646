"""ASGI entry point: gunicorn with uvicorn's workers serves it (make serve).

The push status's long poll is answered in front of Django (``twofactor.methods.push.asgi``),
waiting on the event loop: a browser waiting for its phone costs an open socket, no thread.
Every other view is Django's usual sync code, which Django runs in threads.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_ASGI", "1")  # settings: a connection pool, not persistent ones
django_application = get_asgi_application()

from twofactor.methods.push.asgi import with_long_poll  # noqa: E402 (after Django's setup)

application = with_long_poll(django_application)
