"""What evaluation does when the apps below it report a change (connected in `EvaluationConfig.ready`)."""


def take_published_leader_index(sender, *, actor, organisation, **kwargs):
    """Evaluations that follow this organisation's leader index take the newly published figure."""
    # Imported here: this module is imported at startup, and the selectors bring pandas, SciPy
    # and statsmodels (nearly two seconds) that a process publishing nothing should not pay for.
    from clinlead.evaluation.selectors import evaluations_for
    from clinlead.evaluation.services import sync_leader_index

    for evaluation in evaluations_for(organisation=organisation):
        sync_leader_index(actor=actor, evaluation=evaluation)
