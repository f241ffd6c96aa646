"""Admin > Manage Employees: the partner account's 2FA switch, the employee table, and
adding, editing, deactivating and unlocking employees, each only inside the admin's firm."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit import Tag
from accounts.models import AuditEvent, Firm, User
from manage import people
from portal.text import CONTROL_MESSAGE
from tests.conftest import PASSWORD
from tests.manage.policy_form import policy_data
from tests.signing_in import another_admin, enter_password, sign_in
from twofactor import methods
from twofactor.models import FactorLock, PhoneDevice
from twofactor.providers.base import ErrorKind, ProviderError

URL = "/manage/employees/"


def edit_url(person: User) -> str:
    return f"{URL}{person.pk}/"


def profile(person: User, **changes) -> dict:
    """What the edit form posts for ``person`` as shown now, with ``changes``."""
    from manage.people import version_of

    data = {
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "version": version_of(person),
    }
    if person.role == User.Role.ADMIN:
        data["is_admin"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def refreshed(person: User) -> User:
    return User.objects.get(pk=person.pk)


def events(tag: Tag):
    return AuditEvent.objects.filter(tag=str(tag))


# The partner account's setting ---------------------------------------------------------


def test_the_page_offers_the_seed_articles_setting_with_yes_and_no(globex):
    body = globex.get(URL).content.decode()

    assert "Enable two-factor authentication for your partner account" in body
    assert 'value="yes"' in body and 'value="no"' in body
    assert '<button type="submit" class="primary">Save</button>' in body


def test_turning_two_factor_on_for_globex_saves_and_is_audited(globex, globex_admin):
    response = globex.post(URL, {"two_factor_required": "yes"})

    assert response.status_code == 302
    assert Firm.objects.get(name="Globex MSP").two_factor_required is True
    event = events(Tag.FIRM_TWO_FACTOR_ON).get()
    assert event.actor == globex_admin and event.firm_id == globex_admin.firm_id


def test_turning_on_while_someone_has_no_phone_lists_them_and_asks_to_confirm(acme, demo_world):
    Firm.objects.filter(name="Acme IT").update(two_factor_required=False)

    body = acme.post(URL, {"two_factor_required": "yes"}).content.decode()

    assert "Noel Acme" in body and "nophone@acme.example" in body
    assert "Turn on anyway" in body
    assert Firm.objects.get(name="Acme IT").two_factor_required is False

    acme.post(URL, {"two_factor_required": "yes", "confirm_missing_phones": "True"})
    assert Firm.objects.get(name="Acme IT").two_factor_required is True


def test_turning_two_factor_off_needs_the_password_again(client, demo_world):
    sign_in(client, "admin@acme.example", fresh_password=False)

    response = client.post(URL, {"two_factor_required": "no", "reauth-password": "wrong"})

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert Firm.objects.get(name="Acme IT").two_factor_required is True


def test_turning_two_factor_off_is_audited_and_told_to_the_other_admins(acme, demo_world):
    other = another_admin(demo_world["admin@acme.example"].firm, "second-admin@acme.example")

    asked = acme.post(URL, {"two_factor_required": "no"})

    assert Firm.objects.get(name="Acme IT").two_factor_required is True  # not yet: asked first
    assert mail.outbox == []
    acme.post(URL, {"two_factor_required": "no", "confirm_off": "True"})
    assert "Turn off two-factor authentication" in asked.content.decode()
    assert Firm.objects.get(name="Acme IT").two_factor_required is False
    assert events(Tag.FIRM_TWO_FACTOR_OFF).count() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "turned two-factor authentication off" in mail.outbox[0].body


def test_a_setting_changed_by_another_admin_meanwhile_is_not_silently_reversed(acme):
    Firm.objects.filter(name="Acme IT").update(two_factor_required=False)  # another admin

    response = acme.post(URL, {"two_factor_required": "no", "shown": "on"}, follow=True)

    assert "Someone else turned two-factor authentication off" in response.content.decode()
    assert Firm.objects.get(name="Acme IT").two_factor_required is False
    assert not events(Tag.FIRM_TWO_FACTOR_OFF).exists()


def test_a_nonsense_setting_gives_a_form_error_not_a_500(globex):
    response = globex.post(URL, {"two_factor_required": "maybe"})

    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#id_two_factor_required_0">' in page  # the summary links to the field
    assert page.count("Choose Yes or No.") == 1  # the error, said once, beside it
    assert Firm.objects.get(name="Globex MSP").two_factor_required is False


# The table -----------------------------------------------------------------------------


def test_the_table_shows_masked_numbers_and_readiness(acme, demo_world):
    tech = demo_world["tech@acme.example"]
    PhoneDevice.objects.create(
        user=tech,
        name="Mobile phone",
        number=tech.phone,
        provider="local",
        registered_at=timezone.now(),
    )
    User.objects.filter(pk=tech.pk).update(last_second_factor_at=timezone.now())
    FactorLock.objects.create(
        user=demo_world["admin@acme.example"],
        failure_count=10,
        locked_until=timezone.now() + timedelta(hours=1),
    )

    body = acme.get(URL).content.decode()

    assert "+1 ••••••••02" in body
    assert "+12015550102" not in body and "201-555-0102" not in body
    assert "Last verified" in body
    assert "No phone" in body  # Noel
    assert "Locked until" in body
    assert "Casey Contoso" not in body  # end users are on their client's page


@pytest.mark.parametrize(
    "typed", ["+12015550102", "+1 201-555-0102", "(201) 555-0102", "201.555.0102", "0102"]
)
def test_search_finds_an_employee_by_number_typed_any_way(acme, typed):
    rows = acme.get(URL, {"q": typed}).content.decode().split("<tbody>")[1]

    assert "Terry Acme" in rows
    assert "Avery Acme" not in rows


@pytest.mark.parametrize("typed", ["terry", "TECH@ACME", "Acme"])
def test_search_finds_employees_by_name_or_email(acme, typed):
    rows = acme.get(URL, {"q": typed}).content.decode().split("<tbody>")[1]

    assert "Terry Acme" in rows


def test_search_never_reaches_another_firm(globex):
    body = globex.get(URL, {"q": "acme"}).content.decode()

    assert "No one matches" in body and "Terry" not in body


def make_employees(firm: Firm, count: int, start: int = 0) -> None:
    hashed = make_password(PASSWORD)  # one hash: 10,000 people in a second
    User.objects.bulk_create(
        [
            User(
                email=f"person{i:06d}@{firm.pk}.example",
                full_name=f"Person {i:06d}",
                role=User.Role.TECH,
                firm=firm,
                password=hashed,
                phone=f"+1201555{i % 10000:04d}" if i % 3 else "",
            )
            for i in range(start, start + count)
        ],
        batch_size=2000,
    )


def queries_for(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_10_or_10000_employees(
    globex, globex_admin, django_assert_num_queries
):
    make_employees(globex_admin.firm, 10)
    globex.get(URL)  # warm the session
    # the session, the person with their firm,
    # one page of people with their locks, their registered phones, one per sign-in method
    # (who has it set up), and the firm's open phone-number change requests
    at_ten = queries_for(globex, URL)
    search_at_ten = queries_for(globex, URL, {"q": "Person 0000"})
    assert at_ten <= 5 + len(methods.registry()) and search_at_ten == at_ten

    make_employees(globex_admin.firm, 10_000, start=10)

    with django_assert_num_queries(at_ten):
        response = globex.get(URL)
    assert len(response.context["page"].items) == 50
    with django_assert_num_queries(at_ten):
        globex.get(URL, {"q": "Person 0000"})
    with django_assert_num_queries(at_ten):
        globex.get(URL, {"cursor": response.context["page"].next_cursor})


def test_pages_walk_forward_and_back_without_losing_anyone(globex, globex_admin):
    make_employees(globex_admin.firm, 120)
    expected = list(
        User.objects.filter(firm=globex_admin.firm)
        .order_by("full_name", "id")
        .values_list("full_name", flat=True)
    )

    seen, pages, url = [], [], URL
    while url:
        response = globex.get(url)
        page = response.context["page"]
        pages.append(page)
        seen += [row.person.full_name for row in page.items]
        url = f"{URL}?cursor={page.next_cursor}" if page.next_cursor else ""
    assert seen == expected
    assert [len(p.items) for p in pages] == [50, 50, 22]

    back = globex.get(URL, {"cursor": pages[2].previous_cursor}).context["page"]
    assert [r.person.full_name for r in back.items] == expected[50:100]
    first = globex.get(URL, {"cursor": back.previous_cursor}).context["page"]
    assert first.first and [r.person.full_name for r in first.items] == expected[:50]


def test_a_tampered_cursor_shows_the_first_page(globex):
    response = globex.get(URL, {"cursor": "eyJkIjoibiJ9:forged:sig"})

    assert response.status_code == 200
    assert response.context["page"].first


# Adding --------------------------------------------------------------------------------


def test_adding_an_employee_invites_them_by_email(globex, globex_admin):
    response = globex.post(
        f"{URL}add/",
        {"full_name": "  Nina   New ", "email": "Nina@Globex.Example", "phone": "201 555 0177"},
    )

    assert response.status_code == 302
    nina = User.objects.get(email="nina@globex.example")
    assert nina.full_name == "Nina New" and nina.role == User.Role.TECH
    assert nina.firm == globex_admin.firm and nina.phone == "+12015550177"
    assert not nina.has_usable_password()
    assert PhoneDevice.objects.get(user=nina).is_registered_for(nina.phone, "local")
    assert mail.outbox[-1].to == ["nina@globex.example"]
    assert "/email/invitation/" in mail.outbox[-1].body
    assert events(Tag.PERSON_ADDED).get().actor == globex_admin


def test_an_empty_add_form_says_what_is_missing(globex):
    body = globex.post(f"{URL}add/", {"full_name": " ", "email": "not-an-email"}).content.decode()

    assert "Enter the person&#x27;s full name." in body
    assert "Enter an email address like name@example.com." in body
    assert 'value="not-an-email"' in body


@pytest.mark.parametrize("name", ["Nina\x00", "Nina\x1b[2J", "Nina \u202eweN", "Ni\x7fna"])
def test_a_name_with_a_control_character_is_refused_with_a_field_error(globex, globex_tech,
                                                                       name):
    added = globex.post(f"{URL}add/", {"full_name": name, "email": "nina@globex.example"})
    edited = globex.post(edit_url(globex_tech), profile(globex_tech, full_name=name))

    for response in (added, edited):
        assert response.status_code == 200
        assert CONTROL_MESSAGE in response.content.decode()
    assert not User.objects.filter(email="nina@globex.example").exists()
    assert refreshed(globex_tech).full_name == globex_tech.full_name


def test_adding_with_a_taken_email_keeps_the_form_filled_in(globex):
    response = globex.post(
        f"{URL}add/",
        {"full_name": "Copy Cat", "email": "TECH@acme.example", "phone": "+44 7700 900123"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "already uses this email address" in body
    assert 'value="Copy Cat"' in body
    assert not User.objects.filter(full_name="Copy Cat").exists()


def test_adding_when_the_provider_is_down_saves_nothing(globex, monkeypatch):
    def refuse(*args, **kwargs):
        raise ProviderError(ErrorKind.UNAVAILABLE)

    monkeypatch.setattr("twofactor.providers.local.LocalProvider.register", refuse)

    response = globex.post(
        f"{URL}add/",
        {"full_name": "Ola Offline", "email": "ola@globex.example", "phone": "+12015550178"},
    )

    assert "not answering right now" in response.content.decode()
    assert not User.objects.filter(email="ola@globex.example").exists()
    assert mail.outbox == []


# Editing -------------------------------------------------------------------------------


def test_an_admin_adds_a_mobile_number_and_everything_follows(globex, globex_admin, globex_tech):
    globex_tech.phone = ""
    globex_tech.save()
    tech_browser = sign_in(HttpClient(), "tech@globex.example", fresh_password=False)

    response = globex.post(
        edit_url(globex_tech),
        profile(globex_tech, phone="+1 (201) 555-0199"),
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    assert refreshed(globex_tech).phone == "+12015550199"
    assert PhoneDevice.objects.get(user=globex_tech).is_registered_for("+12015550199", "local")
    # the person's other sessions end
    assert tech_browser.get("/dashboard/").status_code == 302
    # the person is told, masked
    notice = mail.outbox[-1]
    assert notice.to == ["tech@globex.example"]
    assert "+1 ••••••••99" in notice.body and "5550199" not in notice.body
    event = events(Tag.PHONE_CHANGED).get()
    assert event.actor == globex_admin and event.subject == globex_tech
    assert event.data == {"old": "", "new": "+1 ••••••••99"}
    assert event.ip_address == "203.0.113.9"


def test_an_admin_cannot_change_their_own_number_from_the_edit_form(globex, globex_admin):
    """Their own number changes the way everyone's does (Security page, a code to the new
    number), never at once from Manage Employees."""
    page = globex.get(edit_url(globex_admin)).content.decode()
    assert "on your Security page" in page

    globex.post(edit_url(globex_admin), profile(globex_admin, phone="+12015550198"))

    assert refreshed(globex_admin).phone == "+12015550103"
    assert not events(Tag.PHONE_CHANGED).exists()
    assert globex.get(URL).status_code == 200
    with pytest.raises(people.NotAllowed):
        people.save_profile(
            globex_admin.pk,
            people.Profile(globex_admin.full_name, globex_admin.email, "+12015550198",
                           globex_admin.role),
            people.version_of(globex_admin),
            actor=globex_admin,
        )


def test_a_provider_failure_leaves_the_old_number_and_says_so(globex, globex_tech, monkeypatch):
    def refuse(*args, **kwargs):
        raise ProviderError(ErrorKind.TIMEOUT)

    monkeypatch.setattr("twofactor.providers.local.LocalProvider.register", refuse)

    response = globex.post(edit_url(globex_tech), profile(globex_tech, phone="+12015550197"))

    body = response.content.decode()
    assert "took too long to answer" in body and "not changed" in body
    assert 'value="+1 201-555-0197"' in body
    assert refreshed(globex_tech).phone == "+12015550104"
    assert not events(Tag.PHONE_CHANGED).exists() and mail.outbox == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "too short"),
        ("+999 123 456 789", "country calling code does not exist"),
        ("+1 201 555 0123 4567 89", "too long"),
        ("call me", "Enter a mobile phone number"),
    ],
)
def test_a_bad_number_gets_a_clear_message_and_nothing_changes(globex, globex_tech, typed, message):
    response = globex.post(edit_url(globex_tech), profile(globex_tech, phone=typed))

    assert message in response.content.decode()
    assert refreshed(globex_tech).phone == "+12015550104"


def test_an_email_taken_in_any_case_is_refused(globex, globex_tech):
    response = globex.post(edit_url(globex_tech), profile(globex_tech, email="ADMIN@ACME.example"))

    assert "already uses this email address" in response.content.decode()
    assert refreshed(globex_tech).email == "tech@globex.example"


def test_a_stale_form_says_so_and_keeps_what_was_typed(globex, globex_tech):
    form = profile(globex_tech, full_name="Glen Typed")
    User.objects.filter(pk=globex_tech.pk).update(full_name="Glen Elsewhere")

    response = globex.post(edit_url(globex_tech), form)

    body = response.content.decode()
    assert "Someone else changed this" in body
    assert 'value="Glen Typed"' in body and "Glen Elsewhere" in body
    assert refreshed(globex_tech).full_name == "Glen Elsewhere"
    # Saving again, having seen the current values, applies the change.
    globex.post(
        edit_url(globex_tech), {**form, "version": response.context["form"].data["version"]}
    )
    assert refreshed(globex_tech).full_name == "Glen Typed"


def test_making_a_tech_an_admin_is_audited(globex, globex_tech):
    globex.post(edit_url(globex_tech), profile(globex_tech, is_admin="on"))

    assert refreshed(globex_tech).role == User.Role.ADMIN
    assert events(Tag.ROLE_CHANGED).get().data == {"old": "tech", "new": "admin"}


def test_the_last_active_admin_cannot_remove_their_own_admin_role(globex, globex_admin):
    form = profile(globex_admin)
    del form["is_admin"]

    response = globex.post(edit_url(globex_admin), form)

    assert "last active admin" in response.content.decode()
    assert refreshed(globex_admin).role == User.Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(globex, globex_admin, globex_tech):
    User.objects.filter(pk=globex_tech.pk).update(role=User.Role.ADMIN)
    form = profile(globex_admin)
    del form["is_admin"]

    globex.post(edit_url(globex_admin), form)

    assert refreshed(globex_admin).role == User.Role.TECH
    assert globex.get(URL).status_code == 403


def test_the_edit_form_asks_for_the_password_first(client, demo_world):
    sign_in(client, "admin@globex.example", fresh_password=False)
    tech = demo_world["tech@globex.example"]

    form = client.get(edit_url(tech)).content.decode()
    assert '<label for="id_reauth-password">Your password</label>' in form
    response = client.post(edit_url(tech), profile(tech, phone="+12015550196"))
    assert response.status_code == 200 and "Enter your password." in response.content.decode()
    assert refreshed(tech).phone == "+12015550104"

    saved = client.post(
        edit_url(tech), {**profile(tech, phone="+12015550196"), "reauth-password": PASSWORD}
    )
    assert saved.status_code == 302
    assert refreshed(tech).phone == "+12015550196"


# Deactivating, reactivating, unlocking -------------------------------------------------


def test_deactivating_asks_to_confirm_then_signs_the_person_out(globex, globex_tech):
    tech_browser = sign_in(HttpClient(), "tech@globex.example", fresh_password=False)

    assert (
        "Deactivate Glen Globex?"
        in globex.get(f"{edit_url(globex_tech)}deactivate/").content.decode()
    )
    globex.post(f"{edit_url(globex_tech)}deactivate/")

    assert refreshed(globex_tech).is_active is False
    assert tech_browser.get("/dashboard/").status_code == 302
    assert events(Tag.PERSON_DEACTIVATED).get().subject == globex_tech

    globex.post(f"{edit_url(globex_tech)}reactivate/")
    assert refreshed(globex_tech).is_active is True


def test_the_last_active_admin_cannot_deactivate_themselves(globex, globex_admin):
    response = globex.post(f"{edit_url(globex_admin)}deactivate/", follow=True)

    assert "last active admin" in response.content.decode()
    assert refreshed(globex_admin).is_active is True


def test_unlocking_lifts_a_wrong_token_lock(globex, globex_tech):
    FactorLock.objects.create(
        user=globex_tech, failure_count=10, locked_until=timezone.now() + timedelta(hours=1)
    )
    assert "Unlock" in globex.get(edit_url(globex_tech)).content.decode()

    globex.post(f"{edit_url(globex_tech)}unlock/")

    lock = FactorLock.objects.get(user=globex_tech)
    assert lock.locked_until is None and lock.failure_count == 0
    assert events(Tag.FACTOR_UNLOCKED).get().subject == globex_tech


def test_an_invitation_can_be_sent_again_until_a_password_is_set(globex, globex_tech):
    User.objects.filter(pk=globex_tech.pk).update(password="!unusable")

    globex.post(f"{edit_url(globex_tech)}invite/")

    assert mail.outbox[-1].to == ["tech@globex.example"]


# Tenants -------------------------------------------------------------------------------

PERSON_PAGES = ["", "deactivate/", "reactivate/", "unlock/", "invite/"]


@pytest.mark.parametrize("suffix", PERSON_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_firms_employee_is_not_found(globex, demo_world, suffix, method):
    acme_tech = demo_world["tech@acme.example"]

    response = getattr(globex, method)(f"{edit_url(acme_tech)}{suffix}")

    # GET on a POST-only action is 405 before any lookup; everything else is 404
    assert response.status_code == (
        405 if method == "get" and suffix[:2] in ("re", "un", "in") else 404
    )
    assert refreshed(acme_tech).is_active and refreshed(acme_tech).phone == "+12015550102"


def test_an_end_user_is_not_reachable_as_an_employee(acme, demo_world):
    assert acme.get(edit_url(demo_world["user@contoso.example"])).status_code == 404


def test_extra_form_fields_cannot_move_a_person_to_another_firm_or_client(
    acme, demo_world, globex_tech
):
    acme_client = demo_world["user@contoso.example"].client
    tech = demo_world["tech@acme.example"]
    form = profile(
        tech,
        firm=globex_tech.firm_id,
        firm_id=globex_tech.firm_id,
        client=acme_client.pk,
        role="end_user",
    )

    acme.post(edit_url(tech), form)

    tech = refreshed(tech)
    assert tech.firm_id == demo_world["admin@acme.example"].firm_id
    assert tech.client_id is None and tech.role == User.Role.TECH


def test_an_admin_cannot_make_someone_of_another_firm_an_admin(globex, demo_world):
    acme_tech = demo_world["tech@acme.example"]

    response = globex.post(edit_url(acme_tech), profile(acme_tech, is_admin="on"))

    assert response.status_code == 404
    assert refreshed(acme_tech).role == User.Role.TECH


def test_a_form_posted_without_the_csrf_token_is_refused(demo_world):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(demo_world["admin@globex.example"])

    response = browser.post(URL, {"two_factor_required": "yes"})

    assert response.status_code == 403
    assert Firm.objects.get(name="Globex MSP").two_factor_required is False


def test_an_unknown_action_is_not_found(globex, globex_tech):
    assert globex.post(f"{edit_url(globex_tech)}delete-everything/").status_code == 404


def test_an_email_change_is_told_to_the_old_address(globex, globex_tech):
    globex.post(edit_url(globex_tech), profile(globex_tech, email="glen.new@globex.example"))

    assert refreshed(globex_tech).email == "glen.new@globex.example"
    notice = mail.outbox[-1]
    assert notice.to == ["tech@globex.example"]
    assert "glen.new@globex.example" in notice.body
    assert events(Tag.PROFILE_CHANGED).get().data == {"fields": ["email"]}


def test_turning_2fa_off_takes_the_password_on_the_form_then_a_page_that_names_the_risk(
    client, demo_world
):
    sign_in(client, "admin@acme.example", fresh_password=False)

    assert 'name="reauth-password"' in client.get(URL).content.decode()
    asked = client.post(URL, {"two_factor_required": "no", "reauth-password": PASSWORD})

    page = asked.content.decode()
    assert "Turn off two-factor authentication for Acme IT?" in page
    assert "A password alone will sign your employees in." in page
    button = '<button type="submit" class="danger">Turn off two-factor authentication</button>'
    assert button in page
    assert '<a href="/manage/employees/">Cancel</a>' in page
    assert Firm.objects.get(name="Acme IT").two_factor_required is True
    assert 'name="reauth-password"' not in page  # the password was taken on the form
    response = client.post(URL, {"two_factor_required": "no", "confirm_off": "True"})
    assert response.status_code == 302
    assert Firm.objects.get(name="Acme IT").two_factor_required is False
    assert 'name="reauth-password"' not in client.get(URL).content.decode()  # recent now


def test_the_risk_page_carries_the_rest_of_the_policy_as_ticked(acme):
    ticked = policy_data(Firm.objects.get(name="Acme IT"), two_factor_required="no",
                         phone_region="GB")
    asked = acme.post(URL, ticked).content.decode()
    assert '<input type="hidden" name="phone_region" value="GB"' in asked
    assert Firm.objects.get(name="Acme IT").phone_region == ""
    acme.post(URL, {**ticked, "confirm_off": "True"})
    firm = Firm.objects.get(name="Acme IT")
    assert (firm.two_factor_required, firm.phone_region) == (False, "GB")


def test_turning_2fa_on_needs_no_confirmation(globex):
    response = globex.post(URL, {"two_factor_required": "yes"})
    assert response.status_code == 302
    assert Firm.objects.get(name="Globex MSP").two_factor_required is True


def test_wrong_passwords_on_the_form_end_the_session_at_the_re_entry_limit(client, demo_world,
                                                                           settings):
    """As at "Confirm your password": a stolen session is no password oracle, and the
    sign-in's own limits are not charged (so nobody can lock the owner out this way)."""
    settings.REAUTH_WRONG_PASSWORDS_ALLOWED = 2
    sign_in(client, "admin@acme.example", fresh_password=False)

    first = client.post(URL, {"two_factor_required": "no", "reauth-password": "wrong"})
    second = client.post(URL, {"two_factor_required": "no", "reauth-password": "wrong"})

    assert "That is not your password." in first.content.decode()
    assert second["Location"] == "/login/"
    assert "signed out after 2 wrong passwords" in client.get("/login/").content.decode()
    assert client.get(URL)["Location"].startswith("/login/")
    assert Firm.objects.get(name="Acme IT").two_factor_required is True


def test_an_admin_without_a_number_cannot_turn_2fa_on_and_lock_themselves_out(globex, globex_admin):
    User.objects.filter(pk=globex_admin.pk).update(phone="")
    globex_admin.phone = ""

    response = globex.post(URL, {"two_factor_required": "yes", "confirm_missing_phones": "True"})

    assert "Add your own mobile phone number first" in response.content.decode()
    assert Firm.objects.get(name="Globex MSP").two_factor_required is False
    with pytest.raises(people.NotAllowed):
        people.set_firm_two_factor(globex_admin.firm, True, actor=globex_admin)


def names_shown(client, **params) -> set[str]:
    page = client.get(URL, params).context["page"]
    return {row.person.full_name for row in page.items}


def test_the_table_narrows_to_who_is_not_ready(acme, demo_world):
    tech, admin = demo_world["tech@acme.example"], demo_world["admin@acme.example"]
    PhoneDevice.objects.filter(user=admin).delete()
    PhoneDevice.objects.create(
        user=tech,
        name="Mobile phone",
        number=tech.phone,
        provider="local",
        registered_at=timezone.now(),
    )
    FactorLock.objects.create(
        user=tech, failure_count=10, locked_until=timezone.now() + timedelta(hours=1)
    )

    assert names_shown(acme, show="no_phone") == {"Noel Acme"}
    assert names_shown(acme, show="not_registered") == {"Avery Acme"}
    assert names_shown(acme, show="locked") == {"Terry Acme"}
    assert names_shown(acme, show="locked", q="avery") == set()
    assert names_shown(acme, show="") == {"Avery Acme", "Noel Acme", "Terry Acme"}


def test_an_unknown_filter_is_a_form_error_not_a_500(acme):
    response = acme.get(URL, {"show": "everyone'--"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_readiness_filter_keeps_the_query_count(
    globex, globex_admin, django_assert_num_queries
):
    make_employees(globex_admin.firm, 10)
    globex.get(URL)
    at_ten = queries_for(globex, URL, {"show": "not_registered"})
    make_employees(globex_admin.firm, 2000, start=10)

    with django_assert_num_queries(at_ten):
        response = globex.get(URL, {"show": "not_registered"})
    assert len(response.context["page"].items) == 50
    with django_assert_num_queries(at_ten):
        globex.get(URL, {"show": "not_registered", "cursor": response.context["page"].next_cursor})


def test_the_two_factor_help_names_the_configured_providers_phone_app(client, demo_world, settings):
    client.post("/login/", {"email": "admin@globex.example", "password": "portal-demo-2fa"})

    assert "the Partner Portal phone app" in client.get("/manage/employees/").content.decode()
    settings.TWOFACTOR_PROVIDER = "authy"
    settings.AUTHY_API_KEY = "k" * 32
    assert "the Authy app" in client.get("/manage/employees/").content.decode()


def test_turning_2fa_on_warns_first_and_its_message_survives_the_challenge(client, demo_world):
    enter_password(client, "admin@globex.example")  # Globex: no second factor yet

    before = client.get(URL).content.decode()
    assert "Turning it on applies to you too" in before

    saved = client.post(URL, {"two_factor_required": "yes", "confirm_missing_phones": "True"})
    assert client.get(saved["Location"])["Location"] == "/login/verify/"
    challenge = client.get("/login/verify/").content.decode()

    assert "Two-factor authentication is now on for Globex MSP." in challenge
    assert "It applies to you too" in challenge


def test_a_number_without_a_country_code_is_read_in_the_firms_country(globex, globex_tech):
    Firm.objects.filter(name="Globex MSP").update(phone_region="GB")

    form = globex.get(edit_url(globex_tech)).content.decode()
    response = globex.post(edit_url(globex_tech), profile(globex_tech, phone="07911 123456"))

    assert "Numbers without a country code are read as GB numbers" in form
    assert response.status_code == 302
    assert refreshed(globex_tech).phone == "+447911123456"


def test_without_a_firm_country_numbers_are_read_in_the_portals_default(globex, globex_tech):
    globex.post(edit_url(globex_tech), profile(globex_tech, phone="201 555 0196"))

    assert refreshed(globex_tech).phone == "+12015550196"
