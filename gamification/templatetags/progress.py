"""``{% load progress %}``: the learner's avatar and progress, for pages of other apps."""

from django import template
from django.templatetags.static import static
from django.utils import timezone

from gamification.rules import local_day, streak_display
from gamification.selectors import avatar_for, profile_progress

register = template.Library()


@register.inclusion_tag("gamification/_avatar.html")
def avatar(profile, size=72):
    """The learner's picture: uploaded, then URL, then the chosen built-in avatar."""
    picture = avatar_for(profile=profile)
    if picture and picture["static"]:
        picture = {**picture, "url": static(picture["url"])}
    return {"picture": picture, "size": size, "profile": profile}


@register.inclusion_tag("gamification/_profile_progress.html")
def profile_progress_card(profile):
    """Level, XP and badges for the profile page (the accounts app owns that page)."""
    return {"profile": profile, **profile_progress(profile=profile)}


@register.simple_tag
def current_streak(profile):
    """The streak to show today: 0 once a day was missed, even before the next answer."""
    today = local_day(profile=profile, at=timezone.now())
    return streak_display(profile=profile, today=today).current
