"""The leader survey in the header menu; staff find their own open survey in the home inbox
(`todos.py`)."""

from django.urls import reverse

from clinlead.accounts import permissions


def nav_items(user, organisation):
    if permissions.can_see_organisation_aggregates(user, organisation):
        return [("Leader survey", reverse("surveys:cycles", kwargs={"slug": organisation.slug}))]
    return []
