"""Fixtures shared by every test: the demo world, a clean cache and outbox, the clock, a
pending sign-in, signed-in admins, the fake provider, and providers wired to the loopback
emulators."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from manage import demo
from tests.caches import clear_own_keys
from tests.commits import run_on_commit_work_as_if_committed
from tests.emulators.fixtures import authy_emulator, twilio_emulator  # noqa: F401
from tests.fakes import FakeProvider
from tests.parallel import pytest_xdist_make_scheduler  # noqa: F401
from tests.twofactor.providers.fixtures import (  # noqa: F401
    authy,
    authy_settings,
    person,
    twilio,
    twilio_settings,
)
from twofactor.providers import get_provider
from twofactor.sms import locmem

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
        clear_own_keys()


@pytest.fixture(autouse=True)
def _on_commit_work_runs(monkeypatch):
    """Emails and news to waiting browsers go after the commit: under ``db`` too."""
    run_on_commit_work_as_if_committed(monkeypatch)


@pytest.fixture
def fake_provider(settings):
    """The in-memory fake provider (tests/fakes.py) as the configured one, fresh for this
    test. Ask for it before fixtures that sign in, so the phone is registered with it."""
    FakeProvider.reset()
    settings.TWOFACTOR_PROVIDER = "fake"
    yield get_provider("fake")
    FakeProvider.reset()


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


@pytest.fixture(autouse=True)
def sms_outbox():
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def pending(client, demo_world):
    """A client whose password step is done for Acme's tech (2FA on): a pending attempt."""
    from tests.signing_in import enter_password

    response = enter_password(client)
    assert response["Location"] == "/login/verify/"
    return client


@pytest.fixture
def time_travel(monkeypatch):
    """Move the portal's clock forward: ``time_travel(seconds)``."""
    offset = timedelta()
    real_now = timezone.now

    def now():
        return real_now() + offset

    def travel(seconds: float) -> None:
        nonlocal offset
        offset += timedelta(seconds=seconds)

    monkeypatch.setattr(timezone, "now", now)
    return travel


@pytest.fixture
def globex(client, demo_world):
    """Globex MSP's admin, signed in, password confirmed a moment ago."""
    from tests.signing_in import sign_in

    return sign_in(client, "admin@globex.example")


@pytest.fixture
def acme(client, demo_world):
    """Acme IT's admin, signed in, password confirmed a moment ago."""
    from tests.signing_in import sign_in

    return sign_in(client, "admin@acme.example")
