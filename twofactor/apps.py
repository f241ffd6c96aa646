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
        from twofactor.signin import flow

        methods.announce()
        # A remembered browser skips the second step: not a method, but a sign-in's way.
        audit.describe_method(flow.SKIPPED, "on a remembered browser")
