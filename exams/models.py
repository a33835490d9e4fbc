"""Attempts at an exam and the questions drawn for them."""

from django.conf import settings
from django.db import models

from questions.models import Exam, Question, QuestionRevision


class Attempt(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice"
        SIMULATION = "simulation", "Exam simulation"
        DRILL = "drill", "Domain drill"
        REVIEW = "review", "Spaced review"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        ABANDONED = "abandoned", "Abandoned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    mode = models.CharField(max_length=12, choices=Mode)
    status = models.CharField(max_length=12, choices=Status, default=Status.IN_PROGRESS)
    # What the learner asked for (domains, objectives, bookmarks) so results can say it.
    scope = models.JSONField(default=dict, blank=True)
    question_count = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    extra_time = models.PositiveSmallIntegerField(default=100)
    submitted_at = models.DateTimeField(null=True, blank=True)
    current_position = models.PositiveSmallIntegerField(default=1)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set when submitted: whether the attempt counts toward progress (finish XP, "exams
    # taken", attempt badges); see ``exams.services.attempt_counts``.
    counted = models.BooleanField(default=False)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(mode="simulation", status="in_progress"),
                name="exams_one_open_simulation_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted", submitted_at__isnull=False)
                | ~models.Q(status="submitted"),
                name="exams_attempt_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(mode="simulation", deadline__isnull=False)
                | ~models.Q(mode="simulation"),
                name="exams_simulation_has_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(question_count__gte=1), name="exams_attempt_count_positive"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="exams_attempt_user_status")]

    def __str__(self):
        return f"{self.get_mode_display()} of {self.exam.code} by {self.user}"

    @property
    def is_open(self):
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_simulation(self):
        return self.mode == self.Mode.SIMULATION

    @property
    def gives_feedback(self):
        """Practice, drills and reviews explain each answer (at once, or at the end when the
        learner asked: ``feedback_at_end``); simulations only after submission."""
        return self.mode != self.Mode.SIMULATION

    @property
    def feedback_at_end(self):
        """A practice set whose key and explanations wait until it is submitted."""
        return self.gives_feedback and self.scope.get("feedback") == "end"

    @property
    def time_scaled(self):
        """A simulation with fewer questions than the exam, timed in proportion to them."""
        return (
            self.is_simulation
            and self.question_count < self.exam.question_count
            and not self.scope.get("full_time")
        )

    def is_past_deadline(self, now):
        return self.deadline is not None and now >= self.deadline

    def seconds_left(self, now):
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))

    @property
    def percent(self):
        if self.correct_count is None:
            return None
        return round(100 * self.correct_count / self.question_count)


class AttemptItem(models.Model):
    """One question of an attempt, with its shuffled choice order and the learner's answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # The revision shown (set when the attempt starts; empty for items older than revisions).
    revision = models.ForeignKey(
        QuestionRevision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Choice ids in the order shown to the learner (fixed for the attempt).
    choice_order = models.JSONField(default=list)
    # Choice ids the learner selected; empty while unanswered (and for a PBQ).
    selected = models.JSONField(default=list, blank=True)
    # A performance-based question's answer. Order: the choice id the learner put at each
    # position (``response[0]`` is first; null where no item was placed). Match: the value the
    # learner gave each row, in ``choice_order`` (null for a row left open).
    response = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # Credit earned, 0..1: the share of elements right for a PBQ (partial credit), 1 or 0 for
    # multiple choice. ``is_correct`` is full credit. Null while unanswered.
    score = models.FloatField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    # How sure the learner said they were (1 guess, 2 unsure, 3 sure; see study.rules).
    # Recorded, never scored.
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="exams_item_position_unique"
            ),
            models.UniqueConstraint(
                fields=["attempt", "question"], name="exams_item_question_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="exams_item_position_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=1),
                name="exams_item_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | models.Q(confidence__gte=1, confidence__lte=3),
                name="exams_item_confidence_valid",
            ),
        ]

    def __str__(self):
        return f"Item {self.position} of attempt {self.attempt_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="exams_bookmark_unique"),
        ]

    def __str__(self):
        return f"{self.user} bookmarked {self.question_id}"


class DomainTally(models.Model):
    """A learner's answers per domain over every submitted attempt: what readiness shows.

    Added to once, in the locked transaction that submits an attempt
    (``exams.services._finish_locked``), so the dashboard reads a handful of rows instead of
    grouping the learner's whole history, and the badges read the recent window instead of
    ranking it. Items count under the domain their question had when the attempt was
    submitted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="domain_tallies"
    )
    domain = models.ForeignKey("questions.Domain", on_delete=models.CASCADE, related_name="+")
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    # The newest ``exams.rules.RECENT_WINDOW`` answers, newest first, as
    # ``[microseconds since the epoch, item id, correct 0/1]``: what mastery badges look at.
    recent = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "domain"], name="exams_domain_tally_unique"),
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answered")),
                name="exams_domain_tally_correct_le_answered",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} in domain {self.domain_id}: {self.correct}/{self.answered}"
