"""One term rule for every appointment, made by succession's appointing or by a selection's final
choice (both through `clinlead.org.appointments.appoint`): at most two four-year terms in a row;
only a full term out of the post breaks the run (an interim holder does not); past the limit only
with a reason for an exception, which is recorded and audited; the monitor is refreshed.

Each case runs through both paths. Before, they disagreed: succession let any gap restart the
count, selection let any other holder in between restart it and took no exception.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from clinlead.audit.models import AuditEvent
from clinlead.dates import add_years, term_end
from clinlead.org import appointments
from clinlead.org.models import Appointment
from clinlead.selection import services
from clinlead.succession.models import MonitorSettings
from tests.selection import factories as f
from tests.selection.conftest import _cheap_passphrase_hashing  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
# Far enough ahead that the demo's own holders of the post are long gone.
FIRST = date.today().replace(day=1) + timedelta(days=20 * 365)
REASON = "Leads the cardiac reconfiguration until it completes next spring"


@pytest.fixture(params=["succession", "selection"])
def path(request, demo):
    """Appoint one person to one post, the way `request.param` does it."""
    if request.param == "selection":
        selection = f.decided()
        person = selection.candidates.get(shortlist_rank=1).person

        def appoint(start, reason=""):
            exception = {"term_limit_exception": reason} if reason else {}
            return services.confirm_appointment(actor=f.user("tara"), selection=selection, start=start,
                                                **exception)
    else:
        position = f.position(f.MEDICINE)
        person = f.some_people(n=1)[0]

        def appoint(start, reason=""):
            return appointments.appoint(actor=f.user("tara"), position=position, person=person, start=start,
                                        management_sessions=2, clinical_sessions=8,
                                        term_limit_exception=reason)
    appoint.position, appoint.person = f.position(f.MEDICINE), person
    return appoint


def held(position, person, start, term_number, *, ended_on=None):
    """A past term, as the record has it."""
    return Appointment.objects.create(position=position, person=person, start=start,
                                      end=term_end(start, position.term_years), term_number=term_number,
                                      ended_on=ended_on)


def two_terms(appoint):
    """Two terms in a row; returns the day after the second ends."""
    first = held(appoint.position, appoint.person, FIRST, 1)
    second = held(appoint.position, appoint.person, first.end + timedelta(days=1), 2)
    return second.end + timedelta(days=1)


def test_the_defaults_are_two_four_year_terms(path):
    assert (path.position.term_years, path.position.max_consecutive_terms) == (4, 2)


def test_a_third_term_straight_after_two_is_refused_and_nothing_is_written(path):
    start = two_terms(path)
    with pytest.raises(ValidationError, match="past this position's limit"):
        path(start)
    assert not Appointment.objects.filter(position=path.position, start=start).exists()


@pytest.mark.parametrize("gap_days", [1, 31, 3 * 365])
def test_a_gap_shorter_than_a_term_does_not_restart_the_count(path, gap_days):
    start = two_terms(path) + timedelta(days=gap_days)
    with pytest.raises(ValidationError, match="term 3 in a row"):
        path(start)


def test_someone_else_holding_the_post_in_between_does_not_restart_the_count(path):
    back = two_terms(path)
    interim = f.some_people(n=1, exclude=[path.person])[0]
    held(path.position, interim, back, 1, ended_on=back + timedelta(days=364))
    with pytest.raises(ValidationError, match="term 3 in a row"):
        path(back + timedelta(days=365))


def test_a_full_term_out_of_the_post_starts_the_count_again_at_its_edge(path):
    back = two_terms(path)
    last_consecutive = term_end(back, 4)  # four years out, less a day
    assert last_consecutive == add_years(back, 4) - timedelta(days=1)
    with pytest.raises(ValidationError, match="term 3 in a row"):
        path(last_consecutive)
    appointment = path(last_consecutive + timedelta(days=1))
    assert (appointment.term_number, appointment.term_limit_exception) == (1, "")
    assert appointment.end == term_end(appointment.start, 4)


def test_an_exception_with_its_reason_is_recorded_and_audited(path):
    start = two_terms(path)
    with pytest.raises(ValidationError):
        path(start, reason="   ")
    appointment = path(start, reason=REASON)
    assert (appointment.term_number, appointment.term_limit_exception) == (3, REASON)
    event = AuditEvent.objects.get(action="succession.term_limit_exception", object_id=str(appointment.pk))
    assert event.after == {"term_number": 3, "max_consecutive_terms": 2, "reason": REASON}
    assert event.actor.username == "tara"
    assert AuditEvent.objects.filter(action="succession.reappointed", object_id=str(appointment.pk)).exists()


def test_an_early_leaver_is_out_of_the_post_from_the_day_after_they_left(path):
    first = held(path.position, path.person, FIRST, 1)
    second = held(path.position, path.person, first.end + timedelta(days=1), 2,
                  ended_on=first.end + timedelta(days=400))
    appointment = path(term_end(second.ended_on + timedelta(days=1), 4) + timedelta(days=1))
    assert appointment.term_number == 1


def test_every_appointment_refreshes_the_succession_monitor(path):
    settings, _ = MonitorSettings.objects.get_or_create(organisation=path.position.organisation)
    before = settings.data_token
    path(FIRST)
    settings.refresh_from_db()
    assert settings.data_token != before
