"""A learner's memory of each question, scheduled by FSRS (the ``fsrs`` package).

One ``Card`` per learner and question, created by the first answer to it anywhere (practice,
drill, review, or a submitted simulation). Its columns are the scheduler's card state, so a
card is rebuilt without a second table; ``reps``, ``lapses`` and ``misses`` are counts kept
beside it (FSRS itself does not need them).
"""

from django.conf import settings
from django.db import models

from questions.models import Exam, Question

LEECH_MISSES = 8


class Card(models.Model):
    class State(models.IntegerChoices):
        # The values of fsrs.State.
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    class Rating(models.IntegerChoices):
        # The values of fsrs.Rating.
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="study_cards")
    # The question's exam, copied when the card is made (a question never changes exam), so
    # per-exam reads (readiness, the seen count, weakest objectives) use an index, not a join.
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="+", db_index=False)
    state = models.PositiveSmallIntegerField(choices=State, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField()
    last_rating = models.PositiveSmallIntegerField(choices=Rating)
    # The confidence given with the latest answer (study.rules.Confidence), if any.
    last_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    # Forgotten after graduating (Again on a card in the Review state), as Anki counts lapses.
    lapses = models.PositiveIntegerField(default=0)
    # Every wrong answer; LEECH_MISSES of them make the card a leech.
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="study_card_unique"),
            models.CheckConstraint(
                condition=models.Q(last_rating__gte=1, last_rating__lte=4),
                name="study_card_rating_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state__gte=1, state__lte=3), name="study_card_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(misses__lte=models.F("reps"), lapses__lte=models.F("misses")),
                name="study_card_counts_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="study_card_user_due"),
            models.Index(fields=["user", "last_review"], name="study_card_user_last_review"),
            models.Index(
                fields=["user", "exam", "last_review"], name="study_card_user_exam_review"
            ),
            models.Index(
                fields=["question"],
                condition=models.Q(misses__gte=LEECH_MISSES),
                name="study_card_leech",
            ),
        ]

    def __str__(self):
        return f"Card of question {self.question_id} for {self.user_id}"

    @property
    def is_leech(self) -> bool:
        return self.misses >= LEECH_MISSES
