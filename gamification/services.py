"""Streaks, XP and badges. Called by the exam services (never by signals).

Interface used by ``exams.services`` (keep these signatures):

- ``activity_record(*, user, answered, correct, at)``: the learner answered ``answered``
  questions (``correct`` of them right) at instant ``at``. Owns the profile's
  ``total_questions_answered`` and ``last_activity_date`` (the learner's local date).
  Returns a list of short announcement strings (badges earned, goal met) for toasts.
- ``attempt_finished(*, attempt)``: the attempt was just submitted (exactly once) and saved
  with its ``submitted_at``, ``correct_count`` and, for simulations, ``passed``.
  Returns a list of announcement strings.

Both run inside the caller's transaction (or one of their own when called alone) and lock
the learner's profile row first, so that two events of one learner (two tabs, two attempts
finishing at once) are applied one after the other. ``activity_record`` runs on every practice
answer, so it opens no savepoint of its own: an error inside it rolls back the caller's whole
transaction (the answer too), which is what the exam engine wants anyway.

How the exam engine reports answers (``rebuild_progress`` replays history the same way):
practice and drill answers one call per answer, at the answer's ``answered_at``; a simulation's
answers in one call when it is submitted, at ``submitted_at`` (answers may change until then
and correctness stays hidden).

The rules themselves (days, streaks and freezes, XP, levels, badges) are stated in
``gamification.rules``, which the pages' selectors use too.
"""

from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q

from accounts.models import Profile
from exams.models import Attempt, AttemptItem
from gamification import weekly
from gamification.avatars import AVATARS_BY_KEY
from gamification.models import Badge, DailyActivity, LeaderboardWindow, UserBadge, XPEntry
from gamification.rules import (
    ATTEMPT_RULES,
    EMAIL_RULES,
    XP_ATTEMPT_FINISHED,
    XP_DAILY_GOAL,
    XP_PER_ANSWER,
    XP_PER_CORRECT,
    XP_SIMULATION_PASSED,
    LearnerFacts,
    Rule,
    StreakStep,
    badge_progress,
    level_for,
    local_day,
    streak_step,
)
from gamification.selectors import avatar_unlocked_keys

# The profile's figures that this module owns: saved after every event, replayed by a rebuild.
PROFILE_FIELDS = (
    "current_streak",
    "longest_streak",
    "streak_freezes",
    "xp_total",
    "total_questions_answered",
    "last_activity_date",
)

# Set while ``progress_rebuild`` replays history: the badge facts then read as of each event.
_REPLAY: ContextVar[bool] = ContextVar("gamification_replay", default=False)

# One event of one learner ----------------------------------------------------------------


class _Event:
    """An event being applied: the locked profile, the day's row and what to announce."""

    def __init__(self, *, user_id: int, at: datetime):
        self.replay = _REPLAY.get()
        self.profile = Profile.objects.select_for_update().get(user_id=user_id)
        self.at = at
        self.day = local_day(profile=self.profile, at=at)
        self.level_before = level_for(self.profile.xp_total)
        self.messages: list[str] = []
        self._activity: DailyActivity | None = None

    @property
    def activity(self) -> DailyActivity:
        if self._activity is None:
            self._activity, _ = DailyActivity.objects.get_or_create(
                user_id=self.profile.user_id, day=self.day
            )
        return self._activity

    def xp_award(self, amount: int, reason: str, *, attempt=None, badge=None) -> None:
        if amount <= 0:
            return
        XPEntry.objects.create(
            user_id=self.profile.user_id,
            amount=amount,
            reason=reason,
            created_at=self.at,
            attempt=attempt,
            badge=badge,
        )
        self.profile.xp_total += amount
        self.activity.xp += amount

    def streak_advance(self) -> None:
        profile, day = self.profile, self.day
        step = streak_step(
            last=profile.last_activity_date,
            day=day,
            current=profile.current_streak,
            longest=profile.longest_streak,
            freezes=profile.streak_freezes,
        )
        if step is None:
            return
        if step.covered is not None:
            DailyActivity.objects.update_or_create(
                user_id=profile.user_id, day=step.covered, defaults={"freeze_used": True}
            )
        profile.current_streak, profile.longest_streak = step.current, step.longest
        profile.streak_freezes, profile.last_activity_date = step.freezes, day
        self.messages += streak_messages(step)

    def badges_check(self, rules: frozenset) -> None:
        candidates = list(
            Badge.objects.filter(is_active=True, rule__in=rules)
            .exclude(awards__user_id=self.profile.user_id)
            .order_by("position", "threshold", "id")
        )
        facts = LearnerFacts(
            profile=self.profile, at=self.at, pending=self._activity, replay=self.replay
        )
        while candidates:
            earned = [b for b in candidates if badge_progress(badge=b, facts=facts).earned]
            if not earned:
                break
            for badge in earned:
                candidates.remove(badge)
                self.badge_award(badge)
            # Rewards raise XP, which may reach a level badge: look again.

    def badges_check_moved(self, bounds: dict) -> None:
        """Check only the kinds in ``bounds`` (rule -> highest threshold reachable now).

        The level is added here whenever it has risen (also by a badge's own reward), so a
        level badge is checked once per level reached, never on an ordinary answer.
        """
        facts = LearnerFacts(
            profile=self.profile, at=self.at, pending=self._activity, replay=self.replay
        )
        checked_level = self.level_before
        while True:
            level = level_for(self.profile.xp_total)
            if level > checked_level:
                bounds[Rule.LEVEL_REACHED] = checked_level = level
            if not bounds:
                return
            reachable = Q()
            for rule, bound in bounds.items():
                reachable |= Q(rule=rule, threshold__lte=bound)
            candidates = (
                Badge.objects.filter(reachable, is_active=True)
                .exclude(awards__user_id=self.profile.user_id)
                .order_by("position", "threshold", "id")
            )
            earned = [b for b in candidates if badge_progress(badge=b, facts=facts).earned]
            for badge in earned:
                self.badge_award(badge)
            if level_for(self.profile.xp_total) <= checked_level:
                return
            bounds = {}  # the rewards raised the level: only the level badges can have moved

    def badge_award(self, badge: Badge) -> bool:
        try:
            with transaction.atomic():
                UserBadge.objects.create(
                    user_id=self.profile.user_id, badge=badge, awarded_at=self.at
                )
        except IntegrityError:
            return False  # awarded concurrently: once is enough
        reward = f" (+{badge.xp_reward} XP)" if badge.xp_reward else ""
        self.messages.append(f"Badge earned: {badge.name}{reward}")
        self.xp_award(badge.xp_reward, XPEntry.Reason.BADGE, badge=badge)
        return True

    def close(self, *, user=None) -> list[str]:
        level = level_for(self.profile.xp_total)
        if level > self.level_before:
            self.messages.append(f"Level {level} reached!")
        if self._activity is not None:
            self._activity.save()
        self.profile.save(update_fields=PROFILE_FIELDS)
        if user is not None and "profile" in user._state.fields_cache:
            # Keep the caller's cached profile in step with what was just saved.
            user.profile = self.profile
        return self.messages


def streak_messages(step: StreakStep) -> list[str]:
    messages = []
    if step.covered is not None:
        messages.append(f"A streak freeze covered {step.covered:%A %-d %B}: your streak lives on.")
    if step.freeze_earned:
        messages.append(f"{step.current}-day streak: you earned a streak freeze.")
    return messages


# The interface -------------------------------------------------------------------------


def activity_record(*, user, answered: int, correct: int, at: datetime) -> list[str]:
    """Count ``answered`` questions (``correct`` right) at instant ``at`` for ``user``.

    When the caller has the learner's profile loaded (``user.profile``, as the answer service
    does), an ordinary answer takes three statements (``_answers_fast``); otherwise, or when
    the profile changed since it was read, or a freeze is spent, the profile is locked and
    the event applied step by step.
    """
    if answered <= 0:
        return []
    correct = max(0, min(correct, answered))
    with transaction.atomic(savepoint=False):
        profile = user._state.fields_cache.get("profile")
        if profile is not None and not _REPLAY.get():
            messages = _answers_fast(
                user=user, profile=profile, answered=answered, correct=correct, at=at
            )
            if messages is not None:
                return messages
        event = _Event(user_id=user.pk, at=at)
        longest_before = event.profile.longest_streak
        event.streak_advance()
        event.profile.total_questions_answered += answered
        activity = event.activity
        activity.answered += answered
        activity.correct += correct
        event.xp_award(answered * XP_PER_ANSWER + correct * XP_PER_CORRECT, XPEntry.Reason.ANSWERS)
        if not activity.goal_met and activity.answered >= event.profile.daily_goal:
            activity.goal_met = True
            event.xp_award(XP_DAILY_GOAL, XPEntry.Reason.DAILY_GOAL)
            event.messages.append(_goal_message(event.profile))
        bounds = {}
        if correct:
            bounds[Rule.CORRECT_ANSWERS] = event.profile.total_questions_answered
        if event.profile.longest_streak > longest_before:
            bounds[Rule.STREAK_DAYS] = event.profile.longest_streak
        event.badges_check_moved(bounds)
        return event.close(user=user)


def _goal_message(profile) -> str:
    return f"Daily goal met: {profile.daily_goal} questions today (+{XP_DAILY_GOAL} XP)"


PROFILE_ADD = """
UPDATE accounts_profile SET
    current_streak = %s, longest_streak = %s, streak_freezes = %s, last_activity_date = %s,
    xp_total = xp_total + %s, total_questions_answered = total_questions_answered + %s
WHERE user_id = %s AND current_streak = %s AND longest_streak = %s AND streak_freezes = %s
    AND time_zone = %s AND daily_goal = %s AND {last}
RETURNING xp_total, total_questions_answered, {correct_due}, {streak_due}
"""
# Whether an active badge of a kind that moved, not earned yet, is within reach of the new
# figure (what ``badges_check_moved`` looks for): most answers read no badge at all.
BADGE_DUE = """EXISTS (
    SELECT 1 FROM gamification_badge b WHERE b.is_active = %s AND b.rule = %s
    AND b.threshold <= {figure}
    AND NOT EXISTS (
        SELECT 1 FROM gamification_userbadge u WHERE u.badge_id = b.id AND u.user_id = %s
    )
)"""
ACTIVITY_ADD = """
INSERT INTO gamification_dailyactivity (user_id, day, answered, correct, xp, goal_met, freeze_used)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (user_id, day) DO UPDATE SET
    answered = gamification_dailyactivity.answered + excluded.answered,
    correct = gamification_dailyactivity.correct + excluded.correct,
    xp = gamification_dailyactivity.xp + excluded.xp
RETURNING id, answered, correct, xp, goal_met, freeze_used
"""

XP_ADD = """
INSERT INTO gamification_xpentry (user_id, amount, reason, created_at) VALUES (%s, %s, %s, %s)
"""


def _answers_fast(*, user, profile, answered: int, correct: int, at: datetime) -> list | None:
    """Answers on an ordinary day in three statements: the profile (streak set from what was
    read, XP and count added, guarded by the streak figures read), the day's row (one
    upsert) and the XP entry. None, having written nothing, when the profile changed since
    it was read or a freeze is to be spent: the caller then applies the event under a lock.

    Goal, level and badges are looked at only when they can have moved.
    """
    day = local_day(profile=profile, at=at)
    last = profile.last_activity_date
    step = streak_step(
        last=last,
        day=day,
        current=profile.current_streak,
        longest=profile.longest_streak,
        freezes=profile.streak_freezes,
    )
    if step is not None and step.covered is not None:
        return None
    current, longest, freezes, new_last = (
        (step.current, step.longest, step.freezes, day)
        if step is not None
        else (profile.current_streak, profile.longest_streak, profile.streak_freezes, last)
    )
    gain = answered * XP_PER_ANSWER + correct * XP_PER_CORRECT
    streak_grew = longest > profile.longest_streak
    sql = PROFILE_ADD.format(
        last="last_activity_date IS NULL" if last is None else "last_activity_date = %s",
        correct_due=BADGE_DUE.format(figure="total_questions_answered") if correct else "%s",
        streak_due=BADGE_DUE.format(figure="longest_streak") if streak_grew else "%s",
    )
    params = [current, longest, freezes, new_last, gain, answered, user.pk]
    params += [profile.current_streak, profile.longest_streak, profile.streak_freezes]
    params += [profile.time_zone, profile.daily_goal] + ([] if last is None else [last])
    params += [True, Rule.CORRECT_ANSWERS, user.pk] if correct else [False]
    params += [True, Rule.STREAK_DAYS, user.pk] if streak_grew else [False]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None  # changed by another event of this learner since it was read
        xp_total, total_answered, correct_due, streak_due = row
        cursor.execute(ACTIVITY_ADD, [user.pk, day, answered, correct, gain, False, False])
        activity_id, *figures = cursor.fetchone()
    activity = DailyActivity(id=activity_id, user_id=user.pk, day=day)
    activity.answered, activity.correct, activity.xp, goal_met, freeze_used = figures
    activity.goal_met, activity.freeze_used = bool(goal_met), bool(freeze_used)
    created_at = XPEntry._meta.get_field("created_at").get_db_prep_save(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(XP_ADD, [user.pk, gain, XPEntry.Reason.ANSWERS.value, created_at])
    level_before = level_for(xp_total - gain)
    profile.current_streak, profile.longest_streak, profile.streak_freezes = (
        current,
        longest,
        freezes,
    )
    profile.last_activity_date, profile.xp_total = new_last, xp_total
    profile.total_questions_answered = total_answered
    messages = streak_messages(step) if step is not None else []
    if not activity.goal_met and activity.answered >= profile.daily_goal:
        goal = DailyActivity.objects.filter(pk=activity_id, goal_met=False)
        if goal.update(goal_met=True, xp=F("xp") + XP_DAILY_GOAL):
            XPEntry.objects.create(
                user_id=user.pk,
                amount=XP_DAILY_GOAL,
                reason=XPEntry.Reason.DAILY_GOAL,
                created_at=at,
            )
            Profile.objects.filter(user_id=user.pk).update(xp_total=F("xp_total") + XP_DAILY_GOAL)
            profile.xp_total += XP_DAILY_GOAL
            activity.goal_met, activity.xp = True, activity.xp + XP_DAILY_GOAL
            messages.append(_goal_message(profile))
    bounds = {}
    if correct_due:
        bounds[Rule.CORRECT_ANSWERS] = total_answered
    if streak_due:
        bounds[Rule.STREAK_DAYS] = longest
    if not bounds and level_for(profile.xp_total) == level_before:
        return messages
    # A badge or the level can have moved: check them under the lock, as any event does.
    event = _Event(user_id=user.pk, at=at)
    event.level_before, event._activity, event.messages = level_before, activity, messages
    event.badges_check_moved(bounds)
    return event.close(user=user)


def attempt_finished(*, attempt) -> list[str]:
    """Award the finish (and pass) bonus of a just-submitted attempt and check its badges.

    Nothing for an attempt that does not count (``exams.services.attempt_counts``: fewer than
    half of its questions answered): its answers earned their own XP already.
    """
    if attempt.status != Attempt.Status.SUBMITTED or attempt.submitted_at is None:
        return []
    if not attempt.counted:
        return []
    with transaction.atomic():
        event = _Event(user_id=attempt.user_id, at=attempt.submitted_at)
        reason = XPEntry.Reason.ATTEMPT_FINISHED
        if XPEntry.objects.filter(attempt=attempt, reason=reason).exists():
            return []  # already counted: finishing twice counts once
        event.xp_award(XP_ATTEMPT_FINISHED, reason, attempt=attempt)
        if attempt.mode == Attempt.Mode.SIMULATION and attempt.passed:
            event.xp_award(XP_SIMULATION_PASSED, XPEntry.Reason.SIMULATION_PASSED, attempt=attempt)
            event.messages.append(f"Simulation passed (+{XP_SIMULATION_PASSED} XP)")
        event.badges_check(ATTEMPT_RULES)
        return event.close()


def email_verified_record(*, user, at: datetime) -> list[str]:
    """The learner's email address was confirmed: award the badge for it."""
    with transaction.atomic():
        event = _Event(user_id=user.pk, at=at)
        event.badges_check(EMAIL_RULES)
        return event.close(user=user)


def report_accepted_record(*, user_id: int, at: datetime) -> list[str]:
    """Staff accepted a problem the learner reported: award the badge for it."""
    with transaction.atomic():
        event = _Event(user_id=user_id, at=at)
        event.badges_check(frozenset({Rule.REPORTS_ACCEPTED}))
        return event.close()


def avatar_choose(*, user, key: str) -> None:
    """Set the learner's built-in avatar; a locked or unknown one is a ``ValidationError``."""
    if key not in AVATARS_BY_KEY:
        raise ValidationError("There is no such avatar.", code="unknown_avatar")
    if key not in avatar_unlocked_keys(user=user):
        raise ValidationError("Earn the badge to unlock this avatar first.", code="locked_avatar")
    Profile.objects.filter(user=user).update(avatar_key=key)
    if "profile" in user._state.fields_cache:
        user.profile.avatar_key = key


# The catalogue -----------------------------------------------------------------------------

SIMULATION_BADGE_POSITION = 500


def exam_badge_ensure(*, exam) -> Badge:
    """The exam's "passed the simulation" badge, created when the exam has none.

    Called when staff save an exam in the admin (the documented way to add an exam version),
    so a new exam gets its badge like the exams seeded by migration. Idempotent: an existing
    badge, even one staff edited or switched off, is left as it is.
    """
    with transaction.atomic():
        badge = Badge.objects.filter(rule=Rule.SIMULATION_PASSED, exam=exam).first()
        if badge is not None:
            return badge
        last = (
            Badge.objects.filter(rule=Rule.SIMULATION_PASSED)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        badge, _ = Badge.objects.get_or_create(
            slug=f"simulation-passed-{exam.slug}",
            defaults={
                "name": f"{exam.code} ready",
                "description": f"Passed an exam simulation of {exam.name} ({exam.code}).",
                "icon": "✓",
                "tier": Badge.Tier.GOLD,
                "xp_reward": 100,
                "rule": Rule.SIMULATION_PASSED,
                "threshold": 1,
                "exam": exam,
                "position": (last or SIMULATION_BADGE_POSITION) + 1,
            },
        )
        return badge


# Rebuild from history -----------------------------------------------------------------


def progress_rebuild(*, user) -> None:
    """Recompute activity, streaks, freezes, XP and badges of ``user`` from recorded history.

    Replays the events through the same functions as the incremental path, in time order:
    answers (as described in the module docstring), finished attempts and the email
    confirmation (at its recorded award time, or when the learner joined if it has none).
    """
    with transaction.atomic():
        # Before the profile: the ledger's old entries are rewritten (see gamification.weekly).
        weekly.window_hold(connection=connection)
        profile = Profile.objects.select_for_update().get(user_id=user.pk)
        email_awarded = (
            UserBadge.objects.filter(user_id=user.pk, badge__rule=Rule.EMAIL_VERIFIED)
            .order_by("awarded_at")
            .values_list("awarded_at", flat=True)
            .first()
        )
        DailyActivity.objects.filter(user_id=user.pk).delete()
        XPEntry.objects.filter(user_id=user.pk).delete()
        UserBadge.objects.filter(user_id=user.pk).delete()
        for name in ("current_streak", "longest_streak", "streak_freezes", "xp_total"):
            setattr(profile, name, 0)
        profile.total_questions_answered = 0
        profile.last_activity_date = None
        profile.save(update_fields=list(PROFILE_FIELDS))

        # (at, order, tiebreak, kind, payload): answers before a finish at the same instant.
        events: list[tuple] = []
        practice_items = (
            AttemptItem.objects.filter(attempt__user_id=user.pk, answered_at__isnull=False)
            .exclude(attempt__mode=Attempt.Mode.SIMULATION)
            .values_list("id", "answered_at", "is_correct")
        )
        for item_id, answered_at, is_correct in practice_items:
            events.append((answered_at, 0, item_id, "answers", (1, int(bool(is_correct)))))
        finished = Attempt.objects.filter(
            user_id=user.pk, status=Attempt.Status.SUBMITTED, submitted_at__isnull=False
        ).annotate(
            n_answered=Count("items", filter=Q(items__answered_at__isnull=False)),
            n_correct=Count(
                "items", filter=Q(items__answered_at__isnull=False, items__is_correct=True)
            ),
        )
        for attempt in finished:
            if attempt.mode == Attempt.Mode.SIMULATION and attempt.n_answered:
                payload = (attempt.n_answered, attempt.n_correct)
                events.append((attempt.submitted_at, 0, attempt.pk, "answers", payload))
            events.append((attempt.submitted_at, 1, attempt.pk, "finish", attempt))
        if LearnerFacts(profile=profile).email_verified:
            at = email_awarded or user.date_joined
            events.append((at, 2, 0, "email", None))

        events.sort(key=lambda e: (e[0], e[1], e[2]))
        replaying = _REPLAY.set(True)
        try:
            _events_replay(user, events)
        finally:
            _REPLAY.reset(replaying)


def _events_replay(user, events: list[tuple]) -> None:
    for at, _order, _tie, kind, payload in events:
        if kind == "answers":
            activity_record(user=user, answered=payload[0], correct=payload[1], at=at)
        elif kind == "finish":
            attempt_finished(attempt=payload)
        else:
            email_verified_record(user=user, at=at)


# Leaderboard ------------------------------------------------------------------------------

# With no window row every entry is kept, as if the window started at the beginning of time.
_KEPT_FROM_THE_START = datetime(1, 1, 1, tzinfo=UTC)


def leaderboard_age(*, now: datetime) -> None:
    """Move the kept weekly XP to the window ending at ``now``: the leaderboard page's GET
    writes this, before it reads (``gamification.selectors.leaderboard``).

    Three statements under the window row's lock: read where the figures start, move every
    learner whose entries crossed the window's start since (one ``UPDATE ... FROM`` over those
    entries alone, whatever the ledger holds), write the new start. Concurrent reads take
    turns, and the later one finds nothing left to move.
    """
    start = weekly.window_start(now)
    with transaction.atomic():
        window = LeaderboardWindow.objects.select_for_update().filter(pk=1).first()
        if window is None:  # emptied by hand or a test's flush: every entry is kept
            LeaderboardWindow.objects.get_or_create(
                pk=1, defaults={"aged_to": _KEPT_FROM_THE_START}
            )
            window = LeaderboardWindow.objects.select_for_update().get(pk=1)
        weekly.window_move(connection=connection, aged_to=window.aged_to, to=start)
        LeaderboardWindow.objects.filter(pk=1).update(aged_to=start)


def leaderboard_rebuild(*, now: datetime) -> None:
    """Recompute every learner's weekly XP from the ledger, the window ending at ``now``."""
    with transaction.atomic():
        weekly.weekly_recount(connection=connection, now=now)
