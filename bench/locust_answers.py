"""The answer POST against the bench's floor write, at 50 learners, with Locust (headless).

    make bench-install                 # Locust, from requirements-bench.txt (bench only)
    .venv/bin/python bench/locust_answers.py [--users 50] [--seconds 20]

On a fresh PostgreSQL database (``--database-url``, default the load bench's, dropped and
created) with the sample bank: signs every learner in (a session made in-process, no login
requests), starts a practice attempt of 200 questions for each, and writes the plan (session,
CSRF token, attempt, the choices to send per question). Then, against one gunicorn
(``bench.settings_bench``: the real app plus the floor URLs of ``bench/floor.py``):

1. ``AnswerLearner`` for ``--seconds``: each learner posts its answers one after another, as
   htmx does; every 2xx goes into the ledger;
2. ``FloorLearner`` for as long: the least a safe answer write can cost (session, user, a
   locked update of the item, commit).

Then checks the database against the ledger: every answer that got a 2xx is stored exactly
once with the choices sent, no other item is answered, the profiles' answer counts and the
XP ledger grew by exactly the answers sent, no request got a 5xx. Prints both throughputs and
their ratio (the aim of issue 13: the answer at least half the floor write's), and where the
machine's CPU went in each phase, per request: the gunicorn server (its workers, restarted
ones included), PostgreSQL (every server process) and Locust. On two shared cores a phase
whose three shares add up to about two cores' worth of time per request is CPU-bound; one
well below it waits on something else (the floor write waits on its commits).
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import load

ROOT = Path(__file__).resolve().parent.parent


def plan_make(users: int, questions: int) -> dict:
    from django.db.models import Count, Q
    from django.test import Client

    from accounts.models import User
    from exams import services
    from exams.models import AttemptItem
    from questions.models import Exam

    exam = Exam.objects.get(slug=load.EXAM_SLUG)
    rng = random.Random(13)
    learners = []
    for user in User.objects.filter(email__in=[load.learner_email(i) for i in range(users)]):
        client = Client()
        client.force_login(user)
        attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=questions)
        items = AttemptItem.objects.filter(attempt=attempt)
        if hasattr(AttemptItem.question.field.related_model, "kind"):
            items = items.filter(question__kind="choice")  # a PBQ's answer is not choices
        items = (
            items.annotate(
                n=Count("question__choices", filter=Q(question__choices__is_correct=True))
            )
            .order_by("position")
            .values_list("position", "choice_order", "n")
        )
        learners.append(
            {
                "session": client.cookies["sessionid"].value,
                "csrf": "".join(
                    rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32)
                ),
                "attempt": attempt.pk,
                "items": [[p, rng.sample(order, max(1, n))] for p, order, n in items],
            }
        )
    return {"learners": learners}


TICKS = os.sysconf("SC_CLK_TCK")


def _process_seconds(pid: int, *, reaped: bool) -> float:
    """CPU seconds of process ``pid`` (and, with ``reaped``, of its children that have ended:
    a gunicorn master's restarted workers, PostgreSQL's closed backends); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / TICKS


def cpu_seconds(server_pids: list[int]) -> dict:
    """CPU seconds so far of the gunicorn servers (master and live workers), of PostgreSQL
    (its postmaster with the backends it has reaped, and the live ones) and of this script's
    ended children (Locust)."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")[0]
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            processes[int(entry.name)] = (parent, command)
    postgres = {
        pid
        for pid, (_, command) in processes.items()
        if command.rsplit(b"/", 1)[-1] == b"postgres" or command.startswith(b"postgres:")
    }
    gunicorn = sum(
        _process_seconds(pid, reaped=pid in server_pids)
        for pid, (parent, _) in processes.items()
        if pid in server_pids or parent in server_pids
    )
    database = sum(
        _process_seconds(pid, reaped=processes[pid][0] not in postgres) for pid in postgres
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "gunicorn": gunicorn,
        "postgres": database,
        "locust": children.ru_utime + children.ru_stime,
    }


def locust_run(user_class, *, users, seconds, host, plan, ledger, prefix) -> dict:
    env = dict(os.environ, BILLINGS_LOCUST_PLAN=str(plan), BILLINGS_LOCUST_LEDGER=str(ledger))
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--only-summary", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--host", host, "--csv", str(prefix),
        # Users finish the request they are in: no answer stored without its response read.
        "--stop-timeout", "60",
        "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rate": float(total["Requests/s"]),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
    }


def ledger_check(ledger: list, attempts: list[int], before: dict) -> dict:
    """Every answer that got a 2xx stored exactly once, with the choices sent."""
    from django.db.models import Count

    from exams.models import AttemptItem
    from gamification.models import XPEntry

    items = AttemptItem.objects.filter(attempt_id__in=attempts)
    stored = {
        (a, p): sorted(selected)
        for a, p, selected in items.filter(answered_at__isnull=False).values_list(
            "attempt_id", "position", "selected"
        )
    }
    sent = {(a, p): choices for a, p, choices in ledger}
    duplicates = items.values("attempt_id", "position").annotate(n=Count("id")).filter(n__gt=1)
    after = load.profile_totals([load.learner_email(i) for i in range(before["users"])])
    xp_answers = XPEntry.objects.filter(reason="answers").count()
    result = {
        "answers_2xx": len(ledger),
        "sent_once": len(sent) == len(ledger),
        "stored": len(stored),
        "missing": sum(1 for key in sent if key not in stored),
        "mismatched": sum(1 for key in sent if key in stored and stored[key] != sent[key]),
        "unexpected": sum(1 for key in stored if key not in sent),
        "duplicates": duplicates.count(),
        "answered_delta": after["answered"] - before["answered"],
        "xp_entries_delta": xp_answers - before["xp_answers"],
    }
    result["ok"] = (
        result["sent_once"]
        and result["answers_2xx"] == result["stored"] == result["answered_delta"]
        and result["answers_2xx"] == result["xp_entries_delta"]
        and result["missing"] == result["mismatched"] == result["unexpected"] == 0
        and result["duplicates"] == 0
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=load.DEFAULT_DATABASE_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--port", type=int, default=8811)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    env = load.django_env(args.database_url, real_hasher=False)
    load.django_setup(env)
    load.database_prepare(args.database_url, env, learners=args.users, log=print)
    from gamification.models import XPEntry

    servers = []
    with tempfile.TemporaryDirectory(prefix="billings-locust-") as folder:
        temp = Path(folder)
        plan = temp / "plan.json"
        plan.write_text(json.dumps(plan_make(args.users, args.questions)))
        attempts = [learner["attempt"] for learner in json.loads(plan.read_text())["learners"]]
        before = load.profile_totals([load.learner_email(i) for i in range(args.users)])
        before |= {
            "users": args.users,
            "xp_answers": XPEntry.objects.filter(reason="answers").count(),
        }
        try:
            servers = load.servers_start(
                [args.port], workers=args.workers, threads=args.threads, env=env
            )
            host = f"http://127.0.0.1:{args.port}"
            results = {}
            server_pids = [process.pid for process, _, _ in servers]
            for name, user_class in (("answer", "AnswerLearner"), ("floor write", "FloorLearner")):
                ledger = temp / f"ledger-{user_class}.json"
                cpu_before = cpu_seconds(server_pids)
                results[name] = locust_run(
                    user_class,
                    users=args.users,
                    seconds=args.seconds,
                    host=host,
                    plan=plan,
                    ledger=ledger,
                    prefix=temp / user_class,
                )
                cpu_after = cpu_seconds(server_pids)
                results[name]["cpu_ms"] = {
                    group: (cpu_after[group] - cpu_before[group]) * 1000 / results[name]["requests"]
                    for group in cpu_before
                }
                if name == "answer":
                    check = ledger_check(json.loads(ledger.read_text()), attempts, before)
            problems = load.server_log_problems(servers)
        finally:
            load.servers_stop(servers)
    load_average = os.getloadavg()[0]
    ratio = results["answer"]["rate"] / results["floor write"]["rate"]
    server = f"gunicorn {args.workers}×{args.threads}"
    print(f"# {args.users} learners, {args.seconds} s each, {server}, PostgreSQL; "
          f"load average {load_average:.1f}")  # fmt: skip
    print("| endpoint | requests | failures | per second | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        print(f"| {name} | {r['requests']} | {r['failures']} | {r['rate']:.1f} | "
              f"{r['median_ms']:.0f} | {r['p95_ms']:.0f} |")  # fmt: skip
    print("| endpoint | CPU ms per request: gunicorn | PostgreSQL | Locust | all |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        cpu = r["cpu_ms"]
        print(f"| {name} | {cpu['gunicorn']:.1f} | {cpu['postgres']:.1f} | {cpu['locust']:.1f} | "
              f"{sum(cpu.values()):.1f} |")  # fmt: skip
    print(f"answer ÷ floor write: {ratio:.2f} (aim ≥ 0.5: {'met' if ratio >= 0.5 else 'MISSED'})")
    print(f"ledger check: {json.dumps(check)}")
    print(f"server logs: {dict(problems)}")
    return 0 if check["ok"] and not problems["tracebacks"] else 1


if __name__ == "__main__":
    sys.exit(main())
