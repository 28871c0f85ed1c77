"""`{% evaluation_field form.x %}`: one form field in NHS.UK design-system markup, its hint and
error message named in aria-describedby."""

from django import forms, template

register = template.Library()

INPUT_CLASSES = {"textarea": "nhsuk-textarea", "select": "nhsuk-select", "file": "nhsuk-file-upload",
                 "number": "nhsuk-input nhsuk-input--width-5", "input": "nhsuk-input"}


def _kind(widget):
    for kind, types in (("checkboxes", forms.CheckboxSelectMultiple), ("radios", forms.RadioSelect),
                        ("textarea", forms.Textarea), ("select", forms.Select), ("file", forms.FileInput),
                        ("number", forms.NumberInput)):
        if isinstance(widget, types):
            return kind
    return "input"


@register.inclusion_tag("evaluation/includes/field.html")
def evaluation_field(field):
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
    else:
        css = " ".join(x for x in (field.field.widget.attrs.get("class") or INPUT_CLASSES[kind],
                                   "nhsuk-input--error" if field.errors and kind in ("input", "number") else "",
                                   "nhsuk-textarea--error" if field.errors and kind == "textarea" else "") if x)
        attrs = {"class": css}
        if described:
            attrs["aria-describedby"] = described
        context["widget"] = field.as_widget(attrs=attrs)
    return context
