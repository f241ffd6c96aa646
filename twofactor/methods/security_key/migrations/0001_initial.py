"""The records of this method, moved here from the ``twofactor`` app with their tables
(state only: nothing is created in the database)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("twofactor", "0002_methods_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='KeyOwner',
                    fields=[
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='key_owner', serialize=False, to=settings.AUTH_USER_MODEL)),
                        ('handle', models.BinaryField(max_length=64, unique=True)),
                    ],
                    options={'db_table': 'twofactor_keyowner'},
                ),
                migrations.CreateModel(
                    name='SecurityKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=64)),
                        ('credential_id', models.BinaryField(max_length=1023)),
                        ('public_key', models.BinaryField()),
                        ('sign_count', models.PositiveBigIntegerField(default=0)),
                        ('transports', models.JSONField(blank=True, default=list)),
                        ('aaguid', models.CharField(blank=True, max_length=36)),
                        ('backup_eligible', models.BooleanField(default=False)),
                        ('backed_up', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='security_keys', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'twofactor_securitykey',
                        'ordering': ['created_at', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('credential_id',), name='security_key_credential_unique')],
                    },
                ),
            ],
        ),
    ]
