"""A reopened survey cycle, as its next close sees it (services_reopen reopens; services closes)."""

from clinlead.audit.models import AuditEvent
from clinlead.surveys.models import Comment, Response

REOPENED = "surveys.cycle_reopened"


def take_earlier_answers(*, cycle) -> tuple[list[dict], list[tuple]]:
    """At the close of a reopened cycle, inside the close's transaction: remove the answers and
    comments opened at an earlier close and hand them back as sheets, so the close writes them
    again with the new ones, coarsened together, in one fresh random order with new random keys;
    the answers opened now cannot be told from those opened earlier."""
    if not AuditEvent.objects.filter(object_type=cycle._meta.label, object_id=str(cycle.pk), action=REOPENED).exists():
        return [], []
    fields = ["answers", "burnout", "satisfaction"]
    sheets = [{"leader": r["leader_id"], "unit": r["unit_id"], "profession": r["profession"], "comment": None,
               **{f: r[f] for f in fields}}
              for r in Response.objects.filter(cycle=cycle).values("leader_id", "unit_id", "profession", *fields)]
    comments = list(Comment.objects.filter(cycle=cycle).values_list("leader_id", "text"))
    Response.objects.filter(cycle=cycle).delete()
    Comment.objects.filter(cycle=cycle).delete()
    return sheets, comments
