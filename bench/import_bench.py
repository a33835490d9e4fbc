"""Benchmark ``import_questions`` on a generated bank of 100,000 questions.

    python bench/import_bench.py                      # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_import \\
        python bench/import_bench.py                  # PostgreSQL (database must exist)

Generates a CSV in the import format (4 options, some with E/F, some "choose TWO", quoted
commas and line breaks, objective codes up to x.12 so some objectives are created), migrates
the database, removes any earlier bench questions, then times:

1. the first import (every row created),
2. the same file again (every row unchanged),
3. the file with every question edited (every row updated),

and measures memory: peak RSS of the process, and Python's peak allocation (tracemalloc)
during a dry run of 10,000 and of all rows, which shows what grows with the file.
For safety a DATABASE_URL must name a database whose name contains "bench".
"""

import argparse
import csv
import io
import os
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchdb import django_bench_setup

BENCH_EXAM = "security"


def generate(path: Path, rows: int, *, edited: bool = False, seed: int = 7) -> None:
    """Write ``rows`` questions; ``edited`` changes every question text and one option."""
    rng = random.Random(seed)
    words = [
        "policy",
        "firewall",
        "token",
        "cipher",
        "audit",
        "backup",
        "phishing",
        "subnet",
        "route",
        "patch",
    ]
    letters = "ABCDEF"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "question-id",
                "domain",
                "question-text",
                *(f"option-{letter}" for letter in "abcdef"),
                *(f"explanation-{letter}" for letter in "abcdef"),
                "correct answer",
            ]
        )
        for n in range(rows):
            count = 6 if n % 20 == 0 else 5 if n % 10 == 0 else 4
            sentence = " ".join(rng.choice(words) for _ in range(18))
            text = f"Question {n}: which {sentence}, and why?"
            if n % 50 == 0:
                text += "\nA second line of the scenario."
            if edited:
                text += " (revised)"
            options = [f"Option {letter} {rng.choice(words)} {n}" for letter in letters[:count]]
            if edited:
                options[1] += " revised"
            explanations = [
                f"Because {rng.choice(words)}, {rng.choice(words)} and {rng.choice(words)}."
                for _ in options
            ]
            answer = "A,C" if n % 7 == 0 else rng.choice(letters[:count])
            pad = [""] * (6 - count)
            domain = rng.randint(1, 5)
            code = f"{domain}.{rng.randint(1, 12)}"
            writer.writerow(
                [f"BENCH-{n:06d}", code, text, *options, *pad, *explanations, *pad, answer]
            )


def setup_django(temp: Path) -> str:
    url = django_bench_setup(temp=temp, sqlite_name="bench.sqlite3")
    from questions.models import Choice, Question

    Choice.objects.filter(question__exam__slug=BENCH_EXAM)._raw_delete(using="default")
    Question.objects.filter(exam__slug=BENCH_EXAM)._raw_delete(using="default")
    return url.split("@")[-1] if "@" in url else url


def timed_import(path: Path, **options) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    start = time.perf_counter()
    call_command("import_questions", str(path), "--exam", BENCH_EXAM, stdout=out, **options)
    return time.perf_counter() - start, out.getvalue().strip()


def peak_python_memory(path: Path) -> int:
    tracemalloc.start()
    timed_import(path, dry_run=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="billings-import-bench-") as folder:
        temp = Path(folder)
        database = setup_django(temp)
        from django.db import connection

        bank = temp / "bank.csv"
        generate(bank, args.rows)
        edited = temp / "edited.csv"
        generate(edited, args.rows, edited=True)
        small = temp / "small.csv"
        generate(small, min(10_000, args.rows))
        size_mb = bank.stat().st_size / 2**20
        rss_before = rss_mb()

        print(f"database: {connection.vendor} ({database})")
        print(f"file: {args.rows} rows, {size_mb:.1f} MiB")
        results = []
        for label, path in [("create", bank), ("unchanged", bank), ("update", edited)]:
            seconds, summary = timed_import(path)
            results.append((label, seconds))
            print(f"{label:>9}: {seconds:6.1f} s  {args.rows / seconds:8.0f} rows/s  | {summary}")
        rss_after = rss_mb()
        small_peak = peak_python_memory(small)
        full_peak = peak_python_memory(edited)
        print(f"peak RSS: {rss_after:.0f} MiB (before importing: {rss_before:.0f} MiB)")
        print(
            f"peak Python allocation, dry run: {small_peak / 2**20:.1f} MiB for "
            f"{min(10_000, args.rows)} rows, {full_peak / 2**20:.1f} MiB for {args.rows} rows"
        )
        print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
