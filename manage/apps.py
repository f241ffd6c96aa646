from django.apps import AppConfig


class ManageConfig(AppConfig):
    name = "manage"
    verbose_name = "Admin pages and the Security page"
