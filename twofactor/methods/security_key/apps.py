from django.apps import AppConfig


class SecurityKeyConfig(AppConfig):
    """A sign-in method's plug-in app: its models, migrations, templates, and the
    Method class the registry reads (``method_class``)."""

    name = "twofactor.methods.security_key"
    label = "security_key"
    method_class = "twofactor.methods.security_key.method.SecurityKeyMethod"
    verbose_name = "Security keys and passkeys"
