"""Errors at the top of a form: a GOV.UK-style summary links to each field in error (each
error said once, in words of its own, beside its field); a form-wide error alone stays one
alert."""

import re

import pytest
from django.test import Client

from accounts.forms import GENERIC_LOGIN_ERROR

pytestmark = pytest.mark.django_db


def summary(html: str) -> str | None:
    found = re.search(r'<div class="alert error error-summary" role="alert".*?</div>', html, re.S)
    return found.group(0) if found else None


def test_an_empty_login_form_names_each_missing_field_once(demo_world):
    html = Client().post("/login/", {"email": "", "password": ""}).content.decode()
    box = summary(html)
    assert box and "There is a problem" in box
    assert '<a href="#id_email">Email</a>' in box and '<a href="#id_password">Password</a>' in box
    assert html.count("Enter your email address.") == 1  # beside the field, said once
    assert html.count("Enter your password.") == 1
    assert "This field is required." not in html
    assert html.count('role="alert"') - html.count('role="alert" id="passkey-error"') == 1


def test_a_wrong_password_is_one_alert_without_a_summary(demo_world):
    html = Client().post("/login/", {"email": "tech@acme.example",
                                     "password": "wrong"}).content.decode()
    assert summary(html) is None
    assert GENERIC_LOGIN_ERROR in html
