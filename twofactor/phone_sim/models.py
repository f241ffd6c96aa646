"""The simulated phone's inbox: every text the portal sent while the simulation was on."""

from django.db import models
from django.utils import timezone


class SimulatedText(models.Model):
    number = models.CharField(max_length=20)
    body = models.CharField(max_length=500)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["number", "-received_at"])]
