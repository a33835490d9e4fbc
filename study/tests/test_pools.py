"""Smart practice pools, the question of the day and the cost of a card write."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Bookmark
from exams.tests.factories import bank_build, correct_ids, wrong_id
from study import rules, selectors, sets
from study.models import Card

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def bank():
    return bank_build(per_domain=6)


@pytest.fixture
def history(bank):
    """A learner's finished set of 12: positions 1-4 wrong (1-2 flagged), 5-8 right with
    Guess, 9-12 right and sure."""
    user = UserFactory()
    attempt = services.attempt_start(
        user=user, exam=bank, mode="practice", count=12, now=NOW, rng=random.Random(9)
    )
    for item in attempt.items.order_by("position"):
        p = item.position
        if p <= 2:
            services.item_flag(attempt_id=attempt.pk, user=user, position=p, flagged=True, now=NOW)
        services.answer_submit(
            attempt_id=attempt.pk,
            user=user,
            position=p,
            choice_ids=[wrong_id(item)] if p <= 4 else correct_ids(item),
            confidence=rules.Confidence.GUESS if 5 <= p <= 8 else rules.Confidence.SURE,
            now=NOW,
        )
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)
    by_position = dict(attempt.items.values_list("position", "question_id"))
    return user, attempt, by_position


def pool(user, exam, name, **kwargs):
    choice = selectors.PoolChoice(pool=name, **kwargs)
    queryset = selectors.pool_questions(
        user_id=user.pk, exam=exam, choice=choice, now=NOW + timedelta(days=1, hours=1), zone=UTC
    )
    return set(queryset.values_list("pk", flat=True))


def test_each_pool_holds_what_it_says(bank, history):
    user, _attempt, at = history
    everything = set(bank.questions.values_list("pk", flat=True))
    assert pool(user, bank, "all") == everything
    assert pool(user, bank, "unseen") == everything - set(at.values())
    assert pool(user, bank, "missed") == {at[p] for p in (1, 2, 3, 4)}
    assert pool(user, bank, "flagged") == {at[1], at[2]}
    assert pool(user, bank, "unsure") == {at[p] for p in (5, 6, 7, 8)}
    # A day later the misses (Again) and the right guesses (Hard) are due; the sure ones
    # (Good) come two days later.
    assert pool(user, bank, "due") == {at[p] for p in range(1, 9)}
    Bookmark.objects.create(user=user, question_id=at[9])
    assert pool(user, bank, "bookmarked") == {at[9]}
    weakest = selectors.weakest_objectives(user_id=user.pk, exam=bank, k=1)
    assert pool(user, bank, "weakest", weakest=1) == set(
        bank.questions.filter(objective_id=weakest[0]["id"]).values_list("pk", flat=True)
    )


def test_missed_looks_at_the_last_n_attempts_only(bank, history):
    user, _attempt, at = history
    later = services.attempt_start(
        user=user, exam=bank, mode="practice", question_ids=[at[9]], now=NOW
    )
    services.answer_submit(
        attempt_id=later.pk,
        user=user,
        position=1,
        choice_ids=[wrong_id(later.items.get())],
        now=NOW,
    )
    services.attempt_finish(attempt_id=later.pk, user=user, now=NOW + timedelta(minutes=1))
    assert pool(user, bank, "missed", last_attempts=1) == {at[9]}
    assert pool(user, bank, "missed", last_attempts=2) == {at[p] for p in (1, 2, 3, 4, 9)}


def test_another_learners_history_is_not_in_my_pools(bank, history):
    other = UserFactory()
    assert pool(other, bank, "missed") == set()
    assert pool(other, bank, "due") == set()
    assert len(pool(other, bank, "unseen")) == 30


def test_no_pool_serves_a_question_of_the_open_simulation(bank, history):
    user, _attempt, _at = history
    bank.question_count = 30
    bank.save()
    services.attempt_start(user=user, exam=bank, mode="simulation", now=NOW)
    for name in ("all", "unseen", "missed", "flagged", "unsure", "due", "weakest"):
        assert pool(user, bank, name) == set(), name
    with pytest.raises(services.NoQuestions):
        sets.smart_start(
            user=user, exam=bank, choice=selectors.PoolChoice(pool="all"), count=5, now=NOW
        )
    with pytest.raises(services.NoQuestions):
        sets.daily_start(user=user, exam=bank, now=NOW)


def test_a_smart_set_narrows_to_objectives_and_counts_matches(bank):
    user = UserFactory()
    objective = bank.domains.get(number=2).objectives.first()
    queryset = selectors.pool_narrow(
        selectors.pool_questions(
            user_id=user.pk,
            exam=bank,
            choice=selectors.PoolChoice(pool="all"),
            now=NOW,
            zone=UTC,
        ),
        objective_ids=[objective.pk],
    )
    assert selectors.pool_count(queryset) == 3
    attempt = sets.smart_start(
        user=user,
        exam=bank,
        choice=selectors.PoolChoice(pool="all"),
        count=10,
        objective_ids=[objective.pk],
        now=NOW,
    )
    assert attempt.question_count == 3
    assert set(attempt.items.values_list("question__objective_id", flat=True)) == {objective.pk}


def test_question_of_the_day_is_stable_within_a_day_and_moves_with_the_date(bank):
    day = date(2026, 4, 1)
    first = selectors.question_of_the_day(exam=bank, day=day)
    assert first is not None
    assert all(selectors.question_of_the_day(exam=bank, day=day) == first for _ in range(3))
    picks = {
        selectors.question_of_the_day(exam=bank, day=day + timedelta(days=n)) for n in range(10)
    }
    assert len(picks) > 3
    other = bank_build(per_domain=6)
    assert selectors.question_of_the_day(exam=other, day=day) not in set(
        bank.questions.values_list("pk", flat=True)
    )


def test_the_question_of_the_day_follows_the_learners_local_date(bank):
    # 23:30 UTC on 1 April is already 2 April in Auckland.
    user = UserFactory()
    user.profile.time_zone = "Pacific/Auckland"
    user.profile.save()
    at = datetime(2026, 4, 1, 23, 30, tzinfo=UTC)
    attempt = sets.daily_start(user=user, exam=bank, now=at)
    assert attempt.scope["daily"] == "2026-04-02"
    assert attempt.items.get().question_id == selectors.question_of_the_day(
        exam=bank, day=date(2026, 4, 2)
    )


def test_an_answer_moves_its_card_with_one_upsert_and_no_read(bank):
    user = UserFactory()
    attempt = services.attempt_start(user=user, exam=bank, mode="practice", count=2, now=NOW)
    items = list(attempt.items.order_by("position"))
    for item, at in ((items[0], NOW), (items[1], NOW)):
        with CaptureQueriesContext(connection) as queries:
            services.answer_submit(
                attempt_id=attempt.pk,
                user=user,
                position=item.position,
                choice_ids=[wrong_id(item)],
                now=at,
            )
        card_queries = [q["sql"] for q in queries if "study_card" in q["sql"]]
        # The item's read joins the card; the one write is an upsert.
        assert len(card_queries) == 2, card_queries
        assert card_queries[0].lstrip().upper().startswith("SELECT")
        assert "JOIN" in card_queries[0].upper()
        assert card_queries[1].lstrip().upper().startswith("INSERT")
        assert "ON CONFLICT" in card_queries[1].upper()
    assert Card.objects.filter(user=user).count() == 2
