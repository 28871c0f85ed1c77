"""The monitor's figures as its page reads them: worked out in the background, never while
someone waits.

Summing tens of thousands of key positions takes a few hundred milliseconds in a large trust,
so no visit pays for it. Each scope (the organisation, a division, a level) keeps the figures
last worked out for it in the cache, with the organisation's data token and the day they were
worked out. A succession action renews the token and, once it commits, queues a refresh of the
whole organisation's figures. A visit that finds its figures out of date (another token, another
day, other settings, or older than MAX_AGE for changes made outside succession) shows them,
says they are being updated, and queues a refresh; only a scope never seen before is worked out
during the request. With the development task backend a queued refresh runs at once, so there
the page always shows the newest figures.
"""

import uuid
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from clinlead.org.diversity import CategoryTable
from clinlead.succession.diversity import pipeline_diversity
from clinlead.succession.models import MonitorSettings
from clinlead.succession.monitor import Scope, monitor_figures, settings_for

MAX_AGE = timedelta(minutes=10)
CACHE_SECONDS = 600  # pipeline diversity, kept under the data token
KEPT_SECONDS = 60 * 60 * 24 * 3  # long enough to outlive any refresh; a newer one replaces it
REFRESH_LOCK_SECONDS = 120


def _key(organisation_id, division_id, level_id):
    return f"succession-monitor:{organisation_id}:{division_id or '-'}:{level_id or '-'}"


def _version(settings, day):
    """What the figures depend on besides the rows: changed data, the day, the settings."""
    return (str(settings.data_token) if settings.pk else "no-action-yet", day.isoformat(),
            settings.risk_window_months, settings.over_nomination_threshold)


def _ids(scope):
    return (scope.organisation.pk, scope.division.pk if scope.division else None,
            scope.level.pk if scope.level else None)


def compute_and_store(*, scope, day: date | None = None):
    """Work out a scope's figures and keep them. The version is read before the sums, so a change
    committed meanwhile leaves them marked out of date."""
    day = day or date.today()
    settings = settings_for(scope.organisation)
    version = _version(settings, day)
    figures = monitor_figures(scope=scope, day=day, settings=settings)
    figures["computed_at"] = timezone.now()
    cache.set(_key(*_ids(scope)), {"version": version, "figures": figures}, KEPT_SECONDS)
    return figures


def monitor_figures_for_page(*, scope, day: date | None = None):
    """The newest figures kept for the scope, with "refreshing" True when they are out of date
    and a refresh has been queued."""
    day = day or date.today()
    key = _key(*_ids(scope))
    kept = cache.get(key)
    if kept is None:
        return {**compute_and_store(scope=scope, day=day), "refreshing": False}
    version = _version(settings_for(scope.organisation), day)
    if kept["version"] == version and timezone.now() - kept["figures"]["computed_at"] < MAX_AGE:
        return {**kept["figures"], "refreshing": False}
    queue_refresh(*_ids(scope), day=day)
    renewed = cache.get(key)  # the development backend has just worked them out
    if renewed is not None and renewed["version"] == version \
            and renewed["figures"]["computed_at"] > kept["figures"]["computed_at"]:
        return {**renewed["figures"], "refreshing": False}
    return {**kept["figures"], "refreshing": True}


def queue_refresh(organisation_id, division_id=None, level_id=None, *, day: date | None = None):
    """Queue one refresh of a scope's figures; a refresh already queued is not queued again."""
    lock = _key(organisation_id, division_id, level_id) + ":refreshing"
    if cache.add(lock, True, REFRESH_LOCK_SECONDS):
        refresh_monitor_figures.enqueue(organisation_id=organisation_id, division_id=division_id,
                                        level_id=level_id, day=(day or date.today()).isoformat())


@task()
def refresh_monitor_figures(*, organisation_id, division_id=None, level_id=None, day):
    """The background task (its day an ISO date: task arguments are JSON)."""
    refresh(organisation_id=organisation_id, division_id=division_id, level_id=level_id,
            day=date.fromisoformat(day))


def refresh(*, organisation_id, division_id, level_id, day: date):
    """The background task's work: recompute, keep, and let the next refresh be queued."""
    from clinlead.org.models import Organisation, PositionLevel, Unit

    try:
        organisation = Organisation.objects.get(pk=organisation_id)
        scope = Scope(organisation=organisation,
                      division=Unit.objects.get(pk=division_id) if division_id else None,
                      level=PositionLevel.objects.get(pk=level_id) if level_id else None)
        compute_and_store(scope=scope, day=day)
    finally:
        cache.delete(_key(organisation_id, division_id, level_id) + ":refreshing")


def drill_down_scopes(*, organisation):
    """The organisation, each division and each level: what the monitor's drill-down offers."""
    from clinlead.org.models import PositionLevel, Unit

    yield Scope(organisation=organisation)
    for division in Unit.objects.filter(organisation=organisation, depth=0).order_by("name"):
        yield Scope(organisation=organisation, division=division)
    for level in PositionLevel.objects.filter(organisation=organisation).order_by("-rank"):
        yield Scope(organisation=organisation, level=level)


def data_changed(organisation_id):
    """Mark the organisation's kept monitor figures out of date and have them worked out again
    once the action commits; call inside the action's transaction."""
    MonitorSettings.objects.get_or_create(organisation_id=organisation_id)
    MonitorSettings.objects.filter(organisation_id=organisation_id).update(data_token=uuid.uuid4())
    refresh_after_commit(organisation_id)


def cached_pipeline_diversity(*, organisation, dimension) -> CategoryTable:
    """pipeline_diversity, kept until a succession action renews the data token (or 10 minutes)."""
    settings = settings_for(organisation)
    if settings.pk is None:
        return pipeline_diversity(organisation=organisation, dimension=dimension)
    # "tables:" since category tables pool classes: entries pickled before are never read back.
    key = f"succession-diversity:tables:{settings.data_token}:{dimension}:{organisation.min_responses}"
    table = cache.get(key)
    if table is None:
        table = pipeline_diversity(organisation=organisation, dimension=dimension)
        cache.set(key, table, CACHE_SECONDS)
    return table


def refresh_after_commit(organisation_id):
    """Called by every succession action inside its transaction: once it commits, the whole
    organisation's figures are worked out again in the background."""
    transaction.on_commit(lambda: queue_refresh(organisation_id))
