"""Career conversations join the one readiness per person and position (issue 19).

A conversation before this change gave a readiness for the level aimed at. Where the person sits in
succession pools for positions at that level, the conversation's readiness joins each of those
positions' history, dated on the conversation. Where the two disagree, the newest assessment is
kept as the current readiness and the other stays in the history (on the same day, the pool's,
since the pool's date is its last change). Conversations with no such pool keep their readiness on
the plan only, for the level aimed at: there is no position for it to disagree about.
"""

from django.db import migrations, models


def conversations_into_position_readiness(apps, schema_editor):
    DevelopmentPlan = apps.get_model("development", "DevelopmentPlan")
    PoolCandidate = apps.get_model("succession", "PoolCandidate")
    ReadinessRecord = apps.get_model("org", "ReadinessRecord")
    plans = (DevelopmentPlan.objects.filter(target_level__isnull=False)
             .filter(person__succession_candidacies__pool__position__level=models.F("target_level"))
             .distinct().order_by("conversation_on", "id"))
    for plan in plans.iterator(chunk_size=2000):
        entries = (PoolCandidate.objects.filter(person_id=plan.person_id,
                                                pool__position__level_id=plan.target_level_id)
                   .select_related("standing", "pool__position").order_by("pool__position__title"))
        for entry in entries:
            current = entry.standing
            # The newest counts; on the pool's own day the pool's value stays (see the docstring).
            if current.source == "pool":
                older = plan.conversation_on <= current.assessed_on
            else:
                older = plan.conversation_on < current.assessed_on
            fields = {"level": plan.readiness, "assessed_on": plan.conversation_on,
                      "assessed_by_id": plan.recorded_by_id, "assessed_by_label": plan.recorded_by_name[:200],
                      "source": "career_conversation"}
            record = ReadinessRecord.objects.create(readiness=current, older_than_current=older, **fields)
            if not older:
                for name, value in fields.items():
                    setattr(current, name, value)
                current.save()
            if plan.position_id is None:
                plan.position_id, plan.readiness_record = entry.pool.position_id, record
                plan.save(update_fields=["position", "readiness_record"])


class Migration(migrations.Migration):

    dependencies = [
        ('development', '0006_career_conversation_readiness_per_position'),
        ('succession', '0002_position_readiness_shared_with_career_conversations'),
    ]

    operations = [
        migrations.RunPython(conversations_into_position_readiness, migrations.RunPython.noop),
    ]
