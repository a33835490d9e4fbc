"""The leaderboard's kept weekly XP (``Profile.weekly_xp``) against the ledger it stands for.

Histories go through the real services (``activity_record``, the exam engine, the rebuild,
account deletion); the figures are compared with the direct sliding-window sum, and the page
with the query it replaced (kept here as the oracle).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Max, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from accounts.services import account_delete, profile_update
from accounts.tests.factories import UserFactory
from gamification import services
from gamification.models import LeaderboardWindow, XPEntry
from gamification.selectors import LeaderboardRow, leaderboard, leaderboard_name
from gamification.tests.factories import LearnerHistory
from tests.races import while_held

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
LEADERBOARD = reverse("gamification:leaderboard")


def summed_board(*, viewer, now):
    """The leaderboard as it was computed before the figures were kept: the oracle."""
    since = now - WEEK
    weekly = (
        XPEntry.objects.filter(created_at__gt=since, user__profile__leaderboard_opt_in=True)
        .values("user_id")
        .annotate(xp=Sum("amount"), last=Max("created_at"))
    )
    top = list(
        weekly.order_by("-xp", "user_id").values_list(
            "user_id", "xp", "user__profile__display_name"
        )[:20]
    )
    rows = [
        LeaderboardRow(i, leaderboard_name(name), xp, user_id == viewer.pk)
        for i, (user_id, xp, name) in enumerate(top, start=1)
    ]
    viewer_rank = viewer_xp = None
    opted_in = Profile.objects.get(user=viewer).leaderboard_opt_in
    if opted_in:
        viewer_xp = (
            XPEntry.objects.filter(user=viewer, created_at__gt=since).aggregate(n=Sum("amount"))[
                "n"
            ]
            or 0
        )
        if viewer_xp:
            ahead = weekly.filter(Q(xp__gt=viewer_xp) | Q(xp=viewer_xp, user_id__lt=viewer.pk))
            viewer_rank = ahead.count() + 1
    return {
        "rows": rows,
        "opted_in": opted_in,
        "viewer_rank": viewer_rank,
        "viewer_xp": viewer_xp,
        "viewer_in_top": any(r.is_viewer for r in rows),
        "days": 7,
    }


def shown(*, viewer, now):
    """What the page shows ``viewer`` at ``now``: the window moved, then the kept figures."""
    services.leaderboard_age(now=now)
    return leaderboard(viewer=User.objects.get(pk=viewer.pk))


def kept():
    return dict(Profile.objects.values_list("user_id", "weekly_xp"))


def summed(now):
    """Every learner's XP of the window ending at ``now``, summed from the ledger."""
    sums = dict(
        XPEntry.objects.filter(created_at__gt=now - WEEK)
        .values("user_id")
        .annotate(n=Sum("amount"))
        .values_list("user_id", "n")
    )
    return {user_id: sums.get(user_id, 0) for user_id in kept()}


def assert_kept_at(now):
    services.leaderboard_age(now=now)
    assert kept() == summed(now)


def learner(name="", *, opt_in=True):
    user = UserFactory()
    Profile.objects.filter(user=user).update(display_name=name, leaderboard_opt_in=opt_in)
    return User.objects.get(pk=user.pk)


def answers(user, at, *, answered=3, correct=2):
    services.activity_record(user=user, answered=answered, correct=correct, at=at)


# Kept figures against the ledger -------------------------------------------------------------


def test_entries_inside_at_and_outside_the_edge():
    ada, bo = learner("Ada"), learner("Bo")
    edge = NOW - WEEK
    answers(ada, edge)  # exactly at the edge: out (the window is after it)
    answers(ada, edge + timedelta(microseconds=1))  # just inside
    answers(ada, NOW - timedelta(days=30))  # long gone
    answers(bo, edge - timedelta(microseconds=1), answered=5)
    answers(bo, NOW - timedelta(hours=1), answered=1, correct=0)
    assert_kept_at(NOW)
    assert kept()[ada.pk] == summed(NOW)[ada.pk] > 0
    assert kept()[bo.pk] == XPEntry.objects.get(user=bo, created_at__gt=edge).amount


def test_time_moving_forward_and_back_between_reads():
    users = [learner(f"L{n}") for n in range(4)]
    for day in range(20):
        for n, user in enumerate(users):
            if (day + n) % 3:
                at = NOW - timedelta(days=day, hours=n * 5, minutes=day)
                answers(user, at, answered=1 + (day + n) % 4, correct=(day + n) % 2)
    for step in (0, 1, 7, 30, 60 * 24, 60 * 24 * 3, 60 * 24 * 9, -60 * 24 * 12, -5, 60 * 24 * 40):
        assert_kept_at(NOW + timedelta(minutes=step))


def test_entries_written_after_a_read_and_deleted():
    ada, bo = learner("Ada"), learner("Bo")
    answers(ada, NOW - timedelta(days=2))
    assert_kept_at(NOW)
    answers(ada, NOW + timedelta(hours=1))  # after the read: the trigger adds it
    answers(bo, NOW - timedelta(days=8))  # before the window: nothing to add
    answers(bo, NOW - timedelta(days=6, hours=23))
    assert kept() == summed(NOW)
    XPEntry.objects.filter(user=ada, created_at__lt=NOW).delete()
    XPEntry.objects.filter(user=bo, created_at__lt=NOW - timedelta(days=7, hours=1)).delete()
    assert kept() == summed(NOW)
    assert_kept_at(NOW + timedelta(days=3))
    account_delete(user=ada)
    assert_kept_at(NOW + timedelta(days=3))


def test_an_entry_moved_in_time_amount_or_learner_moves_its_xp():
    ada, bo = learner("Ada"), learner("Bo")
    answers(ada, NOW - timedelta(days=1))
    assert_kept_at(NOW)
    entry = XPEntry.objects.filter(user=ada).order_by("pk")
    XPEntry.objects.filter(pk=entry[0].pk).update(created_at=NOW - timedelta(days=9))
    assert kept() == summed(NOW)
    XPEntry.objects.filter(pk=entry[0].pk).update(created_at=NOW, amount=77, user=bo)
    assert kept() == summed(NOW)


def test_rebuilding_a_learners_progress_keeps_the_figures():
    """The rebuild deletes the ledger and replays it through the services, old entries too."""
    user = learner("Ada")
    history = LearnerHistory(user)
    for day in (12, 8, 6, 3, 1):
        history.attempt(at=NOW - timedelta(days=day), results=[True, False, True])
    assert_kept_at(NOW)
    services.progress_rebuild(user=user)
    assert kept() == summed(NOW)
    assert_kept_at(NOW + timedelta(days=2))


def test_a_full_save_of_a_profile_read_earlier_keeps_the_figure():
    user = learner("Ada")
    assert_kept_at(NOW)
    stale = Profile.objects.get(user=user)
    answers(user, NOW)
    stale.bio = "Studying for Security+."
    stale.save()
    assert kept() == summed(NOW) and kept()[user.pk] > 0
    assert Profile.objects.get(user=user).bio == "Studying for Security+."


def test_the_rebuild_recomputes_figures_the_triggers_did_not_see():
    ada, bo = learner("Ada"), learner("Bo")
    answers(ada, NOW - timedelta(days=1))
    answers(bo, NOW - timedelta(days=10))
    Profile.objects.update(weekly_xp=12345)  # as if written with the triggers missing
    services.leaderboard_rebuild(now=NOW)
    assert LeaderboardWindow.objects.get().aged_to == NOW - WEEK
    assert kept() == summed(NOW)


def test_without_a_window_row_every_entry_counts_until_the_first_read():
    ada = learner("Ada")
    LeaderboardWindow.objects.all().delete()
    answers(ada, NOW - timedelta(days=100))
    answers(ada, NOW)
    assert kept()[ada.pk] == XPEntry.objects.filter(user=ada).aggregate(n=Sum("amount"))["n"]
    assert_kept_at(NOW)
    assert LeaderboardWindow.objects.get().aged_to == NOW - WEEK


# What the page shows ---------------------------------------------------------------------------


def fixed_history():
    """Learners in and out of the board, ties, names, XP inside and outside the window."""
    users = []
    for n in range(26):
        user = learner(["", "Ada", "Bo", "<b>C</b>"][n % 4] + (str(n) if n % 4 else ""))
        users.append(user)
        for k in range(n % 5):
            at = NOW - timedelta(days=(n * 3 + k * 2) % 10, hours=k)
            answers(user, at, answered=1 + (n + k) % 3, correct=(n + k) % 2)
    hidden = learner("Hidden", opt_in=False)
    answers(hidden, NOW - timedelta(hours=2), answered=50, correct=50)
    tied = learner("Tied")
    answers(tied, NOW - timedelta(hours=3), answered=1, correct=1)
    return [*users, hidden, tied, learner("Idle")]


def test_the_page_shows_what_summing_the_ledger_showed():
    users = fixed_history()
    for later in (timedelta(0), timedelta(days=2, hours=5), timedelta(days=6)):
        now = NOW + later
        for viewer in users:
            assert shown(viewer=viewer, now=now) == summed_board(viewer=viewer, now=now)


def test_opting_out_and_back_in():
    users = fixed_history()
    viewer = users[7]
    profile = Profile.objects.get(user=viewer)
    profile_update(profile=profile, data={"leaderboard_opt_in": False})
    assert_kept_at(NOW)
    board = shown(viewer=viewer, now=NOW)
    assert board == summed_board(viewer=viewer, now=NOW)
    assert not board["opted_in"] and not board["viewer_in_top"]
    answers(viewer, NOW, answered=40, correct=40)  # XP earned while off the board still counts
    profile_update(profile=profile, data={"leaderboard_opt_in": True})
    board = shown(viewer=viewer, now=NOW + timedelta(hours=1))
    assert board == summed_board(viewer=viewer, now=NOW + timedelta(hours=1))
    assert board["viewer_rank"] == 1 and board["rows"][0].is_viewer


def test_the_page_query_count_does_not_grow_with_learners_or_entries(
    client, django_assert_num_queries
):
    now = timezone.now()
    viewer = learner("Me")
    answers(viewer, now - timedelta(hours=1))
    client.force_login(viewer)
    client.get(LEADERBOARD)  # the session, warm
    with CaptureQueriesContext(connection) as alone:
        client.get(LEADERBOARD)
    for n in range(30):
        user = learner(f"More {n}")
        for k in range(n % 4 + 1):
            answers(user, now - timedelta(days=n % 9, hours=k))
    with django_assert_num_queries(len(alone)):
        page = client.get(LEADERBOARD).content.decode()
    assert page.count("<tr") == 21  # header and 20 rows: the many learners are there


def test_moving_the_window_and_reading_the_board_take_five_queries():
    """The window (lock, move, new start), then the top 20 and the viewer's rank and XP."""
    viewer = User.objects.select_related("profile").get(pk=learner("Me").pk)
    answers(viewer, NOW)
    with CaptureQueriesContext(connection) as captured:
        services.leaderboard_age(now=NOW)
        board = leaderboard(viewer=viewer)
    # Inside the test's transaction the service's own adds a savepoint and its release.
    statements = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 5, statements
    assert board["viewer_rank"] == 1


# Concurrent reads (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_age_the_window_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    users = [learner(f"L{n}") for n in range(3)]
    for n, user in enumerate(users):
        for day in range(10):
            answers(user, NOW - timedelta(days=day, hours=n))
    services.leaderboard_age(now=NOW)
    later = NOW + timedelta(days=3)
    while_held(
        lambda: services.leaderboard_age(now=later),
        lambda: services.leaderboard_age(now=later),
    )
    assert kept() == summed(later)


@pytest.mark.django_db(transaction=True)
def test_an_old_entry_written_during_a_read_waits_for_it_and_counts_once():
    """A read moving the window holds its row; an entry it moves across waits for it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    ada, bo = learner("Ada"), learner("Bo")
    for day in range(10):
        answers(ada, NOW - timedelta(days=day))
    services.leaderboard_age(now=NOW)
    later = NOW + timedelta(days=3)
    # Inside the window at NOW, outside it at ``later``: what the read is moving.
    while_held(
        lambda: services.leaderboard_age(now=later),
        lambda: answers(bo, NOW - timedelta(days=5)),
    )
    assert XPEntry.objects.filter(user=bo).exists()
    assert kept() == summed(later)
