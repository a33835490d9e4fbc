"""Item analysis on 200,000 responses: the pure computation, and the command end to end.

    .venv/bin/python bench/item_analysis_bench.py [--responses 200000]
    .venv/bin/python bench/item_analysis_bench.py --database        # a temporary SQLite file
    createdb -h 127.0.0.1 -U postgres billings_bench_items
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_items \
        .venv/bin/python bench/item_analysis_bench.py --database    # PostgreSQL (emptied first)

Builds 20,000 practice attempts of 10 items over a 2,000-question bank (learners of spread
ability, one question with a wrong key). Without ``--database`` it times ``responses_first`` +
``item_stats_compute``, which is what ``manage.py item_analysis`` runs after its one streamed
read of the items. With ``--database`` the same history is written to a database (questions,
choices, revision 1 of each, attempts, items) and ``manage.py item_analysis --exam security``
is timed end to end: the reads, the computation and the write of the ``ItemStat`` rows.
"""

import argparse
import io
import os
import random
import sys
import tempfile
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


def database_load(rows, questions: int = 2000) -> int:
    """Write the history of ``rows`` into the bench database; returns the exam's id."""
    from django.db import connection, transaction
    from django.utils import timezone
    from scale import Bulk

    from accounts.models import User
    from exams.models import Attempt, AttemptItem
    from questions.models import Choice, Exam, Objective, Question, QuestionRevision
    from questions.revisions import snapshot_build

    bulk, now = Bulk(connection), timezone.now()
    bulk.now = now
    exam = Exam.objects.get(slug="security")
    objectives = list(Objective.objects.filter(domain__exam=exam).values_list("id", "domain_id"))
    with transaction.atomic():
        q0, c0, r0 = bulk.next_id(Question), bulk.next_id(Choice), bulk.next_id(QuestionRevision)
        u0, a0, i0 = bulk.next_id(User), bulk.next_id(Attempt), bulk.next_id(AttemptItem)
        bulk.insert(
            Question,
            (
                {
                    "id": q0 + q,
                    "exam_id": exam.pk,
                    "objective_id": objectives[q % len(objectives)][0],
                    "domain_id": objectives[q % len(objectives)][1],
                    "external_id": f"IA-{q:05d}",
                    "text": f"Item analysis question {q}?",
                }
                for q in range(questions)
            ),
        )

        def choice(q, k):  # the bench's choice id q*4+k becomes a real row id
            return {
                "id": c0 + q * 4 + k,
                "question_id": q0 + q,
                "letter": "ABCD"[k],
                "text": f"Option {'ABCD'[k]}",
                "explanation": "",
                "is_correct": k == 0,
            }

        bulk.insert(Choice, (choice(q, k) for q in range(questions) for k in range(4)))
        bulk.insert(
            QuestionRevision,
            (
                {
                    "id": r0 + q,
                    "question_id": q0 + q,
                    "number": 1,
                    "created_at": now,
                    "snapshot": snapshot_build(
                        text=f"Item analysis question {q}?",
                        choices=[choice(q, k) for k in range(4)],
                    ),
                }
                for q in range(questions)
            ),
        )
        users = {row.user_id for row in rows}
        bulk.insert(
            User, ({"id": u0 + u, "email": f"ia{u}@example.com", "password": "!"} for u in users)
        )
        attempts = {}
        for row in rows:
            attempts.setdefault(row.attempt_id, row)
        bulk.insert(
            Attempt,
            (
                {
                    "id": a0 + a,
                    "user_id": u0 + row.user_id,
                    "exam_id": exam.pk,
                    "mode": "practice",
                    "status": "submitted",
                    "scope": {},
                    "question_count": 10,
                    "started_at": row.started_at,
                    "submitted_at": row.answered_at,
                    "current_position": 10,
                }
                for a, row in attempts.items()
            ),
        )
        positions: dict[int, int] = {}
        items = []
        for n, row in enumerate(rows):
            positions[row.attempt_id] = positions.get(row.attempt_id, 0) + 1
            items.append(
                {
                    "id": i0 + n,
                    "attempt_id": a0 + row.attempt_id,
                    "position": positions[row.attempt_id],
                    "question_id": q0 + row.question_id,
                    "revision_id": r0 + row.question_id,
                    "choice_order": [c0 + row.question_id * 4 + k for k in range(4)],
                    "selected": [c0 + choice_id for choice_id in row.selected],
                    "answered_at": row.answered_at,
                    "is_correct": row.is_correct,
                }
            )
        bulk.insert(AttemptItem, items)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return exam.pk


def database_main(args) -> None:
    from benchdb import django_bench_setup
    from scale import postgres_recreate

    rows, _ = rows_build(args.responses)
    with tempfile.TemporaryDirectory() as temp:
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres") and "bench" in url.rsplit("/", 1)[-1]:
            postgres_recreate(url)
        django_bench_setup(temp=Path(temp), sqlite_name="item_analysis.sqlite3")
        from django.core.management import call_command
        from django.db import connection

        began = time.perf_counter()
        database_load(rows)
        load_s = time.perf_counter() - began
        out = io.StringIO()
        began = time.perf_counter()
        call_command("item_analysis", exam="security", stdout=out)
        elapsed = time.perf_counter() - began
        summary = out.getvalue().strip().splitlines()[-1]
        print(
            f"{connection.vendor}: {len(rows)} items loaded in {load_s:.1f} s; "
            f"manage.py item_analysis --exam security: {elapsed:.2f} s ({summary})"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument(
        "--database", action="store_true", help="time the command on a database (see above)"
    )
    args = parser.parse_args()
    if args.database:
        database_main(args)
        return
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
