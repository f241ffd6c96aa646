"""Remember this browser: "Don't ask again on this browser for 30 days" where the firm (or
client) allows it. Only the token's hash is stored; 30 days absolute; at most 10 per person;
never skips the password, never satisfies a required security key, never counts as fresh;
forgotten with a new password, a number change, a factor reset, "Sign out everywhere else",
and when the admin turns the policy off."""

import hashlib

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Client as Site
from accounts.models import Firm, User
from manage import people
from tests.manage.policy_form import post_policy
from tests.signing_in import enter_password, request_token, sign_in, type_token
from twofactor import methods
from twofactor.models import RememberedBrowser
from twofactor.recovery import phone_changes
from twofactor.signin import lockout

COOKIE = "remembered_browser"
LABEL = "Don't ask again on this browser for 30 days"


@pytest.fixture
def many_texts(settings):
    settings.TWOFACTOR_RATE_LIMITS = {
        name: (1000, 1) for name in
        ("sms.user", "sms.number", "sms.user.hour", "sms.ip", "sms.portal.day", "push.user",
         "login.account", "login.ip")
    }


@pytest.fixture
def allowed(demo_world):
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    return demo_world


def remembered_sign_in(browser, outbox, **extra):
    """Sign in with the texted token, ticking the box; return the response."""
    enter_password(browser, **extra)
    return type_token(browser, request_token(browser, outbox), remember="on")


def tech() -> User:
    return User.objects.get(email="tech@acme.example")


def second_sign_in(cookie: str) -> tuple[Client, object]:
    browser = Client()
    browser.cookies[COOKIE] = cookie
    return browser, enter_password(browser)


def test_the_box_shows_only_where_the_firm_allows_it(pending, demo_world):
    assert LABEL not in pending.get("/login/verify/").content.decode()
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    assert LABEL in pending.get("/login/verify/").content.decode()


def test_for_end_users_the_client_decides(allowed, client, sms_outbox):
    Site.objects.filter(name="Contoso Dental").update(allow_remembered_browsers=False)
    enter_password(client, email="user@contoso.example")
    assert LABEL not in client.get("/login/verify/").content.decode()
    Site.objects.filter(name="Contoso Dental").update(allow_remembered_browsers=True)
    assert LABEL in client.get("/login/verify/").content.decode()


def test_the_cookie_holds_a_token_whose_hash_alone_is_stored(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    cookie = client.cookies[COOKIE]
    row = RememberedBrowser.objects.get()

    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert row.token_hash == hashlib.sha256(cookie.value.encode()).hexdigest()
    stored = " ".join(str(v) for v in RememberedBrowser.objects.values().get().values())
    assert cookie.value not in stored


def test_a_remembered_browser_skips_the_second_step_after_the_password(
    allowed, client, sms_outbox
):
    remembered_sign_in(client, sms_outbox)
    browser, response = second_sign_in(client.cookies[COOKIE].value)

    assert response["Location"] == "/"
    assert browser.get("/").status_code in (200, 302)
    assert browser.get("/security/").status_code == 200
    assert browser.session[DEVICE_ID_SESSION_KEY].startswith("twofactor.rememberedbrowser/")
    assert methods.of_device(browser.session[DEVICE_ID_SESSION_KEY]) is None  # never fresh


def test_it_never_skips_the_password(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    browser = Client()
    browser.cookies[COOKIE] = client.cookies[COOKIE].value
    assert browser.get("/security/")["Location"].startswith("/login/")
    wrong = browser.post("/login/", {"email": "tech@acme.example", "password": "wrong"})
    assert wrong.status_code == 200 and "_auth_user_id" not in browser.session


def test_it_never_counts_as_a_fresh_factor(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    browser, _ = second_sign_in(client.cookies[COOKIE].value)

    response = browser.get("/security/phone/")  # adding or changing a factor

    assert response["Location"].startswith("/security/confirm/")  # "Confirm it's you" first


def test_it_lasts_30_days_absolute(allowed, client, sms_outbox, time_travel):
    remembered_sign_in(client, sms_outbox)
    cookie = client.cookies[COOKIE].value
    time_travel(29 * 24 * 3600)
    assert second_sign_in(cookie)[1]["Location"] == "/"  # used: still ends on day 30
    time_travel(24 * 3600 + 1)
    assert second_sign_in(cookie)[1]["Location"] == "/login/verify/"


def test_at_most_ten_per_person_and_the_oldest_goes(allowed, sms_outbox, many_texts,
                                                    time_travel):
    cookies = []
    for _ in range(11):
        browser = Client()
        remembered_sign_in(browser, sms_outbox)
        cookies.append(browser.cookies[COOKIE].value)
        time_travel(1)
    assert RememberedBrowser.objects.filter(user=tech()).count() == 10
    assert second_sign_in(cookies[0])[1]["Location"] == "/login/verify/"
    assert second_sign_in(cookies[-1])[1]["Location"] == "/"


def test_not_remembered_when_the_firm_does_not_allow_it(demo_world, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    assert COOKIE not in client.cookies and not RememberedBrowser.objects.exists()


def test_turning_the_policy_off_forgets_every_remembered_browser(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    cookie = client.cookies[COOKIE].value
    admin = sign_in(Client(), "admin@acme.example")

    post_policy(admin, Firm.objects.get(name="Acme IT"), allow_remembered_browsers=None)

    assert not RememberedBrowser.objects.exists()
    assert not Firm.objects.get(name="Acme IT").allow_remembered_browsers
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    assert second_sign_in(cookie)[1]["Location"] == "/login/verify/"


def test_a_clients_policy_off_forgets_its_end_users_browsers(allowed, client, sms_outbox):
    contoso = Site.objects.get(name="Contoso Dental")
    Site.objects.filter(pk=contoso.pk).update(allow_remembered_browsers=True)
    remembered_sign_in(client, sms_outbox, email="user@contoso.example")
    assert RememberedBrowser.objects.count() == 1
    admin = sign_in(Client(), "admin@acme.example")

    post_policy(admin, contoso, allow_remembered_browsers=None)

    assert not RememberedBrowser.objects.exists()


def test_turning_it_on_needs_a_recent_password(demo_world):
    admin = sign_in(Client(), "admin@acme.example", fresh_password=False)
    response = post_policy(admin, Firm.objects.get(name="Acme IT"), allow_remembered_browsers="on")
    assert "Enter your password." in response.content.decode()
    assert not Firm.objects.get(name="Acme IT").allow_remembered_browsers


def test_it_never_satisfies_a_required_security_key(allowed, client, sms_outbox, many_texts):
    remembered_sign_in(client, sms_outbox, email="admin@acme.example")
    cookie = client.cookies[COOKIE].value
    Firm.objects.filter(name="Acme IT").update(security_key_required_for_admins=True)
    browser = Client()
    browser.cookies[COOKIE] = cookie

    response = enter_password(browser, email="admin@acme.example")

    assert response.status_code == 403  # a key is required: this browser is not one
    assert "_auth_user_id" not in browser.session


def test_a_locked_person_is_not_let_through(allowed, client, sms_outbox, settings):
    remembered_sign_in(client, sms_outbox)
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 1
    lockout.record_failure(tech())
    refused = second_sign_in(client.cookies[COOKIE].value)[1]
    assert refused.status_code == 429 and "locked" in refused.content.decode()  # not let in


@pytest.mark.parametrize("change", ["password", "sign_out_everywhere", "number", "reset"])
def test_forgotten_when_the_person_or_their_factor_changes(allowed, client, sms_outbox, change):
    remembered_sign_in(client, sms_outbox)
    cookie = client.cookies[COOKIE].value
    person, admin = tech(), User.objects.get(email="admin@acme.example")
    if change == "password":
        person.set_password("another-long-password-9")
        person.save()
    elif change == "sign_out_everywhere":
        assert client.post("/security/sign-out-others/")["Location"] == "/security/"
    elif change == "number":
        people.save_profile(
            person.pk,
            people.Profile(person.full_name, person.email, "+12015550177", person.role),
            people.version_of(person), actor=admin,
        )
    else:
        phone_changes.reset_second_factor(person, admin)
    password = "another-long-password-9" if change == "password" else None
    browser = Client()
    browser.cookies[COOKIE] = cookie
    extra = {"password": password} if password else {}
    assert enter_password(browser, **extra)["Location"] == "/login/verify/"
    security = client.get("/security/")
    if security.status_code == 200:
        assert ">Forget</button>" not in security.content.decode()


def test_the_security_page_lists_them_with_forget(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    cookie = client.cookies[COOKIE].value
    page = client.get("/security/").content.decode()
    assert "Remembered browsers" in page and ">Forget</button>" in page

    row = RememberedBrowser.objects.get()
    client.post(f"/security/remembered-browsers/{row.pk}/forget/")

    assert not RememberedBrowser.objects.exists()
    assert second_sign_in(cookie)[1]["Location"] == "/login/verify/"


def test_nobody_forgets_another_persons_browser(allowed, client, sms_outbox):
    remembered_sign_in(client, sms_outbox)
    row = RememberedBrowser.objects.get()
    other = sign_in(Client(), "admin@acme.example")
    other.post(f"/security/remembered-browsers/{row.pk}/forget/")
    assert RememberedBrowser.objects.filter(pk=row.pk).exists()


def test_a_forged_cookie_does_nothing(allowed, client):
    client.cookies[COOKIE] = "forged" * 5
    assert enter_password(client)["Location"] == "/login/verify/"
    client.cookies[COOKIE] = "x" * 5000
    assert enter_password(client)["Location"] == "/login/verify/"
