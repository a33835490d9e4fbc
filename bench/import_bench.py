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

``--baseline`` also times, in the same run and on the same files, what the same writes cost
without the importer (``Raw``): the CSV read with ``csv`` and the rows written in one
transaction, ``executemany`` on SQLite and ``COPY`` on PostgreSQL for a first import, and a
minimal upsert (``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` something changed, by
``executemany``) for the same file again and for a file with 1% of the questions edited. Each
pair starts from the same state; the ratio importer ÷ raw is printed with the aims of issue 13
(first import ≤ 2.0× on SQLite and ≤ 2.5× on PostgreSQL, re-imports ≤ 2.5×).
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

from benchdb import WORDS, django_bench_setup

BENCH_EXAM = "security"


def generate(path: Path, rows: int, *, edited: bool = False, seed: int = 7, every: int = 1) -> None:
    """Write ``rows`` questions; ``edited`` changes the text and one option of every
    ``every``-th question (all of them by default)."""
    rng = random.Random(seed)
    words = WORDS[:10]
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
            revise = edited and n % every == 0
            if revise:
                text += " (revised)"
            options = [f"Option {letter} {rng.choice(words)} {n}" for letter in letters[:count]]
            if revise:
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
    bench_questions_delete()
    return url.split("@")[-1] if "@" in url else url


def timed_import(path: Path, **options) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    start = time.perf_counter()
    call_command("import_questions", str(path), "--exam", BENCH_EXAM, stdout=out, **options)
    return time.perf_counter() - start, out.getvalue().strip()


class Raw:
    """The same rows written without the importer: the floor it is compared with."""

    def __init__(self):
        from questions.models import Exam, Objective

        self.exam = Exam.objects.get(slug=BENCH_EXAM)
        self.objectives = {
            (o.domain.number, o.code): (o.pk, o.domain_id)
            for o in Objective.objects.filter(domain__exam=self.exam).select_related("domain")
        }

    def rows(self, path: Path):
        """(question values, [choice values]) per CSV row, as the importer would store them."""
        with path.open(encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                code = record["domain"]
                objective_id, domain_id = self.objectives[(int(code.split(".")[0]), code)]
                correct = set(record["correct answer"].split(","))
                choices = [
                    (
                        letter,
                        record[f"option-{low}"],
                        record[f"explanation-{low}"],
                        letter in correct,
                    )
                    for letter, low in zip("ABCDEF", "abcdef", strict=True)
                    if record[f"option-{low}"]
                ]
                question = {
                    "exam_id": self.exam.pk,
                    "domain_id": domain_id,
                    "objective_id": objective_id,
                    "external_id": record["question-id"],
                    "text": record["question-text"],
                }  # correct_count: kept by the database's triggers, as for the importer
                yield question, choices

    def first_import(self, path: Path) -> float:
        """Every row new: ids assigned here, ``executemany`` (SQLite) or ``COPY`` (PostgreSQL)."""
        from django.db import connection, transaction
        from scale import Bulk

        from questions.models import Choice, Question

        start = time.perf_counter()
        with transaction.atomic():
            bulk = Bulk(connection)
            first_q, first_c = bulk.next_id(Question), bulk.next_id(Choice)
            questions, choices = [], []
            for n, (question, options) in enumerate(self.rows(path)):
                questions.append({"id": first_q + n, **question})
                for letter, text, explanation, is_correct in options:
                    choices.append(
                        {
                            "id": first_c + len(choices),
                            "question_id": first_q + n,
                            "letter": letter,
                            "text": text,
                            "explanation": explanation,
                            "is_correct": is_correct,
                        }
                    )
            bulk.insert(Question, questions)
            bulk.insert(Choice, choices)
        return time.perf_counter() - start

    def upsert(self, path: Path) -> float:
        """Every row there already: one upsert per table that rewrites only what changed.

        PostgreSQL: the rows ``COPY``-ed into temporary tables, then one
        ``INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE`` per table. SQLite: the same
        statement by ``executemany``. Columns the file does not give take the model's defaults.
        """
        from django.db import connection, transaction

        from questions.models import Choice, Question

        start = time.perf_counter()
        given = ["exam_id", "domain_id", "objective_id", "external_id", "text"]
        other = [
            f
            for f in Question._meta.concrete_fields
            if f.attname not in given and not f.primary_key
        ]
        now = time_now()
        defaults = [
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_db_prep_save(f.get_default(), connection)
            for f in other
        ]  # fmt: skip
        columns = ", ".join([*given, *(f.column for f in other)])
        given_c = ["question_id", "letter", "text", "explanation", "is_correct"]
        other_c = [
            f
            for f in Choice._meta.concrete_fields
            if f.attname not in given_c and not f.primary_key
        ]
        defaults_c = [f.get_db_prep_save(f.get_default(), connection) for f in other_c]
        columns_c = ", ".join([*given_c, *(f.column for f in other_c)])
        marks_c = ", ".join(["%s"] * len(defaults_c))
        changed_q = "questions_question.text <> excluded.text OR "
        changed_q += "questions_question.objective_id <> excluded.objective_id"
        set_q = "text = excluded.text, objective_id = excluded.objective_id, "
        set_q += "domain_id = excluded.domain_id, updated_at = excluded.updated_at"
        changed_c = "questions_choice.text <> excluded.text OR "
        changed_c += "questions_choice.explanation <> excluded.explanation OR "
        changed_c += "questions_choice.is_correct <> excluded.is_correct"
        set_c = "text = excluded.text, explanation = excluded.explanation, "
        set_c += "is_correct = excluded.is_correct"
        marks = ", ".join(["%s"] * len(defaults))
        rows = list(self.rows(path))
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                raw.execute(
                    "CREATE TEMP TABLE q_in (exam_id int, domain_id int, objective_id int, "
                    "external_id text, text text) ON COMMIT DROP"
                )
                with raw.copy("COPY q_in FROM STDIN") as copy:
                    for q, _ in rows:
                        copy.write_row([q[name] for name in given])
                raw.execute(
                    "CREATE TEMP TABLE c_in (external_id text, letter text, text text, "
                    "explanation text, is_correct bool) ON COMMIT DROP"
                )
                with raw.copy("COPY c_in FROM STDIN") as copy:
                    for q, options in rows:
                        for option in options:
                            copy.write_row([q["external_id"], *option])
                cursor.execute(
                    f"INSERT INTO questions_question ({columns}) "  # noqa: S608
                    f"SELECT {', '.join(given)}, {marks} FROM q_in "
                    f"ON CONFLICT (exam_id, external_id) DO UPDATE SET {set_q} WHERE {changed_q}",
                    defaults,
                )
                cursor.execute(
                    f"INSERT INTO questions_choice ({columns_c}) "  # noqa: S608
                    "SELECT q.id, c.letter, c.text, c.explanation, c.is_correct, "
                    f"{marks_c} FROM c_in c JOIN questions_question q ON q.exam_id = %s "
                    "AND q.external_id = c.external_id "
                    f"ON CONFLICT (question_id, letter) DO UPDATE SET {set_c} WHERE {changed_c}",
                    [*defaults_c, self.exam.pk],
                )
            else:
                cursor.executemany(
                    f"INSERT INTO questions_question ({columns}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * (len(given) + len(defaults)))}) "
                    f"ON CONFLICT (exam_id, external_id) DO UPDATE SET {set_q} WHERE {changed_q}",
                    [[q[name] for name in given] + defaults for q, _ in rows],
                )
                cursor.execute(
                    "SELECT external_id, id FROM questions_question WHERE exam_id = %s",
                    [self.exam.pk],
                )
                ids = dict(cursor.fetchall())
                cursor.executemany(
                    f"INSERT INTO questions_choice ({columns_c}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * (len(given_c) + len(defaults_c)))}) "
                    f"ON CONFLICT (question_id, letter) DO UPDATE SET {set_c} WHERE {changed_c}",
                    [
                        (ids[q["external_id"]], *option, *defaults_c)
                        for q, options in rows
                        for option in options
                    ],
                )
        return time.perf_counter() - start


def time_now():
    from django.utils import timezone

    return timezone.now()


def bench_questions_delete() -> None:
    """The bench exam's questions and every row that points at them, without the ORM's
    cascade (which would read them all first)."""
    from questions.models import Question

    for relation in ("choices", "revisions", "reports", "item_stats"):
        if hasattr(Question, relation):
            model = getattr(Question, relation).rel.related_model
            model.objects.filter(question__exam__slug=BENCH_EXAM)._raw_delete(using="default")
    Question.objects.filter(exam__slug=BENCH_EXAM)._raw_delete(using="default")


def baseline_compare(bank: Path, rows: int, temp: Path) -> list[tuple]:
    """Importer and raw, pair by pair from the same state: first import, same file, 1% edited."""
    some = temp / "some-edited.csv"
    generate(some, rows, edited=True, every=100)
    bench_questions_delete()
    importer_first, _ = timed_import(bank)  # also creates the objectives the raw rows need
    raw = Raw()
    bench_questions_delete()
    raw_first = raw.first_import(bank)
    importer_same, _ = timed_import(bank)
    raw_same = raw.upsert(bank)
    raw_some = raw.upsert(some)
    raw.upsert(bank)  # back to the original texts
    importer_some, _ = timed_import(some)
    return [
        ("first import", importer_first, raw_first),
        ("same file again", importer_same, raw_same),
        ("1% edited", importer_some, raw_some),
    ]


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
    parser.add_argument(
        "--baseline", action="store_true", help="also time the raw writes, side by side"
    )
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
        plain = [] if args.baseline else [("create", bank), ("unchanged", bank), ("update", edited)]
        for label, path in plain:
            seconds, summary = timed_import(path)
            results.append((label, seconds))
            print(f"{label:>9}: {seconds:6.1f} s  {args.rows / seconds:8.0f} rows/s  | {summary}")
        if args.baseline:
            aims = {"first import": 2.0 if connection.vendor == "sqlite" else 2.5}
            print("| import | importer s | raw s | importer ÷ raw | aim |")
            print("| --- | ---: | ---: | ---: | --- |")
            for label, importer, raw in baseline_compare(bank, args.rows, temp):
                aim = aims.get(label, 2.5)
                ratio = importer / raw
                verdict = "met" if ratio <= aim else "MISSED"
                print(f"| {label} | {importer:.1f} | {raw:.1f} | {ratio:.2f} | ≤ {aim} {verdict} |")
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
