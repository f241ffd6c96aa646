"""The simulated phone's inbox: every text the portal sent while the simulation was on."""

from django.db import models
from django.utils import timezone


class SimulatedText(models.Model):
    number = models.CharField(max_length=20)
    body = models.CharField(max_length=500)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["number", "-received_at"])]


class SimulatedHandset(models.Model):
    """Another device with the app on the same number (an iPad next to the iPhone): it gets
    the same OneTouch requests as the phone, but no texts (it has no SIM)."""

    number = models.CharField(max_length=20, db_index=True)
    name = models.CharField(max_length=40)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
