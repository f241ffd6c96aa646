from django.apps import AppConfig


class BackupCodesConfig(AppConfig):
    """A sign-in method's plug-in app: its models, migrations, templates, and the
    Method class the registry reads (``method_class``)."""

    name = "twofactor.methods.backup_codes"
    label = "backup_codes"
    method_class = "twofactor.methods.backup_codes.method.BackupCodeMethod"
    verbose_name = "Backup codes"
