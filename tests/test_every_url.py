"""Every URL of the portal, attacked by a stranger, a person half-way through signing in,
and a signed-in admin: hostile input (arrays, NUL bytes, Unicode digits, very long strings,
odd query strings) gives a page or a 4xx, never a 500; and a GET changes nothing (every
change is a POST, which CSRF protects)."""

import re
import uuid

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import Client as Site
from accounts.models import User
from tests.conftest import PASSWORD
from tests.routes import every_pattern
from tests.signing_in import sign_in
from twofactor.recovery import phone_changes

HOSTILE_VALUES = [
    "\x00",
    "1\x002\x003",
    "tech@acme.example\x00",  # a NUL after something valid (PostgreSQL refuses NUL in text)
    "x@evil\x00.example",
    "١٢٣٤٥٦",  # Arabic-Indic digits
    "１２３４５６",  # full-width digits
    "../sms",
    "123456/ID#",
    "x" * 100_000,
    "𝟙𝟚𝟛",
    "-1",
    "99999999999999999999999999",
]
FIELDS = [
    "email", "password", "token", "code", "next", "action", "phone", "full_name", "name",
    "is_admin", "two_factor_required", "confirm_missing_phones", "version", "shown", "show",
    "person", "kind", "q", "cursor", "person_id", "two_factor", "request", "new_password1",
    "new_password2", "a[]",
]
QUERIES = ["?next=%00", "?cursor=%00", "?cursor=" + "9" * 40, "?person_id=1%00",
           "?two_factor=%F0%9D%9F%99", "?request=" + "x" * 5000, "?q=%00&kind=%00&show=x",
           "?page=-1&a[]=1&a[]=2"]


ROUTES = sorted(set(every_pattern()))


def fill(route: str, world: dict) -> str:
    """The route with ids of the signed-in admin's own firm, so forms are really reached."""
    values = {
        "client_pk": world["site"], "person_id": world["tech"], "user_id": world["tech"],
        "handset_id": 1, "uidb64": "MQ", "token": "set-password", "answer": "deny",
        "browser_id": 1, "method": "push",
        "action": "reset", "approval_id": uuid.uuid4(), "factor_id": "YF" + "0" * 32,
        "request_id": world.get("request_id", uuid.uuid4()),
    }
    pk = world["site"] if route.startswith("manage/clients/<int:pk>") else world["tech"]
    if "users/<int:pk>" in route:
        pk = world["end_user"]
    values["pk"] = pk
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


@pytest.fixture
def world(demo_world):
    site = Site.objects.get(name="Contoso Dental")
    return {
        "site": site.pk,
        "tech": demo_world["tech@acme.example"].pk,
        "end_user": User.objects.get(email="user@contoso.example").pk,
    }


def stranger() -> Client:
    return Client(raise_request_exception=False)


def half_signed_in() -> Client:
    client = stranger()
    client.post("/login/", {"email": "tech@acme.example", "password": PASSWORD})
    return client


def acme_admin() -> Client:
    return sign_in(stranger(), "admin@acme.example")


WHO = {"stranger": stranger, "half-signed-in": half_signed_in, "acme-admin": acme_admin}


def hostile_body(value: str) -> dict:
    return {field: [value, value] if field == "a[]" else value for field in FIELDS}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", ROUTES)
def test_hostile_posts_and_queries_never_cause_a_500(route, who, world, settings):
    # Nothing trips early: every value reaches the view.
    settings.TWOFACTOR_RATE_LIMITS = {name: (10**6, 60) for name in django_settings.RATE_LIMITS}
    client = WHO[who]()
    url = fill(route, world)
    statuses = []
    for value in HOSTILE_VALUES:
        statuses.append((value[:20], client.post(url, hostile_body(value)).status_code))
        statuses.append((value[:20], client.post(url, {f: [value, "1"] for f in FIELDS})
                         .status_code))
    for query in QUERIES:
        statuses.append((query[:30], client.get(url + query).status_code))
    statuses.append(("agent", client.post(url, hostile_body("1"), HTTP_USER_AGENT="a\x00b")
                     .status_code))
    statuses.append(("json", client.post(url, b'{"token": ["1"]}', "application/json")
                     .status_code))
    assert [entry for entry in statuses if entry[1] >= 500] == [], url


# Everything a GET must leave alone (sessions, audit events and caches may record a visit).
GUARDED_MODELS = [
    "accounts.Firm", "accounts.Client", "accounts.User", "twofactor.PhoneDevice",
    "twofactor.SignInAttempt", "twofactor.SmsToken", "twofactor.ApprovalRequest",
    "twofactor.FactorLock", "twofactor.BackupCode", "twofactor.PhoneChangeRequest",
]


def snapshot() -> dict:
    return {name: sorted(map(repr, apps.get_model(name).objects.values()))
            for name in GUARDED_MODELS}


@pytest.mark.parametrize("who", WHO)
def test_no_get_on_any_url_changes_anything(who, world):
    client = WHO[who]()
    before = snapshot()
    for route in ROUTES:
        client.get(fill(route, world))
        client.head(fill(route, world))
        assert snapshot() == before, route


SIGNED_BY_PROVIDER = ("twofactor/callbacks/",)  # no browser session: the signature is checked


@pytest.mark.parametrize("who", WHO)
def test_every_post_without_the_csrf_token_is_refused(who, world):
    client = WHO[who]()
    client.handler.enforce_csrf_checks = True
    client.get("/login/")  # a CSRF cookie, but no token in the form
    before = snapshot()
    for route in ROUTES:
        if route.startswith(SIGNED_BY_PROVIDER):
            continue
        response = client.post(fill(route, world), hostile_body("1"))
        # A half-signed-in person is sent to the challenge before any view (and its check).
        sent_on = who == "half-signed-in" and response.get("Location") == "/login/verify/"
        # On the sign-in pages the refusal sends the person back to Log in, saying why.
        back_to_login = response.get("Location") == "/login/?form=expired"
        assert response.status_code == 403 or sent_on or back_to_login, route
    assert snapshot() == before


TENANT_ROUTES = [r for r in ROUTES if r.startswith("manage/")]


def test_the_tenant_route_list_covers_every_admin_id():
    assert any("<uuid:request_id>" in r for r in TENANT_ROUTES)
    assert any("<int:person_id>" in r for r in TENANT_ROUTES)
    assert any("users/<int:pk>" in r for r in TENANT_ROUTES)


@pytest.mark.parametrize("route", [r for r in TENANT_ROUTES if "<" in r])
def test_another_firms_ids_give_404_on_every_admin_url(route, world):
    """Globex's admin, password fresh, tries every Admin URL with Acme's ids."""
    tech = User.objects.get(pk=world["tech"])
    change = phone_changes.start(tech, "+12015550199")
    url = fill(route, {**world, "request_id": change.pk})
    intruder = sign_in(stranger(), "admin@globex.example")
    before = snapshot()

    assert intruder.get(url).status_code in (404, 405), url  # 405: an action is POST only
    for action in ["", "approve", "reject", "reset", "unlock", "deactivate", "reactivate"]:
        body = {**hostile_body("1"), "action": action, "full_name": "Owned",
                "email": "owned@evil.example", "phone": "+12015550123"}
        assert intruder.post(url, body).status_code == 404, (url, action)
    assert snapshot() == before


@pytest.mark.parametrize("query", ["person_id={tech}", "person={email}"])
@pytest.mark.parametrize("path", ["/manage/activity/", "/manage/activity/export.csv"])
def test_another_firms_person_cannot_be_looked_up_in_activity(path, query, world):
    intruder = sign_in(stranger(), "admin@globex.example")
    tech = User.objects.get(pk=world["tech"])
    response = intruder.get(path + "?" + query.format(tech=tech.pk, email=tech.email))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code in (200, 400, 404)
    assert b"Terry" not in body  # no event of Acme's person (the typed email may echo back)
