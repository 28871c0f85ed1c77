"""Demo logins: one persona per role, printed by `clinlead demo`.

Alice may (a leader), Bob on her team may see what staff see, Charlie (another trust) may not.
"""

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.org import demo_data as D
from clinlead.org.models import Appointment, Person, ReportingLine, UnitMembership

NAMES = {
    "alice": ("Alice", "Morgan"), "bob": ("Bob", "Okafor"), "charlie": ("Charlie", "Evans"),
    "tara": ("Tara", "Singh"), "erin": ("Erin", "Walker"), "aude": ("Aude", "Novak"),
    "sam": ("Sam", "Mensah"),
}
GRANTS = {"tara": Role.TALENT_ADMIN, "erin": Role.EXECUTIVE, "aude": Role.AUDITOR, "sam": Role.SPECIAL_CATEGORY}


def add_demo_data(*, world, generator):
    northgate = world.organisations["northgate"]
    cardiology_cd = Appointment.objects.held_on(world.today).filter(
        position__organisation=northgate, position__title="Clinical Director, Cardiology"
    ).order_by("-start").values_list("person_id", flat=True).first()
    team_members = [r for r in generator.rows if r.organisation_id == northgate.id
                    and r.unit_path.startswith("Medicine/Cardiology/") and r.leader_id != cardiology_cd]
    team_members.sort(key=lambda r: (r.profession != "nurse", r.id))
    riverside = world.organisations["riverside"]
    # Charlie is a ward nurse at another trust: no position, nobody reporting to him.
    holders = set(Appointment.objects.filter(position__organisation=riverside).values_list("person_id", flat=True))
    leading = set(world.leaders.values()) | {r.leader_id for r in generator.rows}
    charlie = min((r for r in generator.rows if r.organisation_id == riverside.id and r.profession == "nurse"
                   and r.id not in holders and r.id not in leading),
                  key=lambda r: (r.grade != "Band 5", r.id))
    office = northgate.demo_exec["office"]
    chosen = {
        "alice": cardiology_cd, "bob": team_members[0].id, "charlie": charlie.id,
        "tara": office[0].id, "erin": office[1].id, "aude": office[2].id, "sam": office[3].id,
    }
    for username, person_id in chosen.items():
        first, last = NAMES[username]
        Person.objects.filter(id=person_id).update(
            first_name=first, last_name=last, work_email=f"{username}@{'riverside' if username == 'charlie' else 'northgate'}.nhs.example"
        )
    Person.objects.filter(id__in=[chosen["bob"], chosen["charlie"]]).update(profession="nurse", grade="Band 5")
    # Alice leads Bob's team herself, so Bob (and his team) rate her in the leader index.
    bob_row = next(r for r in generator.rows if r.id == chosen["bob"])
    team = [r.id for r in generator.rows if r.unit_id == bob_row.unit_id and r.id != cardiology_cd]
    # A small demo still gives Alice a team big enough to report on: people from elsewhere in
    # Medicine join Bob's team.
    leads = set(world.leaders.values()) | {r.leader_id for r in generator.rows}
    movers = [r for r in generator.rows if r.organisation_id == northgate.id and r.unit_path.startswith("Medicine/")
              and r.id not in leads and r.id not in team]
    for row in movers[: max(0, 8 - len(team))]:
        UnitMembership.objects.filter(person_id=row.id, end__isnull=True).update(unit_id=bob_row.unit_id)
        row.unit_id, row.unit_path = bob_row.unit_id, bob_row.unit_path
        team.append(row.id)
    ReportingLine.objects.filter(person_id__in=team, end__isnull=True).update(leader_id=chosen["alice"])
    for row in generator.rows:
        if row.id in team:
            row.leader_id = chosen["alice"]
    for username, role, _ in D.PERSONAS:
        user = User(username=username, person_id=chosen.get(username), is_superuser=role == "superuser",
                    is_staff=role == "superuser", email=f"{username}@clinlead.example")
        user.set_password(D.DEMO_PASSWORD)
        user.save()
        if username in GRANTS:
            RoleGrant.objects.create(user=user, role=GRANTS[username], organisation=northgate)
        world.personas[username] = chosen.get(username)
