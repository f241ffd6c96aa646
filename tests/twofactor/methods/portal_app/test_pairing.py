"""Pairing a phone: the link (single use, 10 minutes, one person's) and the code the desktop
types back. Each attack fails if its check is removed."""

from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from tests.signing_in import signed_in_by_text
from tests.twofactor.methods.portal_app.conftest import SET_UP, paired_phone
from tests.twofactor.methods.portal_app.phone import Phone, link_secret
from twofactor.methods.push.portal_app.models import AppPhone, Pairing


def test_the_set_up_page_shows_the_link_as_a_qr_code_and_as_text(desktop):
    page = desktop.get(SET_UP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Link for your phone" in html and "Code shown on the phone" in html
    assert ">Confirm<" in html
    secret = link_secret(html)
    assert Pairing.objects.get().secret_hash != secret  # only its hash is stored
    qr = desktop.get(SET_UP + "qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_a_phone_counts_only_after_the_desktop_types_its_code(desktop):
    mail.outbox.clear()
    phone = Phone(Client(), "Pixel 8")
    response = phone.pair(link_secret(desktop.get(SET_UP).content.decode()))
    assert response.status_code == 201
    body = response.json()
    assert len(body["code"]) == 6 and body["code"].isdigit()
    assert body["firm"] == "Acme IT" and body["vapid_public_key"]
    assert phone.listing().json()["confirmed"] is False
    assert not AppPhone.objects.filter(confirmed=True).exists()

    response = desktop.post(SET_UP, {"code": phone.code})
    assert response["Location"] == "/security/"
    assert AppPhone.objects.get().confirmed
    assert phone.listing().json()["confirmed"] is True
    assert "Pixel 8" in desktop.get("/security/").content.decode()
    assert AuditEvent.objects.filter(tag="account:two_factor:push_app_added").exists()
    assert any("phone was added" in message.subject for message in mail.outbox)


def test_a_pairing_link_works_once(desktop):
    secret = link_secret(desktop.get(SET_UP).content.decode())
    assert Phone(Client()).pair(secret).status_code == 201
    second = Phone(Client()).pair(secret)
    assert second.status_code == 410 and "used already" in second.json()["error"]
    assert AppPhone.objects.count() == 1


def test_an_expired_link_pairs_nothing(desktop, time_travel):
    secret = link_secret(desktop.get(SET_UP).content.decode())
    time_travel(10 * 60 + 1)
    response = Phone(Client()).pair(secret)
    assert response.status_code == 410 and "expired" in response.json()["error"]
    assert not AppPhone.objects.exists()


def test_a_made_up_secret_pairs_nothing(desktop):
    desktop.get(SET_UP)
    response = Phone(Client()).pair("x" * 43)
    assert response.status_code == 404 and not AppPhone.objects.exists()


def test_whoever_opens_a_leaked_link_pairs_nothing_without_the_desktops_code(desktop):
    """The thief's phone gets a code, but only the desktop that made the link can type it,
    and guessing ends the pairing after five wrong codes."""
    thief = Phone(Client(), "Not yours")
    assert thief.pair(link_secret(desktop.get(SET_UP).content.decode())).status_code == 201
    wrong = f"{(int(thief.code) + 1) % 10**6:06d}"
    for _ in range(4):
        page = desktop.post(SET_UP, {"code": wrong})
        assert page.status_code == 400 and "not the code on the phone" in page.content.decode()
    page = desktop.post(SET_UP, {"code": wrong})
    assert "too many times" in page.content.decode()
    assert not AppPhone.objects.exists()
    assert desktop.post(SET_UP, {"code": thief.code}).status_code == 400
    assert not AppPhone.objects.filter(confirmed=True).exists()


def test_a_code_typed_on_another_persons_desktop_confirms_nothing(
    desktop, demo_world, sms_outbox
):
    """The pairing is bound to the person who made the link: another signed-in person who
    learns its id and the phone's code cannot confirm it."""
    phone = Phone(Client())
    phone.pair(link_secret(desktop.get(SET_UP).content.decode()))
    pairing = Pairing.objects.get()
    other = signed_in_by_text(Client(), sms_outbox, "admin@acme.example")
    session = other.session
    session["portal_app.pairing"] = {"id": str(pairing.pk), "secret": "unknown"}
    session.save()
    response = other.post(SET_UP, {"code": phone.code})
    assert response.status_code == 400
    assert not AppPhone.objects.filter(confirmed=True).exists()


def test_adding_a_phone_follows_the_rule_for_adding_a_factor(client, demo_world):
    from tests.signing_in import sign_in

    sign_in(client, "tech@acme.example", fresh_password=False)
    response = client.get(SET_UP)
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not Pairing.objects.exists()


def test_a_bad_name_or_key_is_refused_with_a_message(desktop):
    secret = link_secret(desktop.get(SET_UP).content.decode())
    phone = Phone(Client(), name="")
    response = phone.pair(secret)
    assert response.status_code == 400 and "name" in response.json()["error"]
    response = phone.post("/app/api/pair", {"secret": secret, "name": "Phone",
                                            "public_key": "AAAA"})
    assert response.status_code == 400 and "key" in response.json()["error"]
    assert phone.post("/app/api/pair", {"secret": [1]}).status_code == 400
    form = phone.client.post("/app/api/pair", {"secret": secret})
    assert form.status_code == 415
    assert Phone(Client()).pair(secret).status_code == 201  # nothing was spent by the above


def test_several_phones_per_person(desktop):
    paired_phone(desktop, "iPhone")
    paired_phone(desktop, "iPad")
    page = desktop.get("/security/").content.decode()
    assert "Phones with the app" in page and "iPhone" in page and "iPad" in page


def test_a_new_link_ends_the_unfinished_one(desktop):
    first = link_secret(desktop.get(SET_UP).content.decode())
    desktop.post(SET_UP, {"new": "1"})
    second = link_secret(desktop.get(SET_UP).content.decode())
    assert first != second
    assert Phone(Client()).pair(first).status_code == 404
    assert Phone(Client()).pair(second).status_code == 201


def test_the_code_must_be_typed_within_ten_minutes_of_the_phone_opening_the_link(
    desktop, time_travel
):
    phone = Phone(Client())
    phone.pair(link_secret(desktop.get(SET_UP).content.decode()))
    Pairing.objects.update(used_at=timezone.now() - timedelta(minutes=11))
    response = desktop.post(SET_UP, {"code": phone.code})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not AppPhone.objects.filter(confirmed=True).exists()
