"""Clinlead's own metrics: the analytics catalogue plus the leader index from published cycles."""

from clinlead.analytics.metric_catalogue import HIGHER, MetricInfo, metric_catalogue
from clinlead.evaluation.models import LEADER_INDEX

LEADER_INDEX_METRIC = MetricInfo(
    name=LEADER_INDEX,
    label="Mean leader index",
    definition="The organisation's leader index in a published Clinlead leader-index cycle: how "
    "staff rate their immediate leader on 12 behaviours (12 to 60), from groups large enough to "
    "publish. Dated by the month the cycle closed.",
    unit="index points",
    direction=HIGHER,
    source="Clinlead's published leader-index cycles, taken automatically; it cannot be imported.",
)


def builtin_metrics() -> list[MetricInfo]:
    return [*metric_catalogue(), LEADER_INDEX_METRIC]


def ensure_catalogue(metric_model=None) -> None:
    """Write Clinlead's own metrics if they are missing (idempotent; also run by the migration)."""
    if metric_model is None:
        from clinlead.evaluation.models import Metric as metric_model
    for info in builtin_metrics():
        metric_model.objects.get_or_create(name=info.name, defaults={
            "label": info.label, "definition": info.definition, "unit": info.unit,
            "direction": info.direction, "source": info.source, "organisation": None,
        })
