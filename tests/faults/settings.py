"""Settings of the fault tests' portal server: the benchmark's (production settings, texts
to files, limits for one loopback address raised), with static files named as they are, so
no collectstatic is needed before the server starts."""

from bench.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
