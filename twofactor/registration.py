"""A person's phone with the provider: register it when the number is set or changed,
forget it when the number is removed. Views and commands call these, never the provider."""

from collections.abc import Collection

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from twofactor.conf import conf
from twofactor.models import PhoneDevice
from twofactor.providers import get_provider


def phone_device(user: User) -> PhoneDevice | None:
    return PhoneDevice.objects.filter(user=user).first()


def device_for(user: User) -> PhoneDevice:
    """The person's device, made unregistered if the provider has not been reached yet.

    A sign-in verified without the provider (a backup code while it is down) still marks
    the session with a device; the registration follows at a later sign-in.
    """
    device, _ = PhoneDevice.objects.get_or_create(
        user=user,
        defaults={"name": "Mobile phone", "confirmed": True, "number": user.phone,
                  "provider": get_provider().name},
    )
    return device


def register_phone(user: User, *, send_install_link: bool = False) -> PhoneDevice | None:
    """Register ``user.phone`` with the configured provider (ProviderError if it fails).

    The provider is called first and the row written after, so a failure leaves nothing
    half-written. With no number on file, the registration is removed instead.
    """
    if not user.phone:
        forget_phone(user)
        return None
    provider = get_provider()
    ref = provider.register(user, user.phone, send_install_link=send_install_link)
    with transaction.atomic():
        device, _ = PhoneDevice.objects.update_or_create(
            user=user,
            defaults={
                "name": "Mobile phone",
                "confirmed": True,
                "number": user.phone,
                "provider": provider.name,
                "provider_ref": ref,
                "registered_at": timezone.now(),
            },
        )
    return device


def forget_phone(user: User) -> None:
    """Remove the provider's registration and the device row (ProviderError if it fails)."""
    device = phone_device(user)
    if device is None:
        return
    if device.provider_ref:
        get_provider(device.provider).unregister(device.provider_ref)
    device.delete()


def ensure_registered(user: User) -> PhoneDevice | None:
    """The person's device for the number on file, registering it first if the provider
    does not know this number yet (ProviderError if that fails)."""
    device = phone_device(user)
    if device is not None and device.is_registered_for(user.phone, get_provider().name):
        return device
    return register_phone(user)


def registered_among(user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` have their current number registered with the configured
    provider (push reaches them), in one query."""
    return set(registered_ids(user_ids))


def registered_ids(user_ids: Collection[int]) -> QuerySet:
    """``registered_among`` as a query, to combine with others into one."""
    return PhoneDevice.objects.filter(
        user_id__in=user_ids,
        registered_at__isnull=False,
        provider=conf.TWOFACTOR_PROVIDER,
        number=F("user__phone"),
    ).values_list("user_id", flat=True)


def with_a_number_among(user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` have a mobile number on file (texts reach them), in one query."""
    return set(
        User.objects.filter(pk__in=user_ids).exclude(phone="").values_list("pk", flat=True)
    )
