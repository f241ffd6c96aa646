""""This wasn't me", from the simulated phone and from the signed link in the denial email:
each of its effects, and the link working once."""

import re

import pytest
from django.core import mail

from accounts.audit import Tag
from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.signing_in import enter_password, latest_approval, request_token, type_token
from tests.twofactor.phone_sim.test_phones import answer_url
from twofactor.methods.push import not_me_links
from twofactor.models import ApprovalRequest, RememberedBrowser, SignInAttempt


def report_on_phone(client, approval):
    return client.post(answer_url(approval, "not-me"), HTTP_USER_AGENT="test")


@pytest.fixture
def reported(pending, demo_world):
    approval = latest_approval(pending)
    mail.outbox.clear()
    report_on_phone(pending, approval)
    approval.refresh_from_db()
    return approval


def test_the_sign_in_attempt_ends_and_the_request_is_denied(reported, pending):
    assert reported.status == "denied"
    assert not SignInAttempt.objects.get(pk=reported.attempt_id).expires_at > reported.reported_at
    assert pending.get("/login/verify/")["Location"] == "/login/"


def test_the_person_and_their_firms_admins_are_emailed(reported):
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == ["admin@acme.example", "tech@acme.example"]
    assert any("not you" in message.body or "was not you" in message.body
               for message in mail.outbox)


def test_activity_records_a_suspicious_sign_in_with_the_address_and_browser(reported):
    event = AuditEvent.objects.get(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED)
    assert event.subject.email == "tech@acme.example"
    assert event.data["ip_address"] == "127.0.0.1"
    assert "browser" in event.data
    from accounts.audit import describe

    assert describe(event.tag) == "Suspicious sign-in reported"
    from django.test import Client

    from tests.signing_in import sign_in

    admin = sign_in(Client(), "admin@acme.example")
    page = admin.get("/manage/activity/").content.decode().split('id="events-heading"')[1]
    # The report ends its sign-in's row, in words, with the address it came from.
    assert "Last step: Suspicious sign-in reported" in page
    assert "The sign-in reported came from 127.0.0.1" in page


def test_pushes_pause_for_an_hour_while_sms_still_works(reported, client, sms_outbox,
                                                         time_travel):
    enter_password(client)
    page = client.get("/login/verify/").content.decode()
    assert "paused until" in page
    assert not ApprovalRequest.objects.exclude(pk=reported.pk).exists()
    assert type_token(client, request_token(client, sms_outbox))["Location"] == (
        "/password/new/"
    )
    time_travel(3601)
    from django.test import Client

    enter_password(Client())
    assert ApprovalRequest.objects.exclude(pk=reported.pk).exists()  # pushes resume


def test_remembered_browsers_are_forgotten(pending, demo_world):
    tech = demo_world["tech@acme.example"]
    from datetime import timedelta

    from django.utils import timezone

    RememberedBrowser.objects.create(
        user=tech, token_hash="x" * 64, session_hash=tech.get_session_auth_hash(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    report_on_phone(pending, latest_approval(pending))
    assert not RememberedBrowser.objects.filter(user=tech).exists()


def test_a_new_password_is_chosen_right_after_the_next_second_factor(reported, client,
                                                                     sms_outbox):
    enter_password(client)
    response = type_token(client, request_token(client, sms_outbox))
    assert response["Location"] == "/password/new/"
    # Nothing else opens first: every page sends the person back.
    assert client.get("/security/")["Location"] == "/password/new/"
    assert client.get("/")["Location"] == "/password/new/"
    response = client.post("/password/new/", {"new_password1": "a-much-newer-pass-42",
                                              "new_password2": "a-much-newer-pass-42"})
    assert response["Location"] == "/"
    assert client.get("/security/").status_code == 200
    tech = User.objects.get(email="tech@acme.example")
    assert not tech.must_change_password and tech.check_password("a-much-newer-pass-42")
    assert not tech.check_password(PASSWORD)


def test_the_denial_email_carries_a_link_that_works_once(pending, client):
    approval = latest_approval(pending)
    mail.outbox.clear()
    pending.post(answer_url(approval, "deny"))
    link = re.search(r"http\S+/not-me/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    assert client.get(f"/{path}").status_code == 200  # a scanner's GET changes nothing
    assert not AuditEvent.objects.filter(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED).exists()
    assert client.post(f"/{path}").status_code == 200
    assert AuditEvent.objects.filter(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED).count() == 1
    assert User.objects.get(email="tech@acme.example").must_change_password
    assert client.post(f"/{path}").status_code == 404  # single use
    assert AuditEvent.objects.filter(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED).count() == 1


@pytest.mark.parametrize("token", ["x", "1-abc", "zzzzzz-" + "a" * 40, "a" * 70])
def test_a_forged_or_malformed_link_is_refused(pending, client, token):
    approval = latest_approval(pending)
    response = client.post(f"/email/push/{approval.pk}/not-me/{token}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED).exists()


def test_a_link_for_one_request_does_not_work_for_another(pending, client, demo_world):
    first = latest_approval(pending)
    token = not_me_links.links.make_token(first)
    enter_password(client)
    other = latest_approval(client)
    assert other.pk != first.pk
    assert client.post(f"/email/push/{other.pk}/not-me/{token}/").status_code == 404


def test_the_phone_reports_once(pending):
    approval = latest_approval(pending)
    report_on_phone(pending, approval)
    again = pending.post(answer_url(approval, "not-me"), follow=True)
    assert "reported already" in again.content.decode()
    assert AuditEvent.objects.filter(tag=Tag.SUSPICIOUS_SIGN_IN_REPORTED).count() == 1
