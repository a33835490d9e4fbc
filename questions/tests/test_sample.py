"""The sample bank shipped in questions/sample/ imports cleanly and is big enough to use.

``make run`` imports it on first start, so a newcomer can take an exam at once.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from questions.models import Domain, Question

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "sample"
# At least 30 questions for a current exam, at least 10 for a retired one (issue 3).
MINIMUM = {"security": 30, "network": 30, "a1201": 30, "a1202": 30, "a1101": 10, "a1102": 10}
FILES = sorted(SAMPLE.glob("*.csv"))


def test_the_whole_sample_folder_imports_as_make_run_does():
    out = io.StringIO()

    call_command("import_questions", str(SAMPLE), stdout=out, stderr=io.StringIO())

    # Every file creates questions (a "0 created" line would be a file that added nothing).
    created = re.findall(r": ([1-9][0-9]*) created, 0 updated, 0 unchanged", out.getvalue())
    assert len(created) == len(FILES) > 0
    assert sum(map(int, created)) == Question.objects.count()


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_each_sample_file_imports_cleanly_and_covers_its_exam(path):
    slug = path.stem
    assert slug in MINIMUM, f"{path.name} is not named after a known exam"

    call_command("import_questions", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    questions = Question.objects.filter(exam__slug=slug)
    assert questions.count() >= MINIMUM[slug]
    assert questions.filter(is_active=True).count() == questions.count()
    empty = Domain.objects.filter(exam__slug=slug).exclude(questions__isnull=False)
    assert not empty.exists(), f"domains without a question: {list(empty)}"
    # Every question has at least one correct choice and every choice an explanation.
    for question in questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert any(choice.is_correct for choice in choices), question.external_id
        assert all(choice.explanation for choice in choices), question.external_id


def test_every_exam_has_a_sample_file():
    assert {path.stem for path in FILES} == set(MINIMUM)
