"""Writes for spaced review and smart sets. Called by the exam engine and the study views.

- ``card_record``: one answer (practice, drill, review) moves the learner's card, inside the
  answer's transaction, as one upsert; the card's previous state comes with the answered item
  (``study.selectors.card_annotate``), so nothing is read here.
- ``cards_record_attempt``: a simulation's answered items move their cards when it is
  submitted, as one read and one bulk upsert inside the finish transaction.

Starting review sessions and smart sets is in ``study.sets`` (it calls the exam engine, which
calls this module).

The rating rule and the day boundary are in ``study.rules``.
"""

import functools
from dataclasses import asdict
from datetime import datetime

from django.db import connection

from exams.models import Attempt
from study import rules, selectors
from study.models import Card

UPSERT_FIELDS = list(selectors.CARD_FIELDS)  # every column of the card but its keys


def _card_row(*, user_id: int, question_id: int, exam_id: int, state: rules.CardState) -> Card:
    return Card(user_id=user_id, question_id=question_id, exam_id=exam_id, **asdict(state))


@functools.cache
def _upsert_sql() -> tuple[str, str, str, tuple]:
    """The cards' upsert, written once (it runs on every practice answer): its head, the marks
    of one row, its tail and the fields in order. The columns come from the model; a card that
    exists takes the new state."""
    fields = tuple(field for field in Card._meta.concrete_fields if not field.primary_key)
    columns = ", ".join(field.column for field in fields)
    updates = ", ".join(
        f"{column} = excluded.{column}"
        for column in (Card._meta.get_field(name).column for name in UPSERT_FIELDS)
    )
    head = f"INSERT INTO {Card._meta.db_table} ({columns}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT (user_id, question_id) DO UPDATE SET {updates}"
    return head, "(" + ", ".join(["%s"] * len(fields)) + ")", tail, fields


def _upsert(cards: list[Card]) -> None:
    """Insert or update ``cards`` (one per question) in one statement."""
    if not cards:
        return
    head, row, tail, fields = _upsert_sql()
    params = [
        field.get_db_prep_save(getattr(card, field.attname), connection)
        for card in cards
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(head + ", ".join([row] * len(cards)) + tail, params)


def card_record(
    *,
    user_id: int,
    question_id: int,
    exam_id: int,
    before: rules.CardState | None,
    correct: bool,
    at: datetime,
    confidence: int | None = None,
    seconds: float | None = None,
) -> rules.CardState:
    """Review the learner's card of the question (``before``: its state read with the item)."""
    rating = rules.rating_for(correct=correct, confidence=confidence, seconds=seconds)
    after = rules.card_review(card=before, rating=rating, at=at, confidence=confidence)
    _upsert([_card_row(user_id=user_id, question_id=question_id, exam_id=exam_id, state=after)])
    return after


def cards_record_attempt(*, attempt: Attempt, at: datetime) -> int:
    """Review the cards of every answered item of a just-submitted attempt (a simulation).

    One read of the items with their cards, one bulk upsert. Returns how many cards moved.
    """
    items = selectors.card_annotate(
        attempt.items.filter(answered_at__isnull=False, is_correct__isnull=False),
        user_id=attempt.user_id,
    ).values("question_id", "is_correct", "confidence", *selectors.card_columns())
    cards = []
    for row in items:
        rating = rules.rating_for(correct=row["is_correct"], confidence=row["confidence"])
        after = rules.card_review(
            card=selectors.card_state_of(row), rating=rating, at=at, confidence=row["confidence"]
        )
        cards.append(
            _card_row(
                user_id=attempt.user_id,
                question_id=row["question_id"],
                exam_id=attempt.exam_id,
                state=after,
            )
        )
    _upsert(cards)
    return len(cards)
