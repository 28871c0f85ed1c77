"""The header menu, by role: each person sees the places they may go."""

from dataclasses import dataclass

from django.urls import reverse

from clinlead.accounts import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool = False


def navigation_for(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = [("Home", reverse("home"))]
    organisations = list(permissions.visible_organisations(user)[:2])
    if len(organisations) == 1:
        org = organisations[0]
        items.append(("Organisation", org.get_absolute_url()))
        items.append(("Positions", reverse("org:positions", kwargs={"slug": org.slug})))
        if permissions.can_import_hr(user, org):
            items.append(("HR import", reverse("org:import_hr", kwargs={"slug": org.slug})))
        if permissions.can_see_special_category(user, org):
            items.append(("Workforce diversity", reverse("org:diversity", kwargs={"slug": org.slug})))
        if permissions.can_view_audit(user, org):
            items.append(("Audit log", reverse("audit:log", kwargs={"slug": org.slug})))
    elif organisations:
        items.append(("Organisations", reverse("org:organisations")))
    path = request.path
    return [NavItem(label, href, current=(href == path or (href != "/" and path.startswith(href))))
            for label, href in items]
