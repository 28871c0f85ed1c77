"""Importing an HR extract: one named action, all or nothing.

The whole file is checked first; if any row is bad nothing is written. A file is a partial
update unless the importer says it is a full extract; a full extract marks people who are
missing from it inactive (never deleted), and when that is many people, a key-position holder or
the importer it needs the count confirmed (clinlead.org.hr_guard). What each applied import
changed is kept (`HrImport`) so that it can be reversed (clinlead.org.hr_reversal). Unit membership and reporting lines
are effective-dated: a change closes the old row the day before the effective date and opens
a new one, so earlier snapshots (survey cycles, ballots) keep what was true then.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.hr_format import HrExtract, HrFileError, Problem, parse_extract, read_rows
from clinlead.org.hr_guard import LeaverCheck, check_leavers, require_confirmation
from clinlead.org.models import (
    HrImport,
    Organisation,
    Person,
    ReportingLine,
    Site,
    Unit,
    UnitMembership,
)
from clinlead.org.signals import people_left
from clinlead.org.special_category import Demographics

BATCH = 2000
PERSON_FIELDS = ["first_name", "last_name", "work_email", "profession", "grade", "start_date"]
UNIT_KIND_BY_DEPTH = {0: Unit.Kind.DIVISION, 1: Unit.Kind.DEPARTMENT, 2: Unit.Kind.TEAM}


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    units_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    leaver_check: LeaverCheck = field(default_factory=LeaverCheck)
    imports: list[HrImport] = field(default_factory=list)

    @property
    def ok(self):
        return self.total_problems == 0

    def counts(self):
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
            "units_created": self.units_created,
        }


def import_hr_extract(
    *, actor, content: bytes, filename: str, dry_run: bool, full_extract: bool = False,
    effective: date | None = None, progress=None, allowed_organisations: set[str] | None = None,
    confirm_leavers: int | None = None, actor_label: str | None = None,
) -> ImportResult:
    """Check and (unless dry_run) apply an HR extract. Returns counts or the problems found.

    `allowed_organisations` limits the rows to organisations the uploader acts for.
    `confirm_leavers` is the number of leavers the importer confirmed; a guarded full extract
    (see clinlead.org.hr_guard) is applied only when it equals the number the file would mark as
    left now, and raises LeaversNotConfirmed otherwise.
    `actor_label` names an actor who is not a person in the audit trail (an API token).
    """
    effective = effective or date.today()
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    if allowed_organisations is not None:
        slugs &= set(allowed_organisations)
    rows = read_rows(content=content, filename=filename)
    if progress is not None:
        rows = progress(rows)
    extract = parse_extract(rows, known_organisations=slugs, today=effective)
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in={r.organisation for r in extract.rows})}
    plans = {slug: _Plan(org, effective) for slug, org in organisations.items()}
    by_org = defaultdict(list)
    for row in extract.rows:
        by_org[row.organisation].append(row)
    for slug, org_rows in by_org.items():
        plans[slug].load(org_rows, full_extract)
        plans[slug].check(extract)
    result = ImportResult(dry_run=dry_run, rows=len(extract.rows) + extract.total_problems)
    if extract.ok:
        for plan in plans.values():
            plan.diff()
            for problem in plan.backdated_changes():
                extract.add_problem(problem)
    if not extract.ok:
        result.problems = sorted(extract.problems, key=lambda p: (p.row, p.column))
        result.total_problems = extract.total_problems
        return result
    for plan in plans.values():
        result.created += len(plan.new_rows)
        result.updated += len(plan.changed)
        result.deactivated += len(plan.to_deactivate)
        result.unchanged += plan.unchanged
        result.units_created += len(plan.missing_units)
    result.leaver_check = check_leavers(plans.values(), actor=actor, effective=effective)
    if dry_run:
        return result
    require_confirmation(result.leaver_check, count=result.deactivated, confirmed=confirm_leavers)
    with actions.atomic():
        for plan in plans.values():
            plan.apply()
            result.imports.append(HrImport.objects.create(
                organisation=plan.org, applied_by=actor if getattr(actor, "pk", None) else None,
                applied_by_label=(actor_label or "")[:200], applied_at=timezone.now(), filename=filename[:200], full_extract=full_extract,
                effective=effective, counts=plan.counts(), journal=plan.journal))
        audit.record(
            actor=actor,
            action="hr.extract_imported", label=actor_label,
            organisation=next(iter(organisations.values())) if len(organisations) == 1 else None,
            after={"file": filename[:200], "full_extract": full_extract, "effective": effective.isoformat(),
                   "organisations": sorted(organisations), "imports": [i.pk for i in result.imports],
                   "leavers_confirmed": confirm_leavers if result.leaver_check.needs_confirmation else None,
                   **result.counts()},
        )
    return result


class _Plan:
    """What one organisation's part of the extract changes."""

    def __init__(self, organisation, effective):
        self.org = organisation
        self.effective = effective
        self.closing_day = effective - timedelta(days=1)
        # What apply() changed, for a reversal (ids and ordinary fields only; see HrImport).
        self.journal = empty_journal()

    def counts(self):
        return {"created": len(self.new_rows), "updated": len(self.changed), "deactivated": len(self.to_deactivate),
                "unchanged": self.unchanged, "units_created": len(self.missing_units)}

    def load(self, rows, full_extract):
        self.rows = rows
        self.full_extract = full_extract
        self.people = {
            p["staff_number"]: p
            for p in Person.objects.filter(organisation=self.org).values("id", "staff_number", "active", *PERSON_FIELDS)
        }
        self.membership = dict(
            UnitMembership.objects.filter(person__organisation=self.org, end__isnull=True).values_list("person_id", "unit_id")
        )
        self.reporting = dict(
            ReportingLine.objects.filter(person__organisation=self.org, end__isnull=True).values_list("person_id", "leader_id")
        )
        self.units = dict(Unit.objects.filter(organisation=self.org).values_list("path", "id"))
        self.sites = dict(Site.objects.filter(organisation=self.org).values_list("code", "id"))
        self.demographics = {
            pid: (g, e)
            for pid, g, e in Demographics.objects.filter(person__organisation=self.org).values_list("person_id", "gender", "ethnicity")
        }

    def check(self, extract: HrExtract):
        in_file = {r.staff_number for r in self.rows} | {s for o, s in extract.refused if o == self.org.slug}
        active_in_db = {s for s, p in self.people.items() if p["active"]}
        # In a full extract every leader must be in the file; otherwise an active person will do.
        known_leaders = in_file if self.full_extract else in_file | active_in_db
        leader_of = {}
        for row in self.rows:
            if row.leader_staff_number:
                if row.leader_staff_number not in known_leaders:
                    extract.add_problem(Problem(row.row, "leader_staff_number", row.leader_staff_number,
                                                "is not a person in this extract" if self.full_extract
                                                else "is not an active person in this organisation"))
                else:
                    leader_of[row.staff_number] = row.leader_staff_number
        row_of = {r.staff_number: r.row for r in self.rows}
        for start in sorted(leader_of, key=lambda s: row_of[s]):
            seen, current = [], start
            while current in leader_of and current not in seen:
                seen.append(current)
                current = leader_of[current]
            if current == start:
                loop = " → ".join([*seen, start])
                extract.add_problem(Problem(row_of[start], "leader_staff_number", leader_of[start],
                                            f"reporting lines form a loop: {loop}"))

    def diff(self):
        self.new_rows, self.changed, self.unchanged = [], [], 0
        needed_units = set()
        for row in self.rows:
            parts = row.unit_path.split("/")
            needed_units.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        self.missing_units = sorted(needed_units - set(self.units), key=lambda p: (p.count("/"), p))
        for row in self.rows:
            existing = self.people.get(row.staff_number)
            if existing is None:
                self.new_rows.append(row)
            elif self._differs(row, existing):
                self.changed.append((row, existing))
            else:
                self.unchanged += 1
        in_file = {r.staff_number for r in self.rows}
        self.to_deactivate = (
            [p["id"] for s, p in self.people.items() if p["active"] and s not in in_file]
            if self.full_extract else []
        )

    def backdated_changes(self):
        """A change dated before a person's current unit or leader began would have to erase that
        row; history is never erased, so such rows are problems (use a later --effective)."""
        moving = {e["id"]: r for r, e in self.changed}
        leavers = set(self.to_deactivate)
        later = set()
        for model in (UnitMembership, ReportingLine):
            later |= set(model.objects.filter(person_id__in=set(moving) | leavers, end__isnull=True,
                                              start__gt=self.effective).values_list("person_id", flat=True))
        for pid in sorted(later & set(moving), key=lambda p: moving[p].row):
            yield Problem(moving[pid].row, "staff_number", moving[pid].staff_number,
                          f"a change on {self.effective} would come before this person's current unit or "
                          "leader began; give a later effective date")
        if later & leavers:
            raise HrFileError(
                f"{len(later & leavers)} people missing from this extract moved unit or leader after "
                f"{self.effective}; marking them as left on that date would erase that. Use a later effective date.")

    def _differs(self, row, existing):
        if not existing["active"]:
            return True
        if any(getattr(row, f) != (existing[f] if existing[f] is not None else ("" if f != "start_date" else None))
               for f in PERSON_FIELDS):
            return True
        pid = existing["id"]
        if self.membership.get(pid) != self.units.get(row.unit_path):
            return True
        leader = self.people.get(row.leader_staff_number, {}).get("id") if row.leader_staff_number else None
        if self.reporting.get(pid) != leader:
            return True
        return self._demographics_change(pid, row) is not None

    def _demographics_change(self, pid, row):
        if not (row.gender or row.ethnicity):
            return None
        current = self.demographics.get(pid)
        wanted = (row.gender or (current[0] if current else "not_stated"),
                  row.ethnicity or (current[1] if current else "not_stated"))
        return None if current == wanted else wanted

    def apply(self):
        self._create_sites_and_units()
        new_people = [
            Person(organisation=self.org, staff_number=r.staff_number, active=True,
                   **{f: getattr(r, f) for f in PERSON_FIELDS})
            for r in self.new_rows
        ]
        Person.objects.bulk_create(new_people, batch_size=BATCH)
        ids = dict(Person.objects.filter(organisation=self.org).values_list("staff_number", "id"))
        self.journal["created"] = [ids[r.staff_number] for r in self.new_rows]
        updates = []
        for row, existing in self.changed:
            person = Person(id=existing["id"], active=True, **{f: getattr(row, f) for f in PERSON_FIELDS})
            updates.append(person)
            self.journal["updated"].append([
                existing["id"], _plain({f: existing[f] for f in ["active", *PERSON_FIELDS]}),
                _plain({"active": True, **{f: getattr(row, f) for f in PERSON_FIELDS}})])
        Person.objects.bulk_update(updates, ["active", *PERSON_FIELDS], batch_size=BATCH)
        touched = [(r, ids[r.staff_number]) for r in self.new_rows] + [(r, e["id"]) for r, e in self.changed]
        self._move_memberships(touched)
        self._move_reporting_lines(touched, ids)
        self._write_demographics(touched)
        self._deactivate()

    def _create_sites_and_units(self):
        for code in sorted({r.site for r in self.rows if r.site} - set(self.sites)):
            self.sites[code] = Site.objects.create(organisation=self.org, code=code, name=code).id
            self.journal["sites_created"].append(self.sites[code])
        site_of_leaf = {}
        for row in self.rows:
            if row.site:
                site_of_leaf.setdefault(row.unit_path, self.sites[row.site])
        for path in self.missing_units:
            parent_path, _, name = path.rpartition("/")
            depth = path.count("/")
            unit = Unit.objects.create(
                organisation=self.org, parent_id=self.units.get(parent_path) if parent_path else None,
                name=name, path=path, depth=depth, site_id=site_of_leaf.get(path),
                kind=UNIT_KIND_BY_DEPTH.get(depth, Unit.Kind.OTHER),
            )
            self.units[path] = unit.id
            self.journal["units_created"].append(unit.id)

    def _close(self, model, person_ids):
        """End the rows in force for these people; a row opened on the effective day itself is
        replaced (a same-day correction). Later rows were refused by backdated_changes."""
        current = model.objects.filter(person_id__in=person_ids, end__isnull=True)
        kind, value = _JOURNAL_KIND[model]
        self.journal["replaced"][kind] += [
            [pid, other, start.isoformat()]
            for pid, other, start in current.filter(start=self.effective).values_list("person_id", value, "start")]
        self.journal["closed"][kind] += [list(r) for r in current.filter(start__lt=self.effective)
                                         .values_list("id", "person_id")]
        current.filter(start=self.effective).delete()
        current.filter(start__lt=self.effective).update(end=self.closing_day)

    def _move_memberships(self, touched):
        moving = [(r, pid) for r, pid in touched if self.membership.get(pid) != self.units[r.unit_path]]
        for chunk in _chunks([pid for _, pid in moving]):
            self._close(UnitMembership, chunk)
        created = UnitMembership.objects.bulk_create(
            [UnitMembership(person_id=pid, unit_id=self.units[r.unit_path], start=self._start(r, pid))
             for r, pid in moving],
            batch_size=BATCH,
        )
        self.journal["opened"]["membership"] += [[m.pk, m.person_id] for m in created]

    def _move_reporting_lines(self, touched, ids):
        moving = []
        for r, pid in touched:
            leader = ids[r.leader_staff_number] if r.leader_staff_number else None
            if self.reporting.get(pid) != leader:
                moving.append((r, pid, leader))
        for chunk in _chunks([pid for _, pid, _ in moving]):
            self._close(ReportingLine, chunk)
        created = ReportingLine.objects.bulk_create(
            [ReportingLine(person_id=pid, leader_id=leader, start=self._start(r, pid))
             for r, pid, leader in moving if leader is not None],
            batch_size=BATCH,
        )
        self.journal["opened"]["reporting"] += [[line.pk, line.person_id] for line in created]

    def _start(self, row, pid):
        # A new starter's first rows begin on their start date, not on the day of the import.
        if pid not in self.membership and row.start_date and row.start_date <= self.effective:
            return row.start_date
        return self.effective

    def _write_demographics(self, touched):
        records = []
        for r, pid in touched:
            wanted = self._demographics_change(pid, r)
            if wanted is not None:
                records.append(Demographics(person_id=pid, gender=wanted[0], ethnicity=wanted[1]))
        self.journal["demographics_changed"] = len(records)
        Demographics.objects.bulk_create(
            records, batch_size=BATCH, update_conflicts=True,
            unique_fields=["person"], update_fields=["gender", "ethnicity"],
        )

    def _deactivate(self):
        self.journal["left"] = list(self.to_deactivate)
        for chunk in _chunks(self.to_deactivate):
            Person.objects.filter(id__in=chunk).update(active=False)
            # A leaver's login ends with their employment: accounts receives this and returns the
            # logins it ended, kept for a reversal (the login backend also checks).
            for _receiver, ended in people_left.send(sender=Person, person_ids=chunk):
                self.journal["logins_ended"] += ended or []
            self._close(UnitMembership, chunk)
            self._close(ReportingLine, chunk)


def empty_journal():
    return {
        "created": [], "updated": [], "left": [], "logins_ended": [], "units_created": [],
        "sites_created": [], "demographics_changed": 0,
        **{kind: {"membership": [], "reporting": []} for kind in ("closed", "replaced", "opened")},
    }


_JOURNAL_KIND = {UnitMembership: ("membership", "unit_id"), ReportingLine: ("reporting", "leader_id")}


def _plain(values):
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _chunks(items, size=BATCH):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]
