"""The demo organisation: a deterministic, seeded group of three trusts.

Rows are written with bulk inserts and keys assigned here, so a million staff take minutes.
The same generator writes an HR extract (`extract_rows`) for the import's example file and
its benchmark, so the documented format is always one the importer accepts.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Max

from clinlead.dates import add_years, term_end
from clinlead.discovery import app_modules
from clinlead.org import demo_data as D
from clinlead.org.models import (
    DEFAULT_LEVELS,
    Appointment,
    Organisation,
    PartnerRole,
    Person,
    Position,
    PositionLevel,
    ReportingLine,
    Site,
    Unit,
    UnitMembership,
)
from clinlead.org.special_category import Demographics

TRUST_SHARE = {"northgate": 0.40, "riverside": 0.25, "st-aidans": 0.35}
TEAM_SIZE = 25
BATCH = 5000


@dataclass
class PersonRow:
    id: int
    organisation_id: int
    staff_number: str
    first_name: str
    last_name: str
    work_email: str
    profession: str
    grade: str
    start_date: date
    unit_id: int
    unit_path: str
    site_code: str
    leader_id: int | None = None
    gender: str = "not_stated"
    ethnicity: str = "not_stated"


@dataclass
class DemoWorld:
    """What the generator made, for later features to build their own demo data on."""

    today: date
    seed: int
    organisations: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # (organisation slug, staff number) -> PersonRow
    personas: dict = field(default_factory=dict)  # username -> person id (or None)
    leaders: dict = field(default_factory=dict)  # unit id -> leader person id


class _Ids:
    """Hands out primary keys after the highest one stored, so bulk inserts need no read-back."""

    def __init__(self, model):
        self.next = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def take(self):
        value = self.next
        self.next += 1
        return value


class DemoGenerator:
    def __init__(self, *, staff: int, seed: int = 2026, today: date | None = None):
        self.staff = staff
        self.rng = random.Random(seed)
        self.world = DemoWorld(today=today or date.today(), seed=seed)
        self.units, self.positions, self.appointments, self.partners = [], [], [], []
        self.rows: list[PersonRow] = []

    # ---------------------------------------------------------------- structure
    def build(self):
        ids = {m: _Ids(m) for m in (Organisation, Site, Unit, Person, Position, PositionLevel, Appointment)}
        self.ids = ids
        for slug, name, sites in D.TRUSTS:
            self._build_trust(slug, name, sites, max(60, round(self.staff * TRUST_SHARE[slug])))
        return self

    def _build_trust(self, slug, name, sites, staff_n):
        org = Organisation(id=self.ids[Organisation].take(), name=name, slug=slug)
        self.world.organisations[slug] = org
        org_sites = [Site(id=self.ids[Site].take(), organisation_id=org.id, code=c, name=n) for c, n in sites]
        org.demo_sites = org_sites
        org.demo_levels = [
            PositionLevel(id=self.ids[PositionLevel].take(), organisation_id=org.id, name=n, rank=i + 1)
            for i, n in enumerate(DEFAULT_LEVELS)
        ]
        corporate = self._unit(org, None, "Corporate", Unit.Kind.DIVISION, org_sites[0])
        office = self._unit(org, corporate, "Executive Office", Unit.Kind.DEPARTMENT, org_sites[0])
        departments = []
        for division_name, department_names in D.DIVISIONS.items():
            division = self._unit(org, None, division_name, Unit.Kind.DIVISION, org_sites[0])
            for dept_name in department_names:
                departments.append((division, self._unit(org, division, dept_name, Unit.Kind.DEPARTMENT, None)))
        n_teams = max(len(departments), (staff_n - 40) // TEAM_SIZE)
        teams = defaultdict(list)
        for i in range(n_teams):
            division, dept = departments[i % len(departments)]
            k = len(teams[dept.id]) + 1
            site = org_sites[(i // len(departments)) % len(org_sites)]
            word = D.TEAM_WORDS[k % len(D.TEAM_WORDS)]
            teams[dept.id].append(self._unit(org, dept, f"{dept.name} {word} {k}", Unit.Kind.TEAM, site))
        # Executive office: leaders of the trust and their administrators.
        exec_people = [self._person(org, office, "manager", "Band 8a") for _ in range(12)]
        ceo, md, don = exec_people[0], self._person(org, office, "doctor", "Consultant"), self._person(org, office, "nurse", "Band 8a")
        md.leader_id = don.leader_id = ceo.id
        for p in exec_people[1:]:
            p.leader_id = ceo.id
        self._post(org, office, "Chief Executive", 6, ceo, key=True, sessions=(10, 0))
        self._post(org, office, "Medical Director", 5, md, key=True, sessions=(6, 4))
        self._post(org, office, "Director of Nursing", 5, don, key=True, sessions=(8, 2))
        org.demo_exec = {"ceo": ceo, "md": md, "don": don, "office": exec_people[1:]}
        division_leads = {}
        for division in {d.id: d for d, _ in departments}.values():
            dd = self._person(org, division, "doctor", "Consultant")
            gm = self._person(org, division, "manager", "Band 8a")
            dn = self._person(org, division, "nurse", "Band 8a")
            dd.leader_id, gm.leader_id, dn.leader_id = md.id, ceo.id, don.id
            pos = self._post(org, division, f"Divisional Director, {division.name}", 4, dd, key=True, sessions=(4, 6))
            self._partner(pos, gm, "administrator")
            self._partner(pos, dn, "nurse_leader")
            division_leads[division.id] = (dd, gm)
        staff_left = staff_n - len(self.rows_of(org))
        per_team = max(3, staff_left // max(1, n_teams))
        for index, (division, dept) in enumerate(departments):
            dd, gm = division_leads[division.id]
            cd = self._person(org, dept, "doctor", "Consultant")
            cd.leader_id = dd.id
            pos = self._post(org, dept, f"Clinical Director, {dept.name}", 3, cd, key=True, sessions=(3, 7))
            self.world.leaders[dept.id] = cd.id
            if index % 5 != 4:  # a few posts lack an administrator partner, so the flag shows
                sm = self._person(org, dept, "manager", "Band 7")
                sm.leader_id = gm.id
                self._partner(pos, sm, "administrator")
            if index % 2 == 0:
                hos = self._person(org, dept, "doctor", "Consultant")
                hos.leader_id = cd.id
                self._post(org, dept, f"Head of Specialty, {dept.name}", 2, hos, key=False, sessions=(2, 8))
            for t, team in enumerate(teams[dept.id]):
                members = [self._person(org, team) for _ in range(per_team)]
                lead = max(members, key=lambda p: (p.profession in {"nurse", "doctor", "ahp", "midwife"}, p.grade))
                lead.leader_id = cd.id
                for m in members:
                    if m is not lead:
                        # Doctors report to their clinical director; everyone else to the team lead.
                        m.leader_id = cd.id if m.profession == "doctor" else lead.id
                self.world.leaders[team.id] = lead.id
                if t % 2 == 0:
                    self._post(org, team, f"Team Lead, {team.name}", 1, lead, key=False, sessions=(2, 6))

    def rows_of(self, org):
        return [r for r in self.rows if r.organisation_id == org.id]

    def _unit(self, org, parent, name, kind, site):
        path = f"{parent.path}/{name}" if parent else name
        unit = Unit(id=self.ids[Unit].take(), organisation_id=org.id, parent_id=parent.id if parent else None,
                    name=name, kind=kind, path=path, depth=path.count("/"), site_id=site.id if site else None)
        unit.demo_site = site or (parent.demo_site if parent else None)
        self.units.append(unit)
        return unit

    def _person(self, org, unit, profession=None, grade=None):
        rng = self.rng
        if profession is None:
            profession, _, grades = rng.choices(D.PROFESSION_MIX, weights=[m[1] for m in D.PROFESSION_MIX])[0]
            grade = rng.choices([g for g, _ in grades], weights=[w for _, w in grades])[0]
        first, last = rng.choice(D.FIRST_NAMES), rng.choice(D.LAST_NAMES)
        pid = self.ids[Person].take()
        number = f"{org.slug[:2].upper()}{pid:07d}"
        row = PersonRow(
            id=pid, organisation_id=org.id, staff_number=number, first_name=first, last_name=last,
            work_email=f"{first}.{last}.{pid}@{org.slug}.nhs.example".lower().replace("'", ""),
            profession=profession, grade=grade,
            start_date=self.world.today - timedelta(days=rng.randint(30, 25 * 365)),
            unit_id=unit.id, unit_path=unit.path, site_code=unit.demo_site.code if unit.demo_site else "",
            gender=rng.choices([g for g, _ in D.GENDER_MIX], weights=[w for _, w in D.GENDER_MIX])[0],
            ethnicity=rng.choices([e for e, _ in D.ETHNICITY_MIX], weights=[w for _, w in D.ETHNICITY_MIX])[0],
        )
        self.rows.append(row)
        self.world.people[(org.slug, number)] = row
        return row

    def _post(self, org, unit, title, level_rank, holder, *, key, sessions):
        rng, today = self.rng, self.world.today
        level = org.demo_levels[level_rank - 1]
        position = Position(id=self.ids[Position].take(), organisation_id=org.id, title=title, unit_id=unit.id,
                            level_id=level.id, is_key=key)
        self.positions.append(position)
        term = rng.choices([1, 2], weights=[6, 4])[0]
        start = today - timedelta(days=rng.randint(20, 4 * 365 - 20))
        if term == 2:
            self.appointments.append(Appointment(
                id=self.ids[Appointment].take(), position_id=position.id, person_id=holder.id,
                start=add_years(start, -4), end=start - timedelta(days=1), term_number=1,
                management_sessions=sessions[0], clinical_sessions=sessions[1]))
        clinical = 0 if rng.random() < 0.06 else sessions[1]
        self.appointments.append(Appointment(
            id=self.ids[Appointment].take(), position_id=position.id, person_id=holder.id,
            start=start, end=term_end(start, 4), term_number=term,
            management_sessions=sessions[0], clinical_sessions=clinical))
        return position

    def _partner(self, position, person, role):
        start = self.world.today - timedelta(days=self.rng.randint(30, 6 * 365))
        self.partners.append(PartnerRole(position_id=position.id, person_id=person.id, role=role, start=start))

    # ---------------------------------------------------------------- writing
    def write(self, progress=None):
        orgs = list(self.world.organisations.values())
        Organisation.objects.bulk_create(orgs)
        Site.objects.bulk_create([s for o in orgs for s in o.demo_sites])
        PositionLevel.objects.bulk_create([lv for o in orgs for lv in o.demo_levels])
        Unit.objects.bulk_create(sorted(self.units, key=lambda u: u.depth), batch_size=BATCH)
        tick = progress or (lambda n: None)
        for chunk in _chunks(self.rows):
            Person.objects.bulk_create([
                Person(id=r.id, organisation_id=r.organisation_id, staff_number=r.staff_number,
                       first_name=r.first_name, last_name=r.last_name, work_email=r.work_email,
                       profession=r.profession, grade=r.grade, start_date=r.start_date)
                for r in chunk])
            tick(len(chunk))
        for chunk in _chunks(self.rows):
            UnitMembership.objects.bulk_create(
                [UnitMembership(person_id=r.id, unit_id=r.unit_id, start=r.start_date) for r in chunk])
            ReportingLine.objects.bulk_create(
                [ReportingLine(person_id=r.id, leader_id=r.leader_id, start=r.start_date)
                 for r in chunk if r.leader_id])
            Demographics.objects.bulk_create(
                [Demographics(person_id=r.id, gender=r.gender, ethnicity=r.ethnicity) for r in chunk])
        Position.objects.bulk_create(self.positions, batch_size=BATCH)
        Appointment.objects.bulk_create(self.appointments, batch_size=BATCH)
        PartnerRole.objects.bulk_create(self.partners, batch_size=BATCH)
        _reset_sequences([Organisation, Site, Unit, Person, Position, PositionLevel, Appointment])
        return self.world

    def extract_rows(self):
        """The generated staff as HR extract rows (see docs/hr-import.md)."""
        by_id = {r.id: r for r in self.rows}
        slug_of = {o.id: s for s, o in self.world.organisations.items()}
        for r in self.rows:
            yield {
                "organisation": slug_of[r.organisation_id], "staff_number": r.staff_number,
                "first_name": r.first_name, "last_name": r.last_name, "work_email": r.work_email,
                "profession": r.profession, "grade": r.grade, "start_date": r.start_date.isoformat(),
                "site": r.site_code, "unit_path": r.unit_path,
                "leader_staff_number": by_id[r.leader_id].staff_number if r.leader_id else "",
                "gender": r.gender, "ethnicity": r.ethnicity,
            }


def add_feature_demo_data(*, world, generator):
    """Let every other app add its demo data (its `demo.add_demo_data`), in INSTALLED_APPS order."""
    for module in app_modules("demo", exclude={"clinlead.org"}):
        module.add_demo_data(world=world, generator=generator)


def _chunks(items, size=BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _reset_sequences(models):
    # Keys were set by hand; PostgreSQL's sequences must move past them.
    statements = connection.ops.sequence_reset_sql(_NoStyle(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text
