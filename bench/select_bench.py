"""Benchmark starting a 90-question exam simulation on a bank of 100,000 questions.

    python bench/select_bench.py                      # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_select \\
        python bench/select_bench.py                  # PostgreSQL (database must exist)

Migrates the database, builds one exam with the Security+ domain weights and 100,000 active
questions (4 choices each, 400,000 choices, revision 1 of each; bulk-created by the tests'
``bank_build``, reused when already there), runs
ANALYZE, then times ``exams.services.attempt_start`` for a 90-question simulation, ``--runs``
times after a few warm-up runs, in two situations:

- a new learner each run (no history: every question unseen);
- one learner starting again and again (each start must skip all the questions already seen).

Each started simulation is abandoned outside the timed section (one may be open at a time).
Reports median, p95 and max wall time of the service call (selection, choice shuffling,
inserting 90 items, commit) and the number of SQL queries per start.
For safety a DATABASE_URL must name a database whose name contains "bench".
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from math import ceil
from pathlib import Path

from benchdb import django_bench_setup

EXAM_SLUG = "bench-select"
WEIGHTS = (12, 22, 18, 28, 20)
OBJECTIVES_PER_DOMAIN = 5
BATCH = 5_000


def setup_django(temp: Path) -> str:
    url = django_bench_setup(temp=temp, sqlite_name="select-bench.sqlite3")
    return url.split("@")[-1] if "@" in url else "SQLite (temporary file)"


def bank_build(size: int, seed: int = 11):
    """The bench exam with ``size`` active questions; reused if it already holds that many."""
    from django.db import connection

    from exams.models import Attempt
    from exams.tests.factories import bank_build as build
    from questions.models import Choice, Exam, Question

    exam = Exam.objects.filter(slug=EXAM_SLUG).first()
    if exam and Question.objects.filter(exam=exam, is_active=True).count() == size:
        return exam, False
    if exam:
        Attempt.objects.filter(exam=exam).delete()
        Choice.objects.filter(question__exam=exam).delete()
        Question.objects.filter(exam=exam).delete()
        exam.delete()
    print(f"  building {size:,} questions", file=sys.stderr)
    exam = build(
        exam=Exam.objects.create(
            slug=EXAM_SLUG, code="BENCH-SEL", name="Selection bench", pass_mark=750, position=999
        ),
        weights=WEIGHTS,
        questions=size,  # shared over the domains by weight, like a real bank
        objectives_per_domain=OBJECTIVES_PER_DOMAIN,
        seed=seed,
        batch=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return exam, True


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, ceil(fraction * len(ordered)) - 1)]


def measure(exam, runs: int, warmup: int, *, same_learner: bool):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from exams import services

    timings, queries = [], []
    tag = random.randrange(10**9)
    learner = User.objects.create_user(email=f"bench-same-{tag}@example.com")
    for run in range(warmup + runs):
        if not same_learner:
            learner = User.objects.create_user(email=f"bench-{tag}-{run}@example.com")
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            attempt = services.attempt_start(user=learner, exam=exam, mode="simulation")
            elapsed = time.perf_counter() - began
        assert attempt.items.count() == 90
        services.attempt_abandon(attempt_id=attempt.pk, user=learner)
        if run >= warmup:
            timings.append(elapsed * 1000)
            queries.append(len(captured))
    return {
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "queries": max(queries),
        "runs": runs,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="questions in the bank")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="billings-select-bench-") as folder:
        database = setup_django(Path(folder))
        from django.db import connection

        began = time.perf_counter()
        exam, built = bank_build(args.size)
        setup = time.perf_counter() - began
        version = connection.vendor
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                version = "PostgreSQL " + cursor.fetchone()[0]
            else:
                cursor.execute("SELECT sqlite_version()")
                version = "SQLite " + cursor.fetchone()[0]
        print(f"Database: {version} at {database}")
        print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
        print(f"Bank: {args.size:,} questions ({'built' if built else 'reused'} in {setup:.1f} s)")
        print()
        print("| situation | runs | median | p95 | max | queries |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        situations = (("new learner each run", False), ("same learner, growing history", True))
        for label, same in situations:
            result = measure(exam, args.runs, args.warmup, same_learner=same)
            print(
                f"| {label} | {result['runs']} | {result['median']:.1f} ms | {result['p95']:.1f} ms"
                f" | {result['max']:.1f} ms | {result['queries']} |"
            )


if __name__ == "__main__":
    main()
