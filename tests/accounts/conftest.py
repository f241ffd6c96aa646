"""Fixtures for the Admin pages: a signed-in admin whose password is freshly confirmed."""

import time

import pytest

from accounts import reauth
from tests.conftest import PASSWORD


def sign_in(client, email: str, *, fresh_password: bool = True):
    response = client.post("/login/", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, "the demo person could not sign in"
    if fresh_password:
        session = client.session
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
