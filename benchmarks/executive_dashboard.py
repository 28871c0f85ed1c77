"""The executive dashboard's page time, unfiltered and filtered by a division, beside the survey
cycles list (the page that links to it) as the baseline in the same process.

    CLINLEAD_DATA_DIR=/tmp/benchdash python3 -m clinlead demo --no-serve   # once
    CLINLEAD_DATA_DIR=/tmp/benchdash python3 benchmarks/executive_dashboard.py [--runs 20]

Times GETs through Django's test client as the demo executive (erin), the latest published
Northgate cycle; prints the first view, p50 and p95 in ms and the ratio to the baseline. Never
asserts. Run with PYTHONPATH pointing at an older checkout, it times that code on the same
database.
"""

import argparse
import os
import statistics
import time


def timed(client, url, runs, params=None):
    start = time.perf_counter()
    client.get(url, params or {})  # first view: templates, the charts' first render
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return first, statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinlead.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from clinlead.accounts.models import User
    from clinlead.org.models import Unit
    from clinlead.surveys.models import SurveyCycle

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="erin"))
    cycle = (
        SurveyCycle.objects.filter(organisation__slug="northgate", status="published")
        .order_by("-opens_on")
        .first()
    )
    medicine = Unit.objects.get(organisation=cycle.organisation, path="Medicine")
    pages = [
        (
            "baseline: survey cycles list",
            reverse("surveys:cycles", kwargs={"slug": cycle.organisation.slug}),
            None,
        ),
        ("dashboard", f"/leader-index/cycles/{cycle.pk}/", None),
        (
            "dashboard, division Medicine",
            f"/leader-index/cycles/{cycle.pk}/",
            {"division": medicine.pk},
        ),
    ]
    base = None
    for name, url, params in pages:
        first, p50, p95 = timed(client, url, args.runs, params)
        base = base or p50
        print(
            f"{name:32} first {first:7.1f} ms  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
            f"  ratio {p50 / base:5.2f}"
        )


if __name__ == "__main__":
    main()
