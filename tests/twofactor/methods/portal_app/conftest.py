import pytest
from django.test import Client

from tests.signing_in import signed_in_by_text
from tests.twofactor.methods.portal_app.phone import Phone, link_secret

SET_UP = "/security/phone-app/"


@pytest.fixture
def desktop(client, demo_world, sms_outbox):
    """Acme's tech, signed in with a texted token a moment ago (fresh enough to add a
    factor)."""
    return signed_in_by_text(client, sms_outbox)


def paired_phone(desktop, name: str = "Work phone") -> Phone:
    """A phone paired and confirmed by ``desktop``'s person."""
    page = desktop.get(SET_UP)
    phone = Phone(Client(), name)
    assert phone.pair(link_secret(page.content.decode())).status_code == 201
    response = desktop.post(SET_UP, {"code": phone.code})
    assert response.status_code == 302, response.content.decode()[:2000]
    return phone


@pytest.fixture
def phone(desktop) -> Phone:
    return paired_phone(desktop)
