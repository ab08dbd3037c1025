# Letter deliveries gain the case, official, supporter and role they are for, and the letter's
# recipients share one Message-ID. No deliveries were ever written with the first layout
# (nothing created them), so the table is rebuilt rather than converted.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="LetterDelivery"),
    ]
