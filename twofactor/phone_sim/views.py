"""The simulated phone: each phone's owner and number, its texts (newest first), and its
pending OneTouch requests, showing what the Authy app shows.

Number matching is enforced here: a pending request offers three two-digit numbers (the one
on the challenge page and two others, in random order) in place of Approve, plus "Deny" and
"This wasn't me". A wrong pick denies the request and counts as a wrong answer toward the
lock. Requests whose sign-in finished another way or was abandoned show as closed.
"""

import random
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import reachable_mid_sign_in
from portal.request_info import browser_label
from twofactor import providers
from twofactor.conf import conf
from twofactor.methods.push import answers, approvals, report
from twofactor.models import ApprovalRequest
from twofactor.phone_sim.models import SimulatedHandset, SimulatedText
from twofactor.providers.base import ApprovalStatus

MAX_PHONES = 200
CLOSED_SHOWN_SECONDS = 600
_shuffle = random.SystemRandom()
TEXTS_PER_PHONE = 5
MAX_HANDSETS = 3


def simulation_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless SIMULATED_PHONE is on (read per request, so it can never leak into prod)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not conf.SIMULATED_PHONE:
            raise Http404("There is no simulated phone here.")
        return view(request, *args, **kwargs)

    return wrapper


@reachable_mid_sign_in
@simulation_only
@never_cache
def phones(request: HttpRequest) -> HttpResponse:
    owners = list(
        User.objects.exclude(phone="").select_related("firm").order_by("email")[:MAX_PHONES]
    )
    numbers = {owner.phone for owner in owners}
    texts: dict[str, list[SimulatedText]] = {}
    for text in SimulatedText.objects.filter(number__in=numbers).order_by("-received_at", "-id")[
        : MAX_PHONES * TEXTS_PER_PHONE
    ]:
        texts.setdefault(text.number, []).append(text)
    on_phone = providers.names_where("answers_on_simulated_phone")
    approvals.withdraw_abandoned(user__in=owners, provider__in=on_phone)
    pending: dict[int, list[dict]] = {}
    for approval in (
        ApprovalRequest.objects.filter(
            provider__in=on_phone, status=ApprovalRequest.Status.PENDING,
            expires_at__gt=timezone.now(), user__in=owners,
        ).order_by("-created_at")
    ):
        pending.setdefault(approval.user_id, []).append(
            {"approval": approval, "browser": browser_label(approval.user_agent),
             "numbers": numbers_to_pick(approval)}
        )
    closed: dict[int, list[ApprovalRequest]] = {}
    for approval in ApprovalRequest.objects.filter(
        provider__in=on_phone, status=ApprovalRequest.Status.WITHDRAWN, user__in=owners,
        answered_at__gt=timezone.now() - timedelta(seconds=CLOSED_SHOWN_SECONDS),
    ).order_by("-answered_at"):
        closed.setdefault(approval.user_id, []).append(approval)
    handsets: dict[str, list[SimulatedHandset]] = {}
    for handset in SimulatedHandset.objects.filter(number__in=numbers):
        handsets.setdefault(handset.number, []).append(handset)
    devices = [
        {
            "owner": owner,
            "texts": texts.get(owner.phone, [])[:TEXTS_PER_PHONE],
            "requests": pending.get(owner.pk, []),
            "closed": closed.get(owner.pk, []),
            "handsets": handsets.get(owner.phone, []),
        }
        for owner in owners
    ]
    return render(
        request,
        "phone_sim/phones.html",
        {"devices": devices, "other_numbers": texts_to_other_numbers(numbers)},
    )


def numbers_to_pick(approval: ApprovalRequest) -> list[int]:
    """The request's number and two other distinct two-digit numbers, in random order."""
    if approval.match_number is None:
        return []
    others = [n for n in range(10, 100) if n != approval.match_number]
    numbers = [approval.match_number, *_shuffle.sample(others, 2)]
    _shuffle.shuffle(numbers)
    return numbers


def texts_to_other_numbers(numbers: set[str]) -> list[dict]:
    """Texts to numbers on nobody's profile yet: a new phone proving its number."""
    others: dict[str, list[SimulatedText]] = {}
    for text in SimulatedText.objects.exclude(number__in=numbers).order_by(
        "-received_at", "-id"
    )[: MAX_PHONES]:
        others.setdefault(text.number, []).append(text)
    return [{"number": number, "texts": found[:TEXTS_PER_PHONE]}
            for number, found in others.items()]


@reachable_mid_sign_in
@simulation_only
@require_POST
def add_handset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Install the app on another device with the same number: both get OneTouch requests."""
    owner = get_object_or_404(User.objects.exclude(phone=""), pk=user_id)
    count = SimulatedHandset.objects.filter(number=owner.phone).count()
    if count < MAX_HANDSETS:
        SimulatedHandset.objects.create(number=owner.phone, name=f"Tablet {count + 1}")
        messages.success(request, f"Added a device on {owner.phone}: it gets the same "
                                  "OneTouch requests; the first answer counts.")
    return redirect("phone_sim:phones")


@reachable_mid_sign_in
@simulation_only
@require_POST
def remove_handset(request: HttpRequest, handset_id: int) -> HttpResponse:
    SimulatedHandset.objects.filter(pk=handset_id).delete()
    return redirect("phone_sim:phones")


@reachable_mid_sign_in
@simulation_only
@require_POST
def answer(request: HttpRequest, approval_id: str, answer: str) -> HttpResponse:
    """A number picked, "Deny" or "This wasn't me", as the person would tap on the phone."""
    if not (answer in ("deny", "not-me") or (answer.isdigit() and len(answer) == 2)):
        raise Http404
    approval = get_object_or_404(
        ApprovalRequest.objects.select_related("user"),
        pk=approval_id,
        provider__in=providers.names_where("answers_on_simulated_phone"),
    )
    if answer == "not-me":
        if report.report(approval, request):
            messages.success(request, "Reported: that sign-in was stopped and your firm's "
                                      "administrators were told.")
        else:
            messages.warning(request, "That request was reported already.")
        return redirect("phone_sim:phones")
    right = answer != "deny" and int(answer) == approval.match_number
    status = ApprovalStatus.APPROVED if right else ApprovalStatus.DENIED
    with transaction.atomic():  # a wrong pick's denial and its count stand or fall together
        wrong_number = not right and answer != "deny"
        won = approvals.record_answer(
            approval.provider_ref, status, provider=approval.provider,
            denied_because=approvals.Denial.WRONG_NUMBER if wrong_number else "",
        )
        if won and wrong_number:
            answers.wrong_number_picked(approval, request)
    if not won:
        messages.warning(request, "That request was already answered, closed or has expired.")
    elif right:
        messages.success(request, "Request approved.")
    elif answer == "deny":
        messages.success(request, "Request denied.")
    else:
        messages.warning(request, "That was not the number on the sign-in page: the request "
                                  "was denied and counts as a wrong answer.")
    return redirect("phone_sim:phones")
