"""The audit log: auditors search it and export what they found."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Max, Q, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from clinlead import actions
from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, page_of
from clinlead.audit import labels
from clinlead.audit import services as audit
from clinlead.audit.models import AuditEvent, DailyCount
from clinlead.exports import SafeCsvWriter

EXPORT_COLUMNS = [
    "occurred_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
]


def _filtered(request, org):
    filters = {
        "action": request.GET.get("action", "").strip()[:100],
        "actor": request.GET.get("actor", "").strip()[:100],
        "since": _date(request.GET.get("since")),
        "until": _date(request.GET.get("until")),
    }
    events = _by_action_and_day(
        AuditEvent.objects.filter(organisation=org), filters, day="occurred_at__date"
    )
    if filters["actor"]:
        events = events.filter(actor_label__icontains=filters["actor"])
    return events, filters


def _daily_counts(org, filters):
    """Answers and votes, counted per day (single events would date a person); the search's
    action and dates apply, the actor does not (a count has none)."""
    if filters["actor"]:
        return DailyCount.objects.none()
    rows = _by_action_and_day(DailyCount.objects.filter(organisation=org), filters, day="day")
    # A day's count can be split over slots (audit.services.count_today): one line, their sum.
    return (rows.values("day", "action", "object_type", "object_id")
            .annotate(what=Max("object_repr"), total=Sum("count")).order_by("-day", "action"))


def _by_action_and_day(rows, filters, *, day):
    if filters["action"]:
        # People search by the label they read ("nominated"); the machine name still works.
        rows = rows.filter(Q(action__icontains=filters["action"])
                           | Q(action__in=labels.actions_matching(filters["action"])))
    if filters["since"]:
        rows = rows.filter(**{f"{day}__gte": filters["since"]})
    if filters["until"]:
        rows = rows.filter(**{f"{day}__lte": filters["until"]})
    return rows


def _date(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def log(request, slug):
    org = organisation_for(request, slug, permissions.can_view_audit)
    events, filters = _filtered(request, org)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "org": org,
            "page": page_of(request, events),
            "filters": filters,
            "query": query.urlencode(),
            "daily_counts": _daily_counts(org, filters)[:400],
            "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url())),
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def export(request, slug):
    org = organisation_for(request, slug, permissions.can_view_audit)
    events, filters = _filtered(request, org)
    with actions.atomic():
        audit.record(
            actor=request.user,
            action="audit.exported",
            organisation=org,
            after={k: str(v) for k, v in filters.items() if v},
        )
    writer = SafeCsvWriter(_Echo())

    def rows():
        yield writer.writerow(EXPORT_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([getattr(event, c) for c in EXPORT_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="clinlead-audit-{org.slug}.csv"'
    return response
