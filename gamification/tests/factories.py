"""Factories for progress tests, and a small stand-in for the exam engine's calls.

``LearnerHistory`` writes attempts and answers the way the exam engine does and reports them
to ``gamification.services`` as the engine does (see the services module docstring), so the
incremental path can be compared with ``rebuild_progress``.
"""

from datetime import datetime, timedelta

import factory

from accounts.tests.factories import UserFactory
from exams import services as exam_services
from exams.models import Attempt, AttemptItem
from exams.services import attempt_counts
from gamification import services
from gamification.models import Badge
from questions.models import Domain, Exam, Objective, Question


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


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    exam = factory.LazyFunction(exam)
    domain = factory.LazyAttribute(lambda o: o.exam.domains.order_by("number").first())
    objective = factory.LazyAttribute(
        lambda o: (
            Objective.objects.filter(domain=o.domain).first()
            or Objective.objects.create(domain=o.domain, code=f"{o.domain.number}.1")
        )
    )
    external_id = factory.Sequence(lambda n: f"G{n:05d}")
    text = factory.Sequence(lambda n: f"Question {n}?")


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    slug = factory.Sequence(lambda n: f"test-badge-{n}")
    name = factory.Sequence(lambda n: f"Test badge {n}")
    description = "A badge for tests."
    icon = "T"
    rule = Badge.Rule.ATTEMPTS_FINISHED
    threshold = 1


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attempt

    user = factory.SubFactory(UserFactory)
    exam = factory.LazyFunction(exam)
    mode = Attempt.Mode.PRACTICE
    question_count = 10
    started_at = factory.LazyFunction(lambda: datetime.fromisoformat("2025-01-06T12:00:00+00:00"))
    deadline = factory.LazyAttribute(
        lambda o: (
            o.started_at + timedelta(minutes=90) if o.mode == Attempt.Mode.SIMULATION else None
        )
    )


def questions_for(exam_obj: Exam, domain_number: int, count: int) -> list[Question]:
    domain = Domain.objects.get(exam=exam_obj, number=domain_number)
    existing = list(Question.objects.filter(domain=domain).order_by("id")[:count])
    more = [QuestionFactory(exam=exam_obj, domain=domain) for _ in range(count - len(existing))]
    return existing + more


class LearnerHistory:
    """Take attempts as the exam engine would: store answers, then report them."""

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
        """An attempt started at ``at`` with one answer per ``results`` entry (True = right)."""
        exam_obj = exam(exam_slug)
        attempt = AttemptFactory(
            user=self.user, exam=exam_obj, mode=mode, question_count=len(results), started_at=at
        )
        questions = questions_for(exam_obj, domain_number, len(results))
        now = at
        for position, (question, right) in enumerate(zip(questions, results, strict=True), 1):
            now = now + step
            AttemptItem.objects.create(
                attempt=attempt,
                position=position,
                question=question,
                is_correct=right,
                answered_at=now,
                selected=[1],
            )
            if mode != Attempt.Mode.SIMULATION:
                self.announcements += services.activity_record(
                    user=self.user, answered=1, correct=int(right), at=now
                )
        if finish:
            self.finish(attempt, at=now + step)
        return attempt

    def finish(self, attempt: Attempt, *, at: datetime) -> list[str]:
        correct = attempt.items.filter(is_correct=True).count()
        answered = attempt.items.filter(answered_at__isnull=False).count()
        attempt.status = Attempt.Status.SUBMITTED
        attempt.submitted_at = at
        attempt.correct_count = correct
        attempt.counted = attempt_counts(answered=answered, total=attempt.question_count)
        if attempt.mode == Attempt.Mode.SIMULATION:
            attempt.scaled_score = round(100 + 800 * correct / attempt.question_count)
            attempt.passed = attempt.scaled_score >= attempt.exam.pass_mark
        attempt.save()
        exam_services.domain_tallies_add(attempt=attempt)  # as the engine's finish does
        said = []
        if attempt.mode == Attempt.Mode.SIMULATION:
            said += services.activity_record(
                user=self.user, answered=answered, correct=correct, at=at
            )
        said += services.attempt_finished(attempt=attempt)
        self.announcements += said
        return said
