"""Career conversations name the position their readiness is for (issue 19); the readiness itself
is org's one readiness per person and position. Existing conversations are joined to it by
succession's migration 0003 (succession sits above development and reads both)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('development', '0005_mentee_consent'),
        ('org', '0002_position_readiness_with_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='developmentplan',
            name='position',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.position', verbose_name='readiness for position'),
        ),
        migrations.AddField(
            model_name='developmentplan',
            name='readiness_record',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.readinessrecord'),
        ),
    ]
