"""The exam engine's reads: question selection, the question card, results, review, history.

Each page reads a fixed number of queries however many questions the attempt holds.

Integrity rule (one home: ``questions_held`` / ``question_held``): while a learner has an
exam simulation open, nothing about its questions (key, explanations, feedback) is served by
any other route: selection skips them (practice, drills, bookmark sets), a practice card keeps
them without feedback, review and the bookmarks page hold them back, and an unanswered one
cannot be bookmarked. Everything comes back once the simulation is submitted or abandoned.
Any new route that shows a key (spaced review, smart sets) filters through the same two.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse

from exams.models import Attempt, AttemptItem, Bookmark
from exams.rules import PBQ_WEIGHT, pass_percent_compute, score_span
from questions.models import LETTERS, Choice, Exam, Objective, Question
from questions.revisions import snapshot_choice_rows
from questions.rules import choose_word, exhibit_blocks, stated_answer_count
from questions.selectors import exam_catalogue

# Integrity ---------------------------------------------------------------------------------


def simulation_items_open(*, user_id: int) -> QuerySet[AttemptItem]:
    """The items of the learner's open simulation(s) (at most one, by a constraint)."""
    return AttemptItem.objects.filter(
        attempt__user_id=user_id,
        attempt__mode=Attempt.Mode.SIMULATION,
        attempt__status=Attempt.Status.IN_PROGRESS,
    )


def questions_held(*, user_id: int) -> QuerySet:
    """Ids of the questions held back from the learner, as a subquery (``pk__in=``)."""
    return simulation_items_open(user_id=user_id).values("question_id")


def question_held(*, user_id: int, question_field: str = "question_id") -> Exists:
    """Whether the question of each row (its ``question_field``) is held back from the
    learner: an ``Exists`` to annotate rows with, so holding back costs no query of its own."""
    held = simulation_items_open(user_id=user_id).filter(question_id=OuterRef(question_field))
    return Exists(held)


def open_simulation(*, user) -> Attempt | None:
    """The learner's simulation in progress, with its exam, or None."""
    attempts = Attempt.objects.filter(
        user=user, mode=Attempt.Mode.SIMULATION, status=Attempt.Status.IN_PROGRESS
    )
    return attempts.select_related("exam").first()


# Selection ---------------------------------------------------------------------------------


def allocation_compute(*, total: int, weights: dict, capacity: dict) -> dict:
    """Split ``total`` questions across keys in proportion to ``weights`` (largest remainder).

    No key gets more than its ``capacity``; what a full key cannot take goes to the others,
    again by weight. Ties in the remainder go to the heavier key, then the smaller key.
    """
    alloc = dict.fromkeys(weights, 0)
    remaining = min(total, sum(capacity.get(k, 0) for k in weights))
    while remaining > 0:
        open_keys = [k for k in weights if alloc[k] < capacity.get(k, 0)]
        if not open_keys:
            break
        w = {k: weights[k] for k in open_keys}
        if sum(w.values()) <= 0:
            w = dict.fromkeys(open_keys, 1)
        wsum = sum(w.values())
        quotas = {k: Fraction(remaining * w[k], wsum) for k in open_keys}
        given = 0
        for k in open_keys:
            take = min(floor(quotas[k]), capacity[k] - alloc[k])
            alloc[k] += take
            given += take
        left = remaining - given
        by_remainder = sorted(open_keys, key=lambda k: (-(quotas[k] - floor(quotas[k])), -w[k], k))
        for k in by_remainder:
            if left == 0:
                break
            if alloc[k] < capacity[k]:
                alloc[k] += 1
                left -= 1
        remaining = left
    return alloc


def random_scan(queryset: QuerySet, n: int, start: float) -> list[int]:
    """Up to ``n`` ids in random-key order from ``start``, wrapping round: an index range scan."""
    ids = list(
        queryset.filter(random_key__gte=start)
        .order_by("random_key")
        .values_list("id", flat=True)[:n]
    )
    if len(ids) < n:
        ids += list(
            queryset.filter(random_key__lt=start)
            .order_by("random_key")
            .values_list("id", flat=True)[: n - len(ids)]
        )
    return ids


def questions_pick(
    *,
    user,
    exam: Exam,
    count: int,
    domain_ids=(),
    objective_ids=(),
    bookmarked: bool = False,
    hold_for_review: bool = False,
    rng: random.Random | None = None,
    kind: str | None = None,
) -> list[int]:
    """Pick ``count`` active questions of ``exam`` at random, without replacement.

    ``kind`` keeps to one type of question (a simulation draws its PBQs with ``pbqs_pick``).

    Domains share the count by official weight (largest remainder). Within a domain, the
    questions this learner has never been shown come first. No ``ORDER BY RANDOM()``: each
    domain is a range scan of the ``(domain, is_active, random_key)`` index from a random start.
    Questions of the learner's open simulation are never picked (``questions_held``).
    ``hold_for_review`` leaves out questions flagged ``needs_review`` (a simulation of an exam
    whose staff keep them out until reviewed). Returns question ids in a shuffled order.
    """
    rng = rng or random.Random()
    domain_ids = {int(d) for d in domain_ids}
    objective_ids = {int(o) for o in objective_ids}
    base = Question.objects.filter(exam=exam, is_active=True).exclude(
        pk__in=questions_held(user_id=user.pk)
    )
    if count <= 0:
        return []
    if kind is not None:
        base = base.filter(kind=kind)
    if bookmarked:
        base = base.filter(Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk"))))
    if hold_for_review:
        base = base.filter(needs_review=False)

    # Objectives chosen outside a chosen domain narrow that domain to those objectives.
    objectives_by_domain = defaultdict(set)
    if objective_ids:
        for objective_id, domain_id in Objective.objects.filter(
            pk__in=objective_ids, domain__exam=exam
        ).values_list("id", "domain_id"):
            objectives_by_domain[domain_id].add(objective_id)

    def in_scope(queryset, domain_id):
        queryset = queryset.filter(domain_id=domain_id)
        if domain_id not in domain_ids and domain_id in objectives_by_domain:
            queryset = queryset.filter(objective_id__in=objectives_by_domain[domain_id])
        return queryset

    weights = dict(exam.domains.values_list("id", "weight_percent"))
    if domain_ids or objective_ids:
        chosen = domain_ids & set(weights)
        weights = {k: v for k, v in weights.items() if k in chosen or k in objectives_by_domain}
    if not weights:
        return []

    # Share the count by weight as if every domain held enough; a domain that runs short
    # hands its shortfall to the others (by weight again). Counting the bank first would cost
    # a scan of every question; the common case needs none.
    seen = AttemptItem.objects.filter(attempt__user=user, question_id=OuterRef("pk"))
    picked: dict[int, list[int]] = {domain_id: [] for domain_id in weights}
    starts = {domain_id: rng.random() for domain_id in weights}
    exhausted: set[int] = set()
    target = allocation_compute(
        total=count, weights=weights, capacity=dict.fromkeys(weights, count)
    )
    while True:
        for domain_id, n in target.items():
            need = n - len(picked[domain_id])
            if need <= 0 or domain_id in exhausted:
                continue
            domain_qs = in_scope(base, domain_id).exclude(pk__in=picked[domain_id])
            ids = random_scan(domain_qs.filter(~Exists(seen)), need, starts[domain_id])
            if len(ids) < need:
                ids += random_scan(
                    domain_qs.exclude(pk__in=ids), need - len(ids), starts[domain_id]
                )
            picked[domain_id] += ids
            if len(ids) < need:
                exhausted.add(domain_id)
        shortfall = count - sum(len(ids) for ids in picked.values())
        open_weights = {k: v for k, v in weights.items() if k not in exhausted}
        if shortfall <= 0 or not open_weights:
            break
        extra = allocation_compute(
            total=shortfall, weights=open_weights, capacity=dict.fromkeys(open_weights, shortfall)
        )
        target = {k: len(picked[k]) + extra.get(k, 0) for k in weights}
    result = [question_id for ids in picked.values() for question_id in ids]
    rng.shuffle(result)
    return result


def pbqs_pick(*, user, exam: Exam, count: int, rng: random.Random) -> list[int]:
    """Up to ``count`` active performance-based questions of ``exam``, drawn as other questions
    are (at random, those this learner has never been shown first), in a shuffled order."""
    if count <= 0:
        return []
    seen = AttemptItem.objects.filter(attempt__user=user, question_id=OuterRef("pk"))
    pbqs = Question.objects.filter(
        exam=exam, kind__in=[Question.Kind.ORDER, Question.Kind.MATCH], is_active=True
    )
    start = rng.random()
    ids = random_scan(pbqs.filter(~Exists(seen)), count, start)
    if len(ids) < count:
        ids += random_scan(pbqs.exclude(pk__in=ids), count - len(ids), start)
    rng.shuffle(ids)
    return ids


# The question card -------------------------------------------------------------------------


@dataclass
class ChoiceView:
    id: int
    letter: str
    text: str
    selected: bool
    # Only filled when the attempt may reveal answers (practice feedback, or after submission).
    is_correct: bool | None = None
    explanation: str = ""


@dataclass
class ElementView:
    """An item (order) or row (match) of a PBQ as shown: ``index`` is its place on the page
    (1..n, the form's ``place-K``/``value-K``), ``given`` the learner's place or value.

    ``right`` (the right place or value), ``is_right`` and ``explanation`` are only filled
    when the attempt may reveal answers, like ``ChoiceView``.
    """

    index: int
    letter: str
    text: str
    given: int | str | None = None
    right: int | str | None = None
    is_right: bool | None = None
    explanation: str = ""


@dataclass
class PbqView:
    kind: str
    elements: list[ElementView]
    values: list[str]
    reveal: bool
    # False where the key is shown without an attempt (the bookmarks page): no "yours" column.
    with_answer: bool = True

    @property
    def is_order(self):
        return self.kind == "order"

    @property
    def places(self):
        return range(1, len(self.elements) + 1)

    @property
    def right_count(self):
        return sum(1 for element in self.elements if element.is_right)

    @property
    def right_sequence(self):
        """Order, revealed: the items in their right order."""
        return sorted(self.elements, key=lambda element: element.right or 0)

    @property
    def value_choices(self):
        """Match: (number, value) for the selects, in the listed order."""
        return list(enumerate(self.values, start=1))

    @property
    def radio_grid(self):
        """Match with few values: a radio per value reads better than a select."""
        return len(self.values) <= 4


def pbq_view(*, kind, values, order, rows, response, reveal) -> PbqView:
    """The elements of a PBQ in the order shown, with the learner's answer (and the key)."""
    shown = [choice_id for choice_id in order if choice_id in rows]
    if kind == "order":
        given = {choice_id: place for place, choice_id in enumerate(response or [], start=1)}
    else:
        given = dict(zip(shown, response or [], strict=False))
    elements = []
    for index, choice_id in enumerate(shown, start=1):
        row = rows[choice_id]
        element = ElementView(
            index=index, letter=LETTERS[index - 1], text=row["text"], given=given.get(choice_id)
        )
        if reveal:
            element.right = row["position"] if kind == "order" else row["value"]
            element.is_right = element.given == element.right
            element.explanation = row["explanation"]
        elements.append(element)
    return PbqView(kind=kind, elements=elements, values=list(values), reveal=reveal)


def question_url_maker(attempt_id: int):
    """A function position -> the question page URL of that position in the attempt.

    The navigator links every question of the attempt (up to 90 and more); one ``reverse`` for
    the attempt, then string formatting, keeps its cost flat instead of one URL lookup a cell.
    """
    head, _, tail = reverse("exams:question", args=[attempt_id, 1]).rpartition("/1/")
    return lambda position: f"{head}/{position}/{tail}"


@dataclass
class NavCell:
    position: int
    answered: bool
    flagged: bool
    current: bool
    url: str = ""
    # A simulation keeps a selection of the wrong size ("Choose TWO", one ticked) unanswered.
    incomplete: bool = False

    @property
    def state(self):
        if self.answered:
            return "answered"
        return "incomplete" if self.incomplete else "unanswered"


@dataclass
class QuestionCard:
    attempt: Attempt
    item: AttemptItem
    question: Question
    choices: list[ChoiceView]
    correct_total: int
    reveal: bool
    bookmarked: bool
    navigator: list[NavCell] = field(default_factory=list)
    pbq: PbqView | None = None
    # Practice or drill: the question is part of the learner's open simulation (no feedback).
    held: bool = False

    @property
    def multi(self):
        return self.correct_total > 1

    @property
    def choose_word(self):
        return choose_word(self.correct_total)

    @property
    def text_says_how_many(self):
        """Bank questions often end with "(Choose TWO.)" already; don't say it twice."""
        return stated_answer_count(self.question.text) == self.correct_total

    @property
    def position(self):
        return self.item.position

    @property
    def total(self):
        return len(self.navigator)

    @property
    def previous(self):
        return self.item.position - 1 if self.item.position > 1 else None

    @property
    def next(self):
        return self.item.position + 1 if self.item.position < self.total else None

    @property
    def answered_count(self):
        return sum(1 for cell in self.navigator if cell.answered)

    @property
    def flagged_count(self):
        return sum(1 for cell in self.navigator if cell.flagged)

    @property
    def answered(self):
        return self.item.answered_at is not None

    @property
    def incomplete(self):
        return self.item.answered_at is None and bool(self.item.selected)

    @property
    def correct_letters(self):
        return [c.letter for c in self.choices if c.is_correct]


def _choice_views(order, rows, selected, reveal):
    views = []
    selected = set(selected or [])
    for choice_id in order:
        row = rows.get(choice_id)
        if row is None:
            continue  # removed from the bank by staff or an import since the attempt began
        view = ChoiceView(
            id=choice_id,
            letter=LETTERS[len(views)],
            text=row["text"],
            selected=choice_id in selected,
        )
        if reveal:
            view.is_correct = row["is_correct"]
            view.explanation = row["explanation"]
        views.append(view)
    return views


def question_card(
    *,
    attempt: Attempt,
    position: int,
    item: AttemptItem | None = None,
    choice_rows: dict[int, dict] | None = None,
    items: dict[int, AttemptItem] | None = None,
    choices: dict[int, dict[int, dict]] | None = None,
    navigator: list | None = None,
) -> QuestionCard:
    """Everything the question page shows, in three queries (none when the caller has them).

    ``item`` (with ``question__objective`` loaded) and ``choice_rows`` (id -> id, text,
    explanation, is_correct) may come from the caller that just read them, e.g. the answer
    service; so may the items it read (``items``, position -> item annotated with
    ``bookmarked`` and ``held``), choice rows per question id (``choices``) and the navigator
    (``[position, answered, flagged, selection made]`` per item): then nothing is read again.

    In a simulation before submission the card carries no correctness and no explanation,
    so no template or fragment can leak them; nor does a practice card of a question that is
    held back by the learner's open simulation (``question_held``).
    """
    if items is not None and position in items and navigator:
        item = items[position]
        rows = [
            {
                "position": p,
                "answered_at": answered or None,
                "flagged": flagged,
                "selected": selection,
                "bookmarked": p == position and item.bookmarked,
                "held": p == position and item.held,
            }
            for p, answered, flagged, selection in navigator
        ]
        choice_rows = (choices or {}).get(item.question_id, choice_rows)
    else:
        bookmarked = Exists(
            Bookmark.objects.filter(user_id=attempt.user_id, question_id=OuterRef("question_id"))
        )
        rows = attempt.items.order_by("position").values(
            "position", "answered_at", "flagged", "selected"
        )
        rows = rows.annotate(
            bookmarked=Case(When(position=position, then=bookmarked), default=Value(False))
        )
        if attempt.gives_feedback and attempt.is_open:
            held = question_held(user_id=attempt.user_id)
            rows = rows.annotate(
                held=Case(When(position=position, then=held), default=Value(False))
            )
    cells, marked, held_here = [], False, False
    url_of = question_url_maker(attempt.pk)
    for row in rows:
        current = row["position"] == position
        cells.append(
            NavCell(
                position=row["position"],
                answered=row["answered_at"] is not None,
                flagged=row["flagged"],
                current=current,
                url=url_of(row["position"]),
                incomplete=bool(row["selected"]),
            )
        )
        marked = marked or (current and bool(row["bookmarked"]))
        held_here = held_here or (current and bool(row.get("held")))
    if item is None or item.position != position:
        item = attempt.items.select_related("question__objective__domain").get(position=position)
        choice_rows = None
    if choice_rows is None:
        choice_rows = {
            row["id"]: row
            for row in Choice.objects.filter(question_id=item.question_id)
            .order_by()
            .values("id", "text", "explanation", "is_correct", "position", "value")
        }
    correct_total = sum(1 for row in choice_rows.values() if row["is_correct"])
    reveal = not held_here and (
        not attempt.is_open
        or (attempt.gives_feedback and not attempt.feedback_at_end and item.answered_at is not None)
    )
    pbq = None
    if item.question.kind != "choice":
        pbq = pbq_view(
            kind=item.question.kind,
            values=item.question.match_values,
            order=item.choice_order,
            rows=choice_rows,
            response=item.response,
            reveal=reveal,
        )
    return QuestionCard(
        attempt=attempt,
        item=item,
        question=item.question,
        choices=[] if pbq else _choice_views(item.choice_order, choice_rows, item.selected, reveal),
        correct_total=correct_total,
        reveal=reveal,
        bookmarked=marked,
        navigator=cells,
        pbq=pbq,
        held=held_here,
    )


def attempt_progress(*, attempt: Attempt) -> dict:
    """Counts for the submit step: total, answered, unanswered, incomplete and flagged.

    ``incomplete``: positions holding a selection of the wrong size (scored wrong); they are
    also in ``unanswered``.
    """
    rows = list(
        attempt.items.order_by("position").values("position", "answered_at", "flagged", "selected")
    )
    unanswered = [r["position"] for r in rows if r["answered_at"] is None]
    incomplete = [r["position"] for r in rows if r["answered_at"] is None and r["selected"]]
    flagged = [r["position"] for r in rows if r["flagged"]]
    return {
        "total": len(rows),
        "answered": len(rows) - len(unanswered),
        "unanswered": unanswered,
        "incomplete": incomplete,
        "flagged": flagged,
    }


# Results and review ------------------------------------------------------------------------


@dataclass(kw_only=True)
class Score:
    correct: int
    total: int

    @property
    def percent(self):
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass(kw_only=True)
class DomainScore(Score):
    number: int
    name: str
    domain_id: int


@dataclass(kw_only=True)
class ObjectiveScore(Score):
    code: str
    title: str
    objective_id: int


@dataclass
class PbqResult:
    position: int
    credit: float  # 0..1
    full: bool

    @property
    def percent(self):
        return round(100 * self.credit)


def _scores_by(attempt: Attempt, score, *, order: str | None = None, **fields: str) -> list:
    """One ``score`` per group of the attempt's items: right and asked, with ``fields`` (an
    attribute of the score for each item lookup that groups them)."""
    rows = (
        attempt.items.values(*fields.values())
        .annotate(total=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
        .order_by(*([order] if order else []))
    )
    return [
        score(
            correct=row["correct"],
            total=row["total"],
            **{name: row[lookup] for name, lookup in fields.items()},
        )
        for row in rows
    ]


def attempt_results(*, attempt: Attempt) -> dict:
    """Per-domain and per-objective scores of a submitted attempt (two queries).

    With them the figures of the exam's scale that the page explains (``pass_percent``,
    ``score_span``), so that no template restates the scoring rule.
    """
    domains = _scores_by(
        attempt,
        DomainScore,
        order="question__domain__number",
        number="question__domain__number",
        name="question__domain__name",
        domain_id="question__domain_id",
    )
    objectives = _scores_by(
        attempt,
        ObjectiveScore,
        code="question__objective__code",
        title="question__objective__title",
        objective_id="question__objective_id",
    )
    weakest = sorted(
        (o for o in objectives if o.correct < o.total),
        key=lambda o: (o.correct / o.total, -o.total, o.code),
    )[:5]
    weakest_domain = min(
        (d for d in domains if d.correct < d.total),
        key=lambda d: (d.correct / d.total, -d.total, d.number),
        default=None,
    )
    pbqs = [
        PbqResult(position=row["position"], credit=row["score"] or 0, full=bool(row["is_correct"]))
        for row in attempt.items.exclude(question__kind="choice")
        .order_by("position")
        .values("position", "score", "is_correct")
    ]
    exam = attempt.exam
    scale = {"score_min": exam.score_min, "score_max": exam.score_max}
    return {
        "domains": domains,
        # Every objective met, in blueprint order (1.2 before 1.10).
        "objectives": sorted(objectives, key=lambda o: _code_key(o.code)),
        "weakest_objectives": weakest,
        "weakest_domain": weakest_domain,
        "pass_percent": round(pass_percent_compute(pass_mark=exam.pass_mark, **scale)),
        "score_span": score_span(**scale),
        "pbqs": pbqs,
        "pbq_weight": PBQ_WEIGHT,
    }


def _code_key(code: str):
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


@dataclass
class ReviewEntry:
    item: AttemptItem
    question: Question
    choices: list[ChoiceView]
    bookmarked: bool
    pbq: PbqView | None = None
    # Held back by the learner's open simulation: no key, no explanation (see ``questions_held``).
    held: bool = False
    text: str = ""  # the question's text as the learner saw it
    exhibit: str = ""  # and its exhibit

    @property
    def exhibit_blocks(self):
        return exhibit_blocks(self.exhibit)

    @property
    def correct_letters(self):
        return [c.letter for c in self.choices if c.is_correct]

    @property
    def selected_letters(self):
        return [c.letter for c in self.choices if c.selected]


REVIEW_FILTERS = {"all": "All", "wrong": "Wrong", "flagged": "Flagged"}


def attempt_review(*, attempt: Attempt, show: str = "all") -> list[ReviewEntry]:
    """Every question of a submitted attempt with the learner's and the correct answers.

    A question of the learner's open simulation is listed without its key or explanations.
    Each question is shown as the learner saw it: from the revision the item points at, so an
    edit after the attempt leaves its review unchanged (items older than revisions read the
    bank as it is now).
    """
    items = (
        attempt.items.select_related("question__objective__domain", "revision")
        .annotate(held=question_held(user_id=attempt.user_id))
        .order_by("position")
    )
    if show == "wrong":
        items = items.filter(Q(is_correct=False) | Q(is_correct__isnull=True))
    elif show == "flagged":
        items = items.filter(flagged=True)
    items = list(items)
    question_ids = [item.question_id for item in items]
    rows_by_question = defaultdict(dict)
    live = [item.question_id for item in items if item.revision is None and not item.held]
    for row in Choice.objects.filter(question_id__in=live).values(
        "id", "question_id", "text", "explanation", "is_correct", "position", "value"
    ):
        rows_by_question[row["question_id"]][row["id"]] = row
    bookmarked = set(
        Bookmark.objects.filter(user_id=attempt.user_id, question_id__in=question_ids).values_list(
            "question_id", flat=True
        )
    )
    entries = []
    for item in items:
        snapshot = item.revision.snapshot if item.revision is not None else None
        text = snapshot["text"] if snapshot is not None else item.question.text
        exhibit = snapshot.get("exhibit") if snapshot is not None else item.question.exhibit
        if item.held:
            rows = {}
        elif snapshot is not None:
            rows = snapshot_choice_rows(snapshot)
        else:
            rows = rows_by_question[item.question_id]
        kind = snapshot.get("type", "choice") if snapshot is not None else item.question.kind
        entry = ReviewEntry(
            item=item,
            question=item.question,
            choices=[],
            bookmarked=item.question_id in bookmarked,
            held=item.held,
            text=text,
            exhibit=exhibit or "",
        )
        if kind == "choice":
            entry.choices = _choice_views(item.choice_order, rows, item.selected, True)
        elif not item.held:
            values = item.question.match_values
            if snapshot is not None:
                values = snapshot.get("values", values)
            entry.pbq = pbq_view(
                kind=kind,
                values=values,
                order=item.choice_order,
                rows=rows,
                response=item.response,
                reveal=True,
            )
        entries.append(entry)
    return entries


# Lists -------------------------------------------------------------------------------------


def attempts_in_progress(*, user) -> list[Attempt]:
    """The learner's open attempts, newest first, each with ``answered`` (a count)."""
    return list(
        Attempt.objects.filter(user=user, status=Attempt.Status.IN_PROGRESS)
        .select_related("exam")
        .annotate(answered=Count("items", filter=Q(items__answered_at__isnull=False)))
        .order_by("-started_at", "-id")
    )


def attempt_history(*, user) -> QuerySet[Attempt]:
    """The learner's finished (submitted or abandoned) attempts, newest first."""
    return (
        Attempt.objects.filter(user=user)
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .select_related("exam")
        .order_by("-started_at", "-id")
    )


def bookmarks_list(*, user) -> list[Bookmark]:
    """The learner's bookmarks grouped by exam (catalogue order), newest first within one.

    Each has ``held``, ``choices`` (its options with key and explanation, in letter order) and,
    for a performance-based question, ``pbq`` (each element with its right place or value and
    its explanation) instead of ``choices``; none of it for a question held back by the
    learner's open simulation. Two queries.
    """
    bookmarks = list(
        Bookmark.objects.filter(user=user)
        .select_related("question__exam", "question__objective")
        .annotate(held=question_held(user_id=user.pk))
        .order_by("question__exam__position", "question__exam__code", "-created_at", "-id")
    )
    shown = [b.question_id for b in bookmarks if not b.held]
    rows_by_question = defaultdict(dict)
    for row in (
        Choice.objects.filter(question_id__in=shown)
        .order_by("letter")
        .values("id", "question_id", "text", "explanation", "is_correct", "position", "value")
    ):
        rows_by_question[row["question_id"]][row["id"]] = row
    for bookmark in bookmarks:
        rows = rows_by_question[bookmark.question_id]
        question = bookmark.question
        bookmark.pbq = None
        if question.kind == "choice" or bookmark.held:
            bookmark.choices = _choice_views(list(rows), rows, (), True)
            continue
        bookmark.choices = []
        bookmark.pbq = pbq_view(
            kind=question.kind,
            values=question.match_values,
            order=list(rows),
            rows=rows,
            response=None,
            reveal=True,
        )
        bookmark.pbq.with_answer = False
    return bookmarks


def bank_size(*, exam: Exam) -> int:
    """How many active questions ``exam`` has (what a simulation can draw from)."""
    return Question.objects.filter(exam=exam, is_active=True).count()


def catalogue_entries() -> list[Exam]:
    """The catalogue's exams, each with ``objective_list`` for the start forms (3 queries)."""
    exams = exam_catalogue()
    by_exam = defaultdict(list)
    for objective in Objective.objects.select_related("domain").order_by(
        "domain__number", "sort_minor", "code"
    ):
        by_exam[objective.domain.exam_id].append(objective)
    for exam in exams:
        exam.objective_list = by_exam[exam.pk]
    return exams
