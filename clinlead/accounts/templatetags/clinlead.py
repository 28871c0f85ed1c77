from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with another page number, keeping the filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
