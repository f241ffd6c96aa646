from django.conf import settings
from django.db import models
from django_otp.models import Device


class EmailCodeDevice(Device):
    """A person's email address as a second factor: the code last sent, as a keyed HMAC."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_code_device"
    )
    digest = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
