"""The challenge page leads with one way and keeps the rest behind "Other ways to sign in":
which way leads (the default, the strongest, one chosen with ``?way=``, the field after a
wrong code), the others in the registry's order, paused ways left out with the reason, and
a field hint naming only the codes this person has."""

import re
from datetime import timedelta

from django.test import Client as Browser
from django.utils import timezone

from accounts.models import Firm, User
from tests.signing_in import enter_password, type_token
from twofactor.methods.backup_codes import codes as backup_codes

TECH = "tech@acme.example"


def parts(page: str) -> tuple[str, str]:
    """The page's leading way, and what sits behind "Other ways to sign in"."""
    lead = page.split('class="lead-way"')[1].split('id="other-ways-toggle"')[0]
    others = page.split('id="other-ways"')[1].split('class="challenge-links"')[0]
    return lead, others


def test_a_pending_push_leads_and_the_rest_are_one_press_away(pending):
    page = pending.get("/login/verify/").content.decode()

    lead, others = parts(page)
    assert "Approve the request on your phone" in lead and 'id="push-number"' in lead
    assert 'role="status"' in lead and 'name="token"' not in lead
    assert re.search(r'<div id="other-ways" class="other-ways" hidden>', page)
    assert 'aria-expanded="false"' in page and 'aria-controls="other-ways"' in page
    # The others in the registry's order: a texted token, the field, then the way back in.
    assert (others.index("Send SMS token") < others.index('name="token"')
            < others.index("I don't have access to my phone"))
    assert page.count('role="status"') == 1 and "autofocus" not in page
    assert "data-focus-first" in page  # the script focuses the heading, without scrolling


def test_other_ways_open_without_javascript(pending):
    page = pending.get("/login/verify/?others=1").content.decode()

    assert '<div id="other-ways" class="other-ways">' in page
    assert 'aria-expanded="true"' in page


def test_a_way_chosen_on_the_page_leads_and_its_field_is_focused(pending):
    lead, _ = parts(pending.get("/login/verify/?way=sms").content.decode())

    assert "Send SMS token" in lead and 'name="token"' in lead and "autofocus" in lead


def test_a_way_that_is_not_offered_cannot_be_chosen(pending):
    Firm.objects.filter(name="Acme IT").update(allowed_methods=["push"])
    for way in ("sms", "../sms", "backup_code", ""):
        response = pending.get("/login/verify/", {"way": way})
        assert response.status_code == 200
        lead, _ = parts(response.content.decode())
        assert "Approve the request on your phone" in lead


def test_after_a_wrong_code_the_field_leads_with_its_error(pending):
    response = type_token(pending, "000000")

    lead, _ = parts(response.content.decode())
    assert 'name="token"' in lead and 'class="error"' in lead and "autofocus" in lead


def test_paused_pushes_are_left_out_with_the_reason(demo_world):
    User.objects.filter(email=TECH).update(
        push_paused_until=timezone.now() + timedelta(minutes=30))
    browser = Browser()
    enter_password(browser)

    page = browser.get("/login/verify/").content.decode()

    assert "Push requests to your phone are paused until" in page
    assert "Send a request to your phone" not in page and 'role="status"' not in page
    assert "We sent" not in page
    lead, _ = parts(page)
    assert "Send SMS token" in lead and "autofocus" in lead


def test_the_hint_names_only_the_codes_this_person_has(demo_world):
    browser = Browser()
    enter_password(browser)
    hint = re.search(r'id="id_token_helptext">([^<]*)<',
                     browser.get("/login/verify/").content.decode()).group(1)
    assert hint == "The token from our text message."

    backup_codes.generate(User.objects.get(email=TECH))
    Firm.objects.filter(name="Acme IT").update(allowed_methods=["push"])
    hint = re.search(r'id="id_token_helptext">([^<]*)<',
                     browser.get("/login/verify/").content.decode()).group(1)
    assert "backup code" in hint and "text message" not in hint
