"""Factories for progress tests: the seeded catalogues and learner histories.

``LearnerHistory`` takes attempts through the exam engine itself (``exams.services``:
``attempt_start``, ``answer_submit``, ``attempt_finish``), so every history is one the engine
could have produced, scored and reported to ``gamification.services`` by the engine's own rules;
the incremental path can then be compared with ``rebuild_progress``.
"""

import random
from datetime import datetime, timedelta

import factory

from exams import services as exam_services
from exams.models import Attempt
from exams.tests.factories import AttemptFactory, correct_ids, wrong_id
from gamification.models import Badge
from questions.models import Domain, Exam, Question
from questions.tests.factories import QuestionFactory, objective_for

__all__ = ["AttemptFactory", "BadgeFactory", "LearnerHistory", "exam", "questions_for"]


def seed_catalogues() -> None:
    """Re-apply the (idempotent) data migrations of exams and badges.

    For transactional tests: a flush by an earlier one removes what the migrations seeded.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("questions.migrations.0002_seed_exams").seed(apps, None)
    import_module("gamification.migrations.0002_seed_badges").seed(apps, None)


def exam(slug: str = "security") -> Exam:
    """One of the exams the questions migration seeds."""
    return Exam.objects.get(slug=slug)


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    slug = factory.Sequence(lambda n: f"test-badge-{n}")
    name = factory.Sequence(lambda n: f"Test badge {n}")
    description = "A badge for tests."
    icon = "T"
    rule = Badge.Rule.ATTEMPTS_FINISHED
    threshold = 1


def questions_for(exam_obj: Exam, domain_number: int, count: int) -> list[Question]:
    """``count`` questions of domain ``domain_number`` of ``exam_obj``, made if need be."""
    domain = Domain.objects.get(exam=exam_obj, number=domain_number)
    existing = list(Question.objects.filter(domain=domain).order_by("id")[:count])
    objective = domain.objectives.order_by("code").first() or objective_for(
        exam_obj, f"{domain_number}.1"
    )
    more = [QuestionFactory(objective=objective) for _ in range(count - len(existing))]
    return existing + more


class LearnerHistory:
    """Take attempts through the exam engine: start, answer each question, finish."""

    def __init__(self, user):
        self.user = user
        self.announcements: list[str] = []

    def attempt(
        self,
        *,
        at: datetime,
        results: list[bool],
        mode: str = Attempt.Mode.PRACTICE,
        exam_slug: str = "security",
        domain_number: int = 1,
        finish: bool = True,
        step: timedelta = timedelta(seconds=30),
    ) -> Attempt:
        """An attempt started at ``at`` with one answer per ``results`` entry (True = right),
        ``step`` apart, in question order; finished one ``step`` after the last answer.

        Practice draws from domain ``domain_number``. A simulation is as long as ``results``
        (the exam's question count is set to that) and draws from the whole bank, as the
        engine does; ``domain_number`` only makes sure the bank holds enough questions.
        """
        exam_obj = exam(exam_slug)
        questions_for(exam_obj, domain_number, len(results))
        scope = {}
        if mode == Attempt.Mode.SIMULATION:
            Exam.objects.filter(pk=exam_obj.pk).update(question_count=len(results))
            exam_obj.question_count = len(results)
        else:
            scope = {
                "count": len(results),
                "domain_ids": [exam_obj.domains.get(number=domain_number).pk],
            }
        attempt = exam_services.attempt_start(
            user=self.user,
            exam=exam_obj,
            mode=mode,
            now=at,
            rng=random.Random(len(results)),
            **scope,
        )
        assert attempt.question_count == len(results), "the bank is too small for this history"
        now = at
        items = attempt.items.order_by("position")
        for item, right in zip(items, results, strict=True):
            now = now + step
            answered = exam_services.answer_submit(
                attempt_id=attempt.pk,
                user=self.user,
                position=item.position,
                choice_ids=correct_ids(item) if right else [wrong_id(item)],
                now=now,
            )
            self.announcements += answered.announcements
        if finish:
            self.finish(attempt, at=now + step)
        attempt.refresh_from_db()
        return attempt

    def finish(self, attempt: Attempt, *, at: datetime) -> list[str]:
        result = exam_services.attempt_finish(attempt_id=attempt.pk, user=self.user, now=at)
        self.announcements += result.announcements
        return result.announcements
