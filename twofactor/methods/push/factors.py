"""Push's factors an admin can remove one by one: the person's registration with the
provider (the phone app's enrolment), and each phone with the Partner Portal app.

Removing the registration forgets it and registers the number afresh, so the old app stops
receiving sign-in requests until it is set up again; removing a phone with the Partner
Portal app unpairs it. Texted tokens and backup codes are untouched."""

from accounts.models import User
from twofactor import registration
from twofactor.methods import Factor
from twofactor.methods.push.portal_app import phones
from twofactor.providers import get_provider

APP_PHONE = "app-"  # the factor id of a phone with the Partner Portal app: "app-<pk>"


def removable(user: User) -> list[Factor]:
    factors = [
        Factor("push", f"{APP_PHONE}{phone.pk}", f"The Partner Portal app on “{phone.name}”")
        for phone in phones.phones_of(user)
    ]
    device = registration.phone_device(user)
    if device is None or not device.registered_at:
        return factors
    app = get_provider(device.provider).app_name or "the phone app"
    return [
        Factor("push", str(device.pk), f"Push requests to {app} on {device.number[-4:]}"),
        *factors,
    ]


def remove(user: User, factor_id: str) -> bool:
    if factor_id.startswith(APP_PHONE):
        number = factor_id.removeprefix(APP_PHONE)
        return number.isdigit() and phones.remove(
            user, int(number), why="removed by an admin") is not None
    device = registration.phone_device(user)
    if device is None or str(device.pk) != factor_id:
        return False
    registration.forget_phone(user)
    if user.phone:
        registration.register_phone(user)
    return True
