""""Country for phone numbers": where a number typed without a country code is read, for
the firm (Manage Employees) and, overriding it, for a client's end users (the client's page).
Blank falls back to PHONE_DEFAULT_REGION for the firm and to the firm's country for a client.
"""

import phonenumbers
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.audit import Tag
from accounts.models import Client, Firm
from accounts.permissions import firm_admin_required

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def choices() -> list[tuple[str, str]]:
    """(code, "US (+1)") for every region phonenumbers knows, by code."""
    return [(code, f"{code} (+{phonenumbers.country_code_for_region(code)})") for code in REGIONS]


def _save(request: HttpRequest, record: Firm | Client, back: str) -> HttpResponse:
    region = request.POST.get("phone_region", "")
    if not isinstance(region, str) or (region and region not in phonenumbers.SUPPORTED_REGIONS):
        messages.error(request, "Choose a country from the list.")
        return redirect(back)
    if region != record.phone_region:
        type(record).objects.filter(pk=record.pk).update(phone_region=region)
        audit.record(Tag.PHONE_REGION_CHANGED, request=request, actor=request.user,
                     firm=request.user.firm, region=region or "default",
                     **({"client": record.name} if isinstance(record, Client) else {}))
    record.phone_region = region
    messages.success(request, f"Numbers without a country code are now read as {record.region} "
                              "numbers.")
    return redirect(back)


@firm_admin_required
@require_POST
def firm_phone_region(request: HttpRequest) -> HttpResponse:
    return _save(request, request.user.firm, "manage_employees")


@firm_admin_required
@require_POST
def client_phone_region(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk, firm=request.user.firm)
    return _save(request, client, f"/manage/clients/{client.pk}/")
