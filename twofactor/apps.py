from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Two-factor authentication"

    def ready(self) -> None:
        from accounts import audit
        from twofactor import (
            checks,  # noqa: F401 - registers the start-up checks
            methods,
        )

        for method in methods.registry():
            if method.signed_in_words:
                audit.describe_method(method.name, method.signed_in_words)
            for name, words in method.also_recorded_as.items():
                audit.describe_method(name, words)
            if method.audit_words:
                audit.describe_tags("Second factor", method.audit_words)
