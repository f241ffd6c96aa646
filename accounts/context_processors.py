"""Navigation facts for base.html: who is signed in, read from the person already loaded
(no query), and the layout's links, reversed once per process rather than on every page."""

from functools import cache
from types import MappingProxyType

from django.core.signals import setting_changed
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.permissions import SETTING_UP_SESSION_KEY

# The layout's links by the names its template uses: name -> URL name (or static file).
LINKS = {
    "home": "home",
    "login": "login",
    "logout": "logout",
    "security": "security",
    "help": "twofactor:help",
    "manage_employees": "manage_employees",
    "manage_clients": "manage_clients",
    "activity": "activity",
    "security_overview": "security_overview",
}
STYLESHEET = "css/portal.css"


@cache
def layout_links(script_prefix: str, urlconf: str | None) -> MappingProxyType:
    """The links for one mount point and URLconf (the cache's key: a URL depends on both)."""
    links = {name: reverse(url_name, urlconf=urlconf) for name, url_name in LINKS.items()}
    links["stylesheet"] = static(STYLESHEET)
    return MappingProxyType(links)


def _forget(**kwargs) -> None:
    layout_links.cache_clear()


# Tests (and override_settings) change the URLconf or static settings: reverse afresh then.
setting_changed.connect(_forget)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    # Signed in only to set up a first way: no navigation to pages it cannot reach.
    signed_in = bool(user and user.is_authenticated) and (
        SETTING_UP_SESSION_KEY not in request.session
    )
    return {
        "nav_signed_in": signed_in,
        "nav_is_admin": signed_in and user.is_firm_admin,
        "nav": layout_links(get_script_prefix(), get_urlconf()),
    }
