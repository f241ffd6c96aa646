"""The methods' own records move to their plug-in apps (``security_key``, ``totp``,
``backup_codes``) with their tables: state only, no table is dropped or recreated. The
session is marked verified by the device that answered (``SignInAttempt.device``), and a
remembered browser is such a device; ``PhoneDevice.last_verified_at`` was never read."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("twofactor", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="phonedevice", name="last_verified_at"),
        migrations.AddField(
            model_name="rememberedbrowser",
            name="confirmed",
            field=models.BooleanField(default=True, help_text="Is this device ready for use?"),
        ),
        migrations.AddField(
            model_name="rememberedbrowser",
            name="name",
            field=models.CharField(
                default="Remembered browser",
                help_text="The human-readable name of this device.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signinattempt",
            name="device",
            field=models.CharField(blank=True, max_length=96),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SecurityKey"),
                migrations.DeleteModel(name="KeyOwner"),
                migrations.DeleteModel(name="AuthenticatorApp"),
                migrations.DeleteModel(name="BackupCode"),
            ],
        ),
    ]
