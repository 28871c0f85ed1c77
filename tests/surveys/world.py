"""A small hand-built trust for anonymity tests: exact group sizes, nothing random."""

from datetime import date

from clinlead import sealing
from clinlead.org.models import Organisation, Person, ReportingLine, Unit, UnitMembership
from clinlead.surveys import services
from clinlead.surveys.models import Response, SurveyCycle
from clinlead.surveys.services import default_instrument

DAY = date(2026, 1, 10)
CUSTODIAN = "a custodian's passphrase"


class World:
    def __init__(self, k=5):
        self.org = Organisation.objects.create(name="Test Trust", slug="test-trust", min_responses=k)
        self.units = {}
        self.leaders = {}
        self.next_number = 1
        self.keys = {}  # cycle id -> the custody keys an open cycle was made with

    def unit(self, path):
        if path not in self.units:
            parent = self.unit(path.rpartition("/")[0]) if "/" in path else None
            self.units[path] = Unit.objects.create(organisation=self.org, parent=parent, name=path.split("/")[-1],
                                                   path=path, depth=path.count("/"))
        return self.units[path]

    def person(self, unit_path, leader=None, profession="nurse"):
        p = Person.objects.create(organisation=self.org, staff_number=f"T{self.next_number:05d}", first_name="P",
                                  last_name=f"{self.next_number}", profession=profession,
                                  work_email=f"p{self.next_number}@test.example")
        self.next_number += 1
        UnitMembership.objects.create(person=p, unit=self.unit(unit_path), start=date(2020, 1, 1))
        if leader is not None:
            ReportingLine.objects.create(person=p, leader=leader, start=date(2020, 1, 1))
        return p

    def cycle(self, name="2026", status=SurveyCycle.Status.CLOSED):
        """A cycle in `status`; an open one has custody keys (one custodian, CUSTODIAN)."""
        cycle = SurveyCycle.objects.create(organisation=self.org, name=name, instrument=default_instrument(),
                                           status=status, opens_on=DAY, closes_on=DAY, snapshot_date=DAY,
                                           min_responses=self.org.min_responses)
        if status == SurveyCycle.Status.OPEN:
            self.keys[cycle.pk] = sealing.make_custody_keys(passphrases=[CUSTODIAN], label=str(cycle))
            cycle.public_key = self.keys[cycle.pk].public_key
            cycle.save(update_fields=["public_key"])
        return cycle

    def close(self, cycle):
        """Close an open cycle with its custodian's key, as the close page does."""
        cycle.refresh_from_db()
        return services.close_cycle(actor=None, cycle=cycle, key_files=self.keys[cycle.pk].key_files,
                                    passphrases=[CUSTODIAN])

    def sealed(self, cycle):
        """The answers as sealed (what the form stored), opened with the custodian's key: after
        close an answer keeps only its disclosure block, so what was rated shows only here."""
        opener = sealing.open_custody_keys(public_key=cycle.public_key, key_files=self.keys[cycle.pk].key_files,
                                           passphrases=[CUSTODIAN])
        return [opener.open(box) for box in cycle.sealed_responses.values_list("box", flat=True)]

    def responses(self, cycle, *, leader, unit_path, n, score=4, burnout=2, satisfaction=4):
        Response.objects.bulk_create([
            Response(cycle=cycle, leader=leader, unit=self.unit(unit_path), profession="nurse",
                     answers=[score] * 12, burnout=burnout, satisfaction=satisfaction) for _ in range(n)])


def at_once(calls):
    """Run the calls in threads started together; each call's outcome, in no particular order:
    "stored" (it returned), "refused" (the link was unusable) or the name of what it raised (SQLite
    may report its lock; such a call stored nothing)."""
    import threading

    from django.db import connections

    outcomes, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("stored")
        except services.InvitationUnusable:
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
