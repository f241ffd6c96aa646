"""Sign-in flows as a person's browser runs them, over HTTP against the bench server."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from bench.client import Browser, Response
from bench.sms import latest_token
from bench.world import PASSWORD

CHALLENGE = "/login/verify/"
POLL_URL = re.compile(r'data-status-url="([^"]+)"')
MATCH_NUMBER = re.compile(r'id="push-number".*?<strong class="number">(\d+)</strong>', re.S)


class FlowError(Exception):
    pass


def follow(browser: Browser, response: Response, limit: int = 5) -> Response:
    """Follow redirects to the page a person lands on."""
    for _ in range(limit):
        if response.status not in (301, 302, 303):
            return response
        response = browser.get(response.location)
    raise FlowError("too many redirects")


def enter_password(browser: Browser, email: str) -> Response:
    """Open the login page and sign in with the password."""
    browser.get("/login/")
    response = browser.post("/login/", {"email": email, "password": PASSWORD})
    if response.status != 302:
        raise FlowError(f"password step answered {response.status}")
    return response


def sign_in(browser: Browser, email: str, phone: str = "") -> Response:
    """Password, then (when asked) the SMS token the local provider texted to ``phone``,
    then the landing page. Returns the landing page."""
    response = enter_password(browser, email)
    if response.location.startswith(CHALLENGE):
        response = answer_with_sms(browser, phone)
    landing = follow(browser, response)
    if landing.status != 200:
        raise FlowError(f"landing page answered {landing.status}")
    return landing


def answer_with_sms(browser: Browser, phone: str) -> Response:
    """On the challenge page: "Send SMS token", read the text, type the token, "Sign In"."""
    browser.get(CHALLENGE)
    sent = browser.post(CHALLENGE + "sms/", {})
    if sent.status != 302:
        raise FlowError(f"Send SMS token answered {sent.status}")
    browser.get(sent.location)
    token = latest_token(Path(os.environ["BENCH_SMS_DIR"]), phone)
    response = browser.post(CHALLENGE, {"token": token})
    if response.status != 302:
        raise FlowError(f"the token was refused ({response.status})")
    return response


def pending_attempt(browser: Browser, email: str) -> str:
    """Stop after the password (the session holds a pending attempt); return the OneTouch
    poll URL the challenge page gives this session's script."""
    return poll_url(pending_challenge(browser, email))


def pending_challenge(browser: Browser, email: str) -> str:
    """The password step of ``email``, then the challenge page it leads to (its HTML)."""
    response = enter_password(browser, email)
    if not response.location.startswith(CHALLENGE):
        raise FlowError(f"{email} was not asked for a second factor")
    return browser.get(CHALLENGE).body


def poll_url(page: str) -> str:
    match = POLL_URL.search(page)
    if not match:
        raise FlowError("the challenge page has no OneTouch status to poll")
    return html.unescape(match.group(1))


def match_number(page: str) -> int:
    """The number the challenge page tells the person to pick on the phone."""
    match = MATCH_NUMBER.search(page)
    if not match:
        raise FlowError("the challenge page shows no number to pick")
    return int(match.group(1))
