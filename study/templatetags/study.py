"""The review count in the navigation: one indexed COUNT per page for a signed-in learner,
shared with the page itself when it shows the count too (``due_count_for_request``)."""

from django import template

from study.selectors import due_count_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def review_due(context) -> int | None:
    """Cards due before the end of the learner's local day, or None for a visitor."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return due_count_for_request(request)
