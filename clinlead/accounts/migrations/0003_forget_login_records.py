"""Login records keep no more than lockout needs (docs/secrecy.md, "Login records"): forget the
login times, the record of every past login, and failed-login rows kept with request details.
Lockouts in progress end at upgrade."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("accounts", "User").objects.update(last_login=None)
    apps.get_model("axes", "AccessLog").objects.all().delete()
    apps.get_model("axes", "AccessAttempt").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_admin_role"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
