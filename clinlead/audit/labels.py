"""What the audit log calls each action and how it shows the values it recorded.

Actions are recorded under machine names (`succession.candidate_nominated`); people read the
label here ("Candidate nominated to a succession pool"). Every action name used in Clinlead's code
has a label (tests/audit/test_audit_labels.py reads the code to check it): a new action needs a
line here.
"""

from datetime import date, datetime

from clinlead.analytics.metric_catalogue import METRICS

ACTION_LABELS = {
    "accounts.api_token_created": "API token created",
    "accounts.api_token_revoked": "API token revoked",
    "accounts.role_granted": "Role granted",
    "accounts.role_revoked": "Role revoked",
    "accounts.sso_login_created": "Login created at first single sign-on",
    "audit.exported": "Audit log exported",
    "demo.loaded": "Demo data loaded",
    "development.appointment_review_decided": "Permanent-appointment review decided",
    "development.assessment_closed": "360 assessment closed",
    "development.assessment_started": "360 assessment started",
    "development.assessment_voided": "360 assessment voided",
    "development.career_conversation_recorded": "Career conversation recorded",
    "development.cohort_created": "Cohort created",
    "development.due_date_set": "Milestone due date set",
    "development.enrolled": "Enrolled on a programme",
    "development.enrolment_paused": "Enrolment paused",
    "development.enrolment_resumed": "Enrolment resumed",
    "development.enrolment_withdrawn": "Enrolment withdrawn",
    "development.evidence_reviewed": "Milestone evidence reviewed",
    "development.evidence_uploaded": "Milestone evidence uploaded",
    "development.feedback_given": "360 feedback given",
    "development.framework_loaded": "Competency framework loaded",
    "development.learning_recorded": "Learning recorded",
    "development.mentoring_consented": "Mentee agreed to mentoring",
    "development.mentoring_ended": "Mentoring ended",
    "development.mentoring_feedback_given": "Mentoring feedback given",
    "development.mentoring_session_logged": "Mentoring session logged",
    "development.mentoring_started": "Mentoring started",
    "development.milestone_added": "Milestone added",
    "development.milestone_reminders_sent": "Milestone reminders sent",
    "development.milestone_signed_off": "Milestone signed off",
    "development.programme_created": "Programme created",
    "development.programme_lead_added": "Programme lead added",
    "development.programme_lead_removed": "Programme lead removed",
    "development.raters_approved": "360 raters approved",
    "development.raters_proposed": "360 raters proposed",
    "development.review_panel_vote": "Review panel vote recorded",
    "development.self_assessment_submitted": "Self-assessment submitted",
    "evaluation.created": "Evaluation set up",
    "evaluation.primary_outcome_registered": "Primary outcome named",
    "evaluation.primary_outcome_locked": "Primary outcome locked",
    "evaluation.figures_imported": "Evaluation figures imported",
    "evaluation.leader_index_taken": "Leader index taken into an evaluation",
    "evaluation.metric_added": "Metric added to the catalogue",
    "evaluation.results_computed": "Evaluation results computed",
    "evaluation.updated": "Evaluation set-up changed",
    "hr.extract_imported": "HR extract imported",
    "hr.import_reversed": "HR import reversed",
    "leaderindex.cycle_imported": "Leader index results imported",
    "leaderindex.cycle_published": "Leader index results published",
    "leaderindex.cycle_republished": "Leader index results published again",
    "org.organisation_created": "Organisation created",
    "org.readiness_assessed": "Readiness for a position recorded",
    "selection.appointment_made": "Appointment made",
    "selection.ballot_cast": "Ballots cast",
    "selection.ballot_closed": "Ballot closed",
    "selection.ballot_extended": "Ballot extended",
    "selection.ballot_failed": "Ballot failed",
    "selection.ballot_rescheduled": "Ballot rescheduled",
    "selection.ballot_scheduled": "Ballot scheduled",
    "selection.ballots_counted": "Ballots counted",
    "selection.cancelled": "Selection cancelled",
    "selection.candidate_nominated": "Candidate nominated for a selection",
    "selection.candidate_withdrawn": "Candidate withdrew from a selection",
    "selection.casting_vote_given": "Casting vote given",
    "selection.close_reminder_sent": "Ballot closing reminder sent",
    "selection.committee_chair_named": "Committee chair named",
    "selection.committee_member_added": "Committee member added",
    "selection.committee_member_removed": "Committee member removed",
    "selection.committee_vote_recorded": "Committee vote recorded",
    "selection.interest_declared": "Committee member declared interests",
    "selection.interview_attended": "Interview attendance recorded",
    "selection.interview_scheduled": "Interview scheduled",
    "selection.nominations_closed": "Nominations closed",
    "selection.nominations_reopened": "Nominations reopened",
    "selection.policy_saved": "Selection rules saved",
    "selection.recount_file_downloaded": "Recount file downloaded",
    "selection.statement_updated": "Candidate statement updated",
    "selection.vacancy_opened": "Vacancy opened",
    "subjects.legal_hold_lifted": "Legal hold lifted",
    "subjects.legal_hold_placed": "Legal hold placed",
    "subjects.person_erased": "Person erased (identity replaced by a pseudonym)",
    "subjects.person_exported": "Person's data exported (subject access request)",
    "succession.candidate_nominated": "Candidate nominated to a succession pool",
    "succession.candidate_removed": "Candidate removed from a succession pool",
    "succession.candidate_updated": "Succession candidate updated",
    "succession.departure_planned": "Planned departure recorded",
    "succession.monitor_settings_changed": "Succession monitor settings changed",
    "succession.monitor_snapshot_taken": "Succession monitor snapshot taken",
    "succession.pool_created": "Succession pool created",
    "succession.term_limit_exception": "Term limit exception recorded",
    "succession.term_warning_sent": "Term-ending warning sent",
    "surveys.answers_coarsened": "Survey answers coarsened",
    "surveys.answers_deleted_for_retention": "Survey answers deleted (retention period over)",
    "surveys.answers_received": "Survey answers received",
    "surveys.cycle_abandoned": "Survey abandoned",
    "surveys.cycle_closed": "Survey closed",
    "surveys.cycle_created": "Survey created",
    "surveys.cycle_opened": "Survey opened",
    "surveys.progress_counted": "Survey response rates counted",
    "surveys.reminders_sent": "Survey reminders sent",
}

# Recorded values that are metric codes: shown by the catalogue's name for them.
METRIC_KEYS = {"metric", "metrics"}


def action_label(action):
    """The action in words; an unknown name (an older release's) as it was recorded."""
    return ACTION_LABELS.get(action, action)


def actions_matching(words):
    """Action names whose label or name contains `words` (the audit log's search)."""
    words = words.casefold()
    return [name for name, label in ACTION_LABELS.items()
            if words in label.casefold() or words in name]


def key_label(key):
    return str(key).replace("_", " ").capitalize()


def value_text(key, value):
    """One recorded value for people: lists joined, Yes/No, dates as dates, metric names."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{key_label(k)}: {value_text(k, v)}" for k, v in value.items())
    if key in METRIC_KEYS and value in METRICS:
        return METRICS[value].label
    if isinstance(value, str):
        return _date_text(value)
    return str(value)


def _date_text(text):
    try:
        if len(text) == 10:
            return f"{date.fromisoformat(text):%-d %B %Y}"
        if len(text) >= 19 and text[10] == "T":
            return f"{datetime.fromisoformat(text):%-d %B %Y, %H:%M}"
    except ValueError:
        pass
    return text


def details(*, before, after):
    """[(label, text)] for an event's recorded values: each `after` value, with what it was
    when `before` holds a different one, and each value only in `before` as what it was."""
    before, after = before or {}, after or {}
    rows = []
    for key, value in after.items():
        text = value_text(key, value)
        if key in before and before[key] != value:
            text += f" (was {value_text(key, before[key])})"
        rows.append((key_label(key), text))
    for key, value in before.items():
        if key not in after:
            rows.append((key_label(key), f"was {value_text(key, value)}"))
    return rows
