from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.management import CommandError, call_command

from accounts.models import Profile, User
from accounts.tests.factories import UserFactory
from exams.models import Attempt
from gamification.models import DailyActivity, UserBadge, XPEntry
from gamification.services import PROFILE_FIELDS
from gamification.tests.factories import LearnerHistory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)


def state(user) -> dict:
    """Everything gamification keeps for a learner, in a comparable form."""
    return {
        "profile": Profile.objects.filter(user=user).values(*PROFILE_FIELDS).get(),
        "days": list(
            DailyActivity.objects.filter(user=user)
            .order_by("day")
            .values_list("day", "answered", "correct", "xp", "goal_met", "freeze_used")
        ),
        "ledger": sorted(
            XPEntry.objects.filter(user=user).values_list(
                "amount", "reason", "created_at", "attempt_id", "badge__slug"
            ),
            key=repr,
        ),
        "badges": sorted(
            UserBadge.objects.filter(user=user).values_list("badge__slug", "awarded_at")
        ),
    }


def varied_history(time_zone: str) -> User:
    """Weeks of practice across a DST change, with a frozen day, a broken streak and exams."""
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone=time_zone, daily_goal=6)
    user = User.objects.get(pk=user.pk)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    history = LearnerHistory(user)
    skipped = {8, 12, 13, 20}  # day 8: a freeze covers it; days 12-13: the streak breaks
    for day in range(24):
        if day in skipped:
            continue
        at = T0 + timedelta(days=day, hours=(day * 5) % 11)
        history.attempt(at=at, results=[True, True, False] * (2 + day % 3), domain_number=1)
        if day == 3:
            email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
        if day % 5 == 0:
            history.attempt(
                at=at + timedelta(hours=1),
                results=[True] * 9 + [day % 2 == 0],
                mode=Attempt.Mode.SIMULATION,
                exam_slug="network",
                domain_number=2,
            )
    # An abandoned simulation's answers were never counted; an open practice's answers were.
    history.attempt(at=T0 + timedelta(days=25), results=[True] * 3, finish=False)
    sim = history.attempt(
        at=T0 + timedelta(days=25, hours=2),
        results=[True] * 4,
        mode=Attempt.Mode.SIMULATION,
        finish=False,
    )
    Attempt.objects.filter(pk=sim.pk).update(status=Attempt.Status.ABANDONED)
    return user


@pytest.mark.parametrize("time_zone", ["America/New_York", "Pacific/Kiritimati"])
def test_rebuild_yields_the_same_state_as_the_incremental_path(time_zone):
    user = varied_history(time_zone)
    before = state(user)
    assert before["profile"]["streak_freezes"] >= 0
    assert any(row[5] for row in before["days"]), "the history should use a freeze"
    assert len(before["badges"]) >= 5
    call_command("rebuild_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(user) == before


def test_rebuild_from_nothing_recreates_the_state():
    """History recorded before gamification existed (or wiped tables) is rebuilt in full."""
    user = varied_history("UTC")
    before = state(user)
    DailyActivity.objects.all().delete()
    XPEntry.objects.all().delete()
    email_badge = UserBadge.objects.get(user=user, badge__slug="email-verified")
    UserBadge.objects.exclude(pk=email_badge.pk).delete()  # the award time is all it records
    Profile.objects.filter(user=user).update(
        current_streak=0, longest_streak=0, streak_freezes=0, xp_total=0, last_activity_date=None
    )
    call_command("rebuild_progress", "--user", user.email.upper(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(user) == before


def test_rebuild_of_one_learner_leaves_the_others_alone(capsys):
    first = varied_history("UTC")
    second = UserFactory()
    LearnerHistory(second).attempt(at=T0, results=[True])
    second_state = state(second)
    XPEntry.objects.filter(user=second).delete()  # damage the second learner's ledger
    call_command("rebuild_progress", "--user", first.email)
    assert "Rebuilt progress of 1 learner." in capsys.readouterr().out
    assert state(second) != second_state
    call_command("rebuild_progress")
    assert state(second) == second_state


def test_rebuild_keeps_the_learners_own_email_award_time_and_resets_the_rest():
    """The email badge is replayed at the learner's own award time (not another learner's),
    and every figure is rebuilt from zero: damaged freezes do not survive a rebuild."""
    user = varied_history("UTC")
    before = state(user)
    other = UserFactory()
    EmailAddress.objects.create(user=other, email=other.email, primary=True, verified=True)
    from gamification.services import email_verified_record

    email_verified_record(user=other, at=T0 - timedelta(days=30))  # earlier than the learner's
    damaged = 0 if before["profile"]["streak_freezes"] == 2 else 2
    Profile.objects.filter(user=user).update(streak_freezes=damaged, xp_total=1)
    call_command("rebuild_progress", "--user", user.email, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(user) == before


def test_rebuild_refuses_an_unknown_learner():
    with pytest.raises(CommandError):
        call_command("rebuild_progress", "--user", "nobody@example.com")


# Through the real exam engine (the incremental path as it runs in production) ---------------


def engine_bank(size: int = 12):
    from questions.models import Exam
    from questions.tests.factories import QuestionFactory

    security = Exam.objects.get(slug="security")
    for n in range(size):
        QuestionFactory(exam=security, objective_code=f"{1 + n % 3}.1")
    return security


def engine_answer(user, attempt, position, *, right: bool, now):
    from exams import services as engine
    from questions.models import Choice

    item = attempt.items.get(position=position)
    choice = Choice.objects.filter(question_id=item.question_id, is_correct=right).first()
    engine.answer_submit(
        attempt_id=attempt.pk, user=user, position=position, choice_ids=[choice.pk], now=now
    )


def test_rebuild_matches_the_exam_engine():
    from exams import services as engine

    security = engine_bank()
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone="America/New_York", daily_goal=4)
    user = User.objects.get(pk=user.pk)
    start = datetime(2025, 3, 6, 23, 0, tzinfo=UTC)  # runs across the spring-forward weekend
    for day in (0, 1, 2, 3, 4, 5, 6, 8):  # seven days earn a freeze; it covers day 7
        now = start + timedelta(days=day)
        attempt = engine.attempt_start(user=user, exam=security, mode="practice", count=5, now=now)
        for position in range(1, 6):
            now += timedelta(minutes=2)
            engine_answer(user, attempt, position, right=position != 3, now=now)
        engine.attempt_finish(attempt_id=attempt.pk, user=user, now=now + timedelta(minutes=1))
    now = start + timedelta(days=9)
    simulation = engine.attempt_start(
        user=user, exam=security, mode="simulation", full_time=True, now=now
    )
    for position in range(1, simulation.question_count + 1):
        engine_answer(user, simulation, position, right=True, now=now + timedelta(minutes=position))
    engine_answer(user, simulation, 2, right=False, now=now + timedelta(minutes=20))  # changed
    engine_answer(user, simulation, 2, right=True, now=now + timedelta(minutes=21))  # back
    engine.attempt_finish(attempt_id=simulation.pk, user=user, now=now + timedelta(minutes=30))
    open_practice = engine.attempt_start(
        user=user, exam=security, mode="practice", count=3, now=now + timedelta(hours=2)
    )
    engine_answer(user, open_practice, 1, right=True, now=now + timedelta(hours=2, minutes=1))

    before = state(user)
    assert "simulation-passed-security" in {slug for slug, _ in before["badges"]}
    assert any(row[5] for row in before["days"])
    call_command("rebuild_progress", "--user", user.email, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(user) == before


def test_rebuild_awards_a_mastery_badge_when_it_was_earned_not_earlier():
    """The replay sees each moment's last 50 answers in a domain: fifty misses then fifty
    right answers earn the mastery badge with the second attempt, as they did live."""
    from exams import services as engine
    from gamification.models import Badge
    from gamification.rules import Rule
    from questions.models import Exam
    from questions.tests.factories import QuestionFactory

    security = Exam.objects.get(slug="security")
    QuestionFactory.create_batch(60, exam=security, objective_code="1.1")  # one domain
    user = UserFactory()
    start = datetime(2025, 5, 5, 9, 0, tzinfo=UTC)
    for day, right in ((0, False), (1, True)):
        now = start + timedelta(days=day)
        attempt = engine.attempt_start(user=user, exam=security, mode="practice", count=50, now=now)
        for position in range(1, 51):
            engine_answer(user, attempt, position, right=right, now=now)
        engine.attempt_finish(attempt_id=attempt.pk, user=user, now=now + timedelta(minutes=5))
    mastery = set(Badge.objects.filter(rule=Rule.DOMAIN_MASTERY).values_list("slug", flat=True))
    before = state(user)
    earned = {slug: at for slug, at in before["badges"] if slug in mastery}
    assert earned and set(earned.values()) == {start + timedelta(days=1, minutes=5)}

    call_command("rebuild_progress", "--user", user.email, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert state(user) == before


def test_rebuild_matches_the_exam_engine_for_an_expired_simulation():
    """Submitted as it stood at the deadline: its answers count at the deadline, both ways."""
    from exams import services as engine

    security = engine_bank(4)
    user = UserFactory()
    now = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
    simulation = engine.attempt_start(user=user, exam=security, mode="simulation", now=now)
    engine_answer(user, simulation, 1, right=True, now=now + timedelta(minutes=1))
    engine.attempt_gate(attempt=simulation, now=simulation.deadline + timedelta(hours=3))
    before = state(user)
    answers = [row for row in before["ledger"] if row[1] == "answers"]
    assert [row[2] for row in answers] == [simulation.deadline]
    call_command("rebuild_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(user) == before
