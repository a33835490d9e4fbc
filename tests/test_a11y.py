"""Accessibility in a real Chromium: axe-core on every page type.

The keyboard-only practice attempt is exams/tests/test_browser.py
(test_practice_set_by_keyboard_only); it is not repeated here.

axe-core comes from the npm registry, pinned in tests/a11y/package.json and package-lock.json;
install it with ``npm ci --prefix tests/a11y`` (CI does this in .ci/run).
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.factories import ExamFactory, attempt_finished, bank_build
from questions.services import report_resolve, report_submit
from tests.browser import sign_in
from tests.conftest import attempt_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_path():
    if not AXE.is_file():
        message = f"axe-core is not installed ({AXE}): run `npm ci --prefix tests/a11y`."
        if os.environ.get("BILLINGS_REQUIRE_BROWSER"):
            pytest.fail(message + " (BILLINGS_REQUIRE_BROWSER is set, so this is an error.)")
        pytest.skip(message)
    return AXE


@pytest.fixture
def axe_context(browser):
    """A browser context that ignores the page's CSP, for the axe tests only.

    The site's CSP (script-src 'self' + nonce) rightly blocks the script Playwright injects;
    bypass_csp lets axe in. Everywhere else (the other browser tests) the CSP stays enforced.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context
    context.close()


def axe_violations(page, axe_path):
    page.add_script_tag(path=str(axe_path))
    results = page.evaluate(
        """async () => await axe.run(document, {
            resultTypes: ["violations"],
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "best-practice"]}
        })"""
    )
    assert results["testEngine"]["name"] == "axe-core", results.get("testEngine")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(where, violations):
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} :: {node['target']}")
            lines.append(f"    {node['html'][:200]}")
    return "\n".join(lines)


def check(page, axe_path, where, url):
    response = page.goto(url)
    assert response.status < 400, (where, url, response.status)
    page.wait_for_load_state("networkidle")
    return describe(where, axe_violations(page, axe_path))


def test_no_serious_or_critical_axe_violations(axe_context, axe_path, live_server):
    # Eight questions, four in the simulation; practice started after it gets the other four.
    exam = bank_build(exam=ExamFactory(question_count=4), weights=(60, 40), questions=8)
    user = UserFactory()
    profile = user.profile
    profile.display_name = "Ada"
    profile.bio = "Studying for Security+."
    profile.confidence_on = True  # the confidence choice on the question page
    profile.target_exam = exam  # the study plan on the dashboard
    profile.save()
    done = attempt_finished(
        attempt_start(user, exam, "practice"),
        lambda item: [item.choice_order[item.position % 2]],
    )
    # Two reports from the review (before the simulation holds half the bank): one answered
    # by staff, one still open.
    reviewed = list(done.items.order_by("position")[:2])
    for item in reviewed:
        report_submit(user=user, question_id=item.question_id, reason="wording", item_id=item.pk)
    staff = UserFactory(is_staff=True)
    report_resolve(
        report_id=user.question_reports.filter(question_id=reviewed[0].question_id).get().pk,
        staff=staff,
        status="fixed",
        reply="Reworded, thank you.",
    )

    simulation = attempt_start(user, exam, "simulation")
    services.item_flag(attempt_id=simulation.pk, user=user, position=2, flagged=True)
    practice = attempt_start(user, exam, "practice")
    answered = attempt_start(user, exam, "practice")
    first = answered.items.get(position=1)
    services.answer_submit(
        attempt_id=answered.pk, user=user, position=1, choice_ids=first.choice_order[:1]
    )

    page = axe_context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    problems = []
    anonymous = {
        "home": reverse("home"),
        "signup": reverse("account_signup"),
        "login": reverse("account_login"),
        "catalogue": reverse("exams:catalogue"),
    }
    for where, path in anonymous.items():
        problems.append(check(page, axe_path, where, base + path))
    sign_in(axe_context, live_server, user)
    signed_in = {
        "dashboard": reverse("home"),
        "catalogue (signed in)": reverse("exams:catalogue"),
        "start practice": reverse("exams:start", args=[exam.slug, "practice"]),
        "question (practice)": reverse("exams:question", args=[practice.pk, 1]),
        "question (practice feedback)": reverse("exams:question", args=[answered.pk, 1]),
        "question (simulation)": reverse("exams:question", args=[simulation.pk, 1]),
        "submit step": reverse("exams:submit", args=[simulation.pk]),
        "results": reverse("exams:results", args=[done.pk]),
        "review": reverse("exams:review", args=[done.pk]),
        "history": reverse("exams:history"),
        "bookmarks": reverse("exams:bookmarks"),
        "badges": reverse("gamification:badges"),
        "leaderboard": reverse("gamification:leaderboard"),
        "avatar": reverse("gamification:avatar"),
        "spaced review": reverse("study:review"),
        "build a set": reverse("study:build", args=[exam.slug])
        + "?check=1&pool=all&count=5&feedback=now",
        "question of the day": reverse("study:daily", args=[exam.slug]),
        "profile": reverse("accounts:profile"),
        "profile edit": reverse("accounts:profile_edit"),
        "account menu": reverse("accounts:account"),
        "email addresses": reverse("account_email"),
        "password change": reverse("account_change_password"),
        "two-factor": reverse("mfa_index"),
        "sessions": reverse("usersessions_list"),
        "delete account": reverse("accounts:delete"),
        "report a problem": reverse("questions:report", args=[first.question_id])
        + f"?item={first.pk}",
        "your reports": reverse("questions:reports"),
    }
    for where, path in signed_in.items():
        problems.append(check(page, axe_path, where, base + path))
    # A page after an htmx swap: the practice card with its feedback, swapped in place.
    # A question without the learner's open report: a second report would be refused (409).
    fresh = next(
        item.position
        for item in practice.items.order_by("position")
        if item.question_id != reviewed[1].question_id
    )
    page.goto(base + reverse("exams:question", args=[practice.pk, fresh]))
    page.locator("#card input[name=choice]").first.check()
    page.locator("[data-submit-answer]").click()
    page.locator(".feedback-result").wait_for()
    problems.append(describe("question after htmx answer", axe_violations(page, axe_path)))
    # The "Report a problem" control opened on that card, then sent (swapped for thanks).
    page.locator("#card .report-problem summary").click()
    problems.append(describe("report control open", axe_violations(page, axe_path)))
    page.locator("#card .report-problem input[name=reason]").first.check()
    page.locator("#card .report-problem button[type=submit]").click()
    page.locator("#card .report-sent").wait_for()
    problems.append(describe("report sent", axe_violations(page, axe_path)))
    report = "\n".join(p for p in problems if p)
    assert not report, "serious or critical accessibility violations:\n" + report
