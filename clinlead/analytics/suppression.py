"""The suppression rule: which groups' figures may be published. Every page, export, API and
CLI output asks this module, and nothing else, whether a group is shown.

The rule, with threshold k (default 5, allowed 3-50):

  A group is published only if it has at least k responses AND, for every family of
  pairwise-disjoint published groups nested inside it, the responses left over number 0 or
  at least k (otherwise "group minus published sub-groups" would reveal fewer than k people).

Groups are plain data: ``{group_id: set_of_atom_ids}`` with ``{atom_id: response_count}``.
Atoms are the finest cells (e.g. (unit, leader) pairs); "nested" and "disjoint" are judged on
atoms that hold at least one response. Group ids must be hashable; they are ordered natively
when they can be, else by repr, to break ties deterministically.

Where the rule is broken, further groups are suppressed smallest first. Precisely:

  1. every group with fewer than k responses is suppressed;
  2. while some published group G has a violating family (a family whose leftover is
     1..k-1), take the smallest such G (by size, then id); among the published groups that
     are members of at least one of G's violating families, suppress the smallest (by size,
     then id). Suppressing never creates a violation, so each G is visited once.

Laminar (tree-nested) groups, such as unit subtrees and leaders inside one unit, get exactly
that procedure, computed by a tree DP over achievable leftovers saturated at k (a leftover of
k or more is as good as any other). Groups that cross the tree (say a leader whose respondents
sit in two sub-teams, or in a team and directly in its department) are decided afterwards,
largest first: tree groups stay as decided, and a crossing group is published only if no
family that includes it leaves 1..k-1 over, given the groups published so far. Families inside
tree groups are checked exactly (accepted crossing groups enter the DP whole, at the smallest
tree group holding them, with overlapping groups blocked); families inside crossing groups
are checked with an over-count (crossing groups nested there may be subtracted in part), and
a crossing group too entangled to check exactly is simply not published. So there the result
may suppress more than the smallest-first procedure would; it never leaks. Later groups are
checked against earlier ones, so every family is checked when its last member is decided.
The reasons handed out are coarse codes with no counts, so a reason never tells a viewer how
small a hidden group is.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# The threshold and its check live with the disclosure rule; re-exported for older callers.
from clinlead.analytics.disclosure import DEFAULT_K, MAX_K, MIN_K, gc_paused, validate_k
from clinlead.analytics.suppression_crossing import CrossingPhase

__all__ = ["DEFAULT_K", "MAX_K", "MIN_K", "gc_paused", "validate_k", "apply_suppression", "nesting_subset",
           "SuppressionResult", "REASON_TOO_FEW", "REASON_SUBTRACTION"]

REASON_TOO_FEW = "fewer than k responses"
REASON_SUBTRACTION = "would reveal a group by subtraction"


@dataclass(frozen=True)
class SuppressionResult:
    """Outcome of the rule for one call.

    ``published``: the ids that may be shown. ``reasons``: for each suppressed id, one of
    REASON_TOO_FEW / REASON_SUBTRACTION (safe to show). ``via``: for REASON_SUBTRACTION, the
    group it would have been subtracted from (for audit and debugging, not for viewers: it
    hints where a small leftover is).
    """

    k: int
    published: frozenset
    reasons: dict = field(default_factory=dict)
    via: dict = field(default_factory=dict)

    def is_published(self, group_id: Hashable) -> bool:
        return group_id in self.published


def _ordered(ids: list) -> list:
    try:
        return sorted(ids)
    except TypeError:
        return sorted(ids, key=repr)


# Sets of achievable leftovers are bitsets: bit i (i < k) means "a leftover of exactly i",
# bit k means "a leftover of k or more".


class _Bits:
    def __init__(self, k: int):
        self.k = k
        self.low = (1 << k) - 1  # leftovers 0..k-1
        self.kbit = 1 << k
        self.bad = self.low & ~1  # leftovers 1..k-1: a violation

    def shift(self, s: int, c: int) -> int:
        """Add the constant c to every achievable leftover."""
        if c == 0 or not s:
            return s
        if c >= self.k:
            return self.kbit
        t = s << c
        return (t & self.low) | self.kbit if t >> self.k else t

    def add(self, a: int, b: int) -> int:
        """Minkowski sum: every x + y with x in a, y in b."""
        if a == 1:
            return b
        if b == 1:
            return a
        kbit = self.kbit
        if a == kbit or b == kbit:
            return kbit  # k or more, plus anything, is k or more
        if b == kbit | 1:
            return a | kbit  # a group that may be subtracted whole or not
        if a == kbit | 1:
            return b | kbit
        if a.bit_count() > b.bit_count():
            a, b = b, a
        out = 0
        while a:
            low = a & -a
            out |= b << (low.bit_length() - 1)
            a ^= low
        return (out & self.low) | self.kbit if out >> self.k else out

    def optional(self, s: int, c: int) -> int:
        """An atom of c responses that may or may not be covered."""
        return s | self.shift(s, c)


def apply_suppression(
    *,
    groups: Mapping[Hashable, Iterable[Hashable]],
    atom_counts: Mapping[Hashable, int] | Sequence[int],
    k: int = DEFAULT_K,
    public: Iterable[Hashable] = (),
) -> SuppressionResult:
    """Apply the rule to ``groups`` (id -> atom ids) with ``atom_counts`` (atom id -> responses;
    or a list of counts, the atoms then being the integers 0..n-1, which is faster).

    ``public``: ids of groups whose figure is shown elsewhere anyway (a unit's headcount, say).
    They count as published whatever their size, so every published figure inside them is
    checked against them, and they are never the ones suppressed (hiding them hides nothing).
    Public groups must nest among themselves; an ordinary group that crosses one is decided by
    the crossing phase, which only ever suppresses more.

    Returns a SuppressionResult. Raises ValueError for a bad k, a negative count, an atom
    with no count, or two public groups that cross.
    """
    validate_k(k=k)
    with gc_paused():
        return _Solver(groups, atom_counts, k, public).run()


def nesting_subset(*, groups: Mapping[Hashable, Iterable[Hashable]], candidates: Iterable[Hashable],
                   atom_counts: Mapping[Hashable, int]) -> list:
    """Of the `candidates` (groups shown elsewhere), those that can go to apply_suppression as
    `public`: taken largest first (then by id), a group joins if it crosses none already taken,
    judged as the rule judges nesting (on atoms holding at least one response)."""
    def held(g):
        return [a for a in groups[g] if atom_counts[a] > 0]

    size = {g: sum(atom_counts[a] for a in groups[g]) for g in candidates}
    rank = {g: i for i, g in enumerate(_ordered(list(size)))}
    taken, deepest = [], {}
    for g in sorted(size, key=lambda g: (-size[g], rank[g])):
        atoms = held(g)
        if len({deepest.get(a) for a in atoms}) <= 1:
            taken.append(g)
            deepest.update(dict.fromkeys(atoms, g))
    return taken


class _Solver(CrossingPhase):
    def __init__(self, groups, atom_counts, k, public=()):
        self.k = k
        self.bits = _Bits(k)
        self.ids = _ordered(list(groups))
        if isinstance(atom_counts, Mapping):
            index_of: dict | None = {}
            counts: list[int] = []
            for atom, c in atom_counts.items():
                index_of[atom] = len(counts)
                counts.append(int(c))
        else:  # a sequence: atoms are its positions 0..n-1, no renaming needed
            index_of = None
            counts = [int(c) for c in atom_counts]
        if any(c < 0 for c in counts):
            raise ValueError("an atom has a negative count")
        self.count = counts
        all_positive = all(counts)
        self.atoms: list[tuple[int, ...]] = []
        self.size: list[int] = []
        for gid in self.ids:
            try:
                if index_of is None:
                    members = set(groups[gid])
                    if members and not (0 <= min(members) and max(members) < len(counts)):
                        raise KeyError(max(members))
                else:
                    members = {index_of[a] for a in groups[gid]}
            except KeyError as exc:
                raise ValueError(f"atom {exc.args[0]!r} of group {gid!r} has no count") from None
            if not all_positive:  # an empty cell can reveal nothing
                members = [i for i in members if counts[i] > 0]
            self.atoms.append(tuple(members))
            self.size.append(sum([counts[i] for i in members]))
        n = len(self.ids)
        rank = {gid: g for g, gid in enumerate(self.ids)}
        unknown = [p for p in public if p not in rank]
        if unknown:
            raise ValueError(f"public group {unknown[0]!r} is not among the groups")
        self.public = {rank[p] for p in public}
        self.published = [s >= k or g in self.public for g, s in enumerate(self.size)]
        self.reasons = {i: REASON_TOO_FEW for i in range(n) if not self.published[i]}
        self.via: dict[int, int] = {}

    def key(self, g: int):
        return (self.size[g], g)  # g is the rank of the id in sorted order

    # ---------------------------------------------------------------- laminar skeleton
    def build_tree(self):
        """Insert eligible groups largest first; a group joins the tree if it nests cleanly."""
        n = len(self.ids)
        # Public groups take their places first, so they are tree groups whenever they nest.
        order = sorted((g for g in range(n) if self.published[g]),
                       key=lambda g: (g not in self.public, -self.size[g], g))
        deep: dict[int, int] = {}  # atom -> deepest tree group holding it
        self.parent = [-1] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.tree: list[int] = []  # parents before children
        self.crossers: list[int] = []
        deep_get = deep.get
        for g in order:
            atoms = self.atoms[g]
            holders = {deep_get(a, -1) for a in atoms}
            if len(holders) == 1:
                first = holders.pop()
                self.parent[g] = first
                if first >= 0:
                    self.children[first].append(g)
                deep.update(dict.fromkeys(atoms, g))
                self.tree.append(g)
            else:
                self.crossers.append(g)
        self.deep = deep
        self.direct_atoms: list[list[int]] = [[] for _ in range(n)]
        for a, g in deep.items():
            self.direct_atoms[g].append(a)
        self.direct = [sum(self.count[a] for a in da) for da in self.direct_atoms]

    def b(self, g: int, a_set: list[int]) -> int:
        return a_set[g] | (1 if self.published[g] else 0)

    def compute_a(self, g: int, a_set: list[int]) -> int:
        s = self.bits.shift(1, self.direct[g])
        for c in self.children[g]:
            s = self.bits.add(s, a_set[c] | (1 if self.published[c] else 0))
        return s

    # ---------------------------------------------------------------- exact tree procedure
    def participants(self, g: int, a_set: list[int]) -> list[int]:
        """Published groups inside g that belong to a family leaving 1..k-1 of g over."""
        bits = self.bits
        found = []
        stack = [(g, 1)]  # (node, leftovers outside its subtree when it is in the family)
        while stack:
            v, out = stack.pop()
            ch = self.children[v]
            if not ch:
                continue
            base = bits.shift(out, self.direct[v])
            bs = [self.b(c, a_set) for c in ch]
            suffix = [1] * (len(ch) + 1)
            for i in range(len(ch) - 1, -1, -1):
                suffix[i] = bits.add(suffix[i + 1], bs[i])
            prefix = base
            for i, c in enumerate(ch):
                oc = bits.add(prefix, suffix[i + 1])
                prefix = bits.add(prefix, bs[i])
                if not oc & bits.low:
                    continue  # every leftover already >= k, deeper ones only add
                if self.published[c] and oc & bits.bad:
                    found.append(c)
                stack.append((c, oc))
        return found

    def run_tree(self):
        a_set = [0] * len(self.ids)
        for g in reversed(self.tree):
            a_set[g] = self.compute_a(g, a_set)
        for g in sorted(self.tree, key=self.key):
            while self.published[g] and a_set[g] & self.bits.bad:
                chosen = [p for p in self.participants(g, a_set) if p not in self.public]
                if chosen:
                    victim = min(chosen, key=self.key)
                elif g not in self.public:
                    victim = g  # only public figures take part: g itself would give the rest away
                else:
                    break  # public minus public: nothing hidden can be worked out
                self.published[victim] = False
                self.reasons[victim] = REASON_SUBTRACTION
                self.via[victim] = g
                v = self.parent[victim]
                while v >= 0:
                    before = a_set[v]
                    a_set[v] = self.compute_a(v, a_set)
                    if a_set[v] == before:
                        break  # nothing above can change either
                    v = self.parent[v]
        self.a_set = a_set

    # ----------------------------------------------------------------
    def run(self) -> SuppressionResult:
        self.build_tree()
        # An empty group sits outside the tree but holds nobody, so it crosses nothing.
        crossing_public = {g for g in self.public & set(self.crossers) if self.atoms[g]}
        if crossing_public:
            gid = self.ids[min(crossing_public)]
            raise ValueError(f"public group {gid!r} crosses another group; public groups must nest")
        self.natoms = [len(da) for da in self.direct_atoms]
        for g in reversed(self.tree):
            p = self.parent[g]
            if p >= 0:
                self.natoms[p] += self.natoms[g]
        self.run_tree()
        for x, via in self.run_crossers().items():
            if x in self.public:
                continue  # only an empty public group can get here; it reveals nothing
            self.published[x] = False
            self.reasons[x] = REASON_SUBTRACTION
            self.via[x] = via
        ids = self.ids
        return SuppressionResult(
            k=self.k,
            published=frozenset(ids[g] for g in range(len(ids)) if self.published[g]),
            reasons={ids[g]: r for g, r in sorted(self.reasons.items())},
            via={ids[g]: ids[v] for g, v in sorted(self.via.items())},
        )
