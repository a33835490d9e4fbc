"""Constant cost at scale: every learner and staff page on a small and a large database.

    python bench/scale.py                              # a temporary SQLite file
    createdb -h 127.0.0.1 -U postgres billings_bench_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_scale \\
        python bench/scale.py                          # PostgreSQL (emptied first)
    python bench/scale.py --size 0.01 --repeat 3       # a quick look (the suite runs 0.0005)

One run, one process, Django's test client (no HTTP server), two databases: the **small** one
(the sample bank and a fresh learner) and the **large** one, a copy of the small one with the
large data loaded on top, where pages are those of the learner with the longest history. The
two are timed in turn, page by page and round by round (``measure``), so a shared machine
that slows down during the run slows both alike (the copy is ``<name>_large`` on PostgreSQL).
``--size 1`` is the database of issue 13: 100,000 questions and 400,000 choices in one exam,
10,000 learners with 200,000 answered items, one learner with 500 finished attempts (27,000
answers), a year of daily activity and 300 bookmarks; every question has an item analysis row
(facility, discrimination). Rows are written in bulk (``COPY`` on PostgreSQL, ``executemany``
on SQLite), each filled from the model's own field defaults, so new fields need no change here.

Per page and database: SQL queries (``CaptureQueriesContext``) and the median server time of
``--repeat`` requests after one warm-up, then large ÷ small. Aims: ratio ≤ 1.5 with the same
queries, and the admin question list under 100 ms on the large bank. ``--json`` writes the
figures. For safety a DATABASE_URL must name a database whose name contains "bench".
"""

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchdb import ROOT, WORDS, django_bench_setup


def postgres_recreate(url: str, *, template: str = "") -> None:
    """Start from an empty database (the name was checked to contain "bench"), or from a copy
    of ``template``."""
    import psycopg

    base, name = url.rstrip("/").rsplit("/", 1)
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"{copy}')


def database_copy(url: str, suffix: str = "_large"):
    """A copy of the database Django uses, made its own connection; returns that connection.

    The large database is loaded on this copy of the small one (same rows, same ids), so both
    stay and each page can be timed on the small and the large one in turn. PostgreSQL clones
    the database (``CREATE DATABASE ... TEMPLATE``); SQLite copies its file.
    """
    import shutil

    from django.db import connections

    small = connections["default"]
    settings_dict = dict(small.settings_dict)
    small.close()  # a template database must have no connection; SQLite's WAL is folded in
    name = str(settings_dict["NAME"])
    if small.vendor == "postgresql":
        postgres_recreate(url.rstrip("/") + suffix, template=name)
        settings_dict["NAME"] = f"{name}{suffix}"
    else:
        path = Path(name)
        copy = path.with_name(f"{path.stem}{suffix}{path.suffix}")
        shutil.copyfile(path, copy)
        settings_dict["NAME"] = str(copy)
    return type(small)(settings_dict, alias="default")


# Bulk rows -----------------------------------------------------------------------------------


class Bulk:
    """Writes rows of a model fast, filling every column the row leaves out from the model's
    field defaults (so a new field with a default needs no change to this script)."""

    def __init__(self, connection):
        self.connection = connection
        self.now = None

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def insert(self, model, rows) -> int:
        """Insert ``rows`` (dicts keyed by field attname, including ``id``); returns the count."""
        from django.utils import timezone

        now = self.now or timezone.now()
        fields = list(model._meta.concrete_fields)
        columns = [f.column for f in fields]
        table = model._meta.db_table
        postgres = self.connection.vendor == "postgresql"
        batch, total = [], 0

        def value(field, row):
            if field.attname in row:
                raw = row[field.attname]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                raw = now
            else:
                raw = field.get_default()  # "" for a blank text field, None when nullable
            if field.get_internal_type() == "JSONField":
                return json.dumps(raw)
            if postgres:
                return raw
            return field.get_db_prep_save(raw, self.connection)

        def flush():
            if not batch:
                return
            with self.connection.cursor() as cursor:
                if postgres:
                    names = ", ".join(f'"{c}"' for c in columns)
                    raw_cursor = cursor.cursor
                    with raw_cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join("%s" for _ in columns)
                    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
                    cursor.executemany(sql, batch)
            batch.clear()

        for row in rows:
            batch.append([value(f, row) for f in fields])
            total += 1
            if len(batch) >= 20_000:
                flush()
        flush()
        if postgres:
            with self.connection.cursor() as cursor:
                sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                sql = f'SELECT setval({sequence}, (SELECT MAX(id) FROM "{table}"))'  # noqa: S608
                cursor.execute(sql)
        return total


# The two databases ----------------------------------------------------------------------------


def item_stats_load(*, bulk, questions, now, seed: int = 17) -> int:
    """One current item analysis row per question (practice), as ``manage.py item_analysis``
    stores them: spread figures, about one question in eight flagged. ``questions`` yields
    (id, exam id, question id) triples. Returns the count."""
    from questions.models import ItemStat

    rng = random.Random(seed)
    first = bulk.next_id(ItemStat)
    keys = _has(ItemStat, "exam_id") and _has(ItemStat, "external_id")

    def rows():
        for n, (question_id, exam_id, external_id) in enumerate(questions):
            facility = rng.random()
            discrimination = rng.uniform(-0.2, 0.6)
            flags = []
            if facility > 0.95 or facility < 0.2:
                flags.append(f"facility {facility:.2f}")
            if discrimination < 0.1:
                flags.append(f"discrimination {discrimination:.2f}")
            yield {
                "id": first + n,
                "question_id": question_id,
                "revision_number": 1,
                "mode": "practice",
                "responses": rng.randint(30, 400),
                "facility": facility,
                "discrimination": discrimination,
                "median_seconds": rng.uniform(20, 90),
                "option_shares": {"A": round(facility, 2)},
                "flags": flags,
                "flagged": bool(flags),
                "is_current": True,
                "computed_at": now,
                **({"exam_id": exam_id, "external_id": external_id} if keys else {}),
            }

    return bulk.insert(ItemStat, rows())


def small_build():
    """The sample bank, a fresh learner and a superuser; returns (learner, staff)."""
    from django.core.management import call_command

    from accounts.models import User

    call_command("import_questions", str(ROOT / "questions" / "bank"), stdout=io.StringIO())
    from questions.models import Question

    # One retired question with a difficulty, so no admin filter is empty on the small bank.
    Question.objects.filter(external_id="SEC-0001").update(is_active=False, difficulty=2)
    from django.db import connection
    from django.utils import timezone

    keys = Question.objects.order_by("id").values_list("id", "exam_id", "external_id")
    item_stats_load(bulk=Bulk(connection), questions=list(keys), now=timezone.now())
    learner = User.objects.create_user("fresh@example.com", "x" * 16)
    # On the leaderboard like the learner measured on the large database: the same page path.
    learner.profile.leaderboard_opt_in = True
    learner.profile.save(update_fields=["leaderboard_opt_in"])
    staff = User.objects.create_superuser("staff@example.com", "x" * 16)
    _analyze()
    return learner, staff


def _analyze():
    """What autovacuum does after a bulk load, so neither phase runs on stale statistics."""
    from django.db import connection

    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def large_build(*, size: float, seed: int = 13):
    """Load the large database on top of the small one; returns the learner with history."""
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Profile, User
    from exams.models import Attempt, AttemptItem, Bookmark
    from gamification.models import DailyActivity, XPEntry
    from questions.models import Choice, Exam, Objective, Question

    rng = random.Random(seed)
    bulk = Bulk(connection)
    now = timezone.now()
    bulk.now = now
    n_questions = max(200, int(100_000 * size))
    n_learners = max(5, int(10_000 * size))
    items_per_learner = 20
    heavy_practice, heavy_practice_len = max(4, int(450 * size)), 50
    heavy_simulations, simulation_len = max(1, int(50 * size)), 90
    n_bookmarks = max(3, int(300 * size))
    exam = Exam.objects.get(slug="security")
    objectives = list(Objective.objects.filter(domain__exam=exam).values_list("id", "domain_id"))

    with transaction.atomic():
        first_q = bulk.next_id(Question)
        first_c = bulk.next_id(Choice)

        def external_id(n):
            return f"SCALE-{n:06d}"

        def questions():
            for n in range(n_questions):
                objective_id, domain_id = objectives[n % len(objectives)]
                sentence = " ".join(rng.choice(WORDS) for _ in range(16))
                yield {
                    "id": first_q + n,
                    "exam_id": exam.pk,
                    "domain_id": domain_id,
                    "objective_id": objective_id,
                    "external_id": external_id(n),
                    "text": f"Scale question {n}: which {sentence}?",
                    "is_active": n % 50 != 0,
                    "difficulty": (None, 1, 2, 3)[n % 4],
                    "random_key": rng.random(),
                    **(
                        {"correct_count": 2 if n % 10 == 0 else 1}
                        if _has(Question, "correct_count")
                        else {}
                    ),
                }

        bulk.insert(Question, questions())

        def choices():
            for n in range(n_questions):
                for k, letter in enumerate("ABCD"):
                    yield {
                        "id": first_c + 4 * n + k,
                        "question_id": first_q + n,
                        "letter": letter,
                        "text": f"Option {letter} {WORDS[(n + k) % len(WORDS)]}",
                        "explanation": "Because of the objective.",
                        "is_correct": k == 0 or (k == 1 and n % 10 == 0),
                    }

        bulk.insert(Choice, choices())
        item_stats_load(
            bulk=bulk,
            questions=((first_q + n, exam.pk, external_id(n)) for n in range(n_questions)),
            now=now,
            seed=seed,
        )

        def choice_ids(q_index):
            return [first_c + 4 * q_index + k for k in range(4)]

        first_u = bulk.next_id(User)
        bulk.insert(
            User,
            (
                {"id": first_u + n, "email": f"learner{n}@example.com", "password": "!"}
                for n in range(n_learners + 1)
            ),
        )
        heavy_id = first_u + n_learners
        first_p = bulk.next_id(Profile)
        bulk.insert(
            Profile,
            (
                {
                    "id": first_p + n,
                    "user_id": first_u + n,
                    "display_name": f"Learner {n}",
                    "leaderboard_opt_in": n % 3 != 0,
                    "xp_total": 0,
                    "daily_goal": 10_000 if first_u + n == heavy_id else 10,
                }
                for n in range(n_learners + 1)
            ),
        )

        # Finished attempts: every learner one practice set; the heavy learner many.
        attempt_rows, item_rows = [], []
        first_a, first_i = bulk.next_id(Attempt), bulk.next_id(AttemptItem)
        a_id, i_id = first_a, first_i
        q_cursor = 0

        def attempt_add(user_id, mode, length, submitted):
            nonlocal a_id, i_id, q_cursor
            correct = 0
            started = submitted - timedelta(minutes=length)
            for position in range(1, length + 1):
                q_index = (q_cursor + position) % n_questions
                ok = rng.random() < 0.7
                correct += ok
                ids = choice_ids(q_index)
                item_rows.append(
                    {
                        "id": i_id,
                        "attempt_id": a_id,
                        "position": position,
                        "question_id": first_q + q_index,
                        "choice_order": ids,
                        "selected": [ids[0] if ok else ids[2]],
                        "answered_at": started + timedelta(seconds=30 * position),
                        "is_correct": ok,
                    }
                )
                i_id += 1
            q_cursor = (q_cursor + length) % n_questions
            row = {
                "id": a_id,
                "user_id": user_id,
                "exam_id": exam.pk,
                "mode": mode,
                "status": "submitted",
                "scope": {},
                "question_count": length,
                "started_at": started,
                "submitted_at": submitted,
                "correct_count": correct,
                "current_position": length,
            }
            if mode == "simulation":
                row["deadline"] = started + timedelta(minutes=90)
                row["time_limit_minutes"] = 90
                row["scaled_score"] = 100 + (800 * correct + length // 2) // length
                row["passed"] = row["scaled_score"] >= exam.pass_mark
            attempt_rows.append(row)
            a_id += 1

        for n in range(n_learners):
            attempt_add(first_u + n, "practice", items_per_learner, now - timedelta(days=n % 6))
        heavy_total = heavy_practice + heavy_simulations
        every = heavy_total // heavy_simulations
        for k in range(heavy_total):
            at = now - timedelta(days=365) + timedelta(days=365 * (k + 1) / (heavy_total + 1))
            if k % every == 0 and k // every < heavy_simulations:
                attempt_add(heavy_id, "simulation", simulation_len, at)
            else:
                attempt_add(heavy_id, "practice", heavy_practice_len, at)
        bulk.insert(Attempt, attempt_rows)
        bulk.insert(AttemptItem, item_rows)

        # A year of daily activity, the XP ledger that goes with it, bookmarks.
        first_d, first_x = bulk.next_id(DailyActivity), bulk.next_id(XPEntry)
        today = now.date()
        bulk.insert(
            DailyActivity,
            (
                {
                    "id": first_d + d,
                    "user_id": heavy_id,
                    "day": today - timedelta(days=d),
                    "answered": 75,
                    "correct": 50,
                    "xp": 175,
                }
                for d in range(1, 366)
            ),
        )
        xp_rows = [
            {
                "id": first_x + n,
                "user_id": first_u + n,
                "amount": 20 + n % 50,
                "reason": "answers",
                "created_at": now - timedelta(days=n % 6, hours=1),
            }
            for n in range(n_learners)
        ]
        xp_rows += [
            {
                "id": first_x + n_learners + d,
                "user_id": heavy_id,
                "amount": 175,
                "reason": "answers",
                "created_at": now - timedelta(days=d),
            }
            for d in range(1, 366)
        ]
        bulk.insert(XPEntry, xp_rows)
        first_b = bulk.next_id(Bookmark)
        bulk.insert(
            Bookmark,
            (
                {"id": first_b + n, "user_id": heavy_id, "question_id": first_q + 7 * n}
                for n in range(n_bookmarks)
            ),
        )
        xp = dict(_xp_totals())
        Profile.objects.filter(user_id=heavy_id).update(
            xp_total=xp.get(heavy_id, 0),
            total_exams_taken=heavy_total,
            total_questions_answered=len(item_rows) - n_learners * items_per_learner,
            current_streak=365,
            longest_streak=365,
            last_activity_date=today - timedelta(days=1),
        )
        _maintained_refresh()
    _analyze()
    counts = Attempt.objects.filter(user_id=heavy_id).aggregate(n=Count("id"))
    assert counts["n"] == heavy_total
    return User.objects.get(pk=heavy_id)


def _has(model, name) -> bool:
    return any(f.attname == name for f in model._meta.concrete_fields)


def _xp_totals():
    from django.db.models import Sum

    from gamification.models import XPEntry

    return XPEntry.objects.values("user_id").annotate(t=Sum("amount")).values_list("user_id", "t")


def _maintained_refresh():
    """Recompute whatever the app maintains from rows this script wrote directly."""
    from django.core.management import call_command, get_commands
    from django.utils import timezone

    from exams import services
    from gamification import services as progress

    if "counts_refresh" in get_commands():
        call_command("counts_refresh", verbosity=0)
    if hasattr(services, "domain_tallies_rebuild"):  # readiness and mastery windows
        services.domain_tallies_rebuild()
    if hasattr(progress, "leaderboard_rebuild"):  # weekly XP (triggers keep it; a recount)
        progress.leaderboard_rebuild(now=timezone.now())


# Measuring ------------------------------------------------------------------------------------


def pages(*, exam, staff, learner):
    """(label, who, method, path) for every page of the table: learner pages and staff pages."""
    from questions.models import Domain, Objective, Question

    domain = Domain.objects.filter(exam=exam).order_by("number").first()
    objective = Objective.objects.filter(domain__exam=exam).order_by("id").first()
    admin = "/admin/questions/question/"
    last = (Question.objects.count() + 49) // 50
    return [
        ("home, anonymous", None, "/"),
        ("dashboard (signed-in home)", learner, "/"),
        ("badges", learner, "/progress/badges/"),
        ("finish simulation", learner, "finish"),
        ("catalogue", learner, "/exams/"),
        ("leaderboard", learner, "/progress/leaderboard/"),
        ("admin questions, default", staff, admin),
        ("admin questions, search", staff, f"{admin}?q=firewall"),
        ("admin questions, search by id", staff, f"{admin}?q=SEC-0"),
        ("admin questions, exam filter", staff, f"{admin}?exam__id__exact={exam.pk}"),
        ("admin questions, domain filter", staff, f"{admin}?domain={domain.pk}"),
        ("admin questions, objective filter", staff, f"{admin}?objective={objective.pk}"),
        ("admin questions, retired", staff, f"{admin}?is_active__exact=0"),
        ("admin questions, choose two", staff, f"{admin}?correct=2"),
        ("admin questions, broken", staff, f"{admin}?correct=0"),
        ("admin questions, difficulty", staff, f"{admin}?difficulty__exact=2"),
        ("admin questions, last page", staff, f"{admin}?p={last}"),
        ("admin questions, by facility", staff, f"{admin}?o=8"),
        ("admin questions, by discrimination", staff, f"{admin}?o=-9"),
        ("admin questions, facility filter", staff, f"{admin}?facility=easy"),
        ("admin questions, discrimination filter", staff, f"{admin}?discrimination=negative"),
        ("admin questions, flagged", staff, f"{admin}?item_analysis=flagged"),
        ("admin item analysis page", staff, f"/admin/questions/exam/{exam.pk}/item-analysis/"),
        # a page number past the end shows the last page
        (
            "admin item analysis, last page",
            staff,
            f"/admin/questions/exam/{exam.pk}/item-analysis/?page=99999",
        ),
    ]


def simulation_ready(*, user, exam):
    """An open simulation of ``user`` with every item answered (not timed)."""
    from django.db.models import OuterRef, Subquery

    from exams.models import Attempt, AttemptItem
    from exams.services import attempt_start
    from questions.models import Choice

    Attempt.objects.filter(user=user, mode="simulation", status="in_progress").update(
        status="abandoned"
    )
    attempt = attempt_start(user=user, exam=exam, mode="simulation")
    first_choice = Choice.objects.filter(question_id=OuterRef("question_id")).order_by("letter")
    items = AttemptItem.objects.filter(attempt=attempt)
    for item in items.annotate(c=Subquery(first_choice.values("id")[:1])):
        item.selected, item.is_correct, item.answered_at = [item.c], True, attempt.started_at
        item.save(update_fields=["selected", "is_correct", "answered_at"])
    return attempt


def measure(*, phases: dict, repeat: int) -> dict:
    """Each page of each phase ("small", "large": (connection, client_for, exam, staff,
    learner)) requested ``repeat`` + 1 times, the first a warm-up; in each round every page is
    requested on the small database and then on the large one (the order swapped every other
    round), so a machine that slows down part way slows both alike. Returns, per phase and
    page, the queries and the median server time in ms."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    listed = {}
    for phase, (conn, _client_for, exam, staff, learner) in phases.items():
        connections["default"] = conn
        listed[phase] = pages(exam=exam, staff=staff, learner=learner)
    labels = [label for label, _who, _path in listed["small"]]
    times = {(phase, label): [] for phase in phases for label in labels}
    queries = {}
    for run in range(repeat + 1):
        order = list(phases) if run % 2 else list(phases)[::-1]
        for index, label in enumerate(labels):
            for phase in order:
                conn, client_for, exam, _staff, _learner = phases[phase]
                connections["default"] = conn
                _label, who, path = listed[phase][index]
                client = client_for(who)
                if path == "finish":
                    attempt = simulation_ready(user=who, exam=exam)
                    target, method = f"/exams/attempts/{attempt.pk}/finish/", client.post
                    expected = (302,)
                else:
                    target, method, expected = path, client.get, (200,)
                # The log keeps 9,000 queries: once full, a capture would count none.
                conn.queries_log.clear()
                with CaptureQueriesContext(conn) as captured:
                    start = time.perf_counter()
                    response = method(target)
                    elapsed = time.perf_counter() - start
                if response.status_code not in expected:
                    raise SystemExit(f"{phase} {label}: {target} answered {response.status_code}")
                if run:  # the first request warms caches and connections
                    times[phase, label].append(elapsed * 1000)
                    queries[phase, label] = len(captured)
    return {
        phase: {
            label: {"queries": queries[phase, label], "ms": statistics.median(times[phase, label])}
            for label in labels
        }
        for phase in phases
    }


def client_maker():
    from django.test import Client

    clients = {}

    def client_for(user):
        key = user.pk if user else None
        if key not in clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            clients[key] = client
        return clients[key]

    return client_for


def table(small: dict, large: dict) -> list[str]:
    lines = [
        "| request | queries small | queries large | small ms | large ms | large/small | aim |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, s in small.items():
        big = large[label]
        ratio = big["ms"] / s["ms"] if s["ms"] else float("inf")
        aim = ratio <= 1.5 and big["queries"] == s["queries"]
        if label.startswith("admin"):
            aim = aim and big["ms"] < 100
        lines.append(
            f"| {label} | {s['queries']} | {big['queries']} | {s['ms']:.1f} | {big['ms']:.1f} "
            f"| {ratio:.2f} | {'met' if aim else 'MISSED'} |"
        )
    return lines


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0, help="1 = the issue's large database")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres") and "bench" in url.rsplit("/", 1)[-1]:
            postgres_recreate(url)
        url = django_bench_setup(temp=Path(temp), sqlite_name="scale.sqlite3")
        from django.conf import settings
        from django.db import connection, connections

        from questions.models import Exam

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        learner, staff = small_build()
        small_conn = connections["default"]
        large_conn = database_copy(url)
        connections["default"] = large_conn
        started = time.perf_counter()
        heavy = large_build(size=args.size)
        load_s = time.perf_counter() - started
        exam = Exam.objects.get(slug="security")  # the same row in both databases
        phases = {
            "small": (small_conn, client_maker(), exam, staff, learner),
            "large": (large_conn, client_maker(), exam, staff, heavy),
        }
        figures = measure(phases=phases, repeat=args.repeat)
        small, large = figures["small"], figures["large"]
        vendor = connection.vendor
        cores = os.cpu_count()
        load = os.getloadavg()[0]
        for conn in (small_conn, large_conn):
            conn.close()
        connections["default"] = small_conn
    print(
        f"# {vendor}, size {args.size}, {args.repeat} timed requests per page on each "
        f"database, in turn; large database loaded in {load_s:.1f} s; Python "
        f"{platform.python_version()}, {cores} CPUs, load average {load:.1f} at the end"
    )
    print("\n".join(table(small, large)))
    result = {"vendor": vendor, "size": args.size, "load_s": load_s, "small": small, "large": large}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
