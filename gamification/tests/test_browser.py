"""A learner finishes an attempt in a real browser and sees the toast and their new progress."""

import re

import pytest

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import services as exam_services
from gamification.tests.factories import seed_catalogues
from questions.models import Exam
from questions.tests.factories import QuestionFactory
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_learner_finishes_an_attempt_and_sees_toast_and_dashboard(page, live_server):
    from playwright.sync_api import expect

    seed_catalogues()  # an earlier transactional test may have flushed the seeded data
    security = Exam.objects.get(slug="security")
    for _ in range(3):
        QuestionFactory(exam=security)
    user = UserFactory()
    Profile.objects.filter(user=user).update(daily_goal=1, display_name="Robin")
    # Two questions: answering one is half, so finishing counts (badge, finish XP).
    attempt = exam_services.attempt_start(user=user, exam=security, mode="practice", count=2)
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/")
    expect(page.locator("#streak .dash-big")).to_have_text("0 days")

    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    page.locator("input[name='choice']").first.check()
    page.locator("[data-submit-answer]").click()
    # The answer meets the one-question daily goal: the server says so in an HX-Trigger toast.
    expect(page.locator("#toasts .toast")).to_contain_text("Daily goal met")

    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/submit/")
    page.get_by_role("button", name=re.compile("Submit")).click()
    expect(page.locator("#messages")).to_contain_text("Badge earned: First steps")

    page.get_by_role("link", name="Home", exact=True).click()
    expect(page.locator("#streak .dash-big")).to_have_text("1 day")
    expect(page.locator("#goal .dash-big")).to_have_text("1 of 1")
    expect(page.locator("#recent-badges-heading + .badge-row")).to_contain_text("First steps")
    expect(page.locator("svg.heatmap rect.heat-4")).to_have_count(1)

    page.get_by_role("link", name="Badges", exact=True).click()
    expect(page.get_by_role("heading", name="Earned")).to_be_visible()
    expect(page.locator(".badge-earned")).to_contain_text(["First steps"])
