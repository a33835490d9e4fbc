"""The exam engine's rules, through its services and selectors."""

import random
from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from exams import rules, selectors, services
from exams.models import Attempt, AttemptItem, Bookmark
from exams.tests.factories import QuestionFactory, bank_build, correct_ids, wrong_id
from questions.models import Choice, Exam, Objective, Question
from questions.tests.factories import ExamFactory, pbq_create

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def start(user, exam, mode="practice", **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("rng", random.Random(7))
    return services.attempt_start(user=user, exam=exam, mode=mode, **kwargs)


@pytest.fixture
def bank():
    return bank_build(per_domain=30)


@pytest.fixture
def spy():
    """Watch the gamification interface while still running it."""
    from gamification import services as gamification

    with (
        mock.patch.object(
            gamification, "activity_record", wraps=gamification.activity_record
        ) as activity,
        mock.patch.object(
            gamification, "attempt_finished", wraps=gamification.attempt_finished
        ) as finished,
    ):
        yield mock.Mock(activity=activity, finished=finished)


# Selection ---------------------------------------------------------------------------------


def test_allocation_largest_remainder_security_weights():
    weights = {1: 12, 2: 22, 3: 18, 4: 28, 5: 20}
    capacity = dict.fromkeys(weights, 1000)
    # Quotas 10.8, 19.8, 16.2, 25.2, 18.0: floors give 88, the two .8 remainders get the rest.
    assert selectors.allocation_compute(total=90, weights=weights, capacity=capacity) == {
        1: 11,
        2: 20,
        3: 16,
        4: 25,
        5: 18,
    }


def test_allocation_redistributes_what_a_small_domain_cannot_take():
    weights = {1: 50, 2: 30, 3: 20}
    alloc = selectors.allocation_compute(total=20, weights=weights, capacity={1: 3, 2: 100, 3: 100})
    assert alloc[1] == 3
    assert sum(alloc.values()) == 20
    assert alloc[2] > alloc[3]


def test_allocation_never_exceeds_the_bank():
    alloc = selectors.allocation_compute(total=90, weights={1: 60, 2: 40}, capacity={1: 5, 2: 7})
    assert alloc == {1: 5, 2: 7}


def test_allocation_with_zero_weights_splits_evenly():
    alloc = selectors.allocation_compute(total=4, weights={1: 0, 2: 0}, capacity={1: 9, 2: 9})
    assert alloc == {1: 2, 2: 2}


def test_simulation_draws_the_exam_count_across_domains_by_weight(user, bank):
    attempt = start(user, bank, "simulation")
    items = list(attempt.items.select_related("question"))
    assert attempt.question_count == 90 == len(items)
    assert len({item.question_id for item in items}) == 90  # without replacement
    by_domain = Counter(item.question.domain.number for item in items)
    assert by_domain == {1: 11, 2: 20, 3: 16, 4: 25, 5: 18}
    assert [item.position for item in attempt.items.order_by("position")] == list(range(1, 91))


def test_simulation_takes_what_the_bank_holds_when_it_is_small(user):
    exam = bank_build(per_domain=[3, 2, 0, 4, 1])
    attempt = start(user, exam, "simulation")
    assert attempt.question_count == 10
    assert attempt.items.count() == 10


def test_only_active_questions_are_drawn(user):
    exam = bank_build(weights=(100,), per_domain=20)
    Question.objects.filter(exam=exam, external_id__endswith="-1").update(is_active=False)
    inactive = set(Question.objects.filter(exam=exam, is_active=False).values_list("id", flat=True))
    assert inactive
    attempt = start(user, exam, count=30)
    drawn = set(attempt.items.values_list("question_id", flat=True))
    assert attempt.question_count == 20 - len(inactive)
    assert not drawn & inactive


def test_unseen_questions_come_first(user):
    exam = bank_build(weights=(100,), per_domain=25)
    first = set(
        start(user, exam, count=10, rng=random.Random(1)).items.values_list(
            "question_id", flat=True
        )
    )
    second = set(
        start(user, exam, count=10, rng=random.Random(1)).items.values_list(
            "question_id", flat=True
        )
    )
    assert not first & second
    third = set(
        start(user, exam, count=10, rng=random.Random(1)).items.values_list(
            "question_id", flat=True
        )
    )
    # Only 5 unseen remain: all of them, then 5 seen ones.
    unseen = set(Question.objects.filter(exam=exam).values_list("id", flat=True)) - first - second
    assert unseen <= third
    assert len(third) == 10


def test_another_learners_history_does_not_count_as_seen(user):
    # The learner has seen five of ten questions; someone else has seen all ten. The learner's
    # next five are exactly the five the learner has not seen, whatever the random start.
    exam = bank_build(weights=(100,), per_domain=10)
    mine = ids_of(start(user, exam, count=5, rng=random.Random(1)))
    unseen = set(Question.objects.filter(exam=exam).values_list("id", flat=True)) - mine
    start(UserFactory(), exam, count=10)
    for seed in range(4):
        attempt = start(user, exam, count=5, rng=random.Random(seed))
        assert ids_of(attempt) == unseen, seed
        attempt.delete()  # stay with the first five seen


def ids_of(attempt) -> set[int]:
    return set(attempt.items.values_list("question_id", flat=True))


def test_selection_is_random(user, bank):
    a = start(user, bank, count=10, rng=random.Random(1))
    b = start(UserFactory(), bank, count=10, rng=random.Random(2))
    assert set(a.items.values_list("question_id", flat=True)) != set(
        b.items.values_list("question_id", flat=True)
    )


def test_practice_by_domain_and_objective(user, bank):
    domain = bank.domains.get(number=2)
    attempt = start(user, bank, count=20, domain_ids=[domain.pk])
    assert set(attempt.items.values_list("question__domain__number", flat=True)) == {2}
    assert attempt.scope == {"domains": [domain.pk]}

    objective = bank.domains.get(number=4).objectives.get(code="4.2")
    attempt = start(user, bank, count=10, objective_ids=[objective.pk])
    assert set(attempt.items.values_list("question__objective__code", flat=True)) == {"4.2"}

    both = start(user, bank, count=30, domain_ids=[domain.pk], objective_ids=[objective.pk])
    codes = set(both.items.values_list("question__objective__code", flat=True))
    assert codes <= {"2.1", "2.2", "4.2"}
    assert "4.2" in codes


def test_a_chosen_domain_is_not_narrowed_by_an_objective_of_its_own(user):
    exam = bank_build(weights=(50, 50), per_domain=6, objectives_per_domain=2)
    domain = exam.domains.get(number=1)
    own_objective = domain.objectives.get(code="1.1")

    attempt = start(user, exam, count=6, domain_ids=[domain.pk], objective_ids=[own_objective.pk])

    # The whole domain was asked for: both of its objectives are drawn, nothing else.
    codes = set(attempt.items.values_list("question__objective__code", flat=True))
    assert codes == {"1.1", "1.2"}
    assert attempt.question_count == 6


def test_drill_needs_a_domain_or_objective(user, bank):
    with pytest.raises(services.EngineError):
        start(user, bank, "drill", count=10)
    drill = start(user, bank, "drill", count=5, domain_ids=[bank.domains.get(number=1).pk])
    assert drill.mode == Attempt.Mode.DRILL
    assert drill.question_count == 5
    assert drill.deadline is None


def test_empty_bank_is_refused(user):
    exam = bank_build(per_domain=0)
    with pytest.raises(services.NoQuestions):
        start(user, exam, count=10)
    assert not Attempt.objects.exists()


def test_choice_order_is_shuffled_and_stored(user, bank):
    attempt = start(user, bank, count=30)
    orders = []
    for item in attempt.items.all():
        ids = sorted(Choice.objects.filter(question=item.question_id).values_list("id", flat=True))
        assert sorted(item.choice_order) == ids
        orders.append(item.choice_order != ids)
    assert any(orders)  # 30 shuffles of 4 are not all in id order
    card = selectors.question_card(attempt=attempt, position=1)
    assert [c.id for c in card.choices] == attempt.items.get(position=1).choice_order
    assert [c.letter for c in card.choices] == ["A", "B", "C", "D"]


def test_simulation_deadline_and_accommodation(user, bank):
    attempt = start(user, bank, "simulation")
    assert attempt.time_limit_minutes == 90
    assert attempt.deadline == NOW + timedelta(minutes=90)
    Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.ABANDONED)

    Profile.objects.filter(user=user).update(extra_time=150)
    attempt = start(user, bank, "simulation")
    assert attempt.extra_time == 150
    assert attempt.time_limit_minutes == 135
    assert attempt.deadline == NOW + timedelta(minutes=135)


def test_a_shorter_simulation_gets_its_share_of_the_time_rounded_up():
    exam = Exam(time_limit_minutes=90, question_count=90)
    shares = {q: services.simulation_minutes(exam=exam, questions=q) for q in (1, 10, 45, 89)}
    assert shares == {1: 1, 10: 10, 45: 45, 89: 89}
    odd = Exam(time_limit_minutes=165, question_count=60)
    assert services.simulation_minutes(exam=odd, questions=25) == 69  # 68.75 rounded up
    assert services.simulation_minutes(exam=odd, questions=60) == 165
    assert services.simulation_minutes(exam=odd, questions=90) == 165  # never more than it
    assert services.simulation_minutes(exam=odd, questions=25, full_time=True) == 165


def test_a_small_banks_simulation_gets_its_share_of_the_time_unless_full_time_is_asked(user):
    exam = bank_build(per_domain=4)  # 20 questions
    Exam.objects.filter(pk=exam.pk).update(question_count=60, time_limit_minutes=90)
    exam.refresh_from_db()

    share = start(user, exam, "simulation")
    services.attempt_abandon(attempt_id=share.pk, user=user, now=NOW)
    whole = start(user, exam, "simulation", full_time=True)
    services.attempt_abandon(attempt_id=whole.pk, user=user, now=NOW)
    practice = start(user, exam, count=5, full_time=True)

    assert (share.question_count, share.time_limit_minutes, share.scope) == (20, 30, {})
    assert (whole.time_limit_minutes, whole.scope) == (90, {"full_time": True})
    assert practice.scope == {} and practice.deadline is None  # full time is a simulation's


def test_a_practice_set_is_ten_questions_unless_told_and_its_scope_says_what_was_asked(user, bank):
    domains = list(bank.domains.order_by("-number").values_list("pk", flat=True))
    objectives = list(
        Objective.objects.filter(domain__exam=bank).order_by("-pk").values_list("pk", flat=True)
    )
    Bookmark.objects.create(user=user, question=bank.questions.first())

    plain = start(user, bank)
    drill = start(
        user,
        bank,
        "drill",
        count=5,
        domain_ids=[str(d) for d in domains[:2]],
        objective_ids=objectives[:3],
    )
    marked = start(user, bank, bookmarked=True)

    assert (plain.question_count, plain.scope) == (10, {})
    assert drill.scope == {
        "domains": sorted(domains[:2]),
        "objectives": sorted(objectives[:3]),
    }
    assert (marked.question_count, marked.scope) == (1, {"bookmarks": True})


def test_starting_says_why_it_cannot(user, bank):
    empty = ExamFactory()

    with pytest.raises(services.EngineError) as drill:
        start(user, bank, "drill", count=5)
    with pytest.raises(services.NoQuestions) as nothing:
        start(user, empty, count=5)

    assert str(drill.value) == "A drill needs a domain or an objective."
    assert str(nothing.value) == "The bank holds no active questions for that choice yet."
    assert not Attempt.objects.filter(user=user).exists()


def test_questions_held_for_review_stay_out_of_simulations_only(user):
    exam = bank_build(per_domain=4)  # 20 questions
    Exam.objects.filter(pk=exam.pk).update(question_count=20, hold_for_review=True)
    exam.refresh_from_db()
    held = set(exam.questions.order_by("pk").values_list("pk", flat=True)[:5])
    Question.objects.filter(pk__in=held).update(needs_review=True)

    simulation = start(user, exam, "simulation")
    services.attempt_abandon(attempt_id=simulation.pk, user=user, now=NOW)
    practice = start(user, exam, count=20)

    asked = set(simulation.items.values_list("question_id", flat=True))
    assert simulation.question_count == 15 and not asked & held
    assert held <= set(practice.items.values_list("question_id", flat=True))


def test_the_injected_randomness_decides_the_questions_and_their_order(bank):
    def picked(seed, mode, **kwargs):
        attempt = start(UserFactory(), bank, mode, rng=random.Random(seed), **kwargs)
        return list(attempt.items.order_by("position").values_list("question_id", "choice_order"))

    for mode, kwargs in (("simulation", {}), ("practice", {"count": 20})):
        assert picked(11, mode, **kwargs) == picked(11, mode, **kwargs)
        assert picked(11, mode, **kwargs) != picked(12, mode, **kwargs)


def test_a_simulation_opens_with_the_pbqs_the_learner_has_not_met_first(user):
    exam = bank_build(per_domain=20)
    pbqs = {pbq_create(exam=exam, external_id=f"PBQ-{n}").pk for n in range(12)}

    def drawn(seed):
        attempt = start(user, exam, "simulation", rng=random.Random(seed))
        services.attempt_abandon(attempt_id=attempt.pk, user=user, now=NOW)
        return set(attempt.items.filter(question_id__in=pbqs).values_list("question_id", flat=True))

    first = drawn(1)
    second = drawn(1)  # the same draw as the first, but for the PBQs met: 6 to 9 are left

    assert 3 <= len(first) <= 6 and 3 <= len(second) <= 6
    assert not first & second


def test_a_timed_practice_set_gets_its_minutes_stretched_by_the_accommodation(user, bank):
    Profile.objects.filter(user=user).update(extra_time=150)

    timed = start(user, bank, count=10, time_limit=20)
    untimed = start(user, bank, count=10)

    assert (timed.extra_time, timed.time_limit_minutes) == (150, 30)
    assert timed.deadline == NOW + timedelta(minutes=30)
    assert (untimed.time_limit_minutes, untimed.deadline) == (None, None)


def test_each_item_links_the_revision_of_its_question_the_learner_is_shown(user):
    from questions.services import question_revise

    exam = bank_build(per_domain=2)
    edited = exam.questions.order_by("pk").first()
    edited.text += " (edited)"
    edited.save()
    revision = question_revise(question=edited, now=NOW)
    assert revision.number == 2

    attempt = start(user, exam, count=10)

    links = dict(attempt.items.values_list("question_id", "revision__number"))
    assert links[edited.pk] == 2
    assert set(links.values()) == {1, 2}


def test_one_open_simulation_per_learner(user, bank):
    first = start(user, bank, "simulation")
    with pytest.raises(services.SimulationOpen) as error:
        start(user, bank, "simulation")
    assert error.value.attempt == first
    assert str(error.value) == "You already have an exam simulation in progress."
    start(user, bank, count=10)  # practice is fine meanwhile
    services.attempt_abandon(attempt_id=first.pk, user=user, now=NOW)
    assert start(user, bank, "simulation").is_open


# Answers -----------------------------------------------------------------------------------


def test_answer_is_recorded_by_choice_id(user, bank, spy):
    attempt = start(user, bank, count=10)
    item = attempt.items.get(position=1)
    result = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item), now=NOW
    )
    item.refresh_from_db()
    assert result.newly_answered
    assert item.selected == correct_ids(item)
    assert item.is_correct is True
    assert item.answered_at == NOW
    spy.activity.assert_called_once_with(user=user, answered=1, correct=1, at=NOW)

    item2 = attempt.items.get(position=2)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=2, choice_ids=[str(wrong_id(item2))], now=NOW
    )
    item2.refresh_from_db()
    assert item2.is_correct is False
    assert spy.activity.call_count == 2
    assert spy.activity.call_args.kwargs["correct"] == 0


def test_foreign_or_bad_choices_are_invalid(user, bank):
    attempt = start(user, bank, count=10)
    other = attempt.items.get(position=2)
    for bad in ([wrong_id(other)], [], ["x"], [999999]):
        with pytest.raises(services.InvalidAnswer):
            services.answer_submit(attempt_id=attempt.pk, user=user, position=1, choice_ids=bad)
    item = attempt.items.get(position=1)
    with pytest.raises(services.InvalidAnswer):  # two answers to a one-answer question
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=item.choice_order[:2]
        )
    item.refresh_from_db()
    assert item.answered_at is None


def test_multi_answer_needs_exactly_the_correct_set(user):
    exam = bank_build(weights=(100,), per_domain=4, n_choices=5, correct=("A", "C"))
    attempt = start(user, exam, "simulation")
    card = selectors.question_card(attempt=attempt, position=1)
    assert card.multi and card.choose_word == "TWO"

    def answer(position, ids):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=position, choice_ids=ids, now=NOW
        )
        return attempt.items.get(position=position).is_correct

    items = {i.position: i for i in attempt.items.all()}
    right = correct_ids(items[1])
    assert answer(1, right) is True
    assert answer(4, [right_of(items[4])[0], wrong_id(items[4])]) is False  # one right one wrong
    # One of two, or three, is not an answer to "Choose TWO": kept as incomplete, scored wrong.
    for position, ids in (
        (2, right_of(items[2])[:1]),
        (3, [*right_of(items[3]), wrong_id(items[3])]),
    ):
        assert answer(position, ids) is False
        item = attempt.items.get(position=position)
        assert item.answered_at is None and item.selected == sorted(ids)
    assert selectors.attempt_progress(attempt=attempt)["incomplete"] == [2, 3]
    card = selectors.question_card(attempt=attempt, position=2)
    assert card.incomplete
    assert [cell.state for cell in card.navigator] == [
        "answered",
        "incomplete",
        "incomplete",
        "answered",
    ]
    # Completing it later makes it an answer; scoring counts only the complete right ones.
    assert answer(2, right_of(items[2])) is True
    result = services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)
    assert result.attempt.correct_count == 2


def test_practice_keeps_the_exact_count_rule(user):
    exam = bank_build(weights=(100,), per_domain=2, n_choices=5, correct=("A", "C"))
    attempt = start(user, exam, count=2)
    item = attempt.items.get(position=1)
    with pytest.raises(services.InvalidAnswer, match="exactly two answers"):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=right_of(item)[:1]
        )
    item.refresh_from_db()
    assert item.answered_at is None and item.selected == []


def right_of(item):
    return correct_ids(item)


def test_choose_three_is_worded(user):
    QuestionFactory(exam=Exam.objects.get(slug="security"), correct=["A", "B", "D"], n_choices=6)
    attempt = start(user, Exam.objects.get(slug="security"), count=1)
    card = selectors.question_card(attempt=attempt, position=1)
    assert card.choose_word == "THREE"
    assert len(card.choices) == 6


def test_practice_double_submit_counts_once_and_cannot_change(user, bank, spy):
    attempt = start(user, bank, count=10)
    item = attempt.items.get(position=1)
    for _ in range(2):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=[wrong_id(item)]
        )
    assert spy.activity.call_count == 1
    assert Profile.objects.get(user=user).total_questions_answered == 1
    with pytest.raises(services.AnswerFinal, match="first answer stands") as final:
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item)
        )
    assert final.value.attempt.pk == attempt.pk  # the view shows that attempt's card
    item.refresh_from_db()
    assert item.is_correct is False


def test_simulation_answers_change_until_submitted_and_count_at_finish(user, bank, spy):
    attempt = start(user, bank, "simulation", now=NOW)
    items = {i.position: i for i in attempt.items.all()}
    later = NOW + timedelta(minutes=5)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=[wrong_id(items[1])], now=later
    )
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(items[1]), now=later
    )
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=2, choice_ids=[wrong_id(items[2])], now=later
    )
    assert spy.activity.call_count == 0  # nothing counted, nothing revealed, until submission
    result = services.attempt_finish(attempt_id=attempt.pk, user=user, now=later)
    assert result.newly_finished
    spy.activity.assert_called_once_with(user=user, answered=2, correct=1, at=later)
    spy.finished.assert_called_once()
    attempt.refresh_from_db()
    assert attempt.correct_count == 1
    assert attempt.scaled_score == rules.scaled_score_compute(correct=1, total=90) == 109
    assert attempt.passed is False
    assert attempt.items.filter(is_correct=False).count() == 89  # unanswered count as wrong


def test_scaled_score_rounding_and_range():
    assert rules.scaled_score_compute(correct=0, total=90) == 100
    assert rules.scaled_score_compute(correct=90, total=90) == 900
    assert rules.scaled_score_compute(correct=1, total=64) == 113  # 112.5 rounds half up
    assert rules.scaled_score_compute(correct=73, total=90) == 749
    assert rules.scaled_score_compute(correct=74, total=90) == 758


def test_pass_against_the_pass_mark(user):
    exam = bank_build(weights=(100,), per_domain=4)
    Exam.objects.filter(pk=exam.pk).update(question_count=4, pass_mark=700)
    exam.refresh_from_db()
    attempt = start(user, exam, "simulation")
    for item in attempt.items.all()[:3]:  # 3 of 4: 100 + 600 = 700, exactly the pass mark
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=correct_ids(item)
        )
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    assert attempt.scaled_score == 700
    assert attempt.passed is True


def test_finish_twice_counts_once(user, bank, spy):
    attempt = start(user, bank, count=10)
    for item in attempt.items.filter(position__lte=5):  # half: the attempt counts
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=[wrong_id(item)]
        )
    first = services.attempt_finish(attempt_id=attempt.pk, user=user)
    second = services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert (first.newly_finished, second.newly_finished) == (True, False)
    assert first.attempt.pk == second.attempt.pk == attempt.pk
    assert second.attempt.status == Attempt.Status.SUBMITTED
    assert Profile.objects.get(user=user).total_exams_taken == 1
    spy.finished.assert_called_once()
    assert spy.activity.call_count == 5  # practice answers were counted when given
    attempt.refresh_from_db()
    assert attempt.scaled_score is None and attempt.passed is None  # only simulations scale
    assert attempt.correct_count == 0


def test_answer_after_submission_is_refused(user, bank):
    attempt = start(user, bank, count=10)
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    item = attempt.items.get(position=1)
    with pytest.raises(services.AttemptClosed, match="submitted"):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item)
        )
    with pytest.raises(services.AttemptClosed):
        services.item_flag(attempt_id=attempt.pk, user=user, position=1, flagged=True)


@pytest.mark.parametrize(
    ("close", "message"),
    [
        ("finish", "This attempt has been submitted; answers can no longer change."),
        ("abandon", "This attempt was abandoned."),
    ],
)
def test_an_answer_to_a_closed_attempt_says_why_and_carries_the_attempt(user, bank, close, message):
    attempt = start(user, bank, count=10)
    getattr(services, f"attempt_{close}")(attempt_id=attempt.pk, user=user)
    item = attempt.items.get(position=2)

    with pytest.raises(services.AttemptClosed) as closed:
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=2, choice_ids=correct_ids(item)
        )

    assert str(closed.value) == message
    assert closed.value.attempt.pk == attempt.pk
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_a_refused_answer_says_why_and_stores_nothing(user):
    exam = bank_build(per_domain=4, correct=("A", "C"))  # every question takes two answers
    single = bank_build(per_domain=4)
    practice = start(user, exam, count=5)
    one = start(user, single, count=5)
    first, second = practice.items.order_by("position")[:2]
    lone = one.items.get(position=1)

    def refused(attempt, item, choices):
        with pytest.raises(services.InvalidAnswer) as error:
            services.answer_submit(
                attempt_id=attempt.pk, user=user, position=item.position, choice_ids=choices
            )
        return str(error.value)

    assert refused(practice, first, ["x"]) == "That is not a choice of this question."
    assert refused(practice, first, [second.choice_order[0]]) == (
        "That is not a choice of this question."
    )
    assert refused(one, lone, lone.choice_order[:2]) == "This question takes one answer."
    assert refused(practice, first, correct_ids(first)[:1]) == (
        "Not saved: this question takes exactly two answers and you chose 1. Choose two, or "
        "clear your choices to move on without answering."
    )
    assert not AttemptItem.objects.filter(answered_at__isnull=False).exists()

    services.answer_submit(
        attempt_id=practice.pk, user=user, position=1, choice_ids=correct_ids(first)
    )
    with pytest.raises(services.AnswerFinal) as final:
        services.answer_submit(
            attempt_id=practice.pk, user=user, position=1, choice_ids=first.choice_order[:2]
        )
    assert str(final.value) == (
        "You had already answered this question (perhaps in another tab); that first answer "
        "stands, and its feedback is shown."
    )


def test_a_simulation_keeps_every_choice_chosen_as_an_incomplete_answer(user):
    exam = bank_build(per_domain=4, correct=("A", "C"))
    attempt = start(user, exam, "simulation")
    item = attempt.items.get(position=1)

    result = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=item.choice_order
    )

    item.refresh_from_db()
    assert sorted(item.selected) == sorted(item.choice_order)
    assert item.answered_at is None and result.position_next == 2


def test_deadline_submits_the_attempt_as_it_stands(user, bank, spy):
    attempt = start(user, bank, "simulation", now=NOW)
    items = {i.position: i for i in attempt.items.all()}
    services.answer_submit(
        attempt_id=attempt.pk,
        user=user,
        position=1,
        choice_ids=correct_ids(items[1]),
        now=NOW + timedelta(minutes=89),
    )
    late = NOW + timedelta(minutes=90, seconds=1)
    with (
        pytest.raises(services.AttemptClosed) as closed,
        mock.patch("gamification.services.attempt_finished", return_value=["Badge: Finisher"]),
    ):
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=2, choice_ids=correct_ids(items[2]), now=late
        )
    assert str(closed.value) == (
        "Time is up: the attempt was submitted as it stood, so this answer was not recorded."
    )
    assert closed.value.attempt.pk == attempt.pk
    assert closed.value.announcements == ["Badge: Finisher"]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.submitted_at == attempt.deadline
    assert attempt.correct_count == 1
    late_item = attempt.items.get(position=2)
    assert late_item.answered_at is None  # the late answer was not stored
    # Every question left unanswered is stored as wrong, with no credit.
    assert (late_item.is_correct, late_item.score) == (False, 0)
    assert not attempt.items.filter(answered_at__isnull=True).exclude(score=0).exists()
    # One answer of 90 is not an exam taken (``attempt_counts``); the answer still counts.
    assert attempt.counted is False
    assert Profile.objects.get(user=user).total_exams_taken == 0
    spy.activity.assert_called_once_with(user=user, answered=1, correct=1, at=attempt.deadline)
    # Touching it again changes nothing.
    assert services.attempt_gate(attempt=attempt, now=late).gate == services.Gate.SUBMITTED
    spy.activity.assert_called_once()


def test_gate_submits_when_due(user, bank):
    attempt = start(user, bank, "simulation", now=NOW)
    gate = services.attempt_gate(attempt=attempt, now=NOW + timedelta(minutes=89))
    assert gate.gate == services.Gate.OPEN
    gate = services.attempt_gate(attempt=attempt, now=NOW + timedelta(hours=3))
    assert gate.gate == services.Gate.EXPIRED
    assert attempt.status == Attempt.Status.SUBMITTED
    assert services.attempt_gate(attempt=attempt).gate == services.Gate.SUBMITTED
    # Abandoning a timed-out attempt submits it instead, and says so.
    second = start(user, bank, "simulation", now=NOW)
    result = services.attempt_abandon(attempt_id=second.pk, user=user, now=NOW + timedelta(hours=2))
    assert result.outcome == services.AbandonOutcome.EXPIRED
    assert result.attempt.status == Attempt.Status.SUBMITTED
    assert services.attempt_gate(attempt=result.attempt).gate == services.Gate.SUBMITTED
    again = services.attempt_abandon(attempt_id=second.pk, user=user)
    assert again.outcome == services.AbandonOutcome.ALREADY_SUBMITTED
    third = start(user, bank, "practice", count=1, now=NOW)
    outcomes = [services.attempt_abandon(attempt_id=third.pk, user=user).outcome for _ in range(2)]
    assert outcomes == [
        services.AbandonOutcome.ABANDONED,
        services.AbandonOutcome.ALREADY_ABANDONED,
    ]
    assert services.attempt_gate(attempt=third).gate == services.Gate.OPEN
    third.refresh_from_db()
    assert services.attempt_gate(attempt=third).gate == services.Gate.ABANDONED


def test_a_flag_or_a_move_after_the_deadline_submits_the_attempt_and_says_so(user, bank):
    """The gate every write of an open attempt goes through (``_while_open``): the time given
    decides, the attempt is submitted as it stood at its deadline, nothing else is written."""
    attempt = start(user, bank, "simulation", now=NOW)
    in_time, late = NOW + timedelta(minutes=89), NOW + timedelta(minutes=90, seconds=1)
    services.item_flag(attempt_id=attempt.pk, user=user, position=2, flagged=True, now=in_time)
    services.attempt_move(attempt_id=attempt.pk, user=user, move_to=4, now=in_time)
    finished = ["Badge: Finisher"]
    with (
        mock.patch("gamification.services.attempt_finished", return_value=finished),
        pytest.raises(services.AttemptClosed) as closed,
    ):
        services.item_flag(attempt_id=attempt.pk, user=user, position=3, flagged=True, now=late)
    assert str(closed.value) == "Time is up: the attempt was submitted as it stood."
    assert closed.value.announcements == finished
    assert closed.value.attempt.pk == attempt.pk
    assert closed.value.attempt.status == Attempt.Status.SUBMITTED
    attempt.refresh_from_db()
    assert (attempt.status, attempt.submitted_at) == (Attempt.Status.SUBMITTED, attempt.deadline)
    assert list(attempt.items.filter(flagged=True).values_list("position", flat=True)) == [2]
    assert attempt.current_position == 4
    with pytest.raises(services.AttemptClosed) as closed:
        services.attempt_move(attempt_id=attempt.pk, user=user, move_to=5, now=late)
    assert closed.value.attempt.status == Attempt.Status.SUBMITTED
    assert closed.value.announcements == []  # submitted once: nothing new to announce


def test_a_refused_flag_says_why_and_carries_the_attempt(user, bank):
    attempt = start(user, bank, count=10)
    with pytest.raises(services.InvalidAnswer) as refused:
        services.item_flag(attempt_id=attempt.pk, user=user, position=11, flagged=True)
    assert str(refused.value) == "That question is not part of this attempt."
    assert refused.value.attempt.pk == attempt.pk
    assert not attempt.items.filter(flagged=True).exists()


def test_the_gate_submits_at_the_deadline_and_passes_the_announcements_on(user, bank):
    attempt = start(user, bank, "simulation", now=NOW)
    with mock.patch("gamification.services.attempt_finished", return_value=["Badge: Finisher"]):
        gate = services.attempt_gate(attempt=attempt, now=NOW + timedelta(hours=3))
    assert gate.gate == services.Gate.EXPIRED
    assert gate.announcements == ["Badge: Finisher"]
    assert (attempt.status, attempt.submitted_at) == (Attempt.Status.SUBMITTED, attempt.deadline)
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline


def test_every_abandon_outcome_carries_the_attempt(user, bank):
    practice = start(user, bank, count=5)
    results = [services.attempt_abandon(attempt_id=practice.pk, user=user) for _ in range(2)]
    assert [(r.outcome, r.attempt.pk) for r in results] == [
        (services.AbandonOutcome.ABANDONED, practice.pk),
        (services.AbandonOutcome.ALREADY_ABANDONED, practice.pk),
    ]
    assert results[0].attempt.status == Attempt.Status.ABANDONED
    simulation = start(user, bank, "simulation", now=NOW)
    with mock.patch("gamification.services.attempt_finished", return_value=["Badge: Finisher"]):
        expired = services.attempt_abandon(
            attempt_id=simulation.pk, user=user, now=NOW + timedelta(hours=2)
        )
    assert (expired.outcome, expired.attempt.pk) == (services.AbandonOutcome.EXPIRED, simulation.pk)
    assert expired.announcements == ["Badge: Finisher"]
    again = services.attempt_abandon(attempt_id=simulation.pk, user=user)
    assert (again.outcome, again.attempt.pk) == (
        services.AbandonOutcome.ALREADY_SUBMITTED,
        simulation.pk,
    )
    assert again.attempt.status == Attempt.Status.SUBMITTED


def test_only_the_questions_waiting_in_the_open_simulation_cannot_be_bookmarked(user, bank):
    simulation = start(user, bank, "simulation", now=NOW)
    first, second = (simulation.items.get(position=p) for p in (1, 2))
    services.answer_submit(
        attempt_id=simulation.pk, user=user, position=2, choice_ids=[wrong_id(second)], now=NOW
    )
    with pytest.raises(services.BookmarkRefused):
        services.bookmark_set(user=user, question_id=first.question_id, on=True)
    elsewhere = Question.objects.filter(exam=bank).exclude(
        pk__in=simulation.items.values("question_id")
    )[0]
    assert services.bookmark_set(user=user, question_id=second.question_id, on=True) is True
    assert services.bookmark_set(user=user, question_id=elsewhere.pk, on=True) is True
    assert set(Bookmark.objects.filter(user=user).values_list("question_id", flat=True)) == {
        second.question_id,
        elsewhere.pk,
    }
    # Another learner's open simulation holds nothing back from this one.
    assert services.bookmark_set(user=UserFactory(), question_id=first.question_id, on=True)


def test_flag_sets_and_clears(user, bank):
    attempt = start(user, bank, count=10)
    for _ in range(2):  # repeats are harmless
        services.item_flag(attempt_id=attempt.pk, user=user, position=3, flagged=True)
    assert attempt.items.get(position=3).flagged
    services.item_flag(attempt_id=attempt.pk, user=user, position=3, flagged=False)
    assert not attempt.items.get(position=3).flagged


def test_another_learner_cannot_touch_an_attempt(user, bank):
    attempt = start(user, bank, count=10)
    stranger = UserFactory()
    item = attempt.items.get(position=1)
    with pytest.raises(Attempt.DoesNotExist):
        services.answer_submit(
            attempt_id=attempt.pk, user=stranger, position=1, choice_ids=correct_ids(item)
        )
    with pytest.raises(Attempt.DoesNotExist):
        services.attempt_finish(attempt_id=attempt.pk, user=stranger)


def test_abandon(user, bank):
    attempt = start(user, bank, count=10)
    services.attempt_abandon(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.ABANDONED
    assert Profile.objects.get(user=user).total_exams_taken == 0
    with pytest.raises(services.AttemptClosed) as closed:
        services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert str(closed.value) == "This attempt was abandoned."
    assert (closed.value.attempt.pk, closed.value.announcements) == (attempt.pk, [])


def test_announcements_are_passed_on(user, bank):
    attempt = start(user, bank, count=10)
    item = attempt.items.get(position=1)
    with (
        mock.patch("gamification.services.activity_record", return_value=["Badge: First step"]),
        mock.patch("gamification.services.attempt_finished", return_value=["Badge: Finisher"]),
    ):
        result = services.answer_submit(
            attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item)
        )
        assert result.announcements == ["Badge: First step"]
        assert services.attempt_finish(attempt_id=attempt.pk, user=user).announcements == [
            "Badge: Finisher"
        ]


def test_a_simulation_is_scaled_on_its_own_exams_score_range(user):
    exam = bank_build(per_domain=2)  # 10 questions
    Exam.objects.filter(pk=exam.pk).update(
        question_count=4, score_min=200, score_max=800, pass_mark=500
    )
    exam.refresh_from_db()
    attempt = start(user, exam, "simulation")
    for item in attempt.items.order_by("position"):
        right = item.position <= 2
        choice = correct_ids(item) if right else [wrong_id(item)]
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=choice, now=NOW
        )
    services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.scaled_score, attempt.passed) == (2, 500, True)


def test_a_simulation_finish_announces_what_its_answers_and_the_finish_earned(user, bank):
    """A simulation's answers count at submission: both sets of announcements are shown."""
    attempt = start(user, bank, "simulation", now=NOW)
    item = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item), now=NOW
    )
    with (
        mock.patch("gamification.services.activity_record", return_value=["Daily goal met"]),
        mock.patch("gamification.services.attempt_finished", return_value=["Badge: Finisher"]),
    ):
        result = services.attempt_finish(attempt_id=attempt.pk, user=user, now=NOW)
    assert result.announcements == ["Daily goal met", "Badge: Finisher"]


def test_a_failure_while_finishing_rolls_everything_back(user, bank):
    attempt = start(user, bank, count=10)
    with (
        mock.patch("gamification.services.attempt_finished", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.attempt_finish(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert Profile.objects.get(user=user).total_exams_taken == 0


# Reads -------------------------------------------------------------------------------------


def test_simulation_card_hides_correctness_until_submitted(user, bank):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=correct_ids(item)
    )
    card = selectors.question_card(attempt=attempt, position=1)
    assert not card.reveal
    assert all(c.is_correct is None and c.explanation == "" for c in card.choices)

    practice = start(user, bank, count=10)
    item = practice.items.get(position=1)
    assert not selectors.question_card(attempt=practice, position=1).reveal
    services.answer_submit(
        attempt_id=practice.pk, user=user, position=1, choice_ids=[wrong_id(item)]
    )
    card = selectors.question_card(attempt=practice, position=1)
    assert card.reveal
    assert all(c.explanation for c in card.choices)


def test_results_per_domain_and_weakest(user, bank):
    attempt = start(user, bank, "simulation")
    for item in attempt.items.select_related("question__domain"):
        if item.question.domain.number != 3:
            services.answer_submit(
                attempt_id=attempt.pk,
                user=user,
                position=item.position,
                choice_ids=correct_ids(item),
            )
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    scores = selectors.attempt_results(attempt=attempt)
    by_number = {d.number: d for d in scores["domains"]}
    assert by_number[3].correct == 0 and by_number[3].total == 16
    assert by_number[4].correct == by_number[4].total == 25
    assert scores["weakest_domain"].number == 3
    assert {o.code for o in scores["weakest_objectives"]} == {"3.1", "3.2"}
    assert attempt.correct_count == 74
    assert attempt.scaled_score == 758
    assert attempt.passed is True


def test_review_filters(user, bank):
    attempt = start(user, bank, count=10)
    for item in attempt.items.all()[:4]:
        services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=correct_ids(item)
        )
    services.item_flag(attempt_id=attempt.pk, user=user, position=2, flagged=True)
    services.item_flag(attempt_id=attempt.pk, user=user, position=9, flagged=True)
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert len(selectors.attempt_review(attempt=attempt, show="all")) == 10
    assert [e.item.position for e in selectors.attempt_review(attempt=attempt, show="wrong")] == [
        5,
        6,
        7,
        8,
        9,
        10,
    ]
    flagged = selectors.attempt_review(attempt=attempt, show="flagged")
    assert [e.item.position for e in flagged] == [2, 9]
    assert flagged[0].correct_letters == flagged[0].selected_letters


def test_in_progress_and_history_lists(user, bank):
    done = start(user, bank, count=10, now=NOW - timedelta(days=2))
    services.attempt_finish(attempt_id=done.pk, user=user)
    gone = start(user, bank, count=10, now=NOW - timedelta(days=1))
    services.attempt_abandon(attempt_id=gone.pk, user=user)
    open_one = start(user, bank, count=10)
    services.answer_submit(
        attempt_id=open_one.pk,
        user=user,
        position=1,
        choice_ids=correct_ids(open_one.items.get(position=1)),
    )
    start(UserFactory(), bank, count=10)
    in_progress = selectors.attempts_in_progress(user=user)
    assert [a.pk for a in in_progress] == [open_one.pk]
    assert in_progress[0].answered == 1
    assert [a.pk for a in selectors.attempt_history(user=user)] == [gone.pk, done.pk]


def test_bookmark_set_is_idempotent_and_feeds_a_practice_set(user, bank):
    questions = list(Question.objects.filter(exam=bank)[:3])
    for question in questions:
        services.bookmark_set(user=user, question_id=question.pk, on=True)
        services.bookmark_set(user=user, question_id=question.pk, on=True)
    assert Bookmark.objects.filter(user=user).count() == 3
    attempt = start(user, bank, count=10, bookmarked=True)
    assert attempt.question_count == 3
    assert set(attempt.items.values_list("question_id", flat=True)) == {q.pk for q in questions}
    assert attempt.scope == {"bookmarks": True}
    services.bookmark_set(user=user, question_id=questions[0].pk, on=False)
    services.bookmark_set(user=user, question_id=questions[0].pk, on=False)
    assert Bookmark.objects.filter(user=user).count() == 2


def test_removing_a_bookmark_leaves_other_learners_bookmarks_and_says_what_holds(user, bank):
    question = Question.objects.filter(exam=bank).first()
    other = UserFactory()
    assert services.bookmark_set(user=user, question_id=question.pk, on=True) is True
    assert services.bookmark_set(user=other, question_id=question.pk, on=True) is True
    assert services.bookmark_set(user=user, question_id=question.pk, on=False) is False
    assert list(Bookmark.objects.values_list("user_id", flat=True)) == [other.pk]


def test_bookmarking_a_question_that_does_not_exist_is_refused(user):
    with pytest.raises(services.InvalidAnswer, match=r"^No such question\.$"):
        services.bookmark_set(user=user, question_id=987654321, on=True)
    assert not Bookmark.objects.exists()


def test_items_are_unique_per_attempt(user, bank):
    attempt = start(user, bank, "simulation")
    assert AttemptItem.objects.filter(attempt=attempt).values("question").distinct().count() == 90


def test_a_short_domain_hands_its_share_to_the_others(user):
    exam = bank_build(weights=(50, 50), per_domain=[2, 30])
    attempt = start(user, exam, count=10)
    by_domain = Counter(attempt.items.values_list("question__domain__number", flat=True))
    assert by_domain == {1: 2, 2: 8}


def test_a_simulation_learner_moves_without_answering_within_the_attempt(user, bank):
    attempt = start(user, bank, "simulation")
    moved = services.attempt_move(attempt_id=attempt.pk, user=user, move_to=9)
    assert (moved.pk, moved.current_position) == (attempt.pk, 9)
    attempt.refresh_from_db()
    assert attempt.current_position == 9
    assert not attempt.items.filter(answered_at__isnull=False).exists()
    for outside in (0, attempt.question_count + 1):
        with pytest.raises(services.InvalidAnswer, match=r"^There is no such question"):
            services.attempt_move(attempt_id=attempt.pk, user=user, move_to=outside)
    practice = start(user, bank, count=5)
    with pytest.raises(services.InvalidAnswer, match=r"^Practice moves with links"):
        services.attempt_move(attempt_id=practice.pk, user=user, move_to=2)
    attempt.refresh_from_db()
    practice.refresh_from_db()
    assert (attempt.current_position, practice.current_position) == (9, 1)


def test_where_the_learner_is_is_kept_for_an_open_attempt_only(user, bank):
    attempt = start(user, bank, count=5)
    services.attempt_position_set(attempt=attempt, position=4)
    assert attempt.current_position == 4
    attempt.refresh_from_db()
    assert attempt.current_position == 4
    services.attempt_abandon(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    services.attempt_position_set(attempt=attempt, position=2)
    attempt.refresh_from_db()
    assert attempt.current_position == 4


def test_a_bookmark_by_position_marks_that_items_question(user, bank):
    attempt = start(user, bank, count=5)
    third = attempt.items.get(position=3)
    assert services.item_bookmark_set(user=user, attempt=attempt, position=3, on=True) is True
    assert list(Bookmark.objects.filter(user=user).values_list("question_id", flat=True)) == [
        third.question_id
    ]
    assert services.item_bookmark_set(user=user, attempt=attempt, position=3, on=False) is False
    assert not Bookmark.objects.exists()
    with pytest.raises(services.InvalidAnswer, match=r"^That question is not part of"):
        services.item_bookmark_set(user=user, attempt=attempt, position=6, on=True)
    assert not Bookmark.objects.exists()


def test_a_practice_set_with_feedback_at_the_end_moves_on_after_each_answer(user, bank):
    attempt = start(user, bank, count=3, scope={"feedback": "end"})
    assert attempt.feedback_at_end
    nexts = []
    for item in attempt.items.order_by("position"):
        result = services.answer_submit(
            attempt_id=attempt.pk, user=user, position=item.position, choice_ids=[wrong_id(item)]
        )
        nexts.append(result.position_next)
    assert nexts == [2, 3, 3]  # the last question stays where it is
    attempt.refresh_from_db()
    assert attempt.current_position == 3
    # A practice set with feedback now stays on the question to show it.
    now = start(user, bank, count=3)
    first = now.items.get(position=1)
    result = services.answer_submit(
        attempt_id=now.pk, user=user, position=1, choice_ids=correct_ids(first)
    )
    assert result.position_next == 1


def test_the_same_simulation_answer_sent_again_changes_nothing_but_moves_on(user, bank):
    attempt = start(user, bank, "simulation")
    third = attempt.items.get(position=3)
    first = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=3, choice_ids=correct_ids(third), confidence=2
    )
    services.attempt_move(attempt_id=attempt.pk, user=user, move_to=10)
    again = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=3, choice_ids=correct_ids(third)
    )
    assert (first.newly_answered, again.newly_answered) == (True, False)
    assert first.item.confidence == 2  # the item handed back is the item stored
    assert (again.item.pk, again.position_next) == (third.pk, 4)
    attempt.refresh_from_db()
    assert attempt.current_position == 4
    third.refresh_from_db()
    assert (third.is_correct, third.score, third.confidence) == (True, 1.0, 2)


def test_a_simulation_autosave_keeps_the_learner_on_the_question_and_may_clear_it(user, bank):
    attempt = start(user, bank, "simulation")
    third = attempt.items.get(position=3)
    saved = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=3, choice_ids=correct_ids(third), autosave=True
    )
    assert saved.position_next == 3  # the page stays; a plain save moves on
    third.refresh_from_db()
    assert third.answered_at is not None and third.is_correct
    cleared = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=3, choice_ids=[], autosave=True
    )
    assert cleared.position_next == 3
    third.refresh_from_db()
    assert (third.answered_at, third.selected, third.is_correct) == (None, [], None)
    with pytest.raises(services.InvalidAnswer, match=r"^Choose an answer first\.$"):
        services.answer_submit(attempt_id=attempt.pk, user=user, position=3, choice_ids=[])
    practice = start(user, bank, count=3)  # practice takes no autosave: an answer is needed
    with pytest.raises(services.InvalidAnswer, match=r"^Choose an answer first\.$"):
        services.answer_submit(
            attempt_id=practice.pk, user=user, position=1, choice_ids=[], autosave=True
        )


def test_an_attempt_counts_with_half_its_questions_answered_and_at_least_one():
    counts = {
        (answered, total): services.attempt_counts(answered=answered, total=total)
        for answered, total in [(0, 0), (1, 1), (1, 3), (2, 3), (4, 10), (5, 10), (45, 90)]
    }
    assert counts == {
        (0, 0): False,
        (1, 1): True,
        (1, 3): False,
        (2, 3): True,
        (4, 10): False,
        (5, 10): True,
        (45, 90): True,
    }


def test_the_navigator_handed_back_shows_the_answer_just_stored(user, bank):
    attempt = start(user, bank, "simulation")
    services.item_flag(attempt_id=attempt.pk, user=user, position=2, flagged=True)
    second = attempt.items.get(position=2)
    result = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=2, choice_ids=correct_ids(second)
    )
    cells = {position: rest for position, *rest in result.navigator}
    assert len(cells) == attempt.question_count
    assert cells[2] == [True, True, True]  # answered, flagged, a selection made
    assert cells[1] == [False, False, False]


def test_a_question_waiting_in_the_open_simulation_cannot_be_answered_in_practice(user, bank):
    simulation = start(user, bank, "simulation")
    waiting = simulation.items.get(position=1)
    practice = start(user, bank, question_ids=[waiting.question_id])
    item = practice.items.get()
    with pytest.raises(services.QuestionHeld) as held:
        services.answer_submit(
            attempt_id=practice.pk, user=user, position=1, choice_ids=correct_ids(item)
        )
    assert str(held.value) == services.QuestionHeld.message
    assert held.value.attempt.pk == practice.pk
    item.refresh_from_db()
    assert item.answered_at is None


def test_an_answer_to_a_position_outside_the_attempt_says_so(user, bank):
    attempt = start(user, bank, count=3)
    with pytest.raises(services.InvalidAnswer) as refused:
        services.answer_submit(attempt_id=attempt.pk, user=user, position=4, choice_ids=[1])
    assert str(refused.value) == "That question is not part of this attempt."
    assert refused.value.attempt.pk == attempt.pk


@pytest.mark.parametrize("target", [7, 1])  # 1: the first question is a place to go too
def test_simulation_answer_moves_where_the_learner_chose(user, bank, target):
    attempt = start(user, bank, "simulation")
    item = attempt.items.get(position=3)
    result = services.answer_submit(
        attempt_id=attempt.pk, user=user, position=3, choice_ids=correct_ids(item), move_to=target
    )
    assert result.position_next == target
    assert set(result.items) == {3, 4, target}  # the card shown next is read with the answer
    attempt.refresh_from_db()
    assert attempt.current_position == target
    practice = start(user, bank, count=10)
    first = practice.items.get(position=1)
    result = services.answer_submit(
        attempt_id=practice.pk, user=user, position=1, choice_ids=correct_ids(first), move_to=5
    )
    assert result.position_next == 1  # practice stays for the feedback
