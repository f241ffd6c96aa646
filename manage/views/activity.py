"""Admin > Activity: the firm's audit log, newest first, one row per sign-in (opening into
its steps), filtered, paged by rows, exported as CSV (every event, one line each)."""

import csv
import json
import unicodedata
from collections.abc import Iterator
from datetime import UTC

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import audit
from accounts.models import AuditEvent, User
from accounts.permissions import firm_admin_required
from manage import activity_rows
from manage.forms import ActivityFilterForm
from manage.paging import paginate

PAGE_SIZE = 50  # rows: a sign-in and its steps count as one
# "kind" is the machine tag (stable, for scripts); "event" says it in words; "sign-in" is
# the same for every event of one sign-in (empty outside one).
CSV_COLUMNS = [
    "time (UTC)", "kind", "event", "by", "about", "IP address", "browser", "details", "sign-in",
]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, per
# OWASP; "|" starts a DDE call). Checked after NFKC, so the fullwidth and small forms
# (＝＋－＠｜, ﹦﹢﹣﹫) count as the characters they stand for.
_FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")


def events_for(
    request: HttpRequest,
) -> tuple[ActivityFilterForm, QuerySet[AuditEvent], User | None]:
    """The filter form and the firm's events it selects (another firm's person id: 404).
    With an invalid form, no events: the page shows the form's errors instead."""
    firm = request.user.firm
    form = ActivityFilterForm(request.GET, firm=firm)
    events = AuditEvent.objects.filter(firm=firm).select_related("actor", "subject")
    person = None
    form.is_valid()  # cleans the fields, so person_id is read even beside a wrong filter
    # Read even when another filter is wrong, so the page keeps showing whose events these are.
    if person_id := form.cleaned_data.get("person_id"):
        person = get_object_or_404(User, pk=person_id, firm=firm)
    if person is not None:
        events = events.filter(Q(actor=person) | Q(subject=person))
    if not form.is_valid():
        return form, events.none(), person
    if form.people_found is not None:
        person = form.person_found
        events = events.filter(Q(actor__in=form.people_found) | Q(subject__in=form.people_found))
    if tags := form.tags():
        events = events.filter(tag__in=tags)
    start, end = form.period()
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lt=end)
    return form, events, person


@never_cache
@firm_admin_required
def activity(request: HttpRequest) -> HttpResponse:
    form, events, person = events_for(request)
    filters = request.GET.copy()
    filters.pop("cursor", None)
    page, rows = None, []
    if form.is_valid():  # otherwise the form's errors say why nothing is listed
        page = paginate(
            activity_rows.newest_of_each(events), ["-created_at", "-id"],
            request.GET.get("cursor", ""), PAGE_SIZE,
        )
        rows = activity_rows.rows(page.items, AuditEvent.objects.filter(firm=request.user.firm))
    return render(
        request,
        "manage/activity.html",
        {
            "firm": request.user.firm,
            "form": form,
            "page": page,
            "rows": rows,
            "person": person,
            "filters": filters.urlencode(),
        },
    )


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    lead = unicodedata.normalize("NFKC", text[:1])
    return f"'{text}" if lead.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(
            [
                safe_cell(cell)
                for cell in (
                    event.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                    event.tag,
                    audit.describe(event.tag, event.data),
                    event.actor.email if event.actor else "",
                    event.subject.email if event.subject else "",
                    event.ip_address or "",
                    event.user_agent,
                    json.dumps(event.data, sort_keys=True, ensure_ascii=False)
                    if event.data
                    else "",
                    str(event.attempt_id or ""),
                )
            ]
        )


@never_cache
@firm_admin_required
def export_activity(request: HttpRequest) -> HttpResponse:
    """The filtered events as CSV, streamed so a large firm's log never sits in memory."""
    form, events, _ = events_for(request)
    if not form.is_valid():
        return render(
            request,
            "manage/activity.html",
            {
                "firm": request.user.firm,
                "form": form,
                "page": None,
                "filters": "",
            },
            status=400,
        )
    response = StreamingHttpResponse(
        csv_rows(events.order_by("-created_at", "-id")), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="activity-{stamp}.csv"'
    return response
