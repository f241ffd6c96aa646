"""Removing one sign-in factor of a person (a push device; an app or a key as those methods
register themselves) without a full reset. Firm admins only, their own firm's people only,
never their own; the password typed on the page when the last one is older than 10 minutes;
audited and emailed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.emails import send_notice
from accounts.models import User
from accounts.permissions import firm_admin_required
from twofactor import methods
from twofactor.providers.base import ProviderError


def edit_page(person: User) -> str:
    if person.is_end_user:
        return reverse("edit_end_user", args=[person.client_id, person.pk])
    return reverse("edit_employee", args=[person.pk])


@firm_admin_required
@never_cache
def remove_factor(request: HttpRequest, person_id: int, method: str, factor_id: str
                  ) -> HttpResponse:
    """GET: what removing it does. POST: remove it."""
    person = get_object_or_404(User, pk=person_id, firm_id=request.user.firm_id)
    if person.pk == request.user.pk:
        raise PermissionDenied("You remove your own factors on your Security page.")
    factor = next(
        (f for f in methods.removable_factors(person) if (f.method, f.id) == (method, factor_id)),
        None,
    )
    if factor is None:
        raise Http404("No such factor.")
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST" and password_check.passes():
        try:
            removed = methods.remove_factor(person, method, factor_id)
        except ProviderError as error:
            messages.error(request, f"Nothing was removed. {error.user_message}")
            return redirect(edit_page(person))
        if removed is not None:
            audit.record(Tag.FACTOR_REMOVED, request=request, actor=request.user,
                         subject=person, method=method, factor=removed.label)
            send_notice(person, "factor_removed", "a sign-in factor was removed",
                        {"by": request.user, "factor": removed.label})
            messages.success(request, f"Removed from {person}: {removed.label}. They were told.")
        return redirect(edit_page(person))
    return render(
        request,
        "manage/remove_factor.html",
        {"person": person, "factor": factor, "back_url": edit_page(person),
         "password_check": password_check},
        status=400 if request.method == "POST" else 200,
    )
