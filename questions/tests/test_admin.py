"""Staff editing of the bank in the admin: list page, filters, actions, validation, permissions."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from questions.models import Choice, Exam, Question
from questions.tests.factories import ExamFactory, QuestionFactory, objective_for

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:questions_question_changelist")
ADD_URL = reverse("admin:questions_question_add")
LIST_QUERY_BUDGET = 9


# Users get no usable password: they are logged in with force_login, and hashing is slow.


@pytest.fixture
def editor_client(client):
    editor = UserFactory(is_staff=True, password=None)
    editor.groups.add(Group.objects.get(name="Staff editor"))
    client.force_login(editor)
    return client


@pytest.fixture
def security():
    return ExamFactory(slug="security")


def change_url(question):
    return reverse("admin:questions_question_change", args=[question.pk])


def form_data(*, exam, objective, choices, external_id="ED-1", text="Edited?", question=None):
    """POST data of the question form; ``choices`` are (letter, text, is_correct) tuples."""
    existing = list(question.choices.order_by("letter")) if question else []
    data = {
        "exam": exam.pk,
        "objective": objective.pk,
        "external_id": external_id,
        "text": text,
        "is_active": "on",
        "difficulty": "",
        "tags": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(existing),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 6,
    }
    for index, (letter, choice_text, is_correct) in enumerate(choices):
        prefix = f"choices-{index}-"
        data[prefix + "letter"] = letter
        data[prefix + "text"] = choice_text
        data[prefix + "explanation"] = ""
        if is_correct:
            data[prefix + "is_correct"] = "on"
        if index < len(existing):
            data[prefix + "id"] = existing[index].pk
            data[prefix + "question"] = question.pk
    return data


def list_queries(client, query=""):
    with CaptureQueriesContext(connection) as context:
        response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return len(context.captured_queries), response


# --- List page --------------------------------------------------------------------------------


def test_list_page_has_a_fixed_query_budget(admin_client, security, django_assert_max_num_queries):
    QuestionFactory.create_batch(5, exam=security, correct=["A", "C"])
    few, response = list_queries(admin_client)
    assert len(response.context["cl"].result_list) == 5

    network = ExamFactory(slug="network")
    for code in ["1.1", "2.3", "5.5"]:
        QuestionFactory.create_batch(15, exam=network, objective_code=code)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = admin_client.get(LIST_URL)
    many, _ = list_queries(admin_client)

    assert len(response.context["cl"].result_list) == 50
    assert few == many <= LIST_QUERY_BUDGET


def test_list_page_with_filters_keeps_its_budget(admin_client, security):
    QuestionFactory.create_batch(5, exam=security)
    query = f"?exam__id__exact={security.pk}&correct=1&is_active__exact=1&q=question"
    few, _ = list_queries(admin_client, query)
    QuestionFactory.create_batch(55, exam=security, objective_code="3.2")

    many, response = list_queries(admin_client, query)

    assert len(response.context["cl"].result_list) == 50  # of two pages: no extra id read
    assert few == many <= LIST_QUERY_BUDGET


def test_list_shows_a_readable_preview_and_the_correct_letters(admin_client, security):
    QuestionFactory(exam=security, text="A" * 200, correct=["B", "D"], external_id="SEC-9")

    response = admin_client.get(LIST_URL)

    content = response.content.decode()
    assert "SEC-9" in content
    assert "A" * 89 + "…" in content
    assert f'title="{"A" * 200}"' in content
    assert "B, D" in content


def test_search_by_external_id_and_text(admin_client, security):
    QuestionFactory(exam=security, external_id="SEC-0042", text="Which port does SSH use?")
    QuestionFactory(exam=security, external_id="SEC-0043", text="What is phishing?")

    def found(query):
        response = admin_client.get(LIST_URL, {"q": query})
        return [question.external_id for question in response.context["cl"].result_list]

    assert found("SEC-0042") == ["SEC-0042"]
    assert found("phishing") == ["SEC-0043"]


def test_filter_by_number_of_correct_choices(admin_client, security):
    QuestionFactory(exam=security, external_id="ONE", correct=["A"])
    QuestionFactory(exam=security, external_id="TWO", correct=["A", "C"])
    QuestionFactory(exam=security, external_id="THREE", correct=["A", "B", "C"], n_choices=5)
    broken = QuestionFactory(exam=security, external_id="NONE")
    broken.choices.update(is_correct=False)

    def found(value):
        response = admin_client.get(LIST_URL, {"correct": value})
        return sorted(question.external_id for question in response.context["cl"].result_list)

    assert found("0") == ["NONE"]
    assert found("1") == ["ONE"]
    assert found("2") == ["TWO"]
    assert found("3") == ["THREE"]


def test_filter_by_exam_domain_and_objective(admin_client, security):
    network = ExamFactory(slug="network")
    QuestionFactory(exam=security, external_id="S11", objective_code="1.1")
    QuestionFactory(exam=security, external_id="S23", objective_code="2.3")
    QuestionFactory(exam=network, external_id="N23", objective_code="2.3")
    s23 = objective_for(security, "2.3")

    def found(params):
        response = admin_client.get(LIST_URL, params)
        return sorted(question.external_id for question in response.context["cl"].result_list)

    assert found({"exam__id__exact": network.pk}) == ["N23"]
    assert found({"domain": s23.domain_id}) == ["S23"]
    assert found({"objective": s23.pk}) == ["S23"]


def test_domain_and_objective_filters_list_only_the_chosen_exam(admin_client, security):
    QuestionFactory(exam=security)

    response = admin_client.get(LIST_URL, {"exam__id__exact": security.pk})

    content = response.content.decode()
    assert "SY0-701 · 4.0 Security Operations" in content
    assert "SY0-701 · 4.9 Data sources for investigations" in content
    assert "N10-009 ·" not in content
    assert "N10-009 · 5.0 Network Troubleshooting" in admin_client.get(LIST_URL).content.decode()


def test_bulk_retire_and_activate(admin_client, security):
    first, second, third = QuestionFactory.create_batch(3, exam=security)

    response = admin_client.post(
        LIST_URL, {"action": "retire", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert "Retired 2 question(s)." in response.content.decode()
    assert dict(Question.objects.values_list("pk", "is_active")) == {
        first.pk: False,
        second.pk: False,
        third.pk: True,
    }
    admin_client.post(LIST_URL, {"action": "activate", "_selected_action": [first.pk]})
    assert Question.objects.filter(is_active=True).count() == 2


# --- Change form and its validation -----------------------------------------------------------


def test_change_form_shows_a_preview(admin_client, security):
    question = QuestionFactory(exam=security, text="Line one\nline two", correct=["C"])

    response = admin_client.get(change_url(question))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview as a learner sees it" in content
    assert "<strong>C.</strong>" in content
    assert "Option C" in content
    assert "(correct)" in content


def test_add_form_offers_four_lettered_rows(admin_client):
    response = admin_client.get(ADD_URL)

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.initial.get("letter") for form in formset.forms] == ["A", "B", "C", "D"]


def test_adding_a_valid_question(admin_client, security):
    objective = objective_for(security, "2.3")
    data = form_data(
        exam=security,
        objective=objective,
        choices=[("A", "One", False), ("B", "Two", True), ("C", "Three", True)],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(external_id="ED-1")
    assert question.domain == objective.domain
    assert "".join(question.choices.filter(is_correct=True).values_list("letter", flat=True)) == (
        "BC"
    )


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([("A", "Only", True)], "Choice B is empty; a question needs at least two choices."),
        (
            [("A", "One", False), ("B", "Two", False)],
            "No choice is marked correct; mark at least one.",
        ),
        (
            [("A", "One", True), ("B", "Two", False), ("D", "Four", False)],
            "Choice C is empty but choice D is filled; fill the choices from A without gaps.",
        ),
        ([("A", "One", True), ("A", "Two", False)], "Please correct the duplicate data for letter"),
        # A new row with nothing but blanks is an unused row, so one choice is left.
        ([("A", "One", True), ("B", "  ", False)], "a question needs at least two choices."),
        ([("A", "One", True), ("K", "Two", False)], "Select a valid choice."),
    ],
)
def test_invalid_choices_are_errors_on_the_form(admin_client, security, choices, message):
    data = form_data(exam=security, objective=objective_for(security), choices=choices)

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("text", "correct", "message"),
    [
        (
            "Which two? (Choose TWO.)",
            "ABC",
            "The text says &#x27;Choose TWO&#x27; but the key has 3 correct answer(s) (A, B, C); "
            "make the text and the key agree.",
        ),
        (
            "Which three? (Choose THREE.)",
            "A",
            "The text says &#x27;Choose THREE&#x27; but the key has 1 correct answer(s) (A)",
        ),
    ],
)
def test_a_stem_whose_choose_n_disagrees_with_the_key_is_refused(
    admin_client, security, text, correct, message
):
    choices = [(letter, f"Option {letter}", letter in correct) for letter in "ABCD"]
    data = form_data(exam=security, objective=objective_for(security), choices=choices, text=text)

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_a_stem_whose_choose_n_matches_the_key_is_saved(admin_client, security):
    choices = [(letter, f"Option {letter}", letter in "BD") for letter in "ABCD"]
    data = form_data(
        exam=security,
        objective=objective_for(security),
        choices=choices,
        text="Pick. (Choose two.)",
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["errors"]


def test_an_edit_of_the_text_alone_is_checked_against_the_saved_key(admin_client, security):
    question = QuestionFactory(exam=security, correct=["A", "B"])
    data = form_data(
        exam=security,
        objective=question.objective,
        external_id=question.external_id,
        question=question,
        text="Which? (Choose THREE.)",
        choices=[("A", "Option A", True), ("B", "Option B", True), ("C", "Option C", False)],
    )

    response = admin_client.post(change_url(question), data)

    assert response.status_code == 200
    assert "The text says &#x27;Choose THREE&#x27; but the key has 2 correct answer(s)" in (
        response.content.decode()
    )
    question.refresh_from_db()
    assert "THREE" not in question.text


def test_blanking_an_existing_choice_is_an_error(admin_client, security):
    question = QuestionFactory(exam=security, n_choices=3)
    data = form_data(
        exam=security,
        objective=question.objective,
        external_id=question.external_id,
        question=question,
        choices=[("A", "Option A", True), ("B", "   ", False), ("C", "Option C", False)],
    )

    response = admin_client.post(change_url(question), data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert question.choices.get(letter="B").text == "Option B"


def test_an_objective_of_another_exam_is_an_error(admin_client, security):
    network_objective = objective_for(ExamFactory(slug="network"), "1.1")
    data = form_data(
        exam=security, objective=network_objective, choices=[("A", "1", True), ("B", "2", False)]
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Objective 1.1 belongs to N10-009, not to SY0-701." in response.content.decode()


def test_a_repeated_question_id_is_an_error(admin_client, security):
    QuestionFactory(exam=security, external_id="ED-1")
    data = form_data(
        exam=security, objective=objective_for(security), choices=[("A", "1", True), ("B", "2", 0)]
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert Question.objects.count() == 1


def test_changing_the_objective_moves_the_domain(admin_client, security):
    """In the admin and outside it, the domain always follows the objective."""
    question = QuestionFactory(exam=security, objective_code="1.1", n_choices=2)
    elsewhere = objective_for(security, "5.2")
    data = form_data(
        exam=security,
        objective=elsewhere,
        external_id=question.external_id,
        question=question,
        choices=[("A", "Option A", True), ("B", "Changed", False)],
    )

    response = admin_client.post(change_url(question), data)

    assert response.status_code == 302, response.context["errors"]
    question.refresh_from_db()
    assert question.domain.number == 5
    assert question.domain_id == elsewhere.domain_id
    assert question.choices.get(letter="B").text == "Changed"
    # Saved outside the admin too.
    question.objective = objective_for(security, "2.1")
    question.save()
    question.refresh_from_db()
    assert question.domain.number == 2


# --- The staff editor group -------------------------------------------------------------------


def test_staff_editor_group_has_exactly_the_bank_permissions():
    group = Group.objects.get(name="Staff editor")

    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("questions", f"{action}_{model}")
        for model in ("question", "choice")
        for action in ("view", "add", "change", "delete")
    } | {("questions", f"view_{model}") for model in ("exam", "domain", "objective")} | {
        ("questions", "view_questionreport"),
        ("questions", "change_questionreport"),
        ("questions", "view_itemstat"),
    }
    assert not Permission.objects.filter(user__isnull=False).exists()


def test_staff_editor_can_change_a_question(editor_client, security):
    question = QuestionFactory(exam=security, n_choices=2)
    assert editor_client.get(LIST_URL).status_code == 200
    data = form_data(
        exam=security,
        objective=question.objective,
        external_id=question.external_id,
        text="Reworded by an editor?",
        question=question,
        choices=[("A", "Option A", True), ("B", "Option B", False)],
    )

    response = editor_client.post(change_url(question), data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Reworded by an editor?"
    assert Choice.objects.filter(question=question).count() == 2


def test_staff_editor_can_add_and_retire_questions(editor_client, security):
    data = form_data(
        exam=security, objective=objective_for(security), choices=[("A", "1", True), ("B", "2", 0)]
    )
    assert editor_client.post(ADD_URL, data).status_code == 302

    editor_client.post(
        LIST_URL, {"action": "retire", "_selected_action": [Question.objects.get().pk]}
    )

    assert not Question.objects.get().is_active


def test_staff_editor_cannot_see_users_or_change_exams(editor_client, security):
    assert editor_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:questions_exam_changelist")).status_code == 200
    exam_url = reverse("admin:questions_exam_change", args=[security.pk])
    assert editor_client.post(exam_url, {"name": "Renamed"}).status_code == 403
    assert editor_client.get(reverse("admin:questions_exam_add")).status_code == 403
    assert Exam.objects.get(pk=security.pk).name == "CompTIA Security+"
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "Questions" in index
    assert "Users" not in index


def test_staff_without_the_group_cannot_edit_questions(client, security):
    client.force_login(UserFactory(is_staff=True, password=None))

    assert client.get(LIST_URL).status_code == 403


def test_an_exam_added_in_the_admin_gets_its_simulation_badge(admin_client):
    from gamification.models import Badge

    data = {
        "code": "NEW-001",
        "name": "New exam",
        "slug": "newexam",
        "question_count": 90,
        "time_limit_minutes": 90,
        "pass_mark": 700,
        "score_min": 100,
        "score_max": 900,
        "status": "current",
        "retired_on": "",
        "successor": "",
        "position": 9,
        "domains-TOTAL_FORMS": 1,
        "domains-INITIAL_FORMS": 0,
        "domains-MIN_NUM_FORMS": 0,
        "domains-MAX_NUM_FORMS": 1000,
        "domains-0-number": 1,
        "domains-0-name": "Only domain",
        "domains-0-weight_percent": 100,
    }

    response = admin_client.post(reverse("admin:questions_exam_add"), data)
    assert response.status_code == 302, response.context["errors"]
    exam = Exam.objects.get(slug="newexam")
    badge = Badge.objects.get(exam=exam)
    assert (badge.rule, badge.name, badge.is_active) == ("simulation_passed", "NEW-001 ready", True)

    # Saving the exam again keeps the one badge (and what staff changed in it).
    Badge.objects.filter(pk=badge.pk).update(name="Renamed by staff")
    data.update({"name": "New exam, edited", "domains-TOTAL_FORMS": 0})
    response = admin_client.post(reverse("admin:questions_exam_change", args=[exam.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    assert list(Badge.objects.filter(exam=exam).values_list("name", flat=True)) == [
        "Renamed by staff"
    ]


def test_the_question_page_has_no_inline_style_and_loads_the_preview_stylesheet(admin_client):
    question = QuestionFactory(n_choices=3)

    html = admin_client.get(change_url(question)).content.decode()

    assert 'class="question-preview"' in html
    assert not re.findall(r"<[^>]+\sstyle=", html)
    assert "questions/admin/question_preview.css" in html


JUNK_IDS = ["99999999999999999999999", "²", "abc", "-1", ""]


@pytest.mark.parametrize("junk", JUNK_IDS)
@pytest.mark.parametrize("parameter", ["domain", "objective", "exam__id__exact"])
def test_list_filters_with_junk_ids_are_not_a_500(admin_client, security, parameter, junk):
    admin_client.raise_request_exception = False
    response = admin_client.get(LIST_URL, {parameter: junk})
    assert response.status_code in (200, 302), response.status_code


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999999", "²"])
def test_bulk_action_with_a_junk_selection_is_a_400(admin_client, security, junk):
    admin_client.raise_request_exception = False
    response = admin_client.post(
        LIST_URL, {"action": "retire", "_selected_action": [junk], "index": "0"}
    )
    assert response.status_code == 400
    from django.urls import reverse

    users = reverse("admin:accounts_user_changelist")
    response = admin_client.post(
        users, {"action": "delete_selected", "_selected_action": [junk], "index": "0"}
    )
    assert response.status_code == 400


def test_list_pages_read_no_choice_aggregate_and_page_through_in_question_id_order(
    admin_client, security
):
    QuestionFactory.create_batch(60, exam=security, correct=["A", "C"])
    QuestionFactory.create_batch(3, exam=security, correct=["B"])
    expected = list(
        Question.objects.filter(exam=security).order_by("external_id").values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as context:
        first = admin_client.get(LIST_URL)
        last = admin_client.get(LIST_URL + "?p=2")
        two = admin_client.get(LIST_URL + "?correct=2")
    sql = " ".join(q["sql"] for q in context.captured_queries).upper()
    assert "GROUP BY" not in sql
    assert [q.pk for q in first.context["cl"].result_list] == expected[:50]
    assert [q.pk for q in last.context["cl"].result_list] == expected[50:]
    assert two.context["cl"].result_count == 60
    assert "C" in {c.letter for q in two.context["cl"].result_list for c in q.correct_choices}


def test_pages_in_the_back_half_are_read_from_the_end_in_the_same_order(admin_client, security):
    QuestionFactory.create_batch(130, exam=security)
    expected = list(
        Question.objects.filter(exam=security).order_by("external_id").values_list("pk", flat=True)
    )
    shown = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(LIST_URL + f"?p={page}")
        shown += [q.pk for q in response.context["cl"].result_list]
    sql = " ".join(q["sql"] for q in context.captured_queries).upper()
    assert shown == expected
    assert "OFFSET 100" not in sql  # the last page is the first 30 from the end


def test_a_search_counts_its_matches_up_to_a_cap_and_says_so(admin_client, security, monkeypatch):
    from questions.admin import DeferredJoinPaginator

    monkeypatch.setattr(DeferredJoinPaginator, "SEARCH_COUNT_CAP", 60)
    QuestionFactory.create_batch(70, exam=security, text="Which firewall rule applies?")
    QuestionFactory.create_batch(3, exam=security, text="Which cipher is weakest?")

    _, many = list_queries(admin_client, "?q=firewall")
    _, few = list_queries(admin_client, "?q=cipher")
    _, second = list_queries(admin_client, "?q=firewall&p=2")
    _, unfiltered = list_queries(admin_client)

    assert many.context["cl"].result_count == 60
    assert "More than 60 questions" in many.text
    assert len(second.context["cl"].result_list) == 10
    assert few.context["cl"].result_count == 3 and "3 questions" in few.text
    assert "More than" not in unfiltered.text and "73 questions" in unfiltered.text


# Performance-based questions ---------------------------------------------------------------


def pbq_form_data(*, exam, objective, kind, elements, values=""):
    """``elements`` are (letter, text, position, value) tuples."""
    data = form_data(exam=exam, objective=objective, choices=[], text="Sort these.")
    data.update({"kind": kind, "values": values, "exhibit": "| a | b |\n| 1 | 2 |"})
    data["choices-TOTAL_FORMS"] = len(elements)
    data["choices-MAX_NUM_FORMS"] = 10
    for index, (letter, text, position, value) in enumerate(elements):
        prefix = f"choices-{index}-"
        data[prefix + "letter"] = letter
        data[prefix + "text"] = text
        data[prefix + "explanation"] = f"Why {text}."
        data[prefix + "position"] = position
        data[prefix + "value"] = value
    return data


def test_staff_add_an_order_question_and_preview_it(admin_client, security):
    elements = [("A", "Contain", 2, ""), ("B", "Prepare", 1, ""), ("C", "Recover", 3, "")]
    data = pbq_form_data(
        exam=security, objective=objective_for(security), kind="order", elements=elements
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    question = Question.objects.get()
    assert question.kind == "order"
    assert list(question.choices.order_by("position").values_list("text", flat=True)) == [
        "Prepare",
        "Contain",
        "Recover",
    ]
    page = admin_client.get(change_url(question)).content.decode()
    assert "The right order:" in page and '<table class="exhibit-table">' in page


def test_staff_add_a_match_question_with_values_spelt_as_listed(admin_client, security):
    elements = [("A", "TCP 22", "", "allow"), ("B", "TCP 23", "", "DENY")]
    data = pbq_form_data(
        exam=security,
        objective=objective_for(security),
        kind="match",
        elements=elements,
        values="Allow | Deny",
    )

    assert admin_client.post(ADD_URL, data).status_code == 302

    question = Question.objects.get()
    assert question.match_values == ["Allow", "Deny"]
    assert list(question.choices.order_by("letter").values_list("value", flat=True)) == [
        "Allow",
        "Deny",
    ]


@pytest.mark.parametrize(
    ("kind", "elements", "values", "message"),
    [
        (
            "order",
            [("A", "x", 1, ""), ("B", "y", 1, ""), ("C", "z", 3, "")],
            "",
            "Positions must run 1 to 3, each once; got 1, 1, 3.",
        ),
        (
            "order",
            [("A", "x", 1, ""), ("B", "y", 2, "")],
            "",
            "An order question needs at least 3 items; it has 2.",
        ),
        ("order", [("A", "x", 1, ""), ("B", "y", 2, ""), ("C", "z", 3, "")], "A | B", "Only a"),
        ("match", [("A", "x", "", "Allow"), ("B", "y", "", "Maybe")], "Allow | Deny", "Maybe"),
        ("match", [("A", "x", "", "Allow"), ("B", "y", "", "Allow")], "Allow", "1 value(s)"),
        ("match", [("A", "x", "", "Allow"), ("B", "y", "", "Deny")], "", "needs its values"),
    ],
)
def test_invalid_pbqs_are_errors_on_the_form(
    admin_client, security, kind, elements, values, message
):
    data = pbq_form_data(
        exam=security,
        objective=objective_for(security),
        kind=kind,
        elements=elements,
        values=values,
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()
