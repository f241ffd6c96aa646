"""Each push request, delivered to every paired phone of its person.

``prepare`` runs in the transaction that makes the request: one ``Delivery`` per phone, with
the nonce that phone's answer must carry, so the app lists the request the moment it exists,
push or no push. ``push`` runs after the commit and sends a Web Push to each phone whose
notifications are on, in parallel, waiting at most ``WEB_PUSH_DEADLINE_SECONDS``: the
password step is never held longer, and a slow push service finishes in the background.

The message carries the request's id and nothing else (no names, numbers or addresses): the
app fetches the details over a signed request. TTL is the request's time left, Urgency high,
and one Topic per person, so a push service holding an older request for a phone that is off
replaces it with the newer.
"""

from __future__ import annotations

import json
import logging
import secrets
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import connections
from django.utils import timezone

from twofactor.methods.push.portal_app import phones, webpush
from twofactor.methods.push.portal_app.models import AppPhone, Delivery
from twofactor.models import ApprovalRequest

log = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="web-push")


def prepare(approval: ApprovalRequest) -> int:
    """Bind ``approval`` to each of its person's paired phones (in the caller's transaction)."""
    rows = [
        Delivery(approval=approval, phone_id=pk, nonce=secrets.token_urlsafe(16))
        for pk in AppPhone.objects.filter(user_id=approval.user_id, confirmed=True)
        .values_list("pk", flat=True)
    ]
    Delivery.objects.bulk_create(rows)
    return len(rows)


def push(approval: ApprovalRequest) -> None:
    """Send the Web Push for ``approval`` to each phone that has notifications on."""
    now = timezone.now()
    ttl = max(0, int((approval.expires_at - now).total_seconds()))
    payload = json.dumps({"request": str(approval.pk)}).encode()
    topic = webpush.topic_for(f"person:{approval.user_id}")
    waiting: dict[Future, tuple[int, int]] = {}  # the send -> (delivery, phone)
    for delivery in Delivery.objects.filter(approval=approval).select_related("phone"):
        phone = delivery.phone
        if phone.push != AppPhone.Push.ON:
            _record(delivery.pk, Delivery.State.NO_PUSH)
        elif phone.push_retry_at and phone.push_retry_at > now:
            _record(delivery.pk, Delivery.State.BACK_OFF)
        else:
            future = _pool.submit(webpush.send, phone, payload, ttl=ttl, topic=topic,
                                  urgency="high")
            waiting[future] = (delivery.pk, phone.pk)
    if not waiting:
        return
    done, late = wait(waiting, timeout=settings.WEB_PUSH_DEADLINE_SECONDS)
    for future in done:
        _outcome(*waiting[future], future.result())
    for future in late:
        future.add_done_callback(_late(*waiting[future]))


def _late(delivery_id: int, phone_id: int):
    def record(future: Future) -> None:
        try:
            _outcome(delivery_id, phone_id, future.result())
        except Exception:
            log.warning("could not record a late push to phone %s", phone_id, exc_info=True)
        finally:
            connections.close_all()  # a pool thread keeps no database connection open
    return record


def _outcome(delivery_id: int, phone_id: int, result: webpush.Delivery) -> None:
    kind = result.outcome
    if kind is webpush.Outcome.SENT:
        _record(delivery_id, Delivery.State.SENT)
    elif kind is webpush.Outcome.GONE:
        phones.mark_gone(phone_id)
        _record(delivery_id, Delivery.State.GONE)
    elif kind is webpush.Outcome.BACK_OFF:
        phones.back_off(phone_id, result.retry_after or 60)
        _record(delivery_id, Delivery.State.BACK_OFF)
    else:
        log.warning("push to phone %s not sent: %s", phone_id, result.reason)
        _record(delivery_id, Delivery.State.FAILED)


def _record(delivery_id: int, state: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(state=state)
