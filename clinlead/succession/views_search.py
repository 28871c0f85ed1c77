"""Talent search and the 9-box, for the talent admins of one organisation."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for
from clinlead.succession.forms import TalentSearchForm
from clinlead.succession.nine_box import nine_box
from clinlead.succession.search import Filters, decorate_results, talent_search
from clinlead.succession.views_monitor import drill_down_choices, scope_from_request


@login_required
def talent_search_page(request, slug):
    org = organisation_for(request, slug, permissions.can_search_talent)
    form = TalentSearchForm(request.GET or None, organisation=org)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = Filters(profession=data["profession"], unit=data["unit"], readiness=data["readiness"],
                          level=data["level"], leader_index_band=data["leader_index_band"],
                          progress_band=data.get("progress_band", ""))
        results = talent_search(organisation=org, filters=filters)
        page = Paginator(results, 50).get_page(request.GET.get("page"))
        decorate_results(page)
    return render(request, "succession/search.html", {
        "org": org, "form": form, "page": page, "band_min_responses": settings.CLINLEAD_BAND_MIN_RESPONSES,
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()),
                              ("Succession monitor", reverse("succession:monitor", kwargs={"slug": org.slug}))),
    })


@login_required
def nine_box_page(request, slug):
    """Who is in the pools, by leader-index band against readiness. The talent search's data
    (candidates' leader index), so the talent search's readers."""
    org = organisation_for(request, slug, permissions.can_search_talent)
    scope = scope_from_request(request, org)
    return render(request, "succession/nine_box.html", {
        "org": org, "scope": scope, "grid": nine_box(organisation=org, division=scope.division),
        "band_min_responses": settings.CLINLEAD_BAND_MIN_RESPONSES, **drill_down_choices(org),
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url()),
                              ("Succession monitor", reverse("succession:monitor", kwargs={"slug": org.slug}))),
    })
