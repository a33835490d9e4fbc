"""Factories and bank builders for the exam engine's tests.

Single questions come from ``questions.tests.factories.QuestionFactory``; whole banks (tens to
thousands of questions) are bulk-created here, fast enough for every test that needs one.
"""

import random
from datetime import timedelta

import factory
from django.db import transaction
from django.utils import timezone

from exams import services
from exams.models import Attempt, AttemptItem, Bookmark
from questions.models import LETTERS, Choice, Domain, Exam, Objective, Question
from questions.services import revisions_snapshot
from questions.tests.factories import ExamFactory, QuestionFactory

__all__ = [
    "AttemptFactory",
    "BookmarkFactory",
    "ExamFactory",
    "QuestionFactory",
    "answer_all",
    "attempt_finished",
    "bank_build",
]


def weight_shares(total: int, weights) -> list[int]:
    """``total`` shared over ``weights`` in proportion, largest remainders first."""
    exact = [total * weight / sum(weights) for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda k: shares[k] - exact[k])
    for k in by_remainder[: total - sum(shares)]:
        shares[k] += 1
    return shares


def bank_build(
    *,
    exam: Exam | None = None,
    weights=(12, 22, 18, 28, 20),
    per_domain: int | list[int] = 30,
    questions: int | None = None,
    objectives_per_domain: int = 2,
    n_choices: int = 4,
    correct=("A",),
    text: str = "",
    seed: int = 1,
    batch: int = 5_000,
) -> Exam:
    """An exam with one domain per weight, its objectives and ``per_domain`` questions each.

    ``questions`` instead gives the size of the whole bank, shared over the domains by weight
    as in a real bank (an exam made here then asks that many in a simulation). Every question
    has ``n_choices`` choices; ``correct`` letters are right. Explanations name the question and
    letter ("Explain Q<id> B") so tests can look for them in the HTML. ``text`` is added to
    every name, title, question, choice and explanation (e.g. a script, for the escaping
    tests). Rows go in ``batch`` questions at a time: the benchmarks build their banks of
    100,000 questions with this too.
    """
    rng = random.Random(seed)
    if exam is None:
        fields = {"name": f"Test exam{text}"} if text else {}
        exam = ExamFactory(**fields, **({"question_count": questions} if questions else {}))
    if questions is not None:
        counts = weight_shares(questions, weights)
    else:
        counts = per_domain if isinstance(per_domain, list) else [per_domain] * len(weights)
    new = []
    for number, (weight, count) in enumerate(zip(weights, counts, strict=True), start=1):
        domain = Domain.objects.create(
            exam=exam, number=number, name=f"Domain {number}{text}", weight_percent=weight
        )
        objectives = [
            Objective.objects.create(domain=domain, code=f"{number}.{k}", title=f"Topic {k}{text}")
            for k in range(1, objectives_per_domain + 1)
        ]
        new += [
            Question(
                exam=exam,
                domain=domain,
                objective=objectives[i % len(objectives)],
                external_id=f"{exam.slug}-{number}-{i}",
                text=f"Question {i} of domain {number}?{text}",
                random_key=rng.random(),
            )
            for i in range(count)
        ]
    for start in range(0, len(new), batch):
        with transaction.atomic():
            created = Question.objects.bulk_create(new[start : start + batch])
            if not all(question.pk for question in created):  # backends that return no ids
                created = list(
                    Question.objects.filter(
                        exam=exam, external_id__in=[q.external_id for q in created]
                    )
                )
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    letter=letter,
                    text=f"Option {letter} of Q{question.pk}{text}",
                    explanation=f"Explain Q{question.pk} {letter}{text}",
                    is_correct=letter in correct,
                )
                for question in created
                for letter in LETTERS[:n_choices]
            )
            # Revision 1 of every question, as the admin, the importer and migration 0008 do.
            revisions_snapshot(questions=created)
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


def first_shown(item: AttemptItem) -> list[int]:
    """The choice shown first: right or wrong as the shuffle fell."""
    return item.choice_order[:1]


def answer_all(attempt: Attempt, choose=first_shown, *, confidence=None) -> Attempt:
    """Answer every item of ``attempt`` through the engine, as its learner.

    ``choose(item)`` gives the choice ids (the first one shown unless told, or ``correct_ids``,
    or ``lambda item: [wrong_id(item)]``); ``confidence(item)``, when given, the confidence.
    """
    for item in attempt.items.all():
        services.answer_submit(
            attempt_id=attempt.pk,
            user=attempt.user,
            position=item.position,
            choice_ids=choose(item),
            confidence=confidence(item) if confidence else None,
        )
    return attempt


def attempt_finished(attempt: Attempt, choose=first_shown, **kwargs) -> Attempt:
    """``attempt`` answered in full (see ``answer_all``), then finished by the engine."""
    answer_all(attempt, choose, **kwargs)
    services.attempt_finish(attempt_id=attempt.pk, user=attempt.user)
    return attempt


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
