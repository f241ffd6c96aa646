from django.apps import AppConfig


class EmailCodesConfig(AppConfig):
    """The test-only method's plug-in app (docs/methods.md)."""

    name = "tests.email_codes"
    label = "email_codes"
    method_class = "tests.email_codes.method.EmailCodeMethod"
    verbose_name = "Email codes (tests only)"
