"""Rate-limit counters on PostgreSQL are an UNLOGGED table.

A transaction that writes only unlogged tables commits without waiting for the WAL to
reach the disk, so bumping a counter no longer holds the counter's row lock through a
disk flush: the intake counts a hit on the client's key in its own statement, and a surge
from one address (a campus or carrier NAT) does not queue on that one row. What is lost:
after a crash of the database server (not a clean restart) PostgreSQL empties the table,
so every window starts afresh. SQLite keeps the table as it is.
"""

from django.db import migrations


def _set(logged: bool):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("core", "RateLimitCounter")._meta.db_table
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(f"ALTER TABLE {quoted} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_queuehold"),
    ]

    operations = [
        migrations.RunPython(_set(logged=False), _set(logged=True)),
    ]
