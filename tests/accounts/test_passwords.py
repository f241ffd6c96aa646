"""Invitation links and "Forgot your password?": single use, expiring, never a way in
past the second factor, and silent about which emails exist."""

import re

import pytest
from django.core import mail

from accounts.audit import Tag
from accounts.models import AuditEvent, User
from accounts.tokens import encode_uid, invitation_tokens, reset_tokens
from tests.conftest import PASSWORD
from tests.signing_in import sign_in

NEW_PASSWORD = "a-brand-new-passphrase-42"


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/email/\S+)", message.body).group(1)


@pytest.fixture
def invited(globex, globex_admin) -> User:
    globex.post(
        "/manage/employees/add/",
        {"full_name": "Ivy Invited", "email": "ivy@globex.example", "phone": "+12015550170"},
    )
    globex.post("/logout/")
    return User.objects.get(email="ivy@globex.example")


def set_password(client, path: str, password: str = NEW_PASSWORD):
    landing = client.get(path)
    assert landing.status_code == 302, "a good link moves its token into the session"
    return client.post(landing["Location"], {"new_password1": password, "new_password2": password})


def test_an_invited_employee_sets_a_password_and_is_sent_to_log_in(client, invited):
    path = link_path(mail.outbox[-1])

    landing = client.get(path)
    assert "set-password" in landing["Location"] and path.split("/")[-2] not in landing["Location"]
    assert "Choose your password" in client.get(landing["Location"]).content.decode()
    response = client.post(
        landing["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/dashboard/")["Location"].startswith("/login/")  # not signed in
    assert User.objects.get(pk=invited.pk).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(tag=str(Tag.PASSWORD_SET), subject=invited).exists()
    login = client.post("/login/", {"email": "ivy@globex.example", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_an_invitation_link_works_once(client, invited):
    path = link_path(mail.outbox[-1])
    set_password(client, path)

    response = client.get(path)

    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()


def test_an_expired_invitation_link_is_refused(client, invited, settings):
    path = link_path(mail.outbox[-1])
    settings.PASSWORD_RESET_TIMEOUT = -1

    assert client.get(path).status_code == 400


def test_a_reset_link_is_not_an_invitation_link(client, invited):
    token = reset_tokens.make_token(invited)

    assert client.get(f"/email/invitation/{encode_uid(invited)}/{token}/").status_code == 400
    assert invitation_tokens.check_token(invited, token) is False


@pytest.mark.parametrize(
    "path",
    [
        "/email/invitation/Zm9v/abc-123/",
        "/email/invitation/!!!/x/",
        "/email/password-reset/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODk/set-password/",
        "/email/invitation/MQ/set-password/",
    ],
)
def test_forged_or_broken_links_give_a_clear_page_not_a_500(client, demo_world, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()


def test_a_weak_password_is_refused_with_reasons(client, invited):
    response = set_password(client, link_path(mail.outbox[-1]), "12345")

    body = response.content.decode()
    assert response.status_code == 200
    assert "too short" in body and "entirely numeric" in body
    assert not User.objects.get(pk=invited.pk).has_usable_password()


def test_a_deactivated_persons_invitation_no_longer_works(client, invited):
    path = link_path(mail.outbox[-1])
    User.objects.filter(pk=invited.pk).update(is_active=False)

    assert client.get(path).status_code == 400


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(client, demo_world):
    known = client.post("/password/forgot/", {"email": "TECH@acme.example"})
    unknown = client.post("/password/forgot/", {"email": "nobody@acme.example"})

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["tech@acme.example"]]


def test_a_reset_never_signs_in_past_the_second_factor(client, demo_world):
    """Acme IT requires 2FA: the reset sets the password and sends to the login page,
    signed out, so the password step and then the second factor follow as usual."""
    other_browser = sign_in(type(client)(), "tech@acme.example", fresh_password=False)
    client.post("/password/forgot/", {"email": "tech@acme.example"})

    response = set_password(client, link_path(mail.outbox[-1]))

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert other_browser.get("/dashboard/").status_code == 302  # old sessions are over
    assert "password of your Partner Portal account" in mail.outbox[-1].body


def test_a_reset_link_dies_once_used(client, demo_world):
    client.post("/password/forgot/", {"email": "tech@acme.example"})
    path = link_path(mail.outbox[-1])
    set_password(client, path)

    assert client.get(path).status_code == 400
    assert User.objects.get(email="tech@acme.example").check_password(NEW_PASSWORD)


def test_reset_emails_to_one_account_are_capped(client, demo_world, settings):
    per_account, _ = settings.RATE_LIMITS["password_reset.account"]
    for _ in range(per_account + 2):
        client.post("/password/forgot/", {"email": "tech@acme.example"})

    assert len(mail.outbox) == per_account
    assert AuditEvent.objects.filter(tag=str(Tag.PASSWORD_RESET_THROTTLED)).count() == 2


def test_a_script_hammering_the_form_gets_429_with_when_to_retry(client, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"password_reset.ip": (2, 3600)}
    statuses = [
        client.post("/password/forgot/", {"email": f"x{i}@example.com"}).status_code
        for i in range(3)
    ]
    last = client.post("/password/forgot/", {"email": "tech@acme.example"})

    assert statuses == [200, 200, 429]
    assert last.status_code == 429 and "Try again in an hour" in last.content.decode()
    assert mail.outbox == []


def test_the_login_page_links_to_forgot_your_password(client, db):
    assert (
        'href="/password/forgot/">Forgot your password?</a>'
        in client.get("/login/").content.decode()
    )


def test_an_unusable_password_cannot_log_in_before_the_invitation_is_used(client, invited):
    response = client.post("/login/", {"email": "ivy@globex.example", "password": PASSWORD})

    assert response.status_code == 200


def test_the_invitation_mentions_the_phone_only_where_2fa_is_on(acme, demo_world):
    contoso = demo_world["user@contoso.example"].client
    fabrikam = demo_world["user@fabrikam.example"].client
    for client, email in ((contoso, "new@contoso.example"), (fabrikam, "new@fabrikam.example")):
        acme.post(
            f"/manage/clients/{client.pk}/users/add/",
            {"full_name": "New Person", "email": email, "phone": ""},
        )

    to_contoso, to_fabrikam = mail.outbox[-2:]
    app = "the Partner Portal phone app"  # the local provider's; "the Authy app" for authy
    assert "for Contoso Dental" in to_contoso.body and app in to_contoso.body
    assert "for Fabrikam Law" in to_fabrikam.body and app not in to_fabrikam.body


def test_a_reset_ends_a_sign_in_left_half_way_in_the_same_browser(client, demo_world):
    """Acme's tech typed the old password (a pending attempt), then reset it from email."""
    client.post("/login/", {"email": "tech@acme.example", "password": PASSWORD})
    assert client.get("/dashboard/")["Location"].startswith("/login/verify/")
    type(client)().post("/password/forgot/", {"email": "tech@acme.example"})

    set_password(client, link_path(mail.outbox[-1]))

    assert client.get("/dashboard/")["Location"].startswith("/login/?")  # no attempt left


# "Forgot your password?" does the same work for every email: the lookup and the mail run
# after the response has gone, so its timing tells nothing.

CACHE_OPERATIONS = ("get", "set", "add", "incr", "decr", "delete", "get_many", "set_many")


@pytest.fixture
def work_before_the_response_went(monkeypatch):
    """Run a request; return its response and what it did up to the moment the server
    closed the response: the SQL run, the cache operations (with keys), the mails sent."""
    from django.core.cache import caches
    from django.db import connection
    from django.http import HttpResponseBase

    sql: list[str] = []
    cache_calls: list[tuple[str, str]] = []
    seen: list[dict] = []
    backend = caches["default"]
    for name in CACHE_OPERATIONS:
        real = getattr(backend, name)
        monkeypatch.setattr(
            backend, name,
            lambda *a, _real=real, _name=name, **kw: (cache_calls.append((_name, str(a[:1]))),
                                                      _real(*a, **kw))[1],
        )
    real_close = HttpResponseBase.close

    def close(response):
        seen.append({"queries": list(sql), "cache": list(cache_calls), "mails": len(mail.outbox)})
        real_close(response)

    monkeypatch.setattr(HttpResponseBase, "close", close)

    def record(execute, query, params, many, context):
        sql.append(re.sub(r'"s\d+_x\d+"', "<savepoint>", query))
        return execute(query, params, many, context)

    def run(request, *, fresh_cache=False):
        if fresh_cache:  # so that requests meet the same rate-limit counters
            backend.clear()
        mail.outbox.clear()
        sql.clear()
        cache_calls.clear()
        with connection.execute_wrapper(record):
            response = request()
        return response, seen[-1]

    return run


def test_forgot_password_does_the_same_work_for_known_and_unknown_emails(
    client, demo_world, work_before_the_response_went
):
    client.get("/password/forgot/")  # the CSRF cookie and session, as a person would have
    known, known_work = work_before_the_response_went(
        lambda: client.post("/password/forgot/", {"email": "tech@acme.example"}),
        fresh_cache=True)
    mails_for_known = len(mail.outbox)
    unknown, unknown_work = work_before_the_response_went(
        lambda: client.post("/password/forgot/", {"email": "nobody@acme.example"}),
        fresh_cache=True)

    assert known.content == unknown.content
    assert known_work["queries"] == unknown_work["queries"]
    assert known_work["cache"] == unknown_work["cache"]
    assert known_work["mails"] == unknown_work["mails"] == 0  # nothing sent inside the request
    assert mails_for_known == 1  # the known email's link went after its response
    assert len(mail.outbox) == 0  # the unknown email: nothing, after the response either


def test_the_reset_link_is_mailed_after_the_response_and_audited(
    client, demo_world, work_before_the_response_went
):
    _, work = work_before_the_response_went(
        lambda: client.post("/password/forgot/", {"email": "tech@acme.example"}))

    assert work["mails"] == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tech@acme.example"]
    event = AuditEvent.objects.get(tag=str(Tag.PASSWORD_RESET_REQUESTED))
    assert event.subject.email == "tech@acme.example" and event.ip_address == "127.0.0.1"


def test_the_password_changed_notice_after_a_reset_goes_after_the_response(
    client, demo_world, work_before_the_response_went
):
    client.post("/password/forgot/", {"email": "tech@acme.example"})
    landing = client.get(link_path(mail.outbox[-1]))

    _, work = work_before_the_response_went(lambda: client.post(
        landing["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}))

    assert work["mails"] == 0
    assert [m.subject for m in mail.outbox] == ["Partner Portal: your password was changed"]


def test_mail_work_outside_a_request_runs_at_once(db):
    from accounts import emails

    done = []
    emails.after_response(lambda: done.append(True))

    assert done == [True]


def test_a_failure_after_the_response_is_logged_and_the_rest_still_runs(client, db, caplog):
    from accounts import emails

    done = []

    def boom():
        raise RuntimeError("smtp down")

    def view_like():
        emails.after_response(boom)
        emails.after_response(lambda: done.append(True))

    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    view_like()
    assert done == []
    request_finished.send(sender=None)

    assert done == [True]
    assert "Mail work after the response failed" in caplog.text

