"""ASGI entry of the bare project (uvicorn workers, as the portal's portal.asgi)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare.settings")
os.environ.setdefault("PORTAL_ASGI", "1")  # the portal's database settings under ASGI: a pool
application = get_asgi_application()
