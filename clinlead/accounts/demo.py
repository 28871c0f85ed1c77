"""Demo logins: one persona per role, printed by `clinlead demo`.

Alice may (a leader), Bob on her team may see what staff see, Charlie (another trust) may not.
"""

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.org import demo_data as D
from clinlead.org.models import Appointment, Person, ReportingLine

NAMES = {
    "alice": ("Alice", "Morgan"), "bob": ("Bob", "Okafor"), "charlie": ("Charlie", "Evans"),
    "tara": ("Tara", "Singh"), "erin": ("Erin", "Walker"), "aude": ("Aude", "Novak"),
    "sam": ("Sam", "Mensah"),
}
GRANTS = {"tara": Role.TALENT_ADMIN, "erin": Role.EXECUTIVE, "aude": Role.AUDITOR, "sam": Role.SPECIAL_CATEGORY}


def add_demo_data(*, world, generator):
    northgate = world.organisations["northgate"]
    cardiology_cd = Appointment.objects.filter(
        position__organisation=northgate, position__title="Clinical Director, Cardiology", ended_on__isnull=True
    ).order_by("-start").values_list("person_id", flat=True).first()
    team_members = [r for r in generator.rows if r.organisation_id == northgate.id
                    and r.unit_path.startswith("Medicine/Cardiology/") and r.leader_id != cardiology_cd]
    team_members.sort(key=lambda r: (r.profession != "nurse", r.id))
    riverside = world.organisations["riverside"]
    charlie = next(r for r in generator.rows if r.organisation_id == riverside.id and r.profession == "nurse")
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
    Person.objects.filter(id=chosen["bob"]).update(profession="nurse", grade="Band 5")
    # Bob reports to Alice, so he rates her in the leader index.
    ReportingLine.objects.filter(person_id=chosen["bob"], end__isnull=True).update(leader_id=chosen["alice"])
    for username, role, _ in D.PERSONAS:
        user = User(username=username, person_id=chosen.get(username), is_superuser=role == "superuser",
                    is_staff=role == "superuser", email=f"{username}@clinlead.example")
        user.set_password(D.DEMO_PASSWORD)
        user.save()
        if username in GRANTS:
            RoleGrant.objects.create(user=user, role=GRANTS[username], organisation=northgate)
        world.personas[username] = chosen.get(username)
