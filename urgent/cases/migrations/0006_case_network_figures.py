from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_casetranslation_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='network_actions',
            field=models.PositiveIntegerField(default=0, help_text='Actions taken through the sections that re-issued this case.'),
        ),
        migrations.AddField(
            model_name='case',
            name='network_sections',
            field=models.PositiveIntegerField(default=0, help_text='Sections that reported actions on this case.'),
        ),
    ]
