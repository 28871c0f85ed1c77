"""One readiness per person and position (issue 19): the pool's readiness moves into org's
`PositionReadiness`, each with one history row.

The date an existing pool readiness was assessed is not known; the entry's last change
(`updated_at`) is taken, the latest day it can have been set. The career conversations'
readiness joins the same rows in development's migration 0006, where the newest value wins.
"""

import django.db.models.deletion
from django.db import migrations, models


def pool_readiness_into_position_readiness(apps, schema_editor):
    PoolCandidate = apps.get_model("succession", "PoolCandidate")
    PositionReadiness = apps.get_model("org", "PositionReadiness")
    ReadinessRecord = apps.get_model("org", "ReadinessRecord")
    batch = []
    for entry in PoolCandidate.objects.select_related("pool").order_by("pk").iterator(chunk_size=2000):
        fields = {"level": entry.readiness, "assessed_on": entry.updated_at.date(),
                  "assessed_by_id": entry.nominated_by_id, "assessed_by_label": entry.nominated_by_label[:200],
                  "source": "pool"}
        standing = PositionReadiness.objects.create(person_id=entry.person_id, position_id=entry.pool.position_id,
                                                    **fields)
        ReadinessRecord.objects.create(readiness=standing, **fields)
        entry.standing = standing
        batch.append(entry)
        if len(batch) == 2000:
            PoolCandidate.objects.bulk_update(batch, ["standing"])
            batch = []
    PoolCandidate.objects.bulk_update(batch, ["standing"])


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_position_readiness_with_history'),
        ('succession', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='poolcandidate',
            name='standing',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='pool_entries', to='org.positionreadiness'),
        ),
        migrations.RunPython(pool_readiness_into_position_readiness, migrations.RunPython.noop),
    ]
