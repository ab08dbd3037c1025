from typing import Any

from django.db import migrations, models

from urgent.officials.numbers import dial_number


def dial_forms_fill(apps: Any, schema_editor: Any) -> None:
    """Read every phone and fax number already in the directory in its official's country."""
    ContactPoint = apps.get_model("officials", "ContactPoint")
    points = ContactPoint.objects.filter(kind__in=["phone", "fax"]).select_related("official")
    changed = []
    for point in points.iterator(chunk_size=500):
        point.dial = dial_number(printed=point.value, country=point.official.country)
        if point.dial:
            changed.append(point)
    ContactPoint.objects.bulk_update(changed, ["dial"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("officials", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="contactpoint",
            name="dial",
            field=models.CharField(
                blank=True,
                help_text="International form, e.g. +12025550150; empty when the number can't be read.",
                max_length=20,
                verbose_name="number to dial",
            ),
        ),
        migrations.RunPython(dial_forms_fill, migrations.RunPython.noop),
    ]
