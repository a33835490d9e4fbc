"""The study rules, pure: no database access, so each is tested on fixed inputs.

Rating (how an answer moves a question's review schedule; the scheduler is FSRS, from the
``fsrs`` package, with its default parameters, 90% desired retention and no same-day learning
steps, so the first comeback of a missed question is the next day)
    wrong -> Again; right -> Good; right but marked "Unsure" or "Guess" -> Hard; right, marked
    "Sure" and answered within ``EASY_SECONDS`` (20 s) of the question being shown -> Easy.
    A multiple-answer question is right only when every right choice and no other was chosen.
    Confidence never changes a score: it only tells the scheduler how well it was known.

Due
    A card is due today when its due time falls before the end of the learner's local day
    (midnight in their profile's time zone), so the count does not change through the day as
    learning steps of a few minutes come due.

Readiness (``readiness_estimate``), in plain words for the dashboard
    1. Knowledge: for each objective, the share right of your latest answer to each question of
       it, recent answers weighing more (each answer counts ``DECAY`` times the one after it);
       a domain is the mean of its objectives; domains are combined by their exam weight, and a
       domain you have not touched counts as 50%.
    2. Simulations: your recent full simulations, the newest weighing most.
    3. The expected share right is the two mixed (simulations count as much as ``SIM_WEIGHT``
       answers each), and the chance of passing is the chance that a real exam of the exam's
       length lands at or above the pass mark, widened by how little evidence there is.
    How sure: "low" below 100 answers or less than half the exam's weight touched, "high" from
    400 answers with every domain touched, "medium" in between.
"""

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import fsrs

EASY_SECONDS = 20
REVIEW_CAP_DEFAULT = 50
REVIEW_SESSION_MAX = 50  # one session serves at most this many; the daily cap bounds the day
CANDIDATES_PER_SLOT = 4  # a review session ranks this many due cards per place by retrievability


class Confidence:
    """What the learner said about an answer (optional; never scored)."""

    GUESS = 1
    UNSURE = 2
    SURE = 3
    CHOICES = ((GUESS, "Guess"), (UNSURE, "Unsure"), (SURE, "Sure"))
    LABELS = dict(CHOICES)


def scheduler_make() -> fsrs.Scheduler:
    """FSRS with its default parameters and 90% desired retention, without learning steps:
    a bank question missed today comes back tomorrow, not ten minutes later (seeing the same
    options again within minutes tests memory of the letter, not of the topic). No fuzzing, so
    a schedule is reproducible."""
    return fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


SCHEDULER = scheduler_make()
# fsrs.Card without an id makes one from the clock and sleeps a millisecond so the next is
# different; our cards live in the database, so any fixed id will do.
CARD_ID = 1


def rating_for(
    *, correct: bool, confidence: int | None = None, seconds: float | None = None
) -> fsrs.Rating:
    """The FSRS rating of one answer (the rule at the top of this module)."""
    if not correct:
        return fsrs.Rating.Again
    if confidence in (Confidence.GUESS, Confidence.UNSURE):
        return fsrs.Rating.Hard
    if confidence == Confidence.SURE and seconds is not None and 0 <= seconds < EASY_SECONDS:
        return fsrs.Rating.Easy
    return fsrs.Rating.Good


@dataclass
class CardState:
    """A card's columns (``study.models.Card``), as read with an answer, or None when new."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0
    misses: int = 0
    last_rating: int = 0
    last_confidence: int | None = None


def card_review(
    *, card: CardState | None, rating: fsrs.Rating, at: datetime, confidence: int | None = None
) -> CardState:
    """The card after one review at ``at`` (a new card when ``card`` is None)."""
    at = at.astimezone(UTC)  # the scheduler works in UTC
    if card is None:
        before = fsrs.Card(card_id=CARD_ID, due=at)
        reps = lapses = misses = 0
    else:
        before = fsrs.Card(
            card_id=CARD_ID,
            state=fsrs.State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due.astimezone(UTC),
            last_review=card.last_review.astimezone(UTC) if card.last_review else None,
        )
        reps, lapses, misses = card.reps, card.lapses, card.misses
    after, _log = SCHEDULER.review_card(before, rating, review_datetime=at)
    again = rating == fsrs.Rating.Again
    return CardState(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=after.last_review,
        reps=reps + 1,
        lapses=lapses + int(again and before.state == fsrs.State.Review),
        misses=misses + int(again),
        last_rating=int(rating),
        last_confidence=confidence,
    )


def retrievability(*, stability: float | None, last_review: datetime | None, at: datetime):
    """Chance of recalling the card at ``at`` (FSRS's forgetting curve), 0 for a fresh miss."""
    if stability is None or last_review is None:
        return 0.0
    card = fsrs.Card(
        card_id=CARD_ID,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        last_review=last_review.astimezone(UTC),
    )
    return SCHEDULER.get_card_retrievability(card, current_datetime=at.astimezone(UTC))


def day_start(*, at: datetime, zone: tzinfo) -> datetime:
    """The learner's last midnight at or before ``at``."""
    return datetime.combine(at.astimezone(zone).date(), time.min, tzinfo=zone)


def day_end(*, at: datetime, zone: tzinfo) -> datetime:
    """The end of the learner's local day that holds ``at`` (their next midnight)."""
    local = at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local, time.min, tzinfo=zone)


# Question of the day ----------------------------------------------------------------------


def daily_key(*, exam_slug: str, day: date) -> float:
    """A number in [0, 1) fixed by exam and date: where the day's question is looked up."""
    digest = hashlib.sha256(f"{exam_slug}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def daily_domain_order(*, domain_ids: list[int], key: float) -> list[int]:
    """The exam's domains in an order fixed by ``key`` (the first holding a question wins)."""
    ordered = sorted(domain_ids)
    if not ordered:
        return []
    start = int(key * 1_000_003) % len(ordered)
    return ordered[start:] + ordered[:start]


# Readiness ---------------------------------------------------------------------------------

DECAY = 0.995
SIM_WEIGHT = 40
SIM_DECAY = 0.6
PRIOR = 0.5
READY_CHANCE = 0.8


@dataclass(frozen=True)
class AnswerFact:
    """One latest answer to a question, newest first in the list handed over."""

    domain_id: int
    objective_id: int
    correct: bool


@dataclass(frozen=True)
class DomainFact:
    domain_id: int
    number: int
    name: str
    weight: int


@dataclass
class Readiness:
    chance: float  # 0..1
    expected: float  # expected share right, 0..1
    answers: int
    simulations: int
    certainty: str  # "low", "medium", "high"
    coverage: float  # share of the exam's weight with answers
    domains: dict[int, float] = field(default_factory=dict)  # domain id -> estimated share right

    @property
    def percent(self) -> int:
        return round(100 * self.chance)

    @property
    def expected_percent(self) -> int:
        return round(100 * self.expected)

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.coverage)

    @property
    def ready(self) -> bool:
        return self.chance >= READY_CHANCE and self.certainty != "low"


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def readiness_estimate(
    *,
    domains: list[DomainFact],
    answers: list[AnswerFact],
    simulation_percents: list[float],
    pass_percent: float,
    exam_length: int,
) -> Readiness:
    """The chance of passing, from the latest answers (newest first) and the recent simulation
    percentages (newest first). See the module docstring for the rule in words."""
    sums: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    weight = 1.0
    for answer in answers:
        cell = sums[answer.domain_id][answer.objective_id]
        cell[0] += weight * answer.correct
        cell[1] += weight
        weight *= DECAY
    total_weight = sum(d.weight for d in domains) or 1
    knowledge, touched, per_domain = 0.0, 0.0, {}
    for domain in domains:
        objectives = sums.get(domain.domain_id)
        if objectives:
            share = sum(c / w for c, w in objectives.values()) / len(objectives)
            touched += domain.weight
        else:
            share = PRIOR
        per_domain[domain.domain_id] = share
        knowledge += domain.weight * share
    knowledge /= total_weight
    coverage = touched / total_weight

    sim_share, sim_weight, w = 0.0, 0.0, 1.0
    for percent in simulation_percents:
        sim_share += w * percent / 100
        sim_weight += w
        w *= SIM_DECAY
    n_answers = len(answers)
    answer_mass = min(n_answers, 400) * coverage
    sim_mass = SIM_WEIGHT * sim_weight
    if answer_mass + sim_mass == 0:
        expected = PRIOR
    else:
        expected = (knowledge * answer_mass + (sim_share / (sim_weight or 1)) * sim_mass) / (
            answer_mass + sim_mass
        )
    evidence = max(1.0, answer_mass + sim_mass)
    p = min(max(expected, 0.001), 0.999)
    spread = math.sqrt(p * (1 - p) / max(exam_length, 1) + p * (1 - p) / evidence)
    chance = _phi((expected - pass_percent / 100) / spread)
    if n_answers >= 400 and coverage >= 0.999:
        certainty = "high"
    elif n_answers < 100 or coverage < 0.5:
        certainty = "low"
    else:
        certainty = "medium"
    return Readiness(
        chance=chance,
        expected=expected,
        answers=n_answers,
        simulations=len(simulation_percents),
        certainty=certainty,
        coverage=coverage,
        domains=per_domain,
    )


# Study plan --------------------------------------------------------------------------------


def days_left(*, today: date, exam_date: date | None) -> int | None:
    """Days from today until the exam (0 on the day itself), or None without a date."""
    if exam_date is None:
        return None
    return max(0, (exam_date - today).days)


def daily_target(*, unseen: int, due: int, days: int | None) -> int:
    """Questions a day to see every unseen question before the exam and keep up with reviews.

    The unseen questions are spread over the days left (the exam day itself excluded when
    there is another), plus today's due reviews; without a date, two weeks are assumed.
    """
    span = 14 if days is None else max(1, days)
    return max(1, math.ceil(unseen / span) + due)


@dataclass(frozen=True)
class NextStep:
    kind: str  # "review", "objective", "simulation", "practice"
    text: str


def next_step(
    *, due: int, weakest: str | None, readiness: Readiness | None, exam_code: str | None
) -> NextStep:
    """Due reviews first; then the weakest objective; a full simulation once readiness is high."""
    if due:
        return NextStep("review", f"Review the {due} question{'s' if due != 1 else ''} due today.")
    if readiness is not None and readiness.ready and exam_code:
        return NextStep("simulation", f"Sit a full {exam_code} simulation: you look ready.")
    if weakest:
        return NextStep("objective", f"Drill your weakest objective, {weakest}.")
    return NextStep("practice", "Practise a quick set of 10 to build your record.")
