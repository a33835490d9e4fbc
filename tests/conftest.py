"""Fixtures for the cross-app tests: a small question bank and attempts on it.

The learners are the root ``conftest.py``'s ``user``, ``user_client`` and ``other``.

The bank is built here rather than taken from the seed migration: transactional tests (the
browser ones) flush the seeded rows, and the security tests need to control every text.
"""

import itertools

import pytest

from accounts.tests.factories import PASSWORD

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS = f"{XSS_SCRIPT}{XSS_IMG}"

_exam_numbers = itertools.count(1)


def bank_build(*, questions=6, text="", question_count=None, multi=False):
    """An exam with two domains, one objective each, and ``questions`` active questions.

    Each question has four choices; ``B`` is the right one (and ``D`` too when ``multi``).
    ``text`` is put into every question, choice and explanation (e.g. an XSS payload).
    Explanations say ``EXPLAIN-<question>-<letter>`` so tests can look for leaks.
    """
    from questions.models import Choice, Domain, Exam, Objective, Question
    from questions.services import revisions_snapshot

    n = next(_exam_numbers)
    exam = Exam.objects.create(
        slug=f"test-exam-{n}",
        code=f"TST-{n:03d}",
        name=f"Test exam {n}{text}",
        question_count=question_count or questions,
        time_limit_minutes=30,
        pass_mark=700,
        position=100 + n,
    )
    objectives = []
    for number, weight in ((1, 60), (2, 40)):
        domain = Domain.objects.create(
            exam=exam, number=number, name=f"Domain {number}{text}", weight_percent=weight
        )
        objectives.append(Objective.objects.create(domain=domain, code=f"{number}.1"))
    for i in range(questions):
        objective = objectives[i % 2]
        question = Question.objects.create(
            exam=exam,
            objective=objective,
            external_id=f"Q{i + 1}",
            text=f"QUESTION-{n}-{i + 1}: which one?{text}",
        )
        for letter in "ABCD":
            Choice.objects.create(
                question=question,
                letter=letter,
                text=f"CHOICE-{i + 1}-{letter}{text}",
                explanation=f"EXPLAIN-{i + 1}-{letter}{text}",
                is_correct=letter == "B" or (multi and letter == "D"),
            )
    # Revision 1 of every question, as the admin, the importer and migration 0008 make it.
    revisions_snapshot(questions=list(exam.questions.all()))
    return exam


@pytest.fixture
def exam(db):
    return bank_build()


@pytest.fixture
def password():
    return PASSWORD


def attempt_start(user, exam, mode="practice", **kwargs):
    from exams.services import attempt_start as start

    kwargs.setdefault("count", None if mode == "simulation" else exam.questions.count())
    return start(user=user, exam=exam, mode=mode, **kwargs)
