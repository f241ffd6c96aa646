"""A store that is down: the sign-in limits fail closed with a clear 503 and ``Retry-After``
(JSON for a script), a database error is a 503 rendered without the database, a refund
the cache cannot take does not stop a right password, and a bug is still a 500."""

import pytest
from django.db import OperationalError
from django.test import Client

from accounts.forms import LoginForm
from portal import limits
from portal.outage import MESSAGE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.urls("tests.portal.error_urls")

NO_ONE_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: refused at once
PLAIN = "tech@globex.example"  # Globex asks no second factor: a right password signs in


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {
        "BACKEND": "portal.cache.RedisCache", "LOCATION": NO_ONE_LISTENS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}


def log_in(client, password=PASSWORD, **headers):
    return client.post("/login/", {"email": PLAIN, "password": password}, **headers)


def test_with_the_counters_down_a_right_password_is_refused_for_a_minute_not_let_through(
    demo_world, redis_down
):
    client = Client(raise_request_exception=False)

    response = log_in(client)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Sign-in is briefly unavailable, try again in a minute" in response.content.decode()
    assert "_auth_user_id" not in client.session  # failed closed: the limit was not skipped


def test_with_the_counters_down_wrong_passwords_get_the_same_503_not_a_500(
    demo_world, redis_down
):
    client = Client(raise_request_exception=False)

    statuses = {log_in(client, f"guess-{n}").status_code for n in range(3)}

    assert statuses == {503}


def test_a_script_asking_for_json_gets_json_503(demo_world, redis_down):
    client = Client(raise_request_exception=False)

    response = log_in(client, HTTP_ACCEPT="application/json")

    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json() == {"error": MESSAGE}


def test_a_refund_the_cache_cannot_take_does_not_stop_a_right_password(
    client, demo_world, monkeypatch
):
    def cache_gone(key):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(limits, "_uncount", cache_gone)

    response = log_in(client)

    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_database_unreachable_answers_503_rendered_without_it():
    # No db fixture: pytest-django refuses every query here, so the page must need none.
    response = Client(raise_request_exception=False).get("/test-errors/database-down/")

    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Sign-in is briefly unavailable, try again in a minute" in page
    assert "css/portal.css" in page and 'href="/login/"' in page


def test_a_bug_is_still_a_500():
    response = Client(raise_request_exception=False).get("/test-errors/500/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_password_tries_the_database_could_not_check_count_as_no_wrong_password(
    client, demo_world, monkeypatch
):
    real_clean = LoginForm.clean

    def database_down(form):
        raise OperationalError("connection refused")

    monkeypatch.setattr(LoginForm, "clean", database_down)
    outage = Client(raise_request_exception=False)
    assert {log_in(outage).status_code for _ in range(11)} == {503}
    monkeypatch.setattr(LoginForm, "clean", real_clean)

    response = log_in(client)

    assert response.status_code == 302 and "_auth_user_id" in client.session
