from decimal import Decimal

from django import forms

from clinlead.org.models import PositionLevel, Profession, Unit
from clinlead.succession.models import MonitorSettings, Readiness
from clinlead.succession.search import LEADER_INDEX_BANDS, PROGRESS_BANDS
from clinlead.succession.selectors import person_in

INPUT = {"class": "nhsuk-input"}
SHORT = {"class": "nhsuk-input nhsuk-input--width-10"}
SELECT = {"class": "nhsuk-select"}
TEXT = {"class": "nhsuk-textarea", "rows": 3}
DATE = {"class": "nhsuk-input nhsuk-input--width-10", "type": "date"}


def _readiness():
    return forms.ChoiceField(label="Readiness", choices=Readiness.choices, widget=forms.Select(attrs=SELECT),
                             help_text="One readiness per person and position, shared with their career "
                                       "conversations: the newest assessment counts, and each is kept in its history.")


def _text(label, help_text=""):
    return forms.CharField(label=label, required=False, max_length=4000, help_text=help_text,
                           widget=forms.Textarea(attrs=TEXT))


def _sessions(label):
    return forms.DecimalField(label=label, min_value=Decimal(0), max_value=Decimal(12), decimal_places=1,
                              widget=forms.NumberInput(attrs={**SHORT, "step": "0.5"}))


class PersonByStaffNumber(forms.Form):
    staff_number = forms.CharField(label="Staff number", max_length=30, widget=forms.TextInput(attrs=SHORT),
                                   help_text="Find it with the search above, or on the person's record.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_staff_number(self):
        person = person_in(organisation=self.organisation, staff_number=self.cleaned_data["staff_number"])
        if person is None:
            raise forms.ValidationError(f"Nobody at {self.organisation} has this staff number")
        self.cleaned_data["person"] = person
        return self.cleaned_data["staff_number"]


class NominateForm(PersonByStaffNumber):
    readiness = _readiness()
    development_actions = _text("Development actions agreed", "For example, a secondment or a leadership course.")
    notes = _text("Notes")


class CandidateForm(forms.Form):
    readiness = _readiness()
    development_actions = _text("Development actions agreed")
    notes = _text("Notes")


class PlanForm(forms.Form):
    planned_departure = forms.DateField(label="Planned departure", required=False,
                                        help_text="Leave empty if the holder plans to serve the whole term.",
                                        widget=forms.DateInput(attrs=DATE))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MonitorSettings
        fields = ["risk_window_months", "over_nomination_threshold"]
        widgets = {"risk_window_months": forms.NumberInput(attrs=SHORT),
                   "over_nomination_threshold": forms.NumberInput(attrs=SHORT)}


class AppointForm(PersonByStaffNumber):
    start = forms.DateField(label="Term starts on", widget=forms.DateInput(attrs=DATE))
    management_sessions = _sessions("Management sessions a week")
    clinical_sessions = _sessions("Clinical sessions a week")
    term_limit_exception = _text("Reason for an exception to the term limit",
                                 "Needed only when this would go past the position's limit of consecutive terms.")


class ReappointForm(forms.Form):
    management_sessions = _sessions("Management sessions a week")
    clinical_sessions = _sessions("Clinical sessions a week")
    term_limit_exception = _text("Reason for an exception to the term limit",
                                 "Needed only when this would go past the position's limit of consecutive terms.")


class StartSelectionForm(forms.Form):
    reason = forms.ChoiceField(label="Why the post falls vacant", initial="term_ending",
                               choices=[("term_ending", "Term ending"), ("departure", "Departure")],
                               widget=forms.Select(attrs=SELECT))
    note = forms.CharField(label="Note", required=False, max_length=500, widget=forms.TextInput(attrs=INPUT))


class TalentSearchForm(forms.Form):
    profession = forms.ChoiceField(label="Profession", required=False, choices=[("", "Any"), *Profession.choices],
                                   widget=forms.Select(attrs=SELECT))
    unit = forms.ModelChoiceField(label="Unit", required=False, queryset=Unit.objects.none(), empty_label="Any",
                                  widget=forms.Select(attrs=SELECT))
    readiness = forms.ChoiceField(label="Readiness in any pool", required=False,
                                  choices=[("", "Any"), *Readiness.choices], widget=forms.Select(attrs=SELECT))
    level = forms.ModelChoiceField(label="In a pool at level", required=False, queryset=PositionLevel.objects.none(),
                                   empty_label="Any", widget=forms.Select(attrs=SELECT))
    leader_index_band = forms.ChoiceField(
        label="Leader index (latest published result)", required=False,
        choices=[("", "Any"), *((k, v[0]) for k, v in LEADER_INDEX_BANDS.items())], widget=forms.Select(attrs=SELECT))
    progress_band = forms.ChoiceField(
        label="Development programme progress", required=False,
        choices=[("", "Any"), *((k, v[0]) for k, v in PROGRESS_BANDS.items())], widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation, depth__lte=1).order_by("path")
        self.fields["unit"].label_from_instance = lambda u: u.path.replace("/", " › ")
        self.fields["level"].queryset = PositionLevel.objects.filter(organisation=organisation)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.fields):
            raise forms.ValidationError("Choose at least one thing to search by")
        return data


