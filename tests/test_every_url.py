"""Every URL of the portal, attacked by a stranger, a person half-way through signing in,
and a signed-in admin: hostile input (arrays, NUL bytes, Unicode digits, very long strings,
odd query strings) and odd request shapes (2,000 fields, UTF-16 and unknown charsets,
multipart, deeply nested or broken JSON, wrong content types), through the WSGI handler and
the ASGI handler alike, give a page or a 4xx, never a 500; and a GET changes nothing (every
change is a POST, which CSRF protects)."""

import importlib
import re
import uuid
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection
from django.test import AsyncClient, Client

from accounts.models import Client as Site
from accounts.models import User
from tests.conftest import PASSWORD
from tests.routes import every_pattern
from tests.signing_in import sign_in
from twofactor.recovery import phone_changes

# A same-host path longer than the column that keeps a ``next`` (2,000), yet within the 2,048
# characters Django's own redirect check allows.
LONG_PATH = "/" + "a" * 2020
HOSTILE_VALUES = [
    "\x00",
    "1\x002\x003",
    "tech@acme.example\x00",  # a NUL after something valid (PostgreSQL refuses NUL in text)
    "x@evil\x00.example",
    "/manage/\x00",  # a same-host path with a NUL (a ``next`` kept on a sign-in attempt)
    LONG_PATH,
    "\u00b2",  # superscript two: str.isdigit() says yes, int() says no
    "1\u00b2",
    "\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic digits
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
    "\U0001d7d9\U0001d7da\U0001d7db",  # mathematical double-struck digits
    "../sms",
    "../../../../etc/passwd",
    "123456/ID#",
    "a\r\nSet-Cookie: x=1",
    "\u202e\ufeff",  # right-to-left override, zero-width no-break space
    "x" * 100_000,
    "-1",
    "0",
    "99999999999999999999999999",
    "9" * 5000,  # more digits than int() reads from text
]
# Fields no form declares that a browser or script may still send.
# Read from a plain mapping (the push poll, answered before Django under ASGI), not request.GET.
EXTRA_FIELDS = ["a[]", "page", "action", "next", "attempt", "sig", "request", "seen", "wait"]
QUERIES = ["?next=%00", "?next=/x%00", "?cursor=%00", "?cursor=" + "9" * 40, "?person_id=1%00",
           "?person_id=%C2%B2", "?two_factor=%F0%9D%9F%99", "?request=" + "x" * 5000,
           "?q=%00&kind=%00&show=x", "?page=-1&a[]=1&a[]=2", "?%00=%00", "?=&&=&"]
PRODUCT_PACKAGES = ("portal", "accounts", "twofactor", "manage")
ROOT = Path(__file__).resolve().parents[1]
READS = re.compile(r"""request\.(?:GET|POST)(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""")


def fields_the_portal_reads() -> list[str]:
    """Every GET parameter and POST field the portal reads: the fields of every form it
    declares (and Django's forms it uses), and every ``request.GET``/``request.POST`` read."""
    names: set[str] = set()
    for package in PRODUCT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "." in path.stem:  # gunicorn.conf.py is not a module
                continue
            names.update(READS.findall(path.read_text()))
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            importlib.import_module(module.removesuffix(".__init__"))
    seen: list[type] = [forms.BaseForm]
    while seen:
        form_class = seen.pop()
        seen.extend(form_class.__subclasses__())
        if form_class.__module__.startswith(PRODUCT_PACKAGES) or form_class is SetPasswordForm:
            names.update(getattr(form_class, "base_fields", {}))
    return sorted(names)


FIELDS = sorted(set(fields_the_portal_reads()) | set(EXTRA_FIELDS))


def test_the_hostile_fields_cover_what_the_portal_reads():
    # A sample of fields in forms and in plain reads, so the discovery cannot go quiet.
    for name in ("email", "password", "token", "next", "person_id", "person", "kind", "q",
                 "cursor", "new_password1", "new_password2", "request", "attempt", "sig",
                 "full_name", "phone", "version"):
        assert name in FIELDS, name


ROUTES = sorted(set(every_pattern()))


def fill(route: str, world: dict) -> str:
    """The route with ids of the signed-in admin's own firm, so forms are really reached."""
    values = {
        "client_pk": world["site"], "person_id": world["tech"], "user_id": world["tech"],
        "handset_id": 1, "uidb64": "MQ", "token": "set-password", "answer": "deny",
        "browser_id": 1, "phone_id": 1, "method": "push",
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


def no_limits(settings) -> None:
    """Nothing trips early: every value reaches the view."""
    settings.TWOFACTOR_RATE_LIMITS = {name: (10**6, 60) for name in django_settings.RATE_LIMITS}


def server_errors(statuses: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [entry for entry in statuses if entry[1] >= 500]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", ROUTES)
def test_hostile_posts_and_queries_never_cause_a_500(route, who, world, settings):
    no_limits(settings)
    client = WHO[who]()
    url = fill(route, world)
    statuses = []
    for value in HOSTILE_VALUES:
        statuses.append((value[:20], client.post(url, hostile_body(value)).status_code))
        statuses.append((value[:20], client.get(url, hostile_body(value)).status_code))
    # Every field as an array of every hostile value, in a body and in a query string.
    arrays = {field: ["1", *HOSTILE_VALUES] for field in FIELDS}
    statuses.append(("arrays", client.post(url, arrays).status_code))
    statuses.append(("?arrays", client.get(url, arrays).status_code))
    for query in QUERIES:
        statuses.append((query[:30], client.get(url + query).status_code))
    statuses.append(("agent", client.post(url, hostile_body("1"), HTTP_USER_AGENT="a\x00b")
                     .status_code))
    statuses.append(("json", client.post(url, b'{"token": ["1"]}', "application/json")
                     .status_code))
    statuses += shape_statuses(client, url)
    if not locked_out_of_the_test_rows(route, who):
        statuses += async_to_sync(async_shape_statuses)(asgi_twin(client), url)
    assert server_errors(statuses) == [], url


# Request shapes no form of the portal sends, but a script can. A browser's CSRF token rides
# along (CSRF checked as in production: the check reads the form before the view does).
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MANY_FIELDS = "&".join(f"f{i}=1" for i in range(2000))
MULTIPART = (
    b"--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nBlue key\r\n"
    b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
    b"Content-Type: text/plain\r\n\r\nx\r\n--B--\r\n"
)
SHAPES = [  # (what, query string, body, content type)
    ("2,000 query fields", MANY_FIELDS, b"token=1", FORM),
    ("2,000 form fields", "", MANY_FIELDS.encode(), FORM),
    ("UTF-16 form", "", "email=x&token=1".encode("utf-16"), FORM + "; charset=utf-16"),
    ("unknown charset", "", b"email=x", FORM + "; charset=x-no-such-charset"),
    ("multipart", "", MULTIPART, "multipart/form-data; boundary=B"),
    ("UTF-16 multipart", "", MULTIPART, "multipart/form-data; boundary=B; charset=utf-16"),
    ("broken multipart", "", b"--B\r\nnot a part", "multipart/form-data; boundary=B"),
    ("multipart, no boundary", "", b"x", "multipart/form-data"),
    ("nested JSON arrays", "", b"[" * 3000 + b"]" * 3000, JSON),
    ("nested JSON objects", "", b'{"a":' * 3000 + b"1" + b"}" * 3000, JSON),  # 15 KB
    ("JSON with NUL", "", b'{"name": "a\\u0000b", "token": "1\\u0000", "response": {}}', JSON),
    ("JSON, lone surrogate", "", b'{"name": "\\ud800"}', JSON),
    ("UTF-16 JSON", "", '{"name": "x"}'.encode("utf-16"), JSON + "; charset=utf-16"),
    ("JSON, not an object", "", b'[{"name": "x"}]', JSON),
    ("broken JSON", "", b'{"name": ', JSON),
    ("XML", "", b"<name>x</name>", "application/xml"),
    ("plain text", "", b"name=x", "text/plain"),
    ("no content type", "", b"name=x", ""),
]
CSRF_SECRET = "s" * 32  # Django takes an unmasked secret as the token too


def with_csrf(client: Client | AsyncClient) -> dict:
    """The client made to check CSRF, with a cookie; the headers that pass the check."""
    client.handler.enforce_csrf_checks = True
    client.cookies[django_settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return {"X-CSRFToken": CSRF_SECRET}


def shape_statuses(client: Client, url: str) -> list[tuple[str, int]]:
    """Every shape through the WSGI handler (the test client), CSRF checked."""
    headers = with_csrf(client)
    statuses = [("GET 2,000 query fields", client.get(f"{url}?{MANY_FIELDS}").status_code)]
    for what, query, body, content_type in SHAPES:
        path = f"{url}?{query}" if query else url
        response = client.generic("POST", path, body, content_type, headers=headers)
        statuses.append((what, response.status_code))
    return statuses


def locked_out_of_the_test_rows(route: str, who: str) -> bool:
    """Under ASGI Django renders an error page in a thread of its own; the tests' in-memory
    SQLite locks that thread out of the rows this test's transaction wrote (a file database,
    as served, does not). The simulated phone (development only) answers its 404 before
    anything reads the signed-in person, so its page is the one that would read them there."""
    return (connection.vendor == "sqlite" and who == "acme-admin"
            and route.startswith("dev/phone/requests/"))


def asgi_twin(client: Client) -> AsyncClient:
    """An ASGI client with the same cookies (the same session) as ``client``."""
    twin = AsyncClient(raise_request_exception=False)
    twin.cookies = client.cookies
    return twin


async def async_shape_statuses(client: AsyncClient, url: str) -> list[tuple[str, int]]:
    """Every shape through the ASGI handler, CSRF checked."""
    headers = with_csrf(client)
    response = await client.get(f"{url}?{MANY_FIELDS}")
    statuses = [("ASGI GET 2,000 query fields", response.status_code)]
    for what, query, body, content_type in SHAPES:
        path = f"{url}?{query}" if query else url
        response = await client.generic("POST", path, body, content_type, headers=headers)
        statuses.append(("ASGI " + what, response.status_code))
    return statuses


def valid_body(world: dict) -> dict:
    """What a person filling the forms in right would send, so a view reads every field."""
    return {
        "email": "tech@acme.example", "password": PASSWORD, "token": "123456", "code": "123456",
        "next": "/", "phone": "+12015550123", "full_name": "Terry Tech",
        "name": "Contoso Dental", "person": "tech@acme.example", "person_id": str(world["tech"]),
        "new_password1": "a-long-new-passphrase-42", "new_password2": "a-long-new-passphrase-42",
    }


# Hostile values past the right answers: the bad value reaches the deepest code that reads it
# (a ``next`` with a NUL kept by a 2FA sign-in after the right password, say). First the right
# answers with every other field hostile, then each right answer in turn made hostile.
ONE_FIELD_VALUES = ["/manage/\x00", LONG_PATH, "\u00b2"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", ROUTES)
def test_hostile_fields_among_right_ones_never_cause_a_500(route, who, world, settings):
    no_limits(settings)
    url = fill(route, world)
    client = WHO[who]()
    right = valid_body(world)
    statuses = []
    for value in HOSTILE_VALUES:
        body = {**hostile_body(value), **right}
        statuses.append((f"others={value[:20]}", client.post(url, body).status_code))
    for field in right:
        for value in [*ONE_FIELD_VALUES, ["1", "\u00b2"]]:
            body = {**right, field: value}
            statuses.append((f"{field}={value[:20]}", client.post(url, body).status_code))
    assert server_errors(statuses) == [], url


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", ROUTES)
def test_megabyte_bodies_never_cause_a_500(route, who, world, settings):
    no_limits(settings)
    url = fill(route, world)
    client = WHO[who]()
    megabyte = "9" * 1_000_000
    statuses = [
        # A megabyte in the fields the sign-in pages read first, within Django's body limit.
        ("form", client.post(url, {**valid_body(world), "token": megabyte}).status_code),
        ("next", client.post(url, {**valid_body(world), "next": "/" + megabyte}).status_code),
        ("raw", client.post(url, megabyte.encode(), "application/octet-stream").status_code),
        ("json", client.post(url, b'{"token": "' + megabyte.encode() + b'"}',
                             "application/json").status_code),
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: refused before any view.
        ("3 MB", client.post(url, {"token": megabyte * 3}).status_code),
    ]
    assert server_errors(statuses) == [], url


# Everything a GET must leave alone (sessions, audit events and caches may record a visit).
GUARDED_MODELS = [
    "accounts.Firm", "accounts.Client", "accounts.User", "twofactor.PhoneDevice",
    "twofactor.SignInAttempt", "twofactor.SmsToken", "twofactor.ApprovalRequest",
    "twofactor.FactorLock", "twofactor.PhoneChangeRequest", "twofactor.RememberedBrowser",
    "backup_codes.BackupCode", "backup_codes.BackupCodeSheet", "security_key.SecurityKey",
    "totp.AuthenticatorApp", "email_codes.EmailCodeDevice",
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


# No browser session: the provider's signature, or the phone app's key, is checked (and a
# hostile form body is refused there: tests/twofactor/methods/portal_app).
SIGNED_BY_PROVIDER = ("twofactor/callbacks/", "app/api/")


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
