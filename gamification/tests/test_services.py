from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from accounts.models import Profile, User
from accounts.tests.factories import UserFactory
from exams.models import Attempt
from gamification import rules, services
from gamification.models import Badge, DailyActivity, UserBadge, XPEntry
from gamification.selectors import badges_for
from gamification.tests.factories import (
    AttemptFactory,
    BadgeFactory,
    LearnerHistory,
    seed_catalogues,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def learner(time_zone="UTC", **profile):
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone=time_zone, **profile)
    return User.objects.get(pk=user.pk)


def profile_of(user) -> Profile:
    return Profile.objects.get(user=user)


def answer(user, at, *, answered=1, correct=1):
    return services.activity_record(user=user, answered=answered, correct=correct, at=at)


def answer_on_days(user, days) -> list[str]:
    """One answer on each of ``days`` (counted from T0); what they said, in order."""
    return [said for day in days for said in answer(user, T0 + timedelta(days=day))]


def days_of(user) -> list[date]:
    return list(
        DailyActivity.objects.filter(user=user).order_by("day").values_list("day", flat=True)
    )


def earned(user) -> set[str]:
    return set(UserBadge.objects.filter(user=user).values_list("badge__slug", flat=True))


def ledger_total(user) -> int:
    return XPEntry.objects.filter(user=user).aggregate(n=Sum("amount"))["n"] or 0


# Local days, time zones and daylight saving ------------------------------------------------


def test_same_instant_lands_on_different_local_dates_far_apart_time_zones():
    honolulu = learner("Pacific/Honolulu")  # UTC-10
    kiritimati = learner("Pacific/Kiritimati")  # UTC+14
    tongatapu = learner("Pacific/Tongatapu")  # UTC+13
    instant = utc("2025-03-10T09:30:00+00:00")
    for user in (honolulu, kiritimati, tongatapu):
        answer(user, instant)
    assert days_of(honolulu) == [date(2025, 3, 9)]
    assert days_of(kiritimati) == [date(2025, 3, 10)]
    assert days_of(tongatapu) == [date(2025, 3, 10)]
    assert profile_of(honolulu).last_activity_date == date(2025, 3, 9)
    assert profile_of(kiritimati).last_activity_date == date(2025, 3, 10)


def test_the_day_turns_at_the_learners_midnight_not_utc():
    user = learner("Pacific/Honolulu")
    answer(user, utc("2025-03-09T23:59:00-10:00"))
    answer(user, utc("2025-03-10T00:01:00-10:00"))  # two minutes later, the next local day
    assert days_of(user) == [date(2025, 3, 9), date(2025, 3, 10)]
    assert profile_of(user).current_streak == 2

    east = learner("Pacific/Kiritimati")
    answer(east, utc("2025-03-09T11:00:00+00:00"))  # 01:00 on the 10th in Kiritimati
    answer(east, utc("2025-03-09T09:00:00+00:00") + timedelta(hours=1))  # 00:00 on the 10th
    assert days_of(east) == [date(2025, 3, 10)]
    assert profile_of(east).current_streak == 1


def test_spring_forward_day_is_one_day():
    user = learner("America/New_York")  # 2025-03-09: 02:00 EST jumps to 03:00 EDT (23 hours)
    answer(user, utc("2025-03-08T23:30:00-05:00"))
    answer(user, utc("2025-03-09T00:30:00-05:00"))
    answer(user, utc("2025-03-09T23:30:00-04:00"))
    answer(user, utc("2025-03-10T00:30:00-04:00"))
    assert days_of(user) == [date(2025, 3, 8), date(2025, 3, 9), date(2025, 3, 10)]
    row = DailyActivity.objects.get(user=user, day=date(2025, 3, 9))
    assert row.answered == 2
    assert profile_of(user).current_streak == 3


def test_fall_back_day_is_one_day_even_when_the_hour_repeats():
    user = learner("America/New_York")  # 2025-11-02: 01:00-02:00 happens twice (25 hours)
    answer(user, utc("2025-11-01T22:00:00-04:00"))
    answer(user, utc("2025-11-02T01:30:00-04:00"))  # first 01:30 (EDT)
    answer(user, utc("2025-11-02T01:30:00-05:00"))  # second 01:30 (EST), an hour later
    answer(user, utc("2025-11-02T23:59:00-05:00"))
    answer(user, utc("2025-11-03T00:01:00-05:00"))
    assert days_of(user) == [date(2025, 11, 1), date(2025, 11, 2), date(2025, 11, 3)]
    assert DailyActivity.objects.get(user=user, day=date(2025, 11, 2)).answered == 3
    assert profile_of(user).current_streak == 3


# Streaks ---------------------------------------------------------------------------------


def test_streak_counts_consecutive_days_once_each_and_a_gap_resets_it():
    user = learner()
    for day in range(4):
        answer(user, T0 + timedelta(days=day))
        answer(user, T0 + timedelta(days=day, hours=3))
    profile = profile_of(user)
    assert (profile.current_streak, profile.longest_streak) == (4, 4)
    answer(user, T0 + timedelta(days=7))  # days 4, 5 and 6 missed
    profile = profile_of(user)
    assert (profile.current_streak, profile.longest_streak) == (1, 4)
    assert profile.total_questions_answered == 9


def test_displayed_streak_is_right_before_the_next_answer():
    user = learner()
    answer_on_days(user, range(3))
    profile = profile_of(user)
    last = profile.last_activity_date
    view = rules.streak_display(profile=profile, today=last)
    assert (view.current, view.active_today, view.at_risk) == (3, True, False)
    view = rules.streak_display(profile=profile, today=last + timedelta(days=1))
    assert (view.current, view.at_risk) == (3, True)
    view = rules.streak_display(profile=profile, today=last + timedelta(days=2))
    assert view.current == 0  # a missed day and no freeze: broken, though the profile says 3
    assert view.longest == 3
    assert profile.current_streak == 3


def test_activity_on_an_earlier_local_date_after_moving_west_keeps_the_streak():
    user = learner("Pacific/Kiritimati")
    answer(user, utc("2025-03-10T09:30:00+00:00"))  # 10 March, 23:30 in Kiritimati
    Profile.objects.filter(user=user).update(time_zone="Pacific/Honolulu")
    answer(user, utc("2025-03-10T09:40:00+00:00"))  # 9 March, 23:40 in Honolulu
    profile = profile_of(user)
    assert profile.last_activity_date == date(2025, 3, 10)
    assert profile.current_streak == 1
    assert profile.total_questions_answered == 2


# Streak freezes --------------------------------------------------------------------------


def test_a_freeze_is_earned_every_seven_days_and_at_most_two_are_held():
    user = learner()
    messages = answer_on_days(user, range(6))
    assert profile_of(user).streak_freezes == 0
    messages += answer(user, T0 + timedelta(days=6))
    assert profile_of(user).streak_freezes == 1
    assert any("streak freeze" in m for m in messages)
    answer_on_days(user, range(7, 28))
    profile = profile_of(user)
    assert profile.current_streak == 28
    assert profile.streak_freezes == 2


def test_a_freeze_covers_a_single_missed_day_and_the_dashboard_can_say_so():
    user = learner()
    answer_on_days(user, range(7))
    profile = profile_of(user)
    missed = profile.last_activity_date + timedelta(days=1)
    view = rules.streak_display(profile=profile, today=missed + timedelta(days=1))
    assert (view.current, view.freezes, view.freeze_covers) == (7, 0, missed)

    said = answer(user, T0 + timedelta(days=8))
    profile = profile_of(user)
    assert profile.current_streak == 8
    assert profile.streak_freezes == 0
    frozen = DailyActivity.objects.get(user=user, day=missed)
    assert frozen.freeze_used and frozen.answered == 0
    assert any("streak freeze covered" in m for m in said)


def test_two_missed_days_reset_the_streak_and_keep_the_freeze():
    user = learner()
    answer_on_days(user, range(7))
    answer(user, T0 + timedelta(days=9))
    profile = profile_of(user)
    assert (profile.current_streak, profile.longest_streak, profile.streak_freezes) == (1, 7, 1)
    assert not DailyActivity.objects.filter(user=user, freeze_used=True).exists()


def test_no_freeze_no_cover():
    user = learner()
    answer_on_days(user, range(3))
    answer(user, T0 + timedelta(days=4))
    assert profile_of(user).current_streak == 1


# Daily goal and XP ---------------------------------------------------------------------


def test_daily_goal_is_met_once_a_day_with_its_bonus():
    user = learner(daily_goal=3)
    said = []
    for minute in range(5):
        said += answer(user, T0 + timedelta(minutes=minute), correct=minute % 2)
    row = DailyActivity.objects.get(user=user)
    assert (row.answered, row.correct, row.goal_met) == (5, 2, True)
    assert XPEntry.objects.filter(user=user, reason=XPEntry.Reason.DAILY_GOAL).count() == 1
    assert sum("Daily goal met" in m for m in said) == 1
    answer(user, T0 + timedelta(days=1))
    assert not DailyActivity.objects.get(user=user, day=date(2025, 1, 7)).goal_met


def test_xp_for_answers_finishing_and_passing():
    Badge.objects.update(is_active=False)  # XP from the rules alone
    user = learner(daily_goal=500)
    answer(user, T0, answered=4, correct=3)
    assert ledger_total(user) == 4 * rules.XP_PER_ANSWER + 3 * rules.XP_PER_CORRECT

    history = LearnerHistory(user)
    before = ledger_total(user)
    history.attempt(at=T0 + timedelta(hours=1), results=[True, False])
    practice_xp = 2 * rules.XP_PER_ANSWER + rules.XP_PER_CORRECT
    assert ledger_total(user) - before == practice_xp + rules.XP_ATTEMPT_FINISHED

    before = ledger_total(user)
    passed = history.attempt(
        at=T0 + timedelta(hours=2), results=[True] * 10, mode=Attempt.Mode.SIMULATION
    )
    assert passed.passed
    answers_xp = 10 * (rules.XP_PER_ANSWER + rules.XP_PER_CORRECT)
    expected = answers_xp + rules.XP_ATTEMPT_FINISHED + rules.XP_SIMULATION_PASSED
    assert ledger_total(user) - before == expected

    before = ledger_total(user)
    failed = history.attempt(
        at=T0 + timedelta(hours=3), results=[False] * 10, mode=Attempt.Mode.SIMULATION
    )
    assert failed.passed is False
    assert ledger_total(user) - before == 10 * rules.XP_PER_ANSWER + rules.XP_ATTEMPT_FINISHED
    assert profile_of(user).xp_total == ledger_total(user)


def test_profile_total_equals_ledger_sum_and_day_rows_after_a_varied_history():
    user = learner("Pacific/Tongatapu", daily_goal=5)
    history = LearnerHistory(user)
    for day in range(12):
        if day in (4, 8, 9):
            continue
        history.attempt(at=T0 + timedelta(days=day), results=[True, False, True] * 2)
    history.attempt(at=T0 + timedelta(days=13), results=[True] * 10, mode=Attempt.Mode.SIMULATION)
    profile = profile_of(user)
    assert profile.xp_total == ledger_total(user) > 0
    day_xp = DailyActivity.objects.filter(user=user).aggregate(n=Sum("xp"))["n"]
    assert day_xp == profile.xp_total
    assert UserBadge.objects.filter(user=user).count() == len(earned(user))


def test_attempt_finished_twice_counts_once():
    user = learner()
    history = LearnerHistory(user)
    attempt = history.attempt(at=T0, results=[True])
    total = profile_of(user).xp_total
    assert services.attempt_finished(attempt=attempt) == []
    assert profile_of(user).xp_total == total
    assert XPEntry.objects.filter(attempt=attempt).count() == 1


def test_attempt_finished_ignores_an_attempt_not_submitted():
    attempt = AttemptFactory()
    assert services.attempt_finished(attempt=attempt) == []
    assert not XPEntry.objects.exists()


def test_answered_zero_changes_nothing():
    user = learner()
    assert answer(user, T0, answered=0, correct=0) == []
    assert not DailyActivity.objects.exists()


# Levels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xp", "level"),
    [(0, 1), (49, 1), (50, 2), (149, 2), (150, 3), (2249, 9), (2250, 10), (15000, 25), (61250, 50)],
)
def test_level_curve(xp, level):
    assert rules.level_for(xp) == level
    assert rules.level_xp_floor(level) <= xp < rules.level_xp_floor(level + 1)


def test_level_progress_and_level_up_announcement():
    progress = rules.level_progress(xp=200)
    assert (progress.level, progress.to_next, progress.percent) == (3, 100, 33)
    user = learner(daily_goal=500)
    said = answer(user, T0, answered=20, correct=20)  # 60 XP: level 2
    assert "Level 2 reached!" in said


# Badges ----------------------------------------------------------------------------------


def test_email_verified_badge_from_allauth_confirmation():
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    user = learner()
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    assert "email-verified" not in earned(user)
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert "email-verified" in earned(user)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert UserBadge.objects.filter(user=user, badge__slug="email-verified").count() == 1


def test_the_email_badge_reward_shows_at_once_on_the_profile_already_read():
    from allauth.account.models import EmailAddress

    user = learner()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    assert user.profile.xp_total == 0  # read and kept on the user
    services.email_verified_record(user=user, at=T0)
    assert user.profile.xp_total == profile_of(user).xp_total > 0


def test_attempts_finished_badges_and_their_announcement():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[True])
    assert earned(user) == {"first-attempt"}
    assert any(m.startswith("Badge earned: First steps") for m in history.announcements)
    history.attempt(at=T0 + timedelta(hours=1), results=[False])
    assert "attempts-3" not in earned(user)
    history.attempt(at=T0 + timedelta(hours=2), results=[False])
    assert "attempts-3" in earned(user)
    reward = Badge.objects.get(slug="attempts-3").xp_reward
    assert (
        XPEntry.objects.filter(user=user, reason="badge", badge__slug="attempts-3").get().amount
        == reward
    )


def test_a_badge_switched_off_by_staff_is_never_awarded():
    """On a finish (``badges_check``) and on an answer (``badges_check_moved``)."""
    Badge.objects.filter(slug__in=["first-attempt", "correct-100"]).update(is_active=False)
    user = learner()
    LearnerHistory(user).attempt(at=T0, results=[True])
    answer(user, T0 + timedelta(minutes=1), answered=120, correct=120)
    assert not {"first-attempt", "correct-100"} & earned(user)
    # An answer that reaches a badge still on looks at its kind: the one off stays off.
    answer(user, T0 + timedelta(minutes=2), answered=400, correct=400)
    assert "correct-500" in earned(user) and "correct-100" not in earned(user)
    Badge.objects.filter(slug="correct-100").update(is_active=True)
    answer(user, T0 + timedelta(minutes=3), answered=1, correct=1)
    assert "correct-100" in earned(user)  # switched on again, it is awarded as usual


def test_a_badge_is_announced_with_its_reward_once():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[True])
    first = Badge.objects.get(slug="first-attempt")
    assert f"Badge earned: {first.name} (+{first.xp_reward} XP)" in history.announcements
    Badge.objects.filter(slug="correct-100").update(xp_reward=0)
    said = answer(user, T0 + timedelta(minutes=1), answered=100, correct=100)
    name = Badge.objects.get(slug="correct-100").name
    assert f"Badge earned: {name}" in said  # no reward, nothing in brackets
    event = services._Event(user_id=user.pk, at=T0)
    assert event.badge_award(Badge.objects.get(slug="correct-500")) is True
    assert event.badge_award(Badge.objects.get(slug="correct-500")) is False
    event.close()


def test_a_passed_simulation_is_announced_and_its_bonus_names_the_attempt():
    user = learner()
    history = LearnerHistory(user)
    attempt = history.attempt(at=T0, results=[True] * 5, mode=Attempt.Mode.SIMULATION)
    assert attempt.passed
    assert f"Simulation passed (+{services.XP_SIMULATION_PASSED} XP)" in history.announcements
    bonus = XPEntry.objects.get(user=user, reason=XPEntry.Reason.SIMULATION_PASSED)
    assert (bonus.amount, bonus.attempt_id) == (services.XP_SIMULATION_PASSED, attempt.pk)
    finished = XPEntry.objects.get(user=user, reason=XPEntry.Reason.ATTEMPT_FINISHED)
    assert finished.attempt_id == attempt.pk


def test_correct_answers_badge():
    user = learner()
    answer(user, T0, answered=120, correct=99)
    assert "correct-100" not in earned(user)
    answer(user, T0 + timedelta(minutes=1), answered=1, correct=1)
    assert "correct-100" in earned(user)


def test_level_badge_reached_by_a_badge_reward_is_awarded_in_the_same_answer():
    user = learner(daily_goal=500)
    BadgeFactory(rule=Badge.Rule.CORRECT_ANSWERS, threshold=1, xp_reward=200, slug="gift")
    BadgeFactory(rule=Badge.Rule.LEVEL_REACHED, threshold=3, slug="level-three")
    said = answer(user, T0)  # 3 XP from the answer, 200 from the badge: level 3
    assert {"gift", "level-three"} <= earned(user)
    assert "Level 3 reached!" in said
    assert profile_of(user).xp_total == ledger_total(user)


def test_a_wrong_answer_checks_no_badge_and_a_correct_one_only_reachable_ones():
    """Badges of kinds the answer did not move, or out of reach, are not read or awarded."""
    user = learner()
    answer(user, T0, answered=5, correct=0)
    BadgeFactory(rule=Badge.Rule.CORRECT_ANSWERS, threshold=1, slug="late-one")
    answer(user, T0 + timedelta(minutes=1), correct=0)
    assert "late-one" not in earned(user)  # the correct count did not move
    answer(user, T0 + timedelta(minutes=2), correct=1)
    assert "late-one" in earned(user)


# An answer on a day already started: profile lock, day row, XP entry, (badges within reach
# after a correct answer), day row and profile written. The learner's first answer of a day
# adds the day row's insert (in a savepoint) and the streak badges.
ANSWER_QUERIES = {"wrong": 5, "correct": 6, "first of the day": 9}


@pytest.mark.parametrize("days", [3, 60])
def test_an_answer_costs_the_same_few_queries_whatever_the_history(
    days, django_assert_max_num_queries
):
    user = learner(daily_goal=10_000)
    for n in range(days):
        answer(user, T0 + timedelta(days=n), answered=5, correct=3)
    later = T0 + timedelta(days=days - 1, minutes=5)
    with django_assert_max_num_queries(ANSWER_QUERIES["wrong"]):
        answer(user, later, correct=0)
    with django_assert_max_num_queries(ANSWER_QUERIES["correct"]):
        answer(user, later + timedelta(minutes=1), correct=1)
    with django_assert_max_num_queries(ANSWER_QUERIES["first of the day"]):
        answer(user, later + timedelta(days=1), correct=1)
    profile = profile_of(user)
    assert profile.xp_total == ledger_total(user)
    assert profile.current_streak == days + 1


def test_perfect_score_needs_ten_questions():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[True] * 9)
    assert "perfect-1" not in earned(user)
    history.attempt(at=T0 + timedelta(hours=1), results=[True] * 10)
    assert "perfect-1" in earned(user)


def test_ninety_percent_on_five_attempts():
    user = learner()
    history = LearnerHistory(user)
    for n in range(4):
        history.attempt(at=T0 + timedelta(hours=n), results=[True] * 9 + [False])
    history.attempt(at=T0 + timedelta(hours=5), results=[True] * 8 + [False] * 2)  # 80%
    assert "high-score-5" not in earned(user)
    history.attempt(at=T0 + timedelta(hours=6), results=[True] * 9 + [False])
    assert "high-score-5" in earned(user)


def test_attempts_in_one_exam_and_in_each_of_two_exams():
    user = learner()
    history = LearnerHistory(user)
    for n in range(10):
        history.attempt(at=T0 + timedelta(hours=n), results=[True], exam_slug="security")
    assert "one-exam-10" in earned(user)
    for n in range(9):
        history.attempt(at=T0 + timedelta(days=1, hours=n), results=[True], exam_slug="network")
    assert "two-exams-10" not in earned(user)
    history.attempt(at=T0 + timedelta(days=2), results=[True], exam_slug="network")
    assert "two-exams-10" in earned(user)


def test_streak_badge():
    user = learner()
    answer(user, T0)
    answer(user, T0 + timedelta(days=1))
    assert "streak-3" not in earned(user)
    answer(user, T0 + timedelta(days=2))
    assert "streak-3" in earned(user)


def test_passed_simulation_badge_is_per_exam():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[True] * 5 + [False] * 5, mode=Attempt.Mode.SIMULATION)
    assert "simulation-passed-security" not in earned(user)
    history.attempt(at=T0 + timedelta(hours=3), results=[True] * 10, mode=Attempt.Mode.SIMULATION)
    assert "simulation-passed-security" in earned(user)
    assert "simulation-passed-network" not in earned(user)


def test_domain_mastery_looks_at_the_last_fifty_answers_in_a_domain():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[False] * 20)  # old misses, soon out of the window
    history.attempt(at=T0 + timedelta(hours=1), results=[False] * 6 + [True] * 44)  # 88%
    assert "domain-mastery" not in earned(user)
    history.attempt(at=T0 + timedelta(hours=3), results=[True] * 5)  # last 50: 49 right
    assert "domain-mastery" in earned(user)


def test_domain_mastery_needs_fifty_answers_in_one_domain():
    user = learner()
    history = LearnerHistory(user)
    history.attempt(at=T0, results=[True] * 30, domain_number=1)
    history.attempt(at=T0 + timedelta(hours=1), results=[True] * 30, domain_number=2)
    assert "domain-mastery" not in earned(user)
    _earned, locked = badges_for(user=user)
    mastery = next(s for s in locked if s.badge.slug == "domain-mastery")
    assert mastery.progress.text == "30 of 50 answers in one domain so far"


def test_level_badge_follows_xp_including_rewards():
    user = learner(daily_goal=500)
    # 2,127 XP for answers; the goal bonus and the correct-answer badges take it past 2,250.
    answer(user, T0, answered=709, correct=709)
    profile = profile_of(user)
    assert rules.level_for(profile.xp_total) >= 10
    assert "level-10" in earned(user)
    assert profile.xp_total == ledger_total(user)


def test_inactive_badges_are_not_awarded():
    Badge.objects.filter(slug="first-attempt").update(is_active=False)
    user = learner()
    LearnerHistory(user).attempt(at=T0, results=[True])
    assert "first-attempt" not in earned(user)


def test_two_attempts_finishing_award_a_badge_exactly_once():
    user = learner()
    history = LearnerHistory(user)
    first = history.attempt(at=T0, results=[True], finish=False)
    second = history.attempt(at=T0, results=[True], finish=False)
    for attempt in (first, second):
        attempt.status = Attempt.Status.SUBMITTED
        attempt.submitted_at = T0 + timedelta(minutes=5)
        attempt.correct_count = 1
        attempt.counted = True
        attempt.save()
    said = services.attempt_finished(attempt=first) + services.attempt_finished(attempt=second)
    assert UserBadge.objects.filter(user=user, badge__slug="first-attempt").count() == 1
    assert sum("First steps" in m for m in said) == 1
    assert profile_of(user).xp_total == ledger_total(user)


def test_a_concurrent_award_is_neither_duplicated_nor_an_error():
    """The award that loses the race finds the row already there and carries on."""
    user = learner()
    badge = BadgeFactory(xp_reward=5)
    UserBadge.objects.create(user=user, badge=badge, awarded_at=T0)  # the other transaction
    from django.db import transaction

    with transaction.atomic():
        event = services._Event(user_id=user.pk, at=T0)
        assert event.badge_award(badge) is False
        event.close()
    assert UserBadge.objects.filter(user=user, badge=badge).count() == 1
    assert ledger_total(user) == 0


# Avatars ---------------------------------------------------------------------------------


def test_locked_avatar_is_refused_and_unlocked_one_is_set():
    user = learner()
    services.avatar_choose(user=user, key="circle")
    assert profile_of(user).avatar_key == "circle"
    with pytest.raises(ValidationError) as locked:
        services.avatar_choose(user=user, key="diamond")  # needs the first-attempt badge
    assert (locked.value.code, locked.value.messages) == (
        "locked_avatar",
        ["Earn the badge to unlock this avatar first."],
    )
    with pytest.raises(ValidationError) as unknown:
        services.avatar_choose(user=user, key="no-such-avatar")
    assert (unknown.value.code, unknown.value.messages) == (
        "unknown_avatar",
        ["There is no such avatar."],
    )
    assert profile_of(user).avatar_key == "circle"
    LearnerHistory(user).attempt(at=T0, results=[True])
    services.avatar_choose(user=user, key="diamond")
    assert profile_of(user).avatar_key == "diamond"


def test_a_chosen_avatar_shows_at_once_on_the_profile_already_read():
    """The page drawn after the choice reads ``request.user.profile``, loaded earlier."""
    user = learner()
    assert user.profile.avatar_key != "circle"  # the profile is read and kept on the user
    services.avatar_choose(user=user, key="circle")
    assert user.profile.avatar_key == "circle"
    fresh = type(user).objects.get(pk=user.pk)  # a user whose profile was never read
    services.avatar_choose(user=fresh, key="square")
    assert "profile" not in fresh._state.fields_cache
    assert profile_of(user).avatar_key == "square"


@pytest.mark.django_db(transaction=True)
def test_two_attempts_finishing_at_the_same_moment_in_two_threads():
    """On PostgreSQL: two transactions finish at once; the badge and its XP come once."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    seed_catalogues()
    user = learner()
    history = LearnerHistory(user)
    attempts = [history.attempt(at=T0, results=[True], finish=False) for _ in range(2)]
    for attempt in attempts:
        attempt.status = Attempt.Status.SUBMITTED
        attempt.submitted_at = T0 + timedelta(minutes=5)
        attempt.correct_count = 1
        attempt.counted = True
        attempt.save()
    barrier = threading.Barrier(2)
    said, errors = [], []

    def finish(attempt):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                said.extend(services.attempt_finished(attempt=attempt))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert UserBadge.objects.filter(user=user, badge__slug="first-attempt").count() == 1
    assert sum("First steps" in m for m in said) == 1
    assert XPEntry.objects.filter(user=user, reason="attempt_finished").count() == 2
    assert profile_of(user).xp_total == ledger_total(user)


# The catalogue -------------------------------------------------------------------------------


def test_a_new_exam_gets_one_simulation_badge_after_the_others_and_keeps_staff_edits():
    from questions.models import Exam

    seeded = Badge.objects.filter(rule=rules.Rule.SIMULATION_PASSED)
    last = max(seeded.values_list("position", flat=True))
    exam = Exam.objects.create(
        slug="new-exam",
        code="NEW-001",
        name="New exam",
        pass_mark=700,
        question_count=90,
        time_limit_minutes=90,
        position=50,
    )
    badge = services.exam_badge_ensure(exam=exam)
    badge.refresh_from_db()
    assert (badge.slug, badge.name, badge.rule, badge.exam_id, badge.threshold) == (
        "simulation-passed-new-exam",
        "NEW-001 ready",
        rules.Rule.SIMULATION_PASSED,
        exam.pk,
        1,
    )
    assert badge.description == "Passed an exam simulation of New exam (NEW-001)."
    assert (badge.tier, badge.xp_reward, badge.is_active) == (Badge.Tier.GOLD, 100, True)
    assert badge.position == last + 1
    Badge.objects.filter(pk=badge.pk).update(name="Renamed by staff", is_active=False)
    again = services.exam_badge_ensure(exam=exam)
    assert again.pk == badge.pk
    assert (again.name, again.is_active) == ("Renamed by staff", False)
    assert Badge.objects.filter(exam=exam).count() == 1


def test_the_first_simulation_badge_of_an_empty_catalogue_takes_the_reserved_place():
    from questions.models import Exam

    Badge.objects.filter(rule=rules.Rule.SIMULATION_PASSED).delete()
    exam = Exam.objects.get(slug="security")
    badge = services.exam_badge_ensure(exam=exam)
    assert badge.position == services.SIMULATION_BADGE_POSITION + 1
