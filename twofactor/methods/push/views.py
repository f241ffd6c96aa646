"""Push (OneTouch) pages: ask for a new request, and the status the challenge page polls.

The request itself goes out at the password step (``twofactor.signin.flow.begin``).
"""

from contextlib import suppress

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.audit import Tag
from accounts.permissions import reachable_mid_sign_in
from portal import limits
from twofactor import methods
from twofactor.methods.push import approvals, not_me_links, poll, report, sending
from twofactor.models import SignInAttempt
from twofactor.providers.base import ApprovalStatus, ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, verification
from twofactor.views.challenge import attempt_over, locked, render_challenge


@reachable_mid_sign_in
@require_POST
def new_push(request: HttpRequest) -> HttpResponse:
    """"Send a request to your phone": none is pending (none was sent, or the last one was
    denied, answered with a different number, or expired). Still held to the push limits:
    the ``push.user`` rate limit and the pause after "This wasn't me"."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    refused = methods.refusal(attempt, methods.get("push"))
    if refused:
        return render_challenge(request, attempt, status=403, error=refused.message)
    refused = verification.refusal(attempt, request)
    if refused and refused.outcome is verification.Outcome.LOCKED:
        return locked(request, attempt, refused)  # nothing goes to a locked person's phone
    if approvals.status_of(approvals.latest_of(attempt)) is not ApprovalStatus.PENDING:
        try:
            approvals.send(attempt, sending.provider_device(attempt.user), request)
        except approvals.PushPaused as paused:
            return render_challenge(request, attempt, status=409, error=paused.message)
        except limits.RateLimited as tripped:
            return render_challenge(
                request, attempt, status=429, retry_after=tripped.retry_after,
                error=f"Too many requests to your phone lately. Use another way to sign in, "
                      f"or ask again in {tripped.wait_text}.",
            )
        except ProviderError as error:
            audit.record(Tag.PROVIDER_FAILED, request=request, subject=attempt.user,
                         kind=str(error.kind), attempt_id=attempt.pk)
            message = f"{error.user_message} {what_still_works('push', error)}"
            return render_challenge(request, attempt, error=message, status=503)
    return redirect("twofactor:challenge")


@reachable_mid_sign_in
@require_GET
def status(request: HttpRequest) -> JsonResponse:
    """The OneTouch status of the session's own attempt (read-only, for the page's script).

    The page's own signed poll is answered from the cache (``twofactor.methods.push.poll``:
    usually by its middleware, before the session is read); anything else from the session
    and one indexed lookup. A provider polled for answers is asked at most every few seconds.
    """
    return poll.cached_response(request) or status_from_database(request)


@never_cache
def status_from_database(request: HttpRequest) -> JsonResponse:
    attempt_id = attempts.session_attempt_id(request)
    approval = approvals.latest(attempt_id) if attempt_id else None
    asked = request.GET.get("request")
    if approval is None or (asked and asked != str(approval.pk)):
        if approval is None and attempt_id and attempts.live().filter(pk=attempt_id).exists():
            return JsonResponse({"status": "none", "message": poll.status_text(None),
                                 "final": True})
        return JsonResponse({"status": "ended"}, status=404)
    with suppress(ProviderError):  # the page keeps showing "pending"; SMS still works
        approvals.refresh_from_provider(approval)
    poll.refill(request, approval)
    return JsonResponse(poll.status_body(str(approval.pk), approvals.status_of(approval),
                                         denied_because=approval.denied_because))


@reachable_mid_sign_in
@never_cache
def not_me(request: HttpRequest, approval_id: str, token: str) -> HttpResponse:
    """The "This wasn't me" link in the denial email. GET: what it does, with a button;
    POST: do it, once (mail scanners only GET)."""
    approval = not_me_links.from_link(approval_id, token)
    if approval is None or (request.method == "POST" and not report.report(approval, request)):
        return render(request, "twofactor/recovery/email_link_invalid.html", status=404)
    template = "done" if request.method == "POST" else "ask"
    return render(request, f"twofactor/methods/push/not_me_{template}.html",
                  {"approval": approval})


def challenge_context(request: HttpRequest, attempt: SignInAttempt) -> dict:
    """The push part of the challenge page: the newest request's status (and, for a denial,
    why: a different number tapped, "This wasn't me"), its number to match, its expiry
    time (for the page's countdown) and its poll URL; "Send a request to your phone" when
    none is pending (the page leaves push out altogether while pushes are paused)."""
    approval = approvals.latest_of(attempt)
    if approval is not None:
        approvals.expire(approval, request)
    state = approvals.status_of(approval)
    denied_because = approval.denied_because if state is ApprovalStatus.DENIED else ""
    held_back = limits.held_back("push.user", attempt.user_id)  # offered only if it can go
    return {
        "approval": approval,
        "poll_url": poll.url(request, approval) if approval else poll.PATH,
        "approval_status": state.value if state else "none",
        "denied_because": denied_because,
        "status_text": poll.status_text(state, denied_because),
        "offer_new_push": state is not ApprovalStatus.PENDING
        and denied_because != approvals.Denial.REPORTED and held_back is None,
        "push_held_back": held_back if state is not ApprovalStatus.PENDING else None,
        "app_phones": _app_phone_names(approval),
        "provider_asked": approval is None or approval.provider != approvals.APP,
    }


def _app_phone_names(approval) -> list[str]:
    """The phones with the Partner Portal app that ``approval`` went to."""
    if approval is None:
        return []
    return list(approval.deliveries.values_list("phone__name", flat=True)
                .order_by("phone__created_at"))
