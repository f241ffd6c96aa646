"""The simulated phone: each phone's owner and number, its texts (newest first), and its
pending OneTouch requests with Approve and Deny, showing what the Authy app shows."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
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
from twofactor.methods.push import approvals
from twofactor.models import ApprovalRequest
from twofactor.phone_sim.models import SimulatedHandset, SimulatedText
from twofactor.providers.base import ApprovalStatus

ANSWERS = {"approve": ApprovalStatus.APPROVED, "deny": ApprovalStatus.DENIED}
MAX_PHONES = 200
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
    pending: dict[int, list[dict]] = {}
    for approval in (
        ApprovalRequest.objects.filter(
            provider__in=providers.names_where("answers_on_simulated_phone"),
            status=ApprovalRequest.Status.PENDING,
            expires_at__gt=timezone.now(), user__in=owners,
        ).order_by("-created_at")
    ):
        pending.setdefault(approval.user_id, []).append(
            {"approval": approval, "browser": browser_label(approval.user_agent)}
        )
    handsets: dict[str, list[SimulatedHandset]] = {}
    for handset in SimulatedHandset.objects.filter(number__in=numbers):
        handsets.setdefault(handset.number, []).append(handset)
    devices = [
        {
            "owner": owner,
            "texts": texts.get(owner.phone, [])[:TEXTS_PER_PHONE],
            "requests": pending.get(owner.pk, []),
            "handsets": handsets.get(owner.phone, []),
        }
        for owner in owners
    ]
    return render(
        request,
        "phone_sim/phones.html",
        {"devices": devices, "other_numbers": texts_to_other_numbers(numbers)},
    )


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
    """Approve or Deny, as the person would swipe on the phone."""
    if answer not in ANSWERS:
        raise Http404
    approval = get_object_or_404(
        ApprovalRequest,
        pk=approval_id,
        provider__in=providers.names_where("answers_on_simulated_phone"),
    )
    if approvals.record_answer(approval.provider_ref, ANSWERS[answer], provider=approval.provider):
        messages.success(request, f"Request {'approved' if answer == 'approve' else 'denied'}.")
    else:
        messages.warning(request, "That request was already answered or has expired.")
    return redirect("phone_sim:phones")
