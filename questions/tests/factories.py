"""Factories for the question bank, for this app's tests and for other apps' tests.

The six real exams (security, network, a1101, a1102, a1201, a1202) are seeded by migration,
with their domains and (for most) objectives, so prefer them::

    exam = ExamFactory(slug="security")          # the seeded Security+ exam, not a new one
    question = QuestionFactory(exam=exam)        # objective 1.1, choices A-D, A correct
    question = QuestionFactory()                 # the same, in the seeded security exam
    question = QuestionFactory(
        exam=exam, objective_code="2.3", correct=["A", "C"], n_choices=5
    )
    questions = QuestionFactory.create_batch(20, exam=exam)

``ExamFactory()`` with no slug makes a fresh exam with no domains (``exams.tests.factories.
bank_build`` fills one). ``ExamFactory``, ``DomainFactory`` and ``ObjectiveFactory`` get an
existing row when the natural key matches (slug; exam and number; domain and code) and create
one otherwise.
"""

import factory

from questions.models import LETTERS, Choice, Domain, Exam, Objective, Question
from questions.services import revisions_snapshot

DEFAULT_EXAM = "security"


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"exam{n}")
    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    name = factory.Sequence(lambda n: f"Test exam {n}")
    pass_mark = 700


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("exam", "number")

    exam = factory.SubFactory(ExamFactory)
    number = 1
    name = factory.LazyAttribute(lambda domain: f"Domain {domain.number}")
    weight_percent = 20


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ("domain", "code")

    domain = factory.SubFactory(DomainFactory)
    code = factory.LazyAttribute(lambda objective: f"{objective.domain.number}.1")
    title = factory.LazyAttribute(lambda objective: f"Objective {objective.code}")


def objective_for(exam: Exam, code: str = "1.1") -> Objective:
    """The objective ``code`` of ``exam``, created (with its domain if need be) when missing."""
    domain = DomainFactory(exam=exam, number=int(code.split(".")[0]))
    return ObjectiveFactory(domain=domain, code=code)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question with ``n_choices`` choices (A, B, ...), of which ``correct`` are correct.

    Give ``objective``, or ``exam`` (and optionally ``objective_code``, default ``1.1``), or
    neither (the seeded ``security`` exam). ``exam`` and ``domain`` always follow the
    objective.
    """

    class Meta:
        model = Question

    class Params:
        objective_code = "1.1"

    exam = None  # taken from the objective; see _adjust_kwargs
    objective = factory.LazyAttribute(
        lambda q: objective_for(q.exam or ExamFactory(slug=DEFAULT_EXAM), q.objective_code)
    )
    external_id = factory.Sequence(lambda n: f"Q-{n:05d}")
    text = factory.Sequence(lambda n: f"Which answer is right for question {n}?")
    # Not model fields: taken out in _create and used for the choices.
    n_choices = 4
    correct = ("A",)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # A given objective decides the exam (and Question.save() the domain).
        kwargs["exam"] = kwargs["objective"].domain.exam
        return kwargs

    @classmethod
    def _build(cls, model_class, *args, n_choices, correct, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, n_choices, correct, **kwargs):
        if not 2 <= n_choices <= len(LETTERS):
            raise ValueError(f"n_choices must be 2-{len(LETTERS)}, not {n_choices}")
        letters = LETTERS[:n_choices]
        if not correct or not set(correct) <= set(letters):
            raise ValueError(f"correct={correct!r} must name some of the choices {letters}")
        question = super()._create(model_class, *args, **kwargs)
        Choice.objects.bulk_create(
            Choice(
                question=question,
                letter=letter,
                text=f"Option {letter}",
                explanation=f"Why option {letter} is {'right' if letter in correct else 'wrong'}.",
                is_correct=letter in correct,
            )
            for letter in letters
        )
        revisions_snapshot(questions=[question])  # revision 1, as the admin and importer do
        return question


def pbq_create(
    *,
    exam: Exam | None = None,
    kind: str = "order",
    items: int = 4,
    key=None,
    values=("Allow", "Deny"),
    exhibit: str = "",
    objective_code: str = "1.1",
    external_id: str | None = None,
) -> Question:
    """A performance-based question. Order: items "Item A"...; ``key`` is the letters in the
    right order (default: the reverse of the letters, so letter order is never the key).
    Match: rows "Row A"...; ``key`` a value per row (default: ``values`` in turn)."""
    objective = objective_for(exam or ExamFactory(slug=DEFAULT_EXAM), objective_code)
    letters = LETTERS[:items]
    question = Question.objects.create(
        exam=objective.domain.exam,
        domain=objective.domain,
        objective=objective,
        external_id=external_id or f"P-{Question.objects.count():05d}-{kind}",
        text=f"Put the {items} items in order." if kind == "order" else "Give each row a value.",
        kind=kind,
        exhibit=exhibit,
        match_values=list(values) if kind == "match" else [],
    )
    if kind == "order":
        sequence = key or letters[::-1]
        Choice.objects.bulk_create(
            Choice(
                question=question,
                letter=letter,
                text=f"Item {letter}",
                explanation=f"Item {letter} comes at place {sequence.index(letter) + 1}.",
                position=sequence.index(letter) + 1,
            )
            for letter in letters
        )
    else:
        key = key or [values[index % len(values)] for index in range(items)]
        Choice.objects.bulk_create(
            Choice(
                question=question,
                letter=letter,
                text=f"Row {letter}",
                explanation=f"Row {letter} takes {value}.",
                value=value,
            )
            for letter, value in zip(letters, key, strict=True)
        )
    return question
