"""Question revisions: what a learner saw stays what their review shows."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams import services as exams
from questions.models import Choice, Question, QuestionRevision
from questions.revisions import SNAPSHOT_CHOICE_FIELDS, snapshot_build
from questions.services import questions_import
from questions.tests.factories import ExamFactory, QuestionFactory
from tests.endpoints import normalise

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True, password=None))
    return staff


def admin_post(question):
    """The admin change form of ``question`` as it stands, ready to edit."""
    choices = list(question.choices.order_by("letter"))
    data = {
        "exam": question.exam_id,
        "objective": question.objective_id,
        "external_id": question.external_id,
        "text": question.text,
        "is_active": "on",
        "difficulty": "",
        "tags": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for i, choice in enumerate(choices):
        data |= {
            f"choices-{i}-id": choice.pk,
            f"choices-{i}-question": question.pk,
            f"choices-{i}-letter": choice.letter,
            f"choices-{i}-text": choice.text,
            f"choices-{i}-explanation": choice.explanation,
        }
        if choice.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_an_admin_edit_after_an_attempt_leaves_its_review_unchanged(staff_client, client):
    exam = ExamFactory(slug="security")
    question = QuestionFactory(exam=exam, text="Which port does SSH use?")
    learner = UserFactory()
    attempt = exams.attempt_start(user=learner, exam=exam, mode="practice", count=1)
    item = attempt.items.get()
    exams.answer_submit(
        attempt_id=attempt.pk, user=learner, position=1, choice_ids=item.choice_order[:1]
    )
    exams.attempt_finish(attempt_id=attempt.pk, user=learner)
    client.force_login(learner)
    review_url = reverse("exams:review", args=[attempt.pk])
    before = client.get(review_url).content.decode()

    data = admin_post(question)
    data["text"] = "Which TCP port does SSH listen on by default?"
    data["choices-0-is_correct"] = ""  # the key moves from A to B
    data["choices-1-is_correct"] = "on"
    data["choices-1-explanation"] = "Port 22 is SSH."
    url = reverse("admin:questions_question_change", args=[question.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:questions_question_changelist")

    question.refresh_from_db()
    assert question.revision_number == 2
    assert list(question.revisions.values_list("number", flat=True)) == [1, 2]
    after = client.get(review_url).content.decode()
    assert "Which port does SSH use?" in after and "listen on by default" not in after
    assert normalise(after) == normalise(before)
    # What it shows is revision 1: its choices, with A (not B) the key, and no later explanation.
    assert re.search(r"\. Option A</strong> — correct", after)
    assert re.search(r"\. Option B</strong> — incorrect", after)
    assert "Port 22 is SSH." not in after
    item.refresh_from_db()
    assert item.revision.number == 1


def test_an_admin_save_without_a_visible_change_makes_no_revision(staff_client):
    question = QuestionFactory()
    data = admin_post(question)
    data["tags"] = "ports"
    url = reverse("admin:questions_question_change", args=[question.pk])

    assert staff_client.post(url, data).status_code == 302

    assert QuestionRevision.objects.filter(question=question).count() == 1


def test_an_attempt_points_at_the_revision_shown(client):
    question = QuestionFactory()
    learner = UserFactory()
    attempt = exams.attempt_start(user=learner, exam=question.exam, mode="practice", count=1)

    assert attempt.items.get().revision == question.revisions.get(number=1)


def test_an_import_that_changes_a_question_makes_a_revision(tmp_path):
    from questions.tests.test_import import row, write_csv

    path = write_csv(tmp_path / "security.csv", [row("R-1"), row("R-2")])
    questions_import(paths=[path])
    write_csv(path, [row("R-1", text="Edited stem"), row("R-2")])
    questions_import(paths=[path])
    questions_import(paths=[path])  # unchanged: no revision

    revisions = QuestionRevision.objects.filter(question__external_id="R-1").order_by("number")
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].snapshot["text"] == "Edited stem"
    ids = set(Choice.objects.filter(question__external_id="R-1").values_list("pk", flat=True))
    assert {c["id"] for c in revisions[1].snapshot["choices"]} == ids
    assert QuestionRevision.objects.filter(question__external_id="R-2").count() == 1


def test_an_imports_revisions_and_counts_are_those_of_what_it_stored(tmp_path):
    """Whatever writes them (rows from Python, or set-based SQL on PostgreSQL), each revision
    is ``snapshot_build`` of the question as stored, and the kept correct count is right."""
    from questions.tests.csvs import write_csv
    from questions.tests.test_import_pbq import HEADER, match, pbq

    def choice_row(answer, options, text="Which ports carry a remote shell? (Choose TWO.)"):
        padded = list(options) + [""] * (6 - len(options))
        explanations = ["Right.", "Clear text.", "Web."][: len(options)]
        explanations += [""] * (6 - len(explanations))
        return ["M-1", "1.1", text, "", "| port |\n| 22 |", *padded, *explanations, "", answer]

    def assert_revisions_match(number):
        for question in Question.objects.all():
            latest = question.revisions.order_by("-number").first()
            assert latest.number == question.revision_number == number, question.external_id
            assert latest.snapshot == snapshot_build(
                text=question.text,
                choices=question.choices.values(*SNAPSHOT_CHOICE_FIELDS),
                kind=question.kind,
                exhibit=question.exhibit or None,
                values=question.match_values,
            )
            assert question.correct_count == question.choices.filter(is_correct=True).count()

    path = tmp_path / "security.csv"
    rows = [choice_row("A,B", ("22", "23", "80")), pbq(exhibit="| a |"), match(external_id="P-2")]
    questions_import(paths=[write_csv(path, rows, header=HEADER)])
    assert_revisions_match(1)

    rows = [
        choice_row("B", ("22", "443"), text="Which port carries HTTPS?"),
        match(external_id="P-1"),
        pbq(external_id="P-2", answer="A,C,B", options=("One", "Two", "Three")),
    ]
    questions_import(paths=[write_csv(path, rows, header=HEADER)])
    assert_revisions_match(2)
    assert Choice.objects.filter(question__external_id="M-1").count() == 2
