from datetime import timedelta

from django import forms
from django.utils import timezone

from clinlead.custody import CustodiansForm
from clinlead.org.models import Position
from clinlead.selection.models import Selection, SelectionPolicy, Vacancy

DATE = {"class": "nhsuk-input nhsuk-input--width-10", "type": "date"}
DATETIME = {"class": "nhsuk-input nhsuk-input--width-20", "type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
TEXT = {"class": "nhsuk-input"}
TEXTAREA = {"class": "nhsuk-textarea", "rows": 5}
SELECT = {"class": "nhsuk-select"}
SMALL_NUMBER = {"class": "nhsuk-input nhsuk-input--width-2", "inputmode": "numeric"}


def _datetime_field(label, help_text):
    return forms.DateTimeField(label=label, help_text=help_text, input_formats=[DATETIME_FORMAT],
                               widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT))


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SelectionPolicy
        fields = ["allow_self_nomination", "interview_required_to_vote", "shortlist_size", "min_committee_votes",
                  "committee_separation", "quorum_percent"]
        widgets = {"shortlist_size": forms.NumberInput(attrs=SMALL_NUMBER),
                   "min_committee_votes": forms.NumberInput(attrs=SMALL_NUMBER),
                   "committee_separation": forms.Select(attrs=SELECT),
                   "quorum_percent": forms.NumberInput(attrs=SMALL_NUMBER)}


class OpenVacancyForm(forms.Form):
    position = forms.ModelChoiceField(queryset=Position.objects.none(), label="Position",
                                      widget=forms.Select(attrs=SELECT))
    reason = forms.ChoiceField(choices=Vacancy.Reason.choices, label="Why is it vacant?",
                               widget=forms.Select(attrs=SELECT))
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = (Position.objects.filter(organisation=organisation, active=True)
                                            .select_related("unit").order_by("title"))


class StatementForm(forms.Form):
    statement = forms.CharField(label="Your statement to staff (optional)", required=False, max_length=4000,
                                help_text="Why you are standing and what you would do in the role.",
                                widget=forms.Textarea(attrs=TEXTAREA))


class CutoffForm(forms.Form):
    cutoff = forms.DateField(label="Electorate cut-off date", initial=timezone.localdate,
                             help_text="Everyone working in the unit on this date may vote. For example, 2026-11-30",
                             widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class InterviewForm(forms.Form):
    starts_at = _datetime_field("Starts at", "Date and time, for example 2026-11-30 14:00")
    place = forms.CharField(label="Place", max_length=200, widget=forms.TextInput(attrs=TEXT))
    candidates = forms.ModelMultipleChoiceField(queryset=None, label="Candidates interviewed",
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, selection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = selection.candidates.filter(withdrawn=False).select_related("person")


class BallotScheduleForm(forms.Form):
    method = forms.ChoiceField(choices=Selection.Method.choices, label="Voting method",
                               widget=forms.RadioSelect)
    shortlist_size = forms.IntegerField(label="Shortlist size", min_value=1, max_value=20,
                                        widget=forms.NumberInput(attrs=SMALL_NUMBER))
    opens_at = _datetime_field("The ballot opens", "Date and time")
    closes_at = _datetime_field("The ballot closes", "Date and time")

    @classmethod
    def for_selection(cls, selection, data=None):
        now = timezone.localtime().replace(second=0, microsecond=0)
        return cls(data, initial={"method": selection.method, "shortlist_size": selection.shortlist_size,
                                  "opens_at": now, "closes_at": now + timedelta(days=14)})

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "The ballot must close after it opens.")
        return data


class StartForm(forms.Form):
    start = forms.DateField(label="The term starts on", initial=timezone.localdate,
                            help_text="For example, 2026-11-30", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    term_limit_exception = forms.CharField(
        label="Reason for an exception to the term limit", required=False, max_length=2000,
        help_text="Only if this term would be past the position's limit of terms in a row; it is recorded "
                  "in the audit log.", widget=forms.Textarea(attrs={"rows": 3}))


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with any candidate?", coerce=lambda v: v == "yes",
        choices=[("no", "No, I have no conflict of interest"), ("yes", "Yes, I have a conflict of interest")],
        widget=forms.RadioSelect)
    details = forms.CharField(label="Describe the conflict (if any)", required=False, max_length=2000,
                              widget=forms.Textarea(attrs=TEXTAREA))

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not data.get("details", "").strip():
            self.add_error("details", "Describe the conflict of interest.")
        return data


class CommitteeVoteForm(forms.Form):
    candidate = forms.ModelChoiceField(queryset=None, label="Your choice", widget=forms.RadioSelect,
                                       empty_label=None)
    rationale = forms.CharField(label="Your reasons", min_length=20, max_length=4000,
                                help_text="Written reasons are kept with the decision.",
                                widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, shortlist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = shortlist
        self.fields["candidate"].label_from_instance = lambda c: f"{c.shortlist_rank}. {c.person.full_name}"


class RankedBallotForm(forms.Form):
    """One numbered select per candidate: 1 for your first choice, 2 for your second, and so on.
    Works without JavaScript and on a phone."""

    def __init__(self, *args, paper, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper = paper
        choices = [("", "No preference")] + [(str(n), str(n)) for n in range(1, len(paper) + 1)]
        for candidate in paper:
            self.fields[f"c{candidate.pk}"] = forms.TypedChoiceField(
                label=candidate.person.full_name, choices=choices, required=False, coerce=int, empty_value=None,
                widget=forms.Select(attrs=SELECT))

    def clean(self):
        data = super().clean()
        numbers = {c.pk: data.get(f"c{c.pk}") for c in self.paper if data.get(f"c{c.pk}") is not None}
        used = sorted(numbers.values())
        if not used:
            raise forms.ValidationError("Give your first choice the number 1.")
        if len(set(used)) != len(used):
            raise forms.ValidationError("Use each number once: two candidates have the same number.")
        if used != list(range(1, len(used) + 1)):
            raise forms.ValidationError("Number your choices 1, 2, 3 and so on, without gaps.")
        data["preferences"] = [pk for pk, _ in sorted(numbers.items(), key=lambda item: item[1])]
        return data


class ApprovalBallotForm(forms.Form):
    def __init__(self, *args, paper, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper = paper
        self.fields["approved"] = forms.MultipleChoiceField(
            label="Tick every candidate you approve of", widget=forms.CheckboxSelectMultiple,
            choices=[(str(c.pk), c.person.full_name) for c in paper], required=False)

    def clean(self):
        data = super().clean()
        if not data.get("approved"):
            raise forms.ValidationError("Tick at least one candidate.")
        data["preferences"] = [int(pk) for pk in data["approved"]]
        return data


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(label="Your receipt code", max_length=40, help_text="For example, 7K3M-Q9XT-2BHD",
                           widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-20",
                                                         "autocomplete": "off", "spellcheck": "false"}))


class BallotCustodiansForm(CustodiansForm):
    """Who holds the ballot's key: the talent admin scheduling it and, optionally, a second
    custodian from the staff side (a scrutineer), so that neither alone can open the ballots."""

    second_custodian = forms.CharField(
        label="Second custodian's name (optional)", required=False, max_length=120,
        help_text="For example, a staff-side scrutineer. Give their passphrase below.",
        widget=forms.TextInput(attrs=TEXT))
    field_order = ["passphrase_1", "second_custodian", "passphrase_2"]

    def clean(self):
        data = super().clean()
        if data.get("second_custodian", "").strip() and not data.get("passphrase_2"):
            self.add_error("passphrase_2", "Give the second custodian's passphrase, or leave their name empty.")
        return data

    def custodians(self, actor):
        names = [str(actor)]
        if self.cleaned_data.get("passphrase_2"):
            names.append(self.cleaned_data.get("second_custodian", "").strip() or "Second custodian")
        return names


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why is the selection cancelled?", min_length=10, max_length=2000,
                             help_text="Sent to the candidates, the committee and the electorate.",
                             widget=forms.Textarea(attrs=TEXTAREA))


class BallotTimesForm(forms.Form):
    opens_at = _datetime_field("The ballot opens", "Cannot change once the ballot has opened")
    closes_at = _datetime_field("The ballot closes", "Once open, the close can only move later")

    @classmethod
    def for_selection(cls, selection, data=None):
        initial = {"opens_at": selection.opens_at, "closes_at": selection.closes_at}
        return cls(data, initial=initial)


class WithdrawalForm(forms.Form):
    reason = forms.CharField(label="Reason (required once the ballot has opened)", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}))


class CastingVoteForm(forms.Form):
    candidate = forms.ModelChoiceField(queryset=None, label="Your casting vote", widget=forms.RadioSelect,
                                       empty_label=None)
    rationale = forms.CharField(label="Your reasons", min_length=20, max_length=4000,
                                widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, tied, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = tied
        self.fields["candidate"].label_from_instance = lambda c: c.person.full_name
