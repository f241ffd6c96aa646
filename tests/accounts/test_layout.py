"""The layout's links (reversed once per process) follow the address the portal is mounted
at, and a verified page reads the session once and the person, with firm and client, once."""

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.signing_in import request_token, sign_in, type_token

LAYOUT_LINKS = ('href="{p}/"', 'href="{p}/security/"', 'href="{p}/login/help/"',
                'href="{p}/manage/employees/"', 'href="{p}/manage/clients/"',
                'href="{p}/manage/activity/"', 'action="{p}/logout/"')


def test_the_layout_links_every_page_of_its_menu(demo_world):
    admin = sign_in(Client(), "admin@acme.example")

    body = admin.get("/dashboard/").content.decode()

    for link in LAYOUT_LINKS:
        assert link.format(p="") in body


def served_at(prefix: str, client: Client, path: str) -> str:
    """``path`` as Django's WSGI handler serves it mounted at ``prefix`` (SCRIPT_NAME), the
    way gunicorn passes a mount point (the test client does not set the script prefix)."""
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    environ = RequestFactory().get(path, SCRIPT_NAME=prefix, HTTP_COOKIE=cookie).environ
    answer = {}
    # As Django's test client does: the test's database connection stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: answer.update(s=status))
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert answer["s"].startswith("200"), answer["s"]
    return body.decode()


def test_the_layout_links_follow_the_mount_point_from_one_request_to_the_next(demo_world):
    admin = sign_in(Client(), "admin@acme.example")
    at_root = served_at("", admin, "/dashboard/")

    mounted = served_at("/portal", admin, "/dashboard/")

    for link in LAYOUT_LINKS:
        assert link.format(p="") in at_root
        assert link.format(p="/portal") in mounted
    assert 'href="/portal/' not in served_at("", admin, "/dashboard/")


def test_a_verified_dashboard_reads_the_session_and_the_person_once(
    pending, sms_outbox, settings
):
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")  # the first request after signing in stamps the session

    with CaptureQueriesContext(connection) as queries:
        response = pending.get("/dashboard/")

    assert response.status_code == 200
    assert "Acme IT" in response.content.decode()  # the firm's name, from the same query
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries]
    sessions = [] if settings.SESSION_ENGINE.endswith(".cache") else ['"django_session"']
    assert tables == [*sessions, '"accounts_user"']  # sessions in Redis cost no query


def test_an_end_users_page_reads_their_client(demo_world):
    end_user = sign_in(Client(), "user@contoso.example")

    response = end_user.get("/", follow=True)

    assert response.status_code == 200
    assert "Contoso Dental" in response.content.decode()
