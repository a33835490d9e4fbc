"""Reads for spaced review, smart sets and the study plan.

Each is a fixed number of queries, whatever the size of the bank or of the learner's deck of
cards: counts go through the ``(user, due)`` index, candidate sets are bounded by due date or by
the most recent reviews, and questions are picked by index range scans on ``random_key``.

Questions of the learner's open simulation are never served here (``exams.selectors.
questions_held``): they are excluded from the review queue, every smart pool and the question of
the day, and do not count as due.
"""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone

from exams.models import Attempt, AttemptItem, Bookmark
from exams.selectors import questions_held, random_scan
from questions.models import Exam, Question
from study import rules
from study.models import LEECH_MISSES, Card

CARD_FIELDS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "misses",
    "last_rating",
    "last_confidence",
)


# The card of a question, read with the row that names it -----------------------------------


def card_annotate(queryset: QuerySet, *, user_id: int, question_path: str = "question"):
    """``queryset`` with the learner's card of each row's question as ``card_<field>`` columns.

    A LEFT JOIN in the same query, so the answer path reads the card with its item at no
    extra query; ``card_state`` is None for a question the learner never answered.
    """
    relation = f"{question_path}__study_cards"
    return queryset.annotate(
        study_card=FilteredRelation(relation, condition=Q(**{f"{relation}__user_id": user_id}))
    ).annotate(**{f"card_{name}": F(f"study_card__{name}") for name in CARD_FIELDS})


def card_columns() -> list[str]:
    """The names ``card_annotate`` adds, for ``values()``."""
    return [f"card_{name}" for name in CARD_FIELDS]


def card_state_of(row) -> rules.CardState | None:
    """The card read by ``card_annotate`` on ``row`` (a model instance or a values() dict)."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name, None)
    if get("card_state") is None:
        return None
    return rules.CardState(**{name: get(f"card_{name}") for name in CARD_FIELDS})


# Due reviews -------------------------------------------------------------------------------


def due_cards(*, user_id: int, until: datetime, exam_id: int | None = None) -> QuerySet[Card]:
    """The learner's cards due before ``until``, of active questions, none held back."""
    cards = Card.objects.filter(user_id=user_id, due__lt=until, question__is_active=True)
    if exam_id is not None:
        cards = cards.filter(exam_id=exam_id)
    return cards.exclude(question_id__in=questions_held(user_id=user_id))


DUE_COUNT_LIMIT = 99
DUE_POOL_MAX = 200  # a smart set of due questions samples the most overdue 200 (a set's maximum)


def due_count(*, user_id: int, zone: tzinfo, now: datetime | None = None) -> int:
    """How many cards are due before the end of the learner's local day: one query on the
    ``(user, due)`` index that stops after ``DUE_COUNT_LIMIT`` + 1 rows (shown as "99+"), so
    a backlog after months away costs no more than a full day."""
    now = now or timezone.now()
    due = due_cards(user_id=user_id, until=rules.day_end(at=now, zone=zone))
    return due.order_by().values("pk")[: DUE_COUNT_LIMIT + 1].count()


def due_count_for_request(request) -> int:
    """``due_count`` for the signed-in learner of ``request``, counted once per request (the
    navigation and the page share it). The zone is the one the request runs in, which
    ``accounts.middleware`` sets from the learner's profile without a query."""
    cached = getattr(request, "_study_due_count", None)
    if cached is None:
        cached = due_count(user_id=request.user.pk, zone=timezone.get_current_timezone())
        request._study_due_count = cached
    return cached


def reviews_served_today(*, user_id: int, zone: tzinfo, now: datetime) -> int:
    """Questions put into review sessions since the learner's local midnight (the daily cap)."""
    start = rules.day_start(at=now, zone=zone)
    rows = Attempt.objects.filter(user_id=user_id, mode=Attempt.Mode.REVIEW, started_at__gte=start)
    return sum(rows.values_list("question_count", flat=True))


def review_queue(
    *, user_id: int, until: datetime, size: int, now: datetime, exam_id: int | None = None
) -> list[int]:
    """Up to ``size`` due question ids, lowest retrievability first.

    Reads at most ``CANDIDATES_PER_SLOT × size`` due cards, the most overdue first (the
    ``(user, due)`` index), and ranks those by FSRS retrievability at ``now``.
    """
    if size <= 0:
        return []
    rows = list(
        due_cards(user_id=user_id, until=until, exam_id=exam_id)
        .order_by("due", "id")
        .values_list("question_id", "stability", "last_review")[: rules.CANDIDATES_PER_SLOT * size]
    )
    rows.sort(key=lambda r: (rules.retrievability(stability=r[1], last_review=r[2], at=now), r[0]))
    return [question_id for question_id, _, _ in rows[:size]]


# Confidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceFinding:
    position: int
    objective_code: str
    text: str


@dataclass
class AttemptConfidence:
    """What the learner said about their answers in one attempt (never part of the score)."""

    rated: int
    confidently_wrong: list[ConfidenceFinding]  # "Sure" and wrong: a misconception to fix
    lucky_guesses: list[ConfidenceFinding]  # "Guess" and right: not known yet


def attempt_confidence(*, attempt: Attempt) -> AttemptConfidence:
    """The attempt's confidently wrong answers and lucky guesses (one query)."""
    rows = (
        attempt.items.filter(confidence__isnull=False, answered_at__isnull=False)
        .order_by("position")
        .values_list(
            "position", "confidence", "is_correct", "question__objective__code", "question__text"
        )
    )
    wrong, lucky, rated = [], [], 0
    for position, confidence, is_correct, code, text in rows:
        rated += 1
        finding = ConfidenceFinding(position, code, text)
        if confidence == rules.Confidence.SURE and not is_correct:
            wrong.append(finding)
        elif confidence == rules.Confidence.GUESS and is_correct:
            lucky.append(finding)
    return AttemptConfidence(rated, wrong, lucky)


@dataclass(frozen=True)
class CalibrationRow:
    confidence: int
    label: str
    answers: int
    correct: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answers) if self.answers else 0


def calibration(*, user_id: int, recent: int = 500) -> list[CalibrationRow]:
    """How often the learner was right at each confidence, from the latest answer to each of
    the ``recent`` most recently answered questions that had one (their cards: one bounded
    query on the ``(user, last_review)`` index). Well calibrated: "Sure" is nearly always right."""
    rows = (
        Card.objects.filter(user_id=user_id)
        .order_by("-last_review")
        .values_list("last_confidence", "last_rating")[:recent]
    )
    tally = {value: [0, 0] for value, _ in rules.Confidence.CHOICES}
    for confidence, rating in rows:
        if confidence in tally:
            tally[confidence][0] += 1
            tally[confidence][1] += int(rating > Card.Rating.AGAIN)
    return [
        CalibrationRow(value, label, *tally[value])
        for value, label in rules.Confidence.CHOICES
        if tally[value][0]
    ]


# Leeches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leech:
    question_id: int
    exam_slug: str
    objective_id: int
    objective_code: str
    misses: int


def leeches_of(*, user_id: int, limit: int = 5) -> list[Leech]:
    """The learner's leech cards, most missed first (for an offer to drill their objectives)."""
    rows = (
        Card.objects.filter(user_id=user_id, misses__gte=LEECH_MISSES)
        .order_by("-misses", "question_id")
        .values_list(
            "question_id",
            "question__exam__slug",
            "question__objective_id",
            "question__objective__code",
            "misses",
        )[:limit]
    )
    return [Leech(*row) for row in rows]


# Smart practice pools ----------------------------------------------------------------------

POOLS = {
    "all": "All questions",
    "unseen": "Questions I have not seen",
    "missed": "Questions I missed in my last attempts",
    "flagged": "Questions I flagged",
    "bookmarked": "My bookmarks",
    "unsure": "Answered with low confidence (Guess or Unsure)",
    "weakest": "My weakest objectives",
    "due": "Due for review",
}
MATCH_COUNT_LIMIT = 1000
# Pools made of the learner's own rows (bounded by their recent attempts, bookmarks or due
# cards), read whole up to POOL_READ_MAX ids; the others are picked by random-key range scans.
LEARNER_POOLS = frozenset({"missed", "flagged", "bookmarked", "unsure", "due"})
POOL_READ_MAX = 5000


@dataclass(frozen=True)
class PoolChoice:
    pool: str
    last_attempts: int = 5
    weakest: int = 3


def _recent_items(*, user_id: int, exam: Exam, last_attempts: int) -> QuerySet[AttemptItem]:
    """Items of the learner's last ``last_attempts`` submitted attempts of ``exam``."""
    recent = (
        Attempt.objects.filter(user_id=user_id, exam=exam, status=Attempt.Status.SUBMITTED)
        .order_by("-submitted_at", "-id")
        .values("id")[:last_attempts]
    )
    return AttemptItem.objects.filter(attempt_id__in=list(recent.values_list("id", flat=True)))


def weakest_objectives(*, user_id: int, exam: Exam, k: int, recent: int = 500) -> list[dict]:
    """The learner's ``k`` weakest objectives of ``exam``: id, code, title, correct, total.

    Read from the learner's latest answer to each question among the ``recent`` most recently
    answered (their cards), so the cost stays flat however long the history.
    """
    cards = (
        Card.objects.filter(user_id=user_id, exam=exam)
        .order_by("-last_review")
        .values_list(
            "question__objective_id",
            "question__objective__code",
            "question__objective__title",
            "last_rating",
        )[:recent]
    )
    tally: dict[int, dict] = {}
    for objective_id, code, title, rating in cards:
        row = tally.setdefault(
            objective_id,
            {"id": objective_id, "code": code, "title": title, "correct": 0, "total": 0},
        )
        row["total"] += 1
        row["correct"] += int(rating > Card.Rating.AGAIN)
    ranked = sorted(
        (r for r in tally.values() if r["correct"] < r["total"]),
        key=lambda r: (r["correct"] / r["total"], -r["total"], r["code"]),
    )
    return ranked[:k]


def pool_questions(
    *, user_id: int, exam: Exam, choice: PoolChoice, now: datetime, zone: tzinfo
) -> QuerySet[Question]:
    """The active questions of ``exam`` in the pool (before domains and objectives narrow it),
    never one held back by the learner's open simulation."""
    base = Question.objects.filter(exam=exam, is_active=True).exclude(
        pk__in=questions_held(user_id=user_id)
    )
    pool = choice.pool
    if pool == "unseen":
        seen = AttemptItem.objects.filter(attempt__user_id=user_id, question_id=OuterRef("pk"))
        return base.filter(~Exists(seen))
    if pool == "missed":
        items = _recent_items(user_id=user_id, exam=exam, last_attempts=choice.last_attempts)
        return base.filter(pk__in=items.filter(is_correct=False).values("question_id"))
    if pool == "flagged":
        items = _recent_items(user_id=user_id, exam=exam, last_attempts=choice.last_attempts)
        return base.filter(pk__in=items.filter(flagged=True).values("question_id"))
    if pool == "bookmarked":
        return base.filter(
            Exists(Bookmark.objects.filter(user_id=user_id, question=OuterRef("pk")))
        )
    if pool == "unsure":
        items = _recent_items(user_id=user_id, exam=exam, last_attempts=choice.last_attempts)
        low = items.filter(confidence__in=[rules.Confidence.GUESS, rules.Confidence.UNSURE])
        return base.filter(pk__in=low.values("question_id"))
    if pool == "weakest":
        weakest = weakest_objectives(user_id=user_id, exam=exam, k=choice.weakest)
        return base.filter(objective_id__in=[row["id"] for row in weakest])
    if pool == "due":
        # The most overdue first, bounded, so a backlog costs no more than a full set.
        due = due_cards(user_id=user_id, until=rules.day_end(at=now, zone=zone), exam_id=exam.pk)
        # Read the ids first (the (user, due) index), then look them up by primary key.
        ids = due.order_by("due").values_list("question_id", flat=True)[:DUE_POOL_MAX]
        return base.filter(pk__in=list(ids))
    return base


def pool_narrow(queryset: QuerySet, *, domain_ids=(), objective_ids=()) -> QuerySet:
    """Keep questions in any of the chosen domains or objectives (all, when none is chosen)."""
    if not (domain_ids or objective_ids):
        return queryset
    return queryset.filter(
        Q(domain_id__in=list(domain_ids)) | Q(objective_id__in=list(objective_ids))
    )


def pool_count(queryset: QuerySet) -> int:
    """How many questions match, counted up to ``MATCH_COUNT_LIMIT`` (+1 means "more")."""
    return queryset.order_by().values("pk")[: MATCH_COUNT_LIMIT + 1].count()


# Question of the day -----------------------------------------------------------------------

QOTD_MIN_ANSWERS = 5


def question_of_the_day(*, exam: Exam, day: date, user_id: int | None = None) -> int | None:
    """The question of ``day`` for ``exam``: the same for everyone, fixed by exam and date.

    Domains are tried in an order fixed by the day's key, and within one the first active
    question at or after the key in ``random_key`` order (wrapping round): an index range scan.
    """
    key = rules.daily_key(exam_slug=exam.slug, day=day)
    domain_ids = list(exam.domains.values_list("id", flat=True))
    for domain_id in rules.daily_domain_order(domain_ids=domain_ids, key=key):
        found = random_scan(Question.objects.filter(domain_id=domain_id, is_active=True), 1, key)
        if found:
            return found[0]
    return None


@dataclass(frozen=True)
class OthersAnswered:
    answers: int
    correct: int
    shown: bool

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answers) if self.answers else 0


def others_answered(*, question_id: int, since: datetime) -> OthersAnswered:
    """How learners answered the question since ``since`` (first answers in any mode);
    shown once at least ``QOTD_MIN_ANSWERS`` have answered."""
    row = AttemptItem.objects.filter(
        question_id=question_id, answered_at__gte=since, is_correct__isnull=False
    ).aggregate(n=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
    return OthersAnswered(row["n"], row["correct"], row["n"] >= QOTD_MIN_ANSWERS)


# Study plan --------------------------------------------------------------------------------

READINESS_RECENT_ANSWERS = 500
READINESS_SIMULATIONS = 5


@dataclass
class StudyPlan:
    """The dashboard's study plan (see ``study.rules`` for each rule in words)."""

    due: int
    exam: Exam | None
    days_left: int | None
    daily_target: int | None
    unseen: int | None
    readiness: rules.Readiness | None
    weakest: dict | None
    next_step: rules.NextStep
    calibration: list[CalibrationRow]


def readiness_for(*, user_id: int, exam: Exam) -> rules.Readiness:
    """The readiness figure of ``exam`` from the learner's latest answers and simulations
    (three bounded queries)."""
    domains = [
        rules.DomainFact(d.pk, d.number, d.name, d.weight_percent)
        for d in exam.domains.order_by("number")
    ]
    answers = [
        rules.AnswerFact(domain_id, objective_id, rating > Card.Rating.AGAIN)
        for domain_id, objective_id, rating in Card.objects.filter(user_id=user_id, exam=exam)
        .order_by("-last_review")
        .values_list("question__domain_id", "question__objective_id", "last_rating")[
            :READINESS_RECENT_ANSWERS
        ]
    ]
    simulations = (
        Attempt.objects.filter(
            user_id=user_id,
            exam=exam,
            mode=Attempt.Mode.SIMULATION,
            status=Attempt.Status.SUBMITTED,
        )
        .order_by("-submitted_at", "-id")
        .values_list("correct_count", "question_count")[:READINESS_SIMULATIONS]
    )
    percents = [100 * c / n for c, n in simulations if n]
    span = exam.score_max - exam.score_min
    return rules.readiness_estimate(
        domains=domains,
        answers=answers,
        simulation_percents=percents,
        pass_percent=100 * (exam.pass_mark - exam.score_min) / span if span else 75,
        exam_length=exam.question_count,
    )


def study_plan(*, profile, now: datetime, due: int | None = None) -> StudyPlan:
    """Due reviews (``due`` when the caller counted them), days left, the daily target,
    readiness and the next step (bounded queries, whatever the size of the bank or of the
    learner's history). Calibration only while the learner records confidence."""
    zone = profile.tz
    user_id = profile.user_id
    if due is None:
        due = due_count(user_id=user_id, zone=zone, now=now)
    exam = profile.target_exam
    today = now.astimezone(zone).date()
    days = rules.days_left(today=today, exam_date=profile.exam_date)
    readiness = weakest = unseen = target = None
    if exam is not None:
        readiness = readiness_for(user_id=user_id, exam=exam)
        seen = Card.objects.filter(user_id=user_id, exam=exam).count()
        unseen = max(0, exam.bank_size - seen)
        target = rules.daily_target(unseen=unseen, due=due, days=days)
        found = weakest_objectives(user_id=user_id, exam=exam, k=1)
        weakest = found[0] if found else None
    step = rules.next_step(
        due=due,
        weakest=weakest["code"] if weakest else None,
        readiness=readiness,
        exam_code=exam.code if exam else None,
    )
    return StudyPlan(
        due=due,
        exam=exam,
        days_left=days,
        daily_target=target,
        unseen=unseen,
        readiness=readiness,
        weakest=weakest,
        next_step=step,
        calibration=calibration(user_id=user_id) if profile.confidence_on else [],
    )
