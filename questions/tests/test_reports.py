"""Learners report problems with questions; staff resolve them; the reporter hears back."""

from datetime import timedelta

import pytest
from django.core import mail
from django.forms.utils import ErrorDict
from django.template import engines
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import services as exams
from gamification.models import UserBadge
from questions import services
from questions.forms import report_form
from questions.models import QuestionReport
from questions.tests.factories import ExamFactory, QuestionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def exam():
    exam = ExamFactory(slug="security")
    QuestionFactory.create_batch(4, exam=exam)
    return exam


def answered_item(user, exam, *, mode="practice", right=True):
    """A practice attempt of the whole bank with its first question answered (via the engine)."""
    attempt = exams.attempt_start(user=user, exam=exam, mode=mode, count=4, now=NOW)
    item = attempt.items.get(position=1)
    key = item.question.choices.get(letter="A").pk
    wrong = item.question.choices.get(letter="B").pk
    exams.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=[key if right else wrong], now=NOW
    )
    item.refresh_from_db()
    return item


def submit(user, item, reason="wrong_key", **kwargs):
    return services.report_submit(
        user=user, question_id=item.question_id, reason=reason, item_id=item.pk, **kwargs
    )


def test_a_report_records_the_revision_the_answer_and_the_attempt(exam, user):
    item = answered_item(user, exam, right=False)

    report = submit(user, item, comment="  B is right, see RFC 1918  ", now=NOW)

    assert report.revision_id == item.revision_id is not None
    assert report.attempt_item_id == item.pk
    assert report.selected == item.selected
    assert report.comment == "B is right, see RFC 1918"
    assert report.status == QuestionReport.Status.OPEN


def test_one_open_report_per_learner_and_question(exam, user):
    item = answered_item(user, exam)
    submit(user, item)

    with pytest.raises(services.ReportDuplicate):
        submit(user, item, reason="wording")
    assert QuestionReport.objects.count() == 1


def test_a_learner_may_report_again_once_staff_answered(exam, user, admin_user):
    item = answered_item(user, exam)
    report = submit(user, item)
    services.report_resolve(report_id=report.pk, staff=admin_user, status="rejected", reply="No")

    submit(user, item, reason="wording")

    assert QuestionReport.objects.filter(user=user).count() == 2


def test_reports_are_limited_per_hour(exam, user):
    questions = QuestionFactory.create_batch(services.REPORTS_PER_HOUR + 1, exam=exam)
    for question in questions[:-1]:
        services.report_submit(user=user, question_id=question.pk, reason="other", now=NOW)

    with pytest.raises(services.ReportRateLimited):
        services.report_submit(user=user, question_id=questions[-1].pk, reason="other", now=NOW)
    later = NOW + timedelta(hours=1, seconds=1)
    services.report_submit(user=user, question_id=questions[-1].pk, reason="other", now=later)


def test_a_question_of_the_open_simulation_cannot_be_reported(exam, user):
    simulation = exams.attempt_start(user=user, exam=exam, mode="simulation", now=NOW)
    item = simulation.items.get(position=1)

    with pytest.raises(services.ReportHeld):
        submit(user, item)
    with pytest.raises(services.ReportHeld):  # nor from the bookmarks page, without the item
        services.report_submit(user=user, question_id=item.question_id, reason="other")

    exams.attempt_finish(attempt_id=simulation.pk, user=user, now=NOW)
    submit(user, item)


def test_another_learners_item_is_not_found(exam, user, other):
    item = answered_item(other, exam)

    with pytest.raises(item.DoesNotExist):
        submit(user, item)


def test_three_learners_flag_a_question_and_a_held_exam_keeps_it_out_of_simulations(exam):
    learners = UserFactory.create_batch(3)
    question = exam.questions.first()
    for number, user in enumerate(learners, start=1):
        services.report_submit(user=user, question_id=question.pk, reason="wrong_key")
        question.refresh_from_db()
        assert question.needs_review is (number >= 3)

    exam.hold_for_review = True
    exam.save()
    simulation = exams.attempt_start(user=learners[0], exam=exam, mode="simulation")
    drawn = set(simulation.items.values_list("question_id", flat=True))
    assert question.pk not in drawn and len(drawn) == 3
    practice = exams.attempt_start(user=learners[1], exam=exam, mode="practice", count=4)
    assert question.pk in set(practice.items.values_list("question_id", flat=True))


def test_resolving_tells_the_reporter_awards_the_badge_and_emails_on_request(
    exam, user, admin_user, django_capture_on_commit_callbacks
):
    user.profile.email_report_replies = True
    user.profile.save()
    report = submit(user, answered_item(user, exam))

    with django_capture_on_commit_callbacks(execute=True):
        _, changed = services.report_resolve(
            report_id=report.pk, staff=admin_user, status="fixed", reply="Key corrected to B."
        )

    assert changed
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.staff_reply) == (
        "fixed",
        admin_user,
        "Key corrected to B.",
    )
    user.profile.refresh_from_db()
    assert user.profile.report_replies_unseen == 1
    assert UserBadge.objects.filter(user=user, badge__slug="bug-hunter").exists()
    assert len(mail.outbox) == 1 and "Key corrected to B." in mail.outbox[0].body
    # Acting again on a closed report changes nothing and says so.
    assert (
        services.report_resolve(report_id=report.pk, staff=admin_user, status="rejected")[1]
        is False
    )


def test_a_rejected_report_earns_no_badge_and_no_email_without_opt_in(exam, user, admin_user):
    report = submit(user, answered_item(user, exam))

    services.report_resolve(report_id=report.pk, staff=admin_user, status="rejected", reply="No")

    assert not UserBadge.objects.filter(user=user, badge__slug="bug-hunter").exists()
    assert mail.outbox == []


# Views: with and without JavaScript ---------------------------------------------------------


def test_report_without_javascript_redirects_back_with_a_message(exam, user, client):
    client.force_login(user)
    item = answered_item(user, exam)
    back = reverse("exams:bookmarks")
    url = reverse("questions:report", args=[item.question_id])

    response = client.post(url, {"reason": "wording", "item": item.pk, "next": back}, follow=True)

    assert response.redirect_chain[-1][0] == back
    assert "your report is with staff" in response.content.decode()
    assert QuestionReport.objects.filter(user=user, attempt_item=item).exists()


def test_report_with_htmx_swaps_the_form_for_thanks(exam, user, client, htmx_headers):
    client.force_login(user)
    item = answered_item(user, exam)
    url = reverse("questions:report", args=[item.question_id])

    response = client.post(url, {"reason": "wording", "item": item.pk}, **htmx_headers)

    html = response.content.decode()
    assert response.status_code == 200 and 'role="status"' in html
    assert "<html" not in html and "your report is with staff" in html


def test_an_invalid_report_shows_the_form_again_with_a_422(exam, user, client, htmx_headers):
    client.force_login(user)
    item = answered_item(user, exam)
    url = reverse("questions:report", args=[item.question_id])

    plain = client.post(url, {"item": item.pk})
    swapped = client.post(url, {"item": item.pk}, **htmx_headers)

    assert plain.status_code == swapped.status_code == 422
    assert "<html" in plain.content.decode() and "<html" not in swapped.content.decode()
    assert "This field is required" in swapped.content.decode()
    assert not QuestionReport.objects.exists()


def test_a_duplicate_is_a_409_with_the_reason(exam, user, client, htmx_headers):
    client.force_login(user)
    item = answered_item(user, exam)
    url = reverse("questions:report", args=[item.question_id])
    client.post(url, {"reason": "wording", "item": item.pk})

    plain = client.post(url, {"reason": "wording", "item": item.pk})
    swapped = client.post(url, {"reason": "wording", "item": item.pk}, **htmx_headers)

    assert plain.status_code == swapped.status_code == 409
    assert "already reported" in plain.content.decode()
    assert "already reported" in swapped.headers["HX-Trigger"]


def test_the_feedback_card_review_and_bookmarks_offer_the_control(exam, user, client):
    client.force_login(user)
    item = answered_item(user, exam)
    report_url = reverse("questions:report", args=[item.question_id])
    exams.bookmark_set(user=user, question_id=item.question_id, on=True)
    card = client.get(reverse("exams:question", args=[item.attempt_id, 1])).content.decode()
    unanswered = client.get(reverse("exams:question", args=[item.attempt_id, 2])).content.decode()
    exams.attempt_finish(attempt_id=item.attempt_id, user=user)
    review = client.get(reverse("exams:review", args=[item.attempt_id])).content.decode()
    bookmarks = client.get(reverse("exams:bookmarks")).content.decode()

    for page in (card, review, bookmarks):
        assert f'action="{report_url}"' in page
    assert "Report a problem" not in unanswered


def test_a_simulation_card_offers_no_control(exam, user, client):
    client.force_login(user)
    simulation = exams.attempt_start(user=user, exam=exam, mode="simulation")
    item = simulation.items.get(position=1)
    exams.answer_submit(
        attempt_id=simulation.pk, user=user, position=1, choice_ids=item.choice_order[:1]
    )

    page = client.get(reverse("exams:question", args=[simulation.pk, 1])).content.decode()

    assert "Report a problem" not in page


def test_the_dashboard_tells_of_replies_until_the_reports_page_is_opened(
    exam, user, admin_user, client
):
    client.force_login(user)
    report = submit(user, answered_item(user, exam))
    services.report_resolve(report_id=report.pk, staff=admin_user, status="fixed", reply="Thanks!")

    dashboard = client.get(reverse("gamification:dashboard")).content.decode()
    reports = client.get(reverse("questions:reports")).content.decode()
    again = client.get(reverse("gamification:dashboard")).content.decode()

    assert "Staff answered 1 of the problems you reported" in dashboard
    assert "Thanks!" in reports and "Fixed" in reports
    assert "Staff answered" not in again


@pytest.mark.parametrize(
    ("item_id", "next_url"), [(7, "/exams/1/review/?only=wrong&page=2"), (None, "")]
)
def test_the_blank_form_written_out_is_the_html_the_widgets_render(item_id, next_url):
    # The blank form (feedback card, review, bookmarks) is written out in the template; the
    # form shown again with its values goes through Django's widgets. Without errors, the two
    # must be the same HTML: a reason or label added to the form shows in both.
    blank = report_form(question_id=5, item_id=item_id, next_url=next_url)
    through_widgets = report_form(question_id=5, item_id=item_id, next_url=next_url)
    through_widgets.is_bound, through_widgets._errors = True, ErrorDict()
    through_widgets.data = {
        key: str(value) for key, value in blank.initial.items() if value is not None
    }
    template = engines["django"].get_template("questions/_report.html#form")

    html = [template.render({"form": form, "question_id": 5}) for form in (blank, through_widgets)]

    assert "{{" not in html[0] and 'name="reason" value="other"' in html[0]
    assert parse_html(html[0]) == parse_html(html[1])
