"""Where a request comes from, read the same way by audit events, emails and rate limits."""

import ipaddress
from collections.abc import Mapping

from django.http import HttpRequest

from portal.conf import conf

MAX_USER_AGENT = 300


def client_ip(request: HttpRequest) -> str:
    """The client's address ("" if unknown).

    Behind TRUSTED_PROXY_COUNT proxies it is read from X-Forwarded-For, counting from the
    right, so a client cannot choose its own address by sending the header itself.
    """
    return client_ip_of(request.META)


def client_ip_of(meta: Mapping[str, str]) -> str:
    """``client_ip`` from a request's META (or the same keys: REMOTE_ADDR and
    HTTP_X_FORWARDED_FOR), for code in front of Django."""
    hops = conf.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return _address(forwarded[-hops])
    return meta.get("REMOTE_ADDR", "")


def _address(text: str) -> str:
    """``text`` if it is an IP address, else "" (a header sent straight to the portal can
    hold anything; the audit's inet column would refuse it)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


def user_agent(request: HttpRequest) -> str:
    # Less NUL characters: the header is stored, and PostgreSQL refuses them in text.
    return request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:MAX_USER_AGENT]


def browser_label(agent: str) -> str:
    """A short human name for a user agent: "Chrome on Linux"."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Safari/", "Safari"), ("curl/", "curl")]
    systems = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
               ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux")]
    browser = next((name for marker, name in browsers if marker in agent), "a browser")
    system = next((name for marker, name in systems if marker in agent), "")
    return f"{browser} on {system}" if system else browser
