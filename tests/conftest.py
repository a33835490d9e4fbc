"""Fixtures for the cross-app tests: a small question bank and attempts on it.

The learners are the root ``conftest.py``'s ``user``, ``user_client`` and ``other``.

The bank is built here rather than taken from the seed migration: transactional tests (the
browser ones) flush the seeded rows, and the security tests need to control every text.
"""

import pytest

from accounts.tests.factories import PASSWORD
from exams.tests.factories import bank_build

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS = f"{XSS_SCRIPT}{XSS_IMG}"


@pytest.fixture
def exam(db):
    return bank_build(weights=(60, 40), questions=6)


@pytest.fixture
def password():
    return PASSWORD


def attempt_start(user, exam, mode="practice", **kwargs):
    from exams.services import attempt_start as start

    kwargs.setdefault("count", None if mode == "simulation" else exam.questions.count())
    return start(user=user, exam=exam, mode=mode, **kwargs)
