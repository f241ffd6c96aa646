"""Admin side of lost phones: approve a phone-number change early, reject it, or reset a
person's second factor. Firm admins only, their own firm only (anything else is 404), and
each action needs the admin's password re-entered in the last 10 minutes (typed on the page
itself when it is older: one press carries the action out)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.views.decorators.cache import never_cache

from accounts import phones, reauth
from accounts.models import User
from accounts.permissions import firm_admin_required
from portal.redirects import safe_next
from twofactor import methods
from twofactor.models import PhoneChangeRequest
from twofactor.providers.base import ProviderError
from twofactor.recovery import phone_changes
from twofactor.recovery.phone_changes import RecoveryError


def _firm_request(request: HttpRequest, request_id: str) -> PhoneChangeRequest:
    """An open request of one of this admin's firm's people; 404 for anyone else's."""
    return get_object_or_404(
        PhoneChangeRequest.objects.select_related("user", "user__client"),
        pk=request_id,
        user__firm_id=request.user.firm_id,
        status__in=PhoneChangeRequest.OPEN,
    )


def _back(request: HttpRequest, person: User) -> str:
    """Where the admin came from (same host only), else the person's Manage page."""
    return resolve_url(
        safe_next(request, "manage_clients" if person.is_end_user else "manage_employees")
    )


@firm_admin_required
@never_cache
def decide_phone_change(request: HttpRequest, request_id: str, decision: str) -> HttpResponse:
    """GET: the request and the choice. POST: approve early or reject it."""
    change = _firm_request(request, request_id)
    own = change.user_id == request.user.pk
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST" and password_check.passes():
        try:
            if decision == "approve":
                applied = phone_changes.approve_early(change, request.user, request=request)
                messages.success(
                    request,
                    f"Approved. {change.user} now signs in with the new number."
                    if applied
                    else f"Approved. {change.user}'s new number applies within a minute.",
                )
            else:
                phone_changes.reject(change, request.user, request=request)
                messages.success(request, f"Rejected. {change.user}'s number stays as it was.")
        except RecoveryError as exc:
            messages.error(request, exc.message)
        return redirect(_back(request, change.user))
    return render(
        request,
        "manage/manage_phone_change.html",
        {"change": change, "decision": decision, "own": own, "next": _back(request, change.user),
         # In full: the admin reads it back to the person on a number they know.
         "new_phone": phones.display(change.new_phone), "old_phone": phones.mask(change.old_phone),
         "password_check": password_check},
        status=400 if request.method == "POST" else 200,
    )


@firm_admin_required
@never_cache
def reset_second_factor(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET: what a reset does. POST: do it."""
    person = get_object_or_404(User, pk=person_id, firm_id=request.user.firm_id)
    if person.pk == request.user.pk:
        raise PermissionDenied("Another admin of your firm resets your own second factor.")
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST" and password_check.passes():
        try:
            phone_changes.reset_second_factor(person, request.user, request=request)
        except ProviderError as exc:
            messages.error(request, f"Nothing was reset. {exc.user_message}")
        else:
            messages.success(request, f"{person}'s second factor was reset; they were told.")
        return redirect(_back(request, person))
    return render(
        request,
        "manage/manage_reset.html",
        {"person": person, "masked_phone": phones.mask(person.phone),
         "removed": methods.reset_words(), "next": _back(request, person),
         "password_check": password_check},
        status=400 if request.method == "POST" else 200,
    )


def open_changes(request: HttpRequest, *, end_users: bool) -> dict:
    """The firm's open phone-number change requests, for Manage Employees (``end_users``
    False) and Manage Clients (True): the context of ``manage/_phone_change_requests.html``."""
    admin = request.user
    changes = phone_changes.open_requests_for_firm(admin.firm_id, end_users=end_users)
    return {
        "phone_change_rows": [
            (change, phones.mask(change.old_phone), phones.mask(change.new_phone))
            for change in changes
        ],
    }
