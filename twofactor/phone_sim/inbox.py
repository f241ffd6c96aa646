"""Delivering texts to the simulated phone, and reading them back."""

from twofactor.phone_sim.models import SimulatedText
from twofactor.sms.base import SmsMessage


def deliver(message: SmsMessage) -> None:
    SimulatedText.objects.create(number=message.to, body=message.body[:500])


def latest_texts(number: str, limit: int = 10) -> list[SimulatedText]:
    return list(SimulatedText.objects.filter(number=number).order_by("-received_at", "-id")[:limit])
