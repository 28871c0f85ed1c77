"""Gender and ethnicity of the succession pipeline: special-category data, so only aggregates,
and only those the category-table rule (`clinlead.analytics.disclosure_tables`) publishes.

One decision per organisation and dimension holds every row anyone is shown: the organisation,
each level, each division (top-level unit) and each pool. Everyone sees the same decisions, so no
figure on one page can be subtracted from a figure on another to reveal a small group. A person
counts once in each group, however many pools of it they sit in. Every row's total shows (it is
public anyway: pool depths on the monitor), percentages only beside categories the rule shows.
Pool rows are shown only to a role granted special-category access
(`permissions.can_see_pool_demographics`).
"""

from collections import Counter
from dataclasses import replace
from datetime import date

from clinlead.org.diversity import (
    CATEGORY_OF,
    CLASSINGS,
    FIELDS,
    CategoryTable,
    categories_of,
    shown_rows,
    workforce_table,
)
from clinlead.org.published_tables import decide
from clinlead.succession.models import PoolCandidate

KINDS = ("organisation", "level", "division", "pool")


def pipeline_people(*, organisation, dimension) -> tuple[Counter, dict, dict]:
    """Candidates by (category, scopes): the organisation, and the level, division and pool of
    each pool they sit in (a person counts once in each). Returns (counts, labels, ranks)."""
    people, labels, ranks = pipeline_scopes(organisation=organisation, dimension=dimension)
    return Counter((category, frozenset(scopes)) for category, scopes in people.values()), labels, ranks


def pipeline_scopes(*, organisation, dimension) -> tuple[dict, dict, dict]:
    """As pipeline_people, with person id -> [category, scopes] in place of the counts."""
    category_of = CATEGORY_OF[dimension]
    rows = (PoolCandidate.objects.filter(pool__position__organisation=organisation, pool__position__active=True,
                                         person__active=True)
            .values_list("person_id", "pool_id", "pool__position__title", "pool__position__level_id",
                         "pool__position__level__name", "pool__position__level__rank", "pool__position__unit__path",
                         f"person__{FIELDS[dimension]}"))
    org_scope = ("organisation", organisation.slug)
    people, labels, ranks = {}, {org_scope: organisation.name}, {}
    for person_id, pool_id, title, level_id, level_name, rank, path, code in rows.iterator(chunk_size=5000):
        division = path.split("/")[0]
        scopes = people.setdefault(person_id, [category_of(code), {org_scope}])[1]
        scopes.update({("level", level_id), ("division", division), ("pool", pool_id)})
        labels[("level", level_id)], ranks[("level", level_id)] = level_name, rank
        labels[("division", division)], labels[("pool", pool_id)] = division, title
    return people, labels, ranks


def pipeline_diversity(*, organisation, dimension) -> CategoryTable:
    """The pipeline's table for one dimension ("gender" or "ethnicity"), every group in one
    decision. Every total here is public (pool depths on the monitor, people per level and
    division on this page), crossing ones too (a candidate in pools of two levels)."""
    title, classing = CLASSINGS[dimension]
    people, labels, ranks = pipeline_scopes(organisation=organisation, dimension=dimension)

    def order(scope):
        kind, key = scope
        return (KINDS.index(kind), ranks.get(scope, 0), labels[scope], str(key))

    scopes = sorted(labels, key=order)
    # The workforce's table is decided first (and kept), so that where the two cannot both show
    # detail, the pipeline is the one pooled: the workforce is the Workforce Race Equality
    # Standard's table, whichever page happens to be opened first.
    workforce_table(organisation=organisation, day=date.today(), dimension=dimension)
    # Decided against every table of the dimension shown before, the workforce's too: yesterday's
    # table minus today's must not tell who joined or left a pool, nor a division's candidates
    # minus its staff who is a candidate (see org.published_tables).
    figures, labels, since = decide(
        organisation=organisation, dimension=dimension, kind="pipeline", classing=classing, people=people,
        rows=scopes, public=scopes, labels=labels, category_of=categories_of(dimension), day=date.today())
    rows = shown_rows(figures, labels, {scope: scope[0] for scope in figures.rows})
    # Rows are keyed as before: the level id, division path or pool id, without the kind.
    rows = [replace(row, key=row.key[1]) for row in rows]
    return CategoryTable(title, [label for label, _ in classing.levels[0]], rows, figures, held_since=since)


def workforce_mix(*, organisation, dimension, day):
    """The whole workforce's published row, from the foundation's workforce table."""
    table = workforce_table(organisation=organisation, day=day, dimension=dimension)
    return table.as_dict(kinds=("organisation",))["rows"][0]
