"""The organisation browser: units, people and positions. Views only read (see selectors)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for, page_of, require
from clinlead.exports import xlsx_response
from clinlead.org import selectors
from clinlead.org.models import Person, Position, PositionLevel, Unit
from clinlead.validation import parse_id


def _org_crumbs(org, *more):
    return crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()), *more)


@login_required
def organisations(request):
    visible = list(permissions.visible_organisations(request.user))
    if len(visible) == 1:
        return redirect(visible[0])
    return render(request, "org/organisations.html", {"organisations": visible,
                                                      "breadcrumbs": crumbs(("Home", reverse("home")))})


@login_required
def organisation(request, slug):
    org = organisation_for(request, slug, permissions.can_view_organisation)
    today = date.today()
    units = list(selectors.top_units(organisation=org, depth_limit=1))
    counts = {**selectors.staff_count_by_unit(organisation=org, day=today, depth=0),
              **selectors.staff_count_by_unit(organisation=org, day=today, depth=1)}
    for unit in units:
        unit.staff = counts.get(unit.path, 0)
    context = {
        "org": org,
        "units": units,
        "sites": org.sites.annotate(n_units=Count("unit")),
        "staff": Person.objects.filter(organisation=org, active=True).count(),
        "positions": Position.objects.filter(organisation=org, active=True).count(),
        "key_positions": selectors.key_positions(organisation=org).count(),
        "breadcrumbs": crumbs(("Home", reverse("home"))),
    }
    return render(request, "org/organisation.html", context)


@login_required
def unit(request, pk):
    unit = get_object_or_404(Unit.objects.select_related("organisation", "parent", "site"), pk=pk)
    require(permissions.can_view_organisation(request.user, unit.organisation))
    today = date.today()
    positions = [selectors.decorate_position(p) for p in
                 selectors.positions_with_holders(queryset=unit.positions.filter(active=True), day=today)]
    children = list(unit.children.all())
    counts = selectors.staff_count_by_unit(organisation=unit.organisation, day=today, depth=unit.depth + 1)
    for child in children:
        child.staff = counts.get(child.path, 0)
    org = unit.organisation
    context = {
        "unit": unit,
        "children": children,
        "positions": positions,
        "members": page_of(request, selectors.unit_members(unit=unit, day=today)),
        "breadcrumbs": _org_crumbs(org, *((a.name, a.get_absolute_url()) for a in unit.ancestors())),
    }
    return render(request, "org/unit.html", context)


@login_required
def person(request, pk):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    require(permissions.can_view_person(request.user, person))
    today = date.today()
    context = {
        "person": person,
        "profile": selectors.person_summary(person=person, day=today),
        "reports": selectors.direct_reports(person=person, day=today)[:100],
        "breadcrumbs": _org_crumbs(person.organisation,
                                   ("People", reverse("org:people", kwargs={"slug": person.organisation.slug}))),
    }
    return render(request, "org/person.html", context)


@login_required
def people(request, slug):
    org = organisation_for(request, slug, permissions.can_view_organisation)
    query = request.GET.get("q", "").strip()[:100]
    results = page_of(request, selectors.search_people(organisation=org, query=query)) if query else None
    return render(request, "org/people.html", {"org": org, "query": query, "results": results,
                                               "breadcrumbs": _org_crumbs(org)})


@login_required
def positions(request, slug):
    org = organisation_for(request, slug, permissions.can_view_organisation)
    today = date.today()
    filters = _register_filters(request)
    page = page_of(request, selectors.positions_register(organisation=org, day=today, **filters))
    for position in page:
        selectors.decorate_position(position)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": org, "page": page, "levels": PositionLevel.objects.filter(organisation=org),
        "level": request.GET.get("level", ""), "key_only": filters["key_only"], "q": filters["query"],
        "sort": filters["sort"], "sorts": [(key, label) for key, (label, _) in selectors.REGISTER_SORTS.items()],
        "export_query": query.urlencode(), "today": today, "breadcrumbs": _org_crumbs(org),
    }
    return render(request, "org/positions.html", context)


@login_required
def positions_xlsx(request, slug):
    """The register as the page shows it (same search, filters and order), every row, in Excel."""
    org = organisation_for(request, slug, permissions.can_view_organisation)
    positions = selectors.positions_register(organisation=org, day=date.today(), **_register_filters(request))
    return xlsx_response(sheets={"Positions": selectors.register_rows(positions)},
                         filename=f"clinlead-positions-{org.slug}.xlsx")


def _register_filters(request):
    sort = request.GET.get("sort", "level")
    return {"query": request.GET.get("q", "").strip()[:100], "level_id": parse_id(request.GET.get("level", "")),
            "key_only": request.GET.get("key") == "1",
            "sort": sort if sort in selectors.REGISTER_SORTS else "level"}


@login_required
def position(request, pk):
    position = get_object_or_404(Position.objects.select_related("organisation", "unit", "level"), pk=pk)
    require(permissions.can_view_organisation(request.user, position.organisation))
    today = date.today()
    current = selectors.decorate_position(
        selectors.positions_with_holders(queryset=Position.objects.filter(pk=pk), day=today)[0])
    context = {
        "position": current,
        "history": position.appointments.select_related("person").order_by("-start"),
        "partners": position.partners.select_related("person").order_by("role", "-start"),
        "breadcrumbs": _org_crumbs(position.organisation,
                                   ("Positions", reverse("org:positions", kwargs={"slug": position.organisation.slug}))),
    }
    return render(request, "org/position.html", context)
