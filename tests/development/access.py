"""Who may open each development page (see tests/access_table.py).

Bob (a nurse on the onboarding, in Alice's team) is the subject of most rows: he sees his own
development, Alice (his immediate leader) sees his progress, Erin leads the onboarding, Tara is
the talent admin; Charlie (another trust), Aude and Sam are refused. Action URLs answered with
GET send the allowed roles back to the page the action lives on (302).
"""

from tests.access_table import EVERYONE_LOGGED_IN, FOUND, NORTHGATE, NOT_FOUND, only

SEES_BOB = {"alice", "bob", "erin", "tara", "admin"}
BOB_AND_ADMINS = {"bob", "tara", "admin"}
LEADS = {"erin", "tara", "admin"}
TALENT = {"tara", "admin"}


def objects(world):
    from clinlead.development.demo import add_demo_data
    from clinlead.development.frameworks import healthcare_leadership_model
    from clinlead.development.models import (
        Assessment,
        Cohort,
        Enrolment,
        EvidenceFile,
        FeedbackInvitation,
        MentoringAgreement,
        MilestoneRecord,
    )

    if not hasattr(world, "development"):
        add_demo_data(world=world, generator=world.generator)
    bob = world.personas["bob"]
    enrolment = Enrolment.objects.get(person_id=bob)
    return {
        "bob": bob,
        "bob_enrolment": enrolment.pk,
        "bob_record": MilestoneRecord.objects.filter(enrolment=enrolment).order_by("milestone__order").first().pk,
        "bob_evidence": EvidenceFile.objects.filter(person_id=bob).first().pk,
        "bob_assessment": Assessment.objects.get(person_id=bob).pk,
        "bob_invitation": FeedbackInvitation.objects.get(rater_id=bob, used=False).pk,
        "bob_agreement": MentoringAgreement.objects.get(mentee_id=bob).pk,
        "programme": world.development["programme"],
        "cohort": Cohort.objects.get(programme_id=world.development["programme"], name="2025 intake").pk,
        "hlm": healthcare_leadership_model().pk,
    }


def _slug(o):
    return {"slug": "northgate"}


ROWS = {
    "development:home": ("get", lambda o: {}, only(EVERYONE_LOGGED_IN)),
    "development:team": ("get", lambda o: {}, only(EVERYONE_LOGGED_IN)),
    "development:feedback_requests": ("get", lambda o: {}, only(EVERYONE_LOGGED_IN)),
    "development:person": ("get", lambda o: {"pk": o["bob"]}, only(SEES_BOB)),
    "development:evidence_file": ("get", lambda o: {"pk": o["bob_evidence"]}, only(SEES_BOB)),
    # Programmes
    "development:programmes": ("get", _slug, only(LEADS)),
    "development:programme_create": ("get", _slug, only(TALENT)),
    "development:programme": ("get", lambda o: {"pk": o["programme"]}, only(LEADS)),
    "development:milestone_add": ("get", lambda o: {"pk": o["programme"]}, only(LEADS, when_allowed=FOUND)),
    "development:programme_add_lead": ("get", lambda o: {"pk": o["programme"]}, only(TALENT, when_allowed=FOUND)),
    "development:cohort_create": ("get", lambda o: {"pk": o["programme"]}, only(LEADS)),
    "development:cohort": ("get", lambda o: {"pk": o["cohort"]}, only(LEADS)),
    "development:enrol": ("get", lambda o: {"pk": o["cohort"]}, only(LEADS, when_allowed=FOUND)),
    "development:enrolment": ("get", lambda o: {"pk": o["bob_enrolment"]}, only(SEES_BOB)),
    # The review panel: programme leads and talent admins (never the person or their leader).
    "development:appointment_review": ("get", lambda o: {"pk": o["bob_enrolment"]}, only({"erin", "tara", "admin"})),
    "development:enrolment_status": ("get", lambda o: {"pk": o["bob_enrolment"]}, only(LEADS, when_allowed=FOUND)),
    "development:milestone": ("get", lambda o: {"pk": o["bob_record"]}, only(SEES_BOB)),
    "development:upload_evidence": ("get", lambda o: {"pk": o["bob_record"]},
                                    only({"bob", "erin", "tara", "admin"}, when_allowed=FOUND)),
    # A named person signs off: the programme lead or the immediate leader, not Bob himself.
    "development:sign_off": ("get", lambda o: {"pk": o["bob_record"]},
                             only({"alice", "erin", "admin"}, when_allowed=FOUND)),
    # Evidence is reviewed by a programme lead or talent admin, never the person.
    "development:review_evidence": ("get", lambda o: {"pk": o["bob_record"]}, only(LEADS, when_allowed=FOUND)),
    "development:set_due_date": ("get", lambda o: {"pk": o["bob_record"]}, only(LEADS, when_allowed=FOUND)),
    # Frameworks and assessments: a 360 report is Bob's own (and the talent admin's).
    "development:frameworks": ("get", _slug, only(NORTHGATE)),
    "development:framework": ("get", lambda o: {"pk": o["hlm"]}, only(EVERYONE_LOGGED_IN)),
    "development:framework_download": ("get", lambda o: {"pk": o["hlm"]}, only(EVERYONE_LOGGED_IN)),
    # The organisation's own framework is loaded on the web by talent admins and programme leads.
    "development:framework_upload": ("get", _slug, only(LEADS)),
    "development:assessment_start": ("get", lambda o: {"pk": o["bob"]}, only(BOB_AND_ADMINS)),
    "development:assessment": ("get", lambda o: {"pk": o["bob_assessment"]}, only(BOB_AND_ADMINS)),
    "development:self_assessment": ("get", lambda o: {"pk": o["bob_assessment"]}, only({"bob"})),
    "development:invite_raters": ("get", lambda o: {"pk": o["bob_assessment"]}, only(BOB_AND_ADMINS)),
    "development:close_assessment": ("get", lambda o: {"pk": o["bob_assessment"]}, only(BOB_AND_ADMINS)),
    # Bob's raters are approved by his line manager (Alice), his programme lead (Erin) or a
    # talent admin — never by Bob; only a talent admin voids a 360.
    "development:approve_raters": ("get", lambda o: {"pk": o["bob_assessment"]},
                                   only({"alice", "erin", "tara", "admin"})),
    "development:void_assessment": ("get", lambda o: {"pk": o["bob_assessment"]}, only(TALENT)),
    # A rater's single-use link: anyone else is told it does not exist.
    "development:give_feedback": ("get", lambda o: {"pk": o["bob_invitation"]}, only({"bob"}, otherwise=NOT_FOUND)),
    # Learning, career conversations and the pathway
    "development:learning_create": ("get", lambda o: {"pk": o["bob"]}, only(BOB_AND_ADMINS)),
    "development:learning_overview": ("get", _slug, only(TALENT)),
    "development:plan_create": ("get", lambda o: {"pk": o["bob"]}, only({"alice", "tara", "admin"})),
    "development:pathway": ("get", _slug, only(TALENT)),
    "development:pathway_diversity": ("get", _slug, only({"sam", "admin"})),
    # Coaching and mentoring: session notes are the pair's alone.
    "development:mentor_pool": ("get", _slug, only(TALENT)),
    "development:mentor_add": ("get", _slug, only(TALENT, when_allowed=FOUND)),
    "development:mentor_suggestions": ("get", lambda o: {"pk": o["bob"]}, only({"bob", "erin", "tara", "admin"})),
    "development:agreement_create": ("get", lambda o: {"pk": o["bob"]}, only(LEADS, when_allowed=FOUND)),
    "development:agreement": ("get", lambda o: {"pk": o["bob_agreement"]}, only(BOB_AND_ADMINS)),
    "development:log_session": ("get", lambda o: {"pk": o["bob_agreement"]}, only({"bob"}, when_allowed=FOUND)),
    "development:end_agreement": ("get", lambda o: {"pk": o["bob_agreement"]}, only(BOB_AND_ADMINS)),
    "development:consent_agreement": ("get", lambda o: {"pk": o["bob_agreement"]},
                                      only({"bob"}, when_allowed=FOUND)),
    "development:agreement_feedback": ("get", lambda o: {"pk": o["bob_agreement"]},
                                       only({"bob"}, when_allowed=FOUND)),
}
