"""Streaks, XP and badges. Called by the exam services (never by signals).

Interface used by ``exams.services`` (keep these signatures):

- ``activity_record(*, user, answered, correct, at)``: the learner answered ``answered``
  questions (``correct`` of them right) at instant ``at``. Owns the profile's
  ``total_questions_answered`` and ``last_activity_date`` (the learner's local date).
  Returns a list of short announcement strings (badges earned, goal met) for toasts.
- ``attempt_finished(*, attempt)``: the attempt was just submitted (exactly once).
  Returns a list of announcement strings.

Both run inside the caller's transaction.
"""

from datetime import datetime

from django.db.models import F

from accounts.models import Profile


def activity_record(*, user, answered: int, correct: int, at: datetime) -> list[str]:
    if answered <= 0:
        return []
    local_day = at.astimezone(user.profile.tz).date()
    Profile.objects.filter(user=user).update(
        total_questions_answered=F("total_questions_answered") + answered,
        last_activity_date=local_day,
    )
    return []


def attempt_finished(*, attempt) -> list[str]:
    return []
