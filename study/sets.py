"""Start review sessions and smart sets through the exam engine (``attempt_start``).

Each starts an attempt of exactly the questions the rules pick; choices are shuffled afresh
for every attempt, so a question met again in review shows its options in a new order. None
of them serves a question of the learner's open simulation.
"""

import random
from datetime import datetime

from django.utils import timezone

from accounts.services import profile_update
from exams import services as exams
from exams.models import Attempt
from exams.selectors import questions_held, random_scan
from questions.models import Exam
from study import rules, selectors

# Starting sets -----------------------------------------------------------------------------


class NothingDue(exams.EngineError):
    """No review is due today (or today's cap is reached)."""


def review_start(
    *, user, exam: Exam | None = None, now: datetime | None = None, rng=None
) -> Attempt:
    """A review session of the learner's due cards, lowest retrievability first, up to what is
    left of the learner's daily cap (and at most ``REVIEW_SESSION_MAX``; start another for
    more). ``exam`` narrows it to one exam (the session belongs to
    the exam of the first card otherwise, and holds only that exam's cards)."""
    now = now or timezone.now()
    profile = user.profile
    zone = profile.tz
    left = profile.review_cap - selectors.reviews_served_today(user_id=user.pk, zone=zone, now=now)
    if left <= 0:
        raise NothingDue(
            f"You have reached today's review cap of {profile.review_cap}. "
            "Change it on your profile, or come back tomorrow."
        )
    until = rules.day_end(at=now, zone=zone)
    if exam is None:
        first = (
            selectors.due_cards(user_id=user.pk, until=until)
            .order_by("due", "id")
            .values_list("exam_id", flat=True)
            .first()
        )
        if first is None:
            raise NothingDue("Nothing is due for review today. Well done.")
        exam = Exam.objects.get(pk=first)
    question_ids = selectors.review_queue(
        user_id=user.pk,
        until=until,
        size=min(left, rules.REVIEW_SESSION_MAX),
        now=now,
        exam_id=exam.pk,
    )
    if not question_ids:
        raise NothingDue(f"Nothing of {exam.code} is due for review today.")
    return exams.attempt_start(
        user=user,
        exam=exam,
        mode=Attempt.Mode.REVIEW,
        question_ids=question_ids,
        scope={"review": True},
        now=now,
        rng=rng,
    )


def smart_start(
    *,
    user,
    exam: Exam,
    choice: selectors.PoolChoice,
    count: int,
    domain_ids=(),
    objective_ids=(),
    timed: bool = False,
    feedback_at_end: bool = False,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """A practice set of ``count`` questions drawn at random from a pool (``selectors.POOLS``),
    narrowed to domains or objectives; timed sets get the exam's time per question."""
    now = now or timezone.now()
    rng = rng or random.Random()
    zone = user.profile.tz
    pool = selectors.pool_questions(user_id=user.pk, exam=exam, choice=choice, now=now, zone=zone)
    pool = selectors.pool_narrow(pool, domain_ids=domain_ids, objective_ids=objective_ids)
    count = max(1, min(int(count), exams.MAX_LENGTH))
    if choice.pool in selectors.LEARNER_POOLS:
        # A pool drawn from the learner's own rows is small: read it (bounded), then sample,
        # rather than walk the whole bank in random order looking for its few questions.
        candidates = list(pool.order_by().values_list("id", flat=True)[: selectors.POOL_READ_MAX])
        question_ids = rng.sample(candidates, min(count, len(candidates)))
    else:
        question_ids = _random_pick(pool, count, rng)
    if not question_ids:
        raise exams.NoQuestions("No question matches that choice yet.")
    scope = {"pool": choice.pool}
    if choice.pool in ("missed", "flagged", "unsure"):
        scope["last_attempts"] = choice.last_attempts
    if choice.pool == "weakest":
        scope["weakest"] = choice.weakest
    if domain_ids:
        scope["domains"] = sorted(int(d) for d in domain_ids)
    if objective_ids:
        scope["objectives"] = sorted(int(o) for o in objective_ids)
    if feedback_at_end:
        scope["feedback"] = "end"
    time_limit = None
    if timed:
        # The exam's time per question, rounded up to whole minutes.
        time_limit = max(
            1, -(-exam.time_limit_minutes * len(question_ids) // max(exam.question_count, 1))
        )
    return exams.attempt_start(
        user=user,
        exam=exam,
        mode=Attempt.Mode.PRACTICE,
        question_ids=question_ids,
        scope=scope,
        time_limit=time_limit,
        now=now,
        rng=rng,
    )


def _random_pick(queryset, count: int, rng: random.Random) -> list[int]:
    """``count`` ids at random (an index range scan from a random start), shuffled."""
    ids = random_scan(queryset, count, rng.random())
    rng.shuffle(ids)
    return ids


def retry_missed_start(*, user, attempt: Attempt, now=None, rng=None) -> Attempt:
    """A practice set of exactly the questions missed in a submitted attempt of the learner."""
    if attempt.status != Attempt.Status.SUBMITTED:
        raise exams.EngineError("Submit the attempt first.")
    missed = list(
        attempt.items.filter(is_correct=False)
        .exclude(question_id__in=questions_held(user_id=user.pk))
        .order_by("position")
        .values_list("question_id", flat=True)
    )
    if not missed:
        raise exams.NoQuestions("You missed nothing in that attempt.")
    return exams.attempt_start(
        user=user,
        exam=attempt.exam,
        mode=Attempt.Mode.PRACTICE,
        question_ids=missed,
        scope={"retry_of": attempt.pk},
        now=now,
        rng=rng,
    )


def daily_start(*, user, exam: Exam, now: datetime | None = None, rng=None) -> Attempt:
    """A one-question set of the exam's question of the day (the learner's local day)."""
    now = now or timezone.now()
    day = now.astimezone(user.profile.tz).date()
    question_id = selectors.question_of_the_day(exam=exam, day=day)
    held = questions_held(user_id=user.pk).filter(question_id=question_id)
    if question_id is None or held.exists():
        raise exams.NoQuestions(
            "The question of the day is not available to you now (it may be in your open "
            "simulation)."
        )
    return exams.attempt_start(
        user=user,
        exam=exam,
        mode=Attempt.Mode.PRACTICE,
        question_ids=[question_id],
        scope={"daily": day.isoformat()},
        now=now,
        rng=rng,
    )


def daily_goal_adopt(*, user, now: datetime | None = None) -> int | None:
    """Set the learner's daily goal to today's daily target; None without a target exam."""
    now = now or timezone.now()
    profile = user.profile
    plan = selectors.study_plan(profile=profile, now=now)
    if plan.daily_target is None:
        return None
    target = min(plan.daily_target, 500)
    profile_update(profile=profile, data={"daily_goal": target})
    return target
