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


def test_a_pbq_weighs_three_multiple_choice_items():
    assert rules.item_weight("choice") == 1
    assert rules.item_weight("order") == rules.item_weight("match") == rules.PBQ_WEIGHT == 3


def test_a_mastery_window_keeps_the_newest_answers_by_time_not_by_item():
    # Item ids run against time here: the window must keep the latest answers.
    older = [[1_000 + n, 500 - n, 1] for n in range(rules.RECENT_WINDOW)]
    newer = [[2_000 + n, n, 0] for n in range(10)]

    merged = rules.recent_merge(older, newer)

    assert len(merged) == rules.RECENT_WINDOW
    assert merged[:10] == [[2_000 + n, n, 0] for n in reversed(range(10))]
    assert merged[-1] == [1_000 + 10, 490, 1]  # the 10 oldest left the window
    assert rules.recent_merge(merged, newer) == merged  # the same answers count once


@pytest.mark.parametrize(
    ("score", "is_correct", "credit"),
    [
        (None, True, Fraction(1)),  # a row from before scores were kept
        (None, False, Fraction(0)),
        (None, None, Fraction(0)),
        (5 / 7, False, Fraction(5, 7)),  # a PBQ's partial credit, read back exactly
        (1.0, True, Fraction(1)),
        (0.0, False, Fraction(0)),
    ],
)
def test_an_items_credit_reads_back_from_its_stored_score(score, is_correct, credit):
    assert rules.stored_credit(score, is_correct) == credit


def test_pbq_elements_are_right_in_their_place_or_with_their_value():
    positions = {11: 1, 12: 2, 13: 3}
    assert rules.order_right(response=[11, 13, 12], positions=positions) == 1
    assert rules.order_right(response=[11, None, 13], positions=positions) == 2
    assert rules.match_right(response=["Allow", None, "Deny"], key=["Allow", "Deny", "Deny"]) == 2
    assert rules.weighted_points([("choice", 1), ("order", Fraction(2, 3))]) == (3, 4)


def test_a_pbqs_credit_is_the_share_of_its_elements_right():
    assert rules.element_credit(right=5, total=7) == Fraction(5, 7)
    assert rules.element_credit(right=0, total=4) == 0
    assert rules.element_credit(right=0, total=0) == 0
