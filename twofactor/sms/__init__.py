"""Texting, in the manner of Django's email backends: ``send_sms(to, body)`` hands the text to
the backend named by ``SMS_BACKEND`` (console by default, ``locmem`` for tests, a carrier's in
production). With the simulated phone on, its inbox receives every text as well."""

from django.utils.module_loading import import_string

from twofactor.conf import conf
from twofactor.sms.base import SmsMessage


def get_backend():
    return import_string(conf.SMS_BACKEND)()


def send_sms(to: str, body: str) -> None:
    """Text ``body`` to ``to`` (E.164)."""
    message = SmsMessage(to=to, body=body)
    get_backend().send_messages([message])
    if conf.SIMULATED_PHONE:
        from twofactor.phone_sim.inbox import deliver

        deliver(message)
