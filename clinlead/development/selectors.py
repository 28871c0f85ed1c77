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
from clinlead.org.readiness import current_readiness, readiness_of


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


STATUS_TAGS = {"Overdue": "red", "In progress": "blue", "Completed": "green"}


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
    def status(self):
        """What every page calls this enrolment: "Overdue" while it runs with a milestone past its
        due date (never "In progress"), else its status ("In progress", "Paused", "Completed")."""
        if self.enrolment.status == Enrolment.Status.ACTIVE and self.overdue:
            return "Overdue"
        return self.enrolment.get_status_display()

    @property
    def status_tag(self):
        """The NHS.UK tag colour of `status`."""
        return STATUS_TAGS.get(self.status, "grey")

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
    plan = (DevelopmentPlan.objects.filter(person=person).select_related("target_level", "position")
            .prefetch_related("focus_dimensions").first())
    return attach_readiness_now([plan])[0] if plan else None


def attach_readiness_now(plans):
    """Set on each plan the readiness to show: `readiness_now` is the person's one readiness for
    the plan's position (shared with the succession pool, perhaps changed since), and
    `readiness_shown` / `readiness_shown_label` its level; a conversation recorded before readiness
    was kept per position shows its own, for the level aimed at. One query."""
    current = current_readiness((p.person_id, p.position_id) for p in plans)
    for plan in plans:
        now = current.get((plan.person_id, plan.position_id))
        plan.readiness_now = now
        plan.readiness_shown = now.level if now else plan.readiness
        plan.readiness_shown_label = now.get_level_display() if now else plan.get_readiness_display()
    return plans


def person_overview(*, person):
    return {
        "progress": progress_of(person_enrolments(person=person)),
        "assessments": Assessment.objects.filter(person=person).select_related("framework"),
        "learning": LearningRecord.objects.filter(person=person).select_related("evidence")
        .prefetch_related("dimensions"),
        "plans": attach_readiness_now(list(DevelopmentPlan.objects.filter(person=person)
                                           .select_related("target_level", "position")
                                           .prefetch_related("focus_dimensions"))),
        "readiness": readiness_of(person=person),
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
    for plan in DevelopmentPlan.objects.filter(person__in=people).select_related("position").order_by("person_id", "-conversation_on", "-id"):
        plans.setdefault(plan.person_id, plan)
    attach_readiness_now(list(plans.values()))
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
                .exclude(person_id__in=excluded).select_related("person"))
    profiles = with_mentees_taken(profiles)
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
              "status": str,                   # "In progress" / "Overdue" / "Completed" / ...
              "progress_percent": int,         # 0-100
              "milestones_done": int, "milestones_total": int,
              "appointment_decision": None or str,  # e.g. "Permanent appointment confirmed"
          },                                    # the active enrolment, else the latest one
          "assessment": None or {
              "framework": str, "version": str, "state": "open" or "closed",
              "closed_on": date or None, "scale_max": int,   # scores run 1..scale_max
              "k": int,                         # the assessment's fixed anonymity threshold
              "dimensions": [{
                  "dimension": str,
                  "self": float or None,        # the person's self-assessment
                  "manager": float or None,     # the line manager's rating (shown as theirs)
                  "all_raters": float or None,  # the pooled mean of peers + reports, exact: None
                                                # unless closed, published, and not near an end
                  "all_raters_text": str or None,  # what to show: the mean, or its band
              }, ...],                          # (no peer or direct-report means: see below)
          },                                    # the latest assessment
          "plan": None or {
              "conversation_on": date, "impact": str, "impact_label": str,
              "aspiration": str, "aspiration_label": str, "target_level": str or None,
              "readiness": str, "readiness_label": str,   # e.g. "1_2_years", "1–2 years": the
              "position": str or None,          # shared readiness for this position as it is now
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
            "status": progress.status, "progress_percent": progress.percent,
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
            "k": report["k"],
            # Raters are told their pooled scores reach the card only as the all-rater mean
            # (services_assessment.where_answers_appear), so the peer and direct-report means are
            # not handed over at all. A mean shown as a band near an end of the scale is None in
            # "all_raters"; "all_raters_text" is what the card shows (the exact mean or the band).
            "dimensions": [{"dimension": row["dimension"].name, "self": row["self"], "manager": row["manager"],
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
            # The shared readiness for the conversation's position, as it stands now.
            "readiness": plan.readiness_shown, "readiness_label": plan.readiness_shown_label,
            "position": plan.position.title if plan.position else None,
        },
        "learning_records": LearningRecord.objects.filter(person=person).count(),
    }


def onboarding_warnings(person_ids) -> dict:
    """{person id: what to warn of} for people whose onboarding has not ended in a confirmed
    appointment: their latest enrolment on a programme that ends with a permanent-appointment
    review is in progress or paused (an extended review included), or the review did not confirm
    them. A withdrawn enrolment and a confirmed appointment give no warning. One query; for the
    succession pool page, the candidate card and nominating."""
    latest = {}
    for enrolment in (Enrolment.objects.filter(person_id__in=list(person_ids),
                                               cohort__programme__ends_with_appointment_review=True)
                      .select_related("cohort__programme", "appointment_review")
                      .order_by("person_id", "-enrolled_on", "-id")):
        latest.setdefault(enrolment.person_id, enrolment)
    warnings = {}
    for person_id, enrolment in latest.items():
        review = getattr(enrolment, "appointment_review", None)
        programme = enrolment.cohort.programme.name
        if review is not None and review.decision == AppointmentReview.Decision.NOT_CONFIRMED:
            warnings[person_id] = (f"Permanent appointment not confirmed at the end of the {programme} "
                                   f"({review.decided_on.day} {review.decided_on:%b %Y})")
        elif enrolment.status in (Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED):
            paused = ", paused" if enrolment.status == Enrolment.Status.PAUSED else ""
            on = enrolment.enrolled_on
            warnings[person_id] = (f"On the {programme} since {on.day} {on:%b %Y}{paused}; "
                                   "permanent appointment not yet confirmed")
    return warnings


def with_mentees_taken(profiles):
    """Mentor profiles with `taken`: the mentoring agreements each mentor has running now."""
    return profiles.annotate(taken=Count("person__mentoring_given",
                                         filter=Q(person__mentoring_given__ended_on__isnull=True)))
