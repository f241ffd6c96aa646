"""Links in mail and texts: PUBLIC_BASE_URL, required in production; in development the
request's host, or localhost:PORT when there is no request."""

import re

from django.core import mail
from django.test import RequestFactory

from accounts.emails import send_notice
from portal.links import absolute_url
from tests.portal.test_production_settings import run


def test_production_without_public_base_url_fails_the_deploy_check_clearly():
    result = run(["manage.py", "check", "--deploy"], {"PUBLIC_BASE_URL": ""})

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "twofactor.E015" in output
    assert "PUBLIC_BASE_URL is not set to the portal's external address" in output
    assert "every link in emails and texts would be dead" in output


def test_production_with_a_malformed_public_base_url_fails_the_deploy_check():
    result = run(["manage.py", "check", "--deploy"], {"PUBLIC_BASE_URL": "portal.example"})

    assert result.returncode != 0
    assert "twofactor.E015" in result.stdout + result.stderr


LINK_WITHOUT_REQUEST = ["-c", "import django; django.setup(); "
                        "from portal.links import absolute_url; print(absolute_url('/login/'))"]


def test_development_links_without_a_request_use_localhost_and_port():
    development = {"DEBUG": "1", "PUBLIC_BASE_URL": "", "SECRET_KEY": "", "ALLOWED_HOSTS": ""}

    assert run(LINK_WITHOUT_REQUEST, development).stdout.strip() == "http://localhost:8000/login/"
    assert run(LINK_WITHOUT_REQUEST, {**development, "PORT": "8123"}).stdout.strip() == (
        "http://localhost:8123/login/"
    )


def test_every_link_starts_with_public_base_url_when_it_is_set(settings):
    settings.PUBLIC_BASE_URL = "https://portal.example/partners"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")

    assert absolute_url("/login/", request) == "https://portal.example/partners/login/"
    assert absolute_url("/login/") == "https://portal.example/partners/login/"


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_an_email_sent_during_a_request_links_to_the_requests_host(client, demo_world, settings):
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]

    client.post("/password/forgot/", {"email": "tech@acme.example"},
                headers={"host": "localhost:8765"})

    [message] = mail.outbox
    assert links_in(message) and all(
        link.startswith("http://localhost:8765/") for link in links_in(message)
    ), message.body


def test_an_email_sent_without_a_request_links_to_localhost_and_port(demo_world, settings):
    settings.PUBLIC_BASE_URL = ""
    settings.PORT = 8123

    send_notice(demo_world["tech@acme.example"], "second_factor_reset", "reset")

    [message] = mail.outbox
    assert links_in(message) == ["http://localhost:8123/login/"], message.body


def test_an_email_in_production_links_to_public_base_url(client, demo_world, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example"

    client.post("/password/forgot/", {"email": "tech@acme.example"})

    [message] = mail.outbox
    assert links_in(message) and all(
        link.startswith("https://portal.example/email/password-reset/")
        for link in links_in(message)
    ), message.body
