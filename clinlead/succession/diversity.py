"""Gender and ethnicity of the succession pipeline: special-category data, so only aggregates,
and only those the one suppression rule publishes.

One solve per organisation and dimension holds every table anyone is shown: the organisation,
each level, each division (top-level unit) and each pool. Everyone sees the same decisions, so no
figure on one page can be subtracted from a figure on another to reveal a small group. A person
counts once in each group, however many pools of it they sit in (atoms are people with the same
category and the same set of groups, merged). Pool rows are shown only to a role granted
special-category access (`permissions.can_see_pool_demographics`).
"""

from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

from clinlead.analytics.suppression import apply_suppression, nesting_subset
from clinlead.org.diversity import (
    ETHNIC_COLUMNS,
    GENDER_COLUMNS,
    TOTAL,
    Cell,
    _gender_column,
    workforce_diversity,
)
from clinlead.org.special_category import ETHNIC_GROUP_OF
from clinlead.succession.models import PoolCandidate

DIMENSIONS = {
    "gender": ("Gender", GENDER_COLUMNS, "person__demographics__gender",
               lambda code: _gender_column(code or "not_stated")),
    "ethnicity": ("Ethnic group (ONS 2021)", ETHNIC_COLUMNS, "person__demographics__ethnicity",
                  lambda code: ETHNIC_GROUP_OF.get(code or "not_stated", "Not stated")),
}
KINDS = ("organisation", "level", "division", "pool")


@dataclass(frozen=True)
class Row:
    kind: str  # one of KINDS
    key: object  # organisation slug, level id, division path or pool id
    label: str
    total: int  # candidates in the group: shown anyway as pool depth, so not secret
    cells: dict  # column -> Cell (count None: suppressed)


@dataclass(frozen=True)
class DiversityTable:
    title: str
    columns: list
    rows: list

    def of(self, kind, keys=None):
        return [r for r in self.rows if r.kind == kind and (keys is None or r.key in keys)]

    def as_dict(self):
        """Published figures only, for snapshots and JSON."""
        return {"title": self.title, "columns": self.columns,
                "rows": [{"kind": r.kind, "key": r.key, "label": r.label, "total": r.total,
                          "cells": {c: {"count": cell.count, "percent": cell.percent} for c, cell in r.cells.items()}}
                         for r in self.rows if r.kind in ("organisation", "level", "division")]}


def pipeline_diversity(*, organisation, dimension) -> DiversityTable:
    """The pipeline's table for one dimension ("gender" or "ethnicity"), every group in one solve."""
    title, columns, field, column_of = DIMENSIONS[dimension]
    rows = (PoolCandidate.objects.filter(pool__position__organisation=organisation, pool__position__active=True,
                                         person__active=True)
            .values_list("person_id", "pool_id", "pool__position__title", "pool__position__level_id",
                         "pool__position__level__name", "pool__position__level__rank", "pool__position__unit__path",
                         field))
    people, labels, ranks = {}, {}, {}
    for person_id, pool_id, title_, level_id, level_name, rank, path, code in rows.iterator(chunk_size=5000):
        division = path.split("/")[0]
        scopes = people.setdefault(person_id, [column_of(code), set()])[1]
        scopes.update({("level", level_id), ("division", division), ("pool", pool_id)})
        labels[("level", level_id)], ranks[("level", level_id)] = level_name, rank
        labels[("division", division)], labels[("pool", pool_id)] = division, title_
    atoms = Counter((category, frozenset(scopes)) for category, scopes in people.values())
    org_scope = ("organisation", organisation.slug)
    labels[org_scope] = organisation.name
    members = {org_scope: set(atoms)}
    for atom in atoms:
        for scope in atom[1]:
            members.setdefault(scope, set()).add(atom)
    groups = {}
    for scope, scope_atoms in members.items():
        groups[(*scope, TOTAL)] = scope_atoms
        for column in columns:
            groups[(*scope, column)] = {a for a in scope_atoms if a[0] == column}
    # Totals show regardless of the rule (pool depths on the monitor, people per level, division
    # and organisation here), so the rule counts them as published wherever they nest; a pool
    # whose candidates also sit in pools elsewhere crosses them (docs/succession.md, "Known limit").
    totals = [(*scope, TOTAL) for scope in members]
    public = nesting_subset(groups=groups, candidates=totals, atom_counts=atoms)
    result = apply_suppression(groups=groups, atom_counts=dict(atoms), k=organisation.min_responses, public=public)

    def order(scope):
        kind, key = scope
        return (KINDS.index(kind), ranks.get(scope, 0), labels[scope], str(key))

    table_rows = []
    for scope in sorted(members, key=order):
        total = sum(atoms[a] for a in members[scope])
        cells = {}
        for column in [*columns, TOTAL]:
            n = sum(atoms[a] for a in groups[(*scope, column)])
            # A total counts as published in the solve (it shows elsewhere); the table itself
            # shows no figure below the threshold.
            if result.is_published((*scope, column)) and n >= organisation.min_responses:
                cells[column] = Cell(n, round(100 * n / total) if total else None)
            else:
                cells[column] = Cell(None, None)
        table_rows.append(Row(scope[0], scope[1], labels[scope], total, cells))
    return DiversityTable(title, [*columns, TOTAL], table_rows)


def workforce_mix(*, organisation, dimension, day):
    """The whole workforce's published shares, from the foundation's workforce diversity tables."""
    tables = workforce_diversity(organisation=organisation, day=day)
    table = tables[0] if dimension == "gender" else tables[1]
    label, cells = table.rows[-1]  # the organisation's own row comes last
    return {column: {"count": cell.count, "percent": cell.percent} for column, cell in cells.items()}


def cached_pipeline_diversity(*, organisation, dimension) -> DiversityTable:
    """pipeline_diversity, kept until a succession action renews the data token (or 10 minutes)."""
    from clinlead.succession.monitor import CACHE_SECONDS, settings_for

    settings = settings_for(organisation)
    if settings.pk is None:
        return pipeline_diversity(organisation=organisation, dimension=dimension)
    key = f"succession-diversity:{settings.data_token}:{dimension}:{organisation.min_responses}"
    table = cache.get(key)
    if table is None:
        table = pipeline_diversity(organisation=organisation, dimension=dimension)
        cache.set(key, table, CACHE_SECONDS)
    return table
