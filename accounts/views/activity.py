"""Admin > Activity: the firm's audit events."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import firm_admin_required


@firm_admin_required
def activity(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/activity.html", {"firm": request.user.firm})
