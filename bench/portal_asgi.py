"""The portal as ``make serve`` served it before issue 20, kept to measure against: Django's
ASGI handler (a thread hop per sync middleware and view) with the held poll in front."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_ASGI", "1")  # settings: a connection pool, not persistent ones
django_application = get_asgi_application()

from twofactor.methods.push.asgi import with_long_poll  # noqa: E402 (after Django's setup)

application = with_long_poll(django_application)
