"""Home-page cards for staff-led selection.

No header menu item: the talent admin reaches selections from a home card, and staff see the
ballots, interviews and decisions that concern them there.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clinlead.accounts import permissions
from clinlead.notifications import local_time
from clinlead.selection import selectors
from clinlead.selection.models import Selection, SelectionPolicy, VoterRecord

WHEN = "%d %B %Y, %H:%M"
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
    voted = set(VoterRecord.objects.filter(person=person, selection__in=mine).values_list("selection_id", flat=True))
    for selection in mine.filter(stage__in=[S.INTERVIEWS, S.BALLOT]):
        title = selection.vacancy.position.title
        if selection.stage == S.BALLOT and selection.pk not in voted and selectors.ballot_is_open(selection=selection, now=now):
            cards.append((f"Vote: choose the shortlist for {title}", _url("vote", selection),
                          f"Secret ballot, open until {local_time(selection.closes_at, organisation, WHEN)}."))
        elif selection.stage == S.BALLOT and now < selection.opens_at:
            cards.append((f"Ballot for {title}", _url("detail", selection),
                          f"Opens {local_time(selection.opens_at, organisation, WHEN)}. Meet the candidates first."))
        elif selection.stage == S.INTERVIEWS:
            cards.append((f"Interviews for {title}", _url("interviews", selection),
                          "Meet the candidates face to face, then vote for the shortlist."))
    recent = now - timedelta(days=RECENT_RESULTS_DAYS)
    for selection in mine.filter(stage__in=[S.COUNTED, S.APPOINTED], counted_at__gte=recent):
        cards.append((f"Results: {selection.vacancy.position.title}", _url("results", selection),
                      "The shortlist, every stage of the count and the receipts."))
    declaring = (Selection.objects.filter(organisation=organisation, committee__person=person,
                                          committee__interest_declared_on__isnull=True,
                                          stage__in=[S.NOMINATIONS, S.INTERVIEWS, S.BALLOT])
                 .select_related("vacancy__position"))
    for selection in declaring:
        cards.append((f"Declare your interests: {selection.vacancy.position.title}", _url("decision", selection),
                      "You sit on the decision committee: declare your interests before the ballot opens."))
    deciding = (Selection.objects.filter(organisation=organisation, committee__person=person, stage=S.COUNTED)
                .select_related("vacancy__position"))
    for selection in deciding:
        cards.append((f"Decide: {selection.vacancy.position.title}", _url("decision", selection),
                      "The staff have chosen the shortlist; the committee makes the final choice."))
    if SelectionPolicy.for_organisation(organisation).allow_self_nomination:
        nominating = (Selection.objects.filter(organisation=organisation, stage=S.NOMINATIONS)
                      .select_related("vacancy__position").order_by("-id")[:3])
        for selection in nominating:
            cards.append((f"Stand for {selection.vacancy.position.title}", _url("self_nominate", selection),
                          "Nominations are open: you may put yourself forward."))
    return cards
