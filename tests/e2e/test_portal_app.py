"""The Partner Portal app end to end: a phone-sized browser pairs from the Security page's
link, gets a real Web Push when its person signs in on the desktop, and approves by tapping
the number; the desktop lands signed in.

Headless Chromium cannot subscribe to a real push service, so the phone's ``PushManager`` is
stood in for (``add_init_script``) with a subscription of the loopback push service
(emulators/web_push.py), which checks the portal's VAPID signature and decrypts the message.
The decrypted message is then delivered to the phone's service worker with the DevTools
protocol (``ServiceWorker.deliverPushMessage``), as the browser would on receiving it; the
notification is read with ``registration.getNotifications()`` and its ``data.url`` opened
(no protocol clicks a notification).
"""

import json
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from emulators.web_push import WebPushService
from tests.e2e.conftest import ARTIFACTS, log_in, number_to_match
from tests.e2e.test_admin_journeys import approve_on_the_simulated_phone, sign_in_with_onetouch
from twofactor.methods.push import approvals
from twofactor.methods.push.portal_app import signatures
from twofactor.methods.push.portal_app.models import AppPhone
from twofactor.models import ApprovalRequest
from twofactor.providers.base import ApprovalStatus

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"
PHONE = {"width": 390, "height": 844}
SCREENS = ARTIFACTS / "screens"

# The page's PushManager, stood in for: subscribe() hands out the loopback service's
# subscription (and remembers the options it was given), getSubscription() the current one.
STAND_IN_PUSH_MANAGER = """
(subscriptionJson) => {
  let current = null;
  const subscription = {
    endpoint: subscriptionJson.endpoint,
    expirationTime: null,
    options: null,
    toJSON() { return subscriptionJson; },
    unsubscribe: async () => { current = null; return true; },
  };
  PushManager.prototype.subscribe = async function (options) {
    await new Promise(resolve => setTimeout(resolve, 500));  // a push service takes a while
    window.standInSubscribeOptions = options;
    subscription.options = {userVisibleOnly: options.userVisibleOnly,
                            applicationServerKey: options.applicationServerKey};
    current = subscription;
    return subscription;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
}
"""


@pytest.fixture
def push_service():
    with WebPushService() as service:
        yield service


def open_phone(browser, live_server, push_service, *, notifications_allowed: bool):
    """A phone-sized browser with the stand-in PushManager."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(10_000)
    if notifications_allowed:
        context.grant_permissions(["notifications"], origin=live_server.url)
    subscription = push_service.new_subscription()
    context.add_init_script(
        script=f"({STAND_IN_PUSH_MANAGER})({json.dumps(subscription)})"
    )
    page = context.new_page()
    page.subscription = subscription
    return page


@pytest.fixture
def phone(browser, live_server, push_service):
    """A phone that allows notifications already."""
    page = open_phone(browser, live_server, push_service, notifications_allowed=True)
    yield page
    page.context.close()


@pytest.fixture
def phone_that_asks(browser, live_server, push_service):
    """A phone whose browser has not been asked about notifications yet."""
    page = open_phone(browser, live_server, push_service, notifications_allowed=False)
    yield page
    page.context.close()


def no_serious_axe_violations(page, name: str) -> None:
    results = Axe().run(page)
    bad = [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"portal-app-{name}.png"), full_page=True)
    assert bad == [], f"{name}: " + "; ".join(bad)


def pair(desktop, phone) -> None:
    """Security > "Set up the Partner Portal app on a phone", the link opened on the phone,
    "Add this phone", and the phone's code typed on the desktop."""
    desktop.goto("/security/")
    desktop.get_by_role("link", name="Set up the Partner Portal app on a phone").click()
    link = desktop.get_by_label("Link for your phone").inner_text().strip()
    secret = link.split("#", 1)[1]
    expect(desktop.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    size = desktop.viewport_size
    no_serious_axe_violations(desktop, "set-up-desktop")
    desktop.set_viewport_size(PHONE)  # the set-up page on a phone-sized screen too
    no_serious_axe_violations(desktop, "set-up-narrow")
    desktop.set_viewport_size(size)

    phone.goto(link)
    expect(phone).not_to_have_url(re.compile(re.escape(secret)))  # dropped from the address
    no_serious_axe_violations(phone, "pair")
    phone.get_by_label("Name of this phone").fill("Work phone")
    phone.get_by_role("button", name="Add this phone").click()
    code = phone.locator("#pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    no_serious_axe_violations(phone, "pairing-code")

    desktop.get_by_label("Code shown on the phone").fill(code.inner_text())
    desktop.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("heading", name="This phone is set up")).to_be_visible()


def wait_for_message(service, endpoint: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = service.messages(endpoint)
        if messages:
            return messages[-1]
        time.sleep(0.1)
    raise AssertionError("no push reached the loopback push service")


def deliver_push(phone, live_server, payload: bytes) -> None:
    """Hand ``payload`` to the phone's service worker, as the browser does on a push."""
    cdp = phone.context.new_cdp_session(phone)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 5
    while not any(r["scopeURL"].endswith("/app/") for r in registrations):
        assert time.monotonic() < deadline, "the app's service worker is not registered"
        phone.wait_for_timeout(50)
    registration = next(r for r in registrations if r["scopeURL"].endswith("/app/"))
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server.url, "registrationId": registration["registrationId"],
        "data": payload.decode(),
    })


def notifications(phone) -> list[dict]:
    return phone.evaluate("""navigator.serviceWorker.ready
        .then(registration => registration.getNotifications())
        .then(shown => shown.map(n => ({
          title: n.title, body: n.body, tag: n.tag, data: n.data,
          requireInteraction: n.requireInteraction})))""")


def test_a_phone_pairs_gets_a_push_and_approves_the_sign_in(
    page, phone, browser, live_server, push_service, seeded
):
    sign_in_with_onetouch(page, browser, live_server, EMAIL, seeded)
    pair(page, phone)

    # Notifications were allowed: the page (not the worker) subscribed with the portal's
    # VAPID key and posted the subscription before saying the phone is set up.
    assert AppPhone.objects.get(name="Work phone").push == "on"
    expect(phone.get_by_role("heading", name="Notifications")).to_be_hidden()
    server_key = phone.evaluate(
        "PortalAppKeys.toB64url(window.standInSubscribeOptions.applicationServerKey)")
    assert phone.evaluate("window.standInSubscribeOptions.userVisibleOnly") is True

    # The desktop signs in again; the push goes out, carrying the request's id only.
    page.get_by_role("button", name="Sign out", exact=True).click()
    log_in(page, EMAIL, seeded)
    number = number_to_match(page)
    message = wait_for_message(push_service, phone.subscription["endpoint"])
    assert message.vapid_key == server_key
    assert set(json.loads(message.payload)) == {"request"}
    assert message.urgency == "high"

    deliver_push(phone, live_server, message.payload)
    # A loaded CI machine can take seconds to wake the worker; one more delivery after 5 s
    # (a push service may also deliver twice: the notification's tag keeps it one).
    started, again = time.monotonic(), False
    while not notifications(phone):
        waited = time.monotonic() - started
        assert waited < 20, "the service worker showed no notification"
        if waited > 5 and not again:
            deliver_push(phone, live_server, message.payload)
            again = True
        phone.wait_for_timeout(50)
    [shown] = notifications(phone)
    request_id = json.loads(message.payload)["request"]
    assert shown["title"] == "Sign-in request for Acme IT"
    assert shown["body"] == "Open to approve or deny."
    assert shown["tag"] == request_id and shown["requireInteraction"] is True

    phone.goto(shown["data"]["url"])
    expect(phone.get_by_role("button", name=number, exact=True)).to_be_visible()
    no_serious_axe_violations(phone, "request")
    phone.get_by_role("button", name=number, exact=True).click()

    expect(phone.get_by_role("status")).to_have_text("Approved. Your computer is signing in.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")


@pytest.fixture
def paired(page, phone, browser, live_server, seeded):
    """The desktop signed in as Acme's tech, the phone paired; then the desktop signs out
    and enters the password again, so a request waits for the phone (no push needed)."""
    sign_in_with_onetouch(page, browser, live_server, EMAIL, seeded)
    pair(page, phone)
    page.get_by_role("button", name="Sign out", exact=True).click()
    log_in(page, EMAIL, seeded)
    return number_to_match(page)


def other_numbers(phone, number: str) -> list[str]:
    request = phone.get_by_role("listitem").filter(has_text="Sign-in to Acme IT")
    expect(request.get_by_role("button", name=number, exact=True)).to_be_visible()
    buttons = request.get_by_role("group").get_by_role("button").all_inner_texts()
    return [text for text in buttons if text != number]


def test_the_start_page_lists_the_request_without_a_push(page, phone, paired):
    phone.goto("/app/")

    request = phone.get_by_role("listitem").filter(has_text="Sign-in to Acme IT")
    expect(request.get_by_role("button", name=paired, exact=True)).to_be_visible()
    expect(request).to_contain_text("Terry Acme")
    assert len(other_numbers(phone, paired)) == 2
    no_serious_axe_violations(phone, "start")


@pytest.mark.parametrize("tap, said, desktop_says", [
    ("wrong", "That was not the number on the sign-in page: the request was denied.", "denied"),
    ("Deny", "Denied.", "denied"),
    ("This wasn't me", re.compile(r"^Reported"), "denied"),
])
def test_a_wrong_number_deny_or_not_me_denies(page, phone, paired, tap, said, desktop_says):
    phone.goto("/app/")
    button = other_numbers(phone, paired)[0] if tap == "wrong" else tap
    phone.get_by_role("button", name=button, exact=True).click()

    expect(phone.get_by_role("status")).to_have_text(said)
    expect(page.get_by_role("status")).to_contain_text(desktop_says)
    expect(phone.get_by_text("No sign-in is waiting for an answer.")).to_be_visible()


def test_a_request_answered_elsewhere_shows_closed(page, phone, paired):
    phone.clock.install()  # no listing every 3 s: the card stays until the tap
    phone.goto("/app/")
    expect(phone.get_by_role("button", name=paired, exact=True)).to_be_visible()
    # Approved on another phone: answered here in the portal, with no page opened beside the
    # phone's (a page opened in the same browser may make the app list again, and the card
    # would go before the tap).
    approval = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING).get()
    assert approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED,
                                   provider=approval.provider)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")

    phone.get_by_role("button", name=paired, exact=True).click()

    expect(phone.get_by_role("status")).to_have_text(
        "This request was already answered, closed or has expired.")


def test_a_removed_phone_is_told_and_forgets_its_key(page, phone, paired, browser, live_server):
    approve_on_the_simulated_phone(browser, live_server, EMAIL, paired)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")
    page.goto("/security/")
    phones = page.get_by_role("region", name="Phones with the app")
    phones.get_by_role("button", name="Remove").click()
    expect(phones.get_by_text("Work phone")).to_have_count(0)

    phone.goto("/app/")
    expect(phone.get_by_role("status")).to_contain_text("This phone was removed")
    expect(phone.get_by_role("heading", name="Set up this phone")).to_be_visible()
    phone.reload()  # forgotten: nothing to ask the portal about
    expect(phone.get_by_role("heading", name="Set up this phone")).to_be_visible()
    expect(phone.get_by_role("status")).to_have_text("")


def test_the_app_opens_offline_from_its_shell(phone, paired):
    phone.goto("/app/")
    expect(phone.get_by_role("button", name=paired, exact=True)).to_be_visible()
    phone.context.set_offline(True)

    phone.reload()

    expect(phone.get_by_role("heading", name="Sign-in requests", level=1)).to_be_visible()
    expect(phone.get_by_role("status")).to_have_text(
        "Could not reach the portal: check this phone's connection and try again.")


IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")


def test_on_an_iphone_the_link_is_copied_for_the_home_screen_app(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE,
                                  user_agent=IPHONE_SAFARI)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    phone = context.new_page()
    link = f"{live_server.url}/app/pair/#the-secret"
    phone.goto(link)

    expect(phone.get_by_text("add this app to your Home Screen first")).to_be_visible()
    phone.get_by_role("button", name="Copy this link").click()
    expect(phone.get_by_text("Copied.")).to_be_visible()
    assert phone.evaluate("navigator.clipboard.readText()") == link
    no_serious_axe_violations(phone, "pair-iphone")

    phone.goto("/app/")  # the Home Screen app: the link is pasted
    phone.get_by_label("Link from your computer").fill(link)
    phone.get_by_role("button", name="Open the link").click()
    expect(phone.get_by_label("Name of this phone")).to_be_visible()
    context.close()


def test_turn_on_notifications_asks_then_subscribes(
    page, phone_that_asks, browser, live_server, seeded
):
    phone = phone_that_asks
    sign_in_with_onetouch(page, browser, live_server, EMAIL, seeded)
    pair(page, phone)
    notifications = phone.get_by_role("region", name="Notifications")
    expect(notifications).to_contain_text("Turn on notifications to hear of a sign-in")
    assert AppPhone.objects.get(name="Work phone").push == "none"

    phone.context.grant_permissions(["notifications"], origin=live_server.url)  # "Allow"
    notifications.get_by_role("button", name="Turn on notifications").click()

    expect(notifications).to_be_hidden()
    assert AppPhone.objects.get(name="Work phone").push == "on"


def test_the_app_writes_the_canonical_json_the_portal_checks(page, live_server, db):
    fields = {"z": "é 😀 \u007f\n\u0001", "a": 10, "m": None, "b": 'x/y"q\\', "purpose": "list"}
    page.goto("/app/")

    written = page.evaluate("fields => PortalAppKeys.canonical(fields)", fields)

    assert written == signatures.canonical(fields)
