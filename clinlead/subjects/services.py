"""Data-subject actions: recording an export, erasing a person, placing and lifting legal holds.

An erasure keeps every row that an aggregate was computed from (the person's record, their
invitations, electorate and candidate rows, appointments, memberships) and makes it pseudonymous;
it deletes what is only about them (special-category data, login, learning, plans, notes). The
published figures (leader index, diversity tables, the succession monitor's snapshots, counts)
are never rewritten except where they named the person as text, which becomes the pseudonym.
What stays and what goes: `clinlead.subjects.holdings` and docs/data-subject-requests.md.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from clinlead import actions
from clinlead.accounts.models import User
from clinlead.audit import services as audit
from clinlead.development import uploads
from clinlead.development.models import (
    Assessment,
    DevelopmentPlan,
    Enrolment,
    EvidenceFile,
    LearningRecord,
    MentoringAgreement,
    MentorProfile,
    ProgrammeLead,
)
from clinlead.org.models import Demographics, Person
from clinlead.org.models_readiness import PositionReadiness
from clinlead.selection.models import Candidate, CommitteeMember
from clinlead.subjects import rules
from clinlead.subjects.models import LegalHold
from clinlead.subjects.scrub import replacements, scrub_everywhere
from clinlead.subjects.selectors import person_export
from clinlead.succession import services as succession
from clinlead.succession.models import PoolCandidate
from clinlead.succession.monitor_store import data_changed

ERASED_FIRST_NAME = "Erased"


class ErasureRefused(ValidationError):
    """The person may not be erased now; `reasons` says why, each in words to act on."""

    def __init__(self, reasons):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def export_person(*, actor, person, label=None):
    """The person's export, and the audit event that says who took it (the export itself is not
    copied into the trail)."""
    with actions.atomic():
        exported_by = label or str(actor or audit.SYSTEM_ACTOR)
        data = person_export(person=person, exported_by=exported_by)
        audit.record(
            actor=actor,
            label=label,
            action="subjects.person_exported",
            obj=person,
            organisation=person.organisation,
            after={"sections": sorted(data)},
        )
    return data


def place_legal_hold(*, actor, person, reason, label=None):
    if not reason.strip():
        raise ValidationError(
            "A legal hold needs its reason (the claim or investigation it is for)."
        )
    with actions.atomic():
        hold = LegalHold.objects.create(
            person=person,
            reason=reason.strip()[:300],
            placed_on=timezone.localdate(),
            placed_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            label=label,
            action="subjects.legal_hold_placed",
            obj=hold,
            organisation=person.organisation,
            after={"person": person.pk},
        )
    return hold


def lift_legal_holds(*, actor, person, label=None):
    with actions.atomic():
        holds = list(LegalHold.objects.filter(person=person, lifted_on__isnull=True))
        if not holds:
            raise ValidationError("No legal hold is in force for this person.")
        for hold in holds:
            hold.lifted_on = timezone.localdate()
            hold.save(update_fields=["lifted_on"])
            audit.record(
                actor=actor,
                label=label,
                action="subjects.legal_hold_lifted",
                obj=hold,
                organisation=person.organisation,
                after={"person": person.pk},
            )
    return holds


def _delete_personal_records(person, actor, label):
    """Delete what is only about the person; returns {what: how many}."""
    removed = {}
    for entry in PoolCandidate.objects.filter(person=person):
        # Through succession's own action, so the pool's counts and the monitor stay right.
        succession.remove_candidate(actor=actor, entry=entry)
        removed["succession pool places"] = removed.get("succession pool places", 0) + 1
    files = list(EvidenceFile.objects.filter(person=person).values_list("stored_name", flat=True))
    for name, queryset in [
        ("readiness ratings", PositionReadiness.objects.filter(person=person)),
        ("special-category record", Demographics.objects.filter(person=person)),
        ("assessments", Assessment.objects.filter(person=person)),
        ("learning records", LearningRecord.objects.filter(person=person)),
        ("mentor profile", MentorProfile.objects.filter(person=person)),
        ("mentoring as mentee", MentoringAgreement.objects.filter(mentee=person)),
        ("career conversations", DevelopmentPlan.objects.filter(person=person)),
        ("programme enrolments", Enrolment.objects.filter(person=person)),
        ("evidence files", EvidenceFile.objects.filter(person=person)),
        ("programmes led", ProgrammeLead.objects.filter(person=person)),
        ("login", User.objects.filter(person=person)),
    ]:
        count = queryset.count()
        if count:
            queryset.delete()
            removed[name] = count
    # Free text they wrote or that was written about them, on rows the selection record keeps.
    Candidate.objects.filter(person=person).update(statement="", withdrawn_reason="")
    CommitteeMember.objects.filter(person=person).update(conflict_details="")
    return removed, files


def _remove_unused_files(names):
    """After the commit: a file is named by its content, so another record may share it."""
    still_used = set(
        EvidenceFile.objects.filter(stored_name__in=names).values_list("stored_name", flat=True)
    )
    for name in set(names) - still_used:
        uploads.remove(name)


def erase_person(*, actor, person, label=None):
    """Erase one person, or raise ErasureRefused with every reason not to (rules)."""
    with actions.atomic():
        person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
        reasons = rules.reasons_not_to_erase(person=person)
        if reasons:
            raise ErasureRefused(reasons)
        user = User.objects.filter(person=person).first()
        names = {person.full_name, f"{person.last_name}, {person.first_name}"}
        emails = {person.work_email}
        if user is not None:
            names.add(f"{user.first_name} {user.last_name}")
            emails.add(user.email)
        staff_number = person.staff_number
        removed, files = _delete_personal_records(person, actor, label)

        # A random pseudonym, not derived from the identity: a hash of a staff number could be
        # reversed by trying every staff number.
        token = secrets.token_hex(5)
        person.first_name, person.last_name = ERASED_FIRST_NAME, f"person {token}"
        person.staff_number, person.work_email = f"erased-{token}", ""
        person.grade, person.start_date, person.active = "", None, False
        person.save(
            update_fields=[
                "first_name",
                "last_name",
                "staff_number",
                "work_email",
                "grade",
                "start_date",
                "active",
            ]
        )
        patterns = replacements(
            names=names,
            staff_number=staff_number,
            emails=emails,
            pseudonym_name=person.full_name,
            pseudonym_number=person.staff_number,
        )
        olds = [n for n in names if n.strip()] + [staff_number] + [e for e in emails if e]
        rewritten = scrub_everywhere(patterns=patterns, olds=olds)
        _forget_login_attempts(user, emails)
        # The monitor's kept figures list people by name (over-nominated): work them out again.
        data_changed(person.organisation_id)
        # The event names the pseudonym only (object_repr is the pseudonymous record).
        audit.record(
            actor=actor,
            label=label,
            action="subjects.person_erased",
            obj=person,
            organisation=person.organisation,
            after={"pseudonym": person.staff_number, "deleted": removed, "rewritten": rewritten},
        )
    _remove_unused_files(files)
    return person, removed, rewritten


def _forget_login_attempts(user, emails):
    """Failed and refused sign-ins are kept under the username typed (django-axes)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    typed = Q(username__in=[e for e in emails if e])
    if user is not None:
        typed |= Q(username=user.username)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(typed).delete()
