"""Admin > Activity and the Security page read a sign-in as one row (its result, way,
address and browser) that opens into its steps; other events, and events older than the
sign-in id, stay one row each. Paging counts rows, and a page costs the same queries at any
size."""

import csv
import io
import re
import uuid
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent
from manage import event_words
from tests.signing_in import enter_password, latest_approval, request_token, type_token
from twofactor.methods.push import approvals
from twofactor.methods.push.tags import PushTag
from twofactor.providers.base import ApprovalStatus

URL = "/manage/activity/"
EXPORT = "/manage/activity/export.csv"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def events_part(response) -> str:
    return response.content.decode().split('id="events-heading"')[1]


def a_sign_in(person, at, *, tags=(Tag.PASSWORD_ACCEPTED, PushTag.PUSH_SENT, Tag.SIGNED_IN),
              seconds_apart: int = 2) -> uuid.UUID:
    """The events of one sign-in, bulk-written from ``at`` on."""
    sign_in = uuid.uuid4()
    AuditEvent.objects.bulk_create(
        AuditEvent(tag=str(tag), firm_id=person.firm_id, subject=person, attempt_id=sign_in,
                   created_at=at + timedelta(seconds=i * seconds_apart),
                   data={"method": "push"} if tag == Tag.SIGNED_IN else {})
        for i, tag in enumerate(tags)
    )
    return sign_in


def test_a_sign_in_of_five_steps_is_one_row_said_by_its_result(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    sign_in = uuid.uuid4()
    for tag, data in [
        (Tag.PASSWORD_ACCEPTED, {}),
        (PushTag.PUSH_SENT, {"approval": str(uuid.uuid4())}),
        (PushTag.PUSH_DENIED, {"approval": str(uuid.uuid4())}),
        (Tag.SMS_SENT, {"to": "+1 ••••••••02"}),
        (Tag.SIGNED_IN, {"method": "sms"}),
    ]:
        audit.record(tag, subject=tech, attempt_id=sign_in, **data)

    response = acme.get(URL)
    [row] = response.context["rows"]
    part = events_part(response)

    assert row.words == "Signed in with a texted token"
    assert row.details == ["Way: SMS"]
    assert [step.words for step in row.steps] == [
        "Entered the right password",
        "Was sent a sign-in request on the phone",
        "Denied a sign-in on the phone",
        "Was texted a token",
        "Signed in with a texted token",
    ]
    assert "<summary>5 steps" in part and "Texted to +1 ••••••••02" in part
    assert not UUID_TEXT.search(part)  # the approvals' ids are never shown


def test_two_interleaved_sign_ins_of_two_people_stay_two_rows(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech, admin = demo_world["tech@acme.example"], demo_world["admin@acme.example"]
    now = timezone.now()
    a_sign_in(tech, now, seconds_apart=2)  # at 0, 2, 4 s
    a_sign_in(admin, now + timedelta(seconds=1), seconds_apart=2)  # at 1, 3, 5 s

    rows = acme.get(URL).context["rows"]

    assert [row.event.subject for row in rows] == [admin, tech]
    assert all(len(row.steps) == 3 for row in rows)
    assert all({step.event.subject for step in row.steps} == {row.event.subject} for row in rows)


def test_events_without_a_sign_in_id_stay_one_row_each(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    audit.record(Tag.PASSWORD_ACCEPTED, subject=tech)  # older events: no sign-in id
    audit.record(PushTag.PUSH_SENT, subject=tech)
    audit.record(Tag.SIGNED_IN, subject=tech, method="push")

    rows = acme.get(URL).context["rows"]

    assert [row.words for row in rows] == [
        "Signed in by approving on the phone",
        "Was sent a sign-in request on the phone",
        "Entered the right password",
    ]
    assert all(row.steps == [] for row in rows)


def test_a_sign_in_that_did_not_finish_says_so_with_its_ways_and_last_step(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    a_sign_in(tech, timezone.now(), tags=(Tag.PASSWORD_ACCEPTED, PushTag.PUSH_SENT,
                                          PushTag.PUSH_DENIED))

    [row] = acme.get(URL).context["rows"]

    assert row.words == "Did not sign in"
    assert row.details == ["Ways tried: Push", "Last step: Denied a sign-in on the phone"]


def test_a_real_sign_in_records_every_step_under_one_id(acme, demo_world, sms_outbox):
    """Password, a push denied, then a texted token: every event the portal records on the
    way carries the attempt's id, so the page shows one row, from where and which browser."""
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    person = Client(HTTP_USER_AGENT=FIREFOX)
    enter_password(person)
    approval = latest_approval(person)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.DENIED, provider="local")
    assert type_token(person, request_token(person, sms_outbox))["Location"] == "/"

    assert set(AuditEvent.objects.filter(subject=tech).values_list("attempt_id", flat=True)) == {
        approval.attempt_id
    }
    [row] = acme.get(URL).context["rows"]
    assert row.words == "Signed in with a texted token"
    assert [step.event.tag for step in row.steps] == [
        Tag.PASSWORD_ACCEPTED, PushTag.PUSH_SENT, PushTag.PUSH_DENIED, Tag.SMS_SENT,
        Tag.FACTOR_ACCEPTED, Tag.SIGNED_IN,
    ]
    assert (row.ip_address, row.browser) == ("127.0.0.1", "Firefox on Linux")


def test_a_sign_in_without_a_second_step_is_one_row_too(acme, demo_world):
    AuditEvent.objects.all().delete()
    Client().post("/login/", {"email": "user@fabrikam.example", "password": "portal-demo-2fa"})

    [row] = acme.get(URL).context["rows"]

    assert row.words == "Signed in"
    assert row.details == ["Way: Password only"]
    assert [step.words for step in row.steps] == ["Entered the right password", "Signed in"]


def test_pages_count_sign_ins_not_events_and_never_repeat_one(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    now = timezone.now()
    made = {a_sign_in(tech, now - timedelta(minutes=i)) for i in range(120)}

    seen, url, sizes = [], URL, []
    while url:
        response = acme.get(url)
        rows, page = response.context["rows"], response.context["page"]
        sizes.append(len(rows))
        seen += [row.event.attempt_id for row in rows]
        assert all(len(row.steps) == 3 for row in rows)
        url = f"{URL}?cursor={page.next_cursor}" if page.next_cursor else ""

    assert sizes == [50, 50, 20]
    assert len(seen) == len(set(seen)) == 120 and set(seen) == made


def test_a_page_of_sign_ins_costs_the_same_queries_for_few_or_many(
    acme, demo_world, django_assert_num_queries
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    now = timezone.now()
    for i in range(2):
        a_sign_in(tech, now - timedelta(minutes=i))
    acme.get(URL)
    with CaptureQueriesContext(connection) as few:
        acme.get(URL)
    for i in range(2, 200):
        a_sign_in(tech, now - timedelta(minutes=i))
    AuditEvent.objects.bulk_create(
        AuditEvent(tag=str(Tag.PHONE_CHANGED), firm_id=tech.firm_id, subject=tech)
        for _ in range(100)
    )

    with django_assert_num_queries(len(few)):
        response = acme.get(URL)
    assert len(response.context["rows"]) == 50


def test_a_kind_filter_finds_the_sign_ins_with_such_a_step_and_shows_all_their_steps(
    acme, demo_world
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    now = timezone.now()
    a_sign_in(tech, now)
    denied = a_sign_in(tech, now - timedelta(minutes=5),
                       tags=(Tag.PASSWORD_ACCEPTED, PushTag.PUSH_SENT, PushTag.PUSH_DENIED))

    [row] = acme.get(URL, {"kind": str(PushTag.PUSH_DENIED)}).context["rows"]

    assert row.event.attempt_id == denied and len(row.steps) == 3


def test_another_firms_events_never_join_a_row(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech, other = demo_world["tech@acme.example"], demo_world["tech@globex.example"]
    shared = a_sign_in(tech, timezone.now())
    AuditEvent.objects.create(tag=str(Tag.SIGNED_IN), firm_id=other.firm_id, subject=other,
                              attempt_id=shared)

    [row] = acme.get(URL).context["rows"]

    assert {step.event.subject for step in row.steps} == {tech}


def test_the_export_keeps_every_event_and_names_its_sign_in(acme, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    sign_in = a_sign_in(tech, timezone.now())
    audit.record(Tag.PHONE_CHANGED, subject=tech)

    text = b"".join(acme.get(EXPORT).streaming_content).decode()
    table = list(csv.reader(io.StringIO(text)))

    assert table[0][-1] == "sign-in"
    assert sorted(line[-1] for line in table[1:]) == ["", *[str(sign_in)] * 3]


def test_a_change_of_allowed_ways_reads_as_labels_not_a_list(acme, acme_admin):
    AuditEvent.objects.all().delete()
    audit.record(Tag.FIRM_METHODS_CHANGED, actor=acme_admin,
                 allowed=["security_key", "push", "totp"], removed=["sms"])

    part = events_part(acme.get(URL))

    assert "Allowed: Security key, Push, Authenticator app." in part
    assert "Removed: SMS." in part
    assert "[" not in part and "security_key" not in part


def test_a_remembered_browser_is_named_as_the_way():
    assert audit.describe(str(Tag.SIGNED_IN), {"method": "remembered_browser"}) == (
        "Signed in on a remembered browser"
    )


def test_every_detail_reads_as_words():
    assert event_words.details(str(Tag.ROLE_CHANGED), {"old": "tech", "new": "admin"}) == [
        "From “Tech” to “Firm admin”"
    ]
    assert event_words.details(str(Tag.TOKEN_REJECTED), {
        "reason": "wrong_number", "failures": 2, "method": "push"
    }) == ["A different number was tapped on the phone", "Wrong answers in a row: 2", "Way: Push"]
    assert event_words.details(str(Tag.SMS_THROTTLED), {"limit": "sms.user.hour"}) == [
        "Limit reached: texts to this person in an hour"
    ]
    assert event_words.details(str(Tag.FACTOR_RESET), {
        "push_apps_removed": 1, "security_keys_removed": 0, "authenticator_app_removed": True,
    }) == ["Push apps removed: 1", "Authenticator app removed: yes"]
    # Ids never show, nor does a value shaped like one under a key not described yet.
    assert event_words.details("account:new:thing", {
        "approval": str(uuid.uuid4()), "ref": str(uuid.uuid4()), "device_id": 3,
    }) == []


def test_the_security_page_shows_your_sign_in_as_one_row_with_its_steps(demo_world):
    Client().post("/login/", {"email": "tech@globex.example", "password": "portal-demo-2fa"})
    me = Client(HTTP_USER_AGENT=FIREFOX)
    me.post("/login/", {"email": "admin@globex.example", "password": "portal-demo-2fa"})

    events = me.get("/security/").content.decode().split('id="events-heading"')[1]

    assert events.count("<summary>2 steps") == 1  # only my own sign-in
    assert "Firefox on Linux" in events
