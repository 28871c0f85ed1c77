"""View helpers that apply the rules in `permissions`: load an object, then allow or refuse."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from clinlead.accounts import permissions
from clinlead.org.models import Organisation, Person
from clinlead.validation import parse_id


def require(allowed: bool, why: str = ""):
    """Refuse (403) unless allowed; `why` is shown on the 403 page (which role the page needs)."""
    if not allowed:
        raise PermissionDenied(why)


def organisation_for(request, slug, rule):
    organisation = get_object_or_404(Organisation, slug=slug)
    allowed = rule(request.user, organisation)
    require(allowed, "" if allowed else permissions.refusal(rule, organisation))
    return organisation


def person_in(organisation, value):
    """The person whose id was posted, if they belong to `organisation`; None if nothing was
    posted. A malformed id, a missing person and another organisation's person all answer the
    same 404, so posting ids never reveals who works elsewhere."""
    if not str(value or "").strip():
        return None
    return get_object_or_404(Person, pk=parse_id(value) or 0, organisation=organisation)


def page_of(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def crumbs(*pairs):
    return [{"label": label, "href": href} for label, href in pairs]
