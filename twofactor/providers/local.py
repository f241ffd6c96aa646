"""The ``local`` provider: nothing outside. Tokens are made and checked here; OneTouch
requests are answered on the simulated phone. For development, demos and tests, and for
real texts through any SMS backend."""

from accounts.models import User
from twofactor.providers.base import Provider


class LocalProvider(Provider):
    name = "local"
    app_name = "the Partner Portal phone app"
    independent_methods = True

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        return f"local:{user.pk}"

    def unregister(self, ref: str) -> None:
        return None
