from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_primary_outcome'),
    ]

    operations = [
        migrations.AddField(
            model_name='observation',
            name='exposure',
            field=models.FloatField(blank=True, null=True),
        ),
    ]
