from django.apps import AppConfig


class PhoneSimConfig(AppConfig):
    name = "twofactor.phone_sim"
    label = "phone_sim"
    verbose_name = "Simulated phone"
