"""The pool's readiness now lives only in `PositionReadiness` (issue 19): the old column goes and
every entry must point at its readiness. A migration of its own, so PostgreSQL alters the table
after the rows written by 0002 and 0003 are committed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('succession', '0003_career_conversations_join_position_readiness'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='poolcandidate',
            options={'ordering': ['pool', 'standing__level', 'person__last_name']},
        ),
        migrations.RemoveIndex(
            model_name='poolcandidate',
            name='succession__pool_id_6b7199_idx',
        ),
        migrations.RemoveIndex(
            model_name='poolcandidate',
            name='succession__person__23f614_idx',
        ),
        migrations.RemoveField(
            model_name='poolcandidate',
            name='readiness',
        ),
        migrations.AlterField(
            model_name='poolcandidate',
            name='standing',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pool_entries', to="org.positionreadiness"),
        ),
    ]
