"""Admin > Security overview: who in the firm can sign in which way, who has only SMS or
nothing (with "Remind them"), and the last 30 days of sign-ins as a chart and a table.

Firm admins only, like every Admin page; a reminder goes only to an active person of the
admin's own firm (another firm's id: 404, nothing sent).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import firm_admin_required
from manage import charts, overview, reminders

MESSAGE_LEVELS = {
    "sent": messages.SUCCESS,
    "not_needed": messages.INFO,
    "held_back": messages.ERROR,
    "failed": messages.ERROR,
}


def _page(request: HttpRequest, status: int = 200) -> HttpResponse:
    firm = request.user.firm
    sign_ins = overview.sign_ins(firm)
    return render(
        request,
        "manage/security_overview.html",
        {
            "firm": firm,
            "people": overview.people(firm),
            "sign_ins": sign_ins,
            "chart": charts.grouped_bars(sign_ins.groups()),
            "listed": overview.LISTED,
            "days": overview.DAYS,
        },
        status=status,
    )


@never_cache
@firm_admin_required
def security_overview(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@firm_admin_required
def remind(request: HttpRequest, person_id: int) -> HttpResponse:
    """Email one person a link to their Security page; held back: the page again, 429."""
    person = get_object_or_404(
        User.objects.select_related("firm", "client"),
        pk=person_id,
        firm_id=request.user.firm_id,
        is_active=True,
    )
    reminder = reminders.remind(person, by=request.user, request=request)
    messages.add_message(request, MESSAGE_LEVELS[reminder.outcome], reminder.message)
    if reminder.outcome == "held_back":
        response = _page(request, status=429)
        response["Retry-After"] = str(reminder.retry_after)
        return response
    return redirect("security_overview")
