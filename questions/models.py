"""The question bank: exams, their domains and objectives, questions and their choices.

Exam definitions are data: a new exam version is added in the admin (Exam, then its domains
inline, then objectives), not in code; saving it there also creates its "passed the
simulation" badge (``gamification.services.exam_badges_ensure``).
"""

import random

from django.conf import settings
from django.db import models

# Options of a multiple-choice question, items of an ordering question, rows of a match.
LETTERS = "ABCDEFGHIJ"
# Values a match question's rows choose from (a list shared by its rows).
MATCH_VALUE_MAX_LENGTH = 100


class Exam(models.Model):
    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(
        max_length=40, unique=True, help_text="As in the CSV file name: security, a1201, ..."
    )
    code = models.CharField("official code", max_length=20, unique=True)
    name = models.CharField(max_length=120)
    question_count = models.PositiveSmallIntegerField(default=90)
    time_limit_minutes = models.PositiveSmallIntegerField(default=90)
    pass_mark = models.PositiveSmallIntegerField()
    score_min = models.PositiveSmallIntegerField(default=100)
    score_max = models.PositiveSmallIntegerField(default=900)
    status = models.CharField(max_length=10, choices=Status, default=Status.CURRENT)
    retired_on = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the catalogue.")
    # Active questions, kept by database triggers (questions/counts.py): read on every
    # catalogue request, so it is never counted there.
    bank_size = models.PositiveIntegerField(default=0, editable=False)
    hold_for_review = models.BooleanField(
        "keep questions that need review out of simulations",
        default=False,
        help_text="A question reported by several learners waits for a staff review before a "
        "simulation may draw it again (practice still serves it).",
    )

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score_min__lt=models.F("score_max")),
                name="questions_exam_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=models.F("score_min"))
                & models.Q(pass_mark__lte=models.F("score_max")),
                name="questions_exam_pass_mark_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(question_count__gte=1), name="questions_exam_count_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status="current", retired_on__isnull=True)
                | models.Q(status="retired"),
                name="questions_exam_retired_on_only_when_retired",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_retired(self):
        return self.status == self.Status.RETIRED


class Domain(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="domains")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    weight_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["exam", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "number"], name="questions_domain_unique"),
            models.CheckConstraint(
                condition=models.Q(weight_percent__lte=100), name="questions_domain_weight_max"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="questions_domain_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.number}.0 {self.name}"


class Objective(models.Model):
    """An exam objective such as ``2.3``. Codes are labels: ``1.10`` is not ``1.1``."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=200, blank=True)
    # Numeric parts of the code, for natural ordering (1.2 before 1.10).
    sort_minor = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["domain__exam", "domain__number", "sort_minor", "code"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="questions_objective_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]*\.[1-9][0-9]*$"),
                name="questions_objective_code_format",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def save(self, *args, **kwargs):
        self.sort_minor = int(self.code.split(".", 1)[1]) if "." in self.code else 0
        super().save(*args, **kwargs)


def random_key():
    return random.random()


class Question(models.Model):
    """A question of one exam: multiple choice, or a performance-based question (PBQ).

    The kind says what a ``Choice`` holds and how the answer is scored:

    - ``choice``: options, one or more marked ``is_correct`` (all or nothing);
    - ``order``: items, each holding its correct ``position`` (1..n); scored per item in place;
    - ``match``: rows, each holding its correct ``value`` from ``match_values`` (the list the
      rows share, shown in its listed order); scored per row.

    Any kind may carry an ``exhibit`` (a log, a rule table) shown beside the text. The rules an
    edit must keep (how many elements, a key naming every item once, ...) live in
    ``questions.rules``, shared by the admin and the importer.
    """

    class Difficulty(models.IntegerChoices):
        EASY = 1, "Easy"
        MEDIUM = 2, "Medium"
        HARD = 3, "Hard"

    class Kind(models.TextChoices):
        CHOICE = "choice", "Multiple choice"
        ORDER = "order", "Order (performance-based)"
        MATCH = "match", "Match (performance-based)"

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="questions")
    # Denormalised from the objective so that selection by domain is one index scan.
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="questions")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="questions")
    external_id = models.CharField("question id", max_length=64)
    text = models.TextField()
    is_active = models.BooleanField("active", default=True)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty, null=True, blank=True)
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated.")
    kind = models.CharField(max_length=6, choices=Kind, default=Kind.CHOICE)
    exhibit = models.TextField(
        blank=True,
        help_text="Shown beside the question in a monospace block. Lines that start and end "
        "with | form a table (the first is the header row).",
    )
    # A match question's values, in the order shown; empty for the other kinds.
    match_values = models.JSONField("values", default=list, blank=True)
    # A random number fixed at creation: random selection is an index range scan on it.
    random_key = models.FloatField(default=random_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Correct choices, kept by database triggers (questions/counts.py) for the admin list.
    correct_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # The number of the question's latest revision (what a learner sees now): see
    # QuestionRevision. Kept here so that the importer reads it with the question.
    revision_number = models.PositiveIntegerField(default=1, editable=False)
    needs_review = models.BooleanField(
        default=False,
        help_text="Set when enough learners report a problem; cleared by staff after a check.",
    )
    # The figures of the question's current item analysis row (``ItemStat.is_current``), kept
    # by database triggers (questions/counts.py): the admin list filters and sorts by them.
    stat_facility = models.FloatField("facility", null=True, blank=True, editable=False)
    stat_discrimination = models.FloatField("discrimination", null=True, blank=True, editable=False)
    stat_flagged = models.BooleanField("flagged", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["exam", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "external_id"], name="questions_question_external_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(text__regex=r"\S"), name="questions_question_text_not_blank"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["choice", "order", "match"]),
                name="questions_question_kind_known",
            ),
            # Values belong to match questions, and a match question has them.
            models.CheckConstraint(
                condition=(models.Q(kind="match") & ~models.Q(match_values=[]))
                | (~models.Q(kind="match") & models.Q(match_values=[])),
                name="questions_question_values_only_for_match",
            ),
        ]
        indexes = [
            models.Index(
                fields=["domain", "is_active", "random_key"], name="questions_q_select_idx"
            ),
            # A simulation draws its performance-based questions first: a scan of this index.
            models.Index(
                fields=["exam", "kind", "is_active", "random_key"], name="questions_q_kind_idx"
            ),
            # Exam-wide random picks (smart practice sets of any pool, study.sets).
            models.Index(
                fields=["exam", "is_active", "random_key"], name="questions_q_exam_random_idx"
            ),
            models.Index(fields=["correct_count"], name="questions_q_correct_idx"),
            models.Index(fields=["difficulty"], name="questions_q_difficulty_idx"),
            models.Index(fields=["stat_facility"], name="questions_q_facility_idx"),
            models.Index(fields=["stat_discrimination"], name="questions_q_discrimination_idx"),
            models.Index(fields=["stat_flagged"], name="questions_q_flagged_idx"),
        ]

    def __str__(self):
        return f"{self.external_id}: {self.text[:60]}"

    # Columns only the database writes (questions/counts.py): a save of an edited question
    # leaves them alone, so a value read before a concurrent change is never written back.
    KEPT_BY_DATABASE = frozenset(
        {"correct_count", "stat_facility", "stat_discrimination", "stat_flagged"}
    )

    def save(self, *args, **kwargs):
        # The one place a saved question takes its domain: always its objective's. (The
        # importer's bulk writes bypass save() and copy it from the same objective rows.)
        if self.objective_id:
            self.domain_id = self.objective.domain_id
        editing = not self._state.adding and not kwargs.get("force_insert")
        editing = editing and not self.get_deferred_fields()  # Django saves the loaded ones
        if editing and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.KEPT_BY_DATABASE
            ]
        super().save(*args, **kwargs)

    @property
    def is_pbq(self):
        return self.kind != self.Kind.CHOICE

    @property
    def exhibit_blocks(self):
        """The exhibit as tables and text blocks, for templates (``questions.rules``)."""
        from questions.rules import exhibit_blocks

        return exhibit_blocks(self.exhibit)


class Choice(models.Model):
    """An option (multiple choice), an item (order) or a row (match) of a question.

    Its key is ``is_correct`` for an option, ``position`` (1..n) for an item and ``value``
    for a row; the other two stay empty.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    letter = models.CharField(max_length=1)
    text = models.TextField()
    explanation = models.TextField(blank=True)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField("correct position", null=True, blank=True)
    value = models.CharField(
        "correct value", max_length=MATCH_VALUE_MAX_LENGTH, blank=True, default=""
    )

    class Meta:
        ordering = ["question", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "letter"], name="questions_choice_letter_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(letter__in=list(LETTERS)), name="questions_choice_letter_a_j"
            ),
            models.CheckConstraint(
                condition=models.Q(text__regex=r"\S"), name="questions_choice_text_not_blank"
            ),
            # One kind of key per element: a mark, a position or a value. (That the positions
            # of an order question run 1..n once each spans rows: questions.rules checks it. A
            # unique index would refuse the swap of two positions, which edits need.)
            models.CheckConstraint(
                condition=models.Q(position__isnull=True)
                | models.Q(position__gte=1, position__lte=len(LETTERS), is_correct=False, value=""),
                name="questions_choice_position_alone",
            ),
            models.CheckConstraint(
                condition=models.Q(value="") | models.Q(is_correct=False),
                name="questions_choice_value_alone",
            ),
        ]

    def __str__(self):
        return f"{self.letter}. {self.text[:60]}"


class QuestionRevision(models.Model):
    """What a learner saw of a question at one time: a new revision whenever its text, its
    choices or its key change (in the admin or by an import).

    ``snapshot`` is a JSON document (``questions.revisions.snapshot_build``) rather than
    columns, so that other question types and an exhibit extend it without a migration.
    Attempt items and reports point at the revision shown; statistics are per revision.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    snapshot = models.JSONField()

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="questions_revision_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="questions_revision_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.question_id} revision {self.number}"


class QuestionReport(models.Model):
    """A learner's report of a problem with a question, and what staff made of it."""

    class Reason(models.TextChoices):
        WRONG_KEY = "wrong_key", "Wrong answer key"
        WORDING = "wording", "Typo or wording"
        OUTDATED = "outdated", "Outdated for this exam version"
        TWO_ANSWERS = "two_answers", "More than one right answer"
        EXPLANATION = "explanation", "Explanation wrong"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        FIXED = "fixed", "Fixed"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_reports"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    revision = models.ForeignKey(
        QuestionRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the learner met it (none from the bookmarks page) and their answer as stored there.
    attempt_item = models.ForeignKey(
        "exams.AttemptItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=20, choices=Reason)
    comment = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    staff_reply = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(status="open"),
                name="questions_report_one_open_per_learner",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(handled_at__isnull=False),
                name="questions_report_handled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="questions_report_user_time"),
            models.Index(fields=["question", "status"], name="questions_report_q_status"),
        ]

    def __str__(self):
        return f"Report on {self.question_id} by {self.user_id} ({self.status})"


class ItemStat(models.Model):
    """Item analysis of one question revision in one mode (``manage.py item_analysis``).

    ``is_current`` marks the row of the question's latest revision in practice: the one the
    admin question list filters and sorts by.

    ``exam`` and ``external_id`` are the question's, kept on the row so that an exam's item
    analysis page filters, sorts and counts with one index of this table, whatever the size of
    the bank: the writer sets them (``save`` fills them from the question), and a trigger on the
    question table carries an edit of either onto the rows (see ``questions/counts.py``).
    """

    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice"
        SIMULATION = "simulation", "Simulation"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="item_stats")
    # The question's (kept by the database): the per-exam page's filter and order.
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="+", editable=False)
    external_id = models.CharField("question id", max_length=64, editable=False)
    revision = models.ForeignKey(
        QuestionRevision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    revision_number = models.PositiveIntegerField()
    mode = models.CharField(max_length=12, choices=Mode)
    responses = models.PositiveIntegerField()
    facility = models.FloatField(null=True, blank=True)
    discrimination = models.FloatField(null=True, blank=True)
    median_seconds = models.FloatField(null=True, blank=True)
    # letter -> share of learners who chose it
    option_shares = models.JSONField(default=dict, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    # one-line reasons, e.g. "facility 0.98 > 0.95: too easy"
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    is_current = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["question", "revision_number", "mode"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "revision_number", "mode"], name="questions_itemstat_unique"
            ),
            models.UniqueConstraint(
                fields=["question"],
                condition=models.Q(is_current=True),
                name="questions_itemstat_one_current",
            ),
        ]
        indexes = [
            # The per-exam item analysis page: flagged first, then by question id.
            models.Index(
                fields=["exam", "-flagged", "external_id", "-revision_number", "mode"],
                name="questions_itemstat_page_idx",
            ),
        ]

    def __str__(self):
        return f"{self.question_id} r{self.revision_number} {self.mode}"

    def save(self, *args, **kwargs):
        if self.exam_id is None or not self.external_id:
            self.exam_id, self.external_id = Question.objects.values_list(
                "exam_id", "external_id"
            ).get(pk=self.question_id)
        super().save(*args, **kwargs)
