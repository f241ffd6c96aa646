"""Everyone who holds backup codes gets the sheet that is their django-otp device."""

from django.db import migrations


def make_sheets(apps, schema_editor):
    BackupCode = apps.get_model("backup_codes", "BackupCode")
    BackupCodeSheet = apps.get_model("backup_codes", "BackupCodeSheet")
    holders = BackupCode.objects.values_list("user_id", flat=True).distinct()
    have = set(BackupCodeSheet.objects.values_list("user_id", flat=True))
    BackupCodeSheet.objects.bulk_create(
        BackupCodeSheet(user_id=user_id, name="Backup codes")
        for user_id in holders
        if user_id not in have
    )


class Migration(migrations.Migration):

    dependencies = [
        ("backup_codes", "0002_backupcodesheet"),
    ]

    operations = [
        migrations.RunPython(make_sheets, migrations.RunPython.noop),
    ]
