"""The example HR file offered on an organisation's import page: that organisation's own staff in
post, as an extract. Imported unchanged it changes nothing, so it is a safe starting point, and
it shows the staff numbers and unit paths the organisation really uses.

Gender and ethnicity are left empty (an empty cell keeps what is stored): the example is for the
talent admin, who is not entitled to special-category values. An organisation with nobody yet
gets rows made by the demo generator, with its own slug.
"""

from clinlead.org.models import Person, ReportingLine, UnitMembership


def example_rows(organisation):
    people = list(Person.objects.filter(organisation=organisation, active=True)
                  .order_by("staff_number").values("id", "staff_number", "first_name", "last_name",
                                                   "work_email", "profession", "grade", "start_date"))
    if not people:
        return _generated_rows(organisation)
    number = {p["id"]: p["staff_number"] for p in people}
    units = dict(UnitMembership.objects.filter(person__organisation=organisation, person__active=True,
                                               end__isnull=True)
                 .values_list("person_id", "unit__path"))
    sites = dict(UnitMembership.objects.filter(person__organisation=organisation, person__active=True,
                                               end__isnull=True, unit__site__isnull=False)
                 .values_list("person_id", "unit__site__code"))
    leaders = dict(ReportingLine.objects.filter(person__organisation=organisation, person__active=True,
                                                end__isnull=True).values_list("person_id", "leader_id"))
    return [{
        "organisation": organisation.slug, "staff_number": p["staff_number"], "first_name": p["first_name"],
        "last_name": p["last_name"], "work_email": p["work_email"], "profession": p["profession"],
        "grade": p["grade"], "start_date": p["start_date"].isoformat() if p["start_date"] else "",
        "site": sites.get(p["id"], ""), "unit_path": units[p["id"]],
        # A leader no longer in post is left out: the file must name only people in it.
        "leader_staff_number": number.get(leaders.get(p["id"]), ""), "gender": "", "ethnicity": "",
    } for p in people if p["id"] in units]


def _generated_rows(organisation):
    from clinlead.org.demo import DemoGenerator

    # One generated trust, whole, so every leader named in it is in it too.
    generated = DemoGenerator(staff=200, seed=7).build().extract_rows()
    return [dict(r, organisation=organisation.slug) for r in generated if r["organisation"] == "northgate"]
