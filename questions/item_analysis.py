"""Item analysis: how each question revision behaves, computed from learners' responses.

Pure functions, no database access (``questions.selectors.item_responses`` reads the rows,
``questions.services.item_stats_store`` keeps the results). Classical test theory, as Moodle's
quiz statistics:

- *facility*: the share of responses that are right;
- *discrimination*: the point-biserial correlation between being right on this question and
  the learner's score on the rest of the same attempt (the question itself left out, so it
  does not correlate with itself);
- *option shares*: how often each option was chosen;
- *median time*: seconds from the previous answer of the attempt (or its start) to this one.

Only each learner's first response to a revision counts (a second meeting is a memory test),
and practice and simulation are analysed apart. Flags, each with a one-line reason, are raised
only from ``min_responses`` responses on.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from math import sqrt
from statistics import median

EASY_ABOVE = 0.95
HARD_BELOW = 0.2
DISCRIMINATION_NEAR_ZERO = 0.1
TOP_GROUP_SHARE = 0.27  # the strongest 27% of learners (Kelley)
DISTRACTOR_RARE_BELOW = 0.05
LEECH_FLAG_AT = 1


@dataclass(frozen=True)
class ItemRow:
    """One scored item of one attempt, as the selector reads it."""

    attempt_id: int
    user_id: int
    question_id: int
    revision_id: int | None
    selected: tuple[int, ...]
    is_correct: bool
    answered_at: datetime | None  # None: not answered (scored wrong in a simulation)
    started_at: datetime


@dataclass(frozen=True)
class Response:
    user_id: int
    question_id: int
    revision_id: int | None
    selected: tuple[int, ...]
    correct: bool
    rest_score: float  # share right on the rest of the attempt
    seconds: float | None


@dataclass(frozen=True)
class RevisionKey:
    """What the analysis needs of a revision: its letters by choice id and its key."""

    letters: Mapping[int, str]
    correct: frozenset[int]


@dataclass
class ItemStats:
    question_id: int
    revision_id: int | None
    responses: int
    facility: float | None
    discrimination: float | None
    median_seconds: float | None
    option_shares: dict[str, float]
    report_count: int = 0
    leeches: int = 0
    flags: list[str] = field(default_factory=list)


def responses_first(rows: Iterable[ItemRow]) -> list[Response]:
    """Each learner's first answered response per revision, with the rest-of-attempt score
    and the time taken, from the scored items of their attempts."""
    by_attempt: dict[int, list[ItemRow]] = defaultdict(list)
    for row in rows:
        by_attempt[row.attempt_id].append(row)
    first: dict[tuple, Response] = {}
    first_at: dict[tuple, datetime] = {}
    for items in by_attempt.values():
        total = len(items)
        right = sum(1 for item in items if item.is_correct)
        answered = sorted(
            (item for item in items if item.answered_at is not None),
            key=lambda item: (item.answered_at, item.question_id),
        )
        previous = None
        for item in answered:
            start = previous or item.started_at
            previous = item.answered_at
            key = (item.user_id, item.question_id, item.revision_id)
            if key in first_at and first_at[key] <= item.answered_at:
                continue
            rest = (right - int(item.is_correct)) / (total - 1) if total > 1 else 0.0
            first_at[key] = item.answered_at
            first[key] = Response(
                user_id=item.user_id,
                question_id=item.question_id,
                revision_id=item.revision_id,
                selected=tuple(item.selected),
                correct=bool(item.is_correct),
                rest_score=rest,
                seconds=max(0.0, (item.answered_at - start).total_seconds()),
            )
    return list(first.values())


def point_biserial(correct: list[bool], scores: list[float]) -> float | None:
    """Correlation of a right/wrong outcome with a score; None when either does not vary."""
    n = len(correct)
    if n < 2:
        return None
    right = [score for ok, score in zip(correct, scores, strict=True) if ok]
    wrong = [score for ok, score in zip(correct, scores, strict=True) if not ok]
    if not right or not wrong:
        return None
    mean = sum(scores) / n
    spread = sqrt(sum((score - mean) ** 2 for score in scores) / n)
    if spread == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / spread * sqrt(p * (1 - p))


def item_stats_compute(
    *,
    responses: Iterable[Response],
    keys: Mapping[int | None, RevisionKey] | Mapping,
    min_responses: int = 30,
    report_counts: Mapping[int, int] | None = None,
    leeches: Mapping[int, int] | None = None,
) -> list[ItemStats]:
    """Statistics and flags per (question, revision). ``keys`` maps a revision id (or, for
    items older than revisions, ``("question", question_id)``) to its letters and key."""
    report_counts = report_counts or {}
    leeches = leeches or {}
    groups: dict[tuple, list[Response]] = defaultdict(list)
    for response in responses:
        groups[(response.question_id, response.revision_id)].append(response)
    results = []
    for (question_id, revision_id), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
    ):
        key = keys.get(revision_id) if revision_id is not None else None
        if key is None:
            key = keys.get(("question", question_id), RevisionKey(letters={}, correct=frozenset()))
        results.append(
            _stats_one(
                question_id,
                revision_id,
                group,
                key,
                min_responses,
                report_counts.get(question_id, 0),
                leeches.get(question_id, 0),
            )
        )
    return results


def _stats_one(question_id, revision_id, group, key, min_responses, reports, leech_count):
    n = len(group)
    correct = [response.correct for response in group]
    scores = [response.rest_score for response in group]
    facility = sum(correct) / n
    discrimination = point_biserial(correct, scores)
    times = [response.seconds for response in group if response.seconds is not None]
    counts: dict[str, int] = dict.fromkeys(key.letters.values(), 0)
    for response in group:
        for choice_id in response.selected:
            letter = key.letters.get(choice_id)
            if letter is not None:
                counts[letter] += 1
    shares = {letter: counts[letter] / n for letter in sorted(counts)}
    stats = ItemStats(
        question_id=question_id,
        revision_id=revision_id,
        responses=n,
        facility=facility,
        discrimination=discrimination,
        median_seconds=median(times) if times else None,
        option_shares=shares,
        report_count=reports,
        leeches=leech_count,
    )
    if n >= min_responses:
        stats.flags = _flags(stats, group, key)
    if reports:
        stats.flags.append(f"{reports} open report{'s' if reports != 1 else ''} from learners")
    if leech_count >= LEECH_FLAG_AT:
        stats.flags.append(f"a leech for {leech_count} learner{'s' if leech_count != 1 else ''}")
    return stats


def _flags(stats: ItemStats, group: list[Response], key: RevisionKey) -> list[str]:
    flags = []
    if stats.facility > EASY_ABOVE:
        flags.append(f"facility {stats.facility:.2f} > {EASY_ABOVE}: too easy")
    elif stats.facility < HARD_BELOW:
        flags.append(f"facility {stats.facility:.2f} < {HARD_BELOW}: too hard or a wrong key")
    d = stats.discrimination
    if d is not None and d < 0:
        flags.append(f"discrimination {d:.2f} < 0: strong learners do worse on it")
    elif d is not None and d < DISCRIMINATION_NEAR_ZERO:
        flags.append(f"discrimination {d:.2f} near zero: it does not tell strong from weak")
    top = sorted(group, key=lambda response: response.rest_score, reverse=True)
    top = top[: max(1, round(len(top) * TOP_GROUP_SHARE))]
    chosen: dict[int, int] = defaultdict(int)
    for response in top:
        for choice_id in response.selected:
            chosen[choice_id] += 1
    key_top = max((chosen[choice_id] for choice_id in key.correct), default=0)
    for choice_id, letter in sorted(key.letters.items(), key=lambda kv: kv[1]):
        if choice_id in key.correct:
            continue
        if chosen[choice_id] > key_top:
            flags.append(
                f"option {letter} is chosen more than the key by the strongest learners: "
                "likely wrong key"
            )
    rare = [
        letter
        for choice_id, letter in sorted(key.letters.items(), key=lambda kv: kv[1])
        if choice_id not in key.correct
        and stats.option_shares.get(letter, 0) < DISTRACTOR_RARE_BELOW
    ]
    if rare:
        flags.append(
            f"option{'s' if len(rare) > 1 else ''} {', '.join(rare)} chosen by under "
            f"{DISTRACTOR_RARE_BELOW:.0%}: distractor{'s' if len(rare) > 1 else ''} nobody picks"
        )
    return flags
