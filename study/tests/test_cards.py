"""The review schedule: every answer moves the learner's card exactly as ``fsrs`` would."""

import random
import zoneinfo
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.factories import bank_build, correct_ids, wrong_id
from questions.selectors import leeches_by_question
from study import rules, selectors, sets
from study.leeches import leech_counts
from study.models import LEECH_MISSES, Card
from study.tests.factories import CardFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank():
    return bank_build(per_domain=6)


def practice(user, exam, *, count=5, at=T0, **kwargs):
    return services.attempt_start(
        user=user, exam=exam, mode="practice", count=count, now=at, rng=random.Random(3), **kwargs
    )


def answer(attempt, position, *, right, at, **kwargs):
    item = attempt.items.get(position=position)
    choice = correct_ids(item) if right else [wrong_id(item)]
    services.answer_submit(
        attempt_id=attempt.pk,
        user=attempt.user,
        position=position,
        choice_ids=choice,
        now=at,
        **kwargs,
    )
    return item.question_id


def expected(ratings_at):
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card(due=ratings_at[0][1])
    for rating, at in ratings_at:
        card, _ = scheduler.review_card(card, rating, review_datetime=at)
    return card


def test_a_sequence_of_answers_schedules_like_fsrs(bank):
    user = UserFactory()
    sequence = [(False, T0), (True, T0 + timedelta(minutes=11)), (True, T0 + timedelta(days=2))]
    question_id = None
    for right, at in sequence:
        attempt = practice(user, bank, count=1, at=at)
        if question_id is not None:
            # the same question each time: a one-question set of it
            attempt = services.attempt_start(
                user=user,
                exam=bank,
                mode="practice",
                question_ids=[question_id],
                now=at,
                rng=random.Random(1),
            )
        question_id = answer(attempt, 1, right=right, at=at)
    card = Card.objects.get(user=user, question_id=question_id)
    want = expected(
        [
            (fsrs.Rating.Again, T0),
            (fsrs.Rating.Good, sequence[1][1]),
            (fsrs.Rating.Good, sequence[2][1]),
        ]
    )
    assert card.due == want.due
    assert card.stability == pytest.approx(want.stability)
    assert card.difficulty == pytest.approx(want.difficulty)
    assert card.state == int(want.state)
    assert (card.reps, card.misses, card.last_rating) == (3, 1, 3)


@pytest.mark.parametrize(
    ("confidence", "seconds", "rating"),
    [
        (None, None, fsrs.Rating.Good),
        (rules.Confidence.UNSURE, 5, fsrs.Rating.Hard),
        (rules.Confidence.GUESS, 5, fsrs.Rating.Hard),
        (rules.Confidence.SURE, 5, fsrs.Rating.Easy),
        (rules.Confidence.SURE, 25, fsrs.Rating.Good),
    ],
)
def test_confidence_and_speed_choose_the_rating(bank, confidence, seconds, rating):
    user = UserFactory()
    attempt = practice(user, bank, count=1)
    shown = T0 - timedelta(seconds=seconds) if seconds is not None else None
    question_id = answer(attempt, 1, right=True, at=T0, confidence=confidence, shown_at=shown)
    card = Card.objects.get(user=user, question_id=question_id)
    assert card.last_rating == int(rating)
    assert card.due == expected([(rating, T0)]).due
    assert attempt.items.get(position=1).confidence == confidence


def test_a_multi_answer_question_half_right_is_again(bank):
    exam = bank_build(per_domain=2, correct=("A", "B"))
    user = UserFactory()
    attempt = practice(user, exam, count=1)
    item = attempt.items.get(position=1)
    # One right choice and one wrong: the exact count, not fully right.
    services.answer_submit(
        attempt_id=attempt.pk,
        user=user,
        position=1,
        choice_ids=[correct_ids(item)[0], wrong_id(item)],
        now=T0,
    )
    assert Card.objects.get(user=user, question_id=item.question_id).last_rating == 1


def test_a_simulation_moves_its_cards_only_when_submitted(bank):
    user = UserFactory()
    exam = bank
    exam.question_count = 5
    exam.save()
    attempt = services.attempt_start(user=user, exam=exam, mode="simulation", now=T0)
    for position in (1, 2):
        answer(attempt, position, right=position == 1, at=T0)
    assert not Card.objects.filter(user=user).exists()
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=T0 + timedelta(minutes=5))
    cards = {c.question_id: c for c in Card.objects.filter(user=user)}
    first, second = (attempt.items.get(position=p).question_id for p in (1, 2))
    assert set(cards) == {first, second}  # unanswered items do not become cards
    assert cards[first].last_rating == 3 and cards[second].last_rating == 1
    assert cards[first].last_review == T0 + timedelta(minutes=5)


def test_due_count_ends_at_the_learners_midnight():
    # A card due at 23:30 in Auckland counts today there; at 00:30 it would be tomorrow's.
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone="Pacific/Auckland")
    exam = bank_build(per_domain=1)
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    questions = list(exam.questions.order_by("pk")[:2])
    now = datetime(2026, 3, 2, 20, 0, tzinfo=zone)
    for question, due in zip(
        questions,
        (datetime(2026, 3, 2, 23, 30, tzinfo=zone), datetime(2026, 3, 3, 0, 30, tzinfo=zone)),
        strict=True,
    ):
        CardFactory(
            user=user, question=question, due=due, last_review=now, last_rating=1, reps=1, misses=1
        )
    assert selectors.due_count(user_id=user.pk, zone=zone, now=now) == 1
    assert selectors.due_count(user_id=user.pk, zone=zone, now=now + timedelta(hours=4)) == 2
    assert (
        selectors.due_count(user_id=user.pk, zone=UTC, now=now) == 2
    )  # in UTC it's 07:00 tomorrow


def test_review_serves_due_cards_lowest_retrievability_first_and_respects_the_cap(bank):
    user = UserFactory()
    Profile.objects.filter(user=user).update(review_cap=2)
    user.refresh_from_db()
    questions = list(bank.questions.order_by("pk")[:3])
    now = T0 + timedelta(days=30)
    # Same stability, reviewed longer ago -> lower retrievability.
    for question, days_ago in zip(questions, (3, 20, 10), strict=True):
        CardFactory(
            user=user,
            question=question,
            state=2,
            stability=2.0,
            difficulty=5.0,
            due=now - timedelta(days=1),
            last_review=now - timedelta(days=days_ago),
            last_rating=3,
            reps=1,
        )
    attempt = sets.review_start(user=user, exam=bank, now=now, rng=random.Random(1))
    assert attempt.mode == "review"
    assert list(attempt.items.order_by("position").values_list("question_id", flat=True)) == [
        questions[1].pk,
        questions[2].pk,
    ]
    with pytest.raises(sets.NothingDue, match="cap"):
        sets.review_start(user=user, exam=bank, now=now)


def test_review_choices_are_reshuffled_each_session(bank):
    user = UserFactory()
    question = bank.questions.order_by("pk").first()
    orders = set()
    for seed in range(6):
        attempt = services.attempt_start(
            user=user,
            exam=bank,
            mode="review",
            question_ids=[question.pk],
            now=T0,
            rng=random.Random(seed),
        )
        orders.add(tuple(attempt.items.get().choice_order))
    assert len(orders) > 1


def test_review_never_serves_a_question_of_the_open_simulation(bank):
    user = UserFactory()
    bank.question_count = 60
    bank.save()
    now = T0 + timedelta(days=3)
    for question in bank.questions.all():
        CardFactory(
            user=user, question=question, due=T0, last_review=T0, last_rating=1, reps=1, misses=1
        )
    simulation = services.attempt_start(user=user, exam=bank, mode="simulation", now=now)
    held = set(simulation.items.values_list("question_id", flat=True))
    assert held  # the whole bank is in the simulation
    zone = UTC
    assert selectors.due_count(user_id=user.pk, zone=zone, now=now) == 30 - len(held)
    with pytest.raises(sets.NothingDue):
        sets.review_start(user=user, exam=bank, now=now)


def test_a_review_answer_earns_xp_and_counts_for_the_goal(bank):
    user = UserFactory()
    question = bank.questions.order_by("pk").first()
    CardFactory(
        user=user, question=question, due=T0, last_review=T0, last_rating=1, reps=1, misses=1
    )
    attempt = sets.review_start(user=user, exam=bank, now=T0 + timedelta(days=1))
    answer(attempt, 1, right=True, at=T0 + timedelta(days=1))
    profile = Profile.objects.get(user=user)
    assert profile.xp_total == 3 and profile.total_questions_answered == 1
    assert profile.current_streak == 1


def test_a_card_missed_eight_times_is_a_leech(bank):
    user, other = UserFactory(), UserFactory()
    question = bank.questions.order_by("pk").first()
    at = T0
    for _ in range(LEECH_MISSES):
        attempt = services.attempt_start(
            user=user, exam=bank, mode="practice", question_ids=[question.pk], now=at
        )
        answer(attempt, 1, right=False, at=at)
        at += timedelta(days=1)
    card = Card.objects.get(user=user, question=question)
    assert card.is_leech
    assert leech_counts() == {question.pk: 1}
    assert leech_counts(question_ids=[question.pk + 1]) == {}
    assert leeches_by_question(exam=bank) == {question.pk: 1}  # what item analysis reads
    [leech] = selectors.leeches_of(user_id=user.pk)
    assert leech.objective_id == question.objective_id
    assert selectors.leeches_of(user_id=other.pk) == []
