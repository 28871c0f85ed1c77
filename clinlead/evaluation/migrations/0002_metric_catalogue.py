"""Clinlead's own metrics: the analytics catalogue and the leader index."""

from django.db import migrations


def load(apps, schema_editor):
    from clinlead.evaluation.catalogue import ensure_catalogue

    ensure_catalogue(apps.get_model("evaluation", "Metric"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
