from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "clinlead.evaluation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinlead.evaluation import receivers
        from clinlead.leaderindex import signals as leaderindex_signals

        leaderindex_signals.results_published.connect(receivers.take_published_leader_index,
                                                      dispatch_uid="evaluation.take_published_leader_index")
