"""While a simulation is open, nothing about its questions is reachable by another route.

Each test walks one route a learner (or an auditor) used to read a simulation's key before
submitting it: a bookmark set, a large practice set, a practice set started before the
simulation, the review of an earlier attempt, the bookmarks page and the bookmark endpoints.
Explanations say "Explain Q<id> <letter>", so a leak shows up in the HTML.
"""

import random

import pytest
from django.urls import reverse

from exams import selectors, services
from exams.models import Bookmark
from exams.tests.factories import ExamFactory, bank_build, correct_ids

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def small_bank():
    """Twelve questions; the simulation takes six of them."""
    exam = ExamFactory(question_count=6, time_limit_minutes=12)
    return bank_build(exam=exam, weights=(50, 50), per_domain=6)


def simulation_of(user, exam):
    return services.attempt_start(user=user, exam=exam, mode="simulation", rng=random.Random(1))


def held_ids(simulation):
    return set(simulation.items.values_list("question_id", flat=True))


def explained(html, question_id):
    return f"Explain Q{question_id} " in html


def test_selection_skips_the_open_simulation_for_practice_drill_and_bookmarks(user, small_bank):
    simulation = simulation_of(user, small_bank)
    held = held_ids(simulation)
    for question_id in held:
        Bookmark.objects.create(user=user, question_id=question_id)
    practice = services.attempt_start(user=user, exam=small_bank, mode="practice", count=200)
    assert practice.question_count == 6
    assert not held & set(practice.items.values_list("question_id", flat=True))
    domain = small_bank.domains.first()
    drill = services.attempt_start(
        user=user, exam=small_bank, mode="drill", count=50, domain_ids=[domain.pk]
    )
    assert not held & set(drill.items.values_list("question_id", flat=True))
    with pytest.raises(services.NoQuestions):
        services.attempt_start(
            user=user, exam=small_bank, mode="practice", count=10, bookmarked=True
        )
    # Submitted: everything is served again.
    services.attempt_finish(attempt_id=simulation.pk, user=user)
    again = services.attempt_start(
        user=user, exam=small_bank, mode="practice", count=10, bookmarked=True
    )
    assert set(again.items.values_list("question_id", flat=True)) == held


def test_bookmark_set_from_the_bookmarks_page_serves_no_key(user_client, user, small_bank):
    """Issue route (a): answer, bookmark, "Practise these", read the key."""
    simulation = simulation_of(user, small_bank)
    item = simulation.items.get(position=1)
    services.answer_submit(
        attempt_id=simulation.pk, user=user, position=1, choice_ids=correct_ids(item)
    )
    response = user_client.post(
        reverse("exams:item_bookmark", args=[simulation.pk, 1]), {"on": "1"}
    )
    assert response.status_code == 302  # an answered question may be bookmarked
    page = user_client.get(reverse("exams:bookmarks")).content.decode()
    assert not explained(page, item.question_id)
    assert "comes back here once you submit" in page or "come back here once you submit" in page
    response = user_client.post(
        reverse("exams:bookmarks_start"), {"exam": small_bank.slug, "count": "5"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:bookmarks")  # nothing to practise yet
    services.attempt_abandon(attempt_id=simulation.pk, user=user)
    page = user_client.get(reverse("exams:bookmarks")).content.decode()
    assert explained(page, item.question_id)


def test_practice_started_before_the_simulation_reveals_nothing(user_client, user, small_bank):
    """A practice set that already holds the question gives no feedback while it is held."""
    practice = services.attempt_start(user=user, exam=small_bank, mode="practice", count=12)
    simulation = simulation_of(user, small_bank)
    held = held_ids(simulation)
    position = practice.items.filter(question_id__in=held).values_list("position", flat=True)[0]
    item = practice.items.get(position=position)
    answer_url = reverse("exams:answer", args=[practice.pk, position])
    for headers in ({}, HX):
        response = user_client.post(answer_url, {"choice": correct_ids(item)}, **headers)
        assert response.status_code == 409
        assert not explained(response.content.decode(), item.question_id)
    item.refresh_from_db()
    assert item.answered_at is None
    page = user_client.get(reverse("exams:question", args=[practice.pk, position]))
    html = page.content.decode()
    assert "also in your exam simulation in progress" in html
    assert not explained(html, item.question_id) and "Correct answer" not in html


def test_practice_answered_before_the_simulation_hides_its_feedback(user, small_bank):
    practice = services.attempt_start(user=user, exam=small_bank, mode="practice", count=12)
    for item in practice.items.all():
        services.answer_submit(
            attempt_id=practice.pk, user=user, position=item.position, choice_ids=correct_ids(item)
        )
    simulation = simulation_of(user, small_bank)
    held = held_ids(simulation)
    for item in practice.items.all():
        card = selectors.question_card(attempt=practice, position=item.position)
        assert card.reveal is (item.question_id not in held)
        assert all(choice.explanation == "" for choice in card.choices) is card.held


def test_review_of_an_earlier_attempt_holds_the_simulation_questions(user_client, user, small_bank):
    practice = services.attempt_start(user=user, exam=small_bank, mode="practice", count=12)
    services.attempt_finish(attempt_id=practice.pk, user=user)
    simulation = simulation_of(user, small_bank)
    held = held_ids(simulation)
    for headers in ({}, HX):
        html = user_client.get(reverse("exams:review", args=[practice.pk]), **headers)
        html = html.content.decode()
        for question_id in practice.items.values_list("question_id", flat=True):
            assert explained(html, question_id) is (question_id not in held)
    services.attempt_finish(attempt_id=simulation.pk, user=user)
    html = user_client.get(reverse("exams:review", args=[practice.pk])).content.decode()
    assert all(explained(html, question_id) for question_id in held)


def test_bookmark_endpoint_refuses_an_unanswered_simulation_question(user_client, user, small_bank):
    simulation = simulation_of(user, small_bank)
    item = simulation.items.get(position=2)
    url = reverse("exams:bookmark", args=[item.question_id])
    for headers in ({}, HX):
        response = user_client.post(url, {"on": "1", "next": "/exams/bookmarks/"}, **headers)
        assert response.status_code == 409
    assert not Bookmark.objects.filter(user=user).exists()
    # The per-attempt button says the same, through the same rule.
    response = user_client.post(
        reverse("exams:item_bookmark", args=[simulation.pk, 2]), {"on": "1"}
    )
    assert response.status_code == 409
    # Answered, it may be bookmarked; removing is always allowed.
    services.answer_submit(
        attempt_id=simulation.pk, user=user, position=2, choice_ids=correct_ids(item)
    )
    assert user_client.post(url, {"on": "1"}).status_code == 302
    assert user_client.post(url, {"on": "0"}).status_code == 302
    assert not Bookmark.objects.filter(user=user).exists()


def test_another_learners_simulation_holds_nothing_back(user, small_bank):
    from accounts.tests.factories import UserFactory

    simulation_of(UserFactory(), small_bank)
    practice = services.attempt_start(user=user, exam=small_bank, mode="practice", count=12)
    assert practice.question_count == 12


# Progress only from attempts with answers --------------------------------------------------


def test_finishing_unanswered_sets_earns_nothing(user_client, user, small_bank):
    """The audit: six one-question sets finished blank gave 105 XP, badges and first place."""
    from accounts.models import Profile
    from gamification.models import UserBadge, XPEntry

    for _ in range(6):
        attempt = services.attempt_start(user=user, exam=small_bank, mode="practice", count=1)
        user_client.post(reverse("exams:finish", args=[attempt.pk]))
    simulation = simulation_of(user, small_bank)
    services.attempt_finish(attempt_id=simulation.pk, user=user)
    profile = Profile.objects.get(user=user)
    assert (profile.xp_total, profile.total_exams_taken) == (0, 0)
    assert not XPEntry.objects.filter(user=user).exists()
    assert not UserBadge.objects.filter(user=user).exists()
    # The leaderboard sums the XP ledger, which holds nothing for this learner.
    page = user_client.get(reverse("gamification:badges")).content.decode()
    assert "at least half of its questions" in page


@pytest.mark.parametrize(
    ("answered", "total", "counts"),
    [(0, 1, False), (1, 1, True), (0, 6, False), (2, 6, False), (3, 6, True), (6, 6, True)],
)
def test_an_attempt_counts_with_half_its_questions_answered(
    user, small_bank, answered, total, counts
):
    from accounts.models import Profile
    from gamification.models import XPEntry

    mode = "simulation" if total == 6 else "practice"
    attempt = services.attempt_start(
        user=user, exam=small_bank, mode=mode, count=total, rng=random.Random(2)
    )
    for item in attempt.items.filter(position__lte=answered):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=correct_ids(item)
        )
    result = services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert result.attempt.counted is counts
    assert Profile.objects.get(user=user).total_exams_taken == int(counts)
    finish_xp = XPEntry.objects.filter(user=user, reason=XPEntry.Reason.ATTEMPT_FINISHED)
    assert finish_xp.exists() is counts
    # Every answer still earns its own XP.
    answers_xp = XPEntry.objects.filter(user=user, reason=XPEntry.Reason.ANSWERS).count()
    assert (answers_xp > 0) is (answered > 0)
