"""Development in the header menu and on the home page."""

from django.urls import reverse

from clinlead.accounts import permissions


def _belongs(user, organisation):
    return getattr(user, "person_id", None) is not None and user.person.organisation_id == organisation.pk


def nav_items(user, organisation):
    items = []
    if _belongs(user, organisation) or permissions.can_list_programmes(user, organisation):
        items.append(("Development", reverse("development:home")))
    if permissions.can_see_pathway_diversity(user, organisation):
        items.append(("Pathway diversity",
                      reverse("development:pathway_diversity", kwargs={"slug": organisation.slug})))
    return items


def home_cards(user, organisation):
    cards = []
    if _belongs(user, organisation):
        cards.append(("Your development", reverse("development:person", kwargs={"pk": user.person_id}),
                      "Your programme and milestones, 360 feedback, learning record, mentoring and plan."))
    if permissions.can_list_programmes(user, organisation):
        cards.append((f"Development programmes at {organisation.name}",
                      reverse("development:programmes", kwargs={"slug": organisation.slug}),
                      "Onboarding and other programmes: cohorts, milestones and permanent-appointment reviews."))
    if permissions.can_see_pathway_diversity(user, organisation):
        cards.append((f"Pathway diversity at {organisation.name}",
                      reverse("development:pathway_diversity", kwargs={"slug": organisation.slug}),
                      "Gender and ethnicity at each step of the leadership pathway, in groups large "
                      "enough to keep people anonymous."))
    if permissions.can_see_development_aggregates(user, organisation):
        cards.append((f"Leadership pathway at {organisation.name}",
                      reverse("development:pathway", kwargs={"slug": organisation.slug}),
                      "Where people stand, from head of specialty to chief executive; learning and its gaps."))
    return cards
