"""A tiny browser for the sign-in flows: cookies, CSRF, and the proxy's headers.

Production cookies are ``Secure`` (``__Host-``); the benchmark talks plain HTTP to gunicorn
as the TLS proxy would, so it keeps cookies itself instead of a library's cookie jar.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    location: str
    body: str


class Browser:
    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf = ""  # the CSRF token of the last page that had a form

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        try:
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()  # the server closed a kept-alive connection: once more
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
        text = raw.read().decode("utf-8", "replace")
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        match = CSRF_INPUT.search(text)
        if match:
            self.csrf = match.group(1)
        location = urlsplit(raw.headers.get("Location") or "").path
        return Response(raw.status, location, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        """POST a form as from the last page shown (opening ``path`` first if none was)."""
        if not self.csrf:
            self.get(path)
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf, **form})

    def close(self) -> None:
        self.conn.close()
