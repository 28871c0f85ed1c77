"""The header menu and the home page's cards, by role.

Each domain app may add its own in `clinlead/<app>/navigation.py`:
`nav_items(user, organisation) -> [(label, href)]` and
`home_cards(user, organisation) -> [(title, href, description)]`.
"""

from dataclasses import dataclass
from functools import cache

from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool = False


@cache
def _app_modules():
    # This module gathers the others: it is not one of them.
    return app_modules("navigation", exclude={"clinlead.accounts"})


def _core_items(user, org):
    items = [("Organisation", org.get_absolute_url()),
             ("Positions", reverse("org:positions", kwargs={"slug": org.slug}))]
    if permissions.can_import_hr(user, org):
        items.append(("HR import", reverse("org:import_hr", kwargs={"slug": org.slug})))
    if permissions.can_see_special_category(user, org):
        items.append(("Workforce diversity", reverse("org:diversity", kwargs={"slug": org.slug})))
    if permissions.can_view_audit(user, org):
        items.append(("Audit log", reverse("audit:log", kwargs={"slug": org.slug})))
    if permissions.can_manage_roles(user, org):
        items.append(("Roles", reverse("accounts:roles", kwargs={"slug": org.slug})))
    return items


def navigation_for(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = [("Home", reverse("home"))]
    organisations = list(permissions.visible_organisations(user)[:2])
    if len(organisations) == 1:
        org = organisations[0]
        items += _core_items(user, org)
        for module in _app_modules():
            if hasattr(module, "nav_items"):
                items += module.nav_items(user, org)
    elif organisations:
        items.append(("Organisations", reverse("org:organisations")))
    # Exactly one item is the current page: the longest whose address starts this page's.
    path = request.path
    matches = [href for _, href in items if href == path or (href != "/" and path.startswith(href))]
    current = max(matches, key=len) if matches else None
    return [NavItem(label, href, current=href == current) for label, href in items]


def home_cards(user, org):
    """Cards for the home page: what this person can do at this organisation."""
    cards = [(org.name, org.get_absolute_url(), "Units, people, positions and their holders, terms and partners.")]
    if permissions.can_import_hr(user, org):
        cards.append((f"HR import for {org.name}", reverse("org:import_hr", kwargs={"slug": org.slug}),
                      "Load a staff extract; every problem is shown before anything is written."))
    if permissions.can_see_special_category(user, org):
        cards.append((f"Workforce diversity at {org.name}", reverse("org:diversity", kwargs={"slug": org.slug}),
                      "Gender and ethnicity, in groups large enough to keep people anonymous."))
    if permissions.can_view_audit(user, org):
        cards.append((f"Audit log of {org.name}", reverse("audit:log", kwargs={"slug": org.slug}),
                      "Every change, who made it and when."))
    if permissions.can_manage_roles(user, org):
        cards.append((f"Roles at {org.name}", reverse("accounts:roles", kwargs={"slug": org.slug}),
                      "Give and take away the talent admin, executive, auditor and other roles."))
    for module in _app_modules():
        if hasattr(module, "home_cards"):
            cards += module.home_cards(user, org)
    return cards
