"""The quality loop in a real Chromium: a learner reports problems (with and without
JavaScript), staff fix the question in the admin with a reply, the learner reads it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from exams import services
from exams.tests.factories import attempt_finished, bank_build
from questions.models import Question, QuestionReport
from tests.browser import sign_in, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "B is the right answer: SSH listens on port 22."


def report_on(scope, *, reason, comment=""):
    """Open the "Report a problem" control inside ``scope`` and send it."""
    scope.get_by_text("Report a problem").click()
    scope.get_by_label(reason).check()
    if comment:
        scope.get_by_label("Anything staff should know (optional)").fill(comment)
    scope.get_by_role("button", name="Send report").click()


def test_a_learner_reports_staff_fix_the_question_the_learner_reads_the_reply(
    page, page_without_js, browser, client, live_server
):
    problems = watch_console(page)
    learner = UserFactory()
    exam = bank_build(weights=(100,), per_domain=2)
    base = live_server.url

    # 1. On the practice feedback card, with JavaScript: the form is swapped for thanks.
    practice = services.attempt_start(user=learner, exam=exam, mode="practice", count=2)
    first = practice.items.select_related("question").get(position=1)
    sign_in(page, live_server, learner)
    page.goto(f"{base}/exams/attempts/{practice.pk}/q/1/")
    card = page.locator("#card")
    card.locator("input[data-key='1']").check()
    card.locator("[data-submit-answer]").click()
    card.locator(".feedback").get_by_role("heading").wait_for()
    report_on(card, reason="Wrong answer key", comment=COMMENT)
    expect(card.locator(".report-sent")).to_have_role("status")
    expect(card.locator(".report-sent")).to_contain_text("your report is with staff")
    assert page.url.endswith(f"/exams/attempts/{practice.pk}/q/1/")  # no reload
    by_card = QuestionReport.objects.get(user=learner, question=first.question)
    assert (by_card.reason, by_card.comment, by_card.attempt_item_id) == (
        "wrong_key",
        COMMENT,
        first.pk,
    )
    assert problems == []

    # 2. On the review page, without JavaScript: a full page post and a redirect back.
    done = attempt_finished(
        services.attempt_start(user=learner, exam=exam, mode="practice", count=2)
    )
    other = done.items.exclude(question=first.question).select_related("question").get()
    nojs = page_without_js
    sign_in(nojs, live_server, learner)
    review = f"{base}/exams/attempts/{done.pk}/review/"
    nojs.goto(review)
    entry = nojs.locator("li.card").filter(has=nojs.locator(f"#report-{other.question_id}"))
    report_on(entry, reason="Typo or wording")
    nojs.wait_for_url(review)
    expect(nojs.get_by_text("Thank you: your report is with staff.")).to_be_visible()
    assert QuestionReport.objects.filter(
        user=learner, question=other.question, attempt_item=other, reason="wording"
    ).exists()

    # 3. Staff sign in to the admin and fix the question, then reply to both reports.
    staff = UserFactory(is_staff=True, is_superuser=True, verified=True)
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(f"{base}/admin/")  # the admin sends staff to the site's sign-in, then back
    admin.get_by_label("Email").fill(staff.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.get_by_role("link", name="Question reports").click()
    admin.get_by_role("link", name="Wrong answer key").first.wait_for()
    admin.locator("#changelist").get_by_role("link", name=first.question.external_id).click()
    expect(admin.get_by_text(COMMENT)).to_be_visible()
    admin.get_by_role("link", name="edit the question").click()
    key = admin.locator("input[name$='-is_correct']")
    key.nth(0).uncheck()  # the key moves from A to B
    key.nth(1).check()
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("Saved as revision 2")).to_be_visible()
    admin.goto(f"{base}/admin/questions/questionreport/")
    admin.locator("#action-toggle").check()
    admin.locator("select[name=action]").select_option("fix")
    admin.get_by_role("button", name="Run").click()
    admin.get_by_label("Reply to the learner(s)").fill("Thank you: fixed in revision 2.")
    admin.get_by_role("button", name="Fixed with this reply").click()
    expect(admin.get_by_text("Fixed 2 report(s); the learners are told.")).to_be_visible()
    admin.context.close()
    assert Question.objects.get(pk=first.question_id).revision_number == 2

    # 4. The learner sees the notice on the dashboard and reads the reply.
    page.goto(f"{base}/")
    notice = page.get_by_role("status").filter(has_text="Staff answered 2 of the problems")
    expect(notice).to_be_visible()
    notice.get_by_role("link", name="Read the replies").click()
    page.wait_for_url(re.compile(r"/bank/reports/$"))
    expect(page.get_by_role("heading", name="Your reports", level=1)).to_be_visible()
    expect(page.locator(".report-reply").first).to_have_text("Thank you: fixed in revision 2.")
    assert page.locator(".report-fixed").count() == 2
    page.goto(f"{base}/")
    expect(page.get_by_text("Staff answered")).to_have_count(0)
    assert problems == []


def test_the_report_queue_fits_a_1280_pixel_screen(browser, live_server):
    """Every column of the staff's queue, the last one included, is on screen at 1280 px."""
    from questions.tests.factories import QuestionFactory
    from questions.tests.test_report_admin import report

    exam = bank_build(per_domain=1)
    staff = UserFactory(is_staff=True, is_superuser=True, verified=True)
    for question in QuestionFactory.create_batch(3, exam=exam):
        report(question, comment="The key says B but the explanation argues for C. " * 3)
    QuestionReport.objects.filter(pk=QuestionReport.objects.first().pk).update(
        status=QuestionReport.Status.REJECTED, handled_by=staff, handled_at=timezone.now()
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = watch_console(page)
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/questions/questionreport/")
    expect(page.locator("#result_list thead th").last).to_have_text("Handled by")
    # The table neither overflows its scrolling box nor runs under the filters beside it.
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    table = page.locator("#result_list").bounding_box()
    filters = page.locator("#changelist-filter").bounding_box()
    assert table["x"] + table["width"] <= filters["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert problems == []
    page.context.close()
