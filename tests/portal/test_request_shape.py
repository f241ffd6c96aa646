"""Requests the portal cannot read get a 400 (or 413) that says what was wrong, as text or,
to a script that sent JSON, as JSON; and the error pages never read the form again (they
did, and a 400 became a 500)."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD

FORM = "application/x-www-form-urlencoded"
MANY_FIELDS = "&".join(f"f{i}=1" for i in range(2000))
CSRF_SECRET = "s" * 32


def browser(**kwargs) -> Client:
    """A client checked for CSRF as in production, holding a valid token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, **kwargs)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def post(client: Client, path: str, body: bytes, content_type: str, **headers):
    return client.generic("POST", path, body, content_type,
                          headers={"X-CSRFToken": CSRF_SECRET, **headers})


@pytest.mark.parametrize("path", ["/login/", "/security/", "/"])
def test_a_query_of_2000_fields_is_a_400_that_says_so(path, db):
    response = post(browser(), f"{path}?{MANY_FIELDS}", b"email=x", FORM)

    assert response.status_code == 400
    assert response.content.decode() == "The address has too many fields: at most 1,000."


@pytest.mark.parametrize("path", ["/login/", "/security/", "/"])
def test_a_form_of_2000_fields_is_a_400_that_says_so(path, db):
    response = post(browser(), path, MANY_FIELDS.encode(), FORM)

    assert response.status_code == 400
    assert response.content.decode() == "The form has too many fields: at most 1,000."


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "x-no-such-charset", "utf8"])
@pytest.mark.parametrize("path", ["/login/", "/security/", "/"])
def test_a_body_in_another_encoding_than_utf8_is_a_400_that_says_so(path, charset, db):
    body = "email=tech@acme.example".encode("utf-16" if charset == "utf-16" else "ascii")

    response = post(browser(), path, body, f"{FORM}; charset={charset}")

    assert response.status_code == 400
    assert "send it as UTF-8" in response.content.decode()


def test_a_form_labelled_utf8_is_read(demo_world):
    response = post(browser(), "/login/", f"email=tech@acme.example&password={PASSWORD}"
                    .encode(), f"{FORM}; charset=UTF-8")

    assert response.status_code == 302  # the password step went through


def test_a_script_that_sent_json_is_answered_in_json(db):
    response = post(browser(), f"/login/passkey/?{MANY_FIELDS}", b"{}", "application/json")

    assert response.status_code == 400
    assert response.json() == {"error": "The address has too many fields: at most 1,000."}


def test_a_body_over_the_limit_is_a_413(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = post(browser(), "/login/", b"email=" + b"x" * 2000, FORM)

    assert response.status_code == 413
    assert response.content.decode() == "The request is too large: at most 1 KB."


def test_a_broken_multipart_body_is_a_400(db):
    response = post(browser(), "/login/", b"--B\r\nno headers", "multipart/form-data")

    assert response.status_code == 400
    assert "The form could not be read" in response.content.decode()


def test_a_get_with_2000_query_fields_is_a_400(db):
    response = browser().get(f"/manage/activity/?{MANY_FIELDS}")

    assert response.status_code == 400


def test_a_multipart_form_still_reaches_a_json_endpoint_as_a_refusal(demo_world):
    """The CSRF check reads a multipart form (it consumes the stream); the view then read
    the body: a 500 (RawPostDataException)."""
    client = browser()
    client.post("/login/", {"email": "tech@acme.example", "password": PASSWORD},
                headers={"X-CSRFToken": CSRF_SECRET})
    body = (b"--B\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
            + CSRF_SECRET.encode() + b"\r\n--B--\r\n")

    response = post(client, "/login/verify/key/", body, "multipart/form-data; boundary=B")

    assert response.status_code == 415
    assert "Send the request as JSON" in response.json()["error"]


def test_the_400_page_never_reads_the_form_again(demo_world, settings):
    """Past the shape check (taken out here), a form Django cannot read fails in the CSRF
    check; the 400 page that says so must not read it again."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "request_shape" not in m]
    client = browser()

    for body, content_type in [("email=x".encode("utf-16"), f"{FORM}; charset=utf-16"),
                               (MANY_FIELDS.encode(), FORM)]:
        response = post(client, "/login/", body, content_type)

        assert response.status_code == 400
        assert "Something in that request was wrong" in response.content.decode()


# The application as served (portal.asgi's composition: the long poll's layer in front of
# Django's ASGIHandler), driven as uvicorn drives it.
SERVED_SHAPES = [  # (method, path, query string, body, content type)
    ("GET", "/login/verify/status/", MANY_FIELDS.encode() + b"&request=\xff&sig=%00", b"", ""),
    ("GET", "/login/", b"next=%ff%fe&" + MANY_FIELDS.encode(), b"", ""),
    ("POST", "/login/", b"", "email=x".encode("utf-16"), f"{FORM}; charset=utf-16"),
    ("POST", "/login/", MANY_FIELDS.encode(), b"email=x", FORM),
    ("POST", "/login/passkey/", b"", b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
     b"1\r\n--B--\r\n", "multipart/form-data; boundary=B"),
    ("POST", "/login/passkey/", b"", b"[" * 3000 + b"]" * 3000, "application/json"),
]


async def served_status(method: str, path: str, query: bytes, body: bytes,
                        content_type: str) -> int:
    from asgiref.testing import ApplicationCommunicator
    from django.core.asgi import get_asgi_application

    from twofactor.methods.push.asgi import with_long_poll

    headers = [(b"host", b"localhost"), (b"cookie", f"csrftoken={CSRF_SECRET}".encode()),
               (b"x-csrftoken", CSRF_SECRET.encode())]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query, "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("localhost", 80)}
    served = ApplicationCommunicator(with_long_poll(get_asgi_application()), scope)
    await served.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await served.receive_output(timeout=30)
    while (await served.receive_output(timeout=30)).get("more_body"):
        pass
    return start["status"]


@pytest.mark.parametrize(("method", "path", "query", "body", "content_type"), SERVED_SHAPES,
                         ids=["poll, 2,000 fields", "GET, 2,000 fields", "UTF-16 form",
                              "POST, 2,000 query fields", "multipart to JSON", "nested JSON"])
def test_the_served_asgi_application_answers_odd_shapes_without_a_500(
    method, path, query, body, content_type, db
):
    from asgiref.sync import async_to_sync
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: the test's transaction keeps its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        status = async_to_sync(served_status)(method, path, query, body, content_type)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    assert 400 <= status < 500
