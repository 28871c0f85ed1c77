"""Reading development: a person's progress, their team's, a cohort's, mentor suggestions, and
`development_summary` for the succession candidate card."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from clinlead.dates import due_on
from clinlead.development.models import (
    AppointmentReview,
    Assessment,
    DevelopmentPlan,
    Enrolment,
    FeedbackInvitation,
    LearningRecord,
    MentoringAgreement,
    MentorProfile,
    MilestoneRecord,
)
from clinlead.development.models_people import Offer, interest_words
from clinlead.development.services_people import deciders_of, own_line
from clinlead.org.models import Appointment, ReportingLine


def paused_days(enrolment, *, today=None) -> int:
    """Days the enrolment has been paused, including a pause still running."""
    running = ((today or date.today()) - enrolment.paused_on).days if enrolment.paused_on else 0
    return enrolment.paused_days + max(running, 0)


def milestone_due_on(record, *, today=None):
    """The person's own due date if set, else the programme's month from enrolment, moved on by
    any pause."""
    if record.due_on:
        return record.due_on
    enrolment = record.enrolment
    return due_on(enrolment.enrolled_on, record.milestone.due_month,
                  paused_days=paused_days(enrolment, today=today))


def review_opens_on(enrolment, *, today=None):
    """The first day the permanent-appointment review can open: the programme's minimum months
    after enrolment, moved on by any pause."""
    programme = enrolment.cohort.programme
    return due_on(enrolment.enrolled_on, programme.min_months_before_review,
                  paused_days=paused_days(enrolment, today=today))


def progress_percent(done: int, total: int) -> int:
    """Milestones done as a whole per cent, a half rounded up (1 of 8 is 13 %), 0 with none: the
    one progress figure. `progress_percent_sql` is the same integer sum for the database, so the
    candidate card and talent search always agree."""
    return (200 * done + total) // (2 * total) if total else 0


def progress_percent_sql(done: str, total: str):
    """`progress_percent` of two integer columns, worked out by the database."""
    return Case(When(**{total: 0}, then=Value(0)),
                default=(Value(200) * F(done) + F(total)) / (Value(2) * F(total)),
                output_field=IntegerField())


@dataclass
class Progress:
    enrolment: Enrolment
    records: list  # MilestoneRecord, each with .due_on and .overdue
    done: int
    total: int
    review: AppointmentReview | None
    overdue: int = 0
    awaiting_review: int = 0

    @property
    def percent(self):
        return progress_percent(self.done, self.total)

    @property
    def ready_for_review(self):
        return (self.enrolment.cohort.programme.ends_with_appointment_review and self.done == self.total
                and self.enrolment.status == Enrolment.Status.ACTIVE
                and review_opens_on(self.enrolment) <= date.today()
                and (self.review is None or self.review.decision == AppointmentReview.Decision.EXTENDED))


def enrolment_progress(enrolment, *, today=None) -> Progress:
    today = today or date.today()
    records = list(MilestoneRecord.objects.filter(enrolment=enrolment).select_related("milestone")
                   .prefetch_related("evidence").order_by("milestone__order"))
    running = enrolment.status == Enrolment.Status.ACTIVE
    for record in records:
        record.own_due_on = record.due_on
        record.due_on = milestone_due_on(record, today=today)
        record.overdue = running and not record.done and record.due_on < today
    review = AppointmentReview.objects.filter(enrolment=enrolment).first()
    return Progress(enrolment=enrolment, records=records, done=sum(r.done for r in records), total=len(records),
                    review=review, overdue=sum(r.overdue for r in records),
                    awaiting_review=sum(r.evidence_state == "submitted" for r in records))


def progress_of(enrolments, *, today=None):
    """Progress for many enrolments (with overdue milestones and evidence awaiting review) in
    three queries."""
    today = today or date.today()
    enrolments = list(enrolments)
    by_id = {e.pk: e for e in enrolments}
    tally = {e.pk: {"total": 0, "done": 0, "overdue": 0, "awaiting": 0} for e in enrolments}
    for record in MilestoneRecord.objects.filter(enrolment__in=enrolments).select_related("milestone"):
        enrolment = by_id[record.enrolment_id]
        record.enrolment = enrolment
        row = tally[enrolment.pk]
        row["total"] += 1
        row["done"] += record.done
        row["awaiting"] += record.evidence_state == "submitted"
        row["overdue"] += (enrolment.status == Enrolment.Status.ACTIVE and not record.done
                           and milestone_due_on(record, today=today) < today)
    reviews = {r.enrolment_id: r for r in AppointmentReview.objects.filter(enrolment__in=enrolments)}
    return [Progress(enrolment=e, records=[], done=tally[e.pk]["done"], total=tally[e.pk]["total"],
                     review=reviews.get(e.pk), overdue=tally[e.pk]["overdue"], awaiting_review=tally[e.pk]["awaiting"])
            for e in enrolments]


# The enrolment the candidate card shows: an active one first, then the latest.
SHOWN_ENROLMENT_FIRST = ("status", "-enrolled_on")


def with_programme_progress(people):
    """`people` (a Person queryset) with `programme_progress` added: the per cent of milestones
    done in the enrolment the candidate card shows (active first, then the latest), 0 for one
    with no milestones, None for someone never enrolled. One query, for searching and paging."""
    shown = Enrolment.objects.filter(person=OuterRef("pk")).order_by(*SHOWN_ENROLMENT_FIRST).values("id")[:1]

    def milestones(**only):
        counted = (MilestoneRecord.objects.filter(enrolment_id=OuterRef("shown_enrolment"), **only)
                   .values("enrolment_id").annotate(n=Count("id")).values("n")[:1])
        return Coalesce(Subquery(counted), 0)

    people = people.annotate(shown_enrolment=Subquery(shown)).annotate(
        milestones_done=milestones(done=True), milestones_total=milestones())
    return people.annotate(programme_progress=Case(
        When(shown_enrolment__isnull=True, then=None),
        default=progress_percent_sql("milestones_done", "milestones_total"), output_field=IntegerField()))


def person_enrolments(*, person):
    return Enrolment.objects.filter(person=person).select_related("cohort__programme").order_by(
        *SHOWN_ENROLMENT_FIRST)


def current_plan(*, person):
    return (DevelopmentPlan.objects.filter(person=person).select_related("target_level")
            .prefetch_related("focus_dimensions").first())


def person_overview(*, person):
    return {
        "progress": progress_of(person_enrolments(person=person)),
        "assessments": Assessment.objects.filter(person=person).select_related("framework"),
        "learning": LearningRecord.objects.filter(person=person).select_related("evidence")
        .prefetch_related("dimensions"),
        "plans": DevelopmentPlan.objects.filter(person=person).select_related("target_level")
        .prefetch_related("focus_dimensions"),
        "mentoring": MentoringAgreement.objects.filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee"),
        "mentor_profile": MentorProfile.objects.filter(person=person).first(),
    }


def team_progress(*, leader, day):
    """The leader's direct reports today, each with their programmes and current plan."""
    people = [line.person for line in ReportingLine.objects.on(day).filter(leader=leader, person__active=True)
              .select_related("person").order_by("person__last_name", "person__first_name")]
    enrolments = Enrolment.objects.filter(person__in=people).select_related("cohort__programme")
    by_person = {}
    for progress in progress_of(enrolments):
        by_person.setdefault(progress.enrolment.person_id, []).append(progress)
    plans = {}
    for plan in DevelopmentPlan.objects.filter(person__in=people).order_by("person_id", "-conversation_on", "-id"):
        plans.setdefault(plan.person_id, plan)
    return [{"person": p, "progress": by_person.get(p.pk, []), "plan": plans.get(p.pk)} for p in people]


def cohort_progress(*, cohort):
    enrolments = cohort.enrolments.select_related("person", "cohort__programme")
    return progress_of(enrolments)


def feedback_requests(*, person):
    """Invitations still waiting for this person's answer."""
    return (FeedbackInvitation.objects.filter(rater=person, used=False, approved=True,
                                              assessment__state=Assessment.State.OPEN)
            .select_related("assessment__person", "assessment__framework"))


def rater_lists_to_approve(*, user):
    """Open 360s with proposed raters this user may approve (as line manager, programme lead or
    talent admin)."""
    from clinlead.accounts import permissions

    waiting = (Assessment.objects.filter(state=Assessment.State.OPEN, invitations__approved=False).distinct()
               .select_related("person__organisation", "framework"))
    return [a for a in waiting if permissions.can_approve_raters(user, a)]


# ------------------------------------------------------------------ mentor matching

SENIOR_GRADES = ("consultant", "band 8", "band 9")


def seniority(person, day):
    """The highest leadership level held today (its rank), or a half step for a senior grade."""
    rank = (Appointment.objects.held_on(day).filter(person=person)
            .order_by("-position__level__rank").values_list("position__level__rank", flat=True).first())
    if rank:
        return float(rank)
    return 0.5 if (person.grade or "").lower().startswith(SENIOR_GRADES) else 0.0


def mentee_interests(*, person):
    plan = current_plan(person=person)
    if plan is None:
        return ""
    return ", ".join(d.name for d in plan.focus_dimensions.all())


def mentor_suggestions(*, mentee, kind=Offer.MENTORING, interests="", day=None, limit=10):
    """Mentors or coaches from the pool with room for one more, outside the mentee's own line
    (not their leader, anyone above, or their direct reports), best match first. Each comes with
    the reasons it was suggested."""
    day = day or date.today()
    excluded = own_line(mentee, day) | set(deciders_of(mentee)) | {mentee.pk}
    offer = Q(mentoring=True) if kind == Offer.MENTORING else Q(coaching=True)
    profiles = (MentorProfile.objects.filter(offer, active=True, person__organisation=mentee.organisation,
                                             person__active=True)
                .exclude(person_id__in=excluded).select_related("person")
                .annotate(taken=Count("person__mentoring_given",
                                      filter=Q(person__mentoring_given__ended_on__isnull=True))))
    wanted = interest_words(interests)
    mentee_level = seniority(mentee, day)
    suggestions = []
    for profile in profiles:
        if profile.taken >= profile.capacity:
            continue
        score, reasons = 0, []
        if profile.person.profession == mentee.profession:
            score += 3
            reasons.append(f"also a {profile.person.get_profession_display().lower()}")
        level = seniority(profile.person, day)
        if level > mentee_level:
            score += 2
            reasons.append("more senior")
        shared = _shared(wanted, profile.interest_set())
        if shared:
            score += 2 * len(shared)
            reasons.append("shares an interest in " + ", ".join(sorted(shared)))
        suggestions.append({"profile": profile, "person": profile.person, "score": score,
                            "room": profile.capacity - profile.taken, "reasons": reasons})
    suggestions.sort(key=lambda s: (-s["score"], -s["room"], s["person"].last_name, s["person"].pk))
    return suggestions[:limit]


def _shared(wanted, offered):
    """Interests that match whole, or share a word of five letters or more."""
    shared = set()
    for w in wanted:
        for o in offered:
            if w == o or {x for x in w.split() if len(x) >= 5} & {x for x in o.split() if len(x) >= 5}:
                shared.add(o)
    return shared


# ------------------------------------------------------------------ the candidate card


def development_summary(*, person) -> dict:
    """A person's development at a glance, for the succession candidate card.

    Returns a dict (every key always present):

        {
          "programme": None or {
              "name": str, "cohort": str, "enrolment_id": int,
              "status": str,                   # "In progress" / "Completed" / "Withdrawn"
              "progress_percent": int,         # 0-100
              "milestones_done": int, "milestones_total": int,
              "appointment_decision": None or str,  # e.g. "Permanent appointment confirmed"
          },                                    # the active enrolment, else the latest one
          "assessment": None or {
              "framework": str, "version": str, "state": "open" or "closed",
              "closed_on": date or None, "scale_max": int,   # scores run 1..scale_max
              "dimensions": [{
                  "dimension": str,
                  "self": float or None,        # the person's self-assessment
                  "manager": float or None,     # the line manager's rating (shown as theirs)
                  "peers": float or None,       # means of anonymous groups: None unless the
                  "direct_reports": float or None,  # assessment is closed AND the anonymity
                  "all_raters": float or None,  # rule publishes the group (peers + reports)
              }, ...],
          },                                    # the latest assessment
          "plan": None or {
              "conversation_on": date, "impact": str, "impact_label": str,
              "aspiration": str, "aspiration_label": str, "target_level": str or None,
              "readiness": str, "readiness_label": str,   # e.g. "1_2_years", "1–2 years"
          },                                    # the latest career conversation
          "learning_records": int,
        }
    """
    from clinlead.development.selectors_assessment import assessment_report

    enrolment = person_enrolments(person=person).first()
    programme = None
    if enrolment is not None:
        progress = progress_of([enrolment])[0]
        programme = {
            "name": enrolment.cohort.programme.name, "cohort": enrolment.cohort.name, "enrolment_id": enrolment.pk,
            "status": enrolment.get_status_display(), "progress_percent": progress.percent,
            "milestones_done": progress.done, "milestones_total": progress.total,
            "appointment_decision": progress.review.get_decision_display() if progress.review else None,
        }
    assessment = Assessment.objects.filter(person=person).select_related("framework", "person__organisation").first()
    summary_assessment = None
    if assessment is not None:
        report = assessment_report(assessment=assessment)
        summary_assessment = {
            "framework": assessment.framework.name, "version": assessment.framework.version,
            "state": assessment.state, "closed_on": assessment.closed_on, "scale_max": len(report["scale"]),
            # Means shown as a band near an end of the scale are None here; "*_text" says the band.
            "dimensions": [{"dimension": row["dimension"].name, "self": row["self"], "manager": row["manager"],
                            "peers": row["peer_mean"], "direct_reports": row["direct_report_mean"],
                            "all_raters": row["all_raters_mean"], "all_raters_text": row["all_raters"]}
                           for row in report["rows"]],
        }
    plan = current_plan(person=person)
    return {
        "programme": programme,
        "assessment": summary_assessment,
        "plan": None if plan is None else {
            "conversation_on": plan.conversation_on, "impact": plan.impact, "impact_label": plan.get_impact_display(),
            "aspiration": plan.aspiration, "aspiration_label": plan.get_aspiration_display(),
            "target_level": plan.target_level.name if plan.target_level else None,
            "readiness": plan.readiness, "readiness_label": plan.get_readiness_display(),
        },
        "learning_records": LearningRecord.objects.filter(person=person).count(),
    }
