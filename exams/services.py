"""The exam engine's writes: start, answer, flag, finish, abandon, bookmark.

Every function takes keyword arguments, runs in one transaction and never touches ``request``.
Time is injectable (``now=``) so tests freeze it instead of sleeping.

Rules worth knowing before changing anything here:

- The deadline of a simulation is enforced here, not in the browser: any write on an attempt
  past its deadline submits it as it stands and then refuses the write (``AttemptClosed``).
- Answers are recorded by choice id, never by the letter the learner saw.
- Every answer outside a simulation moves the learner's spaced-review card of the question
  (``study.services.card_record``) in the same transaction; a simulation's answers move theirs
  when it is submitted. Confidence (Guess / Unsure / Sure) is stored with the answer and only
  ever reaches the review schedule, never a score.
- A practice set may keep its feedback to the end (``Attempt.feedback_at_end``): answers are
  final as in practice, the learner moves on after each, and the key shows on submission.
- Writes lock the attempt row (``select_for_update``) so double clicks, two tabs and racing
  finishes count exactly once; ``Profile.total_exams_taken`` is incremented only on the
  transition from in progress to submitted, and only for an attempt that counts (below).
- An attempt counts toward progress (the finish XP, "exams taken", attempt badges, and so the
  leaderboard) only when at least half of its questions were answered, and at least one:
  ``attempt_counts``. Every answer still earns its own XP.
- While a simulation is open, its questions are held back from every other route
  (``exams.selectors.questions_held``): practice refuses to check them, and an unanswered one
  cannot be bookmarked.
- A simulation built from a bank smaller than the exam gets time in proportion to its
  questions (rounded up), unless the learner asks for the exam's full time.
- In a simulation a multi-answer question may keep a selection of the wrong size: it is stored
  as incomplete (not answered, scored wrong). Practice and drills refuse it.
"""

import enum
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Profile
from exams import answer_sql, rules
from exams.models import Attempt, AttemptItem, Bookmark, DomainTally
from exams.rules import RECENT_WINDOW, recent_key, recent_merge, scaled_score_compute
from exams.selectors import (
    open_simulation,
    pbqs_pick,
    questions_pick,
    simulation_items_open,
)
from gamification import services as gamification
from questions.models import Choice, Exam, Question, QuestionRevision
from questions.rules import choose_word
from study import selectors as study_selectors
from study import services as study

PRACTICE_LENGTHS = (10, 20, 30)
MAX_LENGTH = 200


class EngineError(Exception):
    """A rule of the engine refused the request; ``str(error)`` is shown to the learner."""


class AttemptClosed(EngineError):
    """The attempt is submitted, abandoned or past its deadline (HTTP 409)."""

    def __init__(self, message, *, attempt=None, announcements=()):
        super().__init__(message)
        self.attempt = attempt
        self.announcements = list(announcements)


class InvalidAnswer(EngineError):
    """The answer does not fit the question, e.g. a foreign choice id (HTTP 400).

    ``attempt`` is the attempt it was refused for, when it was read before the refusal.
    """

    def __init__(self, message, *, attempt=None):
        super().__init__(message)
        self.attempt = attempt


class AnswerFinal(EngineError):
    """Practice and drills: the question already has a different answer, which stands (409)."""

    def __init__(self, message, *, attempt=None):
        super().__init__(message)
        self.attempt = attempt


class QuestionHeld(InvalidAnswer):
    """Practice or drill: the question is part of the learner's open simulation (HTTP 409)."""

    message = (
        "This question is also in your exam simulation in progress, so it cannot be checked "
        "here until you submit or abandon that simulation."
    )


class BookmarkRefused(EngineError):
    """An unanswered question of the learner's open simulation cannot be bookmarked (409)."""


class NoQuestions(EngineError):
    """The bank holds no active question for what the learner asked."""


class SimulationOpen(EngineError):
    """The learner already has a simulation in progress (resume or abandon it first)."""

    def __init__(self, attempt):
        super().__init__("You already have an exam simulation in progress.")
        self.attempt = attempt


@dataclass
class AnswerResult:
    """What an answer changed, with what was read to record it (for the card shown next).

    ``attempt`` (with its exam) and ``item`` (with ``question__objective__domain``) are the
    rows read under the lock, updated in memory; ``choice_rows`` maps the question's choice ids
    to their id, text, explanation and is_correct; ``position_next`` is where the learner goes.
    """

    item: AttemptItem
    newly_answered: bool
    announcements: list[str] = field(default_factory=list)
    attempt: Attempt | None = None
    choice_rows: dict[int, dict] = field(default_factory=dict)
    position_next: int = 0
    items: dict[int, AttemptItem] = field(default_factory=dict)
    choices: dict[int, dict[int, dict]] = field(default_factory=dict)
    navigator: list[list] = field(default_factory=list)


@dataclass(kw_only=True)
class AttemptResult:
    """An attempt as a service left it, with the news (badges, goals) it gave."""

    attempt: Attempt
    announcements: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class FinishResult(AttemptResult):
    newly_finished: bool


class AbandonOutcome(enum.Enum):
    """What ``attempt_abandon`` did, for the view to say."""

    ABANDONED = "abandoned"
    ALREADY_ABANDONED = "already abandoned"
    EXPIRED = "submitted because time was up"
    ALREADY_SUBMITTED = "already submitted"


@dataclass(kw_only=True)
class AbandonResult(AttemptResult):
    outcome: AbandonOutcome


class Gate(enum.Enum):
    """Whether an attempt can be taken: the one answer to "is it open" for every view."""

    OPEN = "open"
    EXPIRED = "expired"  # past its deadline: submitted as it stood just now
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"


@dataclass
class GateResult:
    gate: Gate
    announcements: list[str] = field(default_factory=list)


def attempt_counts(*, answered: int, total: int) -> bool:
    """Whether a finished attempt counts toward progress: half its questions answered, and
    at least one (so an empty practice set or a blank simulation earns nothing)."""
    return answered >= 1 and 2 * answered >= total


def simulation_minutes(*, exam: Exam, questions: int, full_time: bool = False) -> int:
    """The exam's time, or for fewer questions than the exam a share of it (rounded up)."""
    if full_time or questions >= exam.question_count:
        return exam.time_limit_minutes
    return max(1, math.ceil(exam.time_limit_minutes * questions / exam.question_count))


def time_limit_compute(*, minutes: int, extra_time: int) -> int:
    """Minutes allowed with an accommodation of ``extra_time`` percent (150 -> 1.5×)."""
    return math.ceil(minutes * extra_time / 100)


def _locked_attempt(*, attempt_id: int, user) -> Attempt:
    """The attempt, locked (only its own row: the exam is shared by every learner), with its
    exam. Raises ``Attempt.DoesNotExist`` when it is not the learner's."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("exam")
        .get(pk=attempt_id, user=user)
    )
    attempt.user = user  # the caller's user: no second read of it
    return attempt


def attempt_start(
    *,
    user,
    exam: Exam,
    mode: str,
    count: int | None = None,
    domain_ids: list[int] | tuple = (),
    objective_ids: list[int] | tuple = (),
    bookmarked: bool = False,
    full_time: bool = False,
    question_ids: list[int] | None = None,
    scope: dict | None = None,
    time_limit: int | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt: pick its questions, shuffle each question's choices, store both.

    A simulation takes the exam's question count (or what the bank holds) across all domains
    by official weight, and a deadline stretched by the learner's extra-time accommodation;
    with fewer questions than the exam the time is scaled to them unless ``full_time``.
    ``bookmarked`` draws a practice set from the learner's bookmarks in this exam.
    ``question_ids``: exactly these questions, in this order (picked by the caller, e.g. a
    review session or a smart set, which says what it was in ``scope``); ``time_limit`` (in
    minutes) times a practice set, stretched by the accommodation like a simulation.
    """
    now = now or timezone.now()
    rng = rng or random.Random()
    mode = Attempt.Mode(mode)
    scope = dict(scope or {})
    if mode == Attempt.Mode.SIMULATION:
        domain_ids, objective_ids, bookmarked = (), (), False
        count = exam.question_count
    else:
        count = max(1, min(int(count or PRACTICE_LENGTHS[0]), MAX_LENGTH))
        if domain_ids:
            scope["domains"] = sorted(int(d) for d in domain_ids)
        if objective_ids:
            scope["objectives"] = sorted(int(o) for o in objective_ids)
        if bookmarked:
            scope["bookmarks"] = True
    if mode == Attempt.Mode.SIMULATION and full_time:
        scope["full_time"] = True
    if mode == Attempt.Mode.DRILL and not (domain_ids or objective_ids):
        raise EngineError("A drill needs a domain or an objective.")

    with transaction.atomic():
        profile = Profile.objects.get(user=user)
        if mode == Attempt.Mode.SIMULATION:
            open_one = open_simulation(user=user)
            if open_one is not None:
                raise SimulationOpen(open_one)
        if question_ids is None or mode == Attempt.Mode.SIMULATION:
            pbq_ids = []
            if mode == Attempt.Mode.SIMULATION:
                # As in the real exam the performance-based questions come first (exams.rules).
                low, high = rules.SIMULATION_PBQS
                pbq_ids = pbqs_pick(
                    user=user, exam=exam, count=min(rng.randint(low, high), count), rng=rng
                )
            question_ids = pbq_ids + questions_pick(
                user=user,
                exam=exam,
                count=count - len(pbq_ids),
                domain_ids=domain_ids,
                objective_ids=objective_ids,
                bookmarked=bookmarked,
                hold_for_review=mode == Attempt.Mode.SIMULATION and exam.hold_for_review,
                rng=rng,
                kind=Question.Kind.CHOICE if mode == Attempt.Mode.SIMULATION else None,
            )
        if not question_ids:
            raise NoQuestions("The bank holds no active questions for that choice yet.")
        attempt = Attempt(
            user=user,
            exam=exam,
            mode=mode,
            scope=scope,
            question_count=len(question_ids),
            started_at=now,
        )
        if mode == Attempt.Mode.SIMULATION:
            attempt.extra_time = profile.extra_time
            minutes = simulation_minutes(
                exam=exam, questions=len(question_ids), full_time=full_time
            )
            attempt.time_limit_minutes = time_limit_compute(
                minutes=minutes, extra_time=profile.extra_time
            )
            attempt.deadline = now + timedelta(minutes=attempt.time_limit_minutes)
        elif time_limit:
            attempt.extra_time = profile.extra_time
            attempt.time_limit_minutes = time_limit_compute(
                minutes=time_limit, extra_time=profile.extra_time
            )
            attempt.deadline = now + timedelta(minutes=attempt.time_limit_minutes)
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            # Two tabs started a simulation at once: the constraint let one through.
            open_one = open_simulation(user=user)
            if open_one is None:
                raise
            raise SimulationOpen(open_one) from None

        # The choices, each with its question's current revision (the one the learner is
        # shown), in one read: the revision link costs no query of its own.
        choices_by_question: dict[int, list[tuple]] = {qid: [] for qid in question_ids}
        revision_of: dict[int, int | None] = {}
        current_revision = QuestionRevision.objects.filter(
            question_id=OuterRef("question_id"), number=OuterRef("question__revision_number")
        ).values("pk")[:1]
        for question_id, letter, choice_id, position, value, revision_id in (
            Choice.objects.filter(question_id__in=question_ids)
            .order_by()
            .values_list(
                "question_id", "letter", "id", "position", "value", Subquery(current_revision)
            )
        ):
            choices_by_question[question_id].append((letter, choice_id, position, value))
            revision_of[question_id] = revision_id
        items = []
        for position, question_id in enumerate(question_ids, start=1):
            order = _display_order(choices_by_question[question_id], rng)
            items.append(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    question_id=question_id,
                    revision_id=revision_of.get(question_id),
                    choice_order=order,
                )
            )
        AttemptItem.objects.bulk_create(items)
    return attempt


def _display_order(choices: list[tuple], rng: random.Random) -> list[int]:
    """Choice ids in the order shown, fixed for the attempt; ``choices`` are (letter, id,
    position, value).

    Options and items are shuffled; an order question's items are never shown in their right
    order (a learner could submit the page as it came). A match question's rows keep their
    listed order, which says nothing of their values (an exhibit often lists them the same way).
    """
    choices = sorted(choices)
    if any(value for *_, value in choices):
        return [choice_id for _, choice_id, _, _ in choices]
    order = [choice_id for _, choice_id, _, _ in choices]
    rng.shuffle(order)
    positions = {choice_id: place for _, choice_id, place, _ in choices}
    if len(order) > 1 and None not in positions.values():
        while sorted(order, key=positions.get) == order:
            rng.shuffle(order)
    return order


def attempt_gate(*, attempt: Attempt, now: datetime | None = None) -> GateResult:
    """Whether ``attempt`` can still be taken; submits it first if its deadline has passed.

    A read that may write: an open attempt past its deadline is submitted as it stood (the
    server enforces time, not the browser). ``attempt`` is updated in place.
    """
    now = now or timezone.now()
    if attempt.status == Attempt.Status.IN_PROGRESS and attempt.is_past_deadline(now):
        result = attempt_finish(attempt_id=attempt.pk, user=attempt.user, now=now)
        for name in ("status", "submitted_at", "correct_count", "scaled_score", "passed"):
            setattr(attempt, name, getattr(result.attempt, name))
        return GateResult(Gate.EXPIRED, result.announcements)
    return GateResult(Gate(attempt.status) if not attempt.is_open else Gate.OPEN)


def _while_open(*, attempt_id: int, user, now: datetime | None, work):
    """``work(attempt)`` on the learner's attempt, locked, if it is still open; its result.

    Raises ``AttemptClosed`` (after submitting an attempt whose time is up, as it stood) and
    passes on ``InvalidAnswer`` from ``work`` with the attempt as read.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id=attempt_id, user=user)
        expired = _refuse_if_closed(attempt, now)
        if expired is None:
            try:
                return work(attempt)
            except InvalidAnswer as error:
                error.attempt = attempt
                raise
    raise AttemptClosed(
        "Time is up: the attempt was submitted as it stood.",
        attempt=attempt,
        announcements=expired,
    )


def _refuse_if_closed(attempt: Attempt, now: datetime) -> list[str] | None:
    """Inside a locked transaction: submit the attempt if it is past its deadline.

    Returns the announcements of that submission (the caller commits, then refuses), or None
    when the attempt is still open. Raises AttemptClosed for an already closed attempt.
    """
    if attempt.status == Attempt.Status.SUBMITTED:
        raise AttemptClosed(
            "This attempt has been submitted; answers can no longer change.", attempt=attempt
        )
    if attempt.status == Attempt.Status.ABANDONED:
        raise AttemptClosed("This attempt was abandoned.", attempt=attempt)
    if attempt.is_past_deadline(now):
        return _finish_locked(attempt, now)
    return None


def _choice_rows_of(item: AttemptItem) -> dict[int, dict]:
    """The choices read with ``item`` (``answer_sql.CHOICES_SQL``): choice id -> its row."""
    rows = item.choices_json
    if isinstance(rows, str):
        rows = json.loads(rows)
    found = {}
    for row in rows or ():  # PostgreSQL's json_agg of no rows is NULL
        row["is_correct"] = bool(row["is_correct"])
        found[row["id"]] = row
    return found


def _locked_items(
    *, attempt_id: int, user, position: int, others=()
) -> tuple[Attempt, dict, list] | None:
    """The attempt's item at ``position`` and, in a simulation, its items at ``others`` (the
    card shown next), with their questions and their choices, and the attempt (locked: only
    its own row, with its exam and the learner's profile) read with them, with the navigator
    of every item, in one query.

    Each item carries ``bookmarked`` and ``held`` (its question is held back by the learner's
    open simulation, for practice). Only the attempt is locked (the lock every write of the
    attempt takes first), so in PostgreSQL an item read after waiting for that lock may
    predate the write of the request that held it: the write is guarded on what was read
    (``answer_sql.item_as_read``; the navigator may then show that one answer late). None when
    no such item is the learner's (the caller then reads the attempt alone to say why).
    """
    rows, profile = answer_sql.locked_items_read(
        attempt_id=attempt_id, user_id=user.pk, position=position, others=others
    )
    items = {item.position: item for item in rows}
    if position not in items:
        return None
    attempt, navigator = items[position].attempt, items[position].navigator
    if profile is not None and "profile" not in user._state.fields_cache:
        user.profile = profile  # for the gamification event: no read of its own
    attempt.user = user  # the caller's user: no second read of it
    return attempt, items, sorted(navigator)


def answer_submit(
    *,
    attempt_id: int,
    user,
    position: int,
    choice_ids=(),
    elements: dict[str, str] | None = None,
    move_to: int | None = None,
    autosave: bool = False,
    confidence: int | None = None,
    shown_at: datetime | None = None,
    now: datetime | None = None,
) -> AnswerResult:
    """Record the learner's answer to the question at ``position``.

    Practice and drill: one answer per question (the feedback is shown right away); sending the
    same answer again is harmless, a different one is refused, and so is a question held back
    by the learner's open simulation (``QuestionHeld``). Simulation: the answer may change
    until submission; correctness is stored but not shown; a multi-answer selection of the
    wrong size is kept as incomplete; ``autosave`` (the page saves the selection as it
    changes) stores it where it is, and with no choice takes the answer back; otherwise the
    learner moves on to the next question, or to
    ``move_to`` (a position of the attempt, else ``InvalidAnswer``) when they chose where to go.

    A performance-based question takes ``elements`` instead of ``choice_ids``: the form's
    ``place-K`` (order: the place, 1..n, given to the K-th item shown) or ``value-K`` (match:
    the number, 1..m, of the value given to the K-th row). Practice needs every element; a
    simulation saves what is given (an element left open is wrong). See ``exams.rules``.

    Reads the attempt (locked) with the items the card can show once and the choices of the
    question and of the next one once, and hands them back in the result so that the card
    shown next needs no second read of them. ``confidence`` (1 guess, 2 unsure, 3 sure) is
    stored with the answer; with ``shown_at`` (when the question was shown) it tells the review
    schedule how well it was known. The items are read with the learner's review card of their
    question, so moving the card is one upsert and no read. Raises ``Attempt.DoesNotExist``
    for an attempt that is not the learner's.
    """
    now = now or timezone.now()
    expired = None
    with transaction.atomic():
        others = {position + 1} | ({move_to} if move_to is not None else set())
        found = _locked_items(
            attempt_id=attempt_id, user=user, position=position, others=others - {position}
        )
        if found is None:
            attempt, items, navigator = _locked_attempt(attempt_id=attempt_id, user=user), {}, []
        else:
            attempt, items, navigator = found
        try:
            try:
                selected = sorted({int(c) for c in choice_ids})
            except (TypeError, ValueError):
                raise InvalidAnswer("That is not a choice of this question.") from None
            expired = _refuse_if_closed(attempt, now)
            if expired is None:
                move_to = _move_target(attempt, move_to)
                answer = _Answer(selected, confidence, shown_at)
                result = _answer_check_and_store(
                    attempt, items, position, answer, elements or {}, user, now, move_to, autosave
                )
                result.navigator = _navigator_now(navigator, items)
        except InvalidAnswer as error:
            error.attempt = attempt
            raise
    if expired is not None:
        raise AttemptClosed(
            "Time is up: the attempt was submitted as it stood, so this answer was not recorded.",
            attempt=attempt,
            announcements=expired,
        )
    return result


def _navigator_now(navigator: list, items: dict) -> list:
    """The navigator read with the items, with the items' state as it is now."""
    return [
        [
            p,
            *(
                (i.answered_at is not None, i.flagged, bool(i.selected))
                if (i := items.get(p))
                else rest
            ),
        ]
        for p, *rest in navigator
    ]


def _move_target(attempt: Attempt, move_to: int | None) -> int | None:
    """Where a simulation learner asked to go; practice and drills move with links."""
    if move_to is None or not attempt.is_simulation:
        return None
    if not 1 <= move_to <= attempt.question_count:
        raise InvalidAnswer("There is no such question in this attempt.")
    return move_to


def attempt_move(*, attempt_id: int, user, move_to: int, now: datetime | None = None) -> Attempt:
    """A simulation learner moves to ``move_to`` without answering the question they leave.

    Raises ``AttemptClosed`` (time up: submitted as it stood) and ``InvalidAnswer`` for a
    position outside the attempt or an attempt that is not a simulation.
    """

    def move(attempt):
        if not attempt.is_simulation:
            raise InvalidAnswer("Practice moves with links, not with the answer form.")
        _position_store(attempt, _move_target(attempt, move_to))
        return attempt

    return _while_open(attempt_id=attempt_id, user=user, now=now, work=move)


@dataclass
class _Answer:
    selected: list[int]
    confidence: int | None = None
    shown_at: datetime | None = None


def _answer_check_and_store(
    attempt, items, position, answer, elements, user, now, move_to, autosave
) -> AnswerResult:
    selected = answer.selected
    item = items.get(position)
    if item is None:
        raise InvalidAnswer("That question is not part of this attempt.")
    if item.held:
        raise QuestionHeld(QuestionHeld.message)
    autosave = autosave and attempt.is_simulation
    following = items.get(position + 1) if attempt.is_simulation else None
    choices = {row.question_id: _choice_rows_of(row) for row in (item, following) if row}
    if item.question.kind != Question.Kind.CHOICE:
        rows = choices[item.question_id]
        response, credit = _pbq_response(attempt, item, rows, elements, allow_empty=autosave)
        result = _answer_store(
            attempt,
            item,
            answer=answer,
            selected=[],
            response=response,
            credit=credit,
            complete=bool(response),
            user=user,
            now=now,
            move_to=item.position if autosave else move_to,
        )
        result.attempt, result.choice_rows = attempt, rows
        result.items, result.choices = items, choices
        return result
    if not selected and not autosave:
        raise InvalidAnswer("Choose an answer first.")
    if not set(selected) <= set(item.choice_order):
        raise InvalidAnswer("That is not a choice of this question.")
    rows = choices[item.question_id]
    correct = {choice_id for choice_id, row in rows.items() if row["is_correct"]}
    if len(correct) <= 1 and len(selected) > 1:
        raise InvalidAnswer("This question takes one answer.")
    complete = len(selected) == len(correct)
    if len(correct) > 1 and selected and not complete and attempt.gives_feedback:
        # As in the real exam: a "Choose TWO" question takes exactly two choices.
        word = choose_word(len(correct))
        raise InvalidAnswer(
            f"Not saved: this question takes exactly {word.lower()} answers and you chose "
            f"{len(selected)}. Choose {word.lower()}, or clear your choices to move on "
            "without answering."
        )
    if autosave:
        move_to = item.position
    result = _answer_store(
        attempt,
        item,
        answer=answer,
        selected=selected,
        response=[],
        credit=Fraction(1 if set(selected) == correct else 0) if selected else None,
        # A simulation keeps an empty or wrong-sized selection unanswered (scored wrong).
        complete=bool(selected) and (len(selected) == len(correct) or len(correct) <= 1),
        user=user,
        now=now,
        move_to=move_to,
    )
    result.attempt, result.choice_rows = attempt, rows
    result.items, result.choices = items, choices
    return result


def _pbq_response(attempt, item, rows, elements, *, allow_empty=False):
    """The learner's answer to a PBQ from the form's elements, and its credit.

    ``allow_empty`` (a simulation's autosave) takes nothing given as no answer.
    Raises ``InvalidAnswer`` for a place or value that does not exist, a place given twice,
    nothing given at all, or (outside a simulation) an element left open.
    """
    question = item.question
    order = [choice_id for choice_id in item.choice_order if choice_id in rows]
    is_order = question.kind == Question.Kind.ORDER
    count = len(order) if is_order else len(question.match_values)
    prefix = "place" if is_order else "value"
    noun = "item" if is_order else "row"
    given = []
    for index in range(1, len(order) + 1):
        raw = (elements.get(f"{prefix}-{index}") or "").strip()
        if not raw:
            given.append(None)
        elif raw.isascii() and raw.isdigit() and 1 <= int(raw) <= count:
            given.append(int(raw))
        else:
            raise InvalidAnswer(
                f"That is not a {'place' if is_order else 'value'} of this question."
            )
    filled = sum(1 for number in given if number is not None)
    if not filled and allow_empty:
        return [], None  # a simulation's autosave of a cleared question: unanswered
    if not filled:
        raise InvalidAnswer(
            "Put the items in order first." if is_order else "Give each row a value first."
        )
    if filled < len(order) and attempt.mode != Attempt.Mode.SIMULATION:
        raise InvalidAnswer(f"Give every {noun} a {prefix}: {filled} of {len(order)} done.")
    if is_order:
        response: list = [None] * len(order)
        for choice_id, place in zip(order, given, strict=True):
            if place is None:
                continue
            if response[place - 1] is not None:
                raise InvalidAnswer(
                    f"Place {place} is given to two items; give each place to one item."
                )
            response[place - 1] = choice_id
        positions = {choice_id: rows[choice_id]["position"] for choice_id in order}
        right = rules.order_right(response=response, positions=positions)
    else:
        values = question.match_values
        response = [None if number is None else values[number - 1] for number in given]
        key = [rows[choice_id]["value"] for choice_id in order]
        right = rules.match_right(response=response, key=key)
    return response, rules.element_credit(right=right, total=len(order))


def _answer_store(
    attempt, item, *, answer, selected, response, credit, complete, user, now, move_to
) -> AnswerResult:
    """Store an answer: ``credit`` (0..1, None for nothing chosen) and whether it is
    ``complete`` (an incomplete one stays unanswered, scored wrong)."""
    practice_like = attempt.gives_feedback
    # A simulation (and a set whose feedback waits for the end) moves on, to the next question
    # or where the learner chose, after each save; practice stays for the feedback.
    moves_on = not practice_like or attempt.feedback_at_end
    position_next = item.position
    if not practice_like and move_to is not None:
        position_next = move_to
    elif moves_on and item.position < attempt.question_count:
        position_next = item.position + 1
    answered_at = now if complete else None
    same = (item.selected, item.response) == (selected, response)
    if same and (item.answered_at is not None) == complete:
        if not answer_sql.item_as_read(item):
            return _answer_store_again(attempt, item, locals())
        # A double submit: nothing changes (a simulation still moves on).
        if moves_on:
            _position_store(attempt, position_next)
        return AnswerResult(item=item, newly_answered=False, position_next=position_next)
    if practice_like and item.answered_at is not None:
        raise AnswerFinal(
            "You had already answered this question (perhaps in another tab); that first "
            "answer stands, and its feedback is shown.",
            attempt=attempt,
        )
    newly = item.answered_at is None and complete
    score = None if credit is None else float(credit)
    is_correct = None if credit is None else credit == 1
    written = answer_sql.item_answer_write(
        item,
        selected=selected,
        response=response,
        score=score,
        is_correct=is_correct,
        answered_at=answered_at,
        confidence=answer.confidence,
    )
    if not written:
        return _answer_store_again(attempt, item, locals())
    item.selected, item.response, item.score = selected, response, score
    item.is_correct, item.answered_at = is_correct, answered_at
    item.confidence = answer.confidence
    _position_store(attempt, position_next)
    announcements = []
    if practice_like and newly:
        shown = answer.shown_at
        study.card_record(
            user_id=user.pk,
            question_id=item.question_id,
            exam_id=attempt.exam_id,
            before=study_selectors.card_state_of(item),
            correct=item.is_correct,
            confidence=answer.confidence,
            seconds=(now - shown).total_seconds() if shown is not None else None,
            at=now,
        )
        announcements = gamification.activity_record(
            user=user, answered=1, correct=int(item.is_correct), at=now
        )
    return AnswerResult(
        item=item,
        newly_answered=newly,
        announcements=list(announcements or []),
        position_next=position_next,
    )


def _answer_store_again(attempt, item, arguments: dict) -> AnswerResult:
    """The item was written by a request that held the lock while this one waited for it:
    read it again (now under the lock) and decide on what it holds."""
    item.refresh_from_db(fields=["selected", "response", "score", "is_correct", "answered_at"])
    keys = ("answer", "selected", "response", "credit", "complete", "user", "now", "move_to")
    return _answer_store(attempt, item, **{key: arguments[key] for key in keys})


def _position_store(attempt: Attempt, position: int) -> None:
    """Inside the locked transaction of an open attempt: remember where the learner is."""
    if attempt.current_position != position:
        answer_sql.position_write(attempt_id=attempt.pk, position=position)
        attempt.current_position = position


def item_flag(*, attempt_id: int, user, position: int, flagged: bool, now=None) -> AttemptItem:
    """Flag (or unflag) a question for review before submitting; repeats are harmless."""

    def flag(attempt):
        try:
            item = attempt.items.get(position=position)
        except AttemptItem.DoesNotExist:
            raise InvalidAnswer("That question is not part of this attempt.") from None
        item.flagged = flagged
        item.save(update_fields=["flagged"])
        return item

    return _while_open(attempt_id=attempt_id, user=user, now=now, work=flag)


def attempt_position_set(*, attempt: Attempt, position: int) -> None:
    """Remember where the learner is, so resuming lands on the same question."""
    if attempt.status == Attempt.Status.IN_PROGRESS and attempt.current_position != position:
        Attempt.objects.filter(pk=attempt.pk, status=Attempt.Status.IN_PROGRESS).update(
            current_position=position
        )
        attempt.current_position = position


def _finish_locked(attempt: Attempt, now: datetime) -> list[str]:
    """Score and submit a locked, in-progress attempt. Returns the announcements."""
    submitted_at = now
    if attempt.deadline is not None and now > attempt.deadline:
        submitted_at = attempt.deadline  # it was submitted as it stood when time ran out
    attempt.items.filter(answered_at__isnull=True).update(is_correct=False, score=0)
    scored = list(attempt.items.values_list("question__kind", "score", "is_correct", "answered_at"))
    answered = sum(1 for *_, answered_at in scored if answered_at is not None)
    correct = sum(1 for _, _, is_correct, _ in scored if is_correct)
    points, possible = rules.weighted_points(
        (kind, rules.stored_credit(score, is_correct)) for kind, score, is_correct, _ in scored
    )
    attempt.correct_count = correct
    attempt.counted = attempt_counts(answered=answered, total=attempt.question_count)
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = submitted_at
    if attempt.mode == Attempt.Mode.SIMULATION:
        exam = attempt.exam
        # Each PBQ weighs rules.PBQ_WEIGHT items, its partial credit scaled (exams.rules).
        attempt.scaled_score = scaled_score_compute(
            correct=points,
            total=possible,
            score_min=exam.score_min,
            score_max=exam.score_max,
        )
        attempt.passed = attempt.scaled_score >= exam.pass_mark
    attempt.save(
        update_fields=[
            "correct_count",
            "counted",
            "status",
            "submitted_at",
            "scaled_score",
            "passed",
        ]
    )
    if attempt.counted:
        Profile.objects.filter(user_id=attempt.user_id).update(
            total_exams_taken=F("total_exams_taken") + 1
        )
    domain_tallies_add(attempt=attempt)
    announcements = []
    if attempt.mode == Attempt.Mode.SIMULATION:
        study.cards_record_attempt(attempt=attempt, at=submitted_at)
        announcements += (
            gamification.activity_record(
                user=attempt.user, answered=answered, correct=correct, at=submitted_at
            )
            or []
        )
    announcements += gamification.attempt_finished(attempt=attempt) or []
    return announcements


TALLY_ADD = """
INSERT INTO exams_domaintally (user_id, domain_id, answered, correct, recent)
SELECT %s, q.domain_id, COUNT(*), SUM(CASE WHEN i.is_correct THEN 1 ELSE 0 END), '[]'
FROM exams_attemptitem i JOIN questions_question q ON q.id = i.question_id
WHERE i.attempt_id = %s AND i.answered_at IS NOT NULL AND i.is_correct IS NOT NULL
GROUP BY q.domain_id
ON CONFLICT (user_id, domain_id) DO UPDATE SET
    answered = exams_domaintally.answered + excluded.answered,
    correct = exams_domaintally.correct + excluded.correct
"""


def domain_tallies_add(*, attempt: Attempt) -> None:
    """Inside the submitting transaction: add the attempt's answers to the learner's per-domain
    tallies (``DomainTally``) and merge them into each domain's recent window: three
    statements whatever the learner's history (the upsert locks the tallies it touches, so a
    second attempt of the learner submitted at once waits for this one)."""
    with connection.cursor() as cursor:
        cursor.execute(TALLY_ADD, [attempt.user_id, attempt.pk])
    answers: dict[int, list] = {}
    rows = attempt.items.filter(answered_at__isnull=False, is_correct__isnull=False).order_by()
    for item_id, answered_at, is_correct, domain_id in rows.values_list(
        "id", "answered_at", "is_correct", "question__domain_id"
    ):
        key = recent_key(answered_at=answered_at, item_id=item_id)
        answers.setdefault(domain_id, []).append([*key, int(is_correct)])
    if not answers:
        return
    tallies = list(
        DomainTally.objects.filter(user_id=attempt.user_id, domain_id__in=answers).only(
            "id", "domain_id", "recent"
        )
    )
    for tally in tallies:
        tally.recent = recent_merge(tally.recent, answers[tally.domain_id])
    DomainTally.objects.bulk_update(tallies, ["recent"])


def domain_tallies_rebuild(*, item_model=AttemptItem, tally_model=DomainTally) -> None:
    """Recompute every learner's tallies and recent windows from the submitted attempts.

    For rows written without the services (a migration's backfill, the scale bench's bulk
    load); ``item_model`` and ``tally_model`` let a migration pass its historical models. Reads
    each (learner, domain)'s newest ``RECENT_WINDOW`` answers with one ranked query."""
    from django.db.models import Count, Window
    from django.db.models.functions import RowNumber

    answered = item_model.objects.filter(
        attempt__status="submitted", answered_at__isnull=False, is_correct__isnull=False
    ).order_by()
    totals = answered.values("attempt__user_id", "question__domain_id").annotate(
        n=Count("id"), c=Count("id", filter=Q(is_correct=True))
    )
    tallies = {
        (r["attempt__user_id"], r["question__domain_id"]): tally_model(
            user_id=r["attempt__user_id"],
            domain_id=r["question__domain_id"],
            answered=r["n"],
            correct=r["c"],
            recent=[],
        )
        for r in totals
    }
    ranked = answered.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("attempt__user_id"), F("question__domain_id")],
            order_by=[F("answered_at").desc(), F("id").desc()],
        )
    ).filter(rank__lte=RECENT_WINDOW)
    rows = ranked.values_list(
        "attempt__user_id", "question__domain_id", "id", "answered_at", "is_correct", "rank"
    )
    for user_id, domain_id, item_id, answered_at, is_correct, _rank in sorted(
        rows, key=lambda r: r[5]
    ):
        key = recent_key(answered_at=answered_at, item_id=item_id)
        tallies[user_id, domain_id].recent.append([*key, int(is_correct)])
    tally_model.objects.all().delete()
    tally_model.objects.bulk_create(tallies.values(), batch_size=1000)


def attempt_finish(*, attempt_id: int, user, now: datetime | None = None) -> FinishResult:
    """Submit the attempt and score it. Finishing twice is harmless and counts once."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id=attempt_id, user=user)
        if attempt.status == Attempt.Status.SUBMITTED:
            return FinishResult(attempt=attempt, newly_finished=False)
        if attempt.status == Attempt.Status.ABANDONED:
            raise AttemptClosed("This attempt was abandoned.", attempt=attempt)
        announcements = _finish_locked(attempt, now)
    return FinishResult(attempt=attempt, newly_finished=True, announcements=announcements)


def attempt_abandon(*, attempt_id: int, user, now: datetime | None = None) -> AbandonResult:
    """Give up an open attempt (it is kept in the history, unscored).

    An attempt already past its deadline is submitted as it stood instead; abandoning twice is
    harmless. The outcome says which of these happened.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id=attempt_id, user=user)
        if attempt.status == Attempt.Status.SUBMITTED:
            return AbandonResult(attempt=attempt, outcome=AbandonOutcome.ALREADY_SUBMITTED)
        if attempt.status == Attempt.Status.ABANDONED:
            return AbandonResult(attempt=attempt, outcome=AbandonOutcome.ALREADY_ABANDONED)
        if attempt.is_past_deadline(now):
            announcements = _finish_locked(attempt, now)
            return AbandonResult(
                attempt=attempt, outcome=AbandonOutcome.EXPIRED, announcements=announcements
            )
        attempt.status = Attempt.Status.ABANDONED
        attempt.save(update_fields=["status"])
    return AbandonResult(attempt=attempt, outcome=AbandonOutcome.ABANDONED)


def bookmark_set(*, user, question_id: int, on: bool) -> bool:
    """Bookmark or un-bookmark a question; idempotent. Returns whether it is bookmarked.

    Refuses (``BookmarkRefused``) to bookmark a question of the learner's open simulation
    that is not answered there yet; ``InvalidAnswer`` for a question that does not exist.
    """
    if not on:
        Bookmark.objects.filter(user=user, question_id=question_id).delete()
        return False
    if not Question.objects.filter(pk=question_id).exists():
        raise InvalidAnswer("No such question.")
    unanswered = simulation_items_open(user_id=user.pk).filter(
        question_id=question_id, answered_at__isnull=True
    )
    if unanswered.exists():
        raise BookmarkRefused("Answer the question before bookmarking it.")
    Bookmark.objects.get_or_create(user=user, question_id=question_id)
    return True


def item_bookmark_set(*, user, attempt: Attempt, position: int, on: bool) -> bool:
    """``bookmark_set`` for the question at ``position`` of the learner's ``attempt``.

    ``InvalidAnswer`` when the attempt has no such position.
    """
    question_id = (
        attempt.items.filter(position=position).values_list("question_id", flat=True).first()
    )
    if question_id is None:
        raise InvalidAnswer("That question is not part of this attempt.")
    return bookmark_set(user=user, question_id=question_id, on=on)
