"""Evaluation pages: the report reads as associations with their caveats, the import page lists
every bad row and writes nothing, set-up, the catalogue, the planning calculator, who may do
what."""

import html
import io
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from clinlead.accounts.models import User
from clinlead.analytics.did_power import comparators_needed, minimum_detectable_effect
from clinlead.evaluation import services, views
from clinlead.evaluation.models import Evaluation, EvaluationOrganisation, Metric, Observation
from tests.evaluation.conftest import csv_bytes, simulate

# Causal wording about effects. The one sentence allowed to use it denies it.
CAUSAL = re.compile(r"\b(caus(e|es|ed|ing)|led to|leads? to|because of|results? in|resulted in|"
                    r"due to|thanks to|attributable|drove|driven by|brought about|impact of)\b",
                    re.IGNORECASE)
DENIALS = ["it does not prove the pilot caused it"]


def visible_text(markup, *, definitions=True):
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    if not definitions:
        # What a metric measures is not a finding: the staff survey asks whether people feel
        # burnt out "because of their work".
        markup = re.sub(r'<span class="clinlead-metric-definition">[^<]*</span>', " ", markup)
    # Chart descriptions are read out by screen readers, so they are scanned too.
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', markup))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup) + " " + labels))


def causal_claims(text):
    for denial in DENIALS:
        text = text.replace(denial, "")
    return [text[max(0, m.start() - 60):m.end() + 60] for m in CAUSAL.finditer(text)]


@pytest.fixture
def demo_evaluation(demo):
    return Evaluation.objects.get(name="Leadership model pilot")


def test_the_report_never_calls_an_association_a_cause(demo_evaluation, login):
    page = login("erin").get(reverse("evaluation:detail", kwargs={"pk": demo_evaluation.pk}))
    text = visible_text(page.content.decode(), definitions=False)
    assert "does not prove the pilot caused it" in text  # the caveat is shown...
    assert causal_claims(text) == []  # ...and nothing else claims a cause
    assert "Parallel trends" in text and "association" in text
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="erin")
    board_paper = render_to_string("evaluation/report_pdf.html",
                                   views._report_context(request, demo_evaluation))
    assert causal_claims(visible_text(board_paper, definitions=False)) == []


def test_the_scan_would_catch_a_causal_claim():
    assert causal_claims("The programme led to lower mortality.")
    assert causal_claims("Burnout fell because of the dyads.")
    assert not causal_claims("It reads as the pilot's effect only if the assumptions hold; "
                             "it does not prove the pilot caused it.")


def test_the_report_shows_every_metric_with_its_estimate_ci_charts_and_caveats(demo_evaluation,
                                                                               login):
    page = login("erin").get(reverse("evaluation:detail", kwargs={"pk": demo_evaluation.pk}))
    content = page.content.decode()
    assert page.status_code == 200
    for metric in demo_evaluation.metrics.all():
        assert f'id="estimate-{metric.name}"' in content
    hsmr = re.search(r'id="estimate-hsmr".*?</tr>', content, flags=re.S).group(0)
    assert re.search(r"-?\d+\.?\d* to -?\d+\.?\d*", hsmr), "the row gives the 95% CI"
    assert content.count("clinlead-event-study") == 8  # every estimated metric
    assert "No comparison organisation has figures" in content  # the leader index, honestly
    assert 'id="caveats"' in content and 'id="assumptions"' in content


def test_each_metric_shows_the_headline_its_plain_verdict_and_a_technical_annex(demo_evaluation,
                                                                               login):
    page = login("erin").get(reverse("evaluation:detail", kwargs={"pk": demo_evaluation.pk}))
    content = page.content.decode()
    hsmr = re.search(r'id="headline-hsmr".*?</details>', content, flags=re.S).group(0)
    text = visible_text(hsmr)
    assert "imputation (Borusyak, Jaravel & Spiess 2024)" in text
    assert re.search(r"(Better than comparators|Worse than comparators|No clear difference):", text)
    assert "95% interval (randomisation)" in text and "assignments of the start dates" in text
    assert "As a rate" in text  # HSMR is count-based: the Poisson rate model
    assert "Technical annex" in text and "conventional 95% CI" in text
    assert "Goodman-Bacon decomposition" in text
    assert content.count('class="clinlead-headline"') == 8  # every estimated metric
    board_paper = render_to_string("evaluation/report_pdf.html",
                                   views._report_context(_request_for("erin"), demo_evaluation))
    assert "Technical annex" in board_paper and 'class="clinlead-verdict"' in board_paper


def _request_for(username):
    request = RequestFactory().get("/")
    request.user = User.objects.get(username=username)
    return request


def test_the_leader_index_figures_shown_are_the_published_ones(demo_evaluation, login):
    from clinlead.leaderindex.models import CycleResult

    content = login("erin").get(reverse("evaluation:detail",
                                        kwargs={"pk": demo_evaluation.pk})).content.decode()
    table = re.search(r'id="figures-leader_index".*?</table>', content, flags=re.S).group(0)
    shown = sorted(float(v) for v in re.findall(r"numeric\">([\d.]+)</td>", table))
    published = sorted(round(i, 2) for i in CycleResult.objects.filter(
        cycle__status="published", index__isnull=False).values_list("index", flat=True))
    assert shown == published


def test_the_executive_finds_it_from_home_and_the_menu(demo_evaluation, login):
    client = login("erin")
    home = client.get(reverse("home")).content.decode()
    listing = reverse("evaluation:list", kwargs={"slug": "northgate"})
    assert f'href="{listing}"' in home and "Evaluations at Northgate" in home
    assert ">Evaluation</a>" in home  # the header menu
    assert demo_evaluation.get_absolute_url() in client.get(listing).content.decode()


@pytest.mark.sqlite_only  # WeasyPrint draws the same PDF on any database
def test_the_board_paper_and_the_workbook(demo_evaluation, login):
    client = login("erin")
    pdf = client.get(reverse("evaluation:pdf", kwargs={"pk": demo_evaluation.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(client.get(reverse("evaluation:xlsx",
                                                       kwargs={"pk": demo_evaluation.pk})).content))
    assert {"Estimates", "Event study", "Trends", "Organisations", "Figures",
            "Assumptions"} <= set(book.sheetnames)
    assert book["Estimates"].max_row == 1 + 9
    figures = Observation.objects.filter(participant__evaluation=demo_evaluation).count()
    assert book["Figures"].max_row == 1 + figures


# --------------------------------------------------------------------------- managing


@pytest.fixture
def as_user(client):
    def log_in(user):
        client.force_login(user)
        return client
    return log_in


def test_the_import_page_shows_exactly_the_three_bad_rows_and_writes_nothing(evaluation,
                                                                             small_world, as_user):
    rows = simulate()[:40]
    rows[2] = dict(rows[2], period="March 2023")
    rows[9] = dict(rows[9], value="")
    rows[30] = dict(rows[30], organisation="Nowhere")
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "figures.csv"
    page = as_user(small_world["tess"]).post(reverse("evaluation:import",
                                                     kwargs={"pk": evaluation.pk}),
                                             {"file": upload})
    content = page.content.decode()
    assert page.status_code == 200
    assert "nhsuk-error-summary" in content and "Nothing was written" in content
    table = re.search(r'<table class="nhsuk-table" id="problems">.*?</table>', content,
                      flags=re.S).group(0)
    listed = re.findall(r'<tr class="nhsuk-table__row" id="problem-\d+">'
                        r'<td class="nhsuk-table__cell">(\d+)</td>', table)
    # All three in one round: the rows that cannot be read and the unknown organisation.
    assert listed == ["4", "11", "32"]
    assert not Observation.objects.filter(participant__evaluation=evaluation).exists()
    rows[2], rows[9] = simulate()[2], simulate()[9]
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "figures.csv"
    content = as_user(small_world["tess"]).post(reverse("evaluation:import",
                                                        kwargs={"pk": evaluation.pk}),
                                                {"file": upload}).content.decode()
    assert "The file has 1 problem." in content and "Nowhere" in content


def test_three_bad_rows_of_one_kind_are_all_listed(evaluation, small_world, as_user):
    rows = simulate()[:40]
    for i in (5, 17, 33):
        rows[i] = dict(rows[i], value="unknown")
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "figures.csv"
    content = as_user(small_world["tess"]).post(reverse("evaluation:import",
                                                        kwargs={"pk": evaluation.pk}),
                                                {"file": upload}).content.decode()
    assert "The file has 3 problems. Nothing was written." in content
    assert re.findall(r'id="problem-\d+"><td class="nhsuk-table__cell">(\d+)</td>',
                      content) == ["7", "19", "35"]
    assert not Observation.objects.filter(participant__evaluation=evaluation).exists()


def test_a_good_import_goes_back_to_the_report_with_results(evaluation, small_world, as_user):
    upload = io.BytesIO(csv_bytes(simulate()))
    upload.name = "figures.csv"
    client = as_user(small_world["tess"])
    response = client.post(reverse("evaluation:import", kwargs={"pk": evaluation.pk}),
                           {"file": upload})
    assert response.status_code == 302 and response["Location"] == evaluation.get_absolute_url()
    content = client.get(evaluation.get_absolute_url()).content.decode()
    assert "264 figures checked; 264 added" in content
    assert "Better than comparators" in content  # satisfaction, higher is better, +2


def test_setting_up_an_evaluation_links_clinlead_organisations_by_name(small_world, as_user):
    metrics = [m.pk for m in Metric.objects.filter(name__in=["hsmr", "leader_index"])]
    form = {"name": "Dyads pilot", "question": "", "metrics": metrics, "leads": 6, "lags": 12,
            "pilots": "pilot-one | 2024-04\nRiverbank Health | RRB | 2024-Q3",
            "comparators": "Elsewhere Trust\nFar Hospitals | RFH\n"}
    client = as_user(small_world["tess"])
    response = client.post(reverse("evaluation:create", kwargs={"slug": "pilot-one"}), form)
    evaluation = Evaluation.objects.get(name="Dyads pilot")
    assert response["Location"] == evaluation.get_absolute_url()
    rows = {p.name: (p.role, p.start, p.code, p.organisation)
            for p in evaluation.organisations.all()}
    assert rows == {
        "Pilot One": ("pilot", "2024-04", "", small_world["organisation"]),
        "Riverbank Health": ("pilot", "2024-Q3", "RRB", None),
        "Elsewhere Trust": ("comparator", "", "", small_world["other"]),
        "Far Hospitals": ("comparator", "", "RFH", None),
    }
    # Olly's trust takes part now, so its talent admin may see the evaluation; only the organising
    # trust's talent admins change its set-up or its figures.
    olly = as_user(small_world["olly"])
    assert olly.get(evaluation.get_absolute_url()).status_code == 200
    assert olly.get(reverse("evaluation:import", kwargs={"pk": evaluation.pk})).status_code == 403
    assert olly.get(reverse("evaluation:edit", kwargs={"pk": evaluation.pk})).status_code == 403
    bad = form | {"name": "Second", "pilots": "Pilot One\nA | 2024-13"}
    content = as_user(small_world["tess"]).post(reverse("evaluation:create",
                                                        kwargs={"slug": "pilot-one"}),
                                                bad).content.decode()
    assert "Line 1: write name | start" in content
    assert "Line 2: the start of A: &#x27;2024-13&#x27; is not a valid month" in content


def test_changing_the_set_up_keeps_figures_of_organisations_kept(evaluation, small_world, as_user):
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(simulate()),
                                 filename="a.csv")
    client = as_user(small_world["tess"])
    page = client.get(reverse("evaluation:edit", kwargs={"pk": evaluation.pk})).content.decode()
    assert "Pilot Three | 2024-04" in page
    form = {"name": "Simulated pilot", "question": "Q", "leads": 4, "lags": 8,
            "metrics": list(evaluation.metrics.values_list("pk", flat=True)),
            "pilots": "Pilot One | 2024-01\nPilot Two | 2024-01\nPilot Three | 2024-04",
            "comparators": "\n".join(f"Comparator {i}" for i in range(1, 9))}
    assert client.post(reverse("evaluation:edit", kwargs={"pk": evaluation.pk}),
                       form).status_code == 302
    assert Observation.objects.filter(participant__evaluation=evaluation).count() == 264
    evaluation.refresh_from_db()
    assert (evaluation.leads, evaluation.lags) == (4, 8)


def test_who_may_see_and_manage(evaluation, small_world, as_user, client):
    detail = evaluation.get_absolute_url()
    importing = reverse("evaluation:import", kwargs={"pk": evaluation.pk})
    assert as_user(small_world["eve"]).get(detail).status_code == 200
    assert client.get(importing).status_code == 403  # an executive reads, but does not import
    # Elsewhere Trust takes no part.
    assert as_user(small_world["olly"]).get(detail).status_code == 403
    EvaluationOrganisation.objects.create(evaluation=evaluation, name="Elsewhere Trust",
                                          role="comparator", organisation=small_world["other"])
    assert client.get(detail).status_code == 200


def test_the_catalogue_takes_an_organisations_own_metric(small_world, as_user):
    url = reverse("evaluation:metrics", kwargs={"slug": "pilot-one"})
    form = {"name": "ed_four_hour_pct", "label": "Four-hour standard",
            "definition": "Seen within four hours.", "unit": "percentage points",
            "direction": "higher", "source": "Emergency care data set"}
    assert as_user(small_world["eve"]).post(url, form).status_code == 403
    assert "Add a metric" not in as_user(small_world["eve"]).get(url).content.decode()
    assert as_user(small_world["tess"]).post(url, form).status_code == 302
    assert Metric.objects.get(name="ed_four_hour_pct").organisation == small_world["organisation"]
    content = as_user(small_world["tess"]).post(url, form | {"name": "Bad Name"}).content.decode()
    assert "lower-case letters" in content


def test_the_planning_calculator_gives_the_minimum_detectable_effect(small_world, as_user):
    url = reverse("evaluation:plan", kwargs={"slug": "pilot-one"})
    design = {"n_pilots": 3, "n_comparators": 8, "periods_before": 18, "periods_after": 18,
              "sd": 3.0, "serial_correlation": 0.4, "correlation": "ar1", "alpha": 0.05,
              "power": 0.8}
    client = as_user(small_world["eve"])
    assert 'id="plan-result"' not in client.get(url).content.decode()
    content = client.get(url, design | {"target_effect": 3.0}).content.decode()
    expected = minimum_detectable_effect(**design)
    needed = comparators_needed(target_effect=3.0,
                                **{k: v for k, v in design.items() if k != "n_comparators"})
    assert f"Minimum detectable effect: {expected.mde:.3f}" in content
    assert needed.n_comparators == 10
    assert "at least <strong>10</strong> comparison organisations" in content
    # Three pilots' own variation sets a floor that no number of comparators gets under.
    unreachable = client.get(url, design | {"target_effect": 1.0}).content.decode()
    assert "not reachable with 3 pilot(s)" in unreachable
    exchangeable = {"correlation": "exchangeable", "serial_correlation": -0.2}
    bad = client.get(url, design | exchangeable).content.decode()
    assert "nhsuk-error-summary" in bad and 'id="plan-result"' not in bad
