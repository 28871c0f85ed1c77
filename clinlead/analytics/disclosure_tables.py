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
    that may still show categories. A block of fewer than k people is merged with the block that
    costs least (rows holding only one of the two show their totals only; cost = people in those
    rows times the levels of detail they lose), until every block holds k or more (or one block
    is left).
 3. For each block, the classes of the rows covering it cut its people into category parts.
    While some part holds 1..k-1 people, take the smallest such part and do the cheapest of:
    pool the rows covering its block (the cheapest combination of levels that leaves no part of
    the block small, each row's loss shared among the blocks under it that are small now, so
    that pooling the organisation's row once is weighed against hiding every division), or
    merge the block with one of the three cheapest other blocks holding people of that part's
    categories (cost as in 2, plus pooling the merged block as above). Each step
    raises a level or removes a block, so this ends; it ends with no small part, because with
    every row at its total only a block is one part covered by no category figure.

Pooling categories is preferred to hiding rows (a row is hidden only after its last pooling
level), and the cost keeps the large rows (the organisation, a division) in detail.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
    rows: dict = field(default_factory=dict)  # row -> RowFigures, in the order asked

    def category_figures(self) -> list[tuple[Hashable, frozenset[str], int]]:
        """Every category figure shown: (row, categories, count)."""
        return [(r.row, frozenset(c.categories), c.count) for r in self.rows.values() for c in r.classes]

    def counts(self) -> Counter:
        """How many rows show categories at each level, and how many show the total only."""
        return Counter("total only" if r.level is None else r.level for r in self.rows.values())


Atoms = Mapping[tuple[str, frozenset], int]


def publish_table(*, counts: Atoms, rows: Sequence[Hashable], public: Iterable[Hashable] = (),
                  classing: Classing, k: int) -> TableFigures:
    """Decide a table. `counts`: (category, scopes) -> people, scopes a frozenset holding every
    row and public headcount the people count in. Rows are public too (their totals show).
    Raises ValueError for a k below MIN_K, a negative count or an unknown category."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be an integer of at least {MIN_K}, got {k!r}")
    atoms: dict[tuple[str, frozenset], int] = {}
    known = set(classing.categories)
    for (category, scopes), n in counts.items():
        if n < 0:
            raise ValueError(f"a negative count for {category!r}")
        if category not in known:
            raise ValueError(f"category {category!r} is not in the classing")
        if n:
            key = (category, frozenset(scopes))
            atoms[key] = atoms.get(key, 0) + n
    return _Solver(atoms, list(dict.fromkeys(rows)), set(public), classing, k).run()


class _Solver:
    def __init__(self, atoms, rows, public, classing: Classing, k: int):
        self.atoms, self.rows, self.classing, self.k = atoms, rows, classing, k
        self.top = classing.total_only
        row_set = set(rows)
        self.size: Counter = Counter()
        for (_, scopes), n in atoms.items():
            for s in scopes & row_set:
                self.size[s] += n
        self.level = {r: 0 if self.size[r] >= k else self.top for r in rows}
        self.why = {r: TOO_FEW for r in rows if self.size[r] < k}
        self.index = [classing.class_index(i) for i in range(self.top)]
        # Regions of the public headcounts, then blocks by the rows that may show categories.
        headcounts = public | row_set
        regions: dict[frozenset, Counter] = defaultdict(Counter)
        for (category, scopes), n in atoms.items():
            regions[scopes & headcounts][category] += n
        live = {r for r in rows if self.level[r] < self.top}
        blocks: dict[frozenset, Counter] = defaultdict(Counter)
        for scopes, by_category in regions.items():
            blocks[scopes & live].update(by_category)
        self.blocks: list[list] = [[sig, cats] for sig, cats in blocks.items()]  # [rows, Counter]

    # ------------------------------------------------------------------ costs and actions
    def showing(self, sig) -> list:
        return [r for r in sig if self.level[r] < self.top]

    def loss(self, r, before: int, after: int) -> int:
        """People times levels of detail lost; showing a row's total only costs HIDE_PENALTY
        levels more, so that categories are pooled before rows are hidden."""
        if after <= before:
            return 0
        return self.size[r] * (after - before + (HIDE_PENALTY if after == self.top else 0))

    def merge_cost(self, a: int, b: int) -> int:
        cut = self.blocks[a][0] ^ self.blocks[b][0]
        return sum(self.loss(r, self.level[r], self.top) for r in cut)

    def merge(self, a: int, b: int):
        sig_a, cats_a = self.blocks[a]
        sig_b, cats_b = self.blocks[b]
        for r in sig_a ^ sig_b:
            if self.level[r] < self.top:
                self.level[r] = self.top
                self.why[r] = POOLED
        self.blocks[a] = [sig_a & sig_b, cats_a + cats_b]
        del self.blocks[b]

    def order(self, r) -> tuple:
        return (self.size[r], self.rows.index(r))

    # ------------------------------------------------------------------ the loop
    def merge_small_blocks(self):
        while len(self.blocks) > 1:
            small = [i for i, (_, cats) in enumerate(self.blocks) if sum(cats.values()) < self.k]
            if not small:
                return
            a = min(small, key=lambda i: (sum(self.blocks[i][1].values()), sorted(map(repr, self.blocks[i][0]))))
            b = min((i for i in range(len(self.blocks)) if i != a),
                    key=lambda i: (self.merge_cost(a, i), sum(self.blocks[i][1].values()), i))
            self.merge(min(a, b), max(a, b))

    def parts(self, i: int, levels: Mapping | None = None) -> list[tuple[int, frozenset]]:
        """The category parts of block i: (people, categories), for the rows showing categories
        (at `levels`, by default the current ones)."""
        level = self.level if levels is None else {**self.level, **levels}
        sig, cats = self.blocks[i]
        showing = sorted((r for r in sig if level[r] < self.top), key=self.order)
        if not showing:
            return []
        grouped: dict[tuple, list] = defaultdict(lambda: [0, set()])
        for category in self.classing.categories:
            key = tuple(self.index[level[r]][category] for r in showing)
            grouped[key][0] += cats.get(category, 0)
            grouped[key][1].add(category)
        return [(n, frozenset(c)) for n, c in grouped.values()]

    def is_small(self, i: int, levels: Mapping | None = None) -> bool:
        return any(0 < n < self.k for n, _ in self.parts(i, levels))

    def smallest_violation(self):
        worst = None
        for i in range(len(self.blocks)):
            for n, cats in self.parts(i):
                if 0 < n < self.k and (worst is None or n < worst[0]):
                    worst = (n, i, cats)
        return worst

    def run(self) -> TableFigures:
        self.merge_small_blocks()
        while (found := self.smallest_violation()) is not None:
            _, i, cats = found
            best = (*self.pooling_plan(i), "pool", None)
            candidates = [j for j, (_, other) in enumerate(self.blocks) if j != i and any(other.get(c) for c in cats)]
            for j in sorted(candidates, key=lambda j: (self.merge_cost(i, j), j))[:MERGE_CANDIDATES]:
                trial = self.trial()
                merged = trial.apply_merge(i, j)
                cost, _ = trial.pooling_plan(merged)
                best = min(best, (self.merge_cost(i, j) + cost, (), "merge", j), key=lambda b: b[0])
            _, plan, what, j = best
            if what == "merge":
                self.apply_merge(i, j)
            else:
                for r, lv in plan:
                    self.level[r] = lv
                    if lv == self.top:
                        self.why[r] = POOLED
        return self.figures()

    def trial(self) -> _Solver:
        trial = copy.copy(self)
        trial.level, trial.why = dict(self.level), dict(self.why)
        trial.blocks = [list(b) for b in self.blocks]
        return trial

    def apply_merge(self, i: int, j: int) -> int:
        self.merge(min(i, j), max(i, j))
        return min(i, j)

    def pooling_plan(self, i: int) -> tuple[float, tuple]:
        """The cheapest levels for the rows covering block i that leave none of its parts
        small: (cost, ((row, level), ...)). A row's loss is shared among the blocks under it
        that are small now (pooling a large row settles all of them at once)."""
        if not self.is_small(i):
            return 0.0, ()
        rows = sorted(self.showing(self.blocks[i][0]), key=self.order)
        small = [j for j in range(len(self.blocks)) if self.is_small(j)]
        mine = sum(self.blocks[i][1].values())
        share = {r: mine / max(mine, sum(sum(self.blocks[j][1].values()) for j in small if r in self.blocks[j][0]))
                 for r in rows}

        def cost(r, lv):
            # Pooling is shared; hiding the row is charged whole (it settles no other block
            # that pooling would not).
            pooled = min(lv, self.top - 1)
            return self.loss(r, self.level[r], pooled) * share[r] + self.loss(r, max(pooled, self.level[r]), lv)

        choices = [range(self.level[r], self.top + 1) for r in rows]
        if math.prod(len(c) for c in choices) > MAX_PLANS:
            # Too many rows to try every combination: pool the smallest row one level.
            r = rows[0]
            return cost(r, self.level[r] + 1), ((r, self.level[r] + 1),)
        best: tuple[float, tuple] = (math.inf, ())
        for levels in itertools.product(*choices):
            total = sum(cost(r, lv) for r, lv in zip(rows, levels, strict=True))
            if total < best[0] and not self.is_small(i, dict(zip(rows, levels, strict=True))):
                best = (total, tuple((r, lv) for r, lv in zip(rows, levels, strict=True) if lv != self.level[r]))
        return best

    def figures(self) -> TableFigures:
        per_row: dict = defaultdict(Counter)
        row_set = set(self.rows)
        for (category, scopes), n in self.atoms.items():
            for r in scopes & row_set:
                per_row[r][category] += n
        out = {}
        for r in self.rows:
            total, level = self.size[r], self.level[r]
            if level >= self.top:
                out[r] = RowFigures(r, total, None, (), self.why.get(r, POOLED))
                continue
            shown = []
            for label, cats in self.classing.levels[level]:
                n = sum(per_row[r][c] for c in cats)
                ordered = tuple(c for c in self.classing.categories if c in cats)
                shown.append(ShownClass(label, ordered, n, round(100 * n / total) if total else None))
            out[r] = RowFigures(r, total, level, tuple(shown))
        return TableFigures(self.k, self.classing, out)


def category_parts(*, counts: Atoms, figures: Iterable[tuple[Hashable, Iterable[str]]]) -> list[int]:
    """The sizes of the category parts (see the module's docstring) that lie inside some scope
    showing categories. `figures`: (scope, categories) for each category figure shown.

    People are told apart by the scopes showing categories they sit in and by the category
    figures covering them; headcounts split them no further (swapping two such people's
    categories changes no figure)."""
    figure_list = [(scope, frozenset(cats)) for scope, cats in figures]
    showing = {scope for scope, _ in figure_list}
    parts: Counter = Counter()
    for (category, scopes), n in counts.items():
        inside = showing.intersection(scopes)
        if not n or not inside:
            continue
        covered = frozenset(i for i, (scope, cats) in enumerate(figure_list)
                            if scope in scopes and category in cats)
        parts[(frozenset(inside), covered)] += n
    return sorted(parts.values())
