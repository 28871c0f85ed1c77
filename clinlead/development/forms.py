"""Forms for development pages. Checks that need the database live in the services; a form
only shapes and reads what was typed. Rendered with `{% nhsuk_field %}` (NHS.UK markup)."""

from datetime import date

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.html import format_html, format_html_join

from clinlead import custody
from clinlead.development.frameworks import current_frameworks
from clinlead.development.models import AppointmentReview, Dimension, Framework, Milestone
from clinlead.development.models_people import DevelopmentPlan, LearningRecord, Offer, Readiness
from clinlead.development.uploads import ALLOWED_TEXT, MAX_BYTES
from clinlead.org.models import Position, PositionLevel, PositionReadiness

DATE_HINT = "For example, 2026-03-27"
FILE_HINT = f"{ALLOWED_TEXT}, up to {MAX_BYTES // (1024 * 1024)} MB"
FILE_ERRORS = {"empty": "The file is empty", "invalid": "Select a file to upload"}


def _date(label, **kwargs):
    return forms.DateField(label=label, help_text=DATE_HINT, widget=forms.DateInput(attrs={"type": "date"},
                                                                                   format="%Y-%m-%d"), **kwargs)


class DimensionChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.framework.name})"


def _dimensions_of(organisation):
    ids = [f.pk for f in current_frameworks(organisation=organisation)]
    return Dimension.objects.filter(framework_id__in=ids).select_related("framework").order_by(
        "framework__name", "order")


class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    length_months = forms.IntegerField(label="Length in months", min_value=1, max_value=120, initial=36)
    framework = forms.ModelChoiceField(queryset=Framework.objects.none(), required=False,
                                       label="Framework it develops against")
    use_onboarding_template = forms.BooleanField(
        required=False, initial=True, label="Start from the three-year onboarding milestones")
    ends_with_appointment_review = forms.BooleanField(
        required=False, initial=True, label="Ends with a permanent-appointment review")
    min_months_before_review = forms.IntegerField(
        label="Months in the programme before the review can open", min_value=1, max_value=120, initial=36,
        help_text="Pauses do not count")
    panel_size = forms.IntegerField(label="Review panel size", min_value=1, max_value=9, initial=3,
                                    help_text="Programme leads and talent admins; the majority decides")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [f.pk for f in current_frameworks(organisation=organisation)]
        self.fields["framework"].queryset = Framework.objects.filter(pk__in=ids)


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Milestone.Kind.choices)
    completion = forms.ChoiceField(label="How it is completed", choices=Milestone.Completion.choices,
                                   widget=forms.RadioSelect)
    due_month = forms.IntegerField(label="Due by month", min_value=1, max_value=120,
                                   help_text="Months after enrolment")
    apply_to_current = forms.BooleanField(
        required=False, label="Add it to everyone now in progress or paused on the programme",
        help_text="Without this, only people enrolled from now on get it. Finished and withdrawn enrolments never do.")


class StaffNumberForm(forms.Form):
    staff_number = forms.CharField(max_length=30, label="Staff number")
    enrolled_on = _date("Enrolled from (optional)", required=False)


class CohortForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For example, 2026 intake")
    starts_on = _date("Starts on", initial=date.today)


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Evidence file", help_text=FILE_HINT, required=False,
                           error_messages=FILE_ERRORS)


class SignOffForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)")


class AppointmentReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision as a panel member", choices=AppointmentReview.Decision.choices,
                                 widget=forms.RadioSelect)
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Your reasons")


class EvidenceReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept: the milestone is complete"),
                                          ("return", "Return it to the person, with the reason")],
                                 widget=forms.RadioSelect, label="Your review of the evidence")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason (needed to return it)")


class DueDateForm(forms.Form):
    due_on = _date("This person's own due date")
    reason = forms.CharField(max_length=500, label="Reason (for example, part-time or leave)")


class EnrolmentStatusForm(forms.Form):
    change = forms.ChoiceField(choices=[("pause", "Pause (leave, illness)"), ("resume", "Resume"),
                                        ("withdraw", "Withdraw from the programme")], widget=forms.RadioSelect)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason (needed to pause or withdraw)")


class StartAssessmentForm(forms.Form):
    framework = forms.ModelChoiceField(queryset=Framework.objects.none(), widget=forms.RadioSelect,
                                       empty_label=None)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [f.pk for f in current_frameworks(organisation=organisation)]
        self.fields["framework"].queryset = Framework.objects.filter(pk__in=ids)


class ScoresForm(forms.Form):
    """One rating per dimension of the assessment's framework."""

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(score), f"{score} – {label}") for score, label in assessment.framework.scale()]
        for d in assessment.framework.dimensions.all():
            # The framework's own behaviour statements, in its own order, under the dimension's name.
            hint = format_html('<ul class="nhsuk-list nhsuk-list--bullet clinlead-behaviours">{}</ul>',
                               format_html_join("", "<li>{}</li>", ((b,) for b in d.behaviours))) if d.behaviours else ""
            self.fields[f"d{d.pk}"] = forms.ChoiceField(label=d.name, choices=choices, widget=forms.RadioSelect,
                                                        help_text=hint)
        self.dimension_ids = [d.pk for d in assessment.framework.dimensions.all()]

    def scores(self):
        return {pk: int(self.cleaned_data[f"d{pk}"]) for pk in self.dimension_ids}


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(label="Framework file (.json)", error_messages=FILE_ERRORS,
                           help_text="A clinlead-framework-1 file, up to 1 MB: a new framework, or a new version of "
                                     "one already loaded (download the current version below to start from it)")


class ApproveRatersForm(custody.CustodiansForm):
    """Approve the proposed raters (ticking any to decline); the first approval also chooses the
    custodian's passphrase for the key file that keeps the answers sealed until close."""

    decline = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                        label="Decline these proposed raters")

    field_order = ["decline", "passphrase_1", "passphrase_2"]

    def __init__(self, *args, pending=(), needs_custody=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decline"].choices = [(str(i.pk), f"{i.rater.full_name} ({i.get_rater_group_display().lower()})")
                                          for i in pending]
        if not needs_custody:
            del self.fields["passphrase_1"], self.fields["passphrase_2"]

    def passphrases(self):
        return super().passphrases() if "passphrase_1" in self.fields else None


class VoidForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             label="Why is this 360 voided?")


class InviteForm(forms.Form):
    manager = forms.BooleanField(required=False)
    direct_reports = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                               label="Direct reports")
    peers = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Peers",
                            help_text="Staff numbers of the peers to invite, separated by commas or new lines")

    def __init__(self, *args, leader=None, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        if leader is None:
            del self.fields["manager"]
        else:
            self.fields["manager"].label = f"Invite my line manager, {leader.full_name}"
        self.fields["direct_reports"].choices = [(str(p.pk), p.full_name) for p in reports]
        if not reports:
            del self.fields["direct_reports"]

    def peer_numbers(self):
        text = self.cleaned_data.get("peers", "").replace(",", "\n")
        return [x.strip() for x in text.splitlines() if x.strip()]


class LearningRecordForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="For example, a regional leadership programme or an MBA")
    kind = forms.ChoiceField(choices=LearningRecord.Kind.choices)
    provider = forms.CharField(max_length=200, required=False)
    started_on = _date("Started on", required=False)
    completed_on = _date("Completed on", required=False)
    dimensions = DimensionChoiceField(queryset=Dimension.objects.none(), required=False,
                                      label="Framework dimensions it develops")
    file = forms.FileField(label="Evidence (optional)", help_text=FILE_HINT, required=False,
                           error_messages=FILE_ERRORS)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimensions"].queryset = _dimensions_of(organisation)


class MentorPoolForm(forms.Form):
    staff_number = forms.CharField(max_length=30, label="Staff number")
    mentoring = forms.BooleanField(required=False, initial=True, label="Offers mentoring")
    coaching = forms.BooleanField(required=False, label="Offers coaching")
    capacity = forms.IntegerField(min_value=1, max_value=10, initial=2, label="How many people at a time")
    interests = forms.CharField(max_length=300, required=False,
                                help_text="Comma-separated, for example: quality improvement, finance")


class SuggestionsForm(forms.Form):
    kind = forms.ChoiceField(choices=Offer.choices, widget=forms.RadioSelect, initial=Offer.MENTORING,
                             label="Looking for")
    interests = forms.CharField(max_length=300, required=False, label="Interests",
                                help_text="Comma-separated; starts from the focus of the current plan")


class AgreementForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Offer.choices, widget=forms.HiddenInput)
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What the mentee wants from it")


class SessionForm(forms.Form):
    held_on = _date("Held on", initial=date.today)
    minutes = forms.IntegerField(min_value=5, max_value=600, initial=60, label="Length in minutes")
    private_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                    label="Private notes", help_text="Only the two of you can read these")


class MentoringFeedbackForm(forms.Form):
    usefulness = forms.ChoiceField(choices=[(str(i), str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
                                   label="How useful was it?", help_text="1 not at all, 5 very")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    conversation_on = _date("Date of the career conversation", initial=date.today)
    impact = forms.ChoiceField(choices=DevelopmentPlan.Impact.choices, widget=forms.RadioSelect)
    aspiration = forms.ChoiceField(choices=DevelopmentPlan.Aspiration.choices, widget=forms.RadioSelect,
                                   label="Growth aspiration")
    target_level = forms.ModelChoiceField(queryset=PositionLevel.objects.none(), required=False,
                                          label="Leadership level aimed at")
    readiness = forms.ChoiceField(choices=Readiness.choices, widget=forms.RadioSelect)
    position = forms.ModelChoiceField(
        queryset=Position.objects.none(), label="Readiness for which position",
        help_text="Readiness is kept once per person and position and shared with the succession pool: what "
                  "you record here shows in the pool, and the pool's shows here. Positions with a readiness "
                  "already recorded (a pool the person is in, or an earlier conversation) come first.")
    next_steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Agreed next steps")
    focus_dimensions = DimensionChoiceField(queryset=Dimension.objects.none(), required=False,
                                            label="Dimensions to focus on")

    def __init__(self, *args, organisation, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_level"].queryset = PositionLevel.objects.filter(organisation=organisation)
        self.fields["focus_dimensions"].queryset = _dimensions_of(organisation)
        assessed = PositionReadiness.objects.filter(person=person, position=OuterRef("pk"))
        self.fields["position"].queryset = (
            Position.objects.filter(organisation=organisation, active=True).select_related("level")
            .annotate(assessed=Exists(assessed)).order_by("-assessed", "-level__rank", "title"))
        self.fields["position"].label_from_instance = (
            lambda p: f"{p.title} (readiness already recorded)" if p.assessed else p.title)
