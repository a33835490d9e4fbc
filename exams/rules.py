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
"""

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
