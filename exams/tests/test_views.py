"""The quiz pages, with and without htmx: ownership, status codes, leaks, query budgets."""

import json
import random
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import selectors, services
from exams.models import Attempt, Bookmark
from exams.tests.factories import ExamFactory, answer_all, bank_build, correct_ids, wrong_id
from questions.models import Choice, Exam, Objective, Question

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bank():
    return bank_build(per_domain=30)


def start(user, exam, mode="practice", **kwargs):
    kwargs.setdefault("rng", random.Random(3))
    if mode != "simulation":
        kwargs.setdefault("count", 10)
    return services.attempt_start(user=user, exam=exam, mode=mode, **kwargs)


def url(name, attempt, *args):
    return reverse(f"exams:{name}", args=[attempt.pk, *args])


def finish(attempt):
    services.attempt_finish(attempt_id=attempt.pk, user=attempt.user)
    attempt.refresh_from_db()
    return attempt


# Catalogue and start -----------------------------------------------------------------------


def test_catalogue_lists_exams_with_facts_and_start_forms(client, bank):
    response = client.get(reverse("exams:catalogue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert bank.code in html
    assert "150 questions" in html  # the bank count
    assert "Domain 4" in html and "28%" in html
    assert "pass mark" in html.lower() or "Pass mark" in html
    assert reverse("exams:start", args=[bank.slug, "practice"]) in html
    assert reverse("exams:start", args=[bank.slug, "simulation"]) in html
    assert reverse("exams:start", args=[bank.slug, "drill"]) in html
    assert 'value="custom"' in html
    # The seeded 220-1101 is retired, with its successor named.
    assert "Retired on 25 September 2025" in html
    assert 'CompTIA A+ Core 1 (V15) (<span class="exam-code">220-1201</span>)' in html


def test_catalogue_shows_extended_time_honestly(user_client, user, bank):
    Profile.objects.filter(user=user).update(extra_time=150)
    html = user_client.get(reverse("exams:catalogue")).content.decode()
    assert "135 min, extended from 90" in html


def test_catalogue_query_budget(client, bank, django_assert_max_num_queries):
    bank_build(per_domain=5)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("exams:catalogue")).status_code == 200


def test_start_practice_redirects_to_the_first_question(user_client, user, bank):
    domain = bank.domains.get(number=2)
    response = user_client.post(
        reverse("exams:start", args=[bank.slug, "practice"]),
        {"length": "custom", "custom_length": "7", "domains": [str(domain.pk)]},
    )
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == url("question", attempt, 1)
    assert attempt.question_count == 7
    assert set(attempt.items.values_list("question__domain", flat=True)) == {domain.pk}


def test_start_form_errors_are_shown(user_client, bank):
    response = user_client.post(
        reverse("exams:start", args=[bank.slug, "practice"]), {"length": "custom"}
    )
    assert response.status_code == 400
    assert "Enter how many questions you want." in response.content.decode()
    response = user_client.post(reverse("exams:start", args=[bank.slug, "drill"]), {})
    assert response.status_code == 400


def test_start_says_when_the_bank_holds_fewer_than_asked(user_client, user):
    small = bank_build(weights=(60, 40), per_domain=3)  # 6 questions, exam of 90
    response = user_client.post(
        reverse("exams:start", args=[small.slug, "practice"]), {"length": "20"}, follow=True
    )
    assert "so this set has 6 instead of 20" in response.content.decode()
    Attempt.objects.filter(user=user).delete()
    response = user_client.post(
        reverse("exams:start", args=[small.slug, "simulation"]), follow=True
    )
    html = response.content.decode()
    assert "fewer than the 90 of the real exam, so this simulation has 6" in html
    assert Attempt.objects.get(user=user, mode="simulation").question_count == 6


def test_start_with_enough_questions_says_nothing_about_the_bank(user_client, bank):
    response = user_client.post(
        reverse("exams:start", args=[bank.slug, "practice"]), {"length": "20"}, follow=True
    )
    assert "The bank holds" not in response.content.decode()


def test_start_refuses_a_custom_length_without_custom_chosen(user_client, user, bank):
    response = user_client.post(
        reverse("exams:start", args=[bank.slug, "practice"]),
        {"length": "10", "custom_length": "15"},
    )
    assert response.status_code == 400
    assert "Choose “Custom” to use 15 questions" in response.content.decode()
    assert not Attempt.objects.filter(user=user).exists()


def test_pages_answer_head_requests(client, user_client, user, bank):
    assert client.head(reverse("exams:catalogue")).status_code == 200
    attempt = start(user, bank)
    for name, args in (("question", [1]), ("submit", []), ("clock", [])):
        assert user_client.head(url(name, attempt, *args)).status_code == 200
    assert user_client.head(reverse("exams:history")).status_code == 200
    assert user_client.head(reverse("exams:start", args=[bank.slug, "practice"])).status_code == 200


def test_start_drill_by_objective(user_client, user, bank):
    objective = bank.domains.get(number=1).objectives.get(code="1.2")
    response = user_client.post(
        reverse("exams:start", args=[bank.slug, "drill"]),
        {"length": "10", "target": f"o:{objective.pk}"},
    )
    assert response.status_code == 302
    attempt = Attempt.objects.get(user=user)
    assert attempt.mode == "drill"
    assert set(attempt.items.values_list("question__objective", flat=True)) == {objective.pk}


def test_start_simulation_while_one_is_open_offers_resume_or_abandon(user_client, user, bank):
    start_url = reverse("exams:start", args=[bank.slug, "simulation"])
    assert user_client.post(start_url).status_code == 302
    open_one = Attempt.objects.get(user=user)
    response = user_client.post(start_url)
    html = response.content.decode()
    assert response.status_code == 409
    assert url("resume", open_one) in html
    assert f'action="{url("abandon", open_one)}"' in html
    assert Attempt.objects.filter(user=user).count() == 1
    # GET shows the same offer; abandoning (a POST) frees the way.
    assert url("resume", open_one) in user_client.get(start_url).content.decode()
    assert user_client.get(url("abandon", open_one)).status_code == 405
    response = user_client.post(url("abandon", open_one), {"next": start_url})
    assert response["Location"] == start_url
    assert user_client.post(start_url).status_code == 302
    assert Attempt.objects.filter(user=user, status="in_progress").count() == 1


def test_abandon_says_why_when_the_attempt_was_already_over(user_client, user, bank):
    submitted = finish(start(user, bank))
    response = user_client.post(url("abandon", submitted), follow=True)
    assert response.redirect_chain[-1][0] == url("results", submitted)
    html = response.content.decode()
    assert "already submitted; here are its results" in html and "Time was" not in html
    submitted.refresh_from_db()
    assert submitted.status == Attempt.Status.SUBMITTED

    timed = start(user, bank, "simulation")
    with mock.patch("django.utils.timezone.now", return_value=timed.deadline):
        response = user_client.post(url("abandon", timed), follow=True)
    assert response.redirect_chain[-1][0] == url("results", timed)
    assert "Time was up: the attempt was submitted as it stood." in response.content.decode()

    abandoned = start(user, bank)
    user_client.post(url("abandon", abandoned))
    response = user_client.post(url("abandon", abandoned), follow=True)
    assert "This attempt was already abandoned." in response.content.decode()


def test_abandon_ignores_foreign_next(user_client, user, bank):
    attempt = start(user, bank)
    response = user_client.post(url("abandon", attempt), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("exams:catalogue")


def test_anonymous_visitors_are_sent_to_log_in(client, bank):
    attempt = start(UserFactory(), bank)
    for target in (url("question", attempt, 1), reverse("exams:history")):
        response = client.get(target)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


# The question page -------------------------------------------------------------------------


def test_question_page_full_and_fragment(user_client, user, bank):
    attempt = start(user, bank)
    full = user_client.get(url("question", attempt, 2))
    html = full.content.decode()
    assert full.status_code == 200
    assert "<html" in html and 'id="card"' in html
    assert "js/quiz.js" in html
    assert "Question 2 of 10" in html
    assert f'hx-get="{url("question", attempt, 3)}"' in html
    assert f'href="{url("question", attempt, 3)}"' in html
    assert 'hx-push-url="true"' in html
    assert "<kbd>N</kbd>" in html
    assert full["Vary"] and "HX-Request" in full["Vary"]
    fragment = user_client.get(url("question", attempt, 3), **HX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<section id="card"')
    assert "Question 3 of 10" in fragment
    attempt.refresh_from_db()
    assert attempt.current_position == 3
    # A history restore asks for the whole page.
    restore = user_client.get(
        url("question", attempt, 3), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX
    )
    assert "<html" in restore.content.decode()


def test_question_page_has_no_inline_script_or_style(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    html = user_client.get(url("question", attempt, 1)).content.decode()
    assert " style=" not in html
    assert " onclick=" not in html and " onkeydown=" not in html
    assert "<script>" not in html


def test_resume_goes_where_the_learner_left_off(user_client, user, bank):
    attempt = start(user, bank)
    user_client.get(url("question", attempt, 6))
    response = user_client.get(url("resume", attempt))
    assert response["Location"] == url("question", attempt, 6)


def test_out_of_range_position_is_404(user_client, user, bank):
    attempt = start(user, bank)
    assert user_client.get(url("question", attempt, 11)).status_code == 404
    assert user_client.get(url("question", attempt, 0)).status_code == 404


def test_practice_answer_shows_feedback_with_every_explanation(user_client, user, bank):
    attempt = start(user, bank)
    item = attempt.items.get(position=1)
    before = user_client.get(url("question", attempt, 1)).content.decode()
    assert "Explain Q" not in before
    response = user_client.post(url("answer", attempt, 1), {"choice": [wrong_id(item)]}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-live="polite"' in html
    assert "Not quite. The correct answer is" in html
    for choice in Choice.objects.filter(question=item.question_id):
        assert f"Explain Q{item.question_id} {choice.letter}" in html
    assert "choice-correct" in html and "choice-wrong" in html
    assert "HX-Push-Url" not in response  # stays on the same question
    # Without htmx: redirect back to the question, which now shows the feedback.
    item2 = attempt.items.get(position=2)
    response = user_client.post(url("answer", attempt, 2), {"choice": correct_ids(item2)})
    assert response["Location"] == url("question", attempt, 2)
    assert "Correct." in user_client.get(url("question", attempt, 2)).content.decode()


def test_practice_re_answer_is_409_and_double_submit_harmless(user_client, user, bank):
    attempt = start(user, bank)
    item = attempt.items.get(position=1)
    for _ in range(2):
        assert (
            user_client.post(
                url("answer", attempt, 1), {"choice": [wrong_id(item)]}, **HX
            ).status_code
            == 200
        )
    assert Profile.objects.get(user=user).total_questions_answered == 1
    # A different answer from a stale tab: the first one stands, and its feedback is swapped in.
    response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)}, **HX)
    assert response.status_code == 200
    assert "first answer stands" in json.loads(response["HX-Trigger"])["toast"]["value"][0]
    html = response.content.decode()
    assert 'id="card"' in html and "Not quite." in html and "<html" not in html
    page = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)})
    assert page.status_code == 409
    assert "first answer stands" in page.content.decode() and "Not quite." in page.content.decode()
    item.refresh_from_db()
    assert item.selected == [wrong_id(item)]
    assert Profile.objects.get(user=user).total_questions_answered == 1


def test_simulation_never_reveals_correctness_before_submission(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=1)
    explanations = list(
        Choice.objects.filter(question=item.question_id).values_list("explanation", flat=True)
    )
    pages = [
        user_client.get(url("question", attempt, 1)),
        user_client.get(url("question", attempt, 1), **HX),
        user_client.post(url("answer", attempt, 1), {"choice": [wrong_id(item)]}, **HX),
        user_client.post(url("flag", attempt, 1), {"flagged": "1"}, **HX),
        user_client.post(url("item_bookmark", attempt, 1), {"on": "1"}, **HX),
        user_client.get(url("question", attempt, 1)),
        user_client.get(url("submit", attempt)),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200, html[:200]
        for text in explanations:
            assert text not in html
        for marker in ("choice-correct", "choice-wrong", "Not quite", "Correct.", "explain-"):
            assert marker not in html


def test_simulation_answer_moves_on_and_pushes_the_url(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=4)
    response = user_client.post(url("answer", attempt, 4), {"choice": [wrong_id(item)]}, **HX)
    assert response["HX-Push-Url"] == url("question", attempt, 5)
    html = response.content.decode()
    assert "Question 5 of 90" in html
    assert "Answer to question 4 saved." in html
    assert 'data-seconds-left="' in html
    # Change the answer, without htmx: saved and redirected to the next question.
    response = user_client.post(url("answer", attempt, 4), {"choice": correct_ids(item)})
    assert response["Location"] == url("question", attempt, 5)
    item.refresh_from_db()
    assert item.selected == correct_ids(item)


def test_foreign_choice_is_400(user_client, user, bank):
    attempt = start(user, bank)
    other = attempt.items.get(position=2)
    response = user_client.post(url("answer", attempt, 1), {"choice": [wrong_id(other)]})
    assert response.status_code == 400
    assert "not a choice of this question" in response.content.decode()
    response = user_client.post(url("answer", attempt, 1), {"choice": ["nope"]}, **HX)
    assert response.status_code == 400
    assert "toast" in response["HX-Trigger"]
    assert user_client.post(url("answer", attempt, 1), {}).status_code == 400


def test_answer_after_submission_is_409(user_client, user, bank):
    attempt = finish(start(user, bank))
    item = attempt.items.get(position=1)
    response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)})
    assert response.status_code == 409
    html = response.content.decode()
    assert "submitted" in html and url("results", attempt) in html
    response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)}, **HX)
    assert response.status_code == 409
    assert response["HX-Redirect"] == url("results", attempt)
    assert user_client.post(url("flag", attempt, 1), {"flagged": "1"}).status_code == 409
    # The closed attempt's question page leads to its results.
    assert user_client.get(url("question", attempt, 1))["Location"] == url("results", attempt)


def test_deadline_is_enforced_by_the_server(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=1)
    late = attempt.deadline + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=late):
        response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)})
        assert response.status_code == 409
        assert "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert attempt.submitted_at == attempt.deadline
    assert Profile.objects.get(user=user).total_exams_taken == 0  # nothing answered: no count


@pytest.mark.parametrize("name", ["question", "resume", "submit", "results", "review"])
def test_any_page_touch_after_the_deadline_submits(user_client, user, bank, name):
    attempt = start(user, bank, "simulation")
    args = [1] if name == "question" else []
    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline):
        response = user_client.get(url(name, attempt, *args))
        assert response.status_code == 302
        assert response["Location"] == url("results", attempt)
        htmx = user_client.get(url("question", attempt, 1), **HX)
        assert htmx["HX-Redirect"] == url("results", attempt)
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert attempt.counted is False  # nothing answered


def test_clock_endpoint(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    data = user_client.get(url("clock", attempt)).json()
    assert data["status"] == "in_progress"
    assert 90 * 60 - 5 <= data["seconds_left"] <= 90 * 60
    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline):
        data = user_client.get(url("clock", attempt)).json()
    assert data == {"status": "submitted", "seconds_left": 0, "url": url("resume", attempt)}


def test_countdown_accommodations(user_client, user, bank):
    Profile.objects.filter(user=user).update(extra_time=150, hide_countdown=True)
    attempt = start(user, bank, "simulation")
    html = user_client.get(url("question", attempt, 1)).content.decode()
    assert "135 min, extended from 90" in html
    assert "quiz-countdown is-hidden" in html
    assert 'id="quiz-announce"' in html and 'aria-live="polite"' in html


def test_hiding_the_time_left_is_remembered_on_the_profile(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    response = user_client.post(url("countdown", attempt), {"hidden": "1"})
    assert response["Location"] == url("resume", attempt)
    user.profile.refresh_from_db()
    assert user.profile.hide_countdown is True
    html = user_client.get(url("question", attempt, 1)).content.decode()
    assert "quiz-countdown is-hidden" in html and "Show time left" in html
    assert 'name="hidden" value="0"' in html  # the button now sends "show"
    response = user_client.post(url("countdown", attempt), {"hidden": "0"}, **HX)
    assert response.status_code == 204
    user.profile.refresh_from_db()
    assert user.profile.hide_countdown is False
    for junk in ({}, {"hidden": "yes"}, {"hidden": "²"}):
        assert user_client.post(url("countdown", attempt), junk).status_code == 400
    user.profile.refresh_from_db()
    assert user.profile.hide_countdown is False


def test_flag_and_navigator(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    response = user_client.post(url("flag", attempt, 3), {"flagged": "1"}, **HX)
    html = response.content.decode()
    assert "Question 3, unanswered, flagged" in html
    assert 'aria-pressed="true"' in html
    assert user_client.post(url("flag", attempt, 3), {"flagged": "1"}).status_code == 302
    assert attempt.items.get(position=3).flagged
    assert user_client.post(url("flag", attempt, 3), {"flagged": "x"}).status_code == 400
    submit = user_client.get(url("submit", attempt)).content.decode()
    assert "<strong>90</strong> unanswered" in submit
    assert "<strong>1</strong> flagged" in submit


def test_practice_navigator_links_every_question_of_the_attempt(user_client, user, bank):
    attempt = start(user, bank, count=30)
    html = user_client.get(url("question", attempt, 7), **HX).content.decode()
    navigator = html[html.index('class="navigator"') :]
    hrefs = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)" class="nav-cell', navigator)
    expected = [url("question", attempt, n) for n in range(1, 31)]
    assert [href for href, _ in hrefs] == expected
    assert [hx for _, hx in hrefs] == expected


def test_simulation_moves_send_the_answer_form(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    html = user_client.get(url("question", attempt, 7), **HX).content.decode()
    moves = re.findall(r'<button type="submit" form="answer-form" name="go" value="(\w+)"', html)
    assert moves == ["6", "8", "submit", *[str(n) for n in range(1, 91)]]
    assert 'id="answer-form"' in html


@pytest.mark.parametrize("attempt_id", [1, 11, 101, 1234])
def test_question_url_maker_matches_reverse(attempt_id):
    url_of = selectors.question_url_maker(attempt_id)
    for position in (1, 10, 11, 90, 111):
        assert url_of(position) == reverse("exams:question", args=[attempt_id, position])


def test_simulation_moving_on_saves_the_choice(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=3)
    choice = item.choice_order[1]
    response = user_client.post(url("answer", attempt, 3), {"choice": [choice], "go": "4"})
    assert response.status_code == 302 and response["Location"] == url("question", attempt, 4)
    item.refresh_from_db()
    assert item.selected == [choice] and item.answered_at is not None
    page = user_client.get(response["Location"]).content.decode()
    assert "Answer to question 3 saved." in page

    # htmx: the card of the question to go to, with the URL pushed; going back shows the choice.
    response = user_client.post(
        url("answer", attempt, 4),
        {"choice": correct_ids(attempt.items.get(position=4)), "go": "3"},
        **HX,
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == url("question", attempt, 3)
    html = response.content.decode()
    assert "Question 3 of 90" in html and "Answer to question 4 saved." in html
    assert f'value="{choice}" id="choice-{choice}" data-key="2" checked' in html
    assert attempt.items.filter(answered_at__isnull=False).count() == 2
    attempt.refresh_from_db()
    assert attempt.current_position == 3


def test_simulation_moving_on_with_nothing_chosen_only_moves(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    response = user_client.post(url("answer", attempt, 1), {"go": "90"}, **HX)
    assert response.status_code == 200
    assert "Question 90 of 90" in response.content.decode()
    assert "saved" not in response.content.decode()
    response = user_client.post(url("answer", attempt, 90), {"go": "submit"})
    assert response["Location"] == url("submit", attempt)
    response = user_client.post(url("answer", attempt, 90), {"go": "submit"}, **HX)
    assert response["HX-Redirect"] == url("submit", attempt)
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_simulation_review_and_submit_saves_the_choice_first(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=90)
    response = user_client.post(
        url("answer", attempt, 90), {"choice": [wrong_id(item)], "go": "submit"}
    )
    assert response["Location"] == url("submit", attempt)
    assert (
        "<strong>89</strong> unanswered" in user_client.get(url("submit", attempt)).content.decode()
    )


@pytest.mark.parametrize("go", ["0", "91", "x", "-1", ""])
def test_simulation_move_to_nowhere_is_400_and_stores_nothing(user_client, user, bank, go):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=1)
    response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item), "go": go})
    assert response.status_code == 400
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_simulation_moves_are_refused_after_the_deadline_and_for_others(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=1)
    stranger = Client()
    stranger.force_login(UserFactory())
    assert (
        stranger.post(
            url("answer", attempt, 1), {"choice": correct_ids(item), "go": "2"}
        ).status_code
        == 404
    )
    assert stranger.post(url("answer", attempt, 1), {"go": "2"}).status_code == 404
    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline):
        moved = user_client.post(url("answer", attempt, 1), {"go": "2"})
        saved = user_client.post(
            url("answer", attempt, 1), {"choice": correct_ids(item), "go": "2"}
        )
    assert moved["Location"] == url("results", attempt)
    assert saved.status_code == 409
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_practice_ignores_a_move_and_gives_feedback(user_client, user, bank):
    attempt = start(user, bank)
    item = attempt.items.get(position=1)
    response = user_client.post(
        url("answer", attempt, 1), {"choice": correct_ids(item), "go": "5"}, **HX
    )
    assert response.status_code == 200
    assert "Question 1 of 10" in response.content.decode()
    assert "Correct." in response.content.decode()


def test_choose_two_with_one_ticked_can_be_left_in_a_simulation(user_client, user):
    exam = bank_build(weights=(100,), per_domain=3, n_choices=5, correct=("A", "C"))
    attempt = start(user, exam, "simulation")
    item = attempt.items.get(position=1)
    one = correct_ids(item)[0]
    response = user_client.post(url("answer", attempt, 1), {"choice": [one], "go": "2"})
    assert response.status_code == 302 and response["Location"] == url("question", attempt, 2)
    item.refresh_from_db()
    assert item.selected == [one] and item.answered_at is None
    html = user_client.get(url("question", attempt, 2)).content.decode()
    assert "saved as incomplete" in html
    assert 'aria-label="Question 1, incomplete"' in html
    html = user_client.get(url("question", attempt, 1)).content.decode()
    checked = html[html.index(f'id="choice-{one}"') :].split(">", 1)[0]
    assert "checked" in checked
    submit_page = user_client.get(url("submit", attempt)).content.decode()
    assert "1</strong> incomplete" in submit_page
    # With htmx the card moves on and says so.
    response = user_client.post(
        url("answer", attempt, 2),
        {"choice": [correct_ids(attempt.items.get(position=2))[0]], "go": "3"},
        **HX,
    )
    assert response.status_code == 200 and "saved as incomplete" in response.content.decode()


def test_refused_choose_two_keeps_the_learners_ticks_without_javascript(user_client, user):
    exam = bank_build(weights=(100,), per_domain=3, n_choices=5, correct=("A", "C"))
    attempt = start(user, exam, "practice", count=3)
    item = attempt.items.get(position=1)
    one = correct_ids(item)[0]
    response = user_client.post(url("answer", attempt, 1), {"choice": [one]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not saved: this question takes exactly two answers and you chose 1." in html
    assert f'value="{one}" id="choice-{one}"' in html
    assert html.count(" checked") == 1 and f'id="choice-{one}" data-key' in html
    checked = html[html.index(f'id="choice-{one}"') :].split(">", 1)[0]
    assert "checked" in checked
    item.refresh_from_db()
    assert item.answered_at is None


def test_question_page_says_under_a_minute_left_without_javascript(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    with mock.patch(
        "django.utils.timezone.now", return_value=attempt.deadline - timedelta(seconds=30)
    ):
        html = user_client.get(url("question", attempt, 1)).content.decode()
    assert "less than a minute left" in html and "0 minutes" not in html


def test_finish_shows_results_and_counts_once(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    answer_all(attempt, correct_ids)
    for _ in range(2):
        response = user_client.post(url("finish", attempt))
        assert response["Location"] == url("results", attempt)
    assert Profile.objects.get(user=user).total_exams_taken == 1
    html = user_client.get(url("results", attempt)).content.decode()
    assert '<span class="score-value">900</span>' in html
    assert 'verdict-pass">Pass</p>' in html
    assert "estimate" in html
    assert "<svg" in html and "Domain 1" in html
    assert url("review", attempt) + "?show=wrong" in html


def test_results_explain_the_scale_of_an_exam_that_does_not_start_at_100(user_client, user):
    exam = bank_build(exam=ExamFactory(score_min=200, score_max=900, pass_mark=750))
    attempt = start(user, exam, "simulation")
    answer_all(attempt, lambda item: [wrong_id(item)])
    finish(attempt)
    html = user_client.get(url("results", attempt)).content.decode()
    assert '<span class="score-value">200</span>' in html
    assert "200 + 700 × points ÷ possible points" in html
    assert 'verdict-fail">Not yet a pass</p>' in html
    # 750 on 200-900 is 550 of 700 points: the pass line sits at 79%.
    assert "the dashed line marks 79%" in html


def test_toasts_for_htmx_and_messages_without(user_client, user, bank):
    attempt = start(user, bank)
    with mock.patch(
        "gamification.services.activity_record", return_value=["Badge earned: First answer"]
    ):
        item = attempt.items.get(position=1)
        response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)}, **HX)
        assert json.loads(response["HX-Trigger"]) == {
            "toast": {"value": ["Badge earned: First answer"]}
        }
        item = attempt.items.get(position=2)
        response = user_client.post(
            url("answer", attempt, 2), {"choice": correct_ids(item)}, follow=True
        )
        assert "Badge earned: First answer" in response.content.decode()
    with mock.patch("gamification.services.attempt_finished", return_value=["Finisher badge"]):
        response = user_client.post(url("finish", attempt), follow=True)
    assert "Finisher badge" in response.content.decode()


def test_results_and_review(user_client, user, bank):
    attempt = start(user, bank)
    answer_all(attempt, lambda item: [wrong_id(item)])
    services.item_flag(attempt_id=attempt.pk, user=user, position=2, flagged=True)
    attempt = finish(attempt)
    html = user_client.get(url("results", attempt)).content.decode()
    assert "0 of 10" in html
    assert "Weakest objectives" in html
    assert f'action="{reverse("exams:start", args=[bank.slug, "drill"])}"' in html
    review = user_client.get(url("review", attempt)).content.decode()
    assert review.count('class="card review-item') == 10
    assert "Explain Q" in review
    flagged = user_client.get(url("review", attempt) + "?show=flagged", **HX).content.decode()
    assert "<html" not in flagged
    assert flagged.count('class="card review-item') == 1


def test_review_filter_swap_carries_the_tab_bar(user_client, user, bank):
    """The htmx swap for a filter includes the tabs, so the current one moves with it."""
    attempt = start(user, bank)
    answer_all(attempt, lambda item: [wrong_id(item)])
    attempt = finish(attempt)
    review_url = url("review", attempt)
    html = user_client.get(review_url + "?show=wrong", **HX).content.decode()
    assert "<html" not in html
    assert re.findall(r'<a id="review-show-\w+" href="[^"]*\?show=(\w+)"', html) == [
        "all",
        "wrong",
        "flagged",
    ]
    current = re.findall(r'<a [^>]*\?show=(\w+)"[^>]*aria-current="page"', html)
    assert current == ["wrong"]
    assert html.count('class="card review-item') == 10
    full = user_client.get(review_url + "?show=flagged").content.decode()
    assert re.findall(r'<a [^>]*\?show=(\w+)"[^>]*aria-current="page"', full) == ["flagged"]
    assert full.count('id="review-entries"') == 1


def test_objective_without_a_title_shows_its_code_alone(user_client, user, bank):
    Objective.objects.filter(domain__exam=bank).update(title="")
    attempt = start(user, bank)
    answer_all(attempt, lambda item: [wrong_id(item)])
    attempt = finish(attempt)
    html = user_client.get(url("results", attempt)).content.decode()
    weakest = html.split('id="weak-heading"')[1].split("</section>")[0]
    assert re.search(r"<li>\d\.\d: \d+ of \d+ \(0%\)</li>", weakest), weakest
    assert " :" not in weakest


def test_short_attempts_say_under_a_minute(user_client, user, bank):
    started = timezone.now() - timedelta(seconds=20)
    attempt = finish(start(user, bank, now=started))
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=started + timedelta(seconds=20))
    results = user_client.get(url("results", attempt)).content.decode()
    assert "<dd>under a minute</dd>" in results
    history = user_client.get(reverse("exams:history")).content.decode()
    assert "<td>under a minute</td>" in history
    assert "0\xa0minutes" not in results + history


def test_open_attempt_just_started_says_less_than_a_minute_ago(user_client, user, bank):
    start(user, bank)
    html = user_client.get(reverse("exams:catalogue")).content.decode()
    assert "started less than a minute ago" in html
    assert "0\xa0minutes" not in html


def test_submit_page_says_less_than_a_minute_left(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=40))
    html = user_client.get(url("submit", attempt)).content.decode()
    assert "<p>Less than a minute left.</p>" in html
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(minutes=25))
    html = user_client.get(url("submit", attempt)).content.decode()
    assert re.search(r"<p>About 2[45]\xa0minutes left\.</p>", html)


def test_review_bookmark_toggle(user_client, user, bank):
    attempt = finish(start(user, bank))
    question_id = attempt.items.get(position=1).question_id
    target = reverse("exams:bookmark", args=[question_id])
    response = user_client.post(target, {"on": "1", "fragment": "review", "next": "/"}, **HX)
    assert response.status_code == 200
    assert "Remove bookmark" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Bookmark.objects.filter(user=user, question_id=question_id).exists()
    response = user_client.post(target, {"on": "0", "next": url("review", attempt)})
    assert response["Location"] == url("review", attempt)
    assert not Bookmark.objects.filter(user=user).exists()
    assert user_client.post(reverse("exams:bookmark", args=[10**9]), {"on": "1"}).status_code == 404


def test_quiz_bookmark_needs_an_answer_in_a_simulation(user_client, user, bank):
    attempt = start(user, bank, "simulation")
    assert user_client.post(url("item_bookmark", attempt, 1), {"on": "1"}).status_code == 409
    item = attempt.items.get(position=1)
    user_client.post(url("answer", attempt, 1), {"choice": [wrong_id(item)]})
    assert user_client.post(url("item_bookmark", attempt, 1), {"on": "1"}).status_code == 302
    assert Bookmark.objects.filter(user=user, question_id=item.question_id).exists()


def test_bookmarks_page_and_practice_set(user_client, user, bank):
    questions = list(Question.objects.filter(exam=bank)[:4])
    for question in questions:
        Bookmark.objects.create(user=user, question=question)
    html = user_client.get(reverse("exams:bookmarks")).content.decode()
    assert bank.code in html and "4 bookmarked" in html
    response = user_client.post(
        reverse("exams:bookmarks_start"), {"exam": bank.slug, "count": "10"}
    )
    attempt = Attempt.objects.get(user=user)
    assert response["Location"] == url("question", attempt, 1)
    assert attempt.question_count == 4
    refused = user_client.post(reverse("exams:bookmarks_start"), {"exam": bank.slug})
    assert refused.status_code == 400
    assert b"Choose how many bookmarked questions" in refused.content
    assert Attempt.objects.filter(user=user).count() == 1


def test_history_newest_first_and_paginated(user_client, user, bank):
    now = timezone.now()
    for days in range(25):
        attempt = start(user, bank, now=now - timedelta(days=days))
        finish(attempt)
    html = user_client.get(reverse("exams:history")).content.decode()
    assert html.count("<tr>") == 21  # header + 20
    assert "Page 1 of 2" in html
    page2 = user_client.get(reverse("exams:history") + "?page=2").content.decode()
    assert page2.count("<tr>") == 6
    assert 'rel="prev"' in page2


def test_nav_links_to_history_and_bookmarks(user_client):
    html = user_client.get(reverse("exams:history")).content.decode()
    assert f'href="{reverse("exams:bookmarks")}"' in html
    assert f'href="{reverse("exams:history")}" aria-current="page"' in html


# Ownership ---------------------------------------------------------------------------------

ATTEMPT_URLS = [
    ("resume", "get", []),
    ("question", "get", [1]),
    ("answer", "post", [1]),
    ("flag", "post", [1]),
    ("item_bookmark", "post", [1]),
    ("clock", "get", []),
    ("submit", "get", []),
    ("finish", "post", []),
    ("abandon", "post", []),
    ("results", "get", []),
    ("review", "get", []),
]


@pytest.mark.parametrize("submitted", [False, True])
@pytest.mark.parametrize(("name", "method", "args"), ATTEMPT_URLS)
def test_another_learner_gets_404_everywhere(client, bank, name, method, args, submitted):
    owner = UserFactory()
    attempt = start(owner, bank, "simulation")
    if submitted:
        finish(attempt)
    item = attempt.items.get(position=1)
    client.force_login(UserFactory())
    data = {"choice": correct_ids(item), "flagged": "1", "on": "1"}
    for headers in ({}, HX):
        call = getattr(client, method)
        response = (
            call(url(name, attempt, *args), data, **headers)
            if method == "post"
            else call(url(name, attempt, *args), **headers)
        )
        assert response.status_code == 404
    attempt.refresh_from_db()
    item.refresh_from_db()
    assert item.answered_at is None and not item.flagged
    assert attempt.status == ("submitted" if submitted else "in_progress")


# Query budgets -----------------------------------------------------------------------------


# One answer POST, htmx (the card comes back) or plain (a redirect), practice or simulation,
# the learner's first answer of the day included, each after the learner opened the question:
# the session and the user; the attempt (locked) with its items, their choices (the next
# question's too, in a simulation), its exam and the profile in one read; the item's write
# (and a simulation's position); in practice the gamification event in three statements (profile,
# day, XP entry) and the spaced-review card upsert (study.services.card_record). The test
# transaction's SAVEPOINT and RELEASE stand for BEGIN and COMMIT.
ANSWER_BUDGET = {"practice": 10, "simulation": 7}


@pytest.fixture
def big_bank():
    return bank_build(per_domain=20)  # 100 questions: room for a 90-question simulation


@pytest.mark.parametrize("mode", ["practice", "simulation"])
def test_query_budget_is_the_same_for_10_and_90_questions(
    client, big_bank, mode, django_assert_max_num_queries
):
    for count in (10, 90):
        user = UserFactory()
        client.force_login(user)
        if mode == "simulation":
            Exam.objects.filter(pk=big_bank.pk).update(question_count=count)
            big_bank.refresh_from_db()
        attempt = start(user, big_bank, mode, count=count)
        assert attempt.question_count == count
        with django_assert_max_num_queries(10):
            assert client.get(url("question", attempt, 2)).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(url("question", attempt, 3), **HX).status_code == 200
        first, second, third = (attempt.items.get(position=p) for p in (1, 2, 3))
        choices = correct_ids(first), [wrong_id(second)], correct_ids(third)
        for position, choice, headers in zip((1, 2, 3), choices, (HX, HX, {}), strict=True):
            if mode == "practice":
                client.get(url("question", attempt, position), **HX)  # where the learner is
            with django_assert_max_num_queries(ANSWER_BUDGET[mode]):
                response = client.post(
                    url("answer", attempt, position), {"choice": choice}, **headers
                )
            assert response.status_code == (302 if position == 3 else 200)
        answer_all_but_first(attempt, answered=(1, 2, 3))
        with django_assert_max_num_queries(45):
            client.post(url("finish", attempt))
        with django_assert_max_num_queries(8):
            assert client.get(url("results", attempt)).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(url("review", attempt)).status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get(reverse("exams:history")).status_code == 200


def test_on_postgresql_the_answers_locked_read_is_prepared_once_per_connection(
    user_client, user, big_bank
):
    """Server-side binding (billings.settings): after a few answers on one connection the
    locked read runs as a prepared statement, planned once instead of on every answer."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    attempt = start(user, big_bank, count=10)

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%FOR UPDATE OF%"],
            )
            return cursor.fetchone()[0]

    assert prepared() == 0
    for item in attempt.items.order_by("position")[:8]:
        response = user_client.post(
            url("answer", attempt, item.position), {"choice": correct_ids(item)}, **HX
        )
        assert response.status_code == 200
    assert prepared() == 1
    assert attempt.items.filter(answered_at__isnull=False).count() == 8


def answer_all_but_first(attempt, answered=(1,)):
    for item in attempt.items.exclude(position__in=answered):
        services.answer_submit(
            attempt_id=attempt.pk,
            user=attempt.user,
            position=item.position,
            choice_ids=[wrong_id(item)],
        )


def test_choice_removed_from_the_bank_mid_attempt_keeps_the_card_working(user_client, user, bank):
    attempt = start(user, bank)
    item = attempt.items.get(position=1)
    wrong = [cid for cid in item.choice_order if cid not in correct_ids(item)]
    Choice.objects.filter(pk=wrong[0]).delete()  # e.g. an edited CSV dropped that letter
    html = user_client.get(url("question", attempt, 1)).content.decode()
    shown = len(item.choice_order) - 1
    labels = [f'<span class="visually-hidden">{letter}.</span>' for letter in "ABCDEF"]
    assert all(label in html for label in labels[:shown])  # letters stay contiguous
    assert labels[shown] not in html
    response = user_client.post(url("answer", attempt, 1), {"choice": correct_ids(item)}, **HX)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.is_correct is True


def test_choose_two_is_said_once_whether_or_not_the_text_says_it(user_client, user):
    exam = bank_build(per_domain=[3, 3, 3, 3, 3], correct=("A", "C"))
    attempt = start(user, exam, count=2)
    first, second = attempt.items.order_by("position")
    Question.objects.filter(pk=first.question_id).update(text="Pick the two safe ones.")
    Question.objects.filter(pk=second.question_id).update(text="Pick two. (Choose TWO.)")
    for position in (1, 2):
        html = user_client.get(url("question", attempt, position)).content.decode()
        assert html.count("Choose TWO") == 1, position


def test_simulation_saves_the_selection_as_it_changes(user_client, user, bank):
    """The page posts ``autosave=1`` on every change: time-up then submits what is on screen."""
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=3)
    page = user_client.get(url("question", attempt, 3)).content.decode()
    assert 'hx-trigger="change"' in page and "autosave" in page
    response = user_client.post(
        url("answer", attempt, 3), {"choice": correct_ids(item), "autosave": "1"}, **HX
    )
    assert response.status_code == 204
    item.refresh_from_db()
    assert item.selected == correct_ids(item) and item.answered_at is not None
    attempt.refresh_from_db()
    assert attempt.current_position == 3  # saving in place does not move the learner
    # Unticking everything takes the answer back.
    assert user_client.post(url("answer", attempt, 3), {"autosave": "1"}, **HX).status_code == 204
    item.refresh_from_db()
    assert item.selected == [] and item.answered_at is None
    user_client.post(
        url("answer", attempt, 3), {"choice": correct_ids(item), "autosave": "1"}, **HX
    )
    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline):
        user_client.get(url("question", attempt, 3))
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.correct_count == 1


def test_practice_pages_do_not_autosave_and_keys_do_not_clash(user_client, user, bank):
    attempt = start(user, bank)
    page = user_client.get(url("question", attempt, 1)).content.decode()
    assert "autosave" not in page
    assert "<kbd>A</kbd>" not in page and "<kbd>0</kbd> for a tenth" in page


def test_history_lists_attempts_in_progress_with_resume(user_client, user, bank):
    attempt = start(user, bank)
    html = user_client.get(reverse("exams:history")).content.decode()
    assert "In progress" in html and reverse("exams:resume", args=[attempt.pk]) in html
