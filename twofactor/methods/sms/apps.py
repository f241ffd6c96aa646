from django.apps import AppConfig


class SmsConfig(AppConfig):
    """A sign-in method's plug-in app: its models, migrations, templates, and the
    Method class the registry reads (``method_class``)."""

    name = "twofactor.methods.sms"
    label = "sms"
    method_class = "twofactor.methods.sms.method.SmsMethod"
    verbose_name = "SMS tokens"
