"""Admin > Security overview: how many people can sign in each way, who has only SMS or
nothing, "Remind them" (an email to the Security page, audited, once a day per person, only
for the admin's own firm), and the last 30 days of sign-ins as a chart and a table that say
the same numbers, each in one query."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client as Browser
from django.utils import timezone

from accounts.audit import Tag
from accounts.models import AuditEvent, Client, Firm, User
from manage import overview
from tests.conftest import PASSWORD
from tests.signing_in import sign_in
from twofactor import methods
from twofactor.conf import conf
from twofactor.methods.backup_codes.models import BackupCode
from twofactor.methods.push.tags import PushTag
from twofactor.methods.security_key.models import SecurityKey
from twofactor.methods.totp.models import AuthenticatorApp
from twofactor.models import PhoneDevice

URL = "/manage/security-overview/"


def remind_url(person: User) -> str:
    return f"/manage/security-overview/people/{person.pk}/remind/"


def people(firm: Firm, prefix: str, count: int, *, phone: bool = False,
           client: Client | None = None, active: bool = True) -> list[User]:
    """``count`` people of ``firm`` (end users of ``client`` if given), made in one insert."""
    start = User.objects.count() * 100  # distinct numbers across calls
    return User.objects.bulk_create(
        User(
            email=f"{prefix}{n}@{firm.name.lower()}.example", full_name=f"{prefix.title()} {n}",
            firm=firm, client=client, is_active=active, password="!",
            role=User.Role.END_USER if client else User.Role.TECH,
            phone=f"+1201555{start + n:04d}" if phone else "",
        )
        for n in range(count)
    )


def with_keys(users: list[User]) -> None:
    SecurityKey.objects.bulk_create(
        SecurityKey(user=u, name="Key", credential_id=f"key-{u.pk}".encode(), public_key=b"k")
        for u in users
    )


def with_apps(users: list[User]) -> None:
    AuthenticatorApp.objects.bulk_create(
        AuthenticatorApp(user=u, name="App", confirmed=True, encrypted_secret="x") for u in users
    )


def with_push(users: list[User]) -> None:
    PhoneDevice.objects.bulk_create(
        PhoneDevice(user=u, name="Mobile phone", number=u.phone,
                    provider=conf.TWOFACTOR_PROVIDER, registered_at=timezone.now())
        for u in users
    )


def with_backup_codes(users: list[User]) -> None:
    BackupCode.objects.bulk_create(BackupCode(user=u, digest="d" * 64) for u in users)


@pytest.fixture
def initech(db):
    """A firm whose employees sign in in different ways, and a client that allows only keys
    and authenticator apps."""
    firm = Firm.objects.create(name="Initech")
    umbrella = Client.objects.create(firm=firm, name="Umbrella",
                                     allowed_methods=["security_key", "totp"])
    keyed = people(firm, "keyed", 3, phone=True)  # a key, and SMS by their number
    with_keys(keyed)
    with_apps(people(firm, "apped", 2))
    pushed = people(firm, "pushed", 1, phone=True)
    with_push(pushed)
    texted = people(firm, "texted", 4, phone=True)
    bare = people(firm, "bare", 2)
    with_backup_codes(bare[:1])  # backup codes are a way back in, not a way to sign in
    people(firm, "gone", 1, active=False)  # cannot sign in: not counted
    texted_end_users = people(firm, "clienttexted", 1, phone=True, client=umbrella)
    with_apps(people(firm, "clientapped", 1, client=umbrella))
    return {"firm": firm, "texted": texted, "bare": bare, "keyed": keyed,
            "client_texted": texted_end_users}


def counts(found: overview.People) -> dict[str, dict[str, int | None]]:
    return {name: {label: count for label, count in cells if count != 0}
            for name, _, cells in found.rows()}


def test_each_way_counts_the_active_people_who_have_it_and_may_use_it(initech):
    found = overview.people(initech["firm"])

    assert [(name, total) for name, total, _ in found.rows()] == [
        ("Employees", 12), ("End users of Umbrella", 2),
    ]
    assert counts(found) == {
        "Employees": {"Security key": 3, "Push": 1, "Authenticator app": 2, "SMS": 8,
                      "Backup code": 1},
        # The client allows keys and apps only: its texted end user cannot use SMS.
        "End users of Umbrella": {"Push": None, "SMS": None, "Email code": None,
                                  "Authenticator app": 1},
    }
    assert found.total == 14
    assert dict(found.totals())["SMS"] == 8


def test_the_people_with_only_sms_or_nothing_are_listed_by_name_and_email(initech):
    found = overview.people(initech["firm"])

    listed = [(p.name, p.email, p.group, p.ways) for p in found.exposed]
    assert listed == [
        ("Bare 0", "bare0@initech.example", "Employees", ()),
        ("Bare 1", "bare1@initech.example", "Employees", ()),
        *[(f"Texted {n}", f"texted{n}@initech.example", "Employees", ("SMS",))
          for n in range(4)],
        ("Clienttexted 0", "clienttexted0@initech.example", "End users of Umbrella", ()),
    ]
    assert found.exposed_count == 7
    assert found.weak_labels == "SMS"


def test_a_long_list_shows_the_first_hundred_and_counts_the_rest(initech):
    people(initech["firm"], "many", overview.LISTED)

    found = overview.people(initech["firm"])

    assert len(found.exposed) == overview.LISTED
    assert found.exposed_count == overview.LISTED + 7


def test_the_people_cost_the_same_few_queries_for_any_number(initech,
                                                             django_assert_num_queries):
    people(initech["firm"], "more", 300, phone=True)

    # the people, the clients' policies, one per way
    with django_assert_num_queries(2 + len(methods.registry())):
        overview.people(initech["firm"])


# The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_counts_and_the_people_to_remind(acme, demo_world):
    page = acme.get(URL).content.decode()

    assert "<h1>Security overview</h1>" in page
    assert "Only SMS or nothing" in page
    assert "nophone@acme.example" in page
    assert page.count(">Remind them<") == 4  # Noel, Terry, Casey, Frankie
    assert "admin@acme.example" not in page.split("Only SMS or nothing")[1]  # has push


def test_the_admin_menu_links_to_the_overview(acme):
    page = acme.get("/manage/activity/").content.decode()

    assert '<a href="/manage/security-overview/">Security overview</a>' in page


@pytest.mark.parametrize("email", ["tech@acme.example", "user@contoso.example"])
def test_techs_and_end_users_are_refused_the_overview_and_reminders(client, demo_world, email):
    sign_in(client, email)
    noel = demo_world["nophone@acme.example"]

    assert client.get(URL).status_code == 403
    assert client.post(remind_url(noel)).status_code == 403
    assert mail.outbox == []


def test_signed_out_visitors_are_sent_to_log_in(client, demo_world):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


# Remind them -------------------------------------------------------------------------------


def test_remind_them_emails_a_link_to_the_security_page_and_is_audited(acme, demo_world):
    noel, admin = demo_world["nophone@acme.example"], demo_world["admin@acme.example"]

    response = acme.post(remind_url(noel), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Sent Noel Acme a reminder at nophone@acme.example" in response.content.decode()
    [sent] = mail.outbox
    assert sent.to == ["nophone@acme.example"]
    assert "Avery Acme (admin@acme.example)" in sent.body
    link = re.search(r"http://testserver/\S*", sent.body).group(0)
    assert link == "http://testserver/security/"
    event = AuditEvent.objects.get(tag=Tag.REMINDED_TO_SET_UP)
    assert (event.actor, event.subject, event.firm_id) == (admin, noel, admin.firm_id)
    assert "Was reminded by email to set up a stronger way" in acme.get(
        "/manage/activity/").content.decode()


def test_reminding_someone_with_no_way_opens_their_set_up_window(acme, demo_world):
    """Noel has no way at all: the reminder opens a set-up window, so the next sign-in walks
    them through one (with an emailed code) instead of ending at "ask your admin"."""
    from twofactor.enrolment import windows

    noel = demo_world["nophone@acme.example"]
    assert not windows.verdict(noel).open
    response = acme.post(remind_url(noel), follow=True)
    assert "opened a set-up window until" in response.content.decode()
    assert windows.verdict(noel).open
    [sent] = mail.outbox
    assert "walks you through" in sent.body
    answer = Browser().post("/login/", {"email": noel.email, "password": PASSWORD})
    assert answer["Location"] == "/login/set-up/"  # the walk-through, not the dead end


def test_the_emailed_link_asks_a_signed_out_person_to_sign_in_first(client, demo_world):
    response = client.get("/security/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/security/"


def test_a_second_reminder_the_same_day_is_held_back_with_when_to_try(acme, demo_world):
    noel = demo_world["nophone@acme.example"]
    acme.post(remind_url(noel))

    response = acme.post(remind_url(noel))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 23 * 3600
    page = response.content.decode()
    assert ("Noel Acme was reminded less than a day ago. "
            "You can remind them again in 24 hours.") in page
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(tag=Tag.REMINDER_THROTTLED, subject=noel).count() == 1


def test_the_limit_is_per_person_not_per_admin(acme, demo_world):
    acme.post(remind_url(demo_world["nophone@acme.example"]))

    response = acme.post(remind_url(demo_world["tech@acme.example"]))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["nophone@acme.example"], ["tech@acme.example"]]
    assert "Today you have no second way to sign in set up" in mail.outbox[0].body
    assert "Today you sign in with SMS alone." in mail.outbox[1].body


def test_a_person_with_a_stronger_way_is_not_emailed(acme, demo_world):
    admin = demo_world["admin@acme.example"]  # push registered when signed in

    response = acme.post(remind_url(admin), follow=True)

    assert "Avery Acme already has a stronger way to sign in. No email was sent." in (
        response.content.decode())
    assert mail.outbox == []


def test_another_firms_person_gives_404_and_nothing_is_sent(acme, demo_world):
    stranger = demo_world["tech@globex.example"]

    response = acme.post(remind_url(stranger))

    assert response.status_code == 404
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(tag__startswith="account:two_factor:remind").exists()


def test_a_deactivated_person_gives_404(acme, demo_world):
    noel = demo_world["nophone@acme.example"]
    User.objects.filter(pk=noel.pk).update(is_active=False)

    assert acme.post(remind_url(noel)).status_code == 404
    assert mail.outbox == []


def test_remind_them_needs_a_post_with_csrf(demo_world, client):
    from django.test import Client as Browser

    browser = Browser(enforce_csrf_checks=True)
    sign_in(browser, "admin@acme.example")
    noel = demo_world["nophone@acme.example"]

    assert browser.get(remind_url(noel)).status_code == 405
    assert browser.post(remind_url(noel)).status_code == 403
    assert mail.outbox == []


# Sign-ins of the last 30 days ---------------------------------------------------------------


def events(firm: Firm, subject: User, *rows: tuple[str, dict, int], days_ago: float = 1):
    at = timezone.now() - timedelta(days=days_ago)
    AuditEvent.objects.bulk_create(
        AuditEvent(tag=str(tag), firm=firm, subject=subject, data=data, created_at=at)
        for tag, data, times in rows for _ in range(times)
    )


@pytest.fixture
def month(demo_world):
    """Acme's last month of sign-ins, and events the chart must not count."""
    tech = demo_world["tech@acme.example"]
    firm = tech.firm
    events(firm, tech,
           (Tag.SIGNED_IN, {"method": "push"}, 3),
           (PushTag.PUSH_DENIED, {"approval": "x"}, 1),
           (Tag.SIGNED_IN, {"method": "sms"}, 2),
           (Tag.TOKEN_REJECTED, {"method": "sms", "reason": "wrong"}, 1),
           (Tag.TOKEN_REJECTED, {"reason": "malformed"}, 2),
           (Tag.SIGNED_IN, {}, 1),  # no second step needed
           (Tag.SIGNED_IN, {"method": "passkey"}, 1),
           (Tag.PASSWORD_ACCEPTED, {}, 7))  # a step, not a sign-in's result
    events(firm, tech, (Tag.SIGNED_IN, {"method": "push"}, 5), days_ago=31)  # too old
    globex = demo_world["tech@globex.example"]
    events(globex.firm, globex, (Tag.SIGNED_IN, {"method": "sms"}, 4))  # another firm
    return firm


def test_sign_ins_are_counted_by_way_and_result_over_30_days(month):
    found = overview.sign_ins(month)

    assert [(way, [count for _, count in cells]) for way, cells in found.rows()] == [
        # Signed in, Rejected, Denied
        ("Push", [3, 0, 1]),
        ("SMS", [2, 1, 0]),
        ("Passkey", [1, 0, 0]),
        ("Password alone", [1, 0, 0]),
        ("Unreadable code", [0, 2, 0]),
    ]
    assert [words for _, words, _ in found.results] == ["Signed in", "Rejected", "Denied"]
    assert found.total == 11


def test_the_sign_ins_cost_one_query(month, django_assert_num_queries):
    with django_assert_num_queries(1):
        overview.sign_ins(month)


class _Tables(HTMLParser):
    """The chart's bars (group, label, count) and the sign-ins table's cells, as read."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: dict[tuple[str, str], int] = {}
        self.table: list[list[str]] = []
        self._bar: tuple[str, str] | None = None
        self._in_count = self._in_table = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "g" and "bar" in attrs.get("class", ""):
            self._bar = (attrs["data-group"], attrs["data-label"])
        elif tag == "text" and self._bar and attrs.get("class") == "chart-count":
            self._in_count = True
        elif tag == "table" and "sign-ins" in attrs.get("class", ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.table.append([])
        elif self._in_table and tag in ("th", "td"):
            self._in_cell = True
            self.table[-1].append("")

    def handle_endtag(self, tag):
        if tag == "text":
            self._in_count = False
        elif tag == "g":
            self._bar = None
        elif tag == "table":
            self._in_table = False
        elif tag in ("th", "td"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_count:
            self.bars[self._bar] = int(data)
        elif self._in_cell:
            self.table[-1][-1] += data.strip()


def test_the_chart_says_the_same_numbers_as_its_table(acme, month):
    page = acme.get(URL).content.decode()
    read = _Tables()
    read.feed(page)

    header, *rows = read.table
    from_table = {(row[0], result): int(count)
                  for row in rows for result, count in zip(header[1:], row[1:], strict=True)
                  if count != "0"}
    assert read.bars == from_table
    assert read.bars[("Push", "Denied")] == 1
    assert 'aria-hidden="true"' in page.split("<svg", 1)[1].split(">", 1)[0]


def test_the_chart_draws_each_bar_to_scale(month):
    from manage import charts

    chart = charts.grouped_bars(overview.sign_ins(month).groups())

    widths = {(bar.group, bar.label): bar.width for bar in chart.bars}
    assert widths[("Push", "Signed in")] == charts.BAR_SPAN
    assert widths[("SMS", "Signed in")] == pytest.approx(charts.BAR_SPAN * 2 / 3, abs=0.1)
    assert len(chart.headings) == 5


def test_a_month_without_sign_ins_says_so(acme, demo_world):
    AuditEvent.objects.all().delete()

    page = acme.get(URL).content.decode()

    assert "No sign-ins in the last 30 days." in page
    assert "<svg" not in page


def test_the_page_costs_the_same_queries_for_a_larger_firm(acme, month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    firm = month
    acme.get(URL)  # the first request after signing in also writes the session
    with CaptureQueriesContext(connection) as small:
        assert acme.get(URL).status_code == 200
    people(firm, "more", 200, phone=True)
    tech = User.objects.get(email="tech@acme.example")
    events(firm, tech, (Tag.SIGNED_IN, {"method": "sms"}, 50))
    with CaptureQueriesContext(connection) as large:
        assert acme.get(URL).status_code == 200

    assert len(large) == len(small), [q["sql"][:90] for q in large]
