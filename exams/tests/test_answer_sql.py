"""The answer path's own statements (``exams.answer_sql``) against what the ORM reads and writes.

The locked read builds its models from a hand-kept statement: every field of every model it
hands back must hold what the ORM would read, with the same conversions (dates and JSON on
SQLite), as must the review card, the bookmark, the held-back flag, the choices and the
navigator. The item's write must refuse an item that changed since it was read, in both of
its shapes.
"""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import answer_sql, services
from exams.models import Attempt, AttemptItem, Bookmark
from exams.selectors import questions_held
from exams.tests.factories import bank_build, correct_ids, wrong_id
from questions.models import Choice, Exam
from study import selectors as study_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def statements_made_afresh():
    """Each test makes the statements and their conversions itself, as a new server process
    does, rather than reuse those an earlier test made (so what it checks is what they are now,
    also under mutation testing)."""
    answer_sql._statement.cache_clear()
    answer_sql._conversions_kept.clear()


def fields_of(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


@pytest.fixture
def learner_with_history():
    """A practice attempt with answered items (review cards, with dates), a bookmark, and an
    open simulation of the same exam holding some of the practice set's questions back."""
    exam = bank_build(per_domain=6)
    Exam.objects.filter(pk=exam.pk).update(question_count=10)  # the simulation: 10 of 30
    exam.refresh_from_db()
    user = UserFactory()
    practice = services.attempt_start(
        user=user, exam=exam, mode="practice", count=20, rng=random.Random(3)
    )
    items = list(practice.items.order_by("position"))
    for item, choose in ((items[0], correct_ids), (items[1], lambda i: [wrong_id(i)])):
        services.answer_submit(
            attempt_id=practice.pk,
            user=user,
            position=item.position,
            choice_ids=choose(item),
            confidence=2,
            shown_at=timezone.now() - timedelta(seconds=40),
        )
    services.item_flag(attempt_id=practice.pk, user=user, position=3, flagged=True)
    Bookmark.objects.create(user=user, question_id=items[3].question_id)
    services.attempt_start(user=user, exam=exam, mode="simulation", rng=random.Random(5))
    return user, practice


def orm_item(attempt, position):
    return AttemptItem.objects.select_related("attempt__exam", "question__objective__domain").get(
        attempt=attempt, position=position
    )


def test_every_field_read_is_what_the_orm_reads(learner_with_history):
    user, practice = learner_with_history
    held = set(questions_held(user_id=user.pk).values_list("question_id", flat=True))
    cards = {
        row["question_id"]: row
        for row in study_selectors.card_annotate(practice.items.all(), user_id=user.pk).values(
            "question_id", *study_selectors.card_columns()
        )
    }
    bookmarked = set(Bookmark.objects.filter(user=user).values_list("question_id", flat=True))
    seen = {"held": set(), "bookmarked": set(), "card": 0}

    for position in range(1, practice.question_count + 1):
        with transaction.atomic():
            read, profile = answer_sql.locked_items_read(
                attempt_id=practice.pk, user_id=user.pk, position=position
            )
        (item,) = read
        expected = orm_item(practice, position)
        pairs = [
            (item, expected),
            (item.attempt, expected.attempt),
            (item.attempt.exam, expected.attempt.exam),
            (item.question, expected.question),
            (item.question.objective, expected.question.objective),
            (item.question.objective.domain, expected.question.objective.domain),
            (profile, Profile.objects.get(user=user)),
        ]
        for got, want in pairs:
            assert fields_of(got) == fields_of(want), type(want).__name__
            assert (got._state.adding, got._state.db) == (False, "default")
        card = {name: getattr(item, name) for name in study_selectors.card_columns()}
        assert card == {name: cards[item.question_id][name] for name in card}
        assert item.held is (item.question_id in held)
        assert item.bookmarked is (item.question_id in bookmarked)
        choices = Choice.objects.filter(question_id=item.question_id)
        assert services._choice_rows_of(item) == {
            c.pk: {
                "id": c.pk,
                "text": c.text,
                "explanation": c.explanation,
                "is_correct": c.is_correct,
                "position": c.position,
                "value": c.value,
            }
            for c in choices
        }
        assert sorted(item.navigator) == [
            [i.position, i.answered_at is not None, i.flagged, bool(i.selected)]
            for i in practice.items.order_by("position")
        ]
        seen["held"] |= {item.held}
        seen["bookmarked"] |= {item.bookmarked}
        seen["card"] += item.card_state is not None
    # The history reaches every case: held and not, bookmarked and not, a card and none.
    assert seen == {"held": {True, False}, "bookmarked": {True, False}, "card": 2}


def test_a_simulation_reads_the_items_asked_for_and_practice_only_its_own():
    exam = bank_build(per_domain=4)
    user, other = UserFactory(), UserFactory()
    simulation = services.attempt_start(user=user, exam=exam, mode="simulation")
    practice = services.attempt_start(user=other, exam=exam, mode="practice", count=10)

    with transaction.atomic():
        read, _ = answer_sql.locked_items_read(
            attempt_id=simulation.pk, user_id=user.pk, position=2, others=(3, 7)
        )
        asked_in_practice, _ = answer_sql.locked_items_read(
            attempt_id=practice.pk, user_id=other.pk, position=2, others=(3,)
        )
        not_theirs = answer_sql.locked_items_read(
            attempt_id=simulation.pk, user_id=other.pk, position=2
        )

    assert [item.position for item in read] == [2, 3, 7]
    assert read[0].navigator is not None and read[1].navigator is None
    assert {id(item.attempt) for item in read} == {id(read[0].attempt)}
    assert not any(item.held for item in read)  # the simulation's own questions
    assert [item.position for item in asked_in_practice] == [2]
    assert not_theirs == ([], None)


@pytest.mark.parametrize("answered", [False, True])
@pytest.mark.parametrize("changed", ["selected", "response", "answered_at", None])
def test_the_item_write_refuses_an_item_changed_since_it_was_read(answered, changed):
    exam = bank_build(per_domain=4)
    user = UserFactory()
    attempt = services.attempt_start(user=user, exam=exam, mode="simulation")
    if answered:
        first = attempt.items.get(position=1)
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(first)
        )
    read = attempt.items.get(position=1)
    meanwhile = {
        "selected": [*read.selected, 999_999],
        "response": [None],
        "answered_at": (read.answered_at or timezone.now()) + timedelta(seconds=5),
        None: None,
    }[changed]
    AttemptItem.objects.filter(pk=read.pk).update(flagged=True)  # not part of the guard
    if changed:
        AttemptItem.objects.filter(pk=read.pk).update(**{changed: meanwhile})
    before = fields_of(AttemptItem.objects.get(pk=read.pk))
    answer = {
        "selected": [wrong_id(read)],
        "response": [],
        "score": 0.0,
        "is_correct": False,
        "answered_at": timezone.now(),
        "confidence": 1,
    }

    unchanged = answer_sql.item_as_read(read)
    written = answer_sql.item_answer_write(read, **answer)

    after = fields_of(AttemptItem.objects.get(pk=read.pk))
    if changed:
        assert (unchanged, written) == (False, False) and after == before
    else:
        assert (unchanged, written) == (True, True) and after == before | answer


def test_the_position_write_moves_only_that_attempt():
    exam = bank_build(per_domain=4)
    user = UserFactory()
    one = services.attempt_start(user=user, exam=exam, mode="practice", count=10)
    two = services.attempt_start(user=user, exam=exam, mode="practice", count=10)

    answer_sql.position_write(attempt_id=one.pk, position=6)

    assert dict(Attempt.objects.values_list("pk", "current_position")) == {one.pk: 6, two.pk: 1}
