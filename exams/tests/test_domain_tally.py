"""Readiness per domain reads kept tallies; its figures are those of the whole history."""

import random
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt, AttemptItem, DomainTally
from exams.tests.factories import bank_build, correct_ids, wrong_id
from gamification.selectors import exam_readiness

pytestmark = pytest.mark.django_db


def history_aggregate(user) -> dict:
    """What the dashboard computed before the tallies: every answered item of every
    submitted attempt, grouped by its question's domain (number -> (answered, correct))."""
    rows = (
        AttemptItem.objects.filter(
            attempt__user=user,
            attempt__status=Attempt.Status.SUBMITTED,
            answered_at__isnull=False,
            is_correct__isnull=False,
        )
        .values("question__exam__code", "question__domain__number")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
    )
    return {
        (r["question__exam__code"], r["question__domain__number"]): (r["answered"], r["correct"])
        for r in rows
    }


def shown(user) -> dict:
    return {
        (exam.code, d.number): (d.answered, d.correct)
        for exam in exam_readiness(user=user)
        for d in exam.domains
    }


def play(user, exam, mode, *, rng, now, finish=True, count=10):
    attempt = services.attempt_start(user=user, exam=exam, mode=mode, count=count, now=now)
    for item in attempt.items.order_by("position"):
        if rng.random() < 0.2:
            continue  # left unanswered
        choice = correct_ids(item) if rng.random() < 0.6 else [wrong_id(item)]
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=choice, now=now
        )
    if finish == "abandon":
        services.attempt_abandon(attempt_id=attempt.pk, user=user, now=now)
    elif finish:
        services.attempt_finish(attempt_id=attempt.pk, user=user, now=now)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readiness_per_domain_is_the_same_as_over_the_whole_history(seed):
    rng = random.Random(seed)
    one, two = bank_build(per_domain=12), bank_build(per_domain=12, seed=2)
    user, other = UserFactory(), UserFactory()
    now = timezone.now() - timedelta(days=30)
    for n in range(8):
        exam = one if n % 3 else two
        mode = "simulation" if n % 3 == 2 else "practice"
        play(user, exam, mode, rng=rng, now=now + timedelta(days=n))
        play(other, one, "practice", rng=rng, now=now + timedelta(days=n))
    play(user, one, "practice", rng=rng, now=now + timedelta(days=9), finish="abandon")
    play(user, two, "practice", rng=rng, now=now + timedelta(days=10), finish=False)

    expected = history_aggregate(user)
    assert expected and shown(user) == expected
    assert shown(other) == history_aggregate(other)


def test_finishing_twice_adds_the_attempt_once():
    exam, user, rng = bank_build(per_domain=4), UserFactory(), random.Random(5)
    play(user, exam, "practice", rng=rng, now=timezone.now(), count=10)
    attempt = Attempt.objects.get(user=user)
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert shown(user) == history_aggregate(user)
    assert sum(t.answered for t in DomainTally.objects.filter(user=user)) == (
        attempt.items.filter(answered_at__isnull=False).count()
    )


def test_a_submission_moves_only_its_learners_tallies():
    exam, rng, now = bank_build(per_domain=4), random.Random(8), timezone.now()
    learner, other = UserFactory(), UserFactory()
    play(other, exam, "practice", rng=rng, now=now, count=20)
    kept = list(DomainTally.objects.filter(user=other).values_list("domain_id", "recent"))

    play(learner, exam, "practice", rng=rng, now=now + timedelta(minutes=5), count=20)

    assert list(DomainTally.objects.filter(user=other).values_list("domain_id", "recent")) == kept
    assert shown(learner) == history_aggregate(learner)
    assert windows(learner, replay=False) == windows(learner, replay=True)


def windows(user, *, replay):
    from gamification.rules import LearnerFacts

    facts = LearnerFacts(profile=user.profile, replay=replay)
    return {domain: figures for domain, figures in facts.domain_windows.items() if figures[0]}


@pytest.mark.parametrize("seed", [4, 5])
def test_kept_recent_windows_are_the_last_answers_of_the_whole_history(seed):
    """Mastery reads the kept windows; they equal ranking every answer, also when two
    attempts interleave their answers and are submitted in the other order."""
    rng = random.Random(seed)
    exam, user = bank_build(per_domain=12), UserFactory()
    start = timezone.now() - timedelta(days=40)
    for n in range(12):
        mode = "simulation" if n % 4 == 3 else "practice"
        play(user, exam, mode, rng=rng, now=start + timedelta(days=n), count=20)
    first = services.attempt_start(user=user, exam=exam, mode="practice", count=20, now=start)
    second = services.attempt_start(user=user, exam=exam, mode="practice", count=20, now=start)
    at = start + timedelta(days=20)
    for position in range(1, 21):
        for attempt in (first, second):
            item = attempt.items.get(position=position)
            choice = correct_ids(item) if rng.random() < 0.5 else [wrong_id(item)]
            at += timedelta(seconds=7)
            services.answer_submit(
                attempt_id=attempt.pk, user=user, position=position, choice_ids=choice, now=at
            )
    services.attempt_finish(attempt_id=second.pk, user=user, now=at)
    services.attempt_finish(attempt_id=first.pk, user=user, now=at + timedelta(seconds=1))

    expected = windows(user, replay=True)
    assert max(n for n, _ in expected.values()) == 50  # the windows are full: some dropped
    assert windows(user, replay=False) == expected

    # Answers of attempts not submitted (open, abandoned) count only once they are submitted.
    play(user, exam, "practice", rng=rng, now=at, finish=False, count=20)
    play(user, exam, "practice", rng=rng, now=at, finish="abandon", count=20)
    assert (
        AttemptItem.objects.filter(attempt__user=user, answered_at__isnull=False)
        .exclude(attempt__status=Attempt.Status.SUBMITTED)
        .exists()
    )
    readiness = shown(user)

    services.domain_tallies_rebuild()
    assert windows(user, replay=False) == expected
    assert shown(user) == history_aggregate(user) == readiness
