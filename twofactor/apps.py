from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Two-factor authentication"

    def ready(self) -> None:
        from twofactor import (
            checks,  # noqa: F401 - registers the start-up checks
            methods,
        )

        methods.announce()
