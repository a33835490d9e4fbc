"""Reads on learners' accounts."""

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet

from accounts.models import User, UserManager


def users_with_address(*, email: str) -> QuerySet[User]:
    """The accounts that ``email`` belongs to: their login address, or one they verified.

    An address an account has only added, without following its confirmation link, belongs to
    nobody yet: it neither signs in nor keeps its owner from adding it.
    """
    email = UserManager.normalize_email(email)
    verified = EmailAddress.objects.filter(email__iexact=email, verified=True)
    return User.objects.filter(Q(email__iexact=email) | Q(pk__in=verified.values("user_id")))


def account_data(*, user: User) -> dict:
    """Everything Billings keeps about ``user``, as JSON-ready data ("download my data").

    Answers are the letters the learner chose. Whether an answer was right is given only for
    submitted attempts: an open simulation reveals nothing about its questions until it ends.
    A fixed number of queries, whatever the history.
    """
    from django.db.models import Prefetch

    from exams.models import Attempt, AttemptItem, Bookmark
    from gamification.models import DailyActivity, UserBadge, XPEntry

    profile = user.profile
    items = AttemptItem.objects.select_related("question").prefetch_related("question__choices")
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("exam")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("started_at", "pk")
    )

    def letters(item, ids):
        by_id = {choice.pk: choice.letter for choice in item.question.choices.all()}
        return sorted(by_id[pk] for pk in ids if pk in by_id)

    def attempt_row(attempt):
        finished = attempt.status == Attempt.Status.SUBMITTED
        return {
            "exam": attempt.exam.code,
            "mode": attempt.mode,
            "status": attempt.status,
            "started_at": attempt.started_at,
            "submitted_at": attempt.submitted_at,
            "question_count": attempt.question_count,
            "correct_count": attempt.correct_count if finished else None,
            "scaled_score": attempt.scaled_score if finished else None,
            "passed": attempt.passed if finished else None,
            "answers": [
                {
                    "position": item.position,
                    "question": item.question.external_id,
                    "question_text": item.question.text,
                    "selected": letters(item, item.selected),
                    "answered_at": item.answered_at,
                    "flagged": item.flagged,
                    "correct": item.is_correct if finished else None,
                }
                for item in attempt.items.all()
            ],
        }

    return {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "email_addresses": list(
                EmailAddress.objects.filter(user=user)
                .order_by("pk")
                .values("email", "verified", "primary")
            ),
        },
        "profile": {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "avatar_url": profile.avatar_url,
            "avatar_upload": profile.avatar_upload.name or "",
            "avatar_key": profile.avatar_key,
            "time_zone": profile.time_zone,
            "daily_goal": profile.daily_goal,
            "extra_time": profile.extra_time,
            "hide_countdown": profile.hide_countdown,
            "leaderboard_opt_in": profile.leaderboard_opt_in,
            "current_streak": profile.current_streak,
            "longest_streak": profile.longest_streak,
            "streak_freezes": profile.streak_freezes,
            "xp_total": profile.xp_total,
            "total_exams_taken": profile.total_exams_taken,
            "total_questions_answered": profile.total_questions_answered,
            "last_activity_date": profile.last_activity_date,
        },
        "attempts": [attempt_row(attempt) for attempt in attempts],
        "bookmarks": [
            {
                "exam": bookmark.question.exam.code,
                "question": bookmark.question.external_id,
                "question_text": bookmark.question.text,
                "created_at": bookmark.created_at,
            }
            for bookmark in Bookmark.objects.filter(user=user)
            .select_related("question__exam")
            .order_by("created_at", "pk")
        ],
        "xp_ledger": list(
            XPEntry.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("amount", "reason", "created_at", "attempt_id")
        ),
        "badges": [
            {"badge": award.badge.slug, "name": award.badge.name, "awarded_at": award.awarded_at}
            for award in UserBadge.objects.filter(user=user)
            .select_related("badge")
            .order_by("awarded_at", "pk")
        ],
        "daily_activity": list(
            DailyActivity.objects.filter(user=user)
            .order_by("day")
            .values("day", "answered", "correct", "xp", "goal_met", "freeze_used")
        ),
    }
