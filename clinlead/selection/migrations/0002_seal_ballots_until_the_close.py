"""Ballots are sealed until the close; receipts move to their own table, apart from the choices;
voter records keep no day."""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models


def move_receipts_apart(apps, schema_editor):
    # Every stored receipt hash moves to the new table in a random order, with new keys, and the
    # ballots and voter records are written again with new keys (ballots in a random order,
    # voter records in order of person), so that nothing is lost and no receipt, key or order
    # kept in an older backup leads from a voter to a ballot any more.
    Ballot = apps.get_model("selection", "Ballot")
    Receipt = apps.get_model("selection", "Receipt")
    VoterRecord = apps.get_model("selection", "VoterRecord")
    secure = random.SystemRandom()
    receipts = list(Ballot.objects.values_list("selection_id", "receipt_hash"))
    ballots = [(s, p, f"{uuid.uuid4().hex}-moved") for s, p in Ballot.objects.values_list("selection_id", "preferences")]
    voters = list(VoterRecord.objects.order_by("selection_id", "person_id").values_list("selection_id", "person_id",
                                                                                       "voted_on"))
    secure.shuffle(receipts)
    secure.shuffle(ballots)
    Ballot.objects.all().delete()
    VoterRecord.objects.all().delete()
    Receipt.objects.bulk_create([Receipt(selection_id=s, receipt_hash=h) for s, h in receipts])
    Ballot.objects.bulk_create([Ballot(selection_id=s, preferences=p, receipt_hash=h) for s, p, h in ballots])
    VoterRecord.objects.bulk_create([VoterRecord(selection_id=s, person_id=p, voted_on=d) for s, p, d in voters])


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
