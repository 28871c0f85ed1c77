"""Evaluation in the header menu and on the home page: for executives and talent admins."""

from django.urls import reverse

from clinlead.accounts import permissions


def nav_items(user, organisation):
    if permissions.can_list_evaluations(user, organisation):
        return [("Evaluation", reverse("evaluation:list", kwargs={"slug": organisation.slug}))]
    return []


def home_cards(user, organisation):
    if not permissions.can_list_evaluations(user, organisation):
        return []
    from clinlead.evaluation.selectors import evaluations_for

    names = [e.name for e in evaluations_for(organisation=organisation)[:3]]
    taking_part = f"Taking part in: {', '.join(names)}. " if names else ""
    return [(f"Evaluations at {organisation.name}", reverse("evaluation:list", kwargs={"slug": organisation.slug}),
             f"{taking_part}Pilot organisations against comparison organisations, before and after, "
             "with the assumptions and caveats in plain words.")]
