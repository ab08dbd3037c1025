"""Seal officials' replies at rest: they quote the letters they answer, signed by name."""

from django.db import migrations

import urgent.core.encrypted
from urgent.core.vault import SealedTable, table_reseal

REPLIES = SealedTable("actions_officialreply", ("text",))


def seal(apps, schema_editor):
    table_reseal(schema_editor.connection, REPLIES)


def unseal(apps, schema_editor):
    table_reseal(schema_editor.connection, REPLIES, unseal=True)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_letters_sealed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="officialreply",
            name="text",
            field=urgent.core.encrypted.EncryptedField(blank=True),
        ),
        migrations.RunPython(seal, unseal),
    ]
