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

Days
    Every date here is the learner's *local* date: ``at.astimezone(profile.tz).date()``. Streaks
    compare dates, never durations, so a 23- or 25-hour day at a daylight-saving change is one
    day, neither skipped nor counted twice.

Streaks and freezes
    A learner's current streak grows by one on the first answer of each local day that follows
    the previous active day. One streak freeze is earned each time the current streak reaches a
    multiple of 7 days (at most 2 held). When exactly one day was missed and a freeze is held,
    the freeze is spent on that day (a ``DailyActivity`` row with ``freeze_used``) and the
    streak carries on; otherwise a gap resets the streak to 1. Until the next answer the
    profile still holds the old number: ``streak_display`` gives what to show today.

XP (every award is an ``XPEntry``; ``Profile.xp_total`` is the sum of the ledger)
    1 XP per answered question, 2 more per correct answer; 10 XP for finishing an attempt;
    50 XP for passing an exam simulation; 25 XP the first time a day's answers reach the daily
    goal; each badge adds its own ``xp_reward``.

Levels
    Reaching level L needs 25 × L × (L − 1) XP in total: level 2 at 50 XP, 3 at 150, 4 at 300,
    5 at 500, 10 at 2,250, 25 at 15,000, 50 at 61,250. Each level asks 50 XP more than the
    one before (level L → L+1 costs 50 × L).

Badges
    Each active ``Badge`` has a rule kind (``Badge.Rule``) and a threshold; ``RULES`` maps a kind
    to a function giving the learner's progress. After each event the unearned badges of the
    kinds that event can move are checked; a badge is awarded at most once (unique constraint,
    inserted in a savepoint so that a concurrent award is neither duplicated nor an error).
    Answers are the hot path, so there only kinds that actually moved are looked at, and only
    badges whose threshold the new figure could have reached: correct answers (bounded by the
    questions answered, which they never exceed) after a correct answer, streak days when the
    longest streak grew, level when the level rose. A wrong answer on an ordinary day reads no
    badge at all. (A badge added to the catalogue after a learner passed its threshold is
    therefore awarded when its kind next moves, or by ``rebuild_progress``.)
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from accounts.models import Profile
from exams.models import Attempt, AttemptItem
from gamification.models import Badge, DailyActivity, UserBadge, XPEntry

XP_PER_ANSWER = 1
XP_PER_CORRECT = 2
XP_ATTEMPT_FINISHED = 10
XP_SIMULATION_PASSED = 50
XP_DAILY_GOAL = 25
LEVEL_STEP = 25

FREEZE_EVERY_DAYS = 7
FREEZES_MAX = 2
SCORED_ATTEMPT_MIN_QUESTIONS = 10
HIGH_SCORE_PERCENT = 90
MASTERY_WINDOW = 50

Rule = Badge.Rule
ATTEMPT_RULES = frozenset(
    {
        Rule.ATTEMPTS_FINISHED,
        Rule.PERFECT_ATTEMPTS,
        Rule.HIGH_SCORE_ATTEMPTS,
        Rule.ATTEMPTS_IN_ONE_EXAM,
        Rule.ATTEMPTS_IN_TWO_EXAMS,
        Rule.SIMULATION_PASSED,
        Rule.DOMAIN_MASTERY,
        Rule.LEVEL_REACHED,
    }
)
EMAIL_RULES = frozenset({Rule.EMAIL_VERIFIED, Rule.LEVEL_REACHED})


# Levels ----------------------------------------------------------------------------------


def level_xp_floor(level: int) -> int:
    """Total XP needed to reach ``level`` (level 1 needs none)."""
    return LEVEL_STEP * level * (level - 1)


def level_for(xp: int) -> int:
    """The level a learner with ``xp`` total XP has reached (1 or more)."""
    level = (1 + math.isqrt(1 + 4 * (max(xp, 0) // LEVEL_STEP))) // 2
    while level_xp_floor(level + 1) <= xp:  # guard against rounding at the boundary
        level += 1
    while level > 1 and level_xp_floor(level) > xp:
        level -= 1
    return level


@dataclass(frozen=True)
class LevelProgress:
    level: int
    xp_total: int
    floor: int
    next_floor: int

    @property
    def into_level(self) -> int:
        return self.xp_total - self.floor

    @property
    def span(self) -> int:
        return self.next_floor - self.floor

    @property
    def to_next(self) -> int:
        return self.next_floor - self.xp_total

    @property
    def percent(self) -> int:
        return int(100 * self.into_level / self.span)


def level_progress(*, xp: int) -> LevelProgress:
    level = level_for(xp)
    return LevelProgress(level, xp, level_xp_floor(level), level_xp_floor(level + 1))


# Days and streaks ------------------------------------------------------------------------


def local_day(*, profile: Profile, at: datetime) -> date:
    """The learner's local date at instant ``at`` (midnight is the learner's midnight)."""
    return at.astimezone(profile.tz).date()


@dataclass(frozen=True)
class StreakView:
    """What to show today: the stored streak may be stale until the learner's next answer."""

    current: int
    longest: int
    freezes: int
    active_today: bool
    # A single missed day (yesterday) that a held freeze will cover at the next answer.
    freeze_covers: date | None = None

    @property
    def at_risk(self) -> bool:
        return self.current > 0 and not self.active_today


def streak_display(*, profile: Profile, today: date) -> StreakView:
    """The current streak as of the learner's local ``today``, without writing anything."""
    last = profile.last_activity_date
    longest, freezes = profile.longest_streak, profile.streak_freezes
    if last is None:
        return StreakView(0, longest, freezes, active_today=False)
    gap = (today - last).days
    if gap <= 1:
        return StreakView(profile.current_streak, longest, freezes, active_today=gap <= 0)
    if gap == 2 and freezes > 0 and profile.current_streak > 0:
        return StreakView(
            profile.current_streak,
            longest,
            freezes - 1,
            active_today=False,
            freeze_covers=last + timedelta(days=1),
        )
    return StreakView(0, longest, freezes, active_today=False)


# Facts and badge rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    current: int
    target: int
    text: str

    @property
    def earned(self) -> bool:
        return self.current >= self.target

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.current / self.target)) if self.target else 100


class LearnerFacts:
    """What the badge rules look at, read lazily (one query per fact) and as of ``at``.

    ``at`` bounds the attempts that count, so that ``rebuild_progress`` replaying history sees
    what the learner had done at that moment and nothing later.
    """

    def __init__(
        self,
        *,
        profile: Profile,
        at: datetime | None = None,
        pending: DailyActivity | None = None,
    ):
        self.profile = profile
        self.user_id = profile.user_id
        self.at = at
        self.pending = pending  # the day row of the event being applied, not saved yet

    def _finished(self):
        attempts = Attempt.objects.filter(user_id=self.user_id, status=Attempt.Status.SUBMITTED)
        if self.at is not None:
            attempts = attempts.filter(submitted_at__lte=self.at)
        return attempts

    @cached_property
    def attempt_counts(self) -> dict:
        scored = Q(question_count__gte=SCORED_ATTEMPT_MIN_QUESTIONS)
        return self._finished().aggregate(
            finished=Count("id"),
            perfect=Count("id", filter=scored & Q(correct_count=F("question_count"))),
            high=Count(
                "id",
                filter=scored
                & Q(correct_count__gte=F("question_count") * HIGH_SCORE_PERCENT / 100.0),
            ),
        )

    @cached_property
    def attempts_per_exam(self) -> dict[int, int]:
        rows = (
            self._finished().values("exam_id").annotate(n=Count("id")).values_list("exam_id", "n")
        )
        return dict(rows)

    @cached_property
    def passed_exam_ids(self) -> set[int]:
        rows = self._finished().filter(mode=Attempt.Mode.SIMULATION, passed=True)
        return set(rows.values_list("exam_id", flat=True))

    @cached_property
    def correct_total(self) -> int:
        rows = DailyActivity.objects.filter(user_id=self.user_id)
        if self.pending is None:
            return rows.aggregate(n=Sum("correct"))["n"] or 0
        others = rows.exclude(day=self.pending.day).aggregate(n=Sum("correct"))["n"] or 0
        return others + self.pending.correct

    @cached_property
    def reports_accepted(self) -> int:
        """Problem reports of the learner that staff accepted or fixed."""
        from questions.models import QuestionReport

        accepted = (QuestionReport.Status.ACCEPTED, QuestionReport.Status.FIXED)
        reports = QuestionReport.objects.filter(user_id=self.user_id, status__in=accepted)
        if self.at is not None:
            reports = reports.filter(handled_at__lte=self.at)
        return reports.count()

    @cached_property
    def email_verified(self) -> bool:
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(user_id=self.user_id, verified=True).exists()

    @cached_property
    def domain_windows(self) -> dict[int, tuple[int, int]]:
        """Per domain: (answers, correct) over the learner's last ``MASTERY_WINDOW`` answers."""
        items = AttemptItem.objects.filter(
            attempt__user_id=self.user_id,
            attempt__status=Attempt.Status.SUBMITTED,
            answered_at__isnull=False,
            is_correct__isnull=False,
        )
        if self.at is not None:
            items = items.filter(attempt__submitted_at__lte=self.at)
        ranked = items.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("question__domain_id")],
                order_by=[F("answered_at").desc(), F("id").desc()],
            )
        ).filter(rank__lte=MASTERY_WINDOW)
        windows: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for domain_id, is_correct in ranked.values_list("question__domain_id", "is_correct"):
            windows[domain_id][0] += 1
            windows[domain_id][1] += int(is_correct)
        return {domain_id: (n, c) for domain_id, (n, c) in windows.items()}

    @property
    def level(self) -> int:
        return level_for(self.profile.xp_total)  # live: badge rewards raise it mid-event


def _count_rule(fact):
    def rule(facts: LearnerFacts, badge: Badge) -> Progress:
        current = fact(facts)
        return Progress(
            current, badge.threshold, f"{min(current, badge.threshold)} of {badge.threshold}"
        )

    return rule


def _one_exam_rule(facts: LearnerFacts, badge: Badge) -> Progress:
    counts = facts.attempts_per_exam
    current = counts.get(badge.exam_id, 0) if badge.exam_id else max(counts.values(), default=0)
    t = badge.threshold
    return Progress(current, t, f"{min(current, t)} of {t} attempts in your busiest exam")


def _two_exams_rule(facts: LearnerFacts, badge: Badge) -> Progress:
    t = badge.threshold
    top = [*sorted(facts.attempts_per_exam.values(), reverse=True)[:2], 0, 0]
    current = min(top[0], t) + min(top[1], t)
    return Progress(current, 2 * t, f"{min(top[0], t)} and {min(top[1], t)} of {t} each")


def _simulation_rule(facts: LearnerFacts, badge: Badge) -> Progress:
    passed = int(badge.exam_id in facts.passed_exam_ids)
    return Progress(passed, 1, "Passed" if passed else "Not passed yet")


def _mastery_rule(facts: LearnerFacts, badge: Badge) -> Progress:
    full = [
        100 * correct // answers
        for answers, correct in facts.domain_windows.values()
        if answers >= MASTERY_WINDOW
    ]
    if full:
        best = max(full)
        return Progress(best, badge.threshold, f"Best domain: {best}% of the last {MASTERY_WINDOW}")
    most = max((answers for answers, _ in facts.domain_windows.values()), default=0)
    return Progress(0, badge.threshold, f"{most} of {MASTERY_WINDOW} answers in one domain so far")


def _email_rule(facts: LearnerFacts, badge: Badge) -> Progress:
    verified = int(facts.email_verified)
    return Progress(verified, 1, "Verified" if verified else "Confirm your email address")


RULES = {
    Rule.EMAIL_VERIFIED: _email_rule,
    Rule.ATTEMPTS_FINISHED: _count_rule(lambda f: f.attempt_counts["finished"]),
    Rule.CORRECT_ANSWERS: _count_rule(lambda f: f.correct_total),
    Rule.PERFECT_ATTEMPTS: _count_rule(lambda f: f.attempt_counts["perfect"]),
    Rule.HIGH_SCORE_ATTEMPTS: _count_rule(lambda f: f.attempt_counts["high"]),
    Rule.ATTEMPTS_IN_ONE_EXAM: _one_exam_rule,
    Rule.ATTEMPTS_IN_TWO_EXAMS: _two_exams_rule,
    Rule.STREAK_DAYS: _count_rule(lambda f: f.profile.longest_streak),
    Rule.SIMULATION_PASSED: _simulation_rule,
    Rule.DOMAIN_MASTERY: _mastery_rule,
    Rule.LEVEL_REACHED: _count_rule(lambda f: f.level),
    Rule.REPORTS_ACCEPTED: _count_rule(lambda f: f.reports_accepted),
}


def badge_progress(*, badge: Badge, facts: LearnerFacts) -> Progress:
    return RULES[badge.rule](facts, badge)


# One event of one learner ----------------------------------------------------------------


class _Event:
    """An event being applied: the locked profile, the day's row and what to announce."""

    def __init__(self, *, user_id: int, at: datetime):
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
        last = profile.last_activity_date
        if last is not None and day <= last:
            return  # same day (or an earlier date after a change of time zone)
        gap = None if last is None else (day - last).days
        if gap == 1:
            profile.current_streak += 1
        elif gap == 2 and profile.streak_freezes > 0 and profile.current_streak > 0:
            missed = last + timedelta(days=1)
            profile.streak_freezes -= 1
            DailyActivity.objects.update_or_create(
                user_id=profile.user_id, day=missed, defaults={"freeze_used": True}
            )
            profile.current_streak += 1
            self.messages.append(
                f"A streak freeze covered {missed:%A %-d %B}: your streak lives on."
            )
        else:
            profile.current_streak = 1
        if profile.current_streak % FREEZE_EVERY_DAYS == 0 and profile.streak_freezes < FREEZES_MAX:
            profile.streak_freezes += 1
            self.messages.append(
                f"{profile.current_streak}-day streak: you earned a streak freeze."
            )
        profile.longest_streak = max(profile.longest_streak, profile.current_streak)
        profile.last_activity_date = day

    def badges_check(self, rules: frozenset) -> None:
        candidates = list(
            Badge.objects.filter(is_active=True, rule__in=rules)
            .exclude(awards__user_id=self.profile.user_id)
            .order_by("position", "threshold", "id")
        )
        facts = LearnerFacts(profile=self.profile, at=self.at, pending=self._activity)
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
        facts = LearnerFacts(profile=self.profile, at=self.at, pending=self._activity)
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
        self.profile.save(
            update_fields=[
                "current_streak",
                "longest_streak",
                "streak_freezes",
                "xp_total",
                "total_questions_answered",
                "last_activity_date",
            ]
        )
        if user is not None and "profile" in user._state.fields_cache:
            # Keep the caller's cached profile in step with what was just saved.
            user.profile = self.profile
        return self.messages


# The interface -------------------------------------------------------------------------


def activity_record(*, user, answered: int, correct: int, at: datetime) -> list[str]:
    """Count ``answered`` questions (``correct`` right) at instant ``at`` for ``user``."""
    if answered <= 0:
        return []
    correct = max(0, min(correct, answered))
    with transaction.atomic(savepoint=False):
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
            event.messages.append(
                f"Daily goal met: {event.profile.daily_goal} questions today (+{XP_DAILY_GOAL} XP)"
            )
        bounds = {}
        if correct:
            bounds[Rule.CORRECT_ANSWERS] = event.profile.total_questions_answered
        if event.profile.longest_streak > longest_before:
            bounds[Rule.STREAK_DAYS] = event.profile.longest_streak
        event.badges_check_moved(bounds)
        return event.close(user=user)


def attempt_finished(*, attempt) -> list[str]:
    """Award the finish (and pass) bonus of a just-submitted attempt and check its badges."""
    if attempt.status != Attempt.Status.SUBMITTED or attempt.submitted_at is None:
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
    from django.core.exceptions import ValidationError

    from gamification.avatars import AVATARS_BY_KEY
    from gamification.selectors import avatar_unlocked_keys

    if key not in AVATARS_BY_KEY:
        raise ValidationError("There is no such avatar.", code="unknown_avatar")
    if key not in avatar_unlocked_keys(user=user):
        raise ValidationError("Earn the badge to unlock this avatar first.", code="locked_avatar")
    Profile.objects.filter(user=user).update(avatar_key=key)
    if "profile" in user._state.fields_cache:
        user.profile.avatar_key = key


# Rebuild from history -----------------------------------------------------------------


def progress_rebuild(*, user) -> None:
    """Recompute activity, streaks, freezes, XP and badges of ``user`` from recorded history.

    Replays the events through the same functions as the incremental path, in time order:
    answers (as described in the module docstring), finished attempts and the email
    confirmation (at its recorded award time, or when the learner joined if it has none).
    """
    with transaction.atomic():
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
        profile.save()

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
        for at, _order, _tie, kind, payload in events:
            if kind == "answers":
                activity_record(user=user, answered=payload[0], correct=payload[1], at=at)
            elif kind == "finish":
                attempt_finished(attempt=payload)
            else:
                email_verified_record(user=user, at=at)
