"""Benchmark spaced review and smart sets: a 100,000-question bank, a learner of 50,000 cards.

    python bench/study_bench.py                       # a temporary SQLite file
    createdb -h 127.0.0.1 -U postgres billings_bench_study
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_study \\
        python bench/study_bench.py                   # PostgreSQL (database must exist)
    python bench/study_bench.py --size 2000 --cards 1000 --runs 3   # a quick look

Builds the bank of ``bench/select_bench.py`` (reused when already there) and one learner with
``--cards`` review cards (a third due today, a fifth of them missed at least once), a few
submitted attempts and a target exam, runs ANALYZE, then times, ``--runs`` times after a
warm-up: the due count; starting a review session (50 due cards, lowest retrievability
first); starting a smart set from each pool; the match count of the builder; and the review
page, the builder and the dashboard through the test client. Each started set is abandoned
outside the timed section. Reports median, p95 and queries.
"""

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchdb import django_bench_setup
from select_bench import bank_build, percentile


def learner_build(exam, cards: int, seed: int = 5):
    """A learner with ``cards`` cards over the bank, two submitted attempts, a target exam."""
    from django.utils import timezone

    from accounts.models import Profile, User
    from exams import services
    from exams.tests.factories import attempt_finished
    from study.models import Card

    rng = random.Random(seed)
    now = timezone.now()
    learner = User.objects.create_user(email=f"bench-study-{time.time_ns()}@example.com")
    Profile.objects.filter(user=learner).update(target_exam=exam, confidence_on=True)
    question_ids = list(exam.questions.order_by("random_key").values_list("id", flat=True)[:cards])
    rows = []
    for n, question_id in enumerate(question_ids):
        stability = rng.uniform(0.5, 60)
        due = now + timedelta(days=rng.uniform(-20, 40))
        missed = rng.random() < 0.2
        rows.append(
            Card(
                user=learner,
                question_id=question_id,
                exam=exam,
                state=2,
                stability=stability,
                difficulty=rng.uniform(1, 10),
                due=due,
                last_review=due - timedelta(days=stability),
                last_rating=1 if missed else 3,
                last_confidence=rng.choice((None, 1, 2, 3)),
                reps=3,
                misses=1 if missed else 0,
            )
        )
        if len(rows) == 5_000 or n == len(question_ids) - 1:
            Card.objects.bulk_create(rows)
            rows = []
    for _ in range(2):
        attempt_finished(
            services.attempt_start(user=learner, exam=exam, mode="practice", count=30),
            lambda item: item.choice_order[: 1 + (item.position % 2)][-1:],
            confidence=lambda item: 1 + item.position % 3,
        )
    return learner


def timed(runs: int, warmup: int, action, after=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for run in range(warmup + runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = action()
            elapsed = time.perf_counter() - began
        if after is not None:
            after(result)
        if run >= warmup:
            timings.append(elapsed * 1000)
            queries.append(len(captured))
    return statistics.median(timings), percentile(timings, 0.95), max(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="questions in the bank")
    parser.add_argument("--cards", type=int, default=50_000, help="the learner's cards")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="billings-study-bench-") as folder:
        django_bench_setup(temp=Path(folder), sqlite_name="study-bench.sqlite3")
        from django.db import connection
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from exams import services
        from study import selectors, sets

        began = time.perf_counter()
        exam, built = bank_build(args.size)
        learner = learner_build(exam, min(args.cards, args.size))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        setup = time.perf_counter() - began
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = "PostgreSQL " + cursor.fetchone()[0]
        else:
            import sqlite3

            version = "SQLite " + sqlite3.sqlite_version
        from study import rules
        from study.models import Card

        zone = learner.profile.tz
        due = Card.objects.filter(
            user=learner, due__lt=rules.day_end(at=timezone.now(), zone=zone)
        ).count()
        print(f"Database: {version}; Python {platform.python_version()}, {os.cpu_count()} CPUs")
        print(
            f"Bank: {args.size:,} questions ({'built' if built else 'reused'}); learner: "
            f"{min(args.cards, args.size):,} cards, {due:,} due today (set up in {setup:.1f} s)"
        )
        print()
        print("| action | median | p95 | queries |")
        print("| --- | ---: | ---: | ---: |")

        def abandon(attempt):
            services.attempt_abandon(attempt_id=attempt.pk, user=learner)

        def review():
            learner.profile.review_cap = 30_000  # the bench starts many sessions in one day
            return sets.review_start(user=learner, exam=exam)

        rows = [
            (
                "due count (navigation)",
                lambda: selectors.due_count(user_id=learner.pk, zone=zone),
                None,
            )
        ]
        rows.append(("start a review session (50 cards)", review, abandon))
        for pool in ("all", "unseen", "missed", "weakest", "due", "unsure"):
            choice = selectors.PoolChoice(pool=pool, last_attempts=5, weakest=3)
            rows.append(
                (
                    f"start a smart set of 20: {pool}",
                    lambda choice=choice: sets.smart_start(
                        user=learner, exam=exam, choice=choice, count=20
                    ),
                    abandon,
                )
            )
        rows.append(
            (
                "builder match count: all (capped at 1,000)",
                lambda: selectors.pool_count(
                    selectors.pool_questions(
                        user_id=learner.pk,
                        exam=exam,
                        choice=selectors.PoolChoice(pool="all"),
                        now=timezone.now(),
                        zone=zone,
                    )
                ),
                None,
            )
        )
        learner.profile.review_cap = 50
        client = Client()
        client.force_login(learner)
        for label, url in (
            ("GET review page", reverse("study:review")),
            (
                "GET builder, Check (missed)",
                reverse("study:build", args=[exam.slug])
                + "?check=1&pool=missed&count=20&feedback=now&last_attempts=5",
            ),
            ("GET dashboard with study plan", reverse("home")),
        ):
            rows.append((label, lambda url=url: client.get(url), None))
        for label, action, after in rows:
            median, p95, queries = timed(args.runs, args.warmup, action, after)
            print(f"| {label} | {median:.1f} ms | {p95:.1f} ms | {queries} |")


if __name__ == "__main__":
    main()
