"""Spaced review and the smart builder in a real Chromium against the live server."""

import random
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.factories import bank_build, correct_ids, wrong_id
from tests.browser import sign_in, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REAL_NOW = timezone.now


def test_a_miss_comes_back_due_is_reviewed_and_the_count_drops(page, live_server):
    problems = watch_console(page)
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=3)
    attempt = services.attempt_start(
        user=user, exam=exam, mode="practice", count=1, rng=random.Random(2)
    )
    item = attempt.items.get()
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    wrong = wrong_id(item)
    page.locator(f"#choice-{wrong}").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".feedback-wrong")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.locator("#nav-review-due")).to_have_text("0")  # back tomorrow, not today

    tomorrow = REAL_NOW() + timedelta(days=1, hours=1)
    with mock.patch("django.utils.timezone.now", lambda: tomorrow):
        page.goto(f"{live_server.url}/")
        expect(page.locator("#nav-review-due")).to_have_text("1")
        expect(page.locator("#dash-review-due")).to_have_text("1")
        page.locator("#nav-review-due").click()
        expect(page.locator("#review-due")).to_have_text("1 question")
        page.get_by_role("button", name="Start review").click()
        expect(page.get_by_text("Question 1 of 1")).to_be_visible()
        right = correct_ids(item)[0]
        page.locator(f"#choice-{right}").check()
        page.get_by_role("button", name="Check answer").click()
        expect(page.locator(".feedback-right")).to_be_visible()
        page.goto(f"{live_server.url}/study/review/")
        expect(page.locator("#nav-review-due")).to_have_text("0")
        expect(page.locator("#review-due")).to_have_text("0 questions")
    assert problems == []


def test_a_custom_set_from_missed_and_from_the_weakest_objective(page, live_server):
    problems = watch_console(page)
    user = UserFactory()
    exam = bank_build(weights=(50, 50), per_domain=4, objectives_per_domain=2)
    attempt = services.attempt_start(
        user=user, exam=exam, mode="practice", count=8, rng=random.Random(4)
    )
    missed = set()
    for item in attempt.items.select_related("question__objective"):
        weak = item.question.objective.code == "2.1"
        services.answer_submit(
            attempt_id=attempt.pk,
            user=user,
            position=item.position,
            choice_ids=[wrong_id(item)] if weak else correct_ids(item),
        )
        if weak:
            missed.add(item.question_id)
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/study/{exam.slug}/build/")
    page.get_by_label("Questions I missed in my last attempts").check()
    expect(page.locator("#match-count")).to_have_text("2 questions match.")  # htmx, on change
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text(re.compile(r"Question 1 of 2"))).to_be_visible()

    page.goto(f"{live_server.url}/study/{exam.slug}/build/")
    page.get_by_label("My weakest objectives").check()
    page.get_by_label("How many weakest objectives").fill("1")
    page.get_by_role("button", name="Check").click()  # the no-JavaScript path works too
    expect(page.locator("#match-count")).to_have_text("2 questions match.")
    page.get_by_label("Questions", exact=True).fill("5")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text(re.compile(r"Question 1 of 2"))).to_be_visible()
    expect(page.get_by_text("Objective 2.1")).to_be_visible()
    assert problems == []
