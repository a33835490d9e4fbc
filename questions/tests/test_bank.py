"""The question bank shipped in questions/bank/ imports cleanly, passes its quality gate and
round-trips through export byte for byte.

``make run`` imports it on first start, so a newcomer can sit a full-length simulation at once.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from questions.models import Domain, Question

pytestmark = pytest.mark.django_db

BANK = Path(__file__).resolve().parent.parent / "bank"
CURRENT = {"security", "network", "a1201", "a1202"}
RETIRED = {"a1101", "a1102"}
FILES = sorted(BANK.glob("*.csv"))


def test_the_bank_holds_a_file_for_every_exam():
    assert {path.stem for path in FILES} == CURRENT | RETIRED


def test_the_whole_bank_imports_as_make_run_does_and_again_changes_nothing():
    out = io.StringIO()
    call_command("import_questions", str(BANK), stdout=out, stderr=io.StringIO())
    # Every file creates questions: a "0 created" line would be a file that added nothing.
    created = re.findall(r": ([1-9][0-9]*) created, 0 updated, 0 unchanged", out.getvalue())
    assert len(created) == len(FILES) > 0
    assert sum(map(int, created)) == Question.objects.count()

    again = io.StringIO()
    call_command("import_questions", str(BANK), stdout=again, stderr=io.StringIO())

    assert again.getvalue().count(" 0 created, 0 updated, ") == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_each_bank_file_round_trips_through_export_byte_for_byte(path):
    call_command("import_questions", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    exported = io.StringIO()

    call_command("export_questions", "--exam", path.stem, stdout=exported)

    assert exported.getvalue() == path.read_text(encoding="utf-8")
    questions = Question.objects.filter(exam__slug=path.stem)
    empty = Domain.objects.filter(exam__slug=path.stem).exclude(questions__isnull=False)
    assert not empty.exists(), f"domains without a question: {list(empty)}"
    assert questions.filter(is_active=True).count() == questions.count()


@pytest.mark.parametrize("slug", sorted(CURRENT))
def test_each_current_exam_ships_pbqs_whose_order_items_are_not_listed_in_order(slug):
    call_command("import_questions", str(BANK / f"{slug}.csv"), stdout=io.StringIO())
    pbqs = Question.objects.filter(exam__slug=slug).exclude(kind="choice")

    assert pbqs.count() >= 12
    assert {"order", "match"} <= set(pbqs.values_list("kind", flat=True))
    for question in pbqs.filter(kind="order"):
        positions = list(question.choices.order_by("letter").values_list("position", flat=True))
        assert positions != sorted(positions), question.external_id


def test_the_bank_files_pass_the_quality_gate():
    out = io.StringIO()

    call_command("bank_report", str(BANK), stdout=out, stderr=io.StringIO())

    report = out.getvalue()
    assert report.count("gate: passed") == len(CURRENT), report
    assert "FAIL" not in report
