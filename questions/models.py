"""The question bank: exams, their domains and objectives, questions and their choices.

Exam definitions are data: a new exam version is added in the admin (Exam, then its domains
inline, then objectives), not in code; saving it there also creates its "passed the
simulation" badge (``gamification.services.exam_badges_ensure``).
"""

import random

from django.db import models

LETTERS = "ABCDEF"


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
    class Difficulty(models.IntegerChoices):
        EASY = 1, "Easy"
        MEDIUM = 2, "Medium"
        HARD = 3, "Hard"

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="questions")
    # Denormalised from the objective so that selection by domain is one index scan.
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="questions")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="questions")
    external_id = models.CharField("question id", max_length=64)
    text = models.TextField()
    is_active = models.BooleanField("active", default=True)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty, null=True, blank=True)
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated.")
    # A random number fixed at creation: random selection is an index range scan on it.
    random_key = models.FloatField(default=random_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Correct choices, kept by database triggers (questions/counts.py) for the admin list.
    correct_count = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["exam", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "external_id"], name="questions_question_external_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(text__regex=r"\S"), name="questions_question_text_not_blank"
            ),
        ]
        indexes = [
            models.Index(
                fields=["domain", "is_active", "random_key"], name="questions_q_select_idx"
            ),
            models.Index(fields=["correct_count"], name="questions_q_correct_idx"),
            models.Index(fields=["difficulty"], name="questions_q_difficulty_idx"),
        ]

    def __str__(self):
        return f"{self.external_id}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        # The one place a saved question takes its domain: always its objective's. (The
        # importer's bulk writes bypass save() and copy it from the same objective rows.)
        if self.objective_id:
            self.domain_id = self.objective.domain_id
        super().save(*args, **kwargs)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    letter = models.CharField(max_length=1)
    text = models.TextField()
    explanation = models.TextField(blank=True)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "letter"], name="questions_choice_letter_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(letter__in=list(LETTERS)), name="questions_choice_letter_a_f"
            ),
            models.CheckConstraint(
                condition=models.Q(text__regex=r"\S"), name="questions_choice_text_not_blank"
            ),
        ]

    def __str__(self):
        return f"{self.letter}. {self.text[:60]}"
