"""The outcome metrics Clinlead knows how to describe.

Each entry says what the number means, its unit, which direction is good and where a
trust usually gets it, so a page can say "lower is better" instead of leaving a reader
to guess the sign of an estimate. Metrics not listed here can still be analysed; they
just have no description.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

HIGHER = "higher"
LOWER = "lower"


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str
    definition: str
    unit: str
    direction: str  # which way is good: "higher" or "lower"
    source: str
    # A count per exposure (deaths against expected, infections per bed days): effects are
    # proportional, so the evaluation adds a Poisson rate model (did_report.rate_model).
    count_based: bool = False
    # What a count-based metric's optional exposure column holds (its rate is per this).
    exposure: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def describe_change(self, *, change: float) -> str:
        """Plain words for a change, e.g. "3.1 index points lower (lower is better)"."""
        if change == 0:
            return f"no change ({self.direction} is better)"
        way = "higher" if change > 0 else "lower"
        return f"{abs(change):.3g} {self.unit} {way} ({self.direction} is better)"


METRICS: dict[str, MetricInfo] = {
    metric.name: metric
    for metric in (
        MetricInfo(
            name="hsmr",
            label="Hospital standardised mortality ratio (HSMR)",
            definition="Observed deaths in hospital divided by the deaths expected given "
            "patients' age, diagnosis, admission type and other risk factors, times 100; "
            "100 means as expected.",
            unit="index points",
            direction=LOWER,
            source="The trust's mortality benchmarking provider, via its information team.",
            count_based=True,
            exposure="expected deaths",
        ),
        MetricInfo(
            name="hospital_acquired_infection_rate",
            label="Hospital-acquired infections",
            definition="Hospital-onset healthcare-associated infections (C. difficile, MRSA, "
            "MSSA and Gram-negative bloodstream infections) per 10,000 occupied bed days.",
            unit="per 10,000 bed days",
            direction=LOWER,
            source="UKHSA mandatory healthcare-associated infection surveillance, with bed "
            "days from the trust's bed-occupancy returns.",
            count_based=True,
            exposure="occupied bed days",
        ),
        MetricInfo(
            name="patient_experience_positive_pct",
            label="Positive patient experience",
            definition="Share of Friends and Family Test responses rating the experience "
            "'very good' or 'good'.",
            unit="percentage points",
            direction=HIGHER,
            source="NHS Friends and Family Test returns.",
        ),
        MetricInfo(
            name="operating_margin_pct",
            label="Operating margin",
            definition="Operating surplus (or deficit, negative) as a share of operating income.",
            unit="percentage points",
            direction=HIGHER,
            source="The trust's monthly finance report and annual accounts.",
        ),
        MetricInfo(
            name="staff_burnout_pct",
            label="Staff burnout",
            definition="Share of staff who say they often or always feel burnt out because "
            "of their work.",
            unit="percentage points",
            direction=LOWER,
            source="NHS Staff Survey and the quarterly staff pulse survey.",
        ),
        MetricInfo(
            name="staff_satisfaction_pct",
            label="Staff satisfaction",
            definition="Share of staff who would recommend the organisation as a place to work.",
            unit="percentage points",
            direction=HIGHER,
            source="NHS Staff Survey and the quarterly staff pulse survey.",
        ),
        MetricInfo(
            name="turnover_pct",
            label="Staff turnover",
            definition="Leavers in the last 12 months as a share of average staff in post "
            "(headcount), excluding rotational doctors in training.",
            unit="percentage points",
            direction=LOWER,
            source="Electronic Staff Record (ESR) workforce reports.",
        ),
        MetricInfo(
            name="sickness_absence_pct",
            label="Sickness absence",
            definition="Full-time-equivalent days lost to sickness as a share of FTE days "
            "available.",
            unit="percentage points",
            direction=LOWER,
            source="Electronic Staff Record (ESR); NHS Sickness Absence Rates.",
        ),
    )
}


def is_count_based(*, name: str | None) -> bool:
    """Whether the catalogue describes ``name`` as a count per exposure (a rate)."""
    info = METRICS.get(name or "")
    return info is not None and info.count_based


def count_based_names() -> list[str]:
    """The catalogue's count-based metrics, the only ones whose figures take an exposure."""
    return sorted(name for name, info in METRICS.items() if info.count_based)


def exposure_of(*, name: str | None) -> str:
    """What a count-based metric's exposure is ("occupied bed days"); "" if none is described."""
    info = METRICS.get(name or "")
    return info.exposure if info is not None and info.count_based else ""


def get_metric(*, name: str) -> MetricInfo | None:
    """The catalogue entry for ``name``, or None for a metric Clinlead does not describe."""
    return METRICS.get(name)


def metric_catalogue() -> list[MetricInfo]:
    return list(METRICS.values())
