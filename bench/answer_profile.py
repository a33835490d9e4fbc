"""What one answer POST costs the app: SQL queries and CPU time, in-process.

    python bench/answer_profile.py                     # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_answer \\
        python bench/answer_profile.py                 # PostgreSQL (database must exist)
    python bench/answer_profile.py --sql               # also list the SQL of one answer
    python bench/answer_profile.py --save /tmp/before.json
    python bench/answer_profile.py --baseline /tmp/before.json --write docs/BENCHMARKS.md

Migrates the database, builds an exam of 100 questions, then for each of four paths (practice
and simulation, each as an htmx POST that gets the card back and as a plain POST that gets a
redirect) makes a new learner start an attempt and posts ``--answers`` answers through Django's
test client, one per question. Per answer it counts the SQL queries
(``CaptureQueriesContext``) and the Python CPU time (``time.process_time``: on SQLite the
database's own work runs in this process and is included; PostgreSQL's is not). The first
answer of the attempt (the learner's first of the day: the day row and the streak are created)
is reported apart from the others.

``--save`` keeps the figures as JSON; ``--baseline`` shows such a file as "before" next to
the figures of this run; ``--write`` replaces (or appends) the "## Answer cost" section of a
Markdown file. For safety a DATABASE_URL must name a database whose name contains "bench".
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from benchdb import django_bench_setup

PATHS = (
    ("practice", True),
    ("practice", False),
    ("simulation", True),
    ("simulation", False),
)


def setup_django(temp: Path) -> str:
    url = django_bench_setup(temp=temp, sqlite_name="answer-profile.sqlite3")
    from django.conf import settings

    # Hashing a password is not what this measures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    vendor = "PostgreSQL" if "postgres" in url.split(":", 1)[0] else "SQLite"
    return vendor


def exam_build(count: int):
    from exams.tests.factories import bank_build
    from questions.models import Exam

    exam = Exam.objects.filter(slug="bench-answer").first()
    if exam is None:
        exam = bank_build(
            exam=Exam.objects.create(
                slug="bench-answer",
                code="BENCH-ANS",
                name="Answer bench",
                pass_mark=700,
                question_count=count,
                time_limit_minutes=90,
                position=998,
            ),
            per_domain=count // 5,
        )
    Exam.objects.filter(pk=exam.pk).update(question_count=count)
    exam.refresh_from_db()
    return exam


def path_measure(exam, *, mode: str, htmx: bool, answers: int, show_sql: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.tests.factories import UserFactory
    from exams import services
    from exams.tests.factories import correct_ids, wrong_id

    user = UserFactory()
    client = Client()
    client.force_login(user)
    count = answers if mode == "practice" else None
    attempt = services.attempt_start(user=user, exam=exam, mode=mode, count=count)
    items = list(attempt.items.order_by("position")[:answers])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    expected = 200 if htmx else 302
    queries, cpus, sql = [], [], []
    for n, item in enumerate(items):
        choice = correct_ids(item) if n % 3 else [wrong_id(item)]
        address = reverse("exams:answer", args=[attempt.pk, item.position])
        with CaptureQueriesContext(connection) as ctx:
            started = time.process_time()
            response = client.post(address, {"choice": choice}, **headers)
            cpus.append(time.process_time() - started)
        assert response.status_code == expected, (response.status_code, response.content[:300])
        queries.append(len(ctx))
        if n == 1:
            sql = [q["sql"] for q in ctx.captured_queries]
    if show_sql:
        print(f"\n-- {mode}, {'htmx' if htmx else 'plain'}: SQL of one answer (the second)")
        for i, text in enumerate(sql, start=1):
            print(f"{i:3}. {text[:220]}")
    rest = queries[1:] or queries
    rest_cpu = cpus[1:] or cpus
    return {
        "first_queries": queries[0],
        "queries": statistics.median(rest),
        "max_queries": max(rest),
        "first_cpu_ms": cpus[0] * 1000,
        "cpu_ms": statistics.median(rest_cpu) * 1000,
        "mean_cpu_ms": sum(cpus) / len(cpus) * 1000,
        "answers": len(items),
    }


def label(key: str) -> str:
    mode, kind = key.split("/")
    return f"{mode}, {'htmx (card back)' if kind == 'htmx' else 'plain (redirect)'}"


def report(results: dict, baseline: dict | None, meta: dict) -> str:
    lines = [
        "## Answer cost",
        "",
        f"Measured {meta['date']} with `python bench/answer_profile.py` on {meta['vendor']} "
        f"(temporary file), Python {meta['python']}, {meta['cpus']} CPUs shared with other work. "
        f"A new learner per path answers {meta['answers']} questions of one attempt through "
        "Django's test client (`DJANGO_DEBUG=False`); queries are counted with "
        "`CaptureQueriesContext`, CPU is `time.process_time` of the request (SQLite works "
        'in-process, so its share is included). "First" is the attempt\'s first answer, the '
        "learner's first of the day (day row and streak created); the other columns are the "
        "median over the rest. Queries do not grow with the attempt's length; CPU does a "
        "little, through the navigator the htmx card renders (one cell per question: "
        f"{meta['answers']} in the practice set here, {2 * meta['answers']} in the "
        "simulation).",
        "",
    ]
    if baseline:
        lines += [
            "Before: the same script on the code before the answer path was cut (the attempt "
            "read three times, the card re-reading item, choices, exam and profile, every "
            "answer summing past correct answers and reading the badge catalogue).",
            "",
        ]
    if baseline:
        lines += [
            "| path | queries before | queries after | first answer before / after | "
            "CPU ms before | CPU ms after |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for key, r in results.items():
            b = baseline.get(key)
            if not b:
                continue
            lines.append(
                f"| {label(key)} | {b['queries']:g} | {r['queries']:g} | "
                f"{b['first_queries']} / {r['first_queries']} | "
                f"{b['cpu_ms']:.1f} | {r['cpu_ms']:.1f} |"
            )
    else:
        lines += [
            "| path | queries | first answer | CPU ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for key, r in results.items():
            lines.append(
                f"| {label(key)} | {r['queries']:g} | {r['first_queries']} | {r['cpu_ms']:.1f} |"
            )
    lines.append("")
    return "\n".join(lines)


def section_write(path: Path, text: str) -> None:
    document = path.read_text()
    heading = "## Answer cost"
    if heading in document:
        head, rest = document.split(heading, 1)
        tail = rest.split("\n## ", 1)
        rest = "\n## " + tail[1] if len(tail) == 2 else ""
        document = head + text + rest
    else:
        marker = "\n## Exam start selection"
        if marker in document:
            head, rest = document.split(marker, 1)
            document = head.rstrip("\n") + "\n\n" + text + marker + rest
        else:
            document = document.rstrip("\n") + "\n\n" + text
    path.write_text(document)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=50, help="answers per path")
    parser.add_argument("--sql", action="store_true", help="list the SQL of one answer")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--baseline", type=Path, help="JSON of an earlier run, shown as before")
    parser.add_argument("--write", type=Path, help="Markdown file: replace '## Answer cost'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        vendor = setup_django(Path(temp))
        exam = exam_build(max(args.answers, 10) * 2)
        results = {}
        for mode, htmx in PATHS:
            key = f"{mode}/{'htmx' if htmx else 'plain'}"
            results[key] = path_measure(
                exam, mode=mode, htmx=htmx, answers=args.answers, show_sql=args.sql
            )
    print()
    print(f"{'path':32} {'queries':>8} {'max':>5} {'first':>6} {'CPU ms':>8} {'first ms':>9}")
    for key, r in results.items():
        print(
            f"{label(key):32} {r['queries']:>8g} {r['max_queries']:>5} {r['first_queries']:>6} "
            f"{r['cpu_ms']:>8.1f} {r['first_cpu_ms']:>9.1f}"
        )
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    if baseline:
        print("\nbefore (baseline):")
        for key, b in baseline.items():
            print(
                f"{label(key):32} {b['queries']:>8g} {b['max_queries']:>5} "
                f"{b['first_queries']:>6} {b['cpu_ms']:>8.1f} {b['first_cpu_ms']:>9.1f}"
            )
    if args.save:
        args.save.write_text(json.dumps(results, indent=2))
    if args.write:
        meta = {
            "date": date.today().isoformat(),
            "vendor": vendor,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "answers": args.answers,
        }
        section_write(args.write, report(results, baseline, meta))


if __name__ == "__main__":
    main()
