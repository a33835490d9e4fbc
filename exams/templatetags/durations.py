"""``{% load durations %}``: how long an attempt took, how long ago it started, time left.

Django's ``timesince`` and ``timeuntil`` count whole minutes, so anything shorter reads
"0 minutes". These filters say "under a minute" instead and otherwise use Django's wording
(at most two units: "1 hour, 5 minutes").
"""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

register = template.Library()

MINUTE = timedelta(minutes=1)


@register.filter
def duration(start: datetime | None, end: datetime | None = None) -> str:
    """From ``start`` to ``end`` (now by default): "under a minute", "2 hours, 5 minutes"."""
    if start is None:
        return ""
    end = end or timezone.now()
    if end - start < MINUTE:
        return "under a minute"
    return timesince(start, end)


@register.filter
def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``moment`` was: "less than a minute ago", "5 minutes ago"."""
    if moment is None:
        return ""
    now = now or timezone.now()
    if now - moment < MINUTE:
        return "less than a minute ago"
    return f"{timesince(moment, now)} ago"


@register.filter
def time_left(deadline: datetime | None, now: datetime | None = None) -> str:
    """Until ``deadline``: "less than a minute left", "about 25 minutes left"."""
    if deadline is None:
        return ""
    now = now or timezone.now()
    if deadline - now < MINUTE:
        return "less than a minute left"
    return f"about {timeuntil(deadline, now)} left"
