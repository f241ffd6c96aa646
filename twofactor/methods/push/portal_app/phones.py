"""The phones a person has with the app: listed, counted, removed, and where pushes go."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.models import User
from twofactor import notifications
from twofactor.methods.push.portal_app.models import AppPhone
from twofactor.methods.push.tags import PushTag


def phones_of(user: User) -> list[AppPhone]:
    return list(AppPhone.objects.filter(user=user, confirmed=True).order_by("created_at"))


def has_phone(user: User) -> bool:
    return AppPhone.objects.filter(user=user, confirmed=True).exists()


def among_ids(user_ids: Collection[int]) -> QuerySet:
    """Which of ``user_ids`` have a phone with the app, as a query (push unions it)."""
    return AppPhone.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
        "user_id", flat=True)


def paired(device: object) -> AppPhone | None:
    """The phone whose id the app sent, confirmed or not yet (a removed one reads None)."""
    if not isinstance(device, str) or not device.isdigit() or len(device) > 18:
        return None
    return AppPhone.objects.filter(pk=int(device)).select_related("user__firm").first()


def remove(
    user: User, phone_id: int, *, request: HttpRequest | None = None, by: User | None = None,
    why: str = "",
) -> AppPhone | None:
    """Remove one of ``user``'s phones: audited, with ``why`` ("reset", "phone lost",
    "deactivated", whose own email or audit row tells the person), else the person is
    emailed. None: it is not theirs (or gone already)."""
    with transaction.atomic():
        phone = AppPhone.objects.select_for_update().filter(pk=phone_id, user=user).first()
        if phone is None:
            return None
        phone.delete()
        if phone.confirmed:
            audit.record(PushTag.PUSH_APP_REMOVED, request=request, subject=user, actor=by,
                         app=f"Partner Portal app on {phone.name}"[:64],
                         **({"why": why} if why else {}))
            if why:
                return phone
            transaction.on_commit(partial(
                notifications.factors_changed, user, "portal_app_phone_removed",
                "a phone was removed", request=request, phone_name=phone.name,
                by=by.get_full_name() if by and by != user else "",
            ), robust=True)
    return phone


def remove_all(
    user: User, why: str, *, request: HttpRequest | None = None, by: User | None = None
) -> int:
    """Every phone of ``user``: an admin's reset, a lost phone, deactivation."""
    ids = list(AppPhone.objects.filter(user=user).values_list("pk", flat=True))
    return sum(remove(user, pk, request=request, by=by, why=why) is not None for pk in ids)


def subscribe(phone: AppPhone, endpoint: str, p256dh: str, auth: str) -> None:
    AppPhone.objects.filter(pk=phone.pk).update(
        push=AppPhone.Push.ON, endpoint=endpoint, p256dh=p256dh, auth=auth, push_retry_at=None
    )


def mark_gone(phone_id: int) -> None:
    """The push service forgot the subscription (404/410): the app still works when opened."""
    AppPhone.objects.filter(pk=phone_id).update(push=AppPhone.Push.GONE)


def back_off(phone_id: int, seconds: int) -> None:
    AppPhone.objects.filter(pk=phone_id).update(
        push_retry_at=timezone.now() + timedelta(seconds=seconds)
    )


def answering_phone(approval) -> AppPhone | None:
    """The phone whose answer closed ``approval``, if an app's did (and it is still paired)."""
    return AppPhone.objects.filter(
        deliveries__approval=approval, deliveries__won=True, confirmed=True
    ).first()
