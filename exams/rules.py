"""The exam engine's scoring rules, stated once for the services, the selectors and the pages.

CompTIA does not publish how it scales scores; Billings estimates a simulation's scaled score
linearly on the exam's own range (``Exam.score_min`` to ``Exam.score_max``, editable in the
admin), so templates never restate the formula: they show the figures computed here.
"""


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
