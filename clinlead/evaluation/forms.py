from django import forms

from clinlead.analytics.did_power import CORRELATIONS
from clinlead.analytics.periods import PeriodError, parse_period
from clinlead.evaluation.models import EvaluationOrganisation, Metric
from clinlead.evaluation.services import UPLOAD_SUFFIXES, Participant
from clinlead.org.models import Organisation

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
TEXT = {"class": "nhsuk-input"}
NUMBER = {"class": "nhsuk-input nhsuk-input--width-5", "inputmode": "decimal"}
TEXTAREA = {"class": "nhsuk-textarea", "rows": 6}


class EvaluationForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs=TEXT))
    question = forms.CharField(
        label="The question it answers", required=False, widget=forms.Textarea(attrs=TEXTAREA | {"rows": 3}))
    metrics = forms.ModelMultipleChoiceField(
        label="Metrics to follow", queryset=Metric.objects.all(), widget=forms.CheckboxSelectMultiple,
        help_text="The leader index is taken from the published cycles of the Clinlead organisations taking part.")
    pilots = forms.CharField(
        label="Pilot organisations", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="One a line: name | start, or name | code | start. The start is a month (2024-07), a "
                  "quarter (2024-Q3) or a date (2024-07-15). A Clinlead organisation's name links it.")
    comparators = forms.CharField(
        label="Comparison organisations", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="One a line: name, or name | code. They need not use Clinlead: they are known by the "
                  "names (or codes) in the figures you import.")
    leads = forms.IntegerField(
        label="Event study: periods before the start", min_value=1, max_value=36, initial=6,
        widget=forms.NumberInput(attrs=NUMBER))
    lags = forms.IntegerField(
        label="Event study: periods after the start", min_value=0, max_value=60, initial=12,
        widget=forms.NumberInput(attrs=NUMBER))

    @staticmethod
    def initial_for(evaluation):
        rows = list(evaluation.organisations.all())
        return {
            "name": evaluation.name, "question": evaluation.question, "metrics": list(evaluation.metrics.all()),
            "pilots": "\n".join(" | ".join(x for x in (p.name, p.code, p.start) if x) for p in rows if p.is_pilot),
            "comparators": "\n".join(" | ".join(x for x in (p.name, p.code) if x) for p in rows if not p.is_pilot),
            "leads": evaluation.leads, "lags": evaluation.lags,
        }

    def clean_pilots(self):
        return self._lines("pilots", EvaluationOrganisation.Role.PILOT)

    def clean_comparators(self):
        return self._lines("comparators", EvaluationOrganisation.Role.COMPARATOR)

    def _lines(self, field, role):
        clinlead = {}
        for org in Organisation.objects.all():
            clinlead[org.name.casefold()] = clinlead[org.slug.casefold()] = org
        participants, errors = [], []
        pilot = role == EvaluationOrganisation.Role.PILOT
        for number, line in enumerate(self.cleaned_data[field].splitlines(), start=1):
            parts = [part.strip() for part in line.split("|")]
            if not any(parts):
                continue
            expected = (2, 3) if pilot else (1, 2)
            if len(parts) not in expected or not parts[0]:
                shape = "name | start, or name | code | start" if pilot else "name, or name | code"
                errors.append(f"Line {number}: write {shape}")
                continue
            name, code, start = parts[0], "", ""
            if pilot:
                code, start = (parts[1] if len(parts) == 3 else ""), parts[-1]
                try:
                    start = parse_period(text=start).label
                except PeriodError as exc:
                    errors.append(f"Line {number}: the start of {name}: {exc}")
                    continue
            elif len(parts) == 2:
                code = parts[1]
            org = clinlead.get(name.casefold())
            participants.append(Participant(name=org.name if org else name, role=role, start=start, code=code,
                                            organisation=org))
        if errors:
            raise forms.ValidationError(errors)
        return participants


class UploadForm(forms.Form):
    file = forms.FileField(label="Figures (.csv or .xlsx)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB")
        return upload


class MetricForm(forms.Form):
    name = forms.RegexField(
        regex=r"^[a-z][a-z0-9_]{1,59}$", max_length=60, widget=forms.TextInput(attrs=TEXT),
        help_text="As files name it in their metric column: lower-case letters, digits and _, e.g. "
                  "ed_four_hour_pct",
        error_messages={"invalid": "Use lower-case letters, digits and _ only, starting with a letter"})
    label = forms.CharField(max_length=200, widget=forms.TextInput(attrs=TEXT))
    definition = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA | {"rows": 3}),
                                 help_text="What is counted, and out of what.")
    unit = forms.CharField(max_length=60, widget=forms.TextInput(attrs=TEXT | {"class": "nhsuk-input nhsuk-input--width-20"}),
                           help_text="e.g. percentage points, per 10,000 bed days")
    direction = forms.ChoiceField(label="Which way is good", choices=Metric.Direction.choices,
                                  widget=forms.RadioSelect)
    source = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA | {"rows": 2}),
                             help_text="Where the figures come from.")


class PlanForm(forms.Form):
    n_pilots = forms.IntegerField(label="Pilot organisations", min_value=1, max_value=200, initial=3,
                                  widget=forms.NumberInput(attrs=NUMBER))
    n_comparators = forms.IntegerField(label="Comparison organisations", min_value=1, max_value=500, initial=8,
                                       widget=forms.NumberInput(attrs=NUMBER))
    periods_before = forms.IntegerField(label="Periods before the start", min_value=1, max_value=240, initial=18,
                                        widget=forms.NumberInput(attrs=NUMBER))
    periods_after = forms.IntegerField(label="Periods after the start", min_value=1, max_value=240, initial=18,
                                       widget=forms.NumberInput(attrs=NUMBER))
    sd = forms.FloatField(
        label="Spread of one organisation's figure (standard deviation)", min_value=0.000001, initial=3.0,
        widget=forms.NumberInput(attrs=NUMBER | {"step": "any"}),
        help_text="In the metric's unit, once changes shared by every organisation are taken out: for "
                  "example 3 for a mortality index that wanders about 3 points from month to month.")
    serial_correlation = forms.FloatField(
        label="Correlation between neighbouring periods", min_value=-0.99, max_value=0.99, initial=0.4,
        widget=forms.NumberInput(attrs=NUMBER | {"step": "any"}),
        help_text="How alike one period's figure is to the next, from -0.99 to 0.99; 0.4 is typical "
                  "for monthly hospital figures.")
    correlation = forms.ChoiceField(
        label="Correlation pattern", initial="ar1", widget=forms.RadioSelect,
        choices=[(c, {"ar1": "Fading with distance (AR(1))",
                      "exchangeable": "The same between any two periods (exchangeable)"}[c]) for c in CORRELATIONS])
    alpha = forms.FloatField(label="Significance level (two-sided)", min_value=0.001, max_value=0.5, initial=0.05,
                             widget=forms.NumberInput(attrs=NUMBER | {"step": "any"}))
    power = forms.FloatField(label="Power", min_value=0.5, max_value=0.99, initial=0.8,
                             widget=forms.NumberInput(attrs=NUMBER | {"step": "any"}))
    target_effect = forms.FloatField(
        label="Effect you want to be able to detect (optional)", required=False,
        widget=forms.NumberInput(attrs=NUMBER | {"step": "any"}),
        help_text="In the metric's unit; the calculator then says how many comparison organisations it needs.")

    metric = forms.ChoiceField(
        label="Plan from your own history of (optional)", required=False,
        help_text="The verdict's power is then simulated from this metric's figures before any "
                  "pilot started, in your evaluations; without it, from a generic panel.")

    def __init__(self, *args, metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "None: a generic panel")] + [
            (str(m.pk), m.label) for m in metrics]
        self.metrics = {str(m.pk): m for m in metrics}

    def clean(self):
        data = super().clean()
        data["metric"] = self.metrics.get(data.get("metric") or "")
        if data.get("correlation") == "exchangeable" and (data.get("serial_correlation") or 0) < 0:
            self.add_error("serial_correlation", "With the same correlation between any two periods it must be 0 or more")
        if data.get("target_effect") == 0:
            self.add_error("target_effect", "Give an effect other than 0, or leave it empty")
        return data


class PrimaryOutcomeForm(forms.Form):
    metric = forms.ModelChoiceField(
        label="Primary outcome", queryset=Metric.objects.none(), widget=forms.RadioSelect, empty_label=None,
        help_text="The one metric the evaluation is judged on. The others are secondary: their p-values are "
                  "adjusted for being several.")
    rationale = forms.CharField(label="Why this outcome (optional)", required=False,
                                widget=forms.Textarea(attrs=TEXTAREA | {"rows": 3}))

    def __init__(self, *args, evaluation, registration=None, **kwargs):
        if registration is not None:
            kwargs.setdefault("initial", {"metric": registration.metric, "rationale": registration.rationale})
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = evaluation.metrics.order_by("label")
