"""Leeches: cards a learner has missed ``LEECH_MISSES`` times (8), counted per question for
staff (item analysis and the quality queue, ``questions.selectors.leeches_by_question``).

A module of its own, on the models only, so the question bank's selectors can read it without
importing the exam engine.
"""

from django.db.models import Count

from study.models import LEECH_MISSES, Card


def leech_counts(*, exam=None, question_ids=None) -> dict[int, int]:
    """Question id -> how many learners' cards of it are leeches, over ``exam`` or the given
    ``question_ids`` (every question when neither). Reads the partial index of leech cards."""
    cards = Card.objects.filter(misses__gte=LEECH_MISSES)
    if exam is not None:
        cards = cards.filter(exam=exam)
    if question_ids is not None:
        cards = cards.filter(question_id__in=list(question_ids))
    rows = cards.values("question_id").annotate(n=Count("id")).order_by()
    return {row["question_id"]: row["n"] for row in rows}
