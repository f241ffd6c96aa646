"""The password step: one generic error, the hasher on every path, safe redirects."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD

LOGIN = "/login/"


def post_login(client, email, password, follow=False, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra}, follow=follow)


@pytest.fixture
def inactive_tech(demo_world):
    user = demo_world["tech@globex.example"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    return user


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@globex.example", PASSWORD),  # unknown email
        ("tech@globex.example", "wrong-password"),  # wrong password
        ("tech@globex.example", PASSWORD),  # right password, inactive account
    ],
    ids=["unknown-email", "wrong-password", "inactive-account"],
)
def test_every_refusal_looks_the_same_and_runs_the_hasher(client, inactive_tech, email, password):
    original = MD5PasswordHasher.encode
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=original
    ) as hasher:
        response = post_login(client, email, password)

    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert hasher.call_count >= 1
    assert "_auth_user_id" not in client.session


def test_an_invited_person_who_has_no_password_yet_is_refused_after_the_hasher_ran(
    client, demo_world
):
    invited = User.objects.create_user("invited@globex.example", None, full_name="Ivy",
                                       firm=demo_world["tech@globex.example"].firm)
    assert not invited.has_usable_password()
    original = MD5PasswordHasher.encode
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=original
    ) as hasher:
        response = post_login(client, invited.email, PASSWORD)

    assert "do not match an active account" in response.content.decode()
    assert hasher.call_count >= 1


def test_the_three_refusals_render_the_same_page(client, inactive_tech):
    bodies = set()
    for email, password in [
        ("nobody@globex.example", PASSWORD),
        ("tech@globex.example", "wrong-password"),
        ("tech@globex.example", PASSWORD),
    ]:
        body = post_login(client, email, password).content.decode()
        bodies.add(body.replace(email, "EMAIL").split('name="csrfmiddlewaretoken"')[0])
    assert len(bodies) == 1


def test_a_globex_tech_signs_in_and_lands_on_the_dashboard(client, demo_world):
    response = post_login(client, "TECH@globex.example ", PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Globex MSP" in response.content.decode()


def test_an_end_user_lands_on_their_client_site_page(client, demo_world):
    response = post_login(client, "user@fabrikam.example", PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("client_home")
    assert "Fabrikam Law" in response.content.decode()


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example", "https://evil.example/x", "javascript:alert(1)"],
)
def test_next_to_another_host_is_dropped(client, demo_world, target):
    response = post_login(client, "tech@globex.example", PASSWORD, next=target)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", ["home", "x", "-1", "logout", "evil.example"])
def test_next_that_is_not_a_path_is_dropped_not_a_500(client, demo_world, target):
    response = post_login(client, "tech@globex.example", PASSWORD, next=target)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(LOGIN, {"next": target})["Location"] == reverse("home")


def test_next_on_this_host_is_honoured(client, demo_world):
    response = post_login(client, "tech@globex.example", PASSWORD, next="/security/")

    assert response["Location"] == "/security/"


def test_logout_needs_a_post(client, demo_world):
    post_login(client, "tech@globex.example", PASSWORD)

    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    client.post("/logout/")
    assert "_auth_user_id" not in client.session


def test_django_admin_site_is_not_a_second_way_in(client, demo_world):
    post_login(client, "admin@globex.example", PASSWORD)

    assert client.get("/admin/").status_code == 404


@pytest.mark.parametrize("forwarded", ["not-an-address", "1.2.3.4\x00", "x" * 300, "::g"])
def test_a_forged_forwarded_address_is_not_used_and_is_not_a_500(
    client, demo_world, settings, forwarded
):
    """Behind a proxy the address comes from X-Forwarded-For; sent straight to the portal,
    a client's own header must neither break the audit row (PostgreSQL's inet) nor count."""
    settings.TRUSTED_PROXY_COUNT = 1
    client.raise_request_exception = False
    response = client.post(LOGIN, {"email": "tech@globex.example", "password": "wrong"},
                           HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert AuditEvent.objects.get(tag="account:login:password_refused").ip_address is None


def test_a_proxys_forwarded_address_is_recorded(client, demo_world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(LOGIN, {"email": "tech@globex.example", "password": "wrong"},
                HTTP_X_FORWARDED_FOR="9.9.9.9, 8.8.4.4")

    assert AuditEvent.objects.get(tag="account:login:password_refused").ip_address == "8.8.4.4"
