"""Requests the portal cannot read are refused here, once, before anything reads them.

Django parses the query string, the body and the form lazily, wherever they are first
read: a query of 2,000 fields, a form declared in UTF-16 or a broken multipart body then
raise inside whatever middleware, view or error page reads them, and Django's own error
pages read the form again while saying so (a 500). ``RequestShapeMiddleware`` sits just
under ``SecurityMiddleware``: it reads the query, the body and the form in one place and
answers a plain 400 (JSON to a JSON request) saying what was wrong; everything below it
sees a request that reads without error. The body is read whole (it is bounded by
``DATA_UPLOAD_MAX_MEMORY_SIZE``; the portal takes no file uploads), so a view can still
read ``request.body`` after the CSRF check has read the form.
"""

import codecs
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

# Encodings a body may declare: UTF-8 and its ASCII subset (forms and JSON are UTF-8).
UTF8_NAMES = {"utf-8", "ascii"}
NOT_UTF8 = "The request declares an encoding the portal does not read: send it as UTF-8."
METHODS_WITHOUT_BODY = {"GET", "HEAD", "OPTIONS", "TRACE"}


class Unreadable(Exception):
    """What is wrong with a request's shape, in words for the person or script that sent it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def check(request: HttpRequest) -> None:
    """Read the query, the body and the form now; raise ``Unreadable`` when one cannot be."""
    _check_charset(request.content_params.get("charset"))
    try:
        request.GET  # noqa: B018 (parsed here, where a failure can be answered)
    except TooManyFieldsSent:
        raise Unreadable(_too_many_fields("The address")) from None
    if request.method in METHODS_WITHOUT_BODY:
        return
    try:
        request.body  # noqa: B018 (kept, so the form and JSON readers can both use it)
        request.POST  # noqa: B018
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        raise Unreadable(f"The request is too large: at most {limit:,} KB.", 413) from None
    except TooManyFieldsSent:
        raise Unreadable(_too_many_fields("The form")) from None
    except TooManyFilesSent:
        raise Unreadable("The portal takes no file uploads.") from None
    except BadRequest:  # Django reads a urlencoded form only when labelled exactly "utf-8"
        raise Unreadable(NOT_UTF8) from None
    except (MultiPartParserError, SuspiciousOperation, UnreadablePostError,
            ValueError):  # ValueError: a body that does not decode
        raise Unreadable("The form could not be read: send it again from the page.") from None


def _check_charset(charset: str | None) -> None:
    if charset is None:
        return
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        name = ""
    if name not in UTF8_NAMES:
        raise Unreadable(NOT_UTF8)


def _too_many_fields(where: str) -> str:
    return f"{where} has too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}."


def refusal(request: HttpRequest, unreadable: Unreadable) -> HttpResponse:
    """The plain answer: JSON for a script that sent JSON, text otherwise."""
    if request.content_type == "application/json":
        return JsonResponse({"error": unreadable.message}, status=unreadable.status)
    return HttpResponse(
        unreadable.message, status=unreadable.status, content_type="text/plain; charset=utf-8"
    )


class RequestShapeMiddleware:
    """Answers an unreadable request with a 400 before any other middleware reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check(request)
        except Unreadable as unreadable:
            return refusal(request, unreadable)
        return self.get_response(request)
