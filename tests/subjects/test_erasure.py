"""`clinlead erase-person` removes a leaver's identity everywhere and keeps every published figure
as it was; it refuses, saying why, while a legal hold or an open process needs the person
(docs/data-subject-requests.md)."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.forms.models import model_to_dict

from clinlead.audit.models import AuditEvent
from clinlead.evaluation.models import MetricResult, Observation
from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.org.models import Appointment, Demographics, Person, PublishedTable
from clinlead.selection.models import Ballot, Selection
from clinlead.subjects import services
from clinlead.subjects.rules import reasons_not_to_erase
from clinlead.succession import services as succession
from clinlead.succession.models import MonitorSettings, MonitorSnapshot
from clinlead.surveys.models import Invitation, SurveyCycle
from tests.subjects import world

pytestmark = pytest.mark.django_db
PUBLISHED = [
    LeaderResult,
    UnitResult,
    CycleResult,
    PublishedTable,
    MonitorSnapshot,
    Ballot,
    Observation,
    MetricResult,
]


def a_leaver(person):
    """As the HR extract leaves someone who went last month: out of post, positions ended, and
    (having left before it opened) not invited to the open survey."""
    yesterday = date.today() - timedelta(days=1)
    Person.objects.filter(pk=person.pk).update(active=False)
    Appointment.objects.filter(person=person, end__gte=yesterday).update(ended_on=yesterday)
    person.partner_roles.filter(Q(end__isnull=True) | Q(end__gte=yesterday)).update(end=yesterday)
    Invitation.objects.filter(person=person, cycle__status=SurveyCycle.Status.OPEN).delete()
    return Person.objects.get(pk=person.pk)


def published_rows():
    return {
        model._meta.label: [
            json.dumps(model_to_dict(row), sort_keys=True, default=str)
            for row in model.objects.order_by("pk")
        ]
        for model in PUBLISHED
    }


def published_pages(cycles):
    pages = []
    for cycle in cycles:
        out = StringIO()
        call_command("leaderindex", "published", str(cycle.pk), "--json", stdout=out)
        pages.append(out.getvalue())
    return pages


def in_any_order(page):
    figures = json.loads(page)
    return {
        key: sorted(map(json.dumps, value)) if isinstance(value, list) else value
        for key, value in figures.items()
    }


def rows_mentioning(text):
    """Every (table, column) of every model whose text or JSON holds `text`, in any case."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                rows = model.objects.annotate(t=Cast(field.name, TextField())).filter(
                    t__icontains=text
                )
            elif isinstance(field, models.CharField | models.TextField):
                rows = model.objects.filter(**{f"{field.name}__icontains": text})
            else:
                continue
            if rows.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_erasure_keeps_published_figures_and_leaves_the_identity_nowhere(demo):
    leader = next(
        p
        for p in map(a_leaver, Person.objects.filter(leader_results__isnull=False).distinct())
        if not reasons_not_to_erase(person=p)
    )
    counted = Selection.objects.get(stage=Selection.Stage.APPOINTED)
    candidate = next(
        p
        for p in map(
            a_leaver,
            Person.objects.filter(
                pk__in=counted.candidates.exclude(pk=counted.chosen_id).values("person")
            ),
        )
        if not reasons_not_to_erase(person=p)
    )
    people = [leader, candidate]
    cycles = list(SurveyCycle.objects.filter(status=SurveyCycle.Status.PUBLISHED))
    rows, pages = published_rows(), published_pages(cycles)
    result = counted.count_result
    identities = [(p.full_name, p.staff_number, p.work_email) for p in people]
    assert all(rows_mentioning(staff_number) for _, staff_number, _ in identities)

    erased = [services.erase_person(actor=None, person=p, label="test")[0] for p in people]

    after = published_rows()
    for (name, staff_number, email), pseudonym in zip(identities, erased, strict=True):
        for text in (name, staff_number, email):
            assert rows_mentioning(text) == [], text
        # The cells a leader's figures cover, and the page's leader, name the pseudonym instead:
        # every figure is the same.
        pages = [page.replace(f'"{staff_number}"', f'"{pseudonym.staff_number}"') for page in pages]
        for label in (
            "leaderindex.LeaderResult",
            "leaderindex.UnitResult",
            "leaderindex.CycleResult",
        ):
            rows[label] = [
                r.replace(f'"{staff_number}"', f'"{pseudonym.staff_number}"') for r in rows[label]
            ]
    assert after == rows
    # The analyst's page lists leaders by staff number, so the pseudonym may move one down.
    assert [in_any_order(page) for page in published_pages(cycles)] == [
        in_any_order(p) for p in pages
    ]
    # The count is as it was; the candidate's name in it is now the pseudonym. (Compared as
    # data: PostgreSQL's jsonb orders an object's keys by length, so a renamed key moves.)
    counted.refresh_from_db()
    assert json.loads(
        json.dumps(counted.count_result).replace(erased[1].full_name, identities[1][0])
    ) == result


def test_the_erasure_event_names_the_pseudonym_only():
    built = world.build()
    person = a_leaver(built.person)
    services.erase_person(actor=built.admin, person=person, label=None)

    event = AuditEvent.objects.get(action="subjects.person_erased")
    person.refresh_from_db()
    assert event.object_repr == person.full_name and person.staff_number in event.after["pseudonym"]
    assert "Quillfeather" not in json.dumps([event.object_repr, event.before, event.after])
    assert event.after["deleted"]["special-category record"] == 1


def test_erasure_deletes_what_is_only_about_them_and_keeps_what_counts():
    built = world.build()
    person = a_leaver(built.person)
    call_command("erase_person", world.STAFF_NUMBER, "--confirm", stdout=StringIO())

    person.refresh_from_db()
    assert (person.first_name, person.work_email, person.active) == ("Erased", "", False)
    assert not Demographics.objects.filter(person=person).exists()
    assert person.learning_records.count() == person.development_plans.count() == 0
    assert person.succession_candidacies.count() == 0
    built.lead_post.succession_pool.refresh_from_db()
    assert built.lead_post.succession_pool.candidate_count == 0
    assert Invitation.objects.filter(person=person, used=True).count() == 1  # response rates hold
    assert built.selection.candidates.get(person=person).statement == ""
    for text in ("Quillfeather", world.STAFF_NUMBER, world.EMAIL):
        assert rows_mentioning(text) == [], text


@pytest.mark.parametrize(
    "why, make, expected",
    [
        ("in post", lambda b: None, "still in post"),
        (
            "position",
            lambda b: Appointment.objects.create(
                position=b.lead_post,
                person=b.person,
                start=date.today() - timedelta(days=10),
                end=date.today() + timedelta(days=365),
            ),
            "they hold (or are appointed to) Ward 7 Lead",
        ),
        (
            "selection",
            lambda b: Selection.objects.filter(pk=b.selection.pk).update(
                stage=Selection.Stage.BALLOT
            ),
            "a candidate in the open selection for Ward 7 Lead",
        ),
        (
            "survey",
            lambda b: SurveyCycle.objects.filter(pk=b.cycle.pk).update(
                status=SurveyCycle.Status.OPEN
            ),
            "invited to the open survey Subject 2025",
        ),
        (
            "hold",
            lambda b: services.place_legal_hold(
                actor=None, person=b.person, reason="tribunal claim"
            ),
            "legal hold placed on",
        ),
    ],
)
def test_erasure_is_refused_while_the_person_is_needed(why, make, expected):
    built = world.build()
    if why != "in post":
        a_leaver(built.person)
    make(built)
    with pytest.raises(CommandError, match="erasure refused") as refused:
        call_command("erase_person", world.STAFF_NUMBER, "--confirm")
    assert expected in str(refused.value)
    assert Person.objects.filter(staff_number=world.STAFF_NUMBER, first_name="Zebedee").exists()


def test_erasure_goes_ahead_once_the_legal_hold_is_lifted():
    built = world.build()
    a_leaver(built.person)
    services.place_legal_hold(actor=None, person=built.person, reason="tribunal claim")
    call_command("legal_hold", world.STAFF_NUMBER, "--lift", stdout=StringIO())
    call_command("erase_person", world.STAFF_NUMBER, "--confirm", stdout=StringIO())
    assert not Person.objects.filter(staff_number=world.STAFF_NUMBER).exists()


def test_erasure_needs_confirm():
    world.build()
    with pytest.raises(CommandError, match="--confirm"):
        call_command("erase_person", world.STAFF_NUMBER)


def test_the_monitors_kept_figures_are_worked_out_again_without_the_name():
    """The monitor keeps its figures (with who is over-nominated) until its data token changes."""
    built = world.build()
    person = a_leaver(built.person)
    # Out of every pool already, so only the erasure itself can renew the token.
    for entry in person.succession_candidacies.all():
        succession.remove_candidate(actor=None, entry=entry)
    token = MonitorSettings.objects.get(organisation=built.org).data_token
    services.erase_person(actor=None, person=person, label="test")
    assert MonitorSettings.objects.get(organisation=built.org).data_token != token
