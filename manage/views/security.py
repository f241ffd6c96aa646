"""Security: a person's own phone, each sign-in method's part (drawn by its package through
the method registry), sessions and recent security events (a sign-in is one of them, with
its steps)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import audit, phones, sessions
from accounts.audit import Tag
from accounts.models import AuditEvent
from manage import activity_rows
from twofactor import methods, remember
from twofactor.recovery import phone_changes
from twofactor.remember import views as remember_views
from twofactor.views import default_method

RECENT_EVENTS = 20  # rows: a sign-in and its steps count as one


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = sessions.current_id(request)
    own = AuditEvent.objects.filter(subject=user)
    recent = list(activity_rows.newest_of_each(own)[:RECENT_EVENTS])
    return render(
        request,
        "manage/security.html",
        {
            "masked_phone": phones.mask(user.phone),
            "phone_change": phone_changes.open_request(user),
            "method_parts": [
                *(
                    {"template": method.security_template, **method.security_context(request)}
                    for method in methods.registry()
                    if method.security_template
                ),
                {"template": remember.SECURITY_TEMPLATE,
                 **remember_views.security_context(request)},
            ],
            "sessions": sessions.live_sessions(user, current),
            "current_session": current,
            "events": activity_rows.rows(recent, own),
            **default_method.security_context(request),
        },
    )


@login_required
@require_POST
def sign_out_other_sessions(request: HttpRequest) -> HttpResponse:
    ended = sessions.end_other_sessions(request)
    audit.record(Tag.OTHER_SESSIONS_ENDED, request=request, subject=request.user, ended=ended)
    messages.success(request, "You are signed out everywhere else. This browser stays signed in.")
    return redirect("security")
