"""Factories and bank builders for the exam engine's tests.

Single questions come from ``questions.tests.factories.QuestionFactory``; whole banks (tens to
thousands of questions) are bulk-created here, fast enough for every test that needs one.
"""

import random
from datetime import timedelta

import factory
from django.utils import timezone

from exams.models import Attempt, AttemptItem, Bookmark
from questions.models import LETTERS, Choice, Domain, Exam, Objective, Question
from questions.services import revisions_snapshot
from questions.tests.factories import ExamFactory, QuestionFactory

__all__ = ["AttemptFactory", "BookmarkFactory", "ExamFactory", "QuestionFactory", "bank_build"]


def bank_build(
    *,
    exam: Exam | None = None,
    weights=(12, 22, 18, 28, 20),
    per_domain: int | list[int] = 30,
    objectives_per_domain: int = 2,
    n_choices: int = 4,
    correct=("A",),
    seed: int = 1,
) -> Exam:
    """An exam with one domain per weight, its objectives and ``per_domain`` questions each.

    Every question has ``n_choices`` choices; ``correct`` letters are right. Explanations name
    the question and letter ("Explain Q<id> B") so tests can look for them in the HTML.
    """
    rng = random.Random(seed)
    exam = exam or ExamFactory()
    counts = per_domain if isinstance(per_domain, list) else [per_domain] * len(weights)
    questions = []
    for number, (weight, count) in enumerate(zip(weights, counts, strict=True), start=1):
        domain = Domain.objects.create(
            exam=exam, number=number, name=f"Domain {number}", weight_percent=weight
        )
        objectives = [
            Objective.objects.create(domain=domain, code=f"{number}.{k}", title=f"Topic {k}")
            for k in range(1, objectives_per_domain + 1)
        ]
        for i in range(count):
            objective = objectives[i % len(objectives)]
            questions.append(
                Question(
                    exam=exam,
                    domain=domain,
                    objective=objective,
                    external_id=f"{exam.slug}-{number}-{i}",
                    text=f"Question {i} of domain {number}?",
                    random_key=rng.random(),
                )
            )
    Question.objects.bulk_create(questions)
    choices = []
    for question in Question.objects.filter(exam=exam).only("id"):
        for letter in LETTERS[:n_choices]:
            choices.append(
                Choice(
                    question=question,
                    letter=letter,
                    text=f"Option {letter} of Q{question.pk}",
                    explanation=f"Explain Q{question.pk} {letter}",
                    is_correct=letter in correct,
                )
            )
    Choice.objects.bulk_create(choices)
    # Revision 1 of every question, as the admin, the importer and migration 0008 make it.
    revisions_snapshot(
        questions=Question.objects.filter(exam=exam).only("id", "text", "revision_number")
    )
    return exam


def correct_ids(item: AttemptItem) -> list[int]:
    return list(
        Choice.objects.filter(question_id=item.question_id, is_correct=True).values_list(
            "id", flat=True
        )
    )


def wrong_id(item: AttemptItem) -> int:
    return Choice.objects.filter(question_id=item.question_id, is_correct=False).values_list(
        "id", flat=True
    )[0]


class AttemptFactory(factory.django.DjangoModelFactory):
    """A bare attempt row (no items); use ``exams.services.attempt_start`` for real ones."""

    class Meta:
        model = Attempt

    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    exam = factory.SubFactory(ExamFactory)
    mode = Attempt.Mode.PRACTICE
    question_count = 10
    started_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyAttribute(
        lambda o: (
            o.started_at + timedelta(minutes=90) if o.mode == Attempt.Mode.SIMULATION else None
        )
    )


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bookmark

    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    question = factory.SubFactory(QuestionFactory)
