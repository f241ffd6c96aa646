from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People, firms and clients"

    def ready(self) -> None:
        from accounts import emails, known_browsers, sessions

        sessions.connect_signals()
        known_browsers.connect_signals()
        emails.connect_signals()
