"""Fixtures for the Admin pages: a signed-in admin whose password is freshly confirmed."""

import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import reauth
from accounts.models import User
from tests.conftest import PASSWORD
from twofactor import devices


def another_admin(firm, email: str) -> User:
    """A second active admin of ``firm``."""
    return User.objects.create_user(
        email, PASSWORD, full_name="Second Admin", role=User.Role.ADMIN, firm=firm
    )


def sign_in(client, email: str, *, fresh_password: bool = True):
    """Sign ``client`` in as the demo person with ``email``, past the second factor.

    The second factor is marked done the way a completed challenge leaves the session
    (django-otp's device id), so these tests reach the Admin pages whatever the firm's
    setting; the sign-in itself is tested in tests/twofactor.
    """
    person = User.objects.get(email=email)
    client.force_login(person)
    session = client.session
    device = devices.phone_device(person) or (
        devices.register_phone(person) if person.phone else None
    )
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if fresh_password:
        session[reauth.SESSION_KEY] = int(time.time())
    session.save()
    return client


@pytest.fixture
def globex(client, demo_world):
    """Globex MSP's admin, signed in, password confirmed a moment ago."""
    return sign_in(client, "admin@globex.example")


@pytest.fixture
def acme(client, demo_world):
    """Acme IT's admin, signed in, password confirmed a moment ago."""
    return sign_in(client, "admin@acme.example")
