"""No signed-in page is kept by a browser's cache or a proxy: ``Cache-Control: no-store`` on
every answer to a session, on every URL; static files keep their long cache."""

from django.http import HttpResponse
from django.test import Client
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_http_date

from tests.conftest import PASSWORD
from tests.signing_in import sign_in
from tests.test_every_url import ROUTES, fill, world  # noqa: F401 (a fixture)


def stored(response) -> bool:
    return "no-store" not in response.get("Cache-Control", "")


def test_every_page_a_signed_in_admin_opens_carries_no_store(world):  # noqa: F811
    admin = sign_in(Client(raise_request_exception=False), "admin@acme.example")

    kept = [route for route in ROUTES if stored(admin.get(fill(route, world)))]

    assert kept == []


def test_the_signed_in_home_page_and_security_page_carry_no_store(demo_world):
    tech = sign_in(Client(), "tech@acme.example")

    for path in ("/", "/security/"):
        response = tech.get(path, follow=True)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path


def test_the_challenge_page_half_way_through_signing_in_carries_no_store(demo_world):
    client = Client()
    client.post("/login/", {"email": "tech@acme.example", "password": PASSWORD})

    response = client.get("/login/verify/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_cache_for_a_signed_in_person(demo_world):
    tech = sign_in(Client(), "tech@acme.example")

    response = tech.get("/static/css/portal.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def test_a_signed_in_page_carries_djangos_whole_never_cache_headers(demo_world):
    tech = sign_in(Client(), "tech@acme.example")
    expected = HttpResponse()
    add_never_cache_headers(expected)

    response = tech.get("/security/")

    assert response["Cache-Control"] == expected["Cache-Control"]
    assert parse_http_date(response["Expires"]) <= parse_http_date(expected["Expires"])
