"""Home-page cards for staff-led selection.

No header menu item: the talent admin reaches selections from a home card. What staff must do
(vote, attend interviews, declare interests, decide) is in the home inbox (`todos.py`); their
cards keep the recent results.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clinlead.accounts import permissions
from clinlead.selection import selectors
from clinlead.selection.models import Selection

S = Selection.Stage
RECENT_RESULTS_DAYS = 90


def _url(name, selection):
    return reverse(f"selection:{name}", kwargs={"pk": selection.pk})


def home_cards(user, organisation):
    cards = []
    if permissions.can_manage_talent(user, organisation):
        cards.append((f"Staff-led selection at {organisation.name}",
                      reverse("selection:list", kwargs={"slug": organisation.slug}),
                      "Open vacancies, run interviews and secret ballots, and make appointments."))
    person = selectors.person_from_user(user)
    if person is None or person.organisation_id != organisation.pk or not person.active:
        return cards
    now = timezone.now()
    mine = (Selection.objects.filter(organisation=organisation, electors__person=person)
            .select_related("vacancy__position").order_by("-id"))
    recent = now - timedelta(days=RECENT_RESULTS_DAYS)
    for selection in mine.filter(stage__in=[S.COUNTED, S.APPOINTED], counted_at__gte=recent):
        cards.append((f"Results: {selection.vacancy.position.title}", _url("results", selection),
                      "The shortlist, every stage of the count and the receipts."))
    return cards
