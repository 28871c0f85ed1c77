"""Demo development data at Northgate: the three-year onboarding with cohorts of new consultants
and other professions at different stages (one consultant ready for the permanent-appointment
review), 360s (one with six peers, one with four), a mentor and coach pool with agreements,
learning records and career-conversation plans.

The framework, the programme, its leads and cohorts are made by the public actions, which join
`clinlead demo`'s transaction; the rest (dated in the past) is written straight to the tables,
through the actions' own helpers where anonymity depends on it (360 answers are sealed, or stored
in a random order); Erin, the executive, leads the onboarding
programme. The open 360's custodian key file is written to the demo's custody folder, with the passphrase
DEMO_CUSTODY_PASSPHRASE (a demo only: a real key file is downloaded once by its custodian).
"""

import hashlib
import random
from datetime import timedelta

from clinlead import custody, sealing
from clinlead.accounts.models import User
from clinlead.dates import add_months
from clinlead.development import frameworks, services, services_assessment, uploads
from clinlead.development.models import (
    AppointmentReview,
    Assessment,
    DevelopmentPlan,
    Dimension,
    Enrolment,
    EvidenceFile,
    FeedbackInvitation,
    LearningRecord,
    MentoringAgreement,
    MentoringFeedback,
    MentoringSession,
    MentorProfile,
    Milestone,
    MilestoneRecord,
    PanelVote,
    RaterGroup,
)
from clinlead.development.models_programmes import EvidenceState
from clinlead.development.services import ONBOARDING_NAME, ONBOARDING_SUMMARY
from clinlead.development.services_people import deciders_of, own_line
from clinlead.org.models import (
    Appointment,
    Person,
    Position,
    PositionLevel,
    ReadinessSource,
    ReportingLine,
)
from clinlead.org.readiness import record_readiness

EXAMPLE_FRAMEWORK = frameworks.FRAMEWORK_DIR / "example-organisation-framework.json"
DEMO_CUSTODY_PASSPHRASE = custody.DEMO_PASSPHRASE


def demo_pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying `text` (for demo and test evidence)."""
    safe = text.replace("\\", "").replace("(", "[").replace(")", "]")[:90]
    stream = f"BT /F1 11 Tf 20 60 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 120]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class _Demo:
    def __init__(self, world, generator):
        self.world, self.today = world, world.today
        self.rng = random.Random(world.seed * 7 + 3)
        self.org = world.organisations["northgate"]
        self.users = {u.username: u for u in User.objects.filter(username__in=["erin", "alice", "tara"])}
        self.persona_ids = {pid for pid in world.personas.values() if pid}
        holders = set(Appointment.objects.filter(position__organisation=self.org).values_list("person_id", flat=True))
        self.members = [r for r in generator.rows if r.organisation_id == self.org.id and r.unit_path.count("/") == 2
                        and r.id not in holders and r.id not in self.persona_ids]
        self.everyone = [r.id for r in generator.rows if r.organisation_id == self.org.id]
        self.used = set()

    def take(self, profession, *, convert=False):
        pool = [r for r in self.members if r.id not in self.used and r.profession == profession]
        if not pool and convert:
            pool = [r for r in self.members if r.id not in self.used and r.profession in ("manager", "other", "nurse")]
        row = pool[0]
        self.used.add(row.id)
        return Person.objects.get(pk=row.id)

    # ------------------------------------------------------------ evidence
    def evidence(self, person, title, record=None):
        content = demo_pdf(f"{title}: {person.full_name}")
        digest = hashlib.sha256(content).hexdigest()
        checked = uploads.CheckedUpload(content=content, original_name=f"{title.lower().replace(' ', '-')[:60]}.pdf",
                                        extension=".pdf", content_type="application/pdf", sha256=digest)
        stored, _ = uploads.write(checked)
        return EvidenceFile.objects.create(person=person, milestone_record=record, stored_name=stored,
                                           original_name=checked.original_name, content_type=checked.content_type,
                                           size=checked.size, sha256=digest, uploaded_by=None)


def add_demo_data(*, world, generator):
    frameworks.load_national_frameworks()
    demo = _Demo(world, generator)
    org = demo.org
    frameworks.load_framework(actor=None, text=EXAMPLE_FRAMEWORK.read_text(encoding="utf-8"),
                              organisation_slug=org.slug, source=EXAMPLE_FRAMEWORK.name)
    hlm = frameworks.healthcare_leadership_model()
    dims = list(hlm.dimensions.all())

    # ---------------------------------------------------------------- the onboarding
    # Through the public actions, which join the demo's transaction.
    programme = services.create_programme(
        actor=None, organisation=org, name=ONBOARDING_NAME, summary=ONBOARDING_SUMMARY, length_months=36,
        framework=hlm, ends_with_appointment_review=True, use_onboarding_template=True)
    milestones = list(programme.milestones.order_by("order"))
    erin = Person.objects.get(pk=world.personas["erin"])
    for lead in (erin, Person.objects.get(pk=org.demo_exec["md"].id)):
        services.add_programme_lead(actor=None, programme=programme, person=lead)
    erin_user = demo.users.get("erin")
    today = demo.today
    cohorts = {}
    for name, months_ago in (("2022 intake", 48), ("2023 intake", 37), ("2024 intake", 20), ("2025 intake", 3)):
        cohorts[name] = services.create_cohort(actor=None, programme=programme, name=name,
                                               starts_on=add_months(today, -months_ago))

    def enrol(person, cohort_name, *, done_before_month=None, skip=(), consultant=False):
        cohort = cohorts[cohort_name]
        if consultant:
            person.profession, person.grade, person.start_date = "doctor", "Consultant", cohort.starts_on
            person.save(update_fields=["profession", "grade", "start_date"])
        enrolment = Enrolment.objects.create(cohort=cohort, person=person, enrolled_on=cohort.starts_on)
        for m in milestones:
            record = MilestoneRecord.objects.create(enrolment=enrolment, milestone=m)
            due = add_months(cohort.starts_on, m.due_month)
            if done_before_month is None or m.due_month > done_before_month or m.title in skip:
                continue
            # Reviews are signed off once their period is over; evidence is accepted on review.
            on_time = due + timedelta(days=7) if m.kind == Milestone.Kind.REVIEW else due - timedelta(days=10)
            record.done, record.completed_on = True, min(on_time, today)
            if m.completion == Milestone.Completion.SIGN_OFF:
                record.signed_off_by, record.signed_off_by_name = erin_user, erin.full_name
            else:
                record.evidence_state = EvidenceState.ACCEPTED
                record.evidence_reviewed_by_name, record.evidence_reviewed_on = erin.full_name, record.completed_on
            record.save()
            if m.completion == Milestone.Completion.EVIDENCE:
                demo.evidence(person, m.title, record)
        return enrolment

    confirmed = demo.take("doctor", convert=True)
    ready = demo.take("doctor", convert=True)
    midway = demo.take("doctor", convert=True)
    starting = demo.take("doctor", convert=True)
    confirmed_enrolment = enrol(confirmed, "2022 intake", done_before_month=36, consultant=True)
    panel = [erin, Person.objects.get(pk=org.demo_exec["md"].id), Person.objects.get(pk=world.personas["tara"])]
    panel_reasons = ["Every milestone met; QI project adopted across the division.",
                     "Strong 360 feedback from the team; safe, thoughtful practice.",
                     "Ready: the department's rota review was led well."]
    decided_on = add_months(today, -3)
    for member, why in zip(panel, panel_reasons, strict=True):
        PanelVote.objects.create(enrolment=confirmed_enrolment, member=member, member_name=member.full_name,
                                 decision=AppointmentReview.Decision.CONFIRMED, reasons=why, voted_on=decided_on)
    AppointmentReview.objects.create(
        enrolment=confirmed_enrolment, decision=AppointmentReview.Decision.CONFIRMED,
        decided_on=decided_on, decided_by=erin_user,
        decided_by_name="Panel: " + ", ".join(p.full_name for p in panel),
        reasons="\n".join(f"{p.full_name} (permanent appointment confirmed): {why}"
                          for p, why in zip(panel, panel_reasons, strict=True)))
    Enrolment.objects.filter(pk=confirmed_enrolment.pk).update(status=Enrolment.Status.COMPLETED)
    enrol(ready, "2023 intake", done_before_month=36, consultant=True)
    enrol(midway, "2024 intake", done_before_month=20, skip={"Basics of employment law"}, consultant=True)
    enrol(starting, "2025 intake", done_before_month=3, consultant=True)
    # Started this month and not enrolled yet: for the programme lead to enrol.
    newest = demo.take("doctor", convert=True)
    newest.profession, newest.grade, newest.start_date = "doctor", "Consultant", today - timedelta(days=14)
    newest.save(update_fields=["profession", "grade", "start_date"])
    for profession in ("ahp", "midwife", "pharmacist"):
        if any(r.profession == profession and r.id not in demo.used for r in demo.members):
            enrol(demo.take(profession), "2024 intake", done_before_month=12)
    bob = Person.objects.get(pk=world.personas["bob"])
    bob_enrolment = enrol(bob, "2025 intake")

    # ---------------------------------------------------------------- 360s
    def leader_of(person):
        return ReportingLine.objects.on(today).filter(person=person).values_list("leader_id", flat=True).first()

    def reports_of(person):
        return list(ReportingLine.objects.on(today).filter(leader=person).values_list("person_id", flat=True))

    def peers_for(person, n):
        line = {person.pk, leader_of(person), *reports_of(person)}
        return [pid for pid in demo.everyone if pid not in line][:n] if n else []

    def scores(base):
        return {str(d.pk): max(1, min(4, base + demo.rng.choice([-1, 0, 0, 1]))) for d in dims}

    def three_sixty(person, *, peers, reports=0, closed=True, months_ago=4, extra_invites=()):
        # As the actions leave it: answers of a closed 360 stored in a random order under random
        # ids; those of an open one sealed to the custodian's key (Erin, the programme lead).
        opened = add_months(today, -months_ago)
        a = Assessment.objects.create(person=person, framework=hlm, opened_on=opened, self_scores=scores(3),
                                      self_submitted_on=opened + timedelta(days=2), k=org.min_responses,
                                      state=Assessment.State.CLOSED if closed else Assessment.State.OPEN,
                                      closed_on=opened + timedelta(days=28) if closed else None)
        raters = [(leader_of(person), RaterGroup.MANAGER)] if leader_of(person) else []
        raters += [(pid, RaterGroup.PEER) for pid in peers_for(person, peers)]
        raters += [(pid, RaterGroup.DIRECT_REPORT) for pid in reports_of(person)[:reports]]
        FeedbackInvitation.objects.bulk_create([FeedbackInvitation(assessment=a, rater_id=pid, rater_group=group,
                                                                   approved=True, used=True) for pid, group in raters])
        answers = [{"g": group, "s": scores(3)} for _, group in raters]
        if closed:
            services_assessment.store_answers(a, answers)
        else:
            keys = sealing.make_custody_keys(passphrases=[DEMO_CUSTODY_PASSPHRASE], label=f"360 of {person.full_name}")
            a.public_key, a.custodian_name = keys.public_key, erin.full_name
            a.save(update_fields=["public_key", "custodian_name"])
            for answer in answers:
                services_assessment.seal_answer(a, group=answer["g"], scores=answer["s"])
            custody.demo_key_folder().mkdir(parents=True, exist_ok=True)
            (custody.demo_key_folder() / f"360-{a.pk}-custody-key.json").write_bytes(keys.key_files[0])
        for pid in extra_invites:
            if pid not in {p for p, _ in raters} and pid != person.pk:
                FeedbackInvitation.objects.create(assessment=a, rater_id=pid, rater_group=RaterGroup.PEER,
                                                  approved=True)
        return a

    three_sixty(ready, peers=6, months_ago=5)        # six peers: peer figures shown
    three_sixty(midway, peers=4, months_ago=2)       # four peers: peer figures suppressed
    alice = Person.objects.get(pk=world.personas["alice"])
    three_sixty(alice, peers=6, reports=len(reports_of(alice)) if len(reports_of(alice)) >= 5 else 0, months_ago=8)
    # Open: Bob has been asked for his feedback as a peer and has not answered yet.
    three_sixty(starting, peers=2, closed=False, months_ago=0, extra_invites=[bob.pk])
    Assessment.objects.create(person=bob, framework=hlm, opened_on=today - timedelta(days=7), self_scores=scores(2),
                              self_submitted_on=today - timedelta(days=6))

    # ---------------------------------------------------------------- mentors and coaches
    divisional = list(Appointment.objects.held_on(today).filter(position__organisation=org,
                                                                position__level__rank=4)
                      .values_list("person_id", flat=True).distinct())
    nurse_leaders = [r.id for r in generator.rows if r.organisation_id == org.id and r.profession == "nurse"
                     and r.grade == "Band 8a" and r.id not in demo.persona_ids]
    interests = ["quality improvement, patient safety", "finance, service redesign", "research, education",
                 "workforce, culture, wellbeing", "quality improvement, digital", "leadership, inclusion"]
    pool = [org.demo_exec["md"].id, *divisional[:2], alice.pk, *nurse_leaders[:2]]
    for i, pid in enumerate(dict.fromkeys(pool)):
        MentorProfile.objects.create(person_id=pid, mentoring=True, coaching=i % 2 == 1, capacity=2 + i % 2,
                                     interests=interests[i % len(interests)])
    coaches = list(MentorProfile.objects.filter(person__organisation=org, coaching=True).values_list("person_id", flat=True))
    mentors = list(MentorProfile.objects.filter(person__organisation=org).values_list("person_id", flat=True))

    def agree(mentee, candidates, kind, goals, months_ago, *, ended=False, notes=()):
        excluded = own_line(mentee, today) | set(deciders_of(mentee)) | {mentee.pk}
        choice = next(pid for pid in candidates if pid not in excluded)
        started = add_months(today, -months_ago)
        a = MentoringAgreement.objects.create(mentor_id=choice, mentee=mentee, kind=kind, goals=goals,
                                              started_on=started, mentee_consented_on=started,
                                              ended_on=today - timedelta(days=14) if ended else None)
        for i, note in enumerate(notes):
            MentoringSession.objects.create(agreement=a, held_on=min(started + timedelta(days=30 * (i + 1)), today),
                                            minutes=60, private_notes=note)
        return a

    agree(ready, mentors, "mentoring", "Prepare for a head of specialty role", 30,
          notes=["Talked through the job plan.", "Rehearsed the QI presentation to the board."])
    agree(midway, mentors[1:], "mentoring", "Settle into the consultant role; find a QI project", 16,
          notes=["Agreed to shadow the divisional director's business meeting."])
    ended = agree(confirmed, mentors[2:], "mentoring", "Confidence in leading the department's rota review", 36,
                  ended=True, notes=["Closing session: what worked."])
    MentoringFeedback.objects.create(agreement=ended, side="mentee", usefulness=5, comment="Made the review possible.")
    MentoringFeedback.objects.create(agreement=ended, side="mentor", usefulness=4)
    agree(bob, coaches or mentors, "coaching" if coaches else "mentoring", "Decide whether to apply for a Band 6 post",
          2, notes=["First session: goals and what good looks like."])

    # ---------------------------------------------------------------- learning records
    def learn(person, title, kind, provider, years_ago, dim_codes, *, evidence=False):
        started = add_months(today, -12 * years_ago - 8)
        record = LearningRecord.objects.create(
            person=person, title=title, kind=kind, provider=provider, started_on=started,
            completed_on=add_months(started, 6), evidence=demo.evidence(person, title) if evidence else None)
        record.dimensions.set(Dimension.objects.filter(framework=hlm, code__in=dim_codes))

    learn(confirmed, "MBA (part-time)", "degree", "Northgate Business School", 4,
          ["evaluating-information", "connecting-our-service", "holding-to-account"], evidence=True)
    learn(ready, "Regional clinical leadership programme", "programme", "Regional leadership academy", 1,
          ["engaging-the-team", "leading-with-care"])
    learn(ready, "Simulation faculty course", "course", "Northgate simulation centre", 2, ["developing-capability"])
    learn(alice, "Clinical leadership fellowship", "fellowship", "A national fellowship scheme", 6,
          ["sharing-the-vision", "influencing-for-results", "inspiring-shared-purpose"])
    learn(midway, "Mary Seacole Programme", "programme", "NHS Leadership Academy", 1,
          ["leading-with-care", "engaging-the-team"])
    learn(bob, "Preceptorship: leading a shift", "course", "Northgate practice education", 1,
          ["leading-with-care", "engaging-the-team"], evidence=True)

    # ---------------------------------------------------------------- career conversations
    levels = {lv.rank: lv for lv in PositionLevel.objects.filter(organisation=org)}
    readiness = [c for c, _ in DevelopmentPlan._meta.get_field("readiness").choices]

    def plan(person, *, aspiration, target_rank, ready_index, impact="strong", by="Erin Walker"):
        on, level = today - timedelta(days=demo.rng.randint(20, 200)), levels.get(target_rank)
        # The readiness is for a position at the level aimed at (a pool the person is in first),
        # written through the one readiness shared with succession pools.
        position = level and (Position.objects.filter(level=level, active=True, candidate_readiness__person=person)
                              .order_by("title").first()
                              or Position.objects.filter(level=level, active=True).order_by("title").first())
        record = None
        if position:
            _, record = record_readiness(actor=None, person=person, position=position, level=readiness[ready_index],
                                         source=ReadinessSource.CAREER_CONVERSATION, assessed_on=on)
        DevelopmentPlan.objects.create(
            person=person, conversation_on=on, recorded_by_name=by, position=position or None, readiness_record=record,
            impact=impact, aspiration=aspiration, target_level=level, readiness=readiness[ready_index],
            next_steps="Shadow the next role for a quarter; lead one cross-team improvement; review in six months.")

    plan(ready, aspiration="step_up", target_rank=2, ready_index=0, impact="exceptional")
    plan(midway, aspiration="step_up", target_rank=2, ready_index=1)
    plan(confirmed, aspiration="step_up", target_rank=3, ready_index=1)
    plan(bob, aspiration="grow_in_role", target_rank=None, ready_index=3, impact="developing", by="Alice Morgan")
    holders = (Appointment.objects.held_on(today).filter(position__organisation=org,
                                                          position__level__rank__lte=4)
               .order_by("person_id").values_list("person_id", "position__level__rank").distinct())
    highest = {}
    for pid, rank in holders:
        highest[pid] = max(rank, highest.get(pid, 0))
    for i, (pid, rank) in enumerate(sorted(highest.items())):
        if i % 2 == 0 and pid not in demo.persona_ids:
            plan(Person(pk=pid, organisation=org), aspiration="step_up", target_rank=rank + 1, ready_index=demo.rng.randint(0, 3),
                 impact=demo.rng.choice(["exceptional", "strong", "developing"]))
    world.development = {"programme": programme.pk, "bob_enrolment": bob_enrolment.pk, "ready": ready.pk,
                         "midway": midway.pk,
                         "starting": starting.pk, "confirmed": confirmed.pk, "new_consultant": newest.pk}
