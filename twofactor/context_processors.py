"""Template facts about the configured provider, so help text names the right phone app."""

from django.http import HttpRequest

from twofactor.providers import get_provider


def provider(request: HttpRequest) -> dict:
    # "the Authy app" for authy, the operator's own app for twilio_verify.
    return {"phone_app_name": get_provider().app_name}
