"""A default way for the second step, "Send SMS token" without a page load, and a challenge
page that says what is happening (lock warning, push expiry for the countdown)."""

import re

from django.test import Client

from accounts.models import User
from tests.signing_in import enter_password, latest_approval, send_sms, sign_in, type_token
from twofactor.models import ApprovalRequest, SmsToken


def test_the_security_page_offers_the_ways_the_person_can_use(demo_world):
    page = sign_in(Client(), "tech@acme.example").get("/security/").content.decode()
    assert "Default way to sign in" in page
    assert 'value="push"' in page and 'value="sms"' in page
    assert 'value="backup_code"' not in page and 'value="remembered_browser"' not in page


def test_someone_who_prefers_sms_is_texted_at_the_password_step(demo_world, sms_outbox):
    browser = sign_in(Client(), "tech@acme.example")
    assert browser.post("/security/default-method/", {"method": "sms"}).status_code == 302
    assert User.objects.get(email="tech@acme.example").preferred_method == "sms"

    fresh = Client()
    assert enter_password(fresh)["Location"] == "/login/verify/"

    assert SmsToken.objects.count() == 1 and len(sms_outbox) == 1
    assert not ApprovalRequest.objects.exists()
    assert "We texted a token" in fresh.get("/login/verify/").content.decode()


def test_an_unknown_default_is_refused(demo_world):
    browser = sign_in(Client(), "tech@acme.example")
    browser.post("/security/default-method/", {"method": "backup_code"})
    browser.post("/security/default-method/", {"method": "../sms"})
    assert User.objects.get(email="tech@acme.example").preferred_method == ""


def test_send_sms_token_answers_json_to_the_pages_script(pending, sms_outbox):
    response = pending.post("/login/verify/sms/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is True and "We texted a token" in response.json()["message"]
    again = pending.post("/login/verify/sms/", HTTP_ACCEPT="application/json")
    assert again.status_code == 429 and again.json()["ok"] is False
    assert "Retry-After" in again


def test_send_sms_token_without_javascript_still_posts_normally(pending, sms_outbox):
    # The page then leads with the typed field, so no press of "Other ways" is needed.
    assert send_sms(pending)["Location"] == "/login/verify/?way=sms"
    page = pending.get("/login/verify/?way=sms").content.decode()
    lead = page.split('class="lead-way"')[1].split('id="other-ways-toggle"')[0]
    assert 'name="token"' in lead and "autofocus" in lead and "Send SMS token" in lead


def test_the_page_warns_as_the_lock_nears(pending, settings):
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    for _ in range(settings.TWOFACTOR_FAILURES_BEFORE_LOCK - 2):
        type_token(pending, "000000")
    page = pending.get("/login/verify/").content.decode()
    assert "2 tries left before sign-in locks for an hour" in page


def test_the_push_expiry_is_on_the_page_for_its_countdown(pending):
    approval = latest_approval(pending)
    page = pending.get("/login/verify/").content.decode()
    shown = re.search(r'data-expires-at="([^"]+)"', page).group(1)
    assert shown == approval.expires_at.isoformat()


def test_after_a_denial_the_page_says_so(pending):
    approval = latest_approval(pending)
    pending.post(f"/dev/phone/requests/{approval.pk}/deny/")
    page = pending.get("/login/verify/").content.decode()
    assert "You denied the request on your phone" in page and 'id="push-number"' not in page
    assert "We sent" not in page
