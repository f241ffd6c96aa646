"""The one reader of JSON request bodies (the security-key and passkey ceremonies' answers).

A JSON endpoint takes a JSON object and nothing else: another content type (a form, a
multipart body), a body too large, text that is not JSON, nesting deep enough to exhaust the
parser or the code that walks the result, or lone surrogates (text no database stores) are
refused with ``NotAccepted``, whose message and status a view hands back as
``{"error": ...}``.
"""

import json

from django.http import HttpRequest, JsonResponse

MAX_BYTES = 64 * 1024  # a WebAuthn answer is a few kilobytes
MAX_DEPTH = 16  # a WebAuthn answer nests four deep


class NotAccepted(Exception):
    """Why a body was refused, for the script that sent it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def response(self) -> JsonResponse:
        return JsonResponse({"error": self.message}, status=self.status)


def read_object(request: HttpRequest, *, max_bytes: int = MAX_BYTES) -> dict:
    """The request's JSON object, or ``NotAccepted`` saying what is wrong with it."""
    if request.content_type != "application/json":
        raise NotAccepted("Send the request as JSON (Content-Type: application/json).", 415)
    body = request.body
    if len(body) > max_bytes:
        raise NotAccepted(f"The request is too large: at most {max_bytes // 1024} KB.", 413)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's limit
        raise NotAccepted("The request is not valid JSON.") from None
    _check_shape(data)
    if not isinstance(data, dict):
        raise NotAccepted("The request must be a JSON object.")
    return data


def _check_shape(data: object) -> None:
    """Depth within MAX_DEPTH and text that is valid Unicode, walked without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise NotAccepted(f"The JSON is nested too deeply: at most {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        else:
            pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): not Unicode text
        raise NotAccepted("The request is not valid JSON: it holds broken text.") from None
