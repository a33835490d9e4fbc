"""Fault drill: PostgreSQL stops while Billings is serving, then comes back.

CI cannot stop the shared PostgreSQL server that its own tests use, so this drill makes a
throwaway cluster on another port (Debian's pg_createcluster, run as root), serves Billings from
gunicorn against it, and checks:

1. with the database up, /healthz and pages answer 200;
2. with the database stopped, /healthz answers 503 JSON and pages a friendly 503 page with no
   traceback;
3. after the database restarts, the same server recovers by itself (no restart), and how long
   that took.

Run: .venv/bin/python bench/db_outage.py [--port 5439] [--write docs/BENCHMARKS.md]
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = "billings_outage"
HTTP_PORT = 8791


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def fetch(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def pg_version():
    return sorted(os.listdir("/etc/postgresql"))[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5439)
    parser.add_argument("--write", help="Markdown file to append the result section to")
    args = parser.parse_args()
    version = pg_version()
    sh("pg_dropcluster", "--stop", version, CLUSTER, check=False)
    sh("pg_createcluster", version, CLUSTER, "-p", str(args.port), "--", "--auth=trust")
    sh("pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "start")
    server = None
    lines = []
    try:
        sh("createdb", "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "billings")
        env = dict(
            os.environ,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{args.port}/billings",
            DJANGO_DEBUG="false",
            DJANGO_DB_CONNECT_TIMEOUT="2",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "billings.wsgi:application",
                "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{HTTP_PORT}", "--workers", "2",
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            try:
                if fetch("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)

        def check(label, path, want_status, want_text):
            status, body = fetch(path)
            ok = status == want_status and want_text in body and "Traceback" not in body
            lines.append(f"| {label} | `{path}` | {status} | {'yes' if ok else 'NO'} |")
            return ok

        results = [
            check("database up", "/healthz", 200, '"ok"'),
            check("database up", "/exams/", 200, "Exams"),
        ]
        sh("pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "stop", "-m", "fast")
        results += [
            check("database stopped", "/healthz", 503, '"down"'),
            check("database stopped", "/exams/", 503, "Back in a moment"),
            check("database stopped", "/", 503, "Back in a moment"),
        ]
        sh("pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "start")
        started = time.monotonic()
        recovered = None
        while time.monotonic() - started < 30:
            if fetch("/healthz")[0] == 200:
                recovered = time.monotonic() - started
                break
            time.sleep(0.1)
        results += [
            check("database back", "/healthz", 200, '"ok"'),
            check("database back", "/exams/", 200, "Exams"),
        ]
    finally:
        if server:
            server.terminate()
            server.wait(10)
        sh("pg_dropcluster", "--stop", version, CLUSTER, check=False)

    passed = all(results) and recovered is not None
    section = [
        "## Database outage drill",
        "",
        f"Run on {datetime.date.today()} with `python bench/db_outage.py` "
        f"(Python {platform.python_version()}, PostgreSQL {version}, gunicorn 2 workers, "
        f"{os.cpu_count()} CPUs). A throwaway cluster is stopped while gunicorn serves.",
        "",
        "| phase | path | status | as expected |",
        "| --- | --- | --- | --- |",
        *lines,
        "",
        "Recovered without restarting the app server: "
        + (
            f"yes, first 200 from /healthz {recovered:.2f} s after PostgreSQL was started."
            if recovered is not None
            else "NO."
        ),
        f"Result: {'PASS' if passed else 'FAIL'}.",
        "",
    ]
    text = "\n".join(section)
    print(text)
    if args.write:
        path = Path(args.write)
        existing = path.read_text() if path.exists() else "# Benchmarks\n\n"
        head, marker, rest = existing.partition("## Database outage drill")
        if marker:
            following = rest.find("\n## ")
            rest = rest[following + 1 :] if following != -1 else ""
            existing = head + rest
        path.write_text(existing.rstrip() + "\n\n" + text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
