"""Importing an evaluation's figures: a template to fill in, and every problem of a file reported
in one round (rows that cannot be read and rows that name the wrong organisation or metric)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from clinlead.evaluation import services
from clinlead.evaluation.models import Observation
from tests.evaluation.conftest import csv_bytes, simulate, xlsx_bytes


def test_unreadable_rows_and_unknown_names_are_listed_at_once(evaluation, small_world):
    rows = simulate()[:10]
    rows[2] = dict(rows[2], period="2023-13")  # cannot be read
    rows[5] = dict(rows[5], value="n/a")  # cannot be read
    rows[7] = dict(rows[7], organisation="Nowhere Hospitals")  # readable, but not in the evaluation
    rows[8] = dict(rows[8], metric="no_such_metric")  # readable, but not in the catalogue
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=csv_bytes(rows), filename="mixed.csv")
    # Row 1 is the header: the 3rd, 6th, 8th and 9th figures are rows 4, 7, 9 and 10.
    assert [(p.row, p.column) for p in error.value.problems] == [
        (4, "period"), (7, "value"), (9, "organisation"), (10, "metric")]
    assert not Observation.objects.filter(participant__evaluation=evaluation).exists()


def test_the_template_has_a_row_per_organisation_and_metric_and_imports_once_filled(
        evaluation, small_world, client):
    client.force_login(small_world["tess"])
    response = client.get(reverse("evaluation:import_template", kwargs={"pk": evaluation.pk}))
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"Figures", "Organisations", "Metrics", "How to fill it in"} <= set(book.sheetnames)
    rows = list(book["Figures"].iter_rows(values_only=True))
    assert rows[0] == ("organisation", "period", "metric", "value", "exposure")
    organisations, metrics = evaluation.organisations.count(), evaluation.metrics.count()
    assert len(rows) - 1 == organisations * metrics
    filled = [{"organisation": o, "period": "2024-01", "metric": m, "value": 50}
              for o, _, m, _, _ in rows[1:]]
    summary = services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                           content=xlsx_bytes(filled), filename="filled.xlsx")
    assert summary.created == len(filled)


def test_the_import_page_offers_the_template(evaluation, small_world, client):
    client.force_login(small_world["tess"])
    page = client.get(reverse("evaluation:import", kwargs={"pk": evaluation.pk})).content.decode()
    assert reverse("evaluation:import_template", kwargs={"pk": evaluation.pk}) in page
