"""The layout's links (reversed once per process) follow the address the portal is mounted
at."""

from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory

from tests.signing_in import sign_in

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
    body = b"".join(WSGIHandler()(environ, lambda status, headers: answer.update(s=status)))
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
