"""Gender and ethnic group as category tables: special-category data, so only aggregates, and
only those `clinlead.analytics.disclosure_tables` publishes across both dimensions and every
headcount the product shows (each unit's staff at every depth, on the organisation's pages).

The foundation's part: the two classings (how categories pool), the workforce table by division,
and the shape every category table is shown in (`CategoryTable`), so that workforce, pipeline and
pathway diversity speak alike.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from clinlead.analytics.disclosure_tables import Classing, TableFigures
from clinlead.org.models import Person, UnitMembership
from clinlead.org.published_tables import decide
from clinlead.org.special_category import ETHNIC_GROUP_OF, Gender

TOTAL = "Total"
WOMAN, MAN, OTHER_GENDER = Gender.WOMAN.label, Gender.MAN.label, "Another gender or not stated"
GENDER = Classing.of([
    [(WOMAN, [WOMAN]), (MAN, [MAN]), (OTHER_GENDER, [OTHER_GENDER])],
    [(WOMAN, [WOMAN]), ("Man, another gender or not stated", [MAN, OTHER_GENDER])],
])
BME = "Black and minority ethnic"
_BME_GROUPS = ["Asian", "Black", "Mixed", "Other ethnic group"]
# The ONS 2021 high-level groups; then as the Workforce Race Equality Standard compares them
# (White against Black and minority ethnic staff); then not stated pooled with White.
ETHNICITY = Classing.of([
    [(g, [g]) for g in _BME_GROUPS] + [("White", ["White"]), ("Not stated", ["Not stated"])],
    [(BME, _BME_GROUPS), ("White", ["White"]), ("Not stated", ["Not stated"])],
    [(BME, _BME_GROUPS), ("White or not stated", ["White", "Not stated"])],
])
CLASSINGS = {"gender": ("Gender", GENDER), "ethnicity": ("Ethnic group (ONS 2021)", ETHNICITY)}


def gender_category(code):
    if code == Gender.WOMAN:
        return WOMAN
    return MAN if code == Gender.MAN else OTHER_GENDER


def ethnic_category(code):
    return ETHNIC_GROUP_OF.get(code or "not_stated", "Not stated")


CATEGORY_OF = {"gender": gender_category, "ethnicity": ethnic_category}
FIELDS = {"gender": "demographics__gender", "ethnicity": "demographics__ethnicity"}


@dataclass(frozen=True)
class Cell:
    label: str
    span: int  # how many of the table's finest columns the class covers
    count: int | None  # None: the row shows its total only
    percent: int | None  # of the row's total


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    total: int
    cells: tuple  # of Cell; one spanning cell saying why when only the total shows
    kind: str = ""

    @property
    def shows_categories(self) -> bool:
        return any(c.count is not None for c in self.cells)

    def count_of(self, label):
        """The count shown for a class label, or None."""
        return next((c.count for c in self.cells if c.label == label), None)


@dataclass(frozen=True)
class CategoryTable:
    title: str
    columns: list  # the finest classes, in order
    rows: list  # of Row
    figures: TableFigures | None = None  # what the rule decided (for tests and audits)
    held_since: date | None = None  # the figures are the ones decided then (published_tables)

    def of(self, kind, keys=None):
        return [r for r in self.rows if r.kind == kind and (keys is None or r.key in keys)]

    def as_dict(self, kinds=None):
        """Published figures only, for snapshots and JSON."""
        return {"title": self.title, "columns": self.columns, "rows": [
            {"kind": r.kind, "key": r.key, "label": r.label, "total": r.total,
             "cells": [{"label": c.label, "span": c.span, "count": c.count, "percent": c.percent} for c in r.cells]}
            for r in self.rows if kinds is None or r.kind in kinds]}


def shown_rows(figures: TableFigures, labels, kinds=None) -> list:
    """The rule's decision as rows to show: label each row and span each pooled class over the
    finest columns it holds."""
    columns = [label for label, _ in figures.classing.levels[0]]
    finest = {label: cats for label, cats in figures.classing.levels[0]}
    rows = []
    for key, result in figures.rows.items():
        if result.level is None:
            cells = (Cell(result.why, len(columns), None, None),)
        else:
            cells = tuple(Cell(c.label, sum(1 for col in columns if finest[col] <= set(c.categories)), c.count,
                               c.percent) for c in result.classes)
        rows.append(Row(key, labels[key], result.total, cells, (kinds or {}).get(key, "")))
    return rows


def workforce_people(*, organisation, day: date, dimension: str) -> Counter:
    """Staff in post on the day by (category, scopes): every unit above each of their units,
    at every depth (its staff count shows on the organisation's pages), and the organisation."""
    people = workforce_scopes(organisation=organisation, day=day, dimension=dimension)
    return Counter((category, frozenset(scopes)) for category, scopes in people.values())


def workforce_scopes(*, organisation, day: date, dimension: str) -> dict:
    """person id -> [category, scopes] for the staff in post on the day (see workforce_people)."""
    category_of = CATEGORY_OF[dimension]
    rows = (UnitMembership.objects.on(day)
            .filter(unit__organisation=organisation, person__active=True)
            .values_list("person_id", "unit__path", f"person__{FIELDS[dimension]}"))
    people: dict = {}
    for person_id, path, code in rows.iterator(chunk_size=5000):
        parts = path.split("/")
        scopes = people.setdefault(person_id, [category_of(code), {("organisation", organisation.slug)}])[1]
        scopes.update(("unit", "/".join(parts[:i])) for i in range(1, len(parts) + 1))
    return people


def workforce_diversity(*, organisation, day: date):
    """Gender and ethnic group of the workforce by division, and for the whole organisation."""
    return [workforce_table(organisation=organisation, day=day, dimension=d) for d in CLASSINGS]


def workforce_table(*, organisation, day: date, dimension: str) -> CategoryTable:
    title, classing = CLASSINGS[dimension]
    people = workforce_scopes(organisation=organisation, day=day, dimension=dimension)
    counts = Counter((category, frozenset(scopes)) for category, scopes in people.values())
    headcounts = {s for _, scopes in counts for s in scopes}
    divisions = sorted(s for s in headcounts if s[0] == "unit" and "/" not in s[1])
    org_scope = ("organisation", organisation.slug)
    rows = [*divisions, org_scope]
    figures, labels, since = decide(
        organisation=organisation, dimension=dimension, kind="workforce", classing=classing, people=people,
        rows=rows, public=headcounts, labels={d: d[1] for d in divisions} | {org_scope: organisation.name},
        category_of=categories_of(dimension), day=day)
    kinds = {r: ("organisation" if r == org_scope else "division") for r in figures.rows}
    return CategoryTable(title, [label for label, _ in classing.levels[0]], shown_rows(figures, labels, kinds),
                         figures, held_since=since)


def categories_of(dimension: str):
    """ids -> {id: today's category}, for anyone counted by an earlier table (leavers are made
    inactive, not deleted; someone no longer on record is left out)."""
    def category_of(ids):
        return {pk: CATEGORY_OF[dimension](code)
                for pk, code in Person.objects.filter(pk__in=ids).values_list("pk", FIELDS[dimension])}
    return category_of
