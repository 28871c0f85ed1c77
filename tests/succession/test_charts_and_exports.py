"""The succession chart (page and PDF, risk in words as well as colour), the Excel export of
scorecards, the chart of dyads and triads, and `clinlead succession report --json`."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from clinlead.org.models import Appointment, PartnerRole, Position
from clinlead.succession.models import Readiness
from clinlead.succession.selectors import succession_chart
from tests.succession.conftest import current_appointment

pytestmark = pytest.mark.django_db


def test_the_chart_nests_key_positions_by_unit_and_names_each_risk(demo, northgate, login):
    chart = succession_chart(organisation=northgate, day=date.today())
    key = Position.objects.filter(organisation=northgate, is_key=True, active=True).count()
    assert sum(chart["counts"].values()) == key and chart["counts"]["high"] > 0 and chart["counts"]["low"] > 0
    medicine = next(n for n in chart["roots"] if n.unit.name == "Medicine")
    cardiology = next(n for n in medicine.children if n.unit.name == "Cardiology")
    assert [p.title for p in cardiology.positions] == ["Clinical Director, Cardiology"]
    page = login("erin").get(reverse("succession:chart", kwargs={"slug": "northgate"})).content.decode()
    for label in ("High risk", "Medium risk", "Low risk"):
        assert label in page
    assert "Clinical Director, Cardiology" in page and "Alice Morgan" in page


@pytest.mark.sqlite_only  # WeasyPrint draws the same PDF on any database
def test_the_chart_prints_as_a_pdf(demo, login):
    response = login("tara").get(reverse("succession:chart_pdf", kwargs={"slug": "northgate"}))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_scorecards_export_has_a_row_per_key_position_with_depth_by_readiness(demo, northgate, login):
    response = login("erin").get(reverse("succession:scorecards_xlsx", kwargs={"slug": "northgate"}))
    sheet = load_workbook(io.BytesIO(response.content))["Pool scorecards"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("Position", "Level", "Unit", "Holder") and "Ready now" in header
    assert len(body) == Position.objects.filter(organisation=northgate, is_key=True, active=True).count()
    alice = next(r for r in body if r[0] == "Clinical Director, Cardiology")
    ready, total = alice[header.index("Ready now")], alice[header.index("Candidates")]
    assert ready >= 1 and 2 <= total <= 4
    assert not any(word in str(header) for word in ("Gender", "Ethnic"))


def test_the_dyad_chart_flags_positions_without_an_administrator(demo, northgate, login):
    missing = [p for p in Position.objects.filter(organisation=northgate, active=True)
               if not PartnerRole.objects.on(date.today()).filter(position=p, role="administrator").exists()]
    assert missing
    page = login("bob").get(reverse("succession:dyads", kwargs={"slug": "northgate"})).content.decode()
    assert f"{len(missing)} of" in page and "No administrator partner" in page and "(triad)" in page


def test_the_report_command_prints_the_monitors_figures_as_json(demo, northgate, alices_position, capsys):
    from clinlead.org.models import PositionReadiness

    holder = current_appointment(alices_position)
    Appointment.objects.filter(pk=holder.pk).update(end=date.today() + timedelta(days=100))
    PositionReadiness.objects.filter(pool_entries__pool__position=alices_position, level=Readiness.READY_NOW).update(
        level=Readiness.ONE_TO_TWO_YEARS)
    from clinlead.succession.models import SuccessionPool
    from clinlead.succession.services import recount_pools

    recount_pools(pools=SuccessionPool.objects.filter(position=alices_position))
    call_command("succession", "report", "--organisation", "northgate", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["organisation"] == "northgate"
    bench = report["bench_strength"]
    assert bench["key_positions"] == Position.objects.filter(organisation=northgate, is_key=True).count()
    assert 0 <= bench["with_two_ready_now"] <= bench["with_one_ready_now"] <= bench["key_positions"]
    assert set(report["terms_ending"]) == {"within_18_months", "within_12_months", "within_6_months"}
    assert report["terms_ending"]["within_6_months"] <= report["terms_ending"]["within_18_months"]
    assert report["empty_pools"] >= 1
    assert "Clinical Director, Cardiology" in [r["position"] for r in report["risk_list"]]
    assert report["at_risk"] == len(report["risk_list"])
    call_command("succession", "report")
    assert "northgate" in capsys.readouterr().out
