"""The exam engine's scoring rules, stated once for the services, the selectors and the pages.

CompTIA does not publish how it scales scores; Billings estimates a simulation's scaled score
linearly on the exam's own range (``Exam.score_min`` to ``Exam.score_max``, editable in the
admin), so templates never restate the formula: they show the figures computed here.

- A multiple-choice answer earns 1 (every correct choice and nothing else) or 0.
- A performance-based question (PBQ) earns the share of its elements that are right: items in
  their right place (order) or rows given their right value (match), so 5 of 7 earns 5/7.
  An element left open is wrong. ``is_correct`` means full credit.
- In the estimated scaled score a PBQ weighs ``PBQ_WEIGHT`` multiple-choice items, its credit
  scaled by its share: a PBQ with 5 of 7 right adds 3 × 5/7 points out of 3.
  ``scaled = score_min + (score_max - score_min) × points ÷ possible points``, rounded half up;
  with no PBQ that is the share of correct answers, as before.
- A simulation opens with ``SIMULATION_PBQS`` (3 to 6, as the real exams do) PBQs when the bank
  holds them. They are part of the exam's question count: a 90-question simulation holds, say,
  4 PBQs and 86 multiple-choice questions.

Mastery looks at a learner's last ``RECENT_WINDOW`` answers in each domain. They are kept per
domain (``DomainTally.recent``) and merged when an attempt is submitted, so no page ranks the
learner's whole history.
"""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

PBQ_WEIGHT = 3
SIMULATION_PBQS = (3, 6)


def score_span(*, score_min: int, score_max: int) -> int:
    """How many scaled points lie between a score of nothing right and all right."""
    return score_max - score_min


def pass_percent_compute(*, pass_mark: int, score_min: int, score_max: int) -> float:
    """The share of questions right (0-100) at which the estimate reaches the pass mark."""
    return 100 * (pass_mark - score_min) / score_span(score_min=score_min, score_max=score_max)


def scaled_score_compute(*, correct, total, score_min: int = 100, score_max: int = 900) -> int:
    """``score_min + (score_max - score_min) × correct ÷ total``, rounded half up, exactly.

    ``correct`` may be a ``Fraction`` (weighted partial credit) or an int.
    """
    if total <= 0:
        return score_min
    span = score_span(score_min=score_min, score_max=score_max)
    return score_min + int((2 * span * Fraction(correct) + total) // (2 * total))


def element_credit(*, right: int, total: int) -> Fraction:
    """Partial credit of a PBQ: the share of its elements that are right."""
    return Fraction(right, total) if total else Fraction(0)


def item_weight(kind: str) -> int:
    return 1 if kind == "choice" else PBQ_WEIGHT


def stored_credit(score: float | None, is_correct: bool | None) -> Fraction:
    """An item's credit from its stored ``score`` (0..1; denominators are at most 10)."""
    if score is None:
        return Fraction(1 if is_correct else 0)
    return Fraction(score).limit_denominator(10)


def weighted_points(items) -> tuple[Fraction, int]:
    """``items`` of (kind, credit): the points earned and the points possible."""
    points, possible = Fraction(0), 0
    for kind, credit in items:
        weight = item_weight(kind)
        points += weight * credit
        possible += weight
    return points, possible


def order_right(*, response, positions: dict) -> int:
    """Items in their right place: ``response[i]`` is the choice id put at place i + 1."""
    return sum(
        1
        for place, choice_id in enumerate(response, start=1)
        if choice_id is not None and positions.get(choice_id) == place
    )


def match_right(*, response, key) -> int:
    """Rows given their right value: ``response`` and ``key`` are values in row order."""
    return sum(1 for given, right in zip(response, key, strict=False) if given == right)


# The recent window per domain ------------------------------------------------------------

RECENT_WINDOW = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent_key(*, answered_at, item_id: int) -> list[int]:
    """How an answer is ordered in a window: newest first, then the higher item id first
    (integers: microseconds since the epoch, so the order is exact and JSON-safe)."""
    return [(answered_at - EPOCH) // timedelta(microseconds=1), item_id]


def recent_merge(window: list, answers: list) -> list:
    """The last ``RECENT_WINDOW`` answers of a domain after adding ``answers`` to ``window``.

    Both are lists of ``[microseconds, item_id, correct]`` (``correct`` 0 or 1). Answers only
    ever join a window, so the newest ``RECENT_WINDOW`` of the union are exactly the newest of
    all answers: one dropped earlier had that many newer ones, which stay.
    """
    merged = {(a[0], a[1]): a for a in [*window, *answers]}
    newest = sorted(merged.values(), key=lambda a: (a[0], a[1]), reverse=True)
    return [list(a) for a in newest[:RECENT_WINDOW]]


def recent_figures(window: list) -> tuple[int, int]:
    """(answers, correct) of a window."""
    return len(window), sum(a[2] for a in window)
