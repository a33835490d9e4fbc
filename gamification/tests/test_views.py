import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from accounts.tests.factories import UserFactory
from exams.models import Attempt, AttemptItem
from gamification.models import Badge, DailyActivity, UserBadge, XPEntry
from gamification.tests.factories import AttemptFactory, LearnerHistory, exam, questions_for
from questions.models import Question

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("gamification:dashboard")
BADGES = reverse("gamification:badges")
LEADERBOARD = reverse("gamification:leaderboard")
AVATAR = reverse("gamification:avatar")
# +1: the spaced-review due count (shared by the navigation and the study plan).
MAX_DASHBOARD_QUERIES = 11


def signed_in(client, **profile):
    user = UserFactory()
    if profile:
        Profile.objects.filter(user=user).update(**profile)
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    return user


def long_history(user, days: int) -> None:
    """``days`` days of activity, XP, badges and a simulation every week, written directly."""
    today = timezone.localdate()
    DailyActivity.objects.bulk_create(
        DailyActivity(user=user, day=today - timedelta(days=n), answered=5 + n % 30, correct=4)
        for n in range(1, days + 1)
    )
    XPEntry.objects.bulk_create(
        XPEntry(
            user=user, amount=7, reason="answers", created_at=timezone.now() - timedelta(days=n)
        )
        for n in range(1, days + 1)
    )
    for badge in Badge.objects.all()[: days // 20]:
        UserBadge.objects.create(user=user, badge=badge, awarded_at=timezone.now())
    security = exam("security")
    questions = questions_for(security, 1, 3) + questions_for(security, 2, 3)
    for week in range(days // 7):
        at = timezone.now() - timedelta(days=7 * week + 1)
        attempt = AttemptFactory(
            user=user,
            exam=security,
            mode=Attempt.Mode.SIMULATION,
            question_count=len(questions),
            started_at=at,
            status=Attempt.Status.SUBMITTED,
            submitted_at=at + timedelta(minutes=30),
            correct_count=4,
            scaled_score=600 + week * 7 % 250,
            passed=600 + week * 7 % 250 >= security.pass_mark,
        )
        AttemptItem.objects.bulk_create(
            AttemptItem(
                attempt=attempt, position=i, question=q, answered_at=at, is_correct=i % 3 != 0
            )
            for i, q in enumerate(questions, 1)
        )
    AttemptFactory(user=user, exam=security, started_at=timezone.now())  # one in progress


def html(response) -> str:
    return response.content.decode()


# Dashboard -------------------------------------------------------------------------------


def test_dashboard_is_home_for_a_signed_in_learner(client):
    signed_in(client)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "gamification/dashboard.html" in [t.name for t in response.templates]


def test_dashboard_of_a_new_learner(client):
    signed_in(client)
    page = html(client.get(DASHBOARD))
    assert re.search(r'id="streak">\s*<h3>Streak</h3>\s*<p class="dash-big">0 days', page)
    assert '<p class="dash-big">0 of 20</p>' in page  # daily goal
    assert ">50 XP to level 2" in page
    assert "No simulation yet" not in page  # no exam to show readiness for yet
    assert " style=" not in page


def test_dashboard_welcomes_a_new_learner_and_welcomes_back_a_returning_one(client):
    user = signed_in(client, display_name="Nia")
    assert "<h1>Welcome, Nia</h1>" in html(client.get(DASHBOARD))
    assert "Welcome back" not in html(client.get(DASHBOARD))

    AttemptFactory(user=user, status=Attempt.Status.IN_PROGRESS)  # started, nothing answered yet
    assert "<h1>Welcome back, Nia</h1>" in html(client.get(DASHBOARD))

    Attempt.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).update(total_questions_answered=3)
    assert "<h1>Welcome back, Nia</h1>" in html(client.get(DASHBOARD))


@pytest.mark.parametrize("days", [0, 200])
def test_dashboard_has_a_fixed_query_budget(client, django_assert_max_num_queries, days):
    user = signed_in(client)
    long_history(user, days)
    with django_assert_max_num_queries(MAX_DASHBOARD_QUERIES):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    if days:
        page = html(response)
        assert "trend-line" in page
        assert "In progress" in page and "0 of 10 answered" in page


def test_dashboard_query_count_does_not_grow_with_history(client):
    counts = []
    for days in (0, 200):
        user = signed_in(client)
        long_history(user, days)
        with CaptureQueriesContext(connection) as queries:
            client.get(DASHBOARD)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_heatmap_has_a_titled_cell_for_every_day_of_52_weeks(client):
    user = signed_in(client, daily_goal=6)
    today = timezone.localdate()
    DailyActivity.objects.create(user=user, day=today, answered=6, correct=5, goal_met=True)
    DailyActivity.objects.create(user=user, day=today - timedelta(days=2), freeze_used=True)
    page = html(client.get(DASHBOARD))
    cells = re.findall(r'<rect class="heat heat-(\d)[^"]*"[^>]*><title>([^<]+)</title>', page)
    assert 364 < len(cells) <= 371
    titled = {title.split(":")[0]: (level, title) for level, title in cells}
    assert titled[f"{today:%a %-d %b %Y}"] == (
        "4",
        f"{today:%a %-d %b %Y}: 6 questions, 5 correct, daily goal met",
    )
    frozen = today - timedelta(days=2)
    assert titled[f"{frozen:%a %-d %b %Y}"][1].endswith("streak freeze used")
    assert page.count("heat-frozen") == 2  # the frozen day and the legend
    assert "Goal met today" in page


def test_dashboard_shows_a_broken_streak_before_the_next_answer(client):
    today = timezone.localdate()
    signed_in(
        client,
        current_streak=5,
        longest_streak=9,
        last_activity_date=today - timedelta(days=3),
    )
    page = html(client.get(DASHBOARD))
    assert re.search(r'id="streak">\s*<h3>Streak</h3>\s*<p class="dash-big">0 days', page)
    assert "Longest: 9 days" in page


def test_dashboard_says_a_freeze_covers_yesterday_and_when_one_was_used(client):
    today = timezone.localdate()
    user = signed_in(
        client,
        current_streak=8,
        longest_streak=8,
        streak_freezes=1,
        last_activity_date=today - timedelta(days=2),
    )
    DailyActivity.objects.create(user=user, day=today - timedelta(days=10), freeze_used=True)
    page = html(client.get(DASHBOARD))
    assert '<p class="dash-big">8 days' in page
    yesterday = today - timedelta(days=1)
    assert f"A streak freeze is covering {yesterday:%A %-d %B}" in page
    used = today - timedelta(days=10)
    assert f"A streak freeze was used on {used:%A %-d %B}" in page


def test_dashboard_readiness_per_domain_and_trend_chart(client):
    user = signed_in(client)
    history = LearnerHistory(user)
    start = timezone.now() - timedelta(days=2)
    history.attempt(at=start, results=[True] * 10, mode=Attempt.Mode.SIMULATION)
    # The second simulation draws from domain 2 alone: the bank holds nothing else then.
    Question.objects.filter(domain__number=1).update(is_active=False)
    history.attempt(
        at=start + timedelta(hours=3),
        results=[True] * 5 + [False] * 5,
        mode=Attempt.Mode.SIMULATION,
        domain_number=2,
    )
    page = html(client.get(DASHBOARD))
    assert "CompTIA Security+" in page
    assert "Pass mark 750" in page
    assert '<span class="score score-pass">900 pass</span>' in page
    assert '<span class="score score-fail">500 fail</span>' in page
    domain_rows = re.findall(
        r"<th scope=\"row\">([^<]+)</th>\s*<td>(\d+)</td>\s*<td>[^\n]*?</meter> (\d+)%</td>", page
    )
    assert ("1.0 General Security Concepts", "10", "100") in domain_rows
    assert ("2.0 Threats, Vulnerabilities, and Mitigations", "10", "50") in domain_rows
    assert 'class="trend-pass"' in page and "pass 750" in page
    assert page.count('class="trend-point ') == 2
    assert " style=" not in page


# Badges ----------------------------------------------------------------------------------


def test_badges_page_lists_earned_with_date_and_locked_with_progress(
    client, django_assert_max_num_queries
):
    user = signed_in(client, time_zone="Pacific/Kiritimati")
    history = LearnerHistory(user)
    history.attempt(at=timezone.now(), results=[True, True])
    awarded = UserBadge.objects.get(user=user, badge__slug="first-attempt").awarded_at
    with django_assert_max_num_queries(14):
        response = client.get(BADGES)
    page = html(response)
    earned, locked = page.split('id="locked-heading"')
    assert "First steps" in earned
    local = timezone.localtime(awarded, Profile.objects.get(user=user).tz)
    assert f'earned <time datetime="{awarded.isoformat()}">{local:%-d %B %Y}</time>' in earned
    assert "Warming up" in locked and "1 of 3" in locked
    assert "2 of 100" in locked  # correct answers
    assert "Level L needs 25 × L × (L − 1) XP" in page
    assert " style=" not in page


def test_badges_page_hides_inactive_badges_not_earned(client):
    signed_in(client)
    Badge.objects.filter(slug="attempts-100").update(is_active=False)
    assert "Centurion" not in html(client.get(BADGES))


# Leaderboard ------------------------------------------------------------------------------


def xp(user, amount, days_ago=1):
    XPEntry.objects.create(
        user=user,
        amount=amount,
        reason="answers",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def learner(display_name, opt_in=True):
    user = UserFactory(email=f"{display_name.lower().replace(' ', '')}-secret@example.com")
    Profile.objects.filter(user=user).update(display_name=display_name, leaderboard_opt_in=opt_in)
    return user


def test_leaderboard_weekly_xp_of_opted_in_learners_by_display_name(client):
    ada = learner("Ada")
    xp(ada, 40)
    bo = learner("Bo")
    xp(bo, 90)
    xp(bo, 500, days_ago=9)  # last week's XP does not count
    hidden = learner("Hidden", opt_in=False)
    xp(hidden, 1000)
    viewer = signed_in(client, display_name="Me", leaderboard_opt_in=True)
    xp(viewer, 50)
    page = html(client.get(LEADERBOARD))
    names = re.findall(r"<td>\d+</td><td>([^<]+)", page)
    assert [n.strip() for n in names] == ["Bo", "Me", "Ada"]
    assert "Hidden" not in page
    assert "@example.com" not in page and "secret" not in page
    assert "You are <strong>#2</strong> with 50 XP" in page


def test_leaderboard_shows_the_viewers_rank_beyond_the_top_20(client):
    for n in range(22):
        xp(learner(f"Learner {n}"), 100 + n)
    viewer = signed_in(client, display_name="Late", leaderboard_opt_in=True)
    xp(viewer, 5)
    page = html(client.get(LEADERBOARD))
    assert page.count("<tr>") + page.count('<tr class="leader-you"') == 21  # header + 20
    assert "You are <strong>#23</strong>" in page
    assert "Late" not in page.split('id="your-rank"')[1]


def test_leaderboard_for_a_learner_who_did_not_opt_in(client):
    xp(learner("Ada"), 10)
    viewer = signed_in(client)
    xp(viewer, 500)
    page = html(client.get(LEADERBOARD))
    assert "You are not on the leaderboard" in page
    assert viewer.email.split("@")[0] not in page


def test_leaderboard_without_a_display_name_and_with_markup_escaped(client):
    xp(learner(""), 10)
    xp(learner('<script>alert("x")</script>'), 20)
    signed_in(client)
    page = html(client.get(LEADERBOARD))
    assert "Anonymous learner" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


# Avatars ---------------------------------------------------------------------------------


def test_avatar_page_shows_free_and_locked_avatars(client):
    signed_in(client)
    page = html(client.get(AVATAR))
    assert 'value="circle"' in page
    assert re.search(r'value="diamond"[^>]*disabled', page)
    assert "Locked: earn First steps" in page


def test_choosing_a_free_avatar(client):
    user = signed_in(client)
    response = client.post(AVATAR, {"avatar": "hexagon"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).avatar_key == "hexagon"
    page = html(client.get(DASHBOARD))
    assert "img/avatars/hexagon" in page


def test_a_locked_avatar_is_refused_by_the_server(client):
    user = signed_in(client)
    response = client.post(AVATAR, {"avatar": "crown"})
    assert response.status_code == 422
    assert "Earn the badge to unlock this avatar first." in html(response)
    assert Profile.objects.get(user=user).avatar_key == ""
    assert client.post(AVATAR, {"avatar": "../../etc/passwd"}).status_code == 422
    assert client.post(AVATAR, {}).status_code == 422


def test_an_avatar_unlocks_with_its_badge(client):
    user = signed_in(client)
    LearnerHistory(user).attempt(at=timezone.now(), results=[True])
    assert client.post(AVATAR, {"avatar": "diamond"}).status_code == 302
    assert Profile.objects.get(user=user).avatar_key == "diamond"


def test_an_uploaded_or_url_avatar_still_wins(client):
    user = signed_in(client, avatar_key="circle", avatar_url="https://img.example.org/me.png")
    page = html(client.get(DASHBOARD))
    assert "https://img.example.org/me.png" in page
    assert "img/avatars/circle" not in page
    assert "has its own picture" in html(client.get(AVATAR))
    del user


def test_profile_page_shows_progress_badges_and_avatar_link(client):
    user = signed_in(client)
    LearnerHistory(user).attempt(at=timezone.now(), results=[True])
    page = html(client.get(reverse("accounts:profile")))
    assert "First steps" in page
    assert AVATAR in page
    assert "Level 1" in page


@pytest.mark.parametrize("url", [DASHBOARD, BADGES, LEADERBOARD, AVATAR])
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_nav_links_to_badges_and_leaderboard(client):
    signed_in(client)
    page = html(client.get(BADGES))
    assert f'href="{LEADERBOARD}"' in page
    assert f'href="{BADGES}" aria-current="page"' in page


def test_current_streak_tag_for_other_pages():
    from django.template import Context, Template

    user = UserFactory()
    profile = Profile.objects.get(user=user)
    profile.current_streak = profile.longest_streak = 4
    profile.last_activity_date = timezone.localdate() - timedelta(days=1)
    template = Template("{% load progress %}{% current_streak profile %}")
    assert template.render(Context({"profile": profile})) == "4"
    profile.last_activity_date = timezone.localdate() - timedelta(days=3)
    assert template.render(Context({"profile": profile})) == "0"
