"""Branded error pages: the site's header, the message, a way on; the 500 page renders with
the database unreachable and runs no query; a CSRF failure at sign-in says why."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.signing_in import sign_in

pytestmark = pytest.mark.urls("tests.portal.error_urls")


def test_the_500_page_renders_with_the_database_unreachable():
    # No db fixture: pytest-django refuses every database access in this test, so any
    # query (in the page, a context processor or a middleware) would break the page.
    response = Client(raise_request_exception=False).get("/test-errors/500/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "css/portal.css" in page and "Partner Portal" in page
    assert 'href="/login/"' in page


def test_the_500_template_runs_no_query(db):
    with CaptureQueriesContext(connection) as queries:
        render_to_string("500.html")

    assert len(queries) == 0


def test_a_403_keeps_its_own_message_in_the_branded_page(db):
    response = Client().get("/test-errors/403/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "Only your firm&#x27;s admins open this page." in page
    assert 'class="site-header"' in page and "Sign in" in page


def test_the_404_page_is_branded_with_a_way_on(db):
    response = Client().get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and 'class="site-header"' in page
    assert 'href="/login/"' in page


def test_a_400_is_branded(db):
    response = Client().get("/test-errors/400/")

    assert response.status_code == 400
    assert "Something in that request was wrong" in response.content.decode()


def test_a_csrf_failure_on_the_login_page_sends_the_person_back_to_sign_in_saying_why(
    demo_world,
):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")

    response = browser.post("/login/", {"email": "tech@acme.example", "password": "x"},
                            follow=True)

    assert response.redirect_chain[-1][0] == "/login/?form=expired"
    assert "Your sign-in form had expired" in response.content.decode()


def test_a_csrf_failure_elsewhere_is_the_branded_form_expired_page(demo_world):
    browser = sign_in(Client(enforce_csrf_checks=True), "tech@acme.example")

    response = browser.post("/security/sign-out-others/")

    assert response.status_code == 403
    assert "This form expired" in response.content.decode()
    assert "Reload the page" in response.content.decode()
