"""Seal supporters' addresses, names, cities and form details; find addresses by hash."""

from django.db import migrations, models

import urgent.core.encrypted
from urgent.core.vault import SealedTable, table_reseal

TABLES = (
    SealedTable(
        "supporters_supporter",
        ("email", "name", "city"),
        email="email",
        email_hash="email_hash",
    ),
    SealedTable("supporters_confirmation", ("profile",)),
)


def seal(apps, schema_editor):
    for spec in TABLES:
        table_reseal(schema_editor.connection, spec)


def unseal(apps, schema_editor):
    for spec in TABLES:
        table_reseal(schema_editor.connection, spec, unseal=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_network_figures'),
        ('supporters', '0002_confirmation_supporter_erased_at_and_more'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='supporter',
            name='supporter_email_unique',
        ),
        migrations.AddField(
            model_name='supporter',
            name='email_hash',
            field=urgent.core.encrypted.EmailHashField(blank=True, editable=False, max_length=64, null=True, source='email'),
        ),
        migrations.AlterField(
            model_name='confirmation',
            name='profile',
            field=urgent.core.encrypted.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='supporter',
            name='city',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=100, verbose_name='city'),
        ),
        migrations.AlterField(
            model_name='supporter',
            name='email',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=254, null=True, verbose_name='email'),
        ),
        migrations.AlterField(
            model_name='supporter',
            name='name',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=200, verbose_name='name as you sign letters'),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.AddConstraint(
            model_name='supporter',
            constraint=models.UniqueConstraint(condition=models.Q(('email_hash__isnull', False)), fields=('email_hash',), name='supporter_email_hash_unique'),
        ),
    ]
