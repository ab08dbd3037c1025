"""Seal letters and what their writers said about themselves."""

from django.db import migrations

import urgent.core.encrypted
from urgent.core.vault import SealedTable, table_reseal

TABLES = (
    SealedTable("actions_action", ("letter", "signature")),
    SealedTable("actions_pendingletter", ("letter", "signature", "signer_name", "signer_city")),
)


def seal(apps, schema_editor):
    for spec in TABLES:
        table_reseal(schema_editor.connection, spec)


def unseal(apps, schema_editor):
    for spec in TABLES:
        table_reseal(schema_editor.connection, spec, unseal=True)


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0006_pending_letter_signer_details'),
    ]

    operations = [
        migrations.AlterField(
            model_name='action',
            name='letter',
            field=urgent.core.encrypted.EncryptedField(blank=True, verbose_name='letter'),
        ),
        migrations.AlterField(
            model_name='action',
            name='signature',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=200, verbose_name='signed as'),
        ),
        migrations.AlterField(
            model_name='pendingletter',
            name='letter',
            field=urgent.core.encrypted.EncryptedField(),
        ),
        migrations.AlterField(
            model_name='pendingletter',
            name='signature',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name='pendingletter',
            name='signer_city',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name='pendingletter',
            name='signer_name',
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=200),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
    ]
