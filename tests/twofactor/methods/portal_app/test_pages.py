"""The Partner Portal app's own files as a phone fetches them: open to anyone whatever their
session (a stranger, a person half-way through signing in, one who must choose a new password
first), the same for everyone, under the site's content security policy with no inline script
or style, and installable (a manifest with its icons, a service worker scoped to /app/)."""

import json
import re
import struct
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.models import User
from tests.signing_in import sign_in
from twofactor.methods.push.portal_app import pages

PAGES = ["/app/", "/app/pair/"]
FILES = [*PAGES, "/app/manifest.webmanifest", "/app/sw.js"]


class Markup(HTMLParser):
    """What a page's markup holds that the CSP or a phone cares about."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self.inline += [name for name in attributes if name == "style" or name.startswith("on")]
        if tag == "style":
            self.inline.append("<style>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("<script> with a body")

    def all(self, tag: str) -> list[dict]:
        return [attributes for name, attributes in self.tags if name == tag]


def markup(response) -> Markup:
    parser = Markup()
    parser.feed(response.content.decode())
    return parser


def stranger() -> Client:
    return Client()


def half_signed_in(demo_world) -> Client:
    client = Client()
    client.post("/login/", {"email": "tech@acme.example", "password": "portal-demo-2fa"})
    assert "twofactor_attempt" in client.session
    return client


def must_choose_a_new_password(demo_world) -> Client:
    client = sign_in(Client(), "tech@acme.example")
    User.objects.filter(email="tech@acme.example").update(must_change_password=True)
    return client


WHO = {"stranger": lambda world: stranger(), "half-signed-in": half_signed_in,
       "must-choose-a-new-password": must_choose_a_new_password}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", FILES)
def test_the_app_opens_whatever_the_session(url, who, demo_world):
    response = WHO[who](demo_world).get(url)

    assert response.status_code == 200, response.get("Location")
    assert "Content-Security-Policy" in response
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", FILES)
def test_the_app_is_the_same_for_everyone_and_sets_no_cookie(url, demo_world):
    as_stranger = stranger().get(url)
    as_admin = sign_in(Client(), "admin@acme.example").get(url)

    assert as_stranger.cookies == {}
    assert as_stranger.content == as_admin.content
    assert b"acme" not in as_admin.content.lower()


@pytest.mark.parametrize("url", FILES)
def test_posting_to_the_app_files_is_refused(url, db):
    assert Client().post(url).status_code == 405


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(url, db):
    page = markup(Client().get(url))

    assert page.inline == []
    scripts = [script["src"] for script in page.all("script")]
    assert scripts and all(src.startswith("/static/portal_app/") for src in scripts)


def test_the_csp_forbids_inline_script_on_the_app(db):
    policy = Client().get("/app/")["Content-Security-Policy"]

    assert re.search(r"script-src 'self'(;|$)", policy)
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("url", PAGES)
def test_pages_link_the_manifest_icon_theme_and_start_page(url, db):
    page = markup(Client().get(url))
    links = {link["rel"]: link["href"] for link in page.all("link")}
    metas = {meta.get("name"): meta.get("content") for meta in page.all("meta")}

    assert links["manifest"] == "/app/manifest.webmanifest"
    assert finders.find(links["apple-touch-icon"].removeprefix("/static/"))
    assert metas["theme-color"] == pages.THEME_COLOR
    assert "/app/" in [anchor.get("href") for anchor in page.all("a")]


def test_the_pairing_page_asks_for_the_phone_name(db):
    body = Client().get("/app/pair/").content.decode()

    field_id = re.search(r'<label for="([\w-]+)">Name of this phone</label>', body).group(1)
    assert "required" in re.search(rf'<input [^>]*id="{field_id}"[^>]*>', body).group(0)
    assert re.search(r'<button type="submit"[^>]*>Add this phone</button>', body)
    assert 'Type this code on your computer, in "Code shown on the phone"' in body


def test_the_start_page_says_how_to_pair_and_how_to_answer(db):
    body = Client().get("/app/").content.decode()

    assert ("On your computer, open Security, then \"Set up the Partner Portal app on a "
            "phone\", and open the link on this phone.") in body
    assert 'role="status"' in body
    assert ">Deny</button>" in body and ">This wasn't me</button>" in body
    assert ">Turn on notifications</button>" in body


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as file:
        head = file.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_manifest_makes_the_app_installable(db):
    response = Client().get("/app/manifest.webmanifest")
    manifest = json.loads(response.content)

    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == "Partner Portal"
    assert manifest["short_name"] == "Portal"
    assert manifest["start_url"] == manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= {sizes for sizes, purpose in icons if purpose == "any"}
    assert any(purpose == "maskable" for sizes, purpose in icons)
    for (sizes, purpose), src in icons.items():
        width, height = png_size(finders.find(src.removeprefix("/static/")))
        assert f"{width}x{height}" == sizes


def test_the_service_worker_is_served_for_the_app_scope(db):
    response = Client().get("/app/sw.js")
    script = response.content.decode()

    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    imports = re.search(r"importScripts\((.*)\);", script).group(1)
    assert json.loads(f"[{imports}]") == ["/static/portal_app/keys.js",
                                          "/static/portal_app/worker.js"]


def test_the_service_worker_keeps_the_whole_shell(db):
    script = Client().get("/app/sw.js").content.decode()
    shell = json.loads(re.search(r"shell: (\[.*?\])", script).group(1))
    page = markup(Client().get("/app/"))
    used = {script["src"] for script in page.all("script")} | {
        link["href"] for link in page.all("link") if link["rel"] != "manifest"}

    assert {"/app/", "/app/pair/"} <= set(shell)
    assert used <= set(shell)
    for url in shell:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


def cache_name(script: bytes) -> str:
    return re.search(r'cacheName: "([^"]+)"', script.decode()).group(1)


def test_a_release_changes_the_service_worker_and_its_cache(db, monkeypatch):
    before = Client().get("/app/sw.js").content
    # Production's static names carry each file's hash: a changed file, a changed name.
    monkeypatch.setattr(pages, "static", lambda file: f"/static/{file}.3f2a9c")

    after = Client().get("/app/sw.js").content
    assert after != before
    assert cache_name(after) != cache_name(before)
