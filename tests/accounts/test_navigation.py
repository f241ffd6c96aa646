"""The Admin menu is for firm admins; everyone else gets 403 on Admin pages."""

import pytest

from tests.conftest import PASSWORD

ADMIN_PAGES = ["/manage/employees/", "/manage/clients/", "/manage/activity/"]


def sign_in(client, email):
    client.post("/login/", {"email": email, "password": PASSWORD})


def test_a_firm_admin_sees_the_admin_menu(client, demo_world):
    sign_in(client, "admin@globex.example")

    body = client.get("/dashboard/").content.decode()
    assert "<summary>Admin</summary>" in body
    for label in ("Manage Employees", "Manage Clients", "Activity", "Security", "Sign out"):
        assert label in body


@pytest.mark.parametrize("email", ["tech@globex.example", "user@fabrikam.example"])
def test_techs_and_end_users_see_no_admin_menu(client, demo_world, email):
    sign_in(client, email)

    body = client.get("/", follow=True).content.decode()
    assert "<summary>Admin</summary>" not in body
    assert "Manage Employees" not in body
    assert "Security" in body


@pytest.mark.parametrize("email", ["tech@globex.example", "user@fabrikam.example"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_techs_and_end_users_get_403_on_admin_pages(client, demo_world, email, url):
    sign_in(client, email)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
