from django import forms

from clinlead.surveys.models import COMMENT_MAX_LENGTH
from clinlead.validation import parse_id


class CycleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="For example, 2026")
    opens_on = forms.DateField(label="Opens on", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "nhsuk-input nhsuk-input--width-10"}))
    closes_on = forms.DateField(label="Closes on", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "nhsuk-input nhsuk-input--width-10"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-10"


class PastCyclesForm(forms.Form):
    file = forms.FileField(label="Past responses (.csv)", help_text="One row per response, in the analyst format.")


_ITEM_FORMS = {}


def _item_form_class(instrument):
    """The questionnaire part of the form, built once per instrument (any number of items)."""
    key = (instrument.id, instrument.version)
    if key not in _ITEM_FORMS:
        fields = {}
        scale = [(str(p.value), p.label) for p in instrument.scale]
        for item in instrument.items:
            fields[item.id] = forms.TypedChoiceField(
                label=item.text, choices=scale, coerce=int, required=False, widget=forms.RadioSelect, empty_value=None)
        for wellbeing in (instrument.burnout, instrument.satisfaction):
            fields[wellbeing.id] = forms.TypedChoiceField(
                label=wellbeing.text, choices=[(str(o.value), o.label) for o in wellbeing.options], coerce=int,
                required=False, widget=forms.RadioSelect, empty_value=None)
        if instrument.comment:
            fields["comment"] = forms.CharField(label=instrument.comment.prompt, required=False, max_length=COMMENT_MAX_LENGTH,
                                                widget=forms.Textarea(attrs={"rows": 4, "class": "nhsuk-textarea"}))
        _ITEM_FORMS[key] = type("AnswerForm", (forms.Form,), fields)
    return _ITEM_FORMS[key]


def posted_answers(instrument, data):
    """The posted answers, cleaned as the answer form would clean them, or None when anything
    is not a valid choice (the full form is then built to say what). A form copies all its
    fields for every request; on the busiest POST of the year that is most of the work."""
    cleaned = {}
    questions = [(item.id, instrument.scale) for item in instrument.items]
    questions += [(w.id, w.options) for w in (instrument.burnout, instrument.satisfaction)]
    for name, points in questions:
        value = data.get(name, "")
        if value == "":
            cleaned[name] = None
            continue
        match = [p.value for p in points if str(p.value) == value]
        if not match:
            return None
        cleaned[name] = match[0]
    leader = data.get("leader", "")
    if leader and parse_id(leader) is None:
        return None
    cleaned["leader"] = parse_id(leader)
    if instrument.comment:
        comment = data.get("comment", "").strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            return None
        cleaned["comment"] = comment
    return cleaned


def asked_once(instrument, cleaned, data):
    """How many questions are left unanswered, when the respondent has not yet been asked about
    them; None when the answers may be sent.

    A survey with unanswered questions is shown again once, with its answers kept, saying how
    many are unanswered; sent again (the form then carries `unanswered_seen`, the number it was
    told), it goes. Leaving out more than that asks again. A blank survey is asked about too: a
    link is single-use, so a slip of the button must not use it up unawares.
    """
    questions = [item.id for item in instrument.items] + [instrument.burnout.id, instrument.satisfaction.id]
    unanswered = sum(1 for q in questions if cleaned.get(q) is None)
    seen = parse_id(data.get("unanswered_seen", ""))
    if unanswered == 0 or (seen is not None and unanswered <= seen):
        return None
    return {"count": unanswered, "of": len(questions), "blank": unanswered == len(questions)}


def answer_form(instrument, leader_choices, default_leader, data=None):
    """The survey form as shown, with the leaders the respondent may choose (`leader_choices`, a
    queryset; the service checks a changed leader against the same choices)."""
    form = _item_form_class(instrument)(data=data)
    # Read once into plain choices: a model choice field would run the query again to render.
    people = leader_choices.values_list("pk", "first_name", "last_name")
    form.fields["leader"] = forms.TypedChoiceField(
        label="Your immediate leader", choices=[(pk, f"{first} {last}") for pk, first, last in people],
        coerce=int, required=True, initial=default_leader,
        help_text="If this is not the person you report to, choose the right one.",
        widget=forms.Select(attrs={"class": "nhsuk-select"}))
    return form
