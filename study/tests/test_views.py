"""The study pages through the client: review, builder, presets, question of the day, results,
dashboard, with and without htmx, and their query budgets."""

from datetime import UTC, date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt
from exams.tests.factories import attempt_finished, bank_build, correct_ids, wrong_id
from study.models import Card
from study.tests.factories import CardFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bank():
    return bank_build(per_domain=6)


@pytest.fixture
def learner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def cards_for(user, questions, *, due):
    Card.objects.bulk_create(
        CardFactory.build(
            user=user,
            question=q,
            state=2,
            stability=1.0,
            difficulty=5.0,
            due=due,
            last_review=due - timedelta(days=1),
            last_rating=1,
            reps=1,
            misses=1,
        )
        for q in questions
    )


def test_review_page_counts_due_and_starts_a_session(client, learner, bank):
    cards_for(learner, bank.questions.all()[:3], due=timezone.now() - timedelta(hours=1))
    page = client.get(reverse("study:review"))
    assert page.status_code == 200
    assert 'id="nav-review-due">3<' in page.content.decode()
    response = client.post(reverse("study:review"))
    attempt = Attempt.objects.get(user=learner, mode="review")
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:question", args=[attempt.pk, 1])
    assert attempt.question_count == 3


def test_review_with_nothing_due_says_so(client, learner, bank):
    response = client.post(reverse("study:review"))
    assert response.status_code == 409
    assert "Nothing is due" in response.content.decode()
    assert not Attempt.objects.filter(user=learner).exists()


@pytest.mark.parametrize("cards", [10, 10_000])
def test_due_count_and_review_page_cost_the_same_whatever_the_deck(
    client, learner, cards, django_assert_max_num_queries
):
    exam = bank_build(per_domain=[cards // 5] * 5, objectives_per_domain=1)
    cards_for(learner, exam.questions.all(), due=timezone.now() - timedelta(hours=1))
    with django_assert_max_num_queries(7):
        page = client.get(reverse("study:review"))
    shown = "More than 99 questions" if cards > 99 else f"{cards} questions"
    assert f'id="review-due">{shown}<' in page.content.decode()
    with django_assert_max_num_queries(16):
        assert client.post(reverse("study:review")).status_code == 302
    assert Attempt.objects.get(user=learner, mode="review").question_count == min(cards, 50)


def test_builder_counts_with_check_and_with_htmx(client, learner, bank):
    url = reverse("study:build", args=[bank.slug])
    assert "Press Check" in client.get(url).content.decode()
    page = client.get(url, {"check": "1", "pool": "all", "count": 10, "feedback": "now"})
    assert "30 questions match." in page.content.decode()
    fragment = client.get(url, {"pool": "unseen", "count": 10, "feedback": "now"}, **HX)
    body = fragment.content.decode()
    assert body.strip().startswith('<p id="match-count"') and "30 questions match." in body
    assert client.get(url, {"check": "1", "pool": "nonsense"}).status_code == 400


def test_builder_starts_a_set_from_missed_narrowed_to_a_domain(client, learner, bank):
    attempt = attempt_finished(
        services.attempt_start(user=learner, exam=bank, mode="practice", count=30),
        lambda item: correct_ids(item) if item.position % 3 != 0 else [wrong_id(item)],
    )
    missed = {item.question_id for item in attempt.items.all() if item.position % 3 == 0}
    # The domain of a missed question: the narrowed set is never empty, whatever was drawn.
    domain = bank.questions.get(pk=min(missed)).domain
    in_domain = set(bank.questions.filter(domain=domain).values_list("pk", flat=True))
    data = {"pool": "missed", "last_attempts": 5, "count": 50, "feedback": "end"}
    page = client.get(reverse("study:build", args=[bank.slug]), {"check": "1", **data})
    assert f"{len(missed)} questions match." in page.content.decode()
    data["domains"] = [domain.pk]
    response = client.post(reverse("study:build", args=[bank.slug]), data)
    assert response.status_code == 302
    new = Attempt.objects.filter(user=learner).latest("id")
    got = set(new.items.values_list("question_id", flat=True))
    assert got == missed & in_domain
    assert new.scope["pool"] == "missed" and new.feedback_at_end


def test_presets_start_their_sets(client, learner, bank):
    response = client.post(reverse("study:preset", args=[bank.slug, "quick"]))
    assert response.status_code == 302
    assert Attempt.objects.get(user=learner).question_count == 10
    # Missed with no history: back to the builder with the reason.
    response = client.post(reverse("study:preset", args=[bank.slug, "missed"]), follow=True)
    assert "Missed questions: No question matches" in response.content.decode()
    assert client.post(reverse("study:preset", args=[bank.slug, "nope"])).status_code == 404


def test_exam_page_offers_the_presets(client, learner, bank):
    page = client.get(reverse("exams:catalogue")).content.decode()
    assert reverse("study:preset", args=[bank.slug, "quick"]) in page
    assert reverse("study:daily", args=[bank.slug]) in page


def test_retry_missed_starts_exactly_those(client, learner, bank):
    attempt = attempt_finished(
        services.attempt_start(user=learner, exam=bank, mode="practice", count=6),
        lambda item: [wrong_id(item)] if item.position <= 2 else correct_ids(item),
    )
    wrong = list(attempt.items.filter(position__lte=2).values_list("question_id", flat=True))
    results = client.get(reverse("exams:results", args=[attempt.pk])).content.decode()
    assert "Retry the missed ones from this attempt" in results
    assert "Drill this objective" in results
    response = client.post(reverse("study:retry", args=[attempt.pk]))
    assert response.status_code == 302
    retry = Attempt.objects.filter(user=learner).latest("id")
    assert sorted(retry.items.values_list("question_id", flat=True)) == sorted(wrong)
    other = UserFactory()
    client.force_login(other)
    assert client.post(reverse("study:retry", args=[attempt.pk])).status_code == 404


def test_confidence_is_asked_when_on_and_listed_on_results(client, learner, bank):
    attempt = services.attempt_start(user=learner, exam=bank, mode="practice", count=2)
    page = client.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    assert "How sure are you?" not in page
    Profile.objects.filter(user=learner).update(confidence_on=True)
    page = client.get(reverse("exams:question", args=[attempt.pk, 1])).content.decode()
    assert "How sure are you?" in page
    first, second = attempt.items.order_by("position")
    url = reverse("exams:answer", args=[attempt.pk, 1])
    assert client.post(url, {"choice": [wrong_id(first)], "confidence": "9"}).status_code == 400
    client.post(url, {"choice": [wrong_id(first)], "confidence": "3"})
    client.post(
        reverse("exams:answer", args=[attempt.pk, 2]),
        {"choice": correct_ids(second), "confidence": "1"},
    )
    services.attempt_finish(attempt_id=attempt.pk, user=learner)
    results = client.get(reverse("exams:results", args=[attempt.pk])).content.decode()
    assert 'id="confidently-wrong"><li>Question 1' in results
    assert 'id="lucky-guesses"><li>Question 2' in results
    attempt.refresh_from_db()
    assert attempt.correct_count == 1  # confidence never changes the score
    dashboard = client.get(reverse("home")).content.decode()
    assert 'id="calibration"' in dashboard


def test_question_of_the_day_is_the_same_for_everyone_and_shows_others(client, bank):
    users = [UserFactory() for _ in range(6)]
    ids = set()
    for n, user in enumerate(users):
        client.force_login(user)
        client.post(reverse("study:preset", args=[bank.slug, "daily"]))
        attempt = Attempt.objects.get(user=user)
        item = attempt.items.get()
        ids.add(item.question_id)
        choice = correct_ids(item) if n % 2 else [wrong_id(item)]
        client.post(reverse("exams:answer", args=[attempt.pk, 1]), {"choice": choice})
        page = client.get(reverse("study:daily", args=[bank.slug])).content.decode()
        if n < 4:
            assert "shows once 5 answers are in" in page
    assert len(ids) == 1
    assert "50% of 6 answers today were right." in page


def test_dashboard_plan_with_target_exam_and_date(client, learner, bank):
    today = timezone.now().astimezone(UTC).date()
    Profile.objects.filter(user=learner).update(
        target_exam=bank, exam_date=today + timedelta(days=10)
    )
    page = client.get(reverse("home")).content.decode()
    assert "10 days left" in page
    assert "30 questions you have not seen yet" in page
    assert "3 a day" in page  # 30 unseen over 10 days, nothing due
    client.post(reverse("study:goal"))
    assert Profile.objects.get(user=learner).daily_goal == 3
    assert "Practise a quick set of 10" in page


def test_profile_edit_takes_the_exam_and_date(client, learner, bank):
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert 'name="exam_date"' in page and 'name="confidence_on"' in page


def test_smart_set_with_feedback_at_the_end_moves_on_and_hides_the_key(client, learner, bank):
    client.post(
        reverse("study:build", args=[bank.slug]),
        {"pool": "all", "count": 3, "feedback": "end", "timed": "on"},
    )
    attempt = Attempt.objects.get(user=learner)
    assert attempt.deadline is not None
    item = attempt.items.get(position=1)
    response = client.post(
        reverse("exams:answer", args=[attempt.pk, 1]), {"choice": [wrong_id(item)]}, **HX
    )
    body = response.content.decode()
    assert "Question 2 of 3" in body and "Explain Q" not in body
    attempt.refresh_from_db()
    assert attempt.current_position == 2


def test_junk_dates_and_ids_are_refused(client, learner, bank):
    assert client.get(reverse("study:build", args=["nope"])).status_code == 404
    assert client.post(reverse("study:retry", args=[99999999])).status_code == 404
    assert client.get(reverse("study:daily", args=["nope"])).status_code == 404


def test_dashboard_with_a_plan_costs_the_same_for_10_and_10_000_cards(client):
    counts = []
    for cards in (10, 10_000):
        user = UserFactory()
        client.force_login(user)
        exam = bank_build(per_domain=[cards // 5] * 5, objectives_per_domain=2)
        Profile.objects.filter(user=user).update(
            target_exam=exam, exam_date=date.today() + timedelta(days=30), confidence_on=True
        )
        cards_for(user, exam.questions.all(), due=timezone.now() - timedelta(hours=1))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("home"))
        shown = "99+" if cards > 99 else str(cards)
        assert f'id="dash-review-due">{shown}<' in page.content.decode()
        assert f'id="nav-review-due">{shown}<' in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20
