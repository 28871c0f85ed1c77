"""Ballots are sealed until the close; receipts move to their own table, apart from the choices;
voter records keep no day."""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models


def move_receipts_apart(apps, schema_editor):
    # Every stored receipt hash moves to the new table in a random order, with new keys, so that
    # nothing is lost and nothing links a receipt to its ballot any more.
    Ballot = apps.get_model("selection", "Ballot")
    Receipt = apps.get_model("selection", "Receipt")
    rows = list(Ballot.objects.values_list("selection_id", "receipt_hash"))
    random.SystemRandom().shuffle(rows)
    Receipt.objects.bulk_create([Receipt(selection_id=s, receipt_hash=h) for s, h in rows])


class Migration(migrations.Migration):

    dependencies = [
        ('selection', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Receipt',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('receipt_hash', models.CharField(max_length=64, unique=True)),
                ('selection', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='selection.selection')),
            ],
        ),
        migrations.RunPython(move_receipts_apart, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='ballot',
            name='receipt_hash',
        ),
        migrations.RemoveField(
            model_name='voterrecord',
            name='voted_on',
        ),
        migrations.AddField(
            model_name='selection',
            name='ballot_public_key',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='selection',
            name='custodians',
            field=models.JSONField(blank=True, default=list, verbose_name='who holds the key files'),
        ),
        migrations.CreateModel(
            name='SealedBallot',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('box', models.BinaryField()),
                ('selection', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='selection.selection')),
            ],
        ),
    ]
