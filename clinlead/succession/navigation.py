"""Succession in the header menu and on the home page, by role."""

from django.urls import reverse

from clinlead.accounts import permissions


def nav_items(user, organisation):
    items = []
    if permissions.can_view_succession_monitor(user, organisation):
        items.append(("Succession", reverse("succession:monitor", kwargs={"slug": organisation.slug})))
    elif permissions.can_use_my_successors(user):
        items.append(("My successors", reverse("succession:my_successors")))
    if permissions.can_see_pipeline_diversity(user, organisation) \
            and not permissions.can_view_succession_monitor(user, organisation):
        items.append(("Pipeline diversity", reverse("succession:diversity", kwargs={"slug": organisation.slug})))
    return items


def home_cards(user, organisation):
    cards = []
    if permissions.can_view_succession_monitor(user, organisation):
        cards.append((f"Succession at {organisation.name}",
                      reverse("succession:monitor", kwargs={"slug": organisation.slug}),
                      "Bench strength, pools, positions at risk, terms ending and the succession chart."))
    if permissions.can_see_pipeline_diversity(user, organisation) \
            and not permissions.can_view_succession_monitor(user, organisation):
        cards.append((f"Pipeline diversity at {organisation.name}",
                      reverse("succession:diversity", kwargs={"slug": organisation.slug}),
                      "Gender and ethnicity in the succession pools against the workforce, in groups "
                      "large enough to keep people anonymous."))
    if permissions.can_use_my_successors(user) and not user.is_superuser:
        cards.append(("My successors", reverse("succession:my_successors"),
                      "The people who could succeed you: nominate them and say how ready they are."))
    cards.append((f"Dyads and triads at {organisation.name}",
                  reverse("succession:dyads", kwargs={"slug": organisation.slug}),
                  "Each leadership position with its administrator and nurse leader partners."))
    return cards
