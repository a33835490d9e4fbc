"""The quiz in a real Chromium against the live server: keyboard, htmx swaps, countdown."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt
from exams.tests.factories import bank_build
from questions.models import Exam
from tests.browser import sign_in, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, name, limit=60):
    """Press Tab until the focused element's text is ``name`` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement && document.activeElement.textContent")
        if text and text.strip() == name:
            return
    raise AssertionError(f"could not tab to {name!r}")


def simulation_open(page, client, live_server, *, questions=3, seconds_left=None):
    """A learner signed in on question 1 of a new ``questions``-question simulation."""
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=questions)
    Exam.objects.filter(pk=exam.pk).update(question_count=questions)
    attempt = services.attempt_start(user=user, exam=exam, mode="simulation")
    if seconds_left is not None:
        deadline = timezone.now() + timedelta(seconds=seconds_left)
        Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    return user, attempt


def test_practice_set_by_keyboard_only(page, client, live_server):
    problems = watch_console(page)
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=3)
    attempt = services.attempt_start(
        user=user, exam=exam, mode="practice", count=3, rng=random.Random(5)
    )
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    assert page.locator(".keys").get_by_text("next").is_visible()

    for position in (1, 2, 3):
        card = page.locator("#card")
        heading = card.get_by_role("heading", name=f"Question {position} of 3")
        expect(heading).to_be_visible()
        if position > 1:  # the swapped-in card is live (htmx has processed it) once focused
            expect(heading).to_be_focused()
        page.keyboard.press("2")  # the second option, by number
        expect(card.locator("input[data-key='2']")).to_be_checked()
        page.keyboard.press("Enter")
        feedback = card.locator(".feedback")
        feedback.get_by_role("heading").wait_for()
        assert re.search(r"Correct\.|Not quite", feedback.inner_text())
        assert feedback.locator(".explanations li").count() == 4  # every option explained
        expect(page.locator("#quiz-announce")).to_have_text(re.compile("Correct|Not quite"))
        assert page.evaluate("document.activeElement.closest('.feedback') !== null")
        if position < 3:
            page.evaluate("document.getElementById('quiz-announce').textContent = ''")
            page.keyboard.press("n")
            page.wait_for_url(re.compile(rf"/q/{position + 1}/$"))

    page.go_back()  # the URL kept in step: back shows question 2 with its feedback
    page.wait_for_url(re.compile(r"/q/2/$"))
    page.locator("#card .feedback h3").wait_for()
    page.go_forward()
    page.wait_for_url(re.compile(r"/q/3/$"))
    page.locator("#card").wait_for()

    tab_to(page, "Finish")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/submit/$"))
    tab_to(page, "Submit and see results")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/results/$"))
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    score = page.locator("dt", has_text="Correct").locator("xpath=following-sibling::dd")
    expect(score).to_have_text(f"{attempt.correct_count} of 3 ({attempt.percent}%)")
    assert attempt.items.filter(answered_at__isnull=False).count() == 3
    assert problems == []


def test_simulation_flag_navigate_change_submit_review(page, client, live_server):
    problems = watch_console(page)
    user = UserFactory()
    exam = bank_build(weights=(60, 40), per_domain=5)
    Exam.objects.filter(pk=exam.pk).update(question_count=5, time_limit_minutes=30)
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/exams/")
    page.locator(f"#exam-{exam.slug}").get_by_text("Exam simulation").click()
    page.locator(f"#exam-{exam.slug}").get_by_role("button", name="Start the simulation").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    attempt = Attempt.objects.get(user=user)
    assert re.fullmatch(r"\d+:\d\d", page.locator("[data-countdown-text]").inner_text())

    card = page.locator("#card")
    card.locator("input[data-key='1']").check()
    card.get_by_role("button", name=re.compile("Save answer")).click()
    page.wait_for_url(re.compile(r"/q/2/$"))
    expect(card.get_by_text("Answer to question 1 saved.")).to_be_visible()
    expect(card.get_by_role("heading", name="Question 2 of 5")).to_be_focused()

    page.keyboard.press("f")  # flag question 2
    card.locator("button[data-flag][aria-pressed='true']").wait_for()
    # htmx wires up swapped-in content a moment after it appears; the quiz script then moves
    # focus to the heading. Keys pressed before that would send plain (full-page) forms.
    expect(card.get_by_role("heading", name="Question 2 of 5")).to_be_focused()
    navigator = card.locator(".navigator")
    assert "nav-flagged" in navigator.locator(".nav-cell").nth(1).get_attribute("class")
    assert "nav-answered" in navigator.locator(".nav-cell").nth(0).get_attribute("class")

    # Choosing and moving on (N, without pressing Save) keeps the choice.
    sent = []  # the requests, to say what happened if this fails
    page.on("request", lambda r: sent.append((r.method, r.url, r.post_data)))
    page.keyboard.press("2")
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/q/3/$"))
    expect(card.get_by_role("heading", name="Question 3 of 5")).to_be_visible()
    expect(navigator.get_by_role("button", name="Question 2, answered, flagged")).to_be_visible()
    item2 = attempt.items.get(position=2)
    assert item2.selected == [item2.choice_order[1]], sent

    navigator.get_by_role("button", name="Question 1, answered").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    expect(card.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    expect(card.locator("input[data-key='1']")).to_be_checked()
    card.locator("input[data-key='3']").check()  # change the answer
    card.get_by_role("button", name=re.compile("Change answer")).click()
    page.wait_for_url(re.compile(r"/q/2/$"))
    expect(card.get_by_role("heading", name="Question 2 of 5")).to_be_visible()
    item = attempt.items.get(position=1)
    assert item.selected == [item.choice_order[2]]

    html = page.content()
    assert "Explain Q" not in html and "choice-correct" not in html

    page.get_by_role("button", name="Review and submit").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    body = page.locator("main").inner_text()
    assert "3 unanswered" in body and "1 flagged" in body
    page.get_by_role("button", name="Submit the exam").click()
    page.wait_for_url(re.compile(r"/results/$"))
    assert page.get_by_text("estimated scaled score").is_visible()
    assert page.locator(".domain-chart rect.bar").count() == 2
    assert page.get_by_text(re.compile("Pass|Not yet a pass")).first.is_visible()

    page.get_by_role("link", name="Review all").click()
    page.wait_for_url(re.compile(r"/review/$"))
    assert page.locator(".review-item").count() == 5
    assert "Explain Q" in page.content()
    page.locator(".review-filters").get_by_role("link", name="Flagged").click()
    page.wait_for_url(re.compile(r"show=flagged"))
    expect(page.locator(".review-item")).to_have_count(1)
    tabs = page.locator(".review-filters")
    expect(tabs.locator("[aria-current='page']")).to_have_text("Flagged")
    expect(tabs.get_by_role("link", name="Flagged")).to_be_focused()
    page.locator(".review-item").get_by_role("button", name="Bookmark").click()
    page.locator(".review-item").get_by_role("button", name="Remove bookmark").wait_for()
    assert user.bookmarks.count() == 1
    assert problems == []


def test_a_second_learner_is_refused(page, client, live_server):
    owner = UserFactory()
    exam = bank_build(weights=(100,), per_domain=3)
    attempt = services.attempt_start(user=owner, exam=exam, mode="practice", count=3)
    sign_in(page, live_server, UserFactory())
    response = page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    assert response.status == 404
    assert "Question 1 of 3" not in page.content()


def test_countdown_announces_ten_and_five_minutes_and_can_be_hidden(page, client, live_server):
    problems = watch_console(page)
    user = UserFactory()
    user.profile.hide_countdown = True
    user.profile.save(update_fields=["hide_countdown"])
    exam = bank_build(weights=(100,), per_domain=3)
    Exam.objects.filter(pk=exam.pk).update(question_count=3)
    attempt = services.attempt_start(user=user, exam=exam, mode="simulation")
    # 10 minutes and 3 seconds left.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(minutes=10, seconds=3)
    )
    sign_in(page, live_server, user)
    page.clock.install()
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_hidden()  # the learner's choice
    toggle = page.get_by_role("button", name="Show time left")
    toggle.click()
    expect(countdown).to_be_visible()
    expect(page.locator("[data-countdown-text]")).to_have_text(re.compile(r"^10:0\d$"))
    page.clock.run_for(6_000)
    expect(page.locator("#quiz-announce")).to_have_text("10 minutes left.")
    # The countdown trusts the server: it re-syncs every minute from the clock endpoint.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(minutes=5, seconds=8)
    )
    page.clock.run_for(60_000)
    expect(page.locator("[data-countdown-text]")).to_have_text(re.compile(r"^5:0\d$"))
    page.clock.run_for(10_000)
    expect(page.locator("#quiz-announce")).to_have_text("5 minutes left.")
    expect(page.locator("[data-countdown-text]")).to_have_text(re.compile(r"^4:5\d$"))
    assert problems == []


def test_simulation_without_javascript_saves_on_every_move(page_without_js, client, live_server):
    page = page_without_js
    user = UserFactory()
    exam = bank_build(weights=(60, 40), per_domain=5)
    Exam.objects.filter(pk=exam.pk).update(question_count=4, time_limit_minutes=30)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/{exam.slug}/start/simulation/")
    page.get_by_role("button", name="Start the simulation").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    attempt = Attempt.objects.get(user=user)

    page.locator("input[data-key='2']").check()
    page.get_by_role("button", name="Next").click()  # no Save pressed
    page.wait_for_url(re.compile(r"/q/2/$"))
    expect(page.get_by_text("Answer to question 1 saved.")).to_be_visible()
    page.get_by_role("button", name="Question 4, unanswered").click()  # nothing chosen: just move
    page.wait_for_url(re.compile(r"/q/4/$"))
    page.locator("input[data-key='3']").check()
    page.get_by_role("button", name="Previous").click()
    page.wait_for_url(re.compile(r"/q/3/$"))
    page.get_by_role("button", name="Question 1, answered").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    expect(page.locator("input[data-key='2']")).to_be_checked()

    items = {item.position: item for item in attempt.items.all()}
    assert items[1].selected == [items[1].choice_order[1]]
    assert items[2].answered_at is None
    assert items[4].selected == [items[4].choice_order[2]]

    page.get_by_role("button", name="Review and submit").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert "2 unanswered" in page.locator("main").inner_text()
    page.get_by_role("button", name="Submit the exam").click()
    page.wait_for_url(re.compile(r"/results/$"))


def test_typing_a_custom_length_chooses_custom(page, client, live_server):
    user = UserFactory()
    exam = bank_build(per_domain=5)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/{exam.slug}/start/practice/")
    page.get_by_label("Custom length").fill("15")
    expect(page.locator("input[name='length'][value='custom']")).to_be_checked()
    page.get_by_role("button", name="Start practice").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    assert Attempt.objects.get(user=user).question_count == 15


def test_time_left_shows_and_hides_without_javascript(page_without_js, client, live_server):
    """Without the quiz script the page shows the time left as of its loading, and the toggle
    is a plain form whose choice the server keeps."""
    page = page_without_js
    user, _ = simulation_open(page, client, live_server)
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_visible()
    expect(page.locator("[data-countdown-text]")).to_have_text(re.compile(r"minutes? left"))
    page.get_by_role("button", name="Hide time left").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    expect(countdown).to_be_hidden()
    user.profile.refresh_from_db()
    assert user.profile.hide_countdown is True
    page.get_by_role("button", name="Show time left").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    expect(countdown).to_be_visible()


@pytest.mark.parametrize("width", [390, 320])
def test_history_and_results_fit_a_phone(page, client, live_server, width):
    user = UserFactory()
    exam = bank_build(weights=(60, 40), per_domain=3)
    for _ in range(4):
        attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=3)
        services.attempt_finish(attempt_id=attempt.pk, user=user)
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": width, "height": 844})
    for path in ("/exams/history/", f"/exams/attempts/{attempt.pk}/results/", "/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width}px ({scroll_width}px)"
    page.goto(live_server.url + "/exams/history/")
    expect(page.get_by_role("link", name=re.compile("^Results of ")).first).to_be_visible()
