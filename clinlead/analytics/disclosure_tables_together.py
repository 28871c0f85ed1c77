"""Category tables read together: several tables of one dimension (workforce, pipeline, and
every earlier day's) must leave, between them, no category part of 1..k-1 people (the property
in `disclosure_tables`' docstring, over all their figures at once). A candidate is also staff, a
leaver was counted yesterday, so a table safe on its own can still pin someone beside another.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from clinlead.analytics.disclosure_tables import Classing, TableFigures, publish_table


@dataclass(frozen=True)
class Shown:
    """One table as shown: its figures and, for everyone it counted, (their category, the rows
    they sat in). Tables of one dimension shown anywhere (workforce, pipeline, earlier days) are
    read together: a candidate is also staff, a leaver was counted yesterday."""

    figures: TableFigures
    people: Mapping[Hashable, tuple[str, frozenset[Hashable]]]


def parts_together(tables: Sequence[Shown]) -> list[tuple[int, frozenset[tuple[int, Hashable]]]]:
    """The category parts of several tables read together: (people, the rows showing categories
    that hold them, as (table index, row)). As `category_parts`, with every table's rows and
    figures told apart by the table: people of one part sit in the same rows of every table
    and are covered by the same figures (each table by its own category of the person), so
    swapping two of them changes no figure of any table."""
    return [(len(members), inside) for (inside, _), members in _parts(tables).items()]


Part = tuple[frozenset[tuple[int, Hashable]], frozenset[int]]


def _parts(tables: Sequence[Shown]) -> dict[Part, list[Hashable]]:
    figures: defaultdict[tuple[int, Hashable], list[tuple[int, frozenset[str]]]] = defaultdict(list)
    count = 0
    for i, table in enumerate(tables):
        for row, cats, _ in table.figures.category_figures():
            figures[(i, row)].append((count, cats))
            count += 1
    parts: defaultdict[Part, list[Hashable]] = defaultdict(list)
    for person in set().union(*(t.people for t in tables)):
        inside: set[tuple[int, Hashable]] = set()
        covered: set[int] = set()
        for i, table in enumerate(tables):
            if person not in table.people:
                continue
            category, rows = table.people[person]
            for row in rows:
                shown = figures.get((i, row))
                if shown:
                    inside.add((i, row))
                    covered.update(j for j, cats in shown if category in cats)
        if inside:
            parts[(frozenset(inside), frozenset(covered))].append(person)
    return dict(parts)


def safe_together(tables: Sequence[Shown], k: int) -> bool:
    """Whether the tables together leave no category part of 1..k-1 people."""
    return all(n >= k for n, _ in parts_together(tables))


def publish_alongside(
    *,
    people: Mapping[Hashable, tuple[str, frozenset[Hashable]]],
    rows: Sequence[Hashable],
    public: Iterable[Hashable] = (),
    classing: Classing,
    k: int,
    earlier: Sequence[Shown],
) -> TableFigures:
    """`publish_table` for `people` (person -> (category, scopes)), then pooled further until it
    and the tables shown before leave no category part of 1..k-1 people together.

    While a part is small, the smallest row of the new table showing categories over its
    people, or over the people it was one part with before (the new table split them), is
    pooled one level (or shown by its total only), smallest part first. Each step raises a
    level, so this ends; with every new row at its total only the new table adds no category
    figure, so if the earlier tables were safe together, so is the result."""
    counts = Counter((category, frozenset(scopes)) for category, scopes in people.values())
    public = list(public)
    # The part each person was in before this table: a part the new table splits small may
    # hold none of its people (the one woman of a division who is no candidate).
    before = {p: members for members in _parts(earlier).values() for p in members}
    floor: dict[Hashable, int] = {}
    while True:
        figures = publish_table(
            counts=counts, rows=rows, public=public, classing=classing, k=k, floor=floor
        )
        showing = {r for r, f in figures.rows.items() if f.level is not None}
        small = sorted(
            (m for m in _parts([*earlier, Shown(figures, people)]).values() if len(m) < k), key=len
        )
        splitting: set[Hashable] = set()
        for members in small:
            near = set(members).union(*(before.get(p, ()) for p in members))
            splitting = {r for p in near if p in people for r in people[p][1] & showing}
            if splitting:
                break
        if not splitting:
            return figures
        row = min(splitting, key=lambda r: (figures.rows[r].total, repr(r)))
        floor[row] = cast(int, figures.rows[row].level) + 1
