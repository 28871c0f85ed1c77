"""Talent search: people of one organisation by profession, unit, readiness, the level of the
pools they sit in, leader-index band and (when the development module is installed) programme
progress. Only published leader-index results are read; nothing special-category is offered as
a filter or shown."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery

from clinlead.analytics import shrinkage
from clinlead.development.selectors import with_programme_progress
from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.selectors import band_in_words
from clinlead.org.models import Appointment, Person, UnitMembership
from clinlead.succession.models import PoolCandidate, Readiness

# Quarters of the organisation's leaders by their index shrunk toward the organisation's mean
# (clinlead.analytics.shrinkage: the band stored at publication, 0 bottom .. 3 top), shown only
# from settings.CLINLEAD_BAND_MIN_RESPONSES responses.
LEADER_INDEX_BANDS = {
    key: (shrinkage.BAND_LABELS[key].capitalize(), number)
    for number, key in reversed(list(enumerate(shrinkage.BANDS)))
}
PROGRESS_BANDS = {
    "complete": ("Completed", 100, None),
    "over_half": ("Half or more", 50, 100),
    "under_half": ("Under half", None, 50),
}


@dataclass(frozen=True)
class Filters:
    profession: str = ""
    unit: object = None
    readiness: str = ""
    level: object = None
    leader_index_band: str = ""
    progress_band: str = ""

    @property
    def any(self):
        return any([self.profession, self.unit, self.readiness, self.level, self.leader_index_band,
                    self.progress_band])


def band_of(value, bands):
    if value is None:
        return None
    for key, (_, low, high) in bands.items():
        if (low is None or value >= low) and (high is None or value < high):
            return key
    return None


def _latest_result(field):
    return Subquery(LeaderResult.objects.filter(leader=OuterRef("pk"), cycle__status="published")
                    .order_by("-cycle__opens_on").values(field)[:1])


def talent_search(*, organisation, filters: Filters, day: date | None = None):
    """People matching every filter given, as a queryset (the database does the filtering, so
    every match is found and the page can be split into pages). With the development module,
    each person carries `programme_progress` (per cent, None if never enrolled)."""
    day = day or date.today()
    people = Person.objects.filter(organisation=organisation, active=True)
    if filters.profession:
        people = people.filter(profession=filters.profession)
    if filters.unit is not None:
        members = UnitMembership.objects.on(day).filter(unit__in=filters.unit.subtree()).values("person_id")
        people = people.filter(id__in=members)
    if filters.readiness or filters.level is not None:
        entries = PoolCandidate.objects.filter(pool__position__organisation=organisation, pool__position__active=True)
        if filters.readiness:
            entries = entries.filter(standing__level=filters.readiness)
        if filters.level is not None:
            entries = entries.filter(pool__position__level=filters.level)
        people = people.filter(id__in=entries.values("person_id"))
    people = people.annotate(
        leader_index=_latest_result("index"), leader_responses=_latest_result("responses"),
        leader_band_number=_latest_result("band"), leader_band_low=_latest_result("band_low"),
        leader_band_high=_latest_result("band_high"),
        leader_cycle=_latest_result("cycle__name"),
        pools=Count("succession_candidacies", distinct=True),
        ready_now=Count("succession_candidacies", filter=Q(succession_candidacies__standing__level=Readiness.READY_NOW),
                        distinct=True),
        position=Subquery(Appointment.objects.held_on(day).filter(person=OuterRef("pk"))
                          .order_by("-position__level__rank").values("position__title")[:1]),
    )
    if filters.leader_index_band in LEADER_INDEX_BANDS:
        # A leader's band is the one their shrunk index falls in; the page says when their
        # interval reaches other bands too.
        people = people.filter(leader_band_number=LEADER_INDEX_BANDS[filters.leader_index_band][1],
                               leader_responses__gte=settings.CLINLEAD_BAND_MIN_RESPONSES)
    people = _in_band(with_programme_progress(people), "programme_progress", PROGRESS_BANDS, filters.progress_band)
    return people.order_by("last_name", "first_name", "staff_number")


def _in_band(people, field, bands, band):
    """People whose `field` lies in the chosen band (none chosen: everyone)."""
    if band not in bands:
        return people
    _, low, high = bands[band]
    if low is not None:
        people = people.filter(**{f"{field}__gte": low})
    if high is not None:
        people = people.filter(**{f"{field}__lt": high})
    return people


def decorate_results(results):
    """Each person's leader-index band in words: "top quarter", "between upper-middle and top",
    or why there is none ("too few responses for a band")."""
    for person in results:
        person.leader_band = "" if person.leader_index is None else band_in_words(
            band=person.leader_band_number, band_low=person.leader_band_low, band_high=person.leader_band_high,
            responses=person.leader_responses)
    return results
