"""The push device as a factor an admin can remove on its own: the person's registration
with the provider (the phone app's enrolment). Removing it forgets that registration and
registers the number afresh, so the old app stops receiving sign-in requests until it is
set up again; texted tokens and backup codes are untouched."""

from accounts.models import User
from twofactor import registration
from twofactor.methods import Factor
from twofactor.providers import get_provider


def removable(user: User) -> list[Factor]:
    device = registration.phone_device(user)
    if device is None or not device.registered_at:
        return []
    app = get_provider(device.provider).app_name or "the phone app"
    return [Factor("push", str(device.pk), f"Push requests to {app} on {device.number[-4:]}")]


def remove(user: User, factor_id: str) -> bool:
    device = registration.phone_device(user)
    if device is None or str(device.pk) != factor_id:
        return False
    registration.forget_phone(user)
    if user.phone:
        registration.register_phone(user)
    return True
