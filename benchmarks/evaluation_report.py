"""The board's evaluation report: first view and PDF, before and after results (and their
charts) are computed when the data changes rather than when the report is first read.

    python3 benchmarks/evaluation_report.py [--repeat 3] [--database-url postgres://.../clinlead_bench]

Sets up the demo's evaluation (3 pilots, 8 comparators, 8 metrics, 42 months) through the
services, as a talent admin would: the set-up, then one import of every figure, which computes
the results and draws their charts. Then times, for a superuser through Django's test client,
`--repeat` times each:

- before (the baseline, as the demo stored results until now): the stored charts removed and
  the cache cleared, so the first view draws every chart; the same for the PDF;
- after: the first view with the cache cleared, reading the stored results and charts; the PDF.

Also the import itself (computing and drawing happen there now). Prints the median of each and
the ratio after/before; asserts nothing.
"""

import argparse
import time

from fresh_database import open_fresh_database  # noqa: E402  (beside this script)
from succession_monitor import timed  # noqa: E402  (beside this script)


def median_ms(call, repeat, before=None):
    return timed(call, repeat, before)[0]  # the median, in ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    open_fresh_database(args.database_url)

    import csv
    import io

    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from clinlead.accounts.models import User
    from clinlead.evaluation import services
    from clinlead.evaluation.catalogue import ensure_catalogue
    from clinlead.evaluation.demo import demo_series
    from clinlead.evaluation.models import Metric, MetricResult
    from clinlead.org.models import Organisation

    setup_test_environment()
    ensure_catalogue()
    rows, pilots, comparators, metric_names = demo_series()
    organisation = Organisation.objects.create(name=next(iter(pilots)), slug="pilot")
    admin = User.objects.create_superuser(username="bench", password="x", email="bench@example.org")
    participants = [services.Participant(name=name, role="pilot", start=start)
                    for name, start in pilots.items()]
    participants += [services.Participant(name=name, role="comparator") for name in comparators]
    evaluation = services.create_evaluation(
        actor=admin, organisation=organisation, name="Leadership model pilot",
        metrics=list(Metric.objects.filter(name__in=metric_names)), participants=participants)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["organisation", "period", "metric", "value"])
    writer.writerows([r["organisation"], r["period"], r["metric"], r["value"]] for r in rows)
    t0 = time.perf_counter()
    services.import_observations(actor=admin, evaluation=evaluation,
                                 content=buffer.getvalue().encode(), filename="figures.csv")
    imported = time.perf_counter() - t0
    stored = {r.pk: (r.trend_svg, r.event_svg)
              for r in MetricResult.objects.filter(evaluation=evaluation)}

    client = Client()
    client.force_login(admin)
    page_url = reverse("evaluation:detail", kwargs={"pk": evaluation.pk})
    pdf_url = reverse("evaluation:pdf", kwargs={"pk": evaluation.pk})

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def as_before():
        """Results stored without their charts, nothing cached: the first view draws them."""
        MetricResult.objects.filter(evaluation=evaluation).update(trend_svg="", event_svg="")
        cache.clear()

    def as_after():
        for pk, (trend, event) in stored.items():
            MetricResult.objects.filter(pk=pk).update(trend_svg=trend, event_svg=event)
        cache.clear()

    get(page_url)  # warm the templates and imports, as a running server has them
    figures = {
        "first view, before": median_ms(lambda: get(page_url), args.repeat, as_before),
        "first view, after": median_ms(lambda: get(page_url), args.repeat, as_after),
        "PDF (first), before": median_ms(lambda: get(pdf_url), args.repeat, as_before),
        "PDF (first), after": median_ms(lambda: get(pdf_url), args.repeat, as_after),
    }
    print(f"import of {len(rows)} figures, computing and drawing {len(stored)} results: "
          f"{imported:.1f} s")
    for name, ms in figures.items():
        print(f"{name:>22}: {ms:8.0f} ms")
    # Where the PDF's time goes: the template, then WeasyPrint's layout.
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from clinlead.evaluation.views import _report_context
    from clinlead.pdf import render_pdf

    request = RequestFactory().get(pdf_url)
    request.user = admin
    as_after()
    context = _report_context(request, evaluation, pdf=True)
    html_ms = median_ms(lambda: render_to_string("evaluation/report_pdf.html", context),
                        args.repeat)
    pdf_ms = median_ms(lambda: render_pdf(template="evaluation/report_pdf.html", context=context),
                       args.repeat)
    print(f"PDF template {html_ms:.0f} ms; template and layout {pdf_ms:.0f} ms")
    for what in ("first view", "PDF (first)"):
        ratio = figures[f"{what}, after"] / figures[f"{what}, before"]
        print(f"{what}: after / before = {ratio:.2f}")


if __name__ == "__main__":
    main()
