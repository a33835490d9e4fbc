"""The review count in the navigation: one indexed COUNT per page for a signed-in learner."""

from django import template
from django.utils import timezone

from study.selectors import due_count

register = template.Library()


@register.simple_tag(takes_context=True)
def review_due(context) -> int | None:
    """Cards due before the end of the learner's local day (the zone the request runs in,
    which ``accounts.middleware`` sets from the learner's profile at no query)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return None
    return due_count(user_id=user.pk, zone=timezone.get_current_timezone())
