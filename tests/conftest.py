"""Fixtures shared by every test: the demo world and a clean cache."""

import pytest
from django.core.cache import cache

from accounts import demo
from accounts.models import User

PASSWORD = demo.DEFAULT_PASSWORD


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _clean_cache(request, settings):
    """Rate-limit counters live in the cache: every test that can reach it starts with none."""
    uses_db = DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    )
    if uses_db or "REDIS" in settings.CACHES["default"]["BACKEND"].upper():
        if uses_db:
            request.getfixturevalue("_django_db_helper")
        cache.clear()


@pytest.fixture
def demo_world(db):
    demo.seed(PASSWORD)
    return {user.email: user for user in User.objects.select_related("firm", "client")}


@pytest.fixture
def acme_admin(demo_world) -> User:
    return demo_world["admin@acme.example"]


@pytest.fixture
def globex_admin(demo_world) -> User:
    return demo_world["admin@globex.example"]


@pytest.fixture
def globex_tech(demo_world) -> User:
    return demo_world["tech@globex.example"]
