from django.apps import AppConfig


class PortalAppConfig(AppConfig):
    """The Partner Portal app: push's own channel to phones, by standard Web Push. Its
    models, migrations, pages and API; push (``twofactor.methods.push``) sends each sign-in
    request to the person's paired phones through it."""

    name = "twofactor.methods.push.portal_app"
    label = "portal_app"
    verbose_name = "Partner Portal app (Web Push)"

    def ready(self) -> None:
        from twofactor.methods.push.portal_app import checks  # noqa: F401 - registers them
