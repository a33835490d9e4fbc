"""Two tabs at once: racing writes on one attempt count exactly once (PostgreSQL only).

Each test runs the same service in two threads, each with its own database connection. The
first thread to read the attempt is held until the second one has either read it too (the row
was not locked: the race is on) or is waiting for the row lock that the first one holds. So the
interleaving that a missing ``select_for_update`` would let through always happens, and no test
depends on how the threads happen to be scheduled.
"""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt, DomainTally
from exams.tests.factories import bank_build, correct_ids, wrong_id
from gamification.models import DailyActivity, XPEntry

pytestmark = pytest.mark.django_db(transaction=True)

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the races need PostgreSQL")


class Rendezvous:
    """Wraps ``exams.services._locked_attempt``: whoever reads the attempt first waits there
    until the other caller has read it too or is blocked on a lock held by the first."""

    def __init__(self):
        self.pids: dict[int, int] = {}  # thread id -> its database backend pid
        self.past_read = 0
        self.condition = threading.Condition()
        self.read = services._locked_attempt

    def register(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pids[threading.get_ident()] = cursor.fetchone()[0]

    def _other_is_blocked_by_me(self) -> bool:
        me = self.pids[threading.get_ident()]
        others = [pid for pid in self.pids.values() if pid != me]
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [me, others[0]])
            return cursor.fetchone()[0]

    def __call__(self, **kwargs):
        attempt = self.read(**kwargs)
        with self.condition:
            self.past_read += 1
            self.condition.notify_all()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with self.condition:
                if self.past_read >= 2:
                    return attempt
                self.condition.wait(timeout=0.01)
            if self._other_is_blocked_by_me():
                return attempt
        raise AssertionError("the other caller neither read the attempt nor waited for it")


def race(*calls):
    """Run the two calls at once, each in its own thread and connection; their outcomes (a
    result or the exception raised) in the order of ``calls``."""
    rendezvous = Rendezvous()
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            rendezvous.register()
            barrier.wait(timeout=20)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    with mock.patch.object(services, "_locked_attempt", rendezvous):
        threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def practice(user, count=3):
    exam = bank_build(weights=(60, 40), per_domain=5)
    return services.attempt_start(user=user, exam=exam, mode="practice", count=count, now=NOW)


def test_two_finishes_of_one_attempt_count_once():
    user = UserFactory()
    attempt = practice(user, count=2)  # one of two answered: the attempt counts
    item = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item), now=NOW
    )
    finish = lambda: services.attempt_finish(  # noqa: E731
        attempt_id=attempt.pk, user=user, now=NOW + timedelta(minutes=1)
    )

    first, second = race(finish, finish)

    assert sorted([first.newly_finished, second.newly_finished]) == [False, True]
    assert Profile.objects.get(user=user).total_exams_taken == 1
    assert sum(DomainTally.objects.filter(user=user).values_list("answered", flat=True)) == 1
    assert XPEntry.objects.filter(user=user, reason=XPEntry.Reason.ATTEMPT_FINISHED).count() == 1
    assert Attempt.objects.get(pk=attempt.pk).correct_count == 1


def test_the_same_practice_answer_sent_twice_at_once_counts_once():
    user = UserFactory()
    attempt = practice(user)
    chosen = correct_ids(attempt.items.get(position=1))
    answer = lambda: services.answer_submit(  # noqa: E731
        attempt_id=attempt.pk, user=user, position=1, choice_ids=chosen, now=NOW
    )

    first, second = race(answer, answer)

    assert sorted([first.newly_answered, second.newly_answered]) == [False, True]
    assert Profile.objects.get(user=user).total_questions_answered == 1
    assert DailyActivity.objects.get(user=user).answered == 1
    assert XPEntry.objects.filter(user=user, reason=XPEntry.Reason.ANSWERS).count() == 1


def test_two_different_practice_answers_at_once_store_one_and_refuse_the_other():
    user = UserFactory()
    attempt = practice(user)
    item = attempt.items.get(position=1)
    right, wrong = correct_ids(item), [wrong_id(item)]

    def answer(choice_ids):
        return lambda: services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=choice_ids, now=NOW
        )

    outcomes = race(answer(right), answer(wrong))

    stored = [o for o in outcomes if isinstance(o, services.AnswerResult)]
    refused = [o for o in outcomes if isinstance(o, services.AnswerFinal)]
    assert (len(stored), len(refused)) == (1, 1), outcomes
    item.refresh_from_db()
    assert item.selected == sorted(stored[0].item.selected)
    assert Profile.objects.get(user=user).total_questions_answered == 1
    assert DailyActivity.objects.get(user=user).answered == 1
