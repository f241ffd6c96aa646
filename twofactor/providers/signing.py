"""The external URL a provider signed a callback for.

Behind a proxy or load balancer the portal sees its own scheme, host and port; the provider
signed the public address. So signatures are checked against ``PUBLIC_BASE_URL`` (which
includes any path prefix the portal is served under, and which production requires) plus the
path and query the request arrived with, never against the Host header an attacker controls.
Only in development with ``PUBLIC_BASE_URL`` unset is the request's own (allowed) host used.
"""

from __future__ import annotations

from django.http import HttpRequest

from portal.links import absolute_url


def public_url(request: HttpRequest) -> str:
    """``PUBLIC_BASE_URL`` + this request's path (inside the site) + its query string."""
    query = request.META.get("QUERY_STRING", "")
    return absolute_url(request.path_info + (f"?{query}" if query else ""), request)
