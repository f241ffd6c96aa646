"""The simulated phone and lost phones: a second device on the same number (both get the
OneTouch request, the first answer counts), and texts to a new number on nobody's profile."""

from tests.signing_in import latest_approval
from tests.twofactor.recovery.lost_phones import NEW_NUMBER, NEW_NUMBER_TYPED, pending_client
from twofactor.phone_sim.models import SimulatedHandset

PHONE = "/dev/phone/"


def test_a_second_device_on_the_same_number_gets_the_same_onetouch_request(pending, demo_world):
    tech = demo_world["tech@acme.example"]
    pending.post(f"{PHONE}phones/{tech.pk}/devices/")
    handset = SimulatedHandset.objects.get(number=tech.phone)
    page = pending.get(PHONE).content.decode()
    assert f'aria-label="{handset.name} of tech@acme.example"' in page
    approval = latest_approval(pending)
    assert page.count(f"{PHONE}requests/{approval.pk}/{approval.match_number}/") == 2


def test_the_first_answer_counts(pending, demo_world):
    tech = demo_world["tech@acme.example"]
    pending.post(f"{PHONE}phones/{tech.pk}/devices/")
    approval = latest_approval(pending)
    pending.post(f"{PHONE}requests/{approval.pk}/{approval.match_number}/")  # on the tablet
    late = pending.post(f"{PHONE}requests/{approval.pk}/deny/", follow=True)  # on the phone
    assert "already answered" in late.content.decode()
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert pending.post("/login/verify/", {"action": "check"})["Location"] == "/"


def test_a_device_can_be_removed(client, demo_world):
    tech = demo_world["tech@acme.example"]
    client.post(f"{PHONE}phones/{tech.pk}/devices/")
    client.post(f"{PHONE}devices/{SimulatedHandset.objects.get().pk}/remove/")
    assert not SimulatedHandset.objects.exists()


def test_a_code_texted_to_a_new_number_shows_under_that_number(demo_world):
    browser = pending_client(demo_world["tech@acme.example"])
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    page = browser.get(PHONE).content.decode()
    assert f">{NEW_NUMBER}</h2>" in page and "is your code" in page


def test_the_device_pages_are_404_without_the_simulation(client, demo_world, settings):
    settings.SIMULATED_PHONE = False
    tech = demo_world["tech@acme.example"]
    assert client.post(f"{PHONE}phones/{tech.pk}/devices/").status_code == 404
