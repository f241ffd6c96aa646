from django.apps import AppConfig


class TotpConfig(AppConfig):
    """A sign-in method's plug-in app: its models, migrations, templates, and the
    Method class the registry reads (``method_class``)."""

    name = "twofactor.methods.totp"
    label = "totp"
    method_class = "twofactor.methods.totp.method.AuthenticatorAppMethod"
    verbose_name = "Authenticator apps"
