"""Where Clinlead holds something that points at a person or a login, and what an export and an
erasure do with it: the one list, which docs/data-subject-requests.md explains and which
tests/subjects check against every foreign key to `org.Person` and `accounts.User`.

Each key is "app_label.Model.field"; the value is (the export's section, or None when the
export leaves it out, and what an erasure does).
"""

KEPT = "kept, pointing at the pseudonymous record"
DELETED = "deleted"

HOLDINGS = {
    # Identity, login and roles.
    "accounts.User.person": ("login", "login deleted (its role grants with it)"),
    "accounts.RoleGrant.user": ("roles", DELETED),
    "accounts.ApiToken.created_by": (None, "kept; the login it named is gone (another's tool)"),
    "subjects.LegalHold.person": (
        "legal_holds",
        "erasure refused while one is in force; lifted ones kept",
    ),
    "subjects.LegalHold.placed_by": (None, KEPT),
    "org.Demographics.person": ("special_category", DELETED),
    # The organisation chart: kept so that surveys and ballots taken on a past day still add up.
    "org.UnitMembership.person": ("organisation", KEPT),
    "org.ReportingLine.person": ("organisation", KEPT),
    "org.ReportingLine.leader": ("organisation", KEPT),
    "org.Appointment.person": ("positions", KEPT),
    "org.PartnerRole.person": ("positions", KEPT),
    "org.HrImport.applied_by": (None, "kept; names in its journal replaced by the pseudonym"),
    "org.HrImport.reversed_by": (None, "kept; names in its journal replaced by the pseudonym"),
    "org.PositionReadiness.person": ("succession", DELETED),
    "org.PositionReadiness.assessed_by": (None, KEPT),
    "org.ReadinessRecord.assessed_by": (None, KEPT),
    # Succession.
    "succession.PoolCandidate.person": (
        "succession",
        "removed from the pool (pool counts updated)",
    ),
    "succession.PoolCandidate.nominated_by": (None, KEPT),
    "succession.SuccessionPool.created_by": (None, KEPT),
    "succession.IncumbentPlan.updated_by": (None, KEPT),
    # Selection: the ballot papers and the count name candidates, so those rows stay.
    "selection.Vacancy.opened_by": (None, KEPT),
    "selection.Elector.person": ("selection", KEPT),
    "selection.VoterRecord.person": ("selection", KEPT),
    "selection.Candidate.person": (
        "selection",
        "kept, statement cleared; the count names the pseudonym",
    ),
    "selection.Candidate.nominated_by": (None, KEPT),
    "selection.InterviewAttendance.person": ("selection", KEPT),
    "selection.InterviewAttendance.recorded_by": (None, KEPT),
    "selection.CommitteeMember.person": (
        "selection",
        "kept with the vote and rationale; conflict details cleared",
    ),
    "selection.CommitteeMember.appointed_by": (None, KEPT),
    # Surveys and the leader index: answers carry no person (docs/secrecy.md).
    "surveys.Invitation.person": ("surveys", KEPT),
    "surveys.Invitation.leader": (
        None,
        "cleared when the cycle closed; an open cycle refuses erasure",
    ),
    "surveys.Response.leader": (
        None,
        "kept: anonymous answers about a leader, shown only as figures",
    ),
    "surveys.Comment.leader": (None, "kept: anonymous comments for a leader"),
    "leaderindex.LeaderResult.leader": ("leader_index", KEPT),
    # Development.
    "development.Assessment.person": ("development", "deleted, with its feedback"),
    "development.Assessment.created_by": (None, KEPT),
    "development.FeedbackInvitation.rater": ("development", KEPT),
    "development.LearningRecord.person": ("development", DELETED),
    "development.LearningRecord.recorded_by": (None, KEPT),
    "development.MentorProfile.person": ("development", DELETED),
    "development.MentoringAgreement.mentor": ("development", "kept for the mentee"),
    "development.MentoringAgreement.mentee": (
        "development",
        "deleted, with its sessions and feedback",
    ),
    "development.DevelopmentPlan.person": ("development", DELETED),
    "development.DevelopmentPlan.recorded_by": (None, KEPT),
    "development.ProgrammeLead.person": ("roles", DELETED),
    "development.Enrolment.person": (
        "development",
        "deleted, with its milestones, review and panel votes",
    ),
    "development.MilestoneRecord.signed_off_by": (None, KEPT),
    "development.EvidenceFile.person": (
        "development",
        "deleted, and the file unless another record uses it",
    ),
    "development.EvidenceFile.uploaded_by": (None, KEPT),
    "development.AppointmentReview.decided_by": (None, KEPT),
    "development.PanelVote.member": ("development", "kept for the enrolled person's record"),
    # Evaluation holds organisations' figures, not people.
    "evaluation.PrimaryOutcome.registered_by": (None, KEPT),
    "evaluation.PrimaryOutcome.locked_by": (None, KEPT),
    # The audit trail: events are kept; the person's name, e-mail and staff number in them are not.
    "audit.AuditEvent.actor": ("audit", "kept, labelled with the pseudonym"),
}
