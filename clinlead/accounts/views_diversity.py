from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.access import crumbs, organisation_for
from clinlead.org.diversity import workforce_diversity


@login_required
def diversity(request, slug):
    org = organisation_for(request, slug, permissions.can_see_special_category)
    return render(request, "org/diversity.html", {
        "org": org,
        "tables": workforce_diversity(organisation=org, day=date.today()),
        "breadcrumbs": crumbs(("Home", reverse("home")), (org.name, org.get_absolute_url())),
    })
