"""The pure study rules on fixed inputs: ratings, day boundaries, the question of the day's
key, readiness on fixed histories, the daily target and the next step."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest

from study import rules

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_rating_rule():
    r = rules.rating_for
    assert r(correct=False, confidence=rules.Confidence.SURE, seconds=1) == fsrs.Rating.Again
    assert r(correct=True) == fsrs.Rating.Good
    assert r(correct=True, confidence=rules.Confidence.GUESS) == fsrs.Rating.Hard
    assert r(correct=True, confidence=rules.Confidence.UNSURE, seconds=3) == fsrs.Rating.Hard
    assert r(correct=True, confidence=rules.Confidence.SURE, seconds=19.9) == fsrs.Rating.Easy
    assert r(correct=True, confidence=rules.Confidence.SURE, seconds=20) == fsrs.Rating.Good
    assert r(correct=True, confidence=rules.Confidence.SURE) == fsrs.Rating.Good


def test_card_review_matches_fsrs_for_a_known_sequence():
    at = datetime(2026, 1, 5, 8, tzinfo=UTC)
    steps = [
        (fsrs.Rating.Good, at),
        (fsrs.Rating.Good, at + timedelta(minutes=10)),
        (fsrs.Rating.Again, at + timedelta(days=3)),
        (fsrs.Rating.Hard, at + timedelta(days=3, minutes=12)),
        (fsrs.Rating.Easy, at + timedelta(days=9)),
    ]
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    want = fsrs.Card(due=at)
    ours = None
    for rating, when in steps:
        want, _ = scheduler.review_card(want, rating, review_datetime=when)
        ours = rules.card_review(card=ours, rating=rating, at=when)
        assert (ours.state, ours.step, ours.due) == (int(want.state), want.step, want.due)
        assert ours.stability == pytest.approx(want.stability)
        assert ours.difficulty == pytest.approx(want.difficulty)
    assert (ours.reps, ours.misses, ours.lapses) == (5, 1, 1)


def test_day_end_is_the_learners_midnight_across_a_daylight_saving_change():
    # New York springs forward on 8 March 2026: that local day has 23 hours.
    at = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)
    end = rules.day_end(at=at, zone=NEW_YORK)
    assert end == datetime(2026, 3, 9, 0, 0, tzinfo=NEW_YORK)
    assert rules.day_start(at=at, zone=NEW_YORK) == datetime(2026, 3, 8, tzinfo=NEW_YORK)
    start = rules.day_start(at=at, zone=NEW_YORK)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    # 20:00 UTC is already tomorrow morning in Auckland.
    utc_evening = datetime(2026, 3, 2, 20, tzinfo=UTC)
    assert rules.day_end(at=utc_evening, zone=AUCKLAND).date() == date(2026, 3, 4)


def test_a_miss_comes_back_the_next_local_day():
    # Missed at 00:30 local: due a day later, so not due "today" but tomorrow.
    at = datetime(2026, 3, 2, 0, 30, tzinfo=AUCKLAND)
    card = rules.card_review(card=None, rating=fsrs.Rating.Again, at=at)
    assert card.due == at + timedelta(days=1)
    assert rules.day_end(at=at, zone=AUCKLAND) < card.due
    assert card.due < rules.day_end(at=at + timedelta(days=1), zone=AUCKLAND)


def test_daily_key_is_stable_per_exam_and_day():
    day = date(2026, 5, 1)
    key = rules.daily_key(exam_slug="security", day=day)
    assert key == rules.daily_key(exam_slug="security", day=day)
    assert 0 <= key < 1
    assert key != rules.daily_key(exam_slug="security", day=day + timedelta(days=1))
    assert key != rules.daily_key(exam_slug="network", day=day)
    assert rules.daily_domain_order(domain_ids=[3, 1, 2], key=key) in (
        [1, 2, 3],
        [2, 3, 1],
        [3, 1, 2],
    )


DOMAINS = [
    rules.DomainFact(1, 1, "One", 60),
    rules.DomainFact(2, 2, "Two", 40),
]


def history(right_in_1, n1, right_in_2, n2):
    answers = [rules.AnswerFact(1, 11, i < right_in_1) for i in range(n1)]
    answers += [rules.AnswerFact(2, 21, i < right_in_2) for i in range(n2)]
    return answers


def estimate(answers, sims=(), pass_percent=75):
    return rules.readiness_estimate(
        domains=DOMAINS,
        answers=answers,
        simulation_percents=list(sims),
        pass_percent=pass_percent,
        exam_length=90,
    )


def test_readiness_with_no_history_is_low_and_unsure():
    r = estimate([])
    assert r.expected == 0.5 and r.certainty == "low" and not r.ready
    assert r.percent < 50  # an even guess at 75% to pass is more likely to fail


def test_readiness_on_a_strong_history_is_high_and_sure():
    r = estimate(history(285, 300, 190, 200), sims=[88, 85, 80])
    assert r.certainty == "high"
    assert 0.85 < r.expected < 0.96
    assert r.percent >= 95 and r.ready


def test_readiness_on_a_weak_history_is_low():
    r = estimate(history(120, 300, 80, 200), sims=[55])
    assert r.percent <= 1 and not r.ready
    assert r.certainty == "high"


def test_readiness_weighs_domains_by_weight_and_recent_answers_more():
    # Everything right in the heavy domain, wrong in the light one: 60% expected.
    r = estimate(history(200, 200, 0, 200))
    assert r.expected == pytest.approx(0.6, abs=0.001)
    # The same answers, newest first wrong: recent misses pull the objective down.
    recent_wrong = [rules.AnswerFact(1, 11, i >= 100) for i in range(200)]
    recent_right = [rules.AnswerFact(1, 11, i < 100) for i in range(200)]
    assert estimate(recent_wrong).domains[1] < 0.5 < estimate(recent_right).domains[1]


def test_readiness_counts_untouched_domains_as_even_and_says_it_is_unsure():
    r = estimate([rules.AnswerFact(1, 11, True) for _ in range(150)])
    assert r.coverage == pytest.approx(0.6)
    assert r.domains[2] == 0.5
    assert r.expected == pytest.approx(0.8)
    assert r.certainty == "medium"


def test_daily_target_and_days_left():
    today = date(2026, 6, 1)
    assert rules.days_left(today=today, exam_date=date(2026, 6, 11)) == 10
    assert rules.days_left(today=today, exam_date=date(2026, 5, 1)) == 0
    assert rules.days_left(today=today, exam_date=None) is None
    assert rules.daily_target(unseen=300, due=12, days=10) == 42
    assert rules.daily_target(unseen=300, due=0, days=0) == 300
    assert rules.daily_target(unseen=28, due=0, days=None) == 2
    assert rules.daily_target(unseen=0, due=0, days=5) == 1


def test_next_step_order():
    ready = estimate(history(285, 300, 190, 200), sims=[88, 85, 80])
    unready = estimate([])
    step = rules.next_step
    assert step(due=3, weakest="1.2", readiness=ready, exam_code="X").kind == "review"
    assert step(due=0, weakest="1.2", readiness=ready, exam_code="X").kind == "simulation"
    assert step(due=0, weakest="1.2", readiness=unready, exam_code="X").kind == "objective"
    assert step(due=0, weakest=None, readiness=None, exam_code=None).kind == "practice"
