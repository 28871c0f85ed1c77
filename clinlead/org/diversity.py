"""Workforce gender and ethnicity by division: special-category data, so only aggregates,
and only those the one suppression rule publishes (including against subtraction)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from clinlead.analytics.suppression import apply_suppression
from clinlead.org.models import UnitMembership
from clinlead.org.special_category import ETHNIC_GROUP_OF, Gender

TOTAL = "Total"
GENDER_COLUMNS = [Gender.WOMAN.label, Gender.MAN.label, "Another gender or not stated"]
ETHNIC_COLUMNS = ["Asian", "Black", "Mixed", "White", "Other ethnic group", "Not stated"]


@dataclass(frozen=True)
class Cell:
    count: int | None  # None: suppressed
    percent: int | None  # of the row's total, when that total is published


@dataclass(frozen=True)
class Table:
    title: str
    columns: list
    rows: list  # [(row label, {column: Cell})]


def _gender_column(code):
    if code == Gender.WOMAN:
        return Gender.WOMAN.label
    if code == Gender.MAN:
        return Gender.MAN.label
    return GENDER_COLUMNS[2]


def workforce_diversity(*, organisation, day: date):
    rows = (
        UnitMembership.objects.on(day)
        .filter(unit__organisation=organisation, person__active=True)
        .values_list("unit__path", "person__demographics__gender", "person__demographics__ethnicity")
    )
    gender, ethnicity = Counter(), Counter()
    for path, g, e in rows.iterator(chunk_size=5000):
        division = path.split("/")[0]
        gender[(division, _gender_column(g or "not_stated"))] += 1
        ethnicity[(division, ETHNIC_GROUP_OF.get(e or "not_stated", "Not stated"))] += 1
    k = organisation.min_responses
    return [
        _table("Gender", GENDER_COLUMNS, gender, k, organisation.name),
        _table("Ethnic group (ONS 2021)", ETHNIC_COLUMNS, ethnicity, k, organisation.name),
    ]


def _table(title, columns, counts, k, org_label):
    divisions = sorted({d for d, _ in counts})
    atoms = {atom: n for atom, n in counts.items() if n}
    groups = {(org_label, TOTAL): set(atoms)}
    for column in columns:
        groups[(org_label, column)] = {a for a in atoms if a[1] == column}
    for division in divisions:
        groups[(division, TOTAL)] = {a for a in atoms if a[0] == division}
        for column in columns:
            groups[(division, column)] = {(division, column)} & set(atoms)
    # Staff totals are shown on the organisation's pages anyway, so the rule must treat them as
    # published: no cell shown here may be subtracted from them down to fewer than k.
    public = {(label, TOTAL) for label in [*divisions, org_label]}
    result = apply_suppression(groups=groups, atom_counts=atoms, k=k, public=public)
    table_rows = []
    for label in [*divisions, org_label]:
        total_n = sum(atoms[a] for a in groups[(label, TOTAL)])
        total_shown = result.is_published((label, TOTAL))
        cells = {}
        for column in [*columns, TOTAL]:
            n = sum(atoms[a] for a in groups[(label, column)])
            if result.is_published((label, column)):
                cells[column] = Cell(n, round(100 * n / total_n) if total_shown and total_n else None)
            else:
                cells[column] = Cell(None, None)
        table_rows.append((label, cells))
    return Table(title, [*columns, TOTAL], table_rows)
