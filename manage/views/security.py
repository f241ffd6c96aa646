"""Security: a person's own phone, backup codes, sessions and recent security events."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import audit, phones, sessions
from accounts.audit import Tag
from accounts.models import AuditEvent
from accounts.reauth import require_recent_password
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.recovery import phone_changes

RECENT_EVENTS = 20


def describe(tag: str) -> str:
    """``account:two_factor:backup_code_used`` -> "Two factor: backup code used"."""
    parts = [p.replace("_", " ") for p in tag.split(":") if p != "account"]
    return ": ".join(parts).capitalize() if parts else tag


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = sessions.current_id(request)
    events = AuditEvent.objects.filter(subject=user)[:RECENT_EVENTS]
    return render(
        request,
        "manage/security.html",
        {
            "masked_phone": phones.mask(user.phone),
            "phone_change": phone_changes.open_request(user),
            "codes_left": backup_codes.remaining(user),
            "has_codes": backup_codes.has_codes(user),
            "sessions": sessions.live_sessions(user, current),
            "current_session": current,
            "events": [(event, describe(event.tag)) for event in events],
        },
    )


@login_required
@never_cache
@require_recent_password
def make_backup_codes(request: HttpRequest) -> HttpResponse:
    """GET: what a new set means. POST (password fresh): the new codes, shown this once."""
    if request.method != "POST":
        return render(request, "manage/backup_codes_confirm.html",
                      {"has_codes": backup_codes.has_codes(request.user)})
    codes = backup_codes.generate(request.user, request=request)
    text = render_to_string("manage/backup_codes.txt", {"codes": codes, "person": request.user})
    return render(
        request,
        "manage/backup_codes.html",
        {"codes": codes, "download_href": "data:text/plain;charset=utf-8," + quote(text)},
    )


@login_required
@require_POST
def sign_out_other_sessions(request: HttpRequest) -> HttpResponse:
    ended = sessions.end_other_sessions(request)
    audit.record(Tag.OTHER_SESSIONS_ENDED, request=request, subject=request.user, ended=ended)
    messages.success(request, "You are signed out everywhere else. This browser stays signed in.")
    return redirect("security")
