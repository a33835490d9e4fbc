"""Reads of the question bank."""

from collections.abc import Iterator
from typing import TextIO

from django.db.models import Prefetch

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

    Columns option-e/f appear only when a question uses them. Questions come in the order
    they were created, streamed in chunks (two queries per chunk), so memory stays flat.
    """
    questions = Question.objects.filter(exam=exam)
    if not include_retired:
        questions = questions.filter(is_active=True)
    used = Choice.objects.filter(question__in=questions, letter__in=["E", "F"])
    last = max(used.values_list("letter", flat=True).distinct(), default="D")
    letters = LETTERS[: LETTERS.index(last) + 1]
    difficulty = questions.filter(difficulty__isnull=False).exists()
    return write_question_rows(out, letters, _export_rows(questions), difficulty=difficulty)


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
        .only("pk", "external_id", "text", "difficulty", "objective__code")
        .order_by("pk")
    )
    for question in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield QuestionRow(
            line=0,
            external_id=question.external_id,
            objective_code=question.objective.code,
            text=question.text,
            difficulty=question.difficulty,
            choices=tuple(
                ChoiceData(choice.letter, choice.text, choice.explanation, choice.is_correct)
                for choice in question.choices.all()
            ),
        )
