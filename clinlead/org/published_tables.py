"""Which category table to show: decided against every table of the same dimension the
organisation has shown, on any page and any day (`PublishedTable`, in the database).

Yesterday's workforce page minus today's covers whoever joined, left or moved in between; the
pipeline's row of a division minus the workforce's covers the staff who are candidates or not.
So a newly worked-out table is shown only where it and every table shown before, of every kind
(workforce, pipeline, and so the monitor's snapshot, which copies their rows), together leave no
category part of 1..k-1 people (`disclosure_tables_together.safe_together`). Otherwise:

- the new table is pooled further until the property holds together with the others
  (`disclosure_tables_together.publish_alongside`), and shown if that costs no row shown before any
  detail (or the page has shown nothing yet);
- otherwise the table shown before stays up, with the day it was decided ("figures as
  published on <day>"): one leaver's row would have to be hidden, so the page keeps the
  earlier figures until enough people have changed.

The check reads everyone's category from today's HR data (a leaver's too: people are made
inactive, not deleted); the records keep only the rows each person sat in.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import date

from django.core.cache import cache
from django.db import transaction

from clinlead.analytics.disclosure_tables import (
    Classing,
    RowFigures,
    ShownClass,
    TableFigures,
    publish_table,
)
from clinlead.analytics.disclosure_tables_together import Shown, publish_alongside, safe_together
from clinlead.org.models import Organisation
from clinlead.org.models_published import PublishedTable

UNKNOWN = "(unknown)"  # a person no longer on record: in no class, so told apart by every figure


def decide(*, organisation, dimension: str, kind: str, classing: Classing, people: dict, rows: list,
           public, labels: dict, category_of: Callable, day: date) -> tuple[TableFigures, dict, date | None]:
    """The table to show: (figures, row labels, the day they were decided if an earlier table
    stays up, else None). `people`: person id -> (category, scopes), scopes every row and
    public headcount they count in; `category_of(ids)`: today's category of anyone, by id."""
    k = organisation.min_responses
    people = {p: (category, frozenset(scopes)) for p, (category, scopes) in people.items()}
    counts: dict = {}
    for category, scopes in people.values():
        counts[(category, scopes)] = counts.get((category, scopes), 0) + 1
    fresh = publish_table(counts=counts, rows=rows, public=public, classing=classing, k=k)
    # What the decision is made from: while it is the same, so is the decision (a table shown
    # stays safe: every table added since was checked against it).
    digest = hashlib.sha256(json.dumps(_encode(fresh, labels, people)).encode()).hexdigest()
    history = PublishedTable.objects.filter(organisation=organisation, dimension=dimension, k=k)
    last = history.filter(kind=kind).last()
    if last is not None and last.decided_from == digest:
        return (*_figures(last, classing, k), None)
    if last is not None and cache.get(_held(last, digest)):
        return (*_figures(last, classing, k), last.day)
    with transaction.atomic():
        # One decision at a time per organisation, whichever server makes it: two new tables
        # decided side by side would each be checked without the other.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        records = list(history)
        last = next((r for r in reversed(records) if r.kind == kind), None)
        if last is not None and last.decided_from == digest:
            return (*_figures(last, classing, k), None)
        earlier = _shown(records, people, category_of, classing, k)
        chosen = fresh
        if not safe_together([*earlier, Shown(fresh, people)], k):
            chosen = publish_alongside(people=people, rows=rows, public=public, classing=classing, k=k,
                                       earlier=earlier)
            if last is not None:
                figures, held_labels = _figures(last, classing, k)
                if not _as_detailed(chosen, figures):
                    # Kept only to spare the check on the next visit: without it, the same.
                    cache.set(_held(last, digest), True, 24 * 3600)
                    return figures, held_labels, last.day
        figures_json, counted = _encode(chosen, labels, people)
        if last is not None and (last.figures, last.counted) == (figures_json, counted):
            last.decided_from = digest
            last.save(update_fields=["decided_from"])
        else:
            PublishedTable.objects.create(organisation=organisation, dimension=dimension, kind=kind, k=k, day=day,
                                          figures=figures_json, counted=counted, decided_from=digest)
    return chosen, labels, None


def _held(record, digest):
    return f"category-table-held:{record.pk}:{digest}"


def _as_detailed(figures: TableFigures, shown: TableFigures) -> bool:
    """Whether no row shown before would lose detail (pooled further, or its total only)."""
    def level(row):
        return figures.classing.total_only if row.level is None else row.level
    return all(level(f) <= level(shown.rows[r]) for r, f in figures.rows.items() if r in shown.rows)


def _plain(value):
    """As the database's JSON gives it back (tuples become lists)."""
    return json.loads(json.dumps(value))


def _key(value):
    """A row key back from JSON: ("unit", "Corporate") was stored as a list."""
    return tuple(_key(v) for v in value) if isinstance(value, list) else value


def _encode(figures: TableFigures, labels: dict, people: dict) -> tuple[list, list]:
    rows = list(figures.rows)
    shown = [[r, labels[r], f.total, f.level, f.why,
              [[c.label, list(c.categories), c.count, c.percent] for c in f.classes]]
             for r, f in figures.rows.items()]
    index = {r: i for i, r in enumerate(rows)}
    groups: dict = {}
    for person, (_, scopes) in people.items():
        sat_in = tuple(sorted(index[s] for s in scopes if s in index))
        groups.setdefault(sat_in, []).append(person)
    counted = [[list(sat_in), sorted(ids)] for sat_in, ids in sorted(groups.items())]
    return _plain(shown), _plain(counted)


def _figures(record: PublishedTable, classing: Classing, k: int) -> tuple[TableFigures, dict]:
    rows, labels = {}, {}
    for key, label, total, level, why, classes in record.figures:
        row = _key(key)
        labels[row] = label
        rows[row] = RowFigures(row, total, level, tuple(ShownClass(c, tuple(cats), n, percent)
                                                        for c, cats, n, percent in classes), why)
    return TableFigures(k, classing, rows), labels


def _shown(records, people: dict, category_of: Callable, classing: Classing, k: int) -> list[Shown]:
    """Every record as `Shown`, each person with today's category and the rows they sat in then."""
    everyone = {p for record in records for _, ids in record.counted for p in ids}
    known = {p: category for p, (category, _) in people.items()}
    known |= category_of(everyone - set(known))
    shown = []
    for record in records:
        figures, _ = _figures(record, classing, k)
        rows = list(figures.rows)
        sat_in = {p: (known.get(p, UNKNOWN), frozenset(rows[i] for i in indexes))
                  for indexes, ids in record.counted for p in ids}
        shown.append(Shown(figures, sat_in))
    return shown
