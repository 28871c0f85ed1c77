from django.apps import AppConfig


class LeaderindexConfig(AppConfig):
    name = "clinlead.leaderindex"
    default_auto_field = "django.db.models.BigAutoField"
