"""The pure rules of progress: levels, days and streaks, and badge rules over ``LearnerFacts``.

Both ``gamification.services`` (the writes) and ``gamification.selectors`` (the pages) use
this module; it writes nothing. ``LearnerFacts`` reads (lazily, one query per fact) what the
badge rules look at.

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
    1 XP per answered question, 2 more per correct answer; 10 XP for finishing an attempt in
    which at least half of the questions were answered (and at least one); 50 XP for passing
    an exam simulation (which must count in the same way); 25 XP the first time a day's
    answers reach the daily goal; each badge adds its own ``xp_reward``.

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

import enum
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from exams.models import Attempt, AttemptItem, DomainTally
from exams.rules import RECENT_WINDOW, recent_figures
from gamification.models import Badge, DailyActivity

if TYPE_CHECKING:  # accounts.models reads FREEZES_MAX from here for its check constraint
    from accounts.models import Profile

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
MASTERY_WINDOW = RECENT_WINDOW

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


def local_day(*, profile: "Profile", at: datetime) -> date:
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

    # The rules' figures, for pages that explain them (no literals in templates).
    freezes_max: int = FREEZES_MAX
    freeze_every_days: int = FREEZE_EVERY_DAYS

    @property
    def at_risk(self) -> bool:
        return self.current > 0 and not self.active_today


class StreakGap(enum.Enum):
    """How the learner's last active day stands to a given local day."""

    SAME_DAY = "same day"  # already active that day (or an earlier date after a move of zone)
    NEXT_DAY = "next day"  # the day after the last active one: the streak grows
    BRIDGED = "bridged"  # exactly one day missed and a freeze held: the freeze covers it
    BROKEN = "broken"  # anything else (or never active): the streak starts again


def streak_gap(*, last: date | None, day: date, current: int, freezes: int) -> StreakGap:
    """The one statement of the gap, freeze and reset rules (see the module docstring)."""
    if last is None:
        return StreakGap.BROKEN
    gap = (day - last).days
    if gap <= 0:
        return StreakGap.SAME_DAY
    if gap == 1:
        return StreakGap.NEXT_DAY
    if gap == 2 and freezes > 0 and current > 0:
        return StreakGap.BRIDGED
    return StreakGap.BROKEN


def freeze_earned(*, current: int, freezes: int) -> bool:
    """Whether reaching a streak of ``current`` days earns a freeze (one per cycle, capped)."""
    return current % FREEZE_EVERY_DAYS == 0 and freezes < FREEZES_MAX


@dataclass(frozen=True)
class StreakStep:
    """The streak after the first answer of a new active day (see the module docstring)."""

    current: int
    longest: int
    freezes: int
    covered: date | None  # the missed day a freeze covered
    freeze_earned: bool


def streak_step(
    *, last: date | None, day: date, current: int, longest: int, freezes: int
) -> StreakStep | None:
    """How an answer on local ``day`` moves the streak; None when the day is already active."""
    gap = streak_gap(last=last, day=day, current=current, freezes=freezes)
    if gap is StreakGap.SAME_DAY:
        return None
    covered = None
    if gap is StreakGap.NEXT_DAY:
        current += 1
    elif gap is StreakGap.BRIDGED:
        covered = last + timedelta(days=1)
        freezes -= 1
        current += 1
    else:
        current = 1
    earned = freeze_earned(current=current, freezes=freezes)
    freezes += int(earned)
    return StreakStep(current, max(longest, current), freezes, covered, earned)


def streak_display(*, profile: "Profile", today: date) -> StreakView:
    """The current streak as of the learner's local ``today``, without writing anything."""
    last = profile.last_activity_date
    current, longest, freezes = (
        profile.current_streak,
        profile.longest_streak,
        profile.streak_freezes,
    )
    gap = streak_gap(last=last, day=today, current=current, freezes=freezes)
    if gap is StreakGap.SAME_DAY:
        return StreakView(current, longest, freezes, active_today=True)
    if gap is StreakGap.NEXT_DAY:
        return StreakView(current, longest, freezes, active_today=False)
    if gap is StreakGap.BRIDGED:
        covers = last + timedelta(days=1)
        return StreakView(current, longest, freezes - 1, active_today=False, freeze_covers=covers)
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
    what the learner had done at that moment and nothing later; it passes ``replay=True``,
    which the recent windows need (they are kept for the present only).
    """

    def __init__(
        self,
        *,
        profile: "Profile",
        at: datetime | None = None,
        pending: DailyActivity | None = None,
        replay: bool = False,
    ):
        self.profile = profile
        self.replay = replay
        self.user_id = profile.user_id
        self.at = at
        self.pending = pending  # the day row of the event being applied, not saved yet

    def _finished(self):
        attempts = Attempt.objects.filter(
            user_id=self.user_id, status=Attempt.Status.SUBMITTED, counted=True
        )
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
        """Per domain: (answers, correct) over the learner's last ``MASTERY_WINDOW`` answers.

        Live, these are the windows kept per domain (``DomainTally.recent``, merged when each
        attempt is submitted): a few rows whatever the history. Replaying history
        (``replay=True``) ranks the answers of the attempts submitted by ``at`` instead.
        """
        if not self.replay:
            tallies = DomainTally.objects.filter(user_id=self.user_id)
            return {
                domain_id: recent_figures(window)
                for domain_id, window in tallies.values_list("domain_id", "recent")
            }
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
