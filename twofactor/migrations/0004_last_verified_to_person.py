"""Copy each phone device's last verification onto its person, where a reset keeps it."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_to_person(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    PhoneDevice = apps.get_model("twofactor", "PhoneDevice")
    latest = (
        PhoneDevice.objects.filter(user=OuterRef("pk"), last_verified_at__isnull=False)
        .order_by("-last_verified_at")
        .values("last_verified_at")[:1]
    )
    User.objects.filter(last_second_factor_at__isnull=True).update(
        last_second_factor_at=Subquery(latest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_last_second_factor_at"),
        ("twofactor", "0003_phone_change_signed_in"),
    ]

    operations = [migrations.RunPython(copy_to_person, migrations.RunPython.noop)]
