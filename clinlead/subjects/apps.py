from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    """Data-subject requests: a person's export and their erasure (docs/data-subject-requests.md).

    It sits above every domain because a person's data is spread over all of them; nothing
    imports it."""

    name = "clinlead.subjects"
    default_auto_field = "django.db.models.BigAutoField"
