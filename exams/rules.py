"""The exam engine's scoring rules, stated once for the services, the selectors and the pages.

CompTIA does not publish how it scales scores; Billings estimates a simulation's scaled score
linearly on the exam's own range (``Exam.score_min`` to ``Exam.score_max``, editable in the
admin), so templates never restate the formula: they show the figures computed here.

Mastery looks at a learner's last ``RECENT_WINDOW`` answers in each domain. They are kept per
domain (``DomainTally.recent``) and merged when an attempt is submitted, so no page ranks the
learner's whole history.
"""

from datetime import UTC, datetime, timedelta


def score_span(*, score_min: int, score_max: int) -> int:
    """How many scaled points lie between a score of nothing right and all right."""
    return score_max - score_min


def scaled_score_compute(*, correct: int, total: int, score_min: int = 100, score_max: int = 900):
    """``score_min + (score_max - score_min) × correct ÷ total``, rounded half up, in integers."""
    if total <= 0:
        return score_min
    span = score_span(score_min=score_min, score_max=score_max)
    return score_min + (2 * span * correct + total) // (2 * total)


def pass_percent_compute(*, pass_mark: int, score_min: int, score_max: int) -> float:
    """The share of questions right (0-100) at which the estimate reaches the pass mark."""
    return 100 * (pass_mark - score_min) / score_span(score_min=score_min, score_max=score_max)


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
