"""The streak rules stated in ``gamification.rules``, checked directly (no database)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from gamification.rules import StreakGap, StreakView, streak_display, streak_gap

TODAY = date(2026, 12, 2)


def profile(*, last, current=4, longest=9, freezes=1):
    return SimpleNamespace(
        last_activity_date=last, current_streak=current, longest_streak=longest,
        streak_freezes=freezes,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("last", "view"),
    [
        (TODAY, StreakView(4, 9, 1, active_today=True)),
        (TODAY - timedelta(days=1), StreakView(4, 9, 1, active_today=False)),
        # One day missed with a freeze held: the next answer spends it to cover yesterday.
        (
            TODAY - timedelta(days=2),
            StreakView(4, 9, 0, active_today=False, freeze_covers=TODAY - timedelta(days=1)),
        ),
        (TODAY - timedelta(days=3), StreakView(0, 9, 1, active_today=False)),
        (None, StreakView(0, 9, 1, active_today=False)),
    ],
)
def test_the_streak_shown_today_keeps_every_figure(last, view):
    assert streak_display(profile=profile(last=last), today=TODAY) == view


def test_a_missed_day_without_a_freeze_shows_the_streak_broken_and_no_freeze_spent():
    shown = streak_display(profile=profile(last=TODAY - timedelta(days=2), freezes=0), today=TODAY)

    assert shown == StreakView(0, 9, 0, active_today=False)


@pytest.mark.parametrize(
    ("current", "freezes", "gap"),
    [
        (1, 1, StreakGap.BRIDGED),  # a one-day streak is worth a held freeze
        (0, 1, StreakGap.BROKEN),  # no streak to keep: the freeze stays held
        (5, 0, StreakGap.BROKEN),
    ],
)
def test_one_missed_day_is_bridged_only_for_a_streak_with_a_freeze(current, freezes, gap):
    last = TODAY - timedelta(days=2)
    assert streak_gap(last=last, day=TODAY, current=current, freezes=freezes) is gap
