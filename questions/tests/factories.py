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

``ExamFactory``, ``DomainFactory`` and ``ObjectiveFactory`` get an existing row when the
natural key matches (slug; exam and number; domain and code) and create one otherwise.
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
