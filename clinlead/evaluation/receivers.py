"""What evaluation does when the apps below it report a change (connected in `EvaluationConfig.ready`)."""

from clinlead.evaluation.selectors import evaluations_for
from clinlead.evaluation.services import sync_leader_index


def take_published_leader_index(sender, *, actor, organisation, **kwargs):
    """Evaluations that follow this organisation's leader index take the newly published figure."""
    for evaluation in evaluations_for(organisation=organisation):
        sync_leader_index(actor=actor, evaluation=evaluation)
