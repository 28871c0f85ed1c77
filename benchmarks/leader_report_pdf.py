"""The leader report's PDF and page: how long Alice waits for them.

    python3 benchmarks/leader_report_pdf.py [--staff 200] [--repeat 10]

Builds the demo group (as `clinlead demo` does) on a fresh SQLite database in a temporary
folder, logs in as Alice and times, `--repeat` times each, through Django's test client:

- the baseline: WeasyPrint writing a one-paragraph PDF (the floor any PDF pays);
- the report page (`GET /leader-index/cycles/<cycle>/leaders/<alice>/`);
- the report PDF (`.../report.pdf`), the first request of the process apart (it pays for loading the
  chart renderer and the fonts).

Prints p50/p95 and the ratio of the PDF's p50 to the baseline's. Run it on two checkouts (with
PYTHONPATH pointing at each) to compare before and after. Asserts nothing.
"""

import argparse
import time

from fresh_database import open_fresh_database  # noqa: E402  (beside this script)
from succession_monitor import timed  # p50 and p95 in ms, as the other page benchmarks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    open_fresh_database()
    from datetime import date

    from django.conf import settings
    from django.test import Client

    from clinlead import actions
    from clinlead.accounts.models import User
    from clinlead.leaderindex.models import LeaderResult
    from clinlead.org.demo import DemoGenerator, add_feature_demo_data

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    generator = DemoGenerator(staff=args.staff, seed=1, today=date.today()).build()
    with actions.atomic():  # as `clinlead demo` does: one action's transaction
        world = generator.write()
        add_feature_demo_data(world=world, generator=generator)
    alice = User.objects.get(username="alice")
    latest = (LeaderResult.objects.filter(leader_id=alice.person_id)
              .order_by("-cycle__opens_on").first())
    client = Client()
    client.force_login(alice)
    page_url = f"/leader-index/cycles/{latest.cycle_id}/leaders/{alice.person_id}/"
    pdf_url = page_url + "report.pdf"

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def floor():
        from weasyprint import HTML

        HTML(string="<p>Clinlead</p>").write_pdf()

    t0 = time.perf_counter()
    size = len(get(pdf_url).content)
    first = (time.perf_counter() - t0) * 1000
    base = timed(floor, args.repeat)
    page = timed(lambda: get(page_url), args.repeat)
    pdf = timed(lambda: get(pdf_url), args.repeat)
    print(f"staff:             {args.staff}; {alice.person}'s report, {latest.cycle.name}")
    print(f"baseline PDF:      p50 {base[0]:.0f} ms, p95 {base[1]:.0f} ms")
    print(f"report page:       p50 {page[0]:.0f} ms, p95 {page[1]:.0f} ms")
    print(f"report PDF, first: {first:.0f} ms ({size / 1024:.0f} KiB)")
    print(f"report PDF:        p50 {pdf[0]:.0f} ms, p95 {pdf[1]:.0f} ms; "
          f"{pdf[0] / base[0]:.1f} x the baseline PDF")


if __name__ == "__main__":
    main()
