"""The scoring rules stated in ``exams.rules``, checked directly (no database)."""

from fractions import Fraction

import pytest

from exams import rules


@pytest.mark.parametrize(
    ("pass_mark", "score_min", "score_max", "percent"),
    [(750, 100, 900, 81.25), (700, 0, 1000, 70.0), (675, 100, 900, 71.875), (100, 100, 900, 0)],
)
def test_the_pass_percent_is_the_pass_marks_place_on_the_exams_own_range(
    pass_mark, score_min, score_max, percent
):
    assert (
        rules.pass_percent_compute(pass_mark=pass_mark, score_min=score_min, score_max=score_max)
        == percent
    )


@pytest.mark.parametrize(
    ("correct", "total", "scaled"),
    [
        (0, 0, 100),  # nothing to score: the range's bottom
        (0, 1, 100),
        (1, 1, 900),  # one question, right
        (1, 3, 367),  # 366.67 rounds up
        (1, 1600, 101),  # exactly half a point rounds up
        (1, 1601, 100),  # just under half a point rounds down
        (Fraction(5, 7) * 3, 3, 671),  # a PBQ with 5 of 7 right: 100 + 800 × 5/7 = 671.4
    ],
)
def test_the_scaled_score_is_linear_on_the_range_rounded_half_up(correct, total, scaled):
    assert rules.scaled_score_compute(correct=correct, total=total) == scaled


def test_the_scaled_score_follows_an_exams_own_range():
    assert rules.scaled_score_compute(correct=1, total=2, score_min=0, score_max=1000) == 500
    assert rules.scaled_score_compute(correct=0, total=0, score_min=200, score_max=800) == 200
