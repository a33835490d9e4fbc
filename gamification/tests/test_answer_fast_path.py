"""An answer with the learner's profile loaded takes the short path (``_answers_fast``); its
effects are those of the locked event, day by day, freeze, goal, level and badge included."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from gamification import services
from gamification.models import DailyActivity, UserBadge, XPEntry

pytestmark = pytest.mark.django_db


def state(user) -> dict:
    profile = User.objects.select_related("profile").get(pk=user.pk).profile
    return {
        "profile": [
            profile.current_streak,
            profile.longest_streak,
            profile.streak_freezes,
            profile.xp_total,
            profile.total_questions_answered,
            profile.last_activity_date,
        ],
        "days": list(
            DailyActivity.objects.filter(user=user)
            .order_by("day")
            .values_list("day", "answered", "correct", "xp", "goal_met", "freeze_used")
        ),
        "xp": sorted(
            XPEntry.objects.filter(user=user).values_list("amount", "reason", "created_at")
        ),
        "badges": sorted(
            UserBadge.objects.filter(user=user).values_list("badge__slug", "awarded_at")
        ),
    }


def learner():
    user = UserFactory()
    user.profile.time_zone, user.profile.daily_goal = "America/New_York", 4
    user.profile.save()
    return User.objects.get(pk=user.pk)  # no profile loaded


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_short_path_has_the_effects_of_the_locked_event(seed):
    rng = random.Random(seed)
    fast, slow = learner(), learner()
    assert fast.profile.pk  # loaded once, kept in step by every answer, as the answer service does
    at = datetime(2026, 3, 1, 14, tzinfo=UTC)
    for n in range(160):
        gaps = [0.5, 1, 3, 20, 24, 26, 48, 75]  # hours: same day, next day, a day missed, more
        at += timedelta(hours=rng.choices(gaps, weights=[15, 15, 10, 15, 15, 15, 10, 5])[0])
        correct = int(rng.random() < 0.7)
        if n % 9 == 4:
            # Another tab of the learner answers: the loaded profile is now out of date.
            for user in (fast, slow):
                services.activity_record(
                    user=User.objects.get(pk=user.pk), answered=1, correct=1, at=at
                )
        said_fast = services.activity_record(user=fast, answered=1, correct=correct, at=at)
        said_slow = services.activity_record(
            user=User.objects.get(pk=slow.pk), answered=1, correct=correct, at=at
        )
        assert said_fast == said_slow, n
    got, expected = state(fast), state(slow)
    assert got["profile"] == expected["profile"]
    kept = fast.profile  # the loaded profile is kept in step with what was written
    assert [
        kept.current_streak,
        kept.longest_streak,
        kept.streak_freezes,
        kept.xp_total,
        kept.total_questions_answered,
        kept.last_activity_date,
    ] == got["profile"]
    assert got["days"] == expected["days"]
    assert got["xp"] == expected["xp"]
    assert got["badges"] == expected["badges"] and expected["badges"]
    assert any(day[5] for day in expected["days"])  # a freeze was spent on the way


def test_an_ordinary_answer_takes_three_statements():
    user = learner()
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    services.activity_record(user=user, answered=1, correct=0, at=at)
    assert user.profile.pk  # loaded, as the answer service loads it
    # An answer later that day, right or wrong, with no badge within reach.
    for correct in (0, 1):
        with CaptureQueriesContext(connection) as context:
            services.activity_record(
                user=user, answered=1, correct=correct, at=at + timedelta(minutes=5)
            )
        assert len(context.captured_queries) == 3, [q["sql"] for q in context]
