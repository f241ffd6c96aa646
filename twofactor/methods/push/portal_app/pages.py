"""The Partner Portal app's own files, as the phone fetches them: the start page, the pairing
page, the web app manifest and the service worker.

They carry nothing about anyone (the pages fetch a phone's requests with its signed key, from
the JSON API), so they are the same for every visitor: no session is read or needed, a person
half-way through signing in on the same browser reaches them too, and the service worker may
keep them as the offline shell. ``Cache-Control: no-cache`` makes a browser ask again each
time (a release is picked up at once), and a service worker is never kept for longer.
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from accounts.permissions import reachable_mid_sign_in

NAME = "Partner Portal"
SHORT_NAME = "Portal"
THEME_COLOR = "#0b5cad"  # the portal's --brand
BACKGROUND_COLOR = "#f5f7f9"  # the portal's --bg
# The static files of the offline shell, beside the two pages (keys.js is also the worker's).
SHELL_STATIC = [
    "css/portal.css",
    "portal_app/app.css",
    "portal_app/keys.js",
    "portal_app/app.js",
    "portal_app/start.js",
    "portal_app/pair.js",
    "portal_app/icons/icon-192.png",
    "portal_app/icons/maskable-192.png",
    "portal_app/icons/apple-touch-icon.png",
]
ICONS = [  # (file, size, purpose)
    ("portal_app/icons/icon-192.png", 192, "any"),
    ("portal_app/icons/icon-512.png", 512, "any"),
    ("portal_app/icons/maskable-192.png", 192, "maskable"),
    ("portal_app/icons/maskable-512.png", 512, "maskable"),
]


def app_page(view):
    """Open to anyone whatever their session (see the module's docstring: the mark also
    spares a person who must choose a new password first); GET and HEAD only."""
    return reachable_mid_sign_in(require_safe(view))


def no_cache(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_cache=True)
    return response


@app_page
def start(request: HttpRequest) -> HttpResponse:
    """The app's start page (the manifest's ``start_url``): the phone's pending sign-in
    requests, each answered by a number, "Deny" or "This wasn't me"."""
    return no_cache(render(request, "portal_app/start.html"))


@app_page
def pair(request: HttpRequest) -> HttpResponse:
    """Opened from the desktop's "Link for your phone" (the secret in the fragment, which
    never reaches the server in a GET): "Name of this phone" and "Add this phone"."""
    return no_cache(render(request, "portal_app/pair.html"))


@app_page
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest that makes the app installable ("Add to Home Screen")."""
    start_url = reverse("portal_app_start")
    body = {
        "id": start_url,
        "name": NAME,
        "short_name": SHORT_NAME,
        "description": "Approve or deny sign-ins to the Partner Portal from this phone.",
        "start_url": start_url,
        "scope": start_url,
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(file), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": purpose}
            for file, size, purpose in ICONS
        ],
    }
    return no_cache(HttpResponse(json.dumps(body), content_type="application/manifest+json"))


@app_page
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /app/ so that its scope is the app: it names the
    shell's current files (hashed names in production), so a release changes its bytes and
    the browser installs the new one."""
    page_urls = [reverse("portal_app_start"), reverse("portal_app_pair_page")]
    shell = [*page_urls, *map(static, SHELL_STATIC)]
    scripts = [static("portal_app/keys.js"), static("portal_app/worker.js")]
    version = hashlib.sha256("\n".join(shell + scripts).encode()).hexdigest()[:16]
    context = {
        "shell": json.dumps(shell),
        "cache_name": json.dumps(f"portal-app-{version}"),
        "scripts": ", ".join(map(json.dumps, scripts)),
        "icon": json.dumps(static(ICONS[0][0])),
    }
    response = render(
        request, "portal_app/sw.js", context, content_type="text/javascript; charset=utf-8"
    )
    return no_cache(response)
