"""On PostgreSQL: answers that wait for another request's lock are stored exactly once.

The answer service reads the attempt's items in the statement that locks the attempt; after
waiting for that lock an item may predate the write of the request that held it, which the
guarded write notices (``exams.answer_sql.item_as_read``). These tests make the second request
wait for real.
"""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import services
from exams.models import AttemptItem
from exams.tests.factories import bank_build, correct_ids, wrong_id
from gamification.models import DailyActivity, XPEntry
from tests.races import while_held

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")


def answer_while_another_holds_the_lock(user, attempt, first, second):
    """The first answer holds the attempt's lock until the second request waits for it."""
    outcome = {}

    def answer(key, choice_ids):
        try:
            outcome[key] = services.answer_submit(
                attempt_id=attempt.pk, user=user, position=1, choice_ids=choice_ids
            )
        except services.EngineError as error:
            if key == "first":
                raise
            outcome[key] = error

    while_held(lambda: answer("first", first), lambda: answer("second", second))
    return outcome


def counted(user):
    profile = Profile.objects.get(user=user)
    ledger = XPEntry.objects.filter(user=user).aggregate(n=Sum("amount"))["n"]
    day = DailyActivity.objects.get(user=user)
    return profile.total_questions_answered, day.answered, profile.xp_total == ledger


def test_the_same_practice_answer_sent_twice_at_once_counts_once():
    bank, user = bank_build(per_domain=4), UserFactory()
    attempt = services.attempt_start(user=user, exam=bank, mode="practice", count=5)
    choice = correct_ids(attempt.items.get(position=1))

    outcome = answer_while_another_holds_the_lock(user, attempt, choice, choice)

    assert outcome["first"].newly_answered and not outcome["second"].newly_answered
    assert counted(user) == (1, 1, True)


def test_a_different_practice_answer_waiting_for_the_first_is_refused():
    bank, user = bank_build(per_domain=4), UserFactory()
    attempt = services.attempt_start(user=user, exam=bank, mode="practice", count=5)
    item = attempt.items.get(position=1)

    outcome = answer_while_another_holds_the_lock(
        user, attempt, correct_ids(item), [wrong_id(item)]
    )

    assert isinstance(outcome["second"], services.AnswerFinal)
    item.refresh_from_db()
    assert item.selected == correct_ids(item) and item.is_correct
    assert counted(user) == (1, 1, True)


def test_a_simulation_answer_waiting_for_another_is_stored_last():
    bank, user = bank_build(per_domain=4), UserFactory()
    attempt = services.attempt_start(user=user, exam=bank, mode="simulation")
    item = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=[wrong_id(item)]
    )

    # The second request read the first answer back before the change it waits for.
    outcome = answer_while_another_holds_the_lock(
        user, attempt, correct_ids(item), [wrong_id(item)]
    )

    assert outcome["second"].item.selected == [wrong_id(item)]
    assert AttemptItem.objects.get(pk=item.pk).selected == [wrong_id(item)]


def test_two_attempts_of_one_learner_answered_at_once_both_count():
    bank, user = bank_build(per_domain=4), UserFactory()
    one, two = (
        services.attempt_start(user=user, exam=bank, mode="practice", count=5) for _ in range(2)
    )
    barrier, errors = threading.Barrier(2), []

    def answer(attempt):
        try:
            item = attempt.items.get(position=1)
            with transaction.atomic():
                barrier.wait(timeout=10)
                services.answer_submit(
                    attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item)
                )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(a,)) for a in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert counted(user) == (2, 2, True)
