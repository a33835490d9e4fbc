"""Progress a learner can feel: days of activity, the XP ledger and badges.

The rules that fill these tables live in ``gamification.services``; the profile keeps the
running totals (streaks, freezes, ``xp_total``) so that pages read them without sums.
"""

from django.conf import settings
from django.db import models


class DailyActivity(models.Model):
    """One learner's study on one of their *local* days (midnight is the learner's midnight).

    A day with ``freeze_used`` is a single missed day that a streak freeze bridged; it usually
    has no answers.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_activity"
    )
    day = models.DateField(help_text="The learner's local date.")
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    xp = models.PositiveIntegerField("XP earned", default=0)
    goal_met = models.BooleanField(default=False)
    freeze_used = models.BooleanField(default=False)

    class Meta:
        ordering = ["user", "-day"]
        verbose_name_plural = "daily activity"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"], name="gamification_activity_day_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answered")),
                name="gamification_activity_correct_le_answered",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.day}: {self.answered} answered"


class Badge(models.Model):
    """A badge of the catalogue: data, edited in the admin, checked by a rule kind."""

    class Tier(models.TextChoices):
        BRONZE = "bronze", "Bronze"
        SILVER = "silver", "Silver"
        GOLD = "gold", "Gold"
        PLATINUM = "platinum", "Platinum"

    class Rule(models.TextChoices):
        EMAIL_VERIFIED = "email_verified", "Email address verified"
        ATTEMPTS_FINISHED = "attempts_finished", "Attempts finished"
        CORRECT_ANSWERS = "correct_answers", "Correct answers"
        PERFECT_ATTEMPTS = "perfect_attempts", "Perfect scores on 10+ questions"
        HIGH_SCORE_ATTEMPTS = "high_score_attempts", "Scores of 90%+ on 10+ questions"
        ATTEMPTS_IN_ONE_EXAM = "attempts_in_one_exam", "Attempts finished in one exam"
        ATTEMPTS_IN_TWO_EXAMS = "attempts_in_two_exams", "Attempts finished in each of two exams"
        STREAK_DAYS = "streak_days", "Streak days"
        SIMULATION_PASSED = "simulation_passed", "Passed simulation"
        DOMAIN_MASTERY = "domain_mastery", "Domain mastery (% of the last 50 answers)"
        LEVEL_REACHED = "level_reached", "Level reached"
        REPORTS_ACCEPTED = "reports_accepted", "Problem reports accepted by staff"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200)
    icon = models.CharField(max_length=8, help_text="A short glyph shown in the badge medal.")
    tier = models.CharField(max_length=10, choices=Tier, default=Tier.BRONZE)
    xp_reward = models.PositiveIntegerField("XP reward", default=0)
    rule = models.CharField(max_length=30, choices=Rule)
    threshold = models.PositiveIntegerField(default=1)
    exam = models.ForeignKey(
        "questions.Exam",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="badges",
        help_text="Only for rules about one exam (a passed simulation).",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the badges page.")
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["position", "threshold", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1), name="gamification_badge_threshold_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(rule="simulation_passed") | models.Q(exam__isnull=False),
                name="gamification_badge_simulation_has_exam",
            ),
        ]

    def __str__(self):
        return self.name


class UserBadge(models.Model):
    """A badge a learner earned: at most once, whatever the races (unique constraint)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "badge"], name="gamification_badge_once"),
        ]

    def __str__(self):
        return f"{self.badge} for {self.user}"


class XPEntry(models.Model):
    """One award of XP. The profile's ``xp_total`` is always the sum of a learner's entries."""

    class Reason(models.TextChoices):
        ANSWERS = "answers", "Questions answered"
        ATTEMPT_FINISHED = "attempt_finished", "Attempt finished"
        SIMULATION_PASSED = "simulation_passed", "Simulation passed"
        DAILY_GOAL = "daily_goal", "Daily goal met"
        BADGE = "badge", "Badge earned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_entries"
    )
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=Reason)
    created_at = models.DateTimeField(help_text="When the event that earned it happened.")
    attempt = models.ForeignKey(
        "exams.Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    badge = models.ForeignKey(
        Badge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "XP entry"
        verbose_name_plural = "XP ledger"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=1), name="gamification_xp_amount_positive"
            ),
            # An attempt earns its finish bonus and its pass bonus once each.
            models.UniqueConstraint(
                fields=["attempt", "reason"],
                condition=models.Q(attempt__isnull=False),
                name="gamification_xp_attempt_reason_once",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="gamification_xp_user_time"),
            models.Index(fields=["created_at"], name="gamification_xp_time"),
        ]

    def __str__(self):
        return f"{self.amount} XP to {self.user} ({self.get_reason_display()})"


class LeaderboardWindow(models.Model):
    """The one row that says where the kept weekly XP (``Profile.weekly_xp``) starts.

    Each learner's ``weekly_xp`` is the sum of their XP entries created after ``aged_to``:
    triggers on the ledger add and subtract as entries come and go, and the leaderboard moves
    ``aged_to`` to its own window start when it is read (``gamification.weekly``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    aged_to = models.DateTimeField(help_text="Entries created at or before this are not kept.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="gamification_window_one_row"),
        ]

    def __str__(self):
        return f"Weekly XP kept after {self.aged_to}"
