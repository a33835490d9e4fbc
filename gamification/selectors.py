"""Reads for the progress pages: each runs a fixed number of queries, whatever the history."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Func, OuterRef, Q, Subquery

from accounts.models import Profile
from exams.models import Attempt, DomainTally
from exams.rules import pass_percent_compute
from exams.selectors import attempts_in_progress
from gamification import weekly
from gamification.avatars import AVATARS, AVATARS_BY_KEY, Avatar
from gamification.models import Badge, DailyActivity, UserBadge
from gamification.rules import (
    LearnerFacts,
    LevelProgress,
    Progress,
    StreakView,
    badge_progress,
    level_progress,
    local_day,
    streak_display,
)

HEATMAP_WEEKS = 52
RECENT_SIMULATIONS = 60
TREND_POINTS = 20
LEADERBOARD_DAYS = weekly.DAYS
LEADERBOARD_SIZE = 20


# Avatars -----------------------------------------------------------------------------------


def avatar_unlocked_keys(*, user) -> set[str]:
    earned = set(
        UserBadge.objects.filter(user=user, badge__is_active=True).values_list(
            "badge__slug", flat=True
        )
    )
    return {a.key for a in AVATARS if a.badge_slug is None or a.badge_slug in earned}


@dataclass(frozen=True)
class AvatarOption:
    avatar: Avatar
    unlocked: bool
    chosen: bool
    badge_name: str = ""


def avatar_options(*, user) -> list[AvatarOption]:
    unlocked = avatar_unlocked_keys(user=user)
    names = dict(
        Badge.objects.filter(slug__in=[a.badge_slug for a in AVATARS if a.badge_slug]).values_list(
            "slug", "name"
        )
    )
    chosen = user.profile.avatar_key
    return [
        AvatarOption(a, a.key in unlocked, a.key == chosen, names.get(a.badge_slug or "", ""))
        for a in AVATARS
    ]


def avatar_for(*, profile: Profile) -> dict | None:
    """The picture to show for a learner: upload, then URL, then the built-in avatar."""
    if profile.avatar_upload:
        return {"url": profile.avatar_upload.url, "static": False}
    if profile.avatar_url:
        return {"url": profile.avatar_url, "static": False}
    avatar = AVATARS_BY_KEY.get(profile.avatar_key)
    if avatar:
        return {"url": avatar.static_path, "static": True}
    return None


# Dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainAccuracy:
    number: int
    name: str
    answered: int
    correct: int
    pass_percent: float

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0

    @property
    def ready(self) -> bool:
        return self.answered > 0 and 100 * self.correct / self.answered >= self.pass_percent


@dataclass
class ExamReadiness:
    exam_id: int
    code: str
    name: str
    pass_mark: int
    score_min: int
    score_max: int
    simulations: list = field(default_factory=list)  # newest last: (submitted_at, score, passed)
    domains: list[DomainAccuracy] = field(default_factory=list)

    @property
    def pass_percent(self) -> float:
        return pass_percent_compute(
            pass_mark=self.pass_mark, score_min=self.score_min, score_max=self.score_max
        )

    @property
    def recent_scores(self) -> list:
        return self.simulations[-5:][::-1]


@dataclass
class Dashboard:
    profile: Profile
    today: date
    streak: StreakView
    level: LevelProgress
    today_activity: DailyActivity | None
    days: dict[date, DailyActivity]
    freezes_used: list[date]
    recent_badges: list[UserBadge]
    in_progress: list[Attempt]
    readiness: list[ExamReadiness]

    @property
    def returning(self) -> bool:
        """Whether the learner has been here before: an answer, a finished or an open attempt.

        Read from rows already loaded (the profile's counters and the open attempts).
        """
        return bool(
            self.profile.total_questions_answered
            or self.profile.total_exams_taken
            or self.in_progress
        )

    @property
    def goal_answered(self) -> int:
        return self.today_activity.answered if self.today_activity else 0

    @property
    def goal_percent(self) -> int:
        return min(100, int(100 * self.goal_answered / self.profile.daily_goal))

    @property
    def goal_met(self) -> bool:
        return bool(self.today_activity and self.today_activity.goal_met)

    @property
    def heatmap_start(self) -> date:
        """Monday of the first of the 53 week columns ending with this week."""
        return self.today - timedelta(days=self.today.weekday() + 7 * HEATMAP_WEEKS)


def dashboard_for(*, user, now: datetime) -> Dashboard:
    """Everything the dashboard shows, in eight queries however long the history."""
    profile = user.profile
    today = local_day(profile=profile, at=now)
    start = today - timedelta(days=today.weekday() + 7 * HEATMAP_WEEKS)
    days = {
        row.day: row
        for row in DailyActivity.objects.filter(user=user, day__gte=start, day__lte=today)
    }
    freezes_used = sorted(
        (d for d, row in days.items() if row.freeze_used and d >= today - timedelta(days=30)),
        reverse=True,
    )
    recent_badges = list(UserBadge.objects.filter(user=user).select_related("badge")[:6])
    in_progress = attempts_in_progress(user=user)[:10]
    return Dashboard(
        profile=profile,
        today=today,
        streak=streak_display(profile=profile, today=today),
        level=level_progress(xp=profile.xp_total),
        today_activity=days.get(today),
        days=days,
        freezes_used=freezes_used,
        recent_badges=recent_badges,
        in_progress=in_progress,
        readiness=exam_readiness(user=user),
    )


def exam_readiness(*, user) -> list[ExamReadiness]:
    """Per exam the learner has worked on: recent simulation scores and domain accuracy."""
    exams: dict[int, ExamReadiness] = {}

    def exam_entry(exam) -> ExamReadiness:
        if exam.pk not in exams:
            exams[exam.pk] = ExamReadiness(
                exam.pk, exam.code, exam.name, exam.pass_mark, exam.score_min, exam.score_max
            )
        return exams[exam.pk]

    simulations = (
        Attempt.objects.filter(
            user=user,
            mode=Attempt.Mode.SIMULATION,
            status=Attempt.Status.SUBMITTED,
            scaled_score__isnull=False,
        )
        .select_related("exam")
        .order_by("-submitted_at", "-id")[:RECENT_SIMULATIONS]
    )
    for attempt in reversed(list(simulations)):
        entry = exam_entry(attempt.exam)
        entry.simulations.append((attempt.submitted_at, attempt.scaled_score, attempt.passed))
    for entry in exams.values():
        entry.simulations = entry.simulations[-TREND_POINTS:]

    # Kept per domain when each attempt is submitted (exams.models.DomainTally): a few rows,
    # however long the learner's history.
    per_domain = (
        DomainTally.objects.filter(user=user)
        .values(
            "answered",
            "correct",
            "domain__number",
            "domain__name",
            "domain__exam_id",
        )
        .order_by()
    )
    rows = list(per_domain)
    missing = {r["domain__exam_id"] for r in rows} - set(exams)
    if missing:
        from questions.models import Exam

        for exam in Exam.objects.filter(pk__in=missing):
            exam_entry(exam)
    for row in rows:
        entry = exams[row["domain__exam_id"]]
        entry.domains.append(
            DomainAccuracy(
                row["domain__number"],
                row["domain__name"],
                row["answered"],
                row["correct"],
                entry.pass_percent,
            )
        )
    for entry in exams.values():
        entry.domains.sort(key=lambda d: d.number)
    return sorted(exams.values(), key=lambda e: e.code)


# Badges page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeStatus:
    badge: Badge
    awarded_at: datetime | None
    progress: Progress | None


def badges_for(*, user) -> tuple[list[BadgeStatus], list[BadgeStatus]]:
    """(earned, newest first; locked, in catalogue order with progress toward each)."""
    profile = Profile.objects.get(user=user)
    awards = {
        ub.badge_id: ub.awarded_at
        for ub in UserBadge.objects.filter(user=user).only("badge_id", "awarded_at")
    }
    facts = LearnerFacts(profile=profile)
    earned, locked = [], []
    for badge in Badge.objects.select_related("exam"):
        if badge.pk in awards:
            earned.append(BadgeStatus(badge, awards[badge.pk], None))
        elif badge.is_active:
            locked.append(BadgeStatus(badge, None, badge_progress(badge=badge, facts=facts)))
    earned.sort(key=lambda s: s.awarded_at, reverse=True)
    return earned, locked


def profile_progress(*, profile: Profile) -> dict:
    """Badges and level for the profile page."""
    badges = list(UserBadge.objects.filter(user_id=profile.user_id).select_related("badge")[:12])
    return {
        "level": level_progress(xp=profile.xp_total),
        "badges": badges,
        "badge_count": UserBadge.objects.filter(user_id=profile.user_id).count(),
        "avatar": avatar_for(profile=profile),
    }


# Leaderboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    name: str
    xp: int
    is_viewer: bool


def leaderboard_name(display_name: str) -> str:
    """Only the name a learner chose is shown; never anything derived from their email."""
    return display_name.strip() or "Anonymous learner"


def leaderboard(*, viewer) -> dict:
    """Weekly XP (last 7 days) of learners who opted in: top 20 and the viewer's own rank.

    Reads the figures the profiles keep (``Profile.weekly_xp``) as of the last move of the
    window: call ``gamification.services.leaderboard_age`` first (the page does, so its GET
    writes). Two queries, index scans of the board's partial index, whatever the ledger holds.
    """
    board = Profile.objects.filter(leaderboard_opt_in=True, weekly_xp__gt=0)
    top = list(
        board.order_by("-weekly_xp", "user_id").values_list("user_id", "weekly_xp", "display_name")[
            :LEADERBOARD_SIZE
        ]
    )
    rows = [
        LeaderboardRow(i, leaderboard_name(name), xp, user_id == viewer.pk)
        for i, (user_id, xp, name) in enumerate(top, start=1)
    ]
    viewer_rank = viewer_xp = None
    opted_in = viewer.profile.leaderboard_opt_in
    if opted_in:
        mine = OuterRef("weekly_xp")
        ahead = (
            board.filter(Q(weekly_xp__gt=mine) | Q(weekly_xp=mine, user_id__lt=OuterRef("user_id")))
            .order_by()
            .annotate(n=Func("pk", function="COUNT"))
            .values("n")
        )
        viewer_xp, before = (
            Profile.objects.filter(user_id=viewer.pk)
            .annotate(ahead=Subquery(ahead))
            .values_list("weekly_xp", "ahead")
            .get()
        )
        if viewer_xp:
            viewer_rank = before + 1
    return {
        "rows": rows,
        "opted_in": opted_in,
        "viewer_rank": viewer_rank,
        "viewer_xp": viewer_xp,
        "viewer_in_top": any(r.is_viewer for r in rows),
        "days": LEADERBOARD_DAYS,
    }
