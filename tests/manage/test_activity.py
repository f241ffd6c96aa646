"""Admin > Activity: the firm's own audit events, newest first, filtered, paged, and
exported as a CSV a spreadsheet cannot be tricked into running."""

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent
from twofactor import methods
from twofactor.enrolment.tags import EnrolmentTag
from twofactor.methods.push.tags import PushTag

URL = "/manage/activity/"
EXPORT = "/manage/activity/export.csv"


def rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_events_are_the_firms_own_newest_first(acme, acme_admin, globex_admin, demo_world):
    AuditEvent.objects.all().delete()
    audit.record(Tag.PHONE_CHANGED, actor=acme_admin, subject=demo_world["tech@acme.example"])
    audit.record(Tag.ROLE_CHANGED, actor=globex_admin, subject=demo_world["tech@globex.example"])
    later = audit.record(
        Tag.PERSON_DEACTIVATED, actor=acme_admin, subject=demo_world["nophone@acme.example"]
    )
    later.created_at = timezone.now() + timedelta(minutes=1)
    later.save()

    events = acme.get(URL).context["page"].items

    assert [e.tag for e in events] == [str(Tag.PERSON_DEACTIVATED), str(Tag.PHONE_CHANGED)]


def test_filtering_by_kind_and_by_person(acme, acme_admin, demo_world):
    AuditEvent.objects.all().delete()
    tech, noel = demo_world["tech@acme.example"], demo_world["nophone@acme.example"]
    audit.record(Tag.PHONE_CHANGED, actor=acme_admin, subject=tech)
    audit.record(Tag.PHONE_CHANGED, actor=acme_admin, subject=noel)
    audit.record(Tag.ROLE_CHANGED, actor=acme_admin, subject=tech)

    by_kind = acme.get(URL, {"kind": str(Tag.PHONE_CHANGED)}).context["page"].items
    by_person = acme.get(URL, {"person": "TECH@acme.example"}).context["page"].items
    both = acme.get(URL, {"person": "tech@acme.example", "kind": str(Tag.ROLE_CHANGED)})
    by_id = acme.get(URL, {"person_id": noel.pk}).context["page"].items

    assert len(by_kind) == 2
    assert {e.subject for e in by_person} == {tech} and len(by_person) == 2
    assert [e.tag for e in both.context["page"].items] == [str(Tag.ROLE_CHANGED)]
    assert [e.subject for e in by_id] == [noel]


def test_another_firms_person_is_not_found_by_id_nor_by_email(acme, globex_admin):
    audit.record(Tag.ROLE_CHANGED, actor=globex_admin, subject=globex_admin)

    assert acme.get(URL, {"person_id": globex_admin.pk}).status_code == 404
    assert acme.get(EXPORT, {"person_id": globex_admin.pk}).status_code == 404
    response = acme.get(URL, {"person": "admin@globex.example"})
    assert "No one in your firm has this email address." in response.content.decode()
    assert response.context["page"] is None and response.context["rows"] == []


def test_an_unknown_kind_is_a_form_error_not_a_500(acme):
    response = acme.get(URL, {"kind": "'; DROP TABLE x; --"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert acme.get(EXPORT, {"kind": "nonsense"}).status_code == 400


def test_events_are_paged_fifty_at_a_time_without_repeats(acme, acme_admin):
    AuditEvent.objects.all().delete()
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                tag=str(Tag.SIGNED_IN),
                firm=acme_admin.firm,
                subject=acme_admin,
                created_at=now - timedelta(seconds=i // 3),
            )
            for i in range(120)
        ]
    )

    seen, url = [], URL
    while url:
        page = acme.get(url).context["page"]
        seen += [e.pk for e in page.items]
        url = f"{URL}?cursor={page.next_cursor}" if page.next_cursor else ""
    assert len(seen) == len(set(seen)) == 120


def test_the_export_is_a_streamed_csv_of_the_filtered_events(
    acme, acme_admin, globex_admin, demo_world
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    audit.record(Tag.PHONE_CHANGED, actor=acme_admin, subject=tech, old="", new="+1 ••••••••02")
    audit.record(Tag.ROLE_CHANGED, actor=acme_admin, subject=tech)
    audit.record(Tag.ROLE_CHANGED, actor=globex_admin, subject=globex_admin)

    response = acme.get(EXPORT, {"kind": str(Tag.PHONE_CHANGED)})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:5] == ["time (UTC)", "kind", "event", "by", "about"]
    assert len(table) == 2
    assert table[1][1:5] == [
        str(Tag.PHONE_CHANGED),
        "Had the mobile number changed",
        "admin@acme.example",
        "tech@acme.example",
    ]


def test_the_export_cannot_smuggle_a_spreadsheet_formula(acme, acme_admin):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.create(
        tag=str(Tag.PASSWORD_REFUSED),
        firm=acme_admin.firm,
        user_agent='=HYPERLINK("http://evil.example","click")',
        data={"email": "@evil"},
    )
    AuditEvent.objects.create(
        tag=str(Tag.PASSWORD_REFUSED), firm=acme_admin.firm, user_agent="-2+3"
    )

    cells = [cell for row in rows(acme.get(EXPORT))[1:] for cell in row]

    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'-2+3" in cells


# Every lead a spreadsheet reads as a formula (OWASP CSV injection), fullwidth and small
# forms included: NFKC makes them the characters they stand for.
FORMULA_LEADS = ["=", "+", "-", "@", "|", "\t", "\r", "\n",
                 "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c",  # fullwidth ＝＋－＠｜
                 "\ufe66", "\ufe62", "\ufe63", "\ufe6b", "\u207c"]  # small ﹦﹢﹣﹫, superscript ⁼


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_no_formula_lead_reaches_the_export_unquoted(acme, acme_admin, lead):
    AuditEvent.objects.all().delete()
    agent = lead + 'cmd|" /C calc"!A0'
    AuditEvent.objects.create(tag=str(Tag.PASSWORD_REFUSED), firm=acme_admin.firm,
                              user_agent=agent)

    cells = [cell for row in rows(acme.get(EXPORT))[1:] for cell in row]

    assert "'" + agent in cells
    assert agent not in cells


def test_text_that_only_contains_a_formula_sign_is_exported_as_is(acme, acme_admin):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.create(tag=str(Tag.PASSWORD_REFUSED), firm=acme_admin.firm,
                              user_agent="curl/8.5 (a=b|c)")

    cells = [cell for row in rows(acme.get(EXPORT))[1:] for cell in row]

    assert "curl/8.5 (a=b|c)" in cells


def test_the_activity_page_costs_the_same_queries_for_few_or_many_events(
    acme, acme_admin, demo_world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    acme.get(URL)
    with CaptureQueriesContext(connection) as few:
        acme.get(URL)
    tech = demo_world["tech@acme.example"]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                tag=str(Tag.PHONE_CHANGED), firm=acme_admin.firm, actor=acme_admin, subject=tech
            )
            for _ in range(500)
        ]
    )

    with django_assert_num_queries(len(few)):
        acme.get(URL)


def test_every_tag_has_words_and_a_filter_group():
    grouped = [tag for kinds in audit.KINDS.values() for tag in kinds]
    older = set(audit.REPLACED_BY)

    assert len(grouped) == len(set(grouped))
    methods_own = {tag for method in methods.registry() for tag in method.audit_words}
    methods_own |= set(EnrolmentTag)  # a first sign-in's set-up
    assert set(Tag) | methods_own == set(grouped) | older
    assert all(audit.WORDS.get(str(tag)) for tag in [*Tag, *methods_own])


def test_the_page_says_each_event_in_words_and_an_approved_push_by_its_method(
    acme, acme_admin, demo_world
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    audit.record(PushTag.PUSH_APPROVED, subject=tech)
    audit.record(Tag.FACTOR_ACCEPTED, subject=tech, method="push")
    audit.record(Tag.TOKEN_ACCEPTED, subject=tech, method="sms")  # an older event

    body = acme.get(URL).content.decode()

    assert "Approved a sign-in on the phone" in body
    assert "Passed the second step by approving on the phone" in body
    assert "Passed the second step with a texted token" in body
    assert "account:two_factor" not in body.split('id="events-heading"')[1]


def test_the_kind_filter_offers_groups_in_words_and_a_group_selects_its_kinds(
    acme, acme_admin, demo_world
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    audit.record(Tag.PHONE_CHANGE_REQUESTED, subject=tech)
    audit.record(Tag.PHONE_CHANGE_CANCELLED, subject=tech)
    audit.record(Tag.FACTOR_ACCEPTED, subject=tech, method="sms")
    audit.record(Tag.TOKEN_ACCEPTED, subject=tech, method="sms")

    body = acme.get(URL).content.decode()
    lost = acme.get(URL, {"kind": "group:Lost phones"}).context["page"].items
    passed = acme.get(URL, {"kind": str(Tag.FACTOR_ACCEPTED)}).context["page"].items

    assert '<optgroup label="Second factor">' in body
    assert '<option value="group:Lost phones">Any: lost phones</option>' in body
    assert ">Approved a sign-in on the phone</option>" in body
    assert {e.tag for e in lost} == {
        str(Tag.PHONE_CHANGE_REQUESTED), str(Tag.PHONE_CHANGE_CANCELLED)
    }
    assert len(passed) == 2  # the older tag is found under its new kind


@pytest.mark.parametrize("typed", ["terry", "TERRY ACME", "tech@", "H@ACME.EX"])
def test_the_person_filter_finds_part_of_a_name_or_email_in_any_case(
    acme, acme_admin, demo_world, typed
):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    audit.record(Tag.PHONE_CHANGED, actor=acme_admin, subject=tech)
    audit.record(Tag.SIGNED_IN, subject=demo_world["user@contoso.example"])

    response = acme.get(URL, {"person": typed})

    assert [e.subject for e in response.context["page"].items] == [tech]
    assert "Terry Acme" in response.content.decode()


def test_a_name_search_never_reaches_another_firm(acme, globex_admin):
    AuditEvent.objects.all().delete()
    audit.record(Tag.ROLE_CHANGED, actor=globex_admin, subject=globex_admin)

    response = acme.get(URL, {"person": "globex"})

    assert response.context["page"] is None and response.context["rows"] == []
    assert "No one in your firm has “globex” in their name or email address." in (
        response.content.decode()
    )
    assert acme.get(EXPORT, {"person": "globex"}).status_code == 400


def test_the_dates_select_whole_utc_days_both_included(acme, acme_admin):
    AuditEvent.objects.all().delete()
    for stamp in ["2025-03-01T23:59:59", "2025-03-02T00:00:00", "2025-03-03T23:59:59",
                  "2025-03-04T00:00:00"]:
        AuditEvent.objects.create(
            tag=str(Tag.SIGNED_IN), firm=acme_admin.firm, subject=acme_admin,
            created_at=datetime.fromisoformat(stamp).replace(tzinfo=UTC),
        )

    shown = acme.get(URL, {"since": "2025-03-02", "until": "2025-03-03"}).context["page"].items
    exported = rows(acme.get(EXPORT, {"since": "2025-03-02", "until": "2025-03-03"}))[1:]

    assert sorted(e.created_at.isoformat() for e in shown) == [
        "2025-03-02T00:00:00+00:00", "2025-03-03T23:59:59+00:00"
    ]
    assert len(exported) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2025-02-30"}, "Enter a valid date."),
        ({"until": "yesterday"}, "Enter a valid date."),
        ({"since": "99999-01-01"}, "Enter a valid date."),
        (
            {"since": "2025-03-05", "until": "2025-03-01"},
            "“To” (1 Mar 2025) is before “From” (5 Mar 2025).",
        ),
    ],
)
def test_a_bad_date_is_a_clear_form_error_not_a_500(acme, params, message):
    response = acme.get(URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "No events match" not in response.content.decode()  # the error says why
    assert response.context["page"] is None and response.context["rows"] == []
    assert acme.get(EXPORT, params).status_code == 400


def test_the_last_possible_day_is_not_a_500(acme):
    assert acme.get(URL, {"since": "9999-12-31", "until": "9999-12-31"}).status_code == 200
    assert acme.get(URL, {"since": "0001-01-01"}).status_code == 200


def test_the_filters_are_carried_through_the_pages(acme, acme_admin, demo_world):
    AuditEvent.objects.all().delete()
    tech = demo_world["tech@acme.example"]
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                tag=str(Tag.SIGNED_IN if i % 2 else Tag.SIGNED_OUT), firm=acme_admin.firm,
                subject=tech if i % 3 else acme_admin, created_at=now - timedelta(seconds=i),
            )
            for i in range(300)
        ]
    )
    params = {"person": "terry", "kind": str(Tag.SIGNED_IN), "since": f"{now:%Y-%m-%d}"}
    expected = AuditEvent.objects.filter(tag=Tag.SIGNED_IN, subject=tech).count()

    seen, response = [], acme.get(URL, params)
    while True:
        seen += [e.pk for e in response.context["page"].items]
        found = re.search(r'href="\?([^"]*)" rel="next"', response.content.decode())
        if not found:
            break
        response = acme.get(f"{URL}?{html.unescape(found.group(1))}")

    assert len(seen) == len(set(seen)) == expected
    assert set(AuditEvent.objects.filter(pk__in=seen).values_list("tag", flat=True)) == {
        str(Tag.SIGNED_IN)
    }


@pytest.mark.parametrize("person_id", ["\u00b2", "1\u00b2", "9" * 30, "0", "-3", "x"])
def test_a_person_id_that_is_no_whole_number_is_a_clear_error_not_a_500(acme, person_id):
    page = acme.get(URL, {"person_id": person_id})
    export = acme.get(EXPORT, {"person_id": person_id})

    assert page.status_code == 200
    assert "This link names no one" in page.content.decode()
    assert page.context["page"] is None and page.context["rows"] == []
    assert export.status_code == 400
    assert "This link names no one" in export.content.decode()
