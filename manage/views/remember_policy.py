""""Allow remembering a browser for 30 days": a checkbox for the firm (on Manage Employees)
and for each client's end users (on the client's page). Off by default; turning it on needs
the admin's password from the last 10 minutes; turning it off forgets every browser
remembered by the people it covers."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.models import Client
from accounts.permissions import firm_admin_required
from accounts.reauth import require_recent_password
from manage import people


def _apply(request: HttpRequest, record, what: str, back: str) -> HttpResponse:
    if request.method != "POST":
        messages.info(request, "Press Save again to change remembering browsers.")
        return redirect(back)
    on = request.POST.get("allow_remembered_browsers") == "on"
    people.set_remember_browsers(record, on, actor=request.user, request=request)
    if on:
        messages.success(request, f"{what} may now tick \"Don't ask again on this browser "
                                  "for 30 days\" when they sign in.")
    else:
        messages.success(request, f"Remembering browsers is off for {what}; every browser "
                                  "they had remembered will ask for the second step again.")
    return redirect(back)


@firm_admin_required
@require_recent_password
def firm_remember_browsers(request: HttpRequest) -> HttpResponse:
    return _apply(request, request.user.firm, "Your firm's employees", "manage_employees")


@firm_admin_required
@require_recent_password
def client_remember_browsers(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk, firm=request.user.firm)
    return _apply(request, client, f"{client}'s end users", f"/manage/clients/{client.pk}/")
