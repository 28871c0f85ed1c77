"""View helpers that apply the rules in `permissions`: load an object, then allow or refuse."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from clinlead.org.models import Organisation


def require(allowed: bool):
    if not allowed:
        raise PermissionDenied


def organisation_for(request, slug, rule):
    organisation = get_object_or_404(Organisation, slug=slug)
    require(rule(request.user, organisation))
    return organisation


def page_of(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def crumbs(*pairs):
    return [{"label": label, "href": href} for label, href in pairs]
