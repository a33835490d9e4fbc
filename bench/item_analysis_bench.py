"""Item analysis on 200,000 responses: the pure computation, timed (no database).

    .venv/bin/python bench/item_analysis_bench.py [--responses 200000]

Builds 20,000 practice attempts of 10 items over a 2,000-question bank (learners of spread
ability, one question with a wrong key) and times ``responses_first`` + ``item_stats_compute``,
which is what ``manage.py item_analysis`` runs after its one streamed read of the items.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questions.item_analysis import (
    ItemRow,
    RevisionKey,
    item_stats_compute,
    responses_first,
)


def rows_build(responses: int, questions: int = 2000, per_attempt: int = 10):
    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    keys = {
        q: RevisionKey(letters={q * 4 + i: "ABCD"[i] for i in range(4)}, correct=frozenset({q * 4}))
        for q in range(questions)
    }
    rows = []
    for attempt in range(responses // per_attempt):
        ability = rng.random()
        at = start + timedelta(minutes=attempt)
        for question in rng.sample(range(questions), per_attempt):
            right = rng.random() < ability
            choice = question * 4 + (0 if right else rng.randint(1, 3))
            at += timedelta(seconds=30)
            rows.append(
                ItemRow(attempt, attempt % 5000, question, question, (choice,), right, at, start)
            )
    return rows, keys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=200_000)
    args = parser.parse_args()
    rows, keys = rows_build(args.responses)
    began = time.perf_counter()
    responses = responses_first(rows)
    stats = item_stats_compute(responses=responses, keys=keys, min_responses=30)
    elapsed = time.perf_counter() - began
    flagged = sum(1 for s in stats if s.flags)
    print(
        f"{len(rows)} items, {len(responses)} first responses, {len(stats)} revisions, "
        f"{flagged} flagged: {elapsed:.2f} s"
    )


if __name__ == "__main__":
    main()
