"""Item analysis on histories built through the exam engine, where the right flags are known."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from exams import services as exams
from questions.item_analysis import (
    ItemRow,
    Response,
    RevisionKey,
    item_stats_compute,
    point_biserial,
    responses_first,
)
from questions.models import ItemStat, Question
from questions.services import item_stats_store
from questions.tests.factories import ExamFactory, QuestionFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEARNERS = 40


@pytest.fixture
def history():
    """40 learners of spread ability answer six questions in practice.

    Five are sound (key A, wrong choices spread over B-D). ``BAD-KEY`` is keyed A but really
    B: strong learners all choose B. Returns (exam, sound question, bad-key question).
    """
    exam = ExamFactory(slug="network")
    sound = QuestionFactory.create_batch(5, exam=exam)
    bad = QuestionFactory(exam=exam, external_id="BAD-KEY")
    # The attempts draw their questions by ``random_key`` from a seeded start; fixed keys make
    # the whole history the same on every run (the default keys are random, and about one
    # history in forty left a sound question's discrimination under 0.1).
    for n, question in enumerate([*sound, bad]):
        Question.objects.filter(pk=question.pk).update(random_key=(n + 1) / 8)
    rng = random.Random(7)
    for n in range(LEARNERS):
        ability = (n + 0.5) / LEARNERS
        learner = UserFactory()
        now = START + timedelta(minutes=n)
        attempt = exams.attempt_start(
            user=learner, exam=exam, mode="practice", count=6, now=now, rng=rng
        )
        for item in attempt.items.select_related("question").order_by("position"):
            letters = dict(item.question.choices.values_list("letter", "pk"))
            if item.question_id == bad.pk:
                letter = "B" if ability > 0.5 else rng.choice("ABCD")
            else:
                letter = "A" if rng.random() < ability else rng.choice("BCD")
            now += timedelta(seconds=30 + item.position)
            exams.answer_submit(
                attempt_id=attempt.pk,
                user=learner,
                position=item.position,
                choice_ids=[letters[letter]],
                now=now,
            )
        exams.attempt_finish(attempt_id=attempt.pk, user=learner, now=now)
    return exam, sound, bad


def test_a_wrong_key_among_strong_learners_is_flagged_and_a_sound_question_is_not(history):
    exam, sound, bad = history

    rows = {row.question_id: row for row in item_stats_store(exam=exam, min_responses=20)}

    assert any("likely wrong key" in flag for flag in rows[bad.pk].flags)
    assert rows[bad.pk].discrimination < 0
    sound_rows = [rows[question.pk] for question in sound]
    assert all(not any("wrong key" in f for f in row.flags) for row in sound_rows)
    assert all(row.discrimination > 0.1 for row in sound_rows)
    assert sum(1 for row in sound_rows if not row.flags) >= 4
    assert all(row.responses == LEARNERS and row.mode == "practice" for row in rows.values())
    assert rows[bad.pk].median_seconds == pytest.approx(33.5, abs=3)
    assert ItemStat.objects.filter(question=bad, is_current=True, flagged=True).exists()


def test_a_question_moved_to_another_exam_leaves_its_old_exams_figures(history):
    """Its answers were given in the old exam; its figures are the new exam's to compute."""
    exam, sound, bad = history
    other = ExamFactory()
    item_stats_store(exam=exam, min_responses=20)
    Question.objects.filter(pk=bad.pk).update(exam=other)

    for _ in range(2):  # run again and again: no row is left behind to clash
        rows = item_stats_store(exam=exam, min_responses=20)
        assert bad.pk not in {row.question_id for row in rows}
        assert item_stats_store(exam=other, min_responses=20) == []

    assert not ItemStat.objects.filter(question=bad).exists()
    assert set(ItemStat.objects.filter(exam=exam).values_list("question_id", flat=True)) == {
        question.pk for question in sound
    }


def test_the_command_prints_one_line_per_flagged_question_then_a_summary(history, capsys):
    _, _, bad = history

    call_command("item_analysis", exam="network", min_responses=20)

    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith(f"network {bad.external_id} ") for line in lines[:-1])
    assert all(line.startswith("network ") for line in lines[:-1])
    assert lines[-1].startswith("6 question revision(s) analysed from 240 first responses;")


def test_below_the_minimum_nothing_is_flagged_by_the_figures(history):
    exam, _, bad = history

    rows = {row.question_id: row for row in item_stats_store(exam=exam, min_responses=41)}

    assert rows[bad.pk].flags == []


def test_a_simulation_is_analysed_apart_from_practice(history):
    exam, _, bad = history
    learner = UserFactory()
    simulation = exams.attempt_start(user=learner, exam=exam, mode="simulation", now=START)
    exams.attempt_finish(attempt_id=simulation.pk, user=learner, now=START)

    rows = item_stats_store(exam=exam, min_responses=20)

    modes = {(row.question_id, row.mode): row.responses for row in rows}
    assert modes[(bad.pk, "practice")] == LEARNERS
    assert (bad.pk, "simulation") not in modes  # unanswered items are no response


# The pure part ---------------------------------------------------------------------------


def test_point_biserial_matches_a_hand_computed_value():
    # right: scores 0.8, 0.6; wrong: 0.4, 0.2. Means 0.7 / 0.3, sd 0.2236, p = 0.5.
    assert point_biserial([True, True, False, False], [0.8, 0.6, 0.4, 0.2]) == pytest.approx(
        (0.7 - 0.3) / 0.223607 * 0.5, rel=1e-4
    )
    assert point_biserial([True, True], [0.5, 0.9]) is None


def test_only_the_first_response_per_learner_and_revision_counts():
    def row(attempt, minutes, correct):
        return ItemRow(
            attempt_id=attempt,
            user_id=1,
            question_id=9,
            revision_id=3,
            selected=(1,),
            is_correct=correct,
            answered_at=START + timedelta(minutes=minutes),
            started_at=START,
        )

    responses = responses_first([row(2, 30, True), row(1, 5, False)])

    assert [(r.correct, r.seconds) for r in responses] == [(False, 300.0)]


def test_a_distractor_nobody_picks_is_flagged():
    key = RevisionKey(letters={1: "A", 2: "B", 3: "C"}, correct=frozenset({1}))
    responses = [
        Response(n, 9, 3, (1,) if n % 2 else (2,), bool(n % 2), n / 40, 20.0) for n in range(40)
    ]

    (stats,) = item_stats_compute(responses=responses, keys={3: key}, min_responses=20)

    assert any(flag.startswith("option C chosen by under 5%") for flag in stats.flags)


def test_a_distractor_only_as_popular_as_the_key_among_the_strongest_is_no_wrong_key():
    key = RevisionKey(letters={1: "A", 2: "B", 3: "C", 4: "D"}, correct=frozenset({1}))
    # The strongest 11 of 40 (27%): five choose A, five B, one C; the rest spread evenly.
    top = [1] * 5 + [2] * 5 + [3]
    rest = [(1, 2, 3, 4)[n % 4] for n in range(29)]
    responses = [
        Response(n, 9, 3, (choice,), choice == 1, n / 40, 20.0)
        for n, choice in enumerate(rest + top)
    ]

    (stats,) = item_stats_compute(responses=responses, keys={3: key}, min_responses=20)

    assert not any("wrong key" in flag for flag in stats.flags), stats.flags
