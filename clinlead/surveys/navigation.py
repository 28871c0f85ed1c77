from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.surveys.models import Invitation, SurveyCycle


def nav_items(user, organisation):
    if permissions.can_see_organisation_aggregates(user, organisation):
        return [("Leader survey", reverse("surveys:cycles", kwargs={"slug": organisation.slug}))]
    return []


def home_cards(user, organisation):
    """Staff see their own open survey; whether anyone else has answered is shown to nobody."""
    person = user.person if user.person_id else None
    if person is None or person.organisation_id != organisation.pk:
        return []
    open_cycles = Invitation.objects.filter(person=person, used=False, cycle__status=SurveyCycle.Status.OPEN)
    return [
        (f"Your {inv.cycle.name} leader survey", reverse("surveys:start", kwargs={"pk": inv.cycle_id}),
         "Twelve questions about your immediate leader, anonymous. About five minutes.")
        for inv in open_cycles.select_related("cycle")
    ]
