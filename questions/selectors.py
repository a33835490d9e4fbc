"""Reads of the question bank."""

from collections import defaultdict
from collections.abc import Iterator
from typing import TextIO

from django.db.models import Count, Prefetch

from questions.csv_format import ChoiceData, QuestionRow, write_question_rows
from questions.models import LETTERS, Choice, Domain, Exam, Objective, Question
from questions.quality import ExamBlueprint

EXPORT_CHUNK_SIZE = 1000


def exam_catalogue(*, current_only=False):
    """Exams in catalogue order, with their domains; ``bank_size`` is kept by the database."""
    exams = Exam.objects.select_related("successor").prefetch_related(
        Prefetch("domains", queryset=Domain.objects.order_by("number"))
    )
    if current_only:
        exams = exams.filter(status=Exam.Status.CURRENT)
    return list(exams)


def questions_export(*, exam: Exam, out: TextIO, include_retired: bool = False) -> int:
    """Write the bank of ``exam`` to ``out`` in the import CSV format; return the row count.

    Columns option-e..option-j, type, exhibit and values appear only when a question uses
    them. Questions come in the order
    they were created, streamed in chunks (two queries per chunk), so memory stays flat.
    """
    questions = Question.objects.filter(exam=exam)
    if not include_retired:
        questions = questions.filter(is_active=True)
    used = Choice.objects.filter(question__in=questions, letter__in=list(LETTERS[4:]))
    last = max(used.values_list("letter", flat=True).distinct(), default="D")
    letters = LETTERS[: LETTERS.index(last) + 1]
    # Each optional column only when some exported question uses it.
    shape = {
        "difficulty": questions.filter(difficulty__isnull=False).exists(),
        "kind": questions.exclude(kind=Question.Kind.CHOICE).exists(),
        "exhibit": questions.exclude(exhibit="").exists(),
        "values": questions.filter(kind=Question.Kind.MATCH).exists(),
    }
    return write_question_rows(out, letters, _export_rows(questions), **shape)


def question_rows(*, exam: Exam, include_retired: bool = False) -> Iterator[QuestionRow]:
    """The bank of ``exam`` as the CSV format's rows, in the order the questions were made."""
    questions = Question.objects.filter(exam=exam)
    if not include_retired:
        questions = questions.filter(is_active=True)
    return _export_rows(questions)


def exam_blueprint(*, exam: Exam) -> ExamBlueprint:
    """What the quality gate judges a bank of ``exam`` against: domain weights, objectives."""
    objectives = Objective.objects.filter(domain__exam=exam).order_by(
        "domain__number", "sort_minor", "code"
    )
    return ExamBlueprint(
        slug=exam.slug,
        code=exam.code,
        current=exam.status == Exam.Status.CURRENT,
        weights=dict(exam.domains.order_by("number").values_list("number", "weight_percent")),
        objectives=tuple(objectives.values_list("code", flat=True)),
    )


def _export_rows(questions) -> Iterator[QuestionRow]:
    rows = (
        questions.select_related("objective")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("letter")))
        .only(
            "pk",
            "external_id",
            "text",
            "kind",
            "exhibit",
            "match_values",
            "difficulty",
            "objective__code",
        )
        .order_by("pk")
    )
    for question in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield QuestionRow(
            line=0,
            external_id=question.external_id,
            objective_code=question.objective.code,
            text=question.text,
            difficulty=question.difficulty,
            kind=question.kind,
            exhibit=question.exhibit,
            values=tuple(question.match_values),
            choices=tuple(
                ChoiceData(
                    choice.letter,
                    choice.text,
                    choice.explanation,
                    choice.is_correct,
                    choice.position,
                    choice.value,
                )
                for choice in question.choices.all()
            ),
        )


def reports_of(*, user) -> list:
    """The learner's problem reports, newest first, with their question and exam (one query)."""
    from questions.models import QuestionReport

    return list(
        QuestionReport.objects.filter(user=user)
        .select_related("question__exam")
        .order_by("-created_at", "-id")[:200]
    )


# Item analysis -----------------------------------------------------------------------------


def item_rows(*, exam: Exam, mode: str) -> list:
    """The scored items of ``exam``'s attempts in ``mode`` (practice also counts drills), for
    ``questions.item_analysis``: practice items once answered, simulations once submitted.

    One query, read in chunks; only the columns the analysis needs.
    """
    from exams.models import Attempt, AttemptItem
    from questions.item_analysis import ItemRow

    items = AttemptItem.objects.filter(attempt__exam=exam, is_correct__isnull=False)
    if mode == "simulation":
        items = items.filter(
            attempt__mode=Attempt.Mode.SIMULATION, attempt__status=Attempt.Status.SUBMITTED
        )
    else:
        items = items.exclude(attempt__mode=Attempt.Mode.SIMULATION)
    columns = (
        "attempt_id",
        "attempt__user_id",
        "question_id",
        "revision_id",
        "selected",
        "is_correct",
        "answered_at",
        "attempt__started_at",
    )
    return [
        ItemRow(a, u, q, r, tuple(s or ()), bool(c), at, start)
        for a, u, q, r, s, c, at, start in items.order_by()
        .values_list(*columns)
        .iterator(chunk_size=5000)
    ]


def revision_keys(*, exam: Exam) -> dict:
    """Letters and key of every revision of ``exam``'s questions, and of the live choices
    under ``("question", id)`` for items older than revisions. Two queries."""
    from questions.item_analysis import RevisionKey
    from questions.models import QuestionRevision

    keys: dict = {}
    for pk, snapshot in (
        QuestionRevision.objects.filter(question__exam=exam)
        .order_by()
        .values_list("pk", "snapshot")
    ):
        choices = snapshot.get("choices", [])
        keys[pk] = RevisionKey(
            letters={c["id"]: c["letter"] for c in choices},
            correct=frozenset(c["id"] for c in choices if c["is_correct"]),
        )
    live: dict = defaultdict(lambda: ({}, set()))
    for pk, question_id, letter, is_correct in (
        Choice.objects.filter(question__exam=exam)
        .order_by()
        .values_list("pk", "question_id", "letter", "is_correct")
    ):
        letters, correct = live[question_id]
        letters[pk] = letter
        if is_correct:
            correct.add(pk)
    for question_id, (letters, correct) in live.items():
        keys[("question", question_id)] = RevisionKey(letters=letters, correct=frozenset(correct))
    return keys


def open_report_counts(*, exam: Exam) -> dict[int, int]:
    """Question id -> open problem reports, for ``exam``."""
    from questions.models import QuestionReport

    rows = (
        QuestionReport.objects.filter(question__exam=exam, status=QuestionReport.Status.OPEN)
        .values("question_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("question_id", "n")
    )
    return dict(rows)


def leeches_by_question(*, exam: Exam) -> dict[int, int]:
    """Question id -> learners for whom it is a leech (missed 8 times in spaced review).

    A hook for spaced review: an empty mapping until spaced review keeps cards.
    """
    return {}
