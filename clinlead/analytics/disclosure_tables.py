"""Category tables (gender, ethnic group, any breakdown of people by a second dimension) that no
combination of published figures can break down to fewer than k people.

Plain data in, plain data out; no Django. Every category table of the product (workforce
diversity, pipeline diversity, pathway diversity) is decided here.

The input is people counted by (category, scopes): a scope is any group whose headcount the
product shows anywhere (a unit, a division, a level, a succession pool, the organisation). A
table has rows (some of those scopes); every row's total is shown and so are all the scopes'
headcounts (`public`): they are category-blind and public regardless, so they are never the
figure that is hidden. A row shows its people by the classes of one level of a `Classing`
(finest first: e.g. the ONS ethnic groups, then White / Black and minority ethnic / not stated,
...) or, when no level is safe, its total only.

The property (the one `category_parts` checks): take every category figure shown (a row's count
in a class) and every public headcount; people covered by exactly the same set of those figures
form a part; parts that only headcounts tell apart count together (a *category part*: people
in the same rows showing categories and under the same category figures). Every category part
inside a row showing categories holds 0 or at least k people.

Why that is enough: group the public headcounts' parts into *blocks* of people that lie inside
the same rows showing categories. Swapping the categories of two people of one block changes no
headcount (they are category-blind) and no category figure (each covers both or neither), so
nothing published tells people of a block apart, however it is combined, even knowing who is in
which unit or pool. What can be worked out is at most the number of a block's people in each
class of the rows covering it, i.e. sums of whole category parts: 0 or at least k people. This
is the statement "every part holds 0 or at least k" with headcounts of fewer than k people (a
pool of 3, a team of 2) merged into blocks, where it could never hold literally: a headcount of
3 is itself a figure from fewer than k.

The algorithm:

 1. Rows with fewer than k people show their total only.
 2. Blocks: people are grouped by the set of public headcounts covering them (crossing
    headcounts are fine: a candidate in pools of two levels has both), then by the set of rows
    that still show categories; whenever a row stops showing categories, the blocks it told
    apart become one. While a block holds fewer than k people, the cheapest row (or rows)
    telling it apart from another block shows its total only, so that the two become one
    (cost: the rows' people times the levels of detail they lose, a total only counting
    HIDE_PENALTY levels more).
 3. For each block, the classes of the rows covering it cut its people into category parts.
    While some part holds 1..k-1 people, take the smallest such part and do the cheapest of:
    pool the rows covering its block (the cheapest combination of levels that leaves no part of
    the block small, each row's pooling shared among the blocks under it that are small now, so
    that pooling the organisation's row once is weighed against hiding every division; hiding
    charged whole), or hide rows to merge the block with others (one row telling it apart, or
    all rows telling it from another block holding people of that part's categories; three
    cheapest of each), plus pooling the merged block as above. Each step raises a level, so
    this ends; it ends with no small part, because with every row at its total only no
    category figure covers anybody.

Pooling categories is preferred to hiding rows (a row is hidden only after its last pooling
level), and the cost keeps the large rows (the organisation, a division) in detail.

Tables read together (the end of this module): the workforce's and the pipeline's tables, and
every earlier day's, count the same people. `safe_together` checks the property over all of
them at once; `publish_alongside` decides a new table and pools it further until it holds.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MIN_K = 2
HIDE_PENALTY = 2  # a row shown by its total only loses as much as two more levels of pooling
MERGE_CANDIDATES = 3  # blocks tried as partners for a merge, cheapest first
MAX_PLANS = 4096  # level combinations tried for the rows covering one block
# Why a row shows its total only, in words safe to show (no counts).
TOO_FEW = "Too few people to show by category"
POOLED = "Counted by category only in larger groups, to protect anonymity"


@dataclass(frozen=True)
class Classing:
    """How categories may be pooled: `levels[0]` the finest classes, each later level a
    coarsening of the one before. Each level is a tuple of (class label, categories)."""

    categories: tuple[str, ...]
    levels: tuple[tuple[tuple[str, frozenset[str]], ...], ...]

    @classmethod
    def of(cls, levels: Sequence[Sequence[tuple[str, Iterable[str]]]]) -> Classing:
        if not levels:
            raise ValueError("a classing needs at least one level")
        built = tuple(tuple((label, frozenset(cats)) for label, cats in level) for level in levels)
        order = tuple(c for _, cats in levels[0] for c in cats)
        everything = frozenset(order)
        if len(order) != len(everything):
            raise ValueError("a category appears twice in the finest level")
        for i, level in enumerate(built):
            seen = [c for _, cats in level for c in cats]
            if len(seen) != len(set(seen)) or set(seen) != everything:
                raise ValueError(f"level {i} is not a partition of the categories")
            if i and any(not any(cats <= big for _, big in level) for _, cats in built[i - 1]):
                raise ValueError(f"level {i} does not coarsen level {i - 1}")
        return cls(order, built)

    @property
    def total_only(self) -> int:
        """The level index meaning "the total only, no category"."""
        return len(self.levels)

    def class_index(self, level: int) -> dict[str, int]:
        return {c: i for i, (_, cats) in enumerate(self.levels[level]) for c in cats}


@dataclass(frozen=True)
class ShownClass:
    label: str
    categories: tuple[str, ...]  # in the classing's order
    count: int
    percent: int | None  # of the row's total


@dataclass(frozen=True)
class RowFigures:
    row: Hashable
    total: int
    level: int | None  # None: the total only
    classes: tuple[ShownClass, ...] = ()
    why: str = ""  # why only the total is shown (TOO_FEW / POOLED), safe to show: no counts


@dataclass(frozen=True)
class TableFigures:
    k: int
    classing: Classing
    rows: dict[Hashable, RowFigures] = field(default_factory=dict)  # in the order asked

    def category_figures(self) -> list[tuple[Hashable, frozenset[str], int]]:
        """Every category figure shown: (row, categories, count)."""
        return [
            (r.row, frozenset(c.categories), c.count)
            for r in self.rows.values()
            for c in r.classes
        ]

    def counts(self) -> Counter[str | int]:
        """How many rows show categories at each level, and how many show the total only."""
        return Counter("total only" if r.level is None else r.level for r in self.rows.values())


Atoms = Mapping[tuple[str, frozenset[Hashable]], int]
Sig = frozenset[Hashable]  # a block: the rows showing categories that cover it
Plan = tuple[tuple[Hashable, int], ...]  # (row, level) for each row whose level changes
Parts = list[tuple[int, frozenset[str]]]  # (people, categories)


def publish_table(*, counts: Atoms, rows: Sequence[Hashable], public: Iterable[Hashable] = (),
                  classing: Classing, k: int,
                  floor: Mapping[Hashable, int] | None = None) -> TableFigures:
    """Decide a table. `counts`: (category, scopes) -> people, scopes a frozenset holding every
    row and public headcount the people count in. Rows are public too (their totals show).
    `floor`: the finest level a row may show (a level past the last: its total only).
    Raises ValueError for a k below MIN_K, a negative count or an unknown category."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be an integer of at least {MIN_K}, got {k!r}")
    atoms: dict[tuple[str, frozenset[Hashable]], int] = {}
    known = set(classing.categories)
    for (category, scopes), n in counts.items():
        if n < 0:
            raise ValueError(f"a negative count for {category!r}")
        if category not in known:
            raise ValueError(f"category {category!r} is not in the classing")
        if n:
            key = (category, frozenset(scopes))
            atoms[key] = atoms.get(key, 0) + n
    return _Solver(atoms, list(dict.fromkeys(rows)), set(public), classing, k, floor or {}).run()


class _Solver:
    """Blocks are kept as {rows showing categories that cover the block: people by category};
    when a row stops showing categories, the blocks it told apart become one."""

    def __init__(
        self,
        atoms: dict[tuple[str, frozenset[Hashable]], int],
        rows: list[Hashable],
        public: set[Hashable],
        classing: Classing,
        k: int,
        floor: Mapping[Hashable, int],
    ) -> None:
        self.atoms, self.rows, self.classing, self.k = atoms, rows, classing, k
        self.top = classing.total_only
        self.rank = {r: i for i, r in enumerate(rows)}
        row_set = set(rows)
        self.size: Counter[Hashable] = Counter()
        for (_, scopes), n in atoms.items():
            for s in scopes & row_set:
                self.size[s] += n
        self.level = {
            r: min(self.top, floor.get(r, 0)) if self.size[r] >= k else self.top for r in rows
        }
        self.why = {
            r: TOO_FEW if self.size[r] < k else POOLED for r in rows if self.level[r] == self.top
        }
        self.index = [classing.class_index(i) for i in range(self.top)]
        # Regions of the public headcounts, then blocks by the rows that may show categories.
        headcounts = public | row_set
        regions: dict[Sig, Counter[str]] = defaultdict(Counter)
        for (category, scopes), n in atoms.items():
            regions[scopes & headcounts][category] += n
        live = frozenset(r for r in rows if self.level[r] < self.top)
        blocks: dict[Sig, Counter[str]] = defaultdict(Counter)
        for scopes, by_category in regions.items():
            blocks[scopes & live].update(by_category)
        self.blocks = dict(blocks)
        self.mass = {sig: sum(cats.values()) for sig, cats in self.blocks.items()}
        self.under: defaultdict[Hashable, set[Sig]] = defaultdict(set)  # row -> blocks it covers
        for sig in self.blocks:
            for r in sig:
                self.under[r].add(sig)

    # ------------------------------------------------------------------ costs and actions
    def order(self, r: Hashable) -> tuple[int, int]:
        return (self.size[r], self.rank[r])

    def people(self, sig: Sig) -> int:
        return self.mass[sig]

    def loss(self, r: Hashable, before: int, after: int) -> int:
        """People times levels of detail lost; showing a row's total only costs HIDE_PENALTY
        levels more, so that categories are pooled before rows are hidden."""
        if after <= before:
            return 0
        return self.size[r] * (after - before + (HIDE_PENALTY if after == self.top else 0))

    def set_level(self, r: Hashable, level: int) -> None:
        self.level[r] = level
        if level == self.top:
            self.why[r] = POOLED
            for sig in list(self.under.pop(r, ())):
                cats, mass = self.blocks.pop(sig), self.mass.pop(sig)
                rest = sig - {r}
                for other in rest:
                    self.under[other].discard(sig)
                    self.under[other].add(rest)
                if rest in self.blocks:
                    cats, mass = self.blocks[rest] + cats, self.mass[rest] + mass
                self.blocks[rest], self.mass[rest] = cats, mass

    def trial(self) -> _Solver:
        trial = copy.copy(self)
        trial.level, trial.why, trial.blocks, trial.mass = (
            dict(self.level), dict(self.why), dict(self.blocks), dict(self.mass))
        trial.under = defaultdict(set, {r: set(sigs) for r, sigs in self.under.items()})
        return trial

    def telling_apart(self, sig: Sig) -> list[Hashable]:
        """Rows covering the block that some other block is not under, cheapest to hide first."""
        apart = [r for r in sig if len(self.under[r]) < len(self.blocks)]
        return sorted(apart, key=lambda r: (self.loss(r, self.level[r], self.top), self.rank[r]))

    # ------------------------------------------------------------------ the loop
    def merge_small_blocks(self) -> None:
        """Blocks of fewer than k people: hide the cheapest row telling them apart from others."""
        def key(sig: Sig) -> tuple[int, list[int]]:
            return (self.mass[sig], sorted(self.rank[r] for r in sig))

        heap = [(key(sig), sig) for sig, n in self.mass.items() if n < self.k]
        heapq.heapify(heap)
        while heap and len(self.blocks) > 1:
            found, sig = heapq.heappop(heap)
            if sig not in self.blocks or key(sig) != found:
                continue  # merged meanwhile
            # Hide one row telling it apart, or the rows telling it from another block (a small
            # unit's people merge into a sibling's block rather than hide their division).
            options = [frozenset({r}) for r in self.telling_apart(sig)[:MERGE_CANDIDATES]]
            options += [sig ^ other for other in self.blocks if other != sig]
            if not any(options):
                options = [frozenset(self.telling_apart(frozenset().union(*self.blocks))[:1])]
            rows = min(
                (o for o in options if o),
                key=lambda o: (self.hide_cost(o), sorted(self.rank[r] for r in o)),
            )
            for r in rows:
                self.set_level(r, self.top)
            rest = sig - rows
            if rest in self.mass and self.mass[rest] < self.k:
                heapq.heappush(heap, (key(rest), rest))

    def parts(self, sig: Sig, levels: Mapping[Hashable, int] | None = None) -> Parts:
        """The category parts of a block: (people, categories), for the rows showing categories
        (at `levels`, by default the current ones)."""
        # Worked out afresh from the block's people by category: the same rows and headcount
        # may hold other people (hiding one row or another leaves the same block, 7 Asian and
        # 1 Black or 7 Asian and 1 White), so nothing less than its categories decides its parts.
        level = self.level if levels is None else {**self.level, **levels}
        shown = sorted({level[r] for r in sig if level[r] < self.top})
        if not shown:
            return []
        cats = self.blocks[sig]
        grouped: dict[tuple[int, ...], list[Any]] = defaultdict(lambda: [0, set()])
        for category in self.classing.categories:
            key = tuple(self.index[lv][category] for lv in shown)
            grouped[key][0] += cats.get(category, 0)
            grouped[key][1].add(category)
        return [(n, frozenset(c)) for n, c in grouped.values()]

    def is_small(self, sig: Sig, levels: Mapping[Hashable, int] | None = None) -> bool:
        return any(0 < n < self.k for n, _ in self.parts(sig, levels))

    def smallest_violation(
        self,
    ) -> tuple[tuple[int, int, Sig, frozenset[str]] | None, list[tuple[Sig, int]]]:
        """The smallest part of 1..k-1 people (n, block people, block, categories) or None, and
        the blocks holding such a part, with their people."""
        worst: tuple[int, int, Sig, frozenset[str]] | None = None
        small: list[tuple[Sig, int]] = []
        for sig in self.blocks:
            found = [(n, cats) for n, cats in self.parts(sig) if 0 < n < self.k]
            if found:
                small.append((sig, self.mass[sig]))
                n, cats = min(found, key=lambda f: f[0])
                if worst is None or (n, self.mass[sig]) < worst[:2]:
                    worst = (n, self.mass[sig], sig, cats)
        return worst, small

    def run(self) -> TableFigures:
        self.merge_small_blocks()
        while True:
            found, small = self.smallest_violation()
            if found is None:
                break
            _, _, sig, cats = found
            cost, plan = self.pooling_plan(sig, small)
            best: tuple[float, int, Plan] = (cost, 0, plan)
            # Or merge the block with others: hide the rows telling them apart, one row (which
            # merges it with every block beside it) or all those telling it from one other block
            # holding people of the small part's categories.
            hides = [frozenset({r}) for r in self.telling_apart(sig)[:MERGE_CANDIDATES]]
            others = [
                other
                for other, by in self.blocks.items()
                if other != sig and any(by.get(c) for c in cats)
            ]
            hides += sorted(
                {sig ^ other for other in others},
                key=lambda rows: (self.hide_cost(rows), sorted(map(repr, rows))),
            )[:MERGE_CANDIDATES]
            for rows in hides:
                trial = self.trial()
                for r in rows:
                    trial.set_level(r, self.top)
                merged = sig - rows
                cost = self.hide_cost(rows) + trial.pooling_plan(merged, small)[0]
                best = min(
                    best, (cost, len(rows), tuple((r, self.top) for r in rows)), key=lambda b: b[:2]
                )
            for r, level in best[2]:
                self.set_level(r, level)
        return self.figures()

    def hide_cost(self, rows: Iterable[Hashable]) -> int:
        return sum(self.loss(r, self.level[r], self.top) for r in rows)

    def people_held_back_by(self, r: Hashable) -> int:
        """People in the blocks under row r that r's classes alone cut into a small part: pooling
        r settles that for all of them at once."""
        held = 0
        for sig in self.under.get(r, ()):
            alone = {other: self.top for other in sig if other != r}
            if self.is_small(sig, alone):
                held += self.mass[sig]
        return held

    def pooling_plan(self, sig: Sig, small: list[tuple[Sig, int]]) -> tuple[float, Plan]:
        """The cheapest levels for the rows covering a block that leave none of its parts
        small: (cost, ((row, level), ...)). Pooling a row's classes is shared among the blocks
        under it whose parts its classes alone make small (pooling a large row once settles all
        of them); hiding a row is charged whole."""
        if not self.is_small(sig):
            return 0.0, ()
        rows = sorted(sig, key=self.order)
        mine = self.people(sig)
        share = {r: mine / max(mine, self.people_held_back_by(r)) for r in rows}

        def cost(r: Hashable, lv: int) -> float:
            pooled = min(lv, self.top - 1)
            return self.loss(r, self.level[r], pooled) * share[r] + self.loss(
                r, max(pooled, self.level[r]), lv
            )

        choices = [range(self.level[r], self.top + 1) for r in rows]
        if math.prod(len(c) for c in choices) > MAX_PLANS:
            # Too many rows to try every combination: pool the smallest row one level.
            r = rows[0]
            return cost(r, self.level[r] + 1), ((r, self.level[r] + 1),)
        best: tuple[float, Plan] = (math.inf, ())
        for levels in itertools.product(*choices):
            total = sum(cost(r, lv) for r, lv in zip(rows, levels, strict=True))
            if total < best[0] and not self.is_small(sig, dict(zip(rows, levels, strict=True))):
                best = (
                    total,
                    tuple(
                        (r, lv)
                        for r, lv in zip(rows, levels, strict=True)
                        if lv != self.level[r]
                    ),
                )
        return best

    def figures(self) -> TableFigures:
        per_row: defaultdict[Hashable, Counter[str]] = defaultdict(Counter)
        row_set = set(self.rows)
        for (category, scopes), n in self.atoms.items():
            for r in scopes & row_set:
                per_row[r][category] += n
        out: dict[Hashable, RowFigures] = {}
        for r in self.rows:
            total, level = self.size[r], self.level[r]
            if level >= self.top:
                out[r] = RowFigures(r, total, None, (), self.why.get(r, POOLED))
                continue
            shown: list[ShownClass] = []
            for label, cats in self.classing.levels[level]:
                n = sum(per_row[r][c] for c in cats)
                ordered = tuple(c for c in self.classing.categories if c in cats)
                shown.append(
                    ShownClass(label, ordered, n, round(100 * n / total) if total else None)
                )
            out[r] = RowFigures(r, total, level, tuple(shown))
        return TableFigures(self.k, self.classing, out)


def category_parts(
    *, counts: Atoms, figures: Iterable[tuple[Hashable, Iterable[str]]]
) -> list[int]:
    """The sizes of the category parts (see the module's docstring) that lie inside some scope
    showing categories. `figures`: (scope, categories) for each category figure shown.

    People are told apart by the scopes showing categories they sit in and by the category
    figures covering them; headcounts split them no further (swapping two such people's
    categories changes no figure)."""
    figure_list = [(scope, frozenset(cats)) for scope, cats in figures]
    showing = {scope for scope, _ in figure_list}
    parts: Counter[tuple[frozenset[Hashable], frozenset[int]]] = Counter()
    for (category, scopes), n in counts.items():
        inside = showing.intersection(scopes)
        if not n or not inside:
            continue
        covered = frozenset(i for i, (scope, cats) in enumerate(figure_list)
                            if scope in scopes and category in cats)
        parts[(frozenset(inside), covered)] += n
    return sorted(parts.values())
