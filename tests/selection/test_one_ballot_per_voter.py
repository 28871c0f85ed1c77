"""One ballot per voter, even when the same voter's ballot arrives fifty times at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinlead.selection import services
from clinlead.selection.models import SealedBallot, VoterRecord
from tests.selection import factories as f

SUBMISSIONS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_double_submissions_leave_exactly_one_ballot(demo):
    selection = f.voting()
    voter = f.persona("bob")
    ranking = f.ranking(selection)
    start = threading.Barrier(SUBMISSIONS)
    accepted, refused, failed = [], [], []

    def submit():
        try:
            start.wait()
            accepted.append(services.cast_ballot(actor=None, selection=selection, person=voter,
                                                 preferences=ranking))
        except ValidationError as exc:
            refused.append(exc.messages[0])
        except Exception as exc:  # anything else is a bug, reported below
            failed.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failed, failed
    assert len(accepted) == 1, f"{len(accepted)} submissions were accepted"
    assert len(refused) == SUBMISSIONS - 1
    assert all("already voted" in message for message in refused), set(refused)
    assert VoterRecord.objects.filter(selection=selection, person=voter).count() == 1
    assert SealedBallot.objects.filter(selection=selection).count() == 1


@pytest.mark.django_db
def test_a_second_vote_is_refused_and_writes_nothing(demo):
    selection = f.voting()
    bob = f.persona("bob")
    services.cast_ballot(actor=None, selection=selection, person=bob, preferences=f.ranking(selection))
    with pytest.raises(ValidationError, match="already voted"):
        services.cast_ballot(actor=None, selection=selection, person=bob, preferences=f.ranking(selection)[:1])
    assert SealedBallot.objects.filter(selection=selection).count() == 1
    assert VoterRecord.objects.filter(selection=selection).count() == 1


def test_the_database_itself_refuses_a_second_voter_record():
    constraints = {c.name: c for c in VoterRecord._meta.constraints}
    assert set(constraints["one_vote_per_voter"].fields) == {"selection", "person"}
