"""The crossing-group phase of the suppression rule (see suppression.py, the only entry point).

Crossing groups are tried one at a time, largest first, after the tree is settled. An accepted
crossing group is anchored at the smallest tree group holding all its atoms; there the DP may
take it whole, and then tree groups overlapping it are blocked. Anchored groups that share a
child (or an atom) form a component whose subsets are enumerated, so sums stay exact; a
component may not grow past MAX_COMPONENT groups (a group that would make it grow is simply
not published). Families inside crossing groups are over-counted (crossing groups nested there
may be subtracted in part), which can only suppress more.

A mixin for suppression._Solver: it uses the solver's tree (parent, children, deep, direct,
direct_atoms, natoms, a_set), its bitset arithmetic (bits) and its published flags.
"""

from __future__ import annotations


class CrossingPhase:
    MAX_COMPONENT = 8

    def run_crossers(self) -> dict[int, int]:
        """Decide the crossing groups; returns {rejected group: group it would leak from}."""
        self.split: dict[int, dict[int, set]] = {}
        self.atom_set: dict[int, frozenset] = {}
        rejected: dict[int, int] = {}
        if not self.crossers:
            return rejected
        self.depth = {}
        for g in self.tree:
            p = self.parent[g]
            self.depth[g] = 0 if p < 0 else self.depth[p] + 1
        self.cache = list(self.a_set)  # leftovers with the accepted crossing groups
        self.anchored: dict[int, list[int]] = {}
        self.touched: dict[int, set[int]] = {}  # children reached by anchored groups
        self.structures: dict[int, dict] = {}
        self.anchor_of: dict[int, int] = {}
        self.rest: dict[int, dict[int, int]] = {}  # u -> child -> leftovers of u without it
        self.accepted: list[int] = []
        self.accepted_at: dict[int, list[int]] = {}  # atom -> accepted crossing groups
        for x in sorted(self.crossers, key=lambda g: (-self.size[g], g)):
            via = self.check_crosser(x)
            if via is None:
                self.accept(x)
            else:
                rejected[x] = via
        return rejected

    def anchor(self, atoms) -> int:
        """The smallest tree group holding all the atoms, or -1."""
        hit: dict[int, int] = {}
        for a in atoms:
            v = self.deep.get(a, -1)
            if v < 0:
                return -1
            while v >= 0:
                hit[v] = hit.get(v, 0) + 1
                v = self.parent[v]
        full = [v for v, h in hit.items() if h == len(atoms)]
        return max(full, key=lambda v: self.depth[v]) if full else -1

    def child_toward(self, u: int, a: int) -> int:
        """The child of u whose subtree holds atom a, or -1 if a is u's own atom."""
        v = self.deep[a]
        if v == u:
            return -1
        while self.parent[v] != u:
            v = self.parent[v]
        return v

    def leftovers(self, u: int, forced: frozenset, memo: dict) -> int:
        """Leftovers of tree group u over families of published tree groups and accepted
        crossing groups inside it, when the atoms `forced` (all inside u) are covered by a
        group from outside: every group overlapping them is unavailable."""
        if not forced:
            return self.cache[u]
        key = (u, forced)
        if key in memo:
            return memo[key]
        bits = self.bits
        by_child: dict[int, set] = {}
        for a in forced:
            by_child.setdefault(self.child_toward(u, a), set()).add(a)
        only = next(iter(by_child)) if len(by_child) == 1 else -1
        if only >= 0 and only not in self.touched.get(u, ()):
            # The cover sits in one child that no anchored group reaches: the rest of u is
            # as it was, so reuse it.
            rest = self.rest.setdefault(u, {})
            if only not in rest:
                rest[only] = self.combine(u, {}, memo, skip=only)
            out = bits.add(rest[only], self.b_forced(only, forced, memo))
        else:
            out = self.combine(u, by_child, memo)
        memo[key] = out
        return out

    def components(self, live: list[int]) -> list[list[int]]:
        """Anchored groups linked by a shared child or a shared own atom."""
        comp_of: dict = {}
        comps: list[list[int]] = []
        for y in live:
            keys = [("c", c) for c in self.split[y] if c >= 0] + [
                ("a", a) for a in self.split[y].get(-1, ())
            ]
            found = {comp_of[key] for key in keys if key in comp_of}
            merged = [y]
            for i in found:
                merged.extend(comps[i])
                comps[i] = []
            comps.append(merged)
            for z in merged:
                for c in self.split[z]:
                    if c >= 0:
                        comp_of[("c", c)] = len(comps) - 1
                for atom in self.split[z].get(-1, ()):
                    comp_of[("a", atom)] = len(comps) - 1
        return [c for c in comps if c]

    def structure(self, u: int) -> dict:
        """u's anchored groups as components, with each component's leftovers when nothing
        from outside covers it (cached until a group is anchored at u)."""
        st = self.structures.get(u)
        if st is None:
            comps = self.components(self.anchored[u])
            child_comp = {
                c: i for i, comp in enumerate(comps) for y in comp for c in self.split[y] if c >= 0
            }
            own_atoms = {a for y in self.anchored[u] for a in self.split[y].get(-1, ())}
            st = {
                "comps": comps,
                "child_comp": child_comp,
                "own_atoms": own_atoms,
                "mandatory": self.direct[u] - sum(self.count[a] for a in own_atoms),
                "value": [self.component(comp, {}, {}) for comp in comps],
            }
            self.structures[u] = st
        return st

    def combine(self, u: int, by_child: dict, memo: dict, skip: int = -2) -> int:
        """A(u) from its parts; by_child: child (-1 = u's own atoms) -> forced atoms. With
        skip, the child `skip` is left out (the caller adds it)."""
        bits = self.bits
        forced_direct = by_child.get(-1, set())
        if u not in self.anchored:
            mandatory = self.direct[u] - sum(self.count[a] for a in forced_direct)
            out = bits.shift(1, mandatory)
            for c in self.children[u]:
                if c != skip:
                    out = bits.add(out, self.b_forced(c, by_child.get(c), memo))
            return out
        if any(self.overlaps(y, by_child) for y in self.anchored[u]):
            return self.combine_excluding(u, by_child, memo, skip)
        st = self.structure(u)
        child_comp = st["child_comp"]
        out = bits.shift(1, st["mandatory"] - sum(self.count[a] for a in forced_direct))
        for c in self.children[u]:
            if c not in child_comp and c != skip:
                out = bits.add(out, self.b_forced(c, by_child.get(c), memo))
        touched = {child_comp[c] for c in by_child if c in child_comp}
        for i, comp in enumerate(st["comps"]):
            value = self.component(comp, by_child, memo) if i in touched else st["value"][i]
            out = bits.add(out, value)
        return out

    def combine_excluding(self, u: int, by_child: dict, memo: dict, skip: int) -> int:
        """combine() when some anchored groups overlap the cover and drop out."""
        bits = self.bits
        forced_direct = by_child.get(-1, set())
        live = [y for y in self.anchored[u] if not self.overlaps(y, by_child)]
        comps = self.components(live)
        in_comp_children = {c for y in live for c in self.split[y] if c >= 0}
        in_comp_atoms = {a for y in live for a in self.split[y].get(-1, ())}
        mandatory = sum(
            self.count[a]
            for a in self.direct_atoms[u]
            if a not in forced_direct and a not in in_comp_atoms
        )
        out = bits.shift(1, mandatory)
        for c in self.children[u]:
            if c not in in_comp_children and c != skip:
                out = bits.add(out, self.b_forced(c, by_child.get(c), memo))
        for comp in comps:
            out = bits.add(out, self.component(comp, by_child, memo))
        return out

    def b_forced(self, c: int, forced, memo) -> int:
        if not forced:
            return self.cache[c] | (1 if self.published[c] else 0)
        return self.leftovers(c, frozenset(forced), memo)  # c overlaps the cover: blocked

    def overlaps(self, y: int, by_child: dict) -> bool:
        yatoms = self.atom_set[y]
        return any(not yatoms.isdisjoint(f) for f in by_child.values())

    def component(self, comp: list[int], by_child: dict, memo: dict) -> int:
        bits = self.bits
        children = {c for y in comp for c in self.split[y] if c >= 0}
        own = {a for y in comp for a in self.split[y].get(-1, ())}
        acc = 0
        for mask in range(1 << len(comp)):
            chosen = [comp[i] for i in range(len(comp)) if mask >> i & 1]
            atoms: set = set()
            ok = True
            for y in chosen:
                if not atoms.isdisjoint(self.atom_set[y]):
                    ok = False  # chosen groups must be disjoint
                    break
                atoms |= self.atom_set[y]
            if not ok:
                continue
            val = bits.shift(1, sum(self.count[a] for a in own if a not in atoms))
            for c in children:
                forced = set(by_child.get(c, ()))
                for y in chosen:
                    forced |= self.split[y].get(c, set())
                val = bits.add(val, self.b_forced(c, forced, memo))
            acc |= val
        return acc

    def accept(self, x: int):
        m = self.anchor_of[x]
        self.accepted.append(x)
        for a in self.atoms[x]:
            self.accepted_at.setdefault(a, []).append(x)
        if m < 0:
            return
        self.anchored.setdefault(m, []).append(x)
        self.touched.setdefault(m, set()).update(c for c in self.split[x] if c >= 0)
        v = m
        while v >= 0:
            # What v's parts add up to has changed (its anchored groups, or a child's sum).
            self.rest.pop(v, None)
            self.structures.pop(v, None)
            before = self.cache[v]
            self.cache[v] = self.combine(v, {}, {})
            if self.cache[v] == before:
                break  # nothing above can change either
            v = self.parent[v]

    def prepare_split(self, x: int, m: int):
        split: dict[int, set] = {}
        for a in self.atoms[x]:
            split.setdefault(self.child_toward(m, a), set()).add(a)
        self.split[x] = split

    def component_size_ok(self, x: int, m: int) -> bool:
        """Would anchoring x at m keep every component small enough to enumerate?"""
        size = 1
        frontier = [x]
        seen = {x}
        others = self.anchored.get(m, [])
        while frontier:
            y = frontier.pop()
            ys = self.split[y]
            for z in others:
                if z in seen:
                    continue
                zs = self.split[z]
                if {c for c in zs if c >= 0} & {c for c in ys if c >= 0} or (
                    zs.get(-1, set()) & ys.get(-1, set())
                ):
                    seen.add(z)
                    frontier.append(z)
                    size += 1
        return size <= self.MAX_COMPONENT

    def within(self, atoms: frozenset, forced: frozenset, owner: int) -> int:
        """Leftovers of the crossing group `owner` (made of `atoms`): tree groups inside it
        subtract whole; accepted crossing groups strictly inside it subtract in any part (an
        over-count, so safe)."""
        bits = self.bits
        optional = set()
        seen = set()
        for a in atoms:
            seen.update(self.accepted_at.get(a, ()))
        seen.discard(owner)
        for z in seen:
            if len(self.atoms[z]) < len(atoms) and atoms.issuperset(self.atoms[z]):
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
        for v in sorted(inside, key=self.depth.__getitem__, reverse=True) if inside else ():
            t = 1
            own = 0
            for a in self.direct_atoms[v]:
                if a in forced:
                    continue
                if a in optional:
                    t = bits.optional(t, self.count[a])
                else:
                    own += self.count[a]
            t = bits.shift(t, own)
            for c in self.children[v]:
                t = bits.add(t, local[c] | (1 if self.published[c] else 0))
            local[v] = t
            if self.parent[v] not in inside:
                s = bits.add(s, t | (1 if self.published[v] else 0))
        return s

    def check_crosser(self, x: int):
        """None if publishing x (with the groups accepted so far) completes no subtraction
        leak, else the group that would leak."""
        bits = self.bits
        xatoms = frozenset(self.atoms[x])
        self.atom_set[x] = xatoms
        # Families inside x.
        if self.within(xatoms, frozenset(), x) & bits.bad:
            return x
        # Families with x inside the tree groups that hold it: exact.
        m = self.anchor_of[x] = self.anchor(self.atoms[x])
        if m >= 0:
            self.prepare_split(x, m)
            if not self.component_size_ok(x, m):
                return m  # too entangled to check exactly: not published
            memo: dict = {}
            v = m
            while v >= 0:
                if self.published[v] and self.leftovers(v, xatoms, memo) & bits.bad:
                    return v
                v = self.parent[v]
        # Families with x inside accepted crossing groups that hold it.
        holders = set()
        for a in xatoms:
            holders.update(self.accepted_at.get(a, ()))
        for y in sorted(holders):
            if xatoms.issubset(self.atom_set[y]):
                if self.within(self.atom_set[y], xatoms, y) & bits.bad:
                    return y
        return None
