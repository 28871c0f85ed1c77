"""`{% nhsuk_field form.x %}`: one form field in NHS.UK design-system markup, with its hint and
error message named in aria-describedby so screen readers announce them; `error_anchor`, the
element the error summary links to."""

from django import forms, template

register = template.Library()

INPUT_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "file": "nhsuk-file-upload__input",
    "date": "nhsuk-input nhsuk-input--width-10",
    "number": "nhsuk-input nhsuk-input--width-4",
    "input": "nhsuk-input",
}


# Most specific first: CheckboxSelectMultiple is a RadioSelect, and ClearableFileInput a FileInput.
WIDGET_KINDS = (
    (forms.HiddenInput, "hidden"),
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radios"),
    (forms.CheckboxInput, "checkbox"),
    (forms.Textarea, "textarea"),
    (forms.Select, "select"),
    (forms.FileInput, "file"),
    (forms.DateInput, "date"),
    (forms.NumberInput, "number"),
)


def _kind(widget):
    return next((kind for widget_class, kind in WIDGET_KINDS if isinstance(widget, widget_class)), "input")


@register.inclusion_tag("includes/nhsuk_field.html")
def nhsuk_field(field):
    kind = _kind(field.field.widget)
    hint_id = f"{field.auto_id}-hint" if field.help_text else ""
    error_id = f"{field.auto_id}-error" if field.errors else ""
    described = " ".join(x for x in (hint_id, error_id) if x)
    context = {"field": field, "kind": kind, "hint_id": hint_id, "error_id": error_id, "described": described}
    if kind in ("radios", "checkboxes"):
        value = field.value()
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        context["options"] = [
            {"id": f"{field.auto_id}_{i}", "value": str(v), "label": label, "checked": str(v) in chosen}
            for i, (v, label) in enumerate(field.field.choices) if str(v) != ""]
    elif kind == "checkbox":
        context["checked"] = bool(field.value())
    elif kind != "hidden":
        css = INPUT_CLASSES[kind] + (" nhsuk-input--error" if field.errors and kind != "file" else "")
        attrs = {"class": css}
        if described:
            attrs["aria-describedby"] = described
        context["widget"] = field.as_widget(attrs=attrs)
    else:
        context["widget"] = field.as_widget()
    return context


@register.filter
def error_anchor(field):
    """The id of the element a field's error in the summary links to: its input, or the first
    option of a group of radios or checkboxes (the one `nhsuk_field` gives `{auto_id}_0`)."""
    if _kind(field.field.widget) in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id

