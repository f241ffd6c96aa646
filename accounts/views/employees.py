"""Admin > Manage Employees."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import firm_admin_required


@firm_admin_required
def manage_employees(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/manage_employees.html", {"firm": request.user.firm})
