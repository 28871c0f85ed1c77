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
sit in two sub-teams) are decided afterwards against a relaxation that can only over-count
the ways to subtract: tree groups stay as decided, and a crossing group is suppressed if
publishing it could complete any subtraction leak. Over-suppression is possible there;
leakage is not. The reasons handed out are coarse codes with no counts, so a reason never
tells a viewer how small a hidden group is.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

DEFAULT_K = 5
MIN_K = 3
MAX_K = 50
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


def validate_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= MAX_K:
        raise ValueError(f"the suppression threshold must be an integer {MIN_K}-{MAX_K}, got {k!r}")
    return k


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
    atom_counts: Mapping[Hashable, int],
    k: int = DEFAULT_K,
) -> SuppressionResult:
    """Apply the rule to ``groups`` (id -> atom ids) with ``atom_counts`` (atom id -> responses).

    Returns a SuppressionResult. Raises ValueError for a bad k, a negative count, or an atom
    with no count.
    """
    return _Solver(groups, atom_counts, validate_k(k)).run()


class _Solver:
    def __init__(self, groups, atom_counts, k):
        self.k = k
        self.bits = _Bits(k)
        self.ids = _ordered(list(groups))
        atom_index: dict = {}
        counts: list[int] = []
        self.atoms: list[tuple[int, ...]] = []
        self.size: list[int] = []
        for gid in self.ids:
            members = []
            total = 0
            for atom in set(groups[gid]):
                if atom not in atom_counts:
                    raise ValueError(f"atom {atom!r} of group {gid!r} has no response count")
                idx = atom_index.get(atom)
                if idx is None:
                    c = atom_counts[atom]
                    if c < 0:
                        raise ValueError(f"atom {atom!r} has a negative count")
                    idx = atom_index[atom] = len(counts)
                    counts.append(int(c))
                if counts[idx] > 0:  # an empty cell can reveal nothing
                    members.append(idx)
                    total += counts[idx]
            self.atoms.append(tuple(members))
            self.size.append(total)
        self.count = counts
        n = len(self.ids)
        self.published = [s >= k for s in self.size]
        self.reasons = {i: REASON_TOO_FEW for i in range(n) if not self.published[i]}
        self.via: dict[int, int] = {}

    def key(self, g: int):
        return (self.size[g], g)  # g is the rank of the id in sorted order

    # ---------------------------------------------------------------- laminar skeleton
    def build_tree(self):
        """Insert eligible groups largest first; a group joins the tree if it nests cleanly."""
        n = len(self.ids)
        order = sorted((g for g in range(n) if self.published[g]), key=lambda g: (-self.size[g], g))
        deep: dict[int, int] = {}  # atom -> deepest tree group holding it
        self.parent = [-1] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.tree: list[int] = []  # parents before children
        self.crossers: list[int] = []
        for g in order:
            atoms = self.atoms[g]
            first = deep.get(atoms[0], -1)
            if all(deep.get(a, -1) == first for a in atoms):
                self.parent[g] = first
                if first >= 0:
                    self.children[first].append(g)
                for a in atoms:
                    deep[a] = g
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
                victim = min(self.participants(g, a_set), key=self.key)
                self.published[victim] = False
                self.reasons[victim] = REASON_SUBTRACTION
                self.via[victim] = g
                v = self.parent[victim]
                while v >= 0:
                    a_set[v] = self.compute_a(v, a_set)
                    v = self.parent[v]
        self.a_set = a_set

    # ---------------------------------------------------------------- crossing groups
    def run_crossers(self):
        if not self.crossers:
            return
        bits = self.bits
        crossing_atoms: dict[int, list[int]] = {}  # atom -> crossing groups holding it
        for x in self.crossers:
            for a in self.atoms[x]:
                crossing_atoms.setdefault(a, []).append(x)
        self.crossing_atoms = crossing_atoms
        # Leftovers with every crossing group's atoms optional: any mix of crossing groups
        # (even ones later suppressed) may be subtracted, and in any part. Over-counts only.
        aug = [0] * len(self.ids)
        for g in reversed(self.tree):
            aug[g] = self.direct_leftovers(g, frozenset(), None)
            for c in self.children[g]:
                aug[g] = bits.add(aug[g], self.b(c, aug))
        self.aug = aug
        self.depth = {}
        for g in self.tree:
            p = self.parent[g]
            self.depth[g] = 0 if p < 0 else self.depth[p] + 1
        verdicts = {x: self.check_crosser(x) for x in self.crossers}
        for x, via in verdicts.items():
            if via is not None:
                self.published[x] = False
                self.reasons[x] = REASON_SUBTRACTION
                self.via[x] = via

    def direct_leftovers(self, g: int, forced: frozenset, optional: set | None) -> int:
        """Leftovers from g's own atoms. forced: covered for sure; optional: maybe covered
        (None means every crossing group's atom)."""
        bits = self.bits
        mandatory = 0
        opt = []
        for a in self.direct_atoms[g]:
            if a in forced:
                continue
            if (a in self.crossing_atoms) if optional is None else (a in optional):
                opt.append(self.count[a])
            else:
                mandatory += self.count[a]
        s = bits.shift(1, mandatory)
        for c in opt:
            s = bits.optional(s, c)
        return s

    def crossers_within(self, atoms: frozenset, exclude: int) -> list[int]:
        """Crossing groups strictly inside the atom set (other than exclude)."""
        seen = set()
        for a in atoms:
            seen.update(self.crossing_atoms.get(a, ()))
        seen.discard(exclude)
        return [z for z in seen if len(self.atoms[z]) < len(atoms) and atoms.issuperset(self.atoms[z])]

    def within(self, atoms: frozenset, forced: frozenset, owner: int) -> int:
        """Leftovers of the (crossing) group `owner`, made of `atoms`: tree groups inside it
        subtract whole, crossing groups strictly inside it subtract in any part."""
        bits = self.bits
        optional = set()
        for z in self.crossers_within(atoms, owner):
            optional.update(self.atoms[z])
        hit: dict[int, int] = {}
        for a in atoms:
            v = self.deep.get(a, -1)
            while v >= 0:
                hit[v] = hit.get(v, 0) + 1
                v = self.parent[v]
        inside = {v for v, h in hit.items() if h == self.natoms[v]}
        s = 1
        mandatory = 0
        for a in atoms:
            if self.deep.get(a, -1) in inside or a in forced:
                continue
            if a in optional:
                s = bits.optional(s, self.count[a])
            else:
                mandatory += self.count[a]
        s = bits.shift(s, mandatory)
        local: dict[int, int] = {}
        for v in sorted(inside, key=lambda v: -self.depth[v]):
            t = self.direct_leftovers(v, forced, optional)
            for c in self.children[v]:
                t = bits.add(t, local[c] | (1 if self.published[c] else 0))
            local[v] = t
            if self.parent[v] not in inside:
                s = bits.add(s, t | (1 if self.published[v] else 0))
        return s

    def check_crosser(self, x: int):
        """None if publishing x completes no subtraction leak, else the group it would leak from."""
        bits = self.bits
        xatoms = frozenset(self.atoms[x])
        # Families inside x.
        if self.within(xatoms, frozenset(), x) & bits.bad:
            return x
        # Families with x inside tree groups that hold it: redo the DP on x's paths with x's
        # atoms covered.
        hit: dict[int, int] = {}
        for a in xatoms:
            v = self.deep.get(a, -1)
            while v >= 0:
                hit[v] = hit.get(v, 0) + 1
                v = self.parent[v]
        forced_a: dict[int, int] = {}
        for v in sorted(hit, key=lambda v: -self.depth[v]):
            t = self.direct_leftovers(v, xatoms, None)
            for c in self.children[v]:
                bc = forced_a[c] if c in forced_a else self.aug[c]
                t = bits.add(t, bc | (1 if self.published[c] else 0))
            forced_a[v] = t
            if hit[v] == len(xatoms) and self.published[v] and t & bits.bad:
                return v
        # Families with x inside crossing groups that hold it.
        holders = set(self.crossing_atoms[next(iter(xatoms))]) if xatoms else set()
        for y in sorted(holders):
            if y != x and xatoms.issubset(self.atoms[y]):
                if self.within(frozenset(self.atoms[y]), xatoms, y) & bits.bad:
                    return y
        return None

    # ----------------------------------------------------------------
    def run(self) -> SuppressionResult:
        self.build_tree()
        self.natoms = [len(da) for da in self.direct_atoms]
        for g in reversed(self.tree):
            p = self.parent[g]
            if p >= 0:
                self.natoms[p] += self.natoms[g]
        self.run_tree()
        self.run_crossers()
        ids = self.ids
        return SuppressionResult(
            k=self.k,
            published=frozenset(ids[g] for g in range(len(ids)) if self.published[g]),
            reasons={ids[g]: r for g, r in sorted(self.reasons.items())},
            via={ids[g]: ids[v] for g, v in sorted(self.via.items())},
        )
