"""Seal kept mail at rest: the raw message, its senders, subject and routing note."""

from django.db import migrations

import urgent.core.encrypted
from urgent.core.vault import SealedTable, table_reseal

TEXTS = SealedTable("inbound_inboundmessage", ("mail_from", "from_header", "subject", "note"))


def raw_seal(apps, schema_editor):
    Message = apps.get_model("inbound", "InboundMessage")
    for row in Message.objects.only("pk", "raw").iterator(chunk_size=200):
        row.raw_sealed = bytes(row.raw)
        row.save(update_fields=["raw_sealed"])


def raw_unseal(apps, schema_editor):
    Message = apps.get_model("inbound", "InboundMessage")
    for row in Message.objects.only("pk", "raw_sealed").iterator(chunk_size=200):
        row.raw = bytes(row.raw_sealed or b"")
        row.save(update_fields=["raw"])


def texts_seal(apps, schema_editor):
    table_reseal(schema_editor.connection, TEXTS)


def texts_unseal(apps, schema_editor):
    table_reseal(schema_editor.connection, TEXTS, unseal=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inbound", "0003_route_fax_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="raw_sealed",
            field=urgent.core.encrypted.EncryptedBytesField(null=True),
        ),
        migrations.RunPython(raw_seal, raw_unseal),
        migrations.RemoveField(model_name="inboundmessage", name="raw"),
        migrations.RenameField(model_name="inboundmessage", old_name="raw_sealed", new_name="raw"),
        migrations.AlterField(
            model_name="inboundmessage",
            name="raw",
            field=urgent.core.encrypted.EncryptedBytesField(),
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="mail_from",
            field=urgent.core.encrypted.EncryptedField(
                blank=True, max_length=320, verbose_name="envelope sender"
            ),
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="from_header",
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=320),
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="subject",
            field=urgent.core.encrypted.EncryptedField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="note",
            field=urgent.core.encrypted.EncryptedField(blank=True),
        ),
        migrations.RunPython(texts_seal, texts_unseal),
    ]
