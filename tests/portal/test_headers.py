"""Every page, signed in or not, carries X-Frame-Options and the content security policy
(one middleware, portal.headers), and a deploy check notices if that middleware is gone."""

import pytest
from django.core.checks import run_checks
from django.test import Client

from portal.headers import MIDDLEWARE
from tests.signing_in import sign_in

POLICY = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    "object-src 'none'",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.parametrize("path", ["/login/", "/login/help/", "/no-such-page/"])
def test_pages_for_strangers_carry_the_frame_and_content_policies(client, db, path):
    response = client.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert directives(response) == POLICY


def test_signed_in_pages_carry_the_frame_and_content_policies(demo_world):
    admin = sign_in(Client(), "admin@acme.example")

    for path in ("/dashboard/", "/security/", "/manage/employees/"):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert response["X-Frame-Options"] == "DENY", path
        assert directives(response) == POLICY, path


def test_a_changed_policy_reaches_the_next_page(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    assert client.get("/login/")["Content-Security-Policy"] == "default-src 'none'"


def test_the_deploy_check_names_a_missing_headers_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]

    found = run_checks(include_deployment_checks=True, tags=["security"])

    assert "portal.W002" in {message.id for message in found}


def test_the_deploy_check_is_quiet_with_the_headers_middleware():
    found = run_checks(include_deployment_checks=True, tags=["security"])

    assert "portal.W002" not in {message.id for message in found}
