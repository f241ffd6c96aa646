from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People, firms and clients"

    def ready(self) -> None:
        from accounts import emails, known_browsers, security_events, sessions
        from portal import headers  # noqa: F401 - registers its deploy check

        sessions.connect_signals()
        known_browsers.connect_signals()
        emails.connect_signals()
        security_events.connect_signals()
