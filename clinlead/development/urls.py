from django.urls import path

from clinlead.development import (
    views,
    views_assessment,
    views_mentoring,
    views_people,
    views_programmes,
)

app_name = "development"
urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("people/<int:pk>/", views.person, name="person"),
    path("evidence/<uuid:pk>/", views.evidence_file, name="evidence_file"),
    path("feedback/", views.feedback_requests, name="feedback_requests"),
    # Programmes
    path("<slug:slug>/programmes/", views_programmes.programmes, name="programmes"),
    path("<slug:slug>/programmes/new/", views_programmes.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views_programmes.programme, name="programme"),
    path("programmes/<int:pk>/milestones/", views_programmes.milestone_add, name="milestone_add"),
    path("programmes/<int:pk>/leads/", views_programmes.programme_add_lead, name="programme_add_lead"),
    path("programmes/<int:pk>/cohorts/new/", views_programmes.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views_programmes.cohort, name="cohort"),
    path("cohorts/<int:pk>/enrol/", views_programmes.enrol, name="enrol"),
    path("enrolments/<int:pk>/", views_programmes.enrolment, name="enrolment"),
    path("enrolments/<int:pk>/review/", views_programmes.appointment_review, name="appointment_review"),
    path("enrolments/<int:pk>/status/", views_programmes.enrolment_status, name="enrolment_status"),
    path("milestones/<int:pk>/", views_programmes.milestone, name="milestone"),
    path("milestones/<int:pk>/evidence/", views_programmes.upload_evidence, name="upload_evidence"),
    path("milestones/<int:pk>/sign-off/", views_programmes.sign_off, name="sign_off"),
    path("milestones/<int:pk>/evidence-review/", views_programmes.review_evidence, name="review_evidence"),
    path("milestones/<int:pk>/due-date/", views_programmes.set_due_date, name="set_due_date"),
    # Frameworks and assessments
    path("<slug:slug>/frameworks/", views_people.frameworks, name="frameworks"),
    path("<slug:slug>/frameworks/load/", views_people.framework_upload, name="framework_upload"),
    path("frameworks/<int:pk>/", views_people.framework, name="framework"),
    path("frameworks/<int:pk>/file/", views_people.framework_download, name="framework_download"),
    path("people/<int:pk>/assessments/new/", views_assessment.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views_assessment.assessment, name="assessment"),
    path("assessments/<int:pk>/self/", views_assessment.self_assessment, name="self_assessment"),
    path("assessments/<int:pk>/invite/", views_assessment.invite_raters, name="invite_raters"),
    path("assessments/<int:pk>/approve/", views_assessment.approve_raters, name="approve_raters"),
    path("assessments/<int:pk>/close/", views_assessment.close_assessment, name="close_assessment"),
    path("assessments/<int:pk>/void/", views_assessment.void_assessment, name="void_assessment"),
    path("feedback/<uuid:pk>/", views_assessment.give_feedback, name="give_feedback"),
    # Learning records, career conversations and the pathway
    path("people/<int:pk>/learning/new/", views_people.learning_create, name="learning_create"),
    path("<slug:slug>/learning/", views_people.learning_overview, name="learning_overview"),
    path("people/<int:pk>/plans/new/", views_people.plan_create, name="plan_create"),
    path("<slug:slug>/pathway/", views_people.pathway, name="pathway"),
    path("<slug:slug>/pathway/diversity/", views_people.pathway_diversity, name="pathway_diversity"),
    # Coaching and mentoring
    path("<slug:slug>/mentors/", views_mentoring.mentor_pool, name="mentor_pool"),
    path("<slug:slug>/mentors/add/", views_mentoring.mentor_add, name="mentor_add"),
    path("people/<int:pk>/mentors/", views_mentoring.mentor_suggestions, name="mentor_suggestions"),
    path("people/<int:pk>/mentoring/new/", views_mentoring.agreement_create, name="agreement_create"),
    path("mentoring/<int:pk>/", views_mentoring.agreement, name="agreement"),
    path("mentoring/<int:pk>/sessions/", views_mentoring.log_session, name="log_session"),
    path("mentoring/<int:pk>/end/", views_mentoring.end_agreement, name="end_agreement"),
    path("mentoring/<int:pk>/consent/", views_mentoring.consent_agreement, name="consent_agreement"),
    path("mentoring/<int:pk>/feedback/", views_mentoring.agreement_feedback, name="agreement_feedback"),
]
