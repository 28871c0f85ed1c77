from django import template

from clinlead.audit import labels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with another page number, keeping the filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def audit_action(action):
    """An audit action's label: "Candidate nominated to a succession pool"."""
    return labels.action_label(action)


@register.filter
def audit_details(event):
    """[(label, text)] of an audit event's recorded values, for people to read."""
    return labels.details(before=event.before, after=event.after)
