"""Every Admin page, for every method, refuses techs and end users (403) and sends
anonymous visitors to log in; no Admin page answers a form posted without CSRF."""

import pytest

from manage.urls import urlpatterns
from tests.signing_in import sign_in


def admin_urls(people: dict) -> list[str]:
    """Every URL under /manage/, with real ids of the admin's own firm filled in."""
    casey = people["user@contoso.example"]
    tech = people["tech@acme.example"]
    ids = {"pk": tech.pk, "client_pk": casey.client_id, "person_id": tech.pk}
    urls = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if not route.startswith("manage/"):
            continue
        if "users/<int:pk>" in route:
            ids_here = {**ids, "pk": casey.pk}
        elif route.startswith("manage/clients/<int:pk>"):
            ids_here = {**ids, "pk": casey.client_id}
        else:
            ids_here = ids
        for name, value in ids_here.items():
            route = route.replace(f"<int:{name}>", str(value))
        route = route.replace("<slug:action>", "unlock")
        route = route.replace("<slug:method>/<str:factor_id>", "push/1")
        route = route.replace("<uuid:request_id>", "00000000-0000-4000-8000-000000000000")
        urls.append("/" + route)
    return urls


def test_the_list_of_admin_urls_covers_every_admin_page(demo_world):
    assert len(admin_urls(demo_world)) == 19  # the policies post to the page that shows them


@pytest.mark.parametrize("email", ["tech@acme.example", "user@contoso.example"])
def test_techs_and_end_users_get_403_on_every_admin_page(client, demo_world, email):
    sign_in(client, email)

    for url in admin_urls(demo_world):
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url, {"two_factor_required": "no"}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in_from_every_admin_page(client, demo_world):
    for url in admin_urls(demo_world):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
