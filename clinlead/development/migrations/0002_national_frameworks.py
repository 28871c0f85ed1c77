"""Load the national frameworks' structure (names of dimensions and levels) shipped with Clinlead."""

from django.db import migrations


def load(apps, schema_editor):
    from clinlead.development.frameworks import FRAMEWORK_DIR, NATIONAL_FILES, parse_framework

    Framework = apps.get_model("development", "Framework")
    FrameworkLevel = apps.get_model("development", "FrameworkLevel")
    Dimension = apps.get_model("development", "Dimension")
    for filename in NATIONAL_FILES:
        data = parse_framework((FRAMEWORK_DIR / filename).read_text(encoding="utf-8"), source=filename)
        if Framework.objects.filter(organisation=None, code=data["code"], version=data["version"]).exists():
            continue
        framework = Framework.objects.create(organisation=None, code=data["code"], name=data["name"],
                                             version=data["version"], publisher=data["publisher"])
        for rank, name in enumerate(data["levels"], start=1):
            FrameworkLevel.objects.create(framework=framework, name=name, rank=rank)
        for order, item in enumerate(data["dimensions"], start=1):
            Dimension.objects.create(framework=framework, code=item["code"], name=item["name"], order=order)


class Migration(migrations.Migration):
    dependencies = [("development", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
