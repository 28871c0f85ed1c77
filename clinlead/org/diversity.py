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

from clinlead.analytics.disclosure_tables import Classing, TableFigures, publish_table
from clinlead.org.models import UnitMembership
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
    held_since: date | None = None  # the figures are the ones decided then (held_over_time)

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
    k = organisation.min_responses
    figures = publish_table(counts=counts, rows=rows, public=headcounts, classing=classing, k=k)
    figures, labels, since = held_over_time(
        key=f"workforce:{organisation.pk}:{dimension}", figures=figures,
        labels={d: d[1] for d in divisions} | {org_scope: organisation.name},
        scopes={p: scopes for p, (_, scopes) in people.items()},
        category_of=categories_of(people, dimension), k=k, day=day)
    kinds = {r: ("organisation" if r == org_scope else "division") for r in figures.rows}
    return CategoryTable(title, [label for label, _ in classing.levels[0]], shown_rows(figures, labels, kinds),
                         figures, held_since=since)


def categories_of(people: dict, dimension: str):
    """person id -> category, for today's people and (looked up) anyone who has since left."""
    known = {p: category for p, (category, _) in people.items()}

    def category_of(ids):
        missing = [p for p in ids if p not in known]
        if missing:
            from clinlead.org.models import Person

            for pk, code in Person.objects.filter(pk__in=missing).values_list("pk", FIELDS[dimension]):
                known[pk] = CATEGORY_OF[dimension](code)
        return {p: known.get(p, "(unknown)") for p in ids}
    return category_of


def held_over_time(*, key: str, figures: TableFigures, labels: dict, scopes: dict, category_of, k: int,
                   day: date) -> tuple[TableFigures, dict, date | None]:
    """Today's table, or the one last shown when today's would tell who joined or left.

    Yesterday's page minus today's covers whoever joined, left or moved between the two: one
    leaver's row, before and after, gives their category. So every table shown, and whom it
    counted, is kept (`disclosure-published:KEY`: scopes only, never a category), and a new table
    is shown only where it and all the earlier ones together leave no category part of 1..k-1
    people (`category_parts` over every table's figures, each person tagged with the rows they
    sat in for each table). Otherwise the last table stays up, with the day it was decided.
    Returns (figures, labels, the day the shown figures were decided if held, else None)."""
    from django.core.cache import cache

    from clinlead.analytics.disclosure_tables import category_parts

    cache_key = f"disclosure-published:{key}:{k}"
    scopes = {p: frozenset(s) for p, s in scopes.items()}
    history = cache.get(cache_key) or []
    last = history[-1] if history else None
    if last is not None and last["scopes"] == scopes and last["figures"] == figures:
        return figures, labels, None
    if history:
        tables = [*history, {"figures": figures, "scopes": scopes}]
        everyone = set().union(*(t["scopes"] for t in tables))
        category = category_of(everyone)
        together = Counter(
            (category[p], frozenset((i, s) for i, t in enumerate(tables) for s in t["scopes"].get(p, ())))
            for p in everyone)
        shown = [((i, r), cats) for i, t in enumerate(tables) for r, cats, _ in t["figures"].category_figures()]
        if any(n < k for n in category_parts(counts=together, figures=shown)):
            return last["figures"], last["labels"], last["day"]
    history.append({"figures": figures, "labels": labels, "scopes": scopes, "day": day})
    cache.set(cache_key, history, None)
    return figures, labels, None
