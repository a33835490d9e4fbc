"""Performance-based questions in the engine: display order, answers, partial credit, the
weight in the scaled score, simulations that open with PBQs, the card, the review, budgets."""

import random
import re
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import rules, services
from exams.models import Attempt
from exams.tests.factories import bank_build, correct_ids
from exams.tests.test_views import ANSWER_BUDGET
from questions.models import Choice, Exam
from questions.tests.factories import pbq_create

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HX = {"HTTP_HX_REQUEST": "true"}


def start(user, exam, mode="practice", seed=7, **kwargs):
    return services.attempt_start(
        user=user, exam=exam, mode=mode, now=NOW, rng=random.Random(seed), **kwargs
    )


def url(name, attempt, *args):
    return reverse(f"exams:{name}", args=[attempt.pk, *args])


@pytest.fixture
def exam():
    return bank_build(weights=(100,), per_domain=0, objectives_per_domain=1)


def places_for(item, order):
    """Form data placing the items so that ``order`` (letters) is the learner's sequence."""
    letters = dict(Choice.objects.filter(question=item.question).values_list("id", "letter"))
    return {
        f"place-{index}": str(order.index(letters[choice_id]) + 1)
        for index, choice_id in enumerate(item.choice_order, start=1)
    }


def values_for(item, given):
    """Form data giving row K (as shown) the value numbered as in ``given[K-1]``."""
    return {f"value-{index}": str(number) for index, number in enumerate(given, start=1) if number}


def answer(user, attempt, position, elements, **kwargs):
    return services.answer_submit(
        attempt_id=attempt.pk, user=user, position=position, elements=elements, now=NOW, **kwargs
    )


# Rules -------------------------------------------------------------------------------------


def test_a_pbq_weighs_three_items_and_its_partial_credit_scales_the_points():
    points, possible = rules.weighted_points(
        [("order", Fraction(5, 7)), ("choice", Fraction(1)), ("choice", Fraction(0))]
    )

    assert (points, possible) == (Fraction(15, 7) + 1, 5)
    # 100 + 800 × (22/7) / 5 = 602.857... -> 603
    assert rules.scaled_score_compute(correct=points, total=possible) == 603
    assert rules.scaled_score_compute(correct=1, total=64) == 113  # integers as before


def test_stored_credit_recovers_the_exact_share_from_the_float():
    assert rules.stored_credit(5 / 7, False) == Fraction(5, 7)
    assert rules.stored_credit(None, True) == 1
    assert rules.stored_credit(None, None) == 0


def test_order_and_match_count_elements_in_their_right_place_or_value():
    assert rules.order_right(response=[3, None, 1], positions={1: 1, 2: 2, 3: 3}) == 0
    assert rules.order_right(response=[1, None, 3], positions={1: 1, 2: 2, 3: 3}) == 2
    assert rules.match_right(response=["Allow", None, "Deny"], key=["Allow", "Deny", "Deny"]) == 2


# Display order -----------------------------------------------------------------------------


def test_order_items_are_never_shown_in_their_right_order_and_match_rows_keep_theirs(exam):
    in_order = pbq_create(exam=exam, kind="order", items=3, key="ABC")
    rows = pbq_create(exam=exam, kind="match", items=3)
    right = list(in_order.choices.order_by("position").values_list("id", flat=True))
    listed = list(rows.choices.order_by("letter").values_list("id", flat=True))
    for seed in range(40):
        attempt = start(UserFactory(), exam, count=2, seed=seed)
        orders = {item.question_id: item.choice_order for item in attempt.items.all()}
        assert orders[in_order.pk] != right
        assert orders[rows.pk] == listed


# Answers and partial credit ----------------------------------------------------------------


def test_an_order_answer_earns_the_share_of_items_in_place(exam):
    pbq_create(exam=exam, kind="order", items=4, key="DCBA")
    user = UserFactory()
    attempt = start(user, exam, count=1)
    item = attempt.items.get()

    result = answer(user, attempt, 1, places_for(item, "DCAB"))

    item.refresh_from_db()
    assert (item.score, item.is_correct) == (0.5, False)
    letters = dict(Choice.objects.values_list("id", "letter"))
    assert [letters[choice_id] for choice_id in item.response] == list("DCAB")
    assert result.newly_answered


def test_a_full_order_is_correct(exam):
    pbq_create(exam=exam, kind="order", items=4, key="BDAC")
    user = UserFactory()
    attempt = start(user, exam, count=1)
    item = attempt.items.get()

    answer(user, attempt, 1, places_for(item, "BDAC"))

    item.refresh_from_db()
    assert (item.score, item.is_correct) == (1.0, True)


def test_a_match_answer_earns_the_share_of_rows_with_their_value(exam):
    pbq_create(exam=exam, kind="match", items=3, values=("Allow", "Deny", "Log"))
    user = UserFactory()
    attempt = start(user, exam, count=1)
    item = attempt.items.get()

    answer(user, attempt, 1, values_for(item, [1, 2, 2]))  # key: Allow, Deny, Log

    item.refresh_from_db()
    assert item.response == ["Allow", "Deny", "Deny"]
    assert item.score == pytest.approx(2 / 3)
    assert item.is_correct is False


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        ({}, "Put the items in order first."),
        ({"place-1": "1", "place-2": "1", "place-3": "2"}, "Place 1 is given to two items"),
        ({"place-1": "4", "place-2": "1", "place-3": "2"}, "That is not a place"),
        ({"place-1": "²", "place-2": "1", "place-3": "3"}, "That is not a place"),
        ({"place-1": "1", "place-2": "2"}, "Give every item a place: 2 of 3 done."),
    ],
)
def test_a_bad_order_answer_is_refused_and_changes_nothing(exam, elements, message):
    pbq_create(exam=exam, kind="order", items=3)
    user = UserFactory()
    attempt = start(user, exam, count=1)

    with pytest.raises(services.InvalidAnswer, match=re.escape(message)):
        answer(user, attempt, 1, elements)

    item = attempt.items.get()
    assert (item.answered_at, item.response, item.score) == (None, [], None)


def test_a_practice_answer_stands_and_a_repeat_is_harmless(exam):
    pbq_create(exam=exam, kind="match", items=2)
    user = UserFactory()
    attempt = start(user, exam, count=1)
    item = attempt.items.get()
    answer(user, attempt, 1, values_for(item, [1, 2]))

    again = answer(user, attempt, 1, values_for(item, [1, 2]))
    assert not again.newly_answered
    with pytest.raises(services.AnswerFinal):
        answer(user, attempt, 1, values_for(item, [2, 2]))


# Simulation --------------------------------------------------------------------------------


@pytest.fixture
def sim_exam():
    exam = bank_build(weights=(50, 50), per_domain=20)
    Exam.objects.filter(pk=exam.pk).update(question_count=20)
    exam.refresh_from_db()
    for n in range(8):
        pbq_create(exam=exam, kind="order" if n % 2 else "match", items=4)
    return exam


def test_a_simulation_opens_with_three_to_six_pbqs_inside_the_exams_count(sim_exam):
    counts = set()
    for seed in range(12):
        attempt = start(UserFactory(), sim_exam, "simulation", seed=seed)
        kinds = list(attempt.items.order_by("position").values_list("question__kind", flat=True))
        pbqs = sum(1 for kind in kinds if kind != "choice")
        assert len(kinds) == 20
        assert 3 <= pbqs <= 6
        assert all(kind != "choice" for kind in kinds[:pbqs])
        assert all(kind == "choice" for kind in kinds[pbqs:])
        counts.add(pbqs)
    assert len(counts) > 1


def test_a_simulation_without_pbqs_in_the_bank_is_all_multiple_choice():
    exam = bank_build(weights=(100,), per_domain=12)
    Exam.objects.filter(pk=exam.pk).update(question_count=10)
    exam.refresh_from_db()

    attempt = start(UserFactory(), exam, "simulation")

    assert attempt.question_count == 10
    assert not attempt.items.exclude(question__kind="choice").exists()


def test_a_simulation_scores_pbqs_with_their_weight_and_partial_credit(sim_exam):
    user = UserFactory()
    attempt = start(user, sim_exam, "simulation", seed=3)
    items = list(attempt.items.select_related("question").order_by("position"))
    pbqs = [item for item in items if item.question.kind != "choice"]
    first = pbqs[0]
    # The first PBQ half right, the others left open; every multiple-choice item right.
    if first.question.kind == "order":
        key = "".join(
            Choice.objects.filter(question=first.question)
            .order_by("position")
            .values_list("letter", flat=True)
        )
        partial = key[1] + key[0] + key[2:]  # two of four in place
        answer(user, attempt, first.position, places_for(first, partial))
    else:
        answer(user, attempt, first.position, values_for(first, [1, 1, 1, 1]))
    for item in items:
        if item.question.kind == "choice":
            services.answer_submit(
                attempt_id=attempt.pk,
                user=user,
                position=item.position,
                choice_ids=correct_ids(item),
                now=NOW,
            )

    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)

    attempt.refresh_from_db()
    mc = len(items) - len(pbqs)
    possible = mc + 3 * len(pbqs)
    points = mc + Fraction(3, 2)
    assert attempt.correct_count == mc
    assert attempt.scaled_score == rules.scaled_score_compute(correct=points, total=possible)
    assert attempt.items.get(pk=pbqs[-1].pk).score == 0


def test_a_simulation_saves_an_incomplete_pbq_and_scores_the_open_elements_wrong(sim_exam):
    user = UserFactory()
    attempt = start(user, sim_exam, "simulation")
    item = attempt.items.get(position=1)

    first = {"place-1": "1"} if item.question.kind == "order" else {"value-1": "1"}
    answer(user, attempt, 1, first)

    item.refresh_from_db()
    assert item.answered_at is not None
    assert item.score <= 0.25


def test_a_simulations_autosave_of_a_pbq_stays_on_it_and_may_clear_it(sim_exam):
    user = UserFactory()
    attempt = start(user, sim_exam, "simulation")
    item = attempt.items.get(position=1)
    given = {"place-1": "1"} if item.question.kind == "order" else {"value-1": "1"}

    saved = answer(user, attempt, 1, given, autosave=True)
    cleared = answer(user, attempt, 1, {}, autosave=True)

    assert saved.position_next == cleared.position_next == 1
    item.refresh_from_db()
    assert (item.response, item.answered_at, item.score) == ([], None, None)
    attempt.refresh_from_db()
    assert attempt.current_position == 1
    with pytest.raises(services.InvalidAnswer):
        answer(user, attempt, 1, {})  # without autosave nothing given is refused


def test_a_simulation_answer_hands_back_the_next_questions_choices(sim_exam):
    user = UserFactory()
    attempt = start(user, sim_exam, "simulation")
    first, second = attempt.items.order_by("position")[:2]
    given = {"place-1": "1"} if first.question.kind == "order" else {"value-1": "1"}

    result = answer(user, attempt, 1, given)

    assert result.position_next == 2
    assert set(result.choices) == {first.question_id, second.question_id}
    assert set(result.choices[second.question_id]) == set(
        Choice.objects.filter(question_id=second.question_id).values_list("pk", flat=True)
    )
    practice = start(user, sim_exam, count=10)
    one = practice.items.filter(question__kind="choice").order_by("position").first()
    kept = services.answer_submit(
        attempt_id=practice.pk,
        user=user,
        position=one.position,
        choice_ids=correct_ids(one),
        now=NOW,
    )
    assert set(kept.choices) == {one.question_id}  # practice stays for the feedback


# The card, the review and the budgets ------------------------------------------------------


def test_the_order_card_shows_no_key_before_feedback_then_each_items_result(client, exam):
    bank_build(weights=(100,), per_domain=30)  # choice ids of three digits, unlike any place
    pbq_create(exam=exam, kind="order", items=5, key="EDCBA", exhibit="| a | b |\n| 1 | 2 |")
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, exam, count=1)
    item = attempt.items.get()

    page = client.get(url("question", attempt, 1)).content.decode()

    shown = re.findall(r"Item ([A-E])</label>", page)
    letters = dict(Choice.objects.values_list("id", "letter"))
    assert shown == [letters[choice_id] for choice_id in item.choice_order]
    assert shown != list("EDCBA")
    assert "comes at place" not in page  # no explanation, so no key
    assert not any(f'"{choice_id}"' in page for choice_id in item.choice_order)
    assert '<table class="exhibit-table">' in page and '<th scope="col">a</th>' in page

    response = client.post(url("answer", attempt, 1), places_for(item, "EDCAB"), **HX)

    page = response.content.decode()
    assert "Partly right: 3 of 5 items in their right place." in page
    assert page.count("explain-correct") == 3 and page.count("explain-wrong") == 2
    assert "Item A comes at place 5." in page


def test_a_refused_pbq_answer_without_javascript_keeps_the_learners_places(client, exam):
    pbq_create(exam=exam, kind="order", items=3)
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, exam, count=1)

    response = client.post(url("answer", attempt, 1), {"place-1": "2", "place-2": "3"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give every item a place: 2 of 3 done." in page
    assert re.search(r'id="place-1"[^>]*>.*?<option value="2" selected>', page, re.S)


def test_the_review_shows_each_row_of_a_match(client, exam):
    pbq_create(exam=exam, kind="match", items=3, values=("Allow", "Deny", "Log"))
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, exam, count=1)
    answer(user, attempt, 1, values_for(attempt.items.get(), [1, 3, 3]))
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)

    page = client.get(url("review", attempt)).content.decode()

    assert "Partly right." in page
    assert "2 of 3 rows with their right value" in page
    assert "Row B takes Deny." in page


@pytest.mark.parametrize("mode", ["practice", "simulation"])
def test_a_pbq_answer_costs_no_more_queries_than_a_multiple_choice_answer(client, mode):
    exam = bank_build(weights=(100,), per_domain=12)
    Exam.objects.filter(pk=exam.pk).update(question_count=10)
    exam.refresh_from_db()
    for n in range(6):
        pbq_create(exam=exam, kind="order" if n % 2 else "match", items=4)
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, exam, mode, count=10)
    items = list(attempt.items.select_related("question").order_by("position"))
    mc = next(item for item in items if item.question.kind == "choice")
    pbqs = [item for item in items if item.question.kind != "choice"][:2]
    assert len(pbqs) == 2

    def cost(item, data):
        client.get(url("question", attempt, item.position), **HX)  # opened first, as in a browser
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url("answer", attempt, item.position), data, **HX)
        assert response.status_code == 200
        return len(queries)

    first = pbqs[0]
    first_data = (
        places_for(first, "ABCD") if first.question.kind == "order" else values_for(first, [1] * 4)
    )
    mc_cost = cost(mc, {"choice": correct_ids(mc)})
    pbq_cost = cost(first, first_data)
    assert pbq_cost <= mc_cost <= ANSWER_BUDGET[mode]


def test_results_say_how_pbqs_count(client, sim_exam):
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, sim_exam, "simulation")
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)

    page = client.get(url("results", attempt)).content.decode()

    assert Attempt.objects.get(pk=attempt.pk).status == "submitted"
    assert "Performance-based questions" in page
    assert "worth 3 multiple-choice questions" in page
    assert "{#" not in page and "#}" not in page  # a template comment never reaches the page


def test_a_simulation_of_the_shipped_bank_opens_with_pbqs_and_scores_them(client):
    import io
    from pathlib import Path

    from django.core.management import call_command

    bank = Path(__file__).resolve().parents[2] / "questions" / "bank" / "security.csv"
    call_command("import_questions", str(bank), stdout=io.StringIO())
    exam = Exam.objects.get(slug="security")
    user = UserFactory()
    attempt = start(user, exam, "simulation")
    items = list(attempt.items.select_related("question").order_by("position"))
    pbqs = [item for item in items if item.question.kind != "choice"]
    assert len(items) == exam.question_count
    assert 3 <= len(pbqs) <= 6 and items[: len(pbqs)] == pbqs
    first = pbqs[0]
    data = (
        places_for(first, "".join(letters_of(first)))
        if first.question.kind == "order"
        else values_for(first, [1] * len(first.choice_order))
    )
    answer(user, attempt, first.position, data)

    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)

    attempt.refresh_from_db()
    credit = rules.stored_credit(attempt.items.get(pk=first.pk).score, None)
    assert attempt.scaled_score == rules.scaled_score_compute(
        correct=3 * credit, total=len(items) - len(pbqs) + 3 * len(pbqs)
    )
    client.force_login(user)
    review = client.get(url("review", attempt)).content.decode()
    assert "performance-based question" in review


def letters_of(item):
    return (
        Choice.objects.filter(question=item.question)
        .order_by("letter")
        .values_list("letter", flat=True)
    )


def test_a_revision_keeps_a_pbqs_type_exhibit_values_and_key(exam):
    from questions.services import question_revise

    question = pbq_create(exam=exam, kind="match", items=2, exhibit="log line")

    first = question_revise(question=question, now=NOW)
    assert first.snapshot["type"] == "match"
    assert first.snapshot["exhibit"] == "log line"
    assert first.snapshot["values"] == ["Allow", "Deny"]
    assert [choice["value"] for choice in first.snapshot["choices"]] == ["Allow", "Deny"]
    Choice.objects.filter(question=question, letter="B").update(value="Allow")

    second = question_revise(question=question, now=NOW)

    assert second is not None and second.number == first.number + 1
    assert question_revise(question=question, now=NOW) is None


def test_the_review_shows_a_pbq_and_its_exhibit_as_the_learner_saw_them_after_an_edit(client, exam):
    from questions.models import Question
    from questions.services import question_revise

    question = pbq_create(exam=exam, kind="order", items=3, key="CBA", exhibit="port 22 open")
    question_revise(question=question, now=NOW)
    user = UserFactory()
    client.force_login(user)
    attempt = start(user, exam, count=1)
    answer(user, attempt, 1, places_for(attempt.items.get(), "CBA"))
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)
    Choice.objects.filter(question=question, letter="A").update(position=2)
    Choice.objects.filter(question=question, letter="B").update(position=3)
    Question.objects.filter(pk=question.pk).update(exhibit="port 3389 open")
    question_revise(question=question, now=NOW)

    page = client.get(url("review", attempt)).content.decode()

    assert "3 of 3 items in their right place" in page
    assert "port 22 open" in page and "port 3389" not in page


def test_the_bookmarks_page_gives_a_pbqs_key_not_every_element_wrong(client, exam):
    from exams.models import Bookmark

    user = UserFactory()
    client.force_login(user)
    order = pbq_create(exam=exam, kind="order", items=3, key="CAB")
    match = pbq_create(exam=exam, kind="match", items=2, key=["Deny", "Allow"])
    Bookmark.objects.create(user=user, question=order)
    Bookmark.objects.create(user=user, question=match)

    page = client.get(reverse("exams:bookmarks")).content.decode()

    assert "incorrect" not in page and "none" not in page
    assert "The right order" in page
    sequence = page[page.index("The right order") :]
    assert sequence.index("Item C") < sequence.index("Item A") < sequence.index("Item B")
    assert "Row A takes Deny." in page and "Row B takes Allow." in page
