"""Load bench: simulated learners take practice sets against gunicorn on PostgreSQL.

What it does, in order, for each mode (``single``: one gunicorn; ``pair``: two gunicorn servers
sharing PostgreSQL and Redis, each learner's requests alternating between them):

1. Makes a fresh PostgreSQL database (dropped and created), migrates it, imports the sample bank
   (``manage.py import_questions questions/bank``, or the Security+ CSV through the ORM when
   that command is not there) and creates the learners with ``bulk_create`` (one password hash).
2. Starts gunicorn with the real WSGI app and ``DJANGO_DEBUG=false`` on loopback ports only.
3. At 10, 50 and 100 concurrent learners, each learner logs in, opens the catalogue, starts a
   practice set, answers every question (the question card and the answer go through htmx, as in
   the browser), finishes and opens the results. A stream of ``GET /healthz`` runs alongside.
4. After each level it checks in the database that every answer that got a 2xx is stored, with
   the choice sent, exactly once, that the profile totals grew by exactly what was sent, and that
   no request got a 5xx.
5. After the 50-learner level, a capacity probe: 50 clients call only ``/healthz``, then 50
   learners only post answers, for the same few seconds. The issue's aim is that the answer
   endpoint holds at least half the throughput of ``/healthz``; comparing the mixed run's rates
   would only compare how often each endpoint is called, so the aim is judged on the probe.
6. Counts the SQL queries of each learner request in-process (Django's test client against the
   same database) for a 10- and a 30-question attempt, to explain the figures.

Deliberate choices:

- Servers run ``bench.settings_bench``: ``billings.settings`` unchanged except for an MD5
  password hasher, because production's PBKDF2 costs ~0.5 s of CPU per login by design (the
  bench measures and prints that cost). ``--real-hasher`` runs the unmodified settings.
- Every learner connects from its own loopback address (127.1.x.y), as learners on the internet
  have their own addresses; allauth's per-IP login limit (30/min) then applies per learner as
  in production. Every request targets 127.0.0.1 only.
- Each loop is bounded in count and time (``--level-seconds``, ``--probe-seconds``).

Run: .venv/bin/python bench/load.py [--modes single,pair] [--write docs/BENCHMARKS.md]
"""

import argparse
import collections
import datetime
import http.client
import http.cookies
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/billings_load"
REDIS_URL = "redis://127.0.0.1:6379/1"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
LOG_DIR = Path("/tmp/billings-load")
PASSWORD = "load-bench-password-7"  # noqa: S105 (seeded bench learners only)
EXAM_SLUG = "security"
REQUEST_TIMEOUT = 30
SECTION = "## Load"

ENDPOINTS = [
    "login form", "login", "catalogue", "start", "question page", "answer", "submit page",
    "finish", "results", "healthz",
]  # fmt: skip
EXPECTED_STATUS = {
    "login form": 200, "login": 302, "catalogue": 200, "start": 302, "question page": 200,
    "answer": 200, "submit page": 200, "finish": 302, "results": 200, "healthz": 200,
    "probe start": 302, "floor read": 200, "floor write": 200,
}  # fmt: skip

CSRF_RE = re.compile(
    r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"'
    r'|X-CSRFToken(?:"|&quot;|&#x27;|\')\s*:\s*(?:"|&quot;|&#x27;|\')([A-Za-z0-9]+)'
)
INPUT_RE = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTR_RE = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')


# Environment ---------------------------------------------------------------------------------


def sh(*args, env=None, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True, env=env, cwd=ROOT)


def django_env(database_url, *, real_hasher, cache_url=None):
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SETTINGS_MODULE="billings.settings" if real_hasher else "bench.settings_bench",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def django_setup(env):
    """Configure Django in this process against the bench database (for seeding and checks)."""
    for name in ("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"):
        os.environ[name] = env[name]
    import django

    django.setup()


def database_prepare(database_url, env, *, learners, log):
    """Drop and create the database, migrate, import the bank, create the learners."""
    from django.db import connections

    connections.close_all()
    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    conn += ["-U", parts.username or "postgres"]
    sh("dropdb", *conn, "--if-exists", "--force", name)
    sh("createdb", *conn, name)
    started = time.monotonic()
    sh(sys.executable, "manage.py", "migrate", "--noinput", "-v0", env=env)
    log(f"  migrated in {time.monotonic() - started:.1f} s")
    bank = bank_import(env, log)
    seed_learners(learners)
    return bank


def bank_import(env, log):
    from django.core.management import get_commands

    from questions.models import Question

    how = "manage.py import_questions questions/bank"
    if "import_questions" in get_commands():
        result = sh(sys.executable, "manage.py", "import_questions", "questions/bank", env=env,
                    check=False)  # fmt: skip
        if result.returncode != 0:
            log(f"  import_questions failed ({result.stderr.strip()[-300:]}); using the ORM")
    if not Question.objects.filter(exam__slug=EXAM_SLUG).exists():
        how = "the Security+ sample CSV, loaded through the ORM by the bench"
        bank_load_csv(ROOT / "questions" / "bank" / f"{EXAM_SLUG}.csv")
    count = Question.objects.filter(exam__slug=EXAM_SLUG, is_active=True).count()
    log(f"  bank: {count} active {EXAM_SLUG} questions, from {how}")
    return {"how": how, "questions": count, "total": Question.objects.count()}


def bank_load_csv(path):
    """Fallback while the import command is being written: one exam's CSV via bulk_create."""
    import csv

    from questions.models import LETTERS, Choice, Exam, Objective, Question

    exam = Exam.objects.get(slug=EXAM_SLUG)
    objectives = {o.code: o for o in Objective.objects.filter(domain__exam=exam)}
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    questions = Question.objects.bulk_create(
        Question(
            exam=exam,
            domain_id=objectives[row["domain"]].domain_id,
            objective=objectives[row["domain"]],
            external_id=row["question-id"],
            text=row["question-text"],
        )
        for row in rows
    )
    choices = []
    for question, row in zip(questions, rows, strict=True):
        correct = {c.strip().upper() for c in row["correct answer"].split(",")}
        for letter in LETTERS:
            text = (row.get(f"option-{letter.lower()}") or "").strip()
            if text:
                choices.append(
                    Choice(
                        question=question,
                        letter=letter,
                        text=text,
                        explanation=row.get(f"explanation-{letter.lower()}") or "",
                        is_correct=letter in correct,
                    )
                )
    Choice.objects.bulk_create(choices)


def learner_email(index):
    return f"learner{index:04d}@example.com"


def seed_learners(count):
    """One hashed password shared by all learners; users, profiles and addresses in bulk."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from accounts.models import Profile, User

    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=learner_email(i), password=hashed) for i in range(count)
    )
    Profile.objects.bulk_create(Profile(user=user) for user in users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )


def redis_ready(log):
    try:
        if sh("redis-cli", "-h", "127.0.0.1", "ping", check=False).stdout.strip() == "PONG":
            return True
    except FileNotFoundError:
        return False
    log("  starting redis-server on 127.0.0.1:6379")
    sh(*REDIS_START, check=False)
    for _ in range(50):
        if sh("redis-cli", "-h", "127.0.0.1", "ping", check=False).stdout.strip() == "PONG":
            return True
        time.sleep(0.1)
    return False


# Servers -------------------------------------------------------------------------------------


def servers_start(ports, *, workers, threads, env):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    servers = []
    for port in ports:
        log_path = LOG_DIR / f"gunicorn-{port}.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "billings.wsgi:application",
                    "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                    "--workers", str(workers), "--threads", str(threads),
                ],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        servers.append((process, port, log_path))
    for process, port, log_path in servers:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn on {port} exited; see {log_path}")
            if simple_get(port, "/healthz") == 200:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn on {port} did not answer /healthz; see {log_path}")
        # Warm every worker: imports, URLconf and templates load on first use.
        for _ in range(4 * workers):
            for path in ("/healthz", "/accounts/login/", "/exams/"):
                simple_get(port, path)
    return servers


def servers_stop(servers):
    for process, _port, _log in servers:
        process.terminate()
    for process, _port, _log in servers:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def server_log_problems(servers):
    counts = collections.Counter()
    for _process, _port, log_path in servers:
        text = log_path.read_text(errors="replace")
        counts["tracebacks"] += text.count("Traceback")
        counts["worker timeouts"] += text.count("WORKER TIMEOUT")
        counts["worker restarts"] += text.count("Autorestarting worker")
    return counts


def simple_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


# HTTP client ---------------------------------------------------------------------------------


class Recorder:
    """Latency and status of every request, per endpoint (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = collections.defaultdict(list)  # endpoint -> [(seconds, status)]
        self.reconnects = 0

    def add(self, endpoint, seconds, status):
        with self.lock:
            self.samples[endpoint].append((seconds, status))

    def summary(self, endpoint, wall):
        samples = self.samples.get(endpoint, [])
        latencies = sorted(s for s, _ in samples)
        errors = sum(1 for _, status in samples if status != EXPECTED_STATUS[endpoint])
        return {
            "requests": len(samples),
            "errors": errors,
            "server_errors": sum(1 for _, status in samples if status and status >= 500),
            "no_response": sum(1 for _, status in samples if status is None),
            "rate": len(samples) / wall if wall else 0.0,
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
        }

    def status_counts(self):
        return collections.Counter(
            (endpoint, status) for endpoint, rows in self.samples.items() for _, status in rows
        )


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


class Response:
    def __init__(self, status, headers, text):
        self.status = status
        self.headers = headers
        self.text = text

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 400


class Client:
    """One browser: keep-alive connections, cookies, the page's CSRF token, htmx headers.

    ``ports`` are tried in turn, one request each (round robin, as a proxy without sticky
    sessions would); ``source_ip`` is the learner's own loopback address.
    """

    def __init__(self, ports, recorder, *, source_ip="127.0.0.1", offset=0):
        self.ports = ports
        self.recorder = recorder
        self.source_ip = source_ip
        self.turn = offset
        self.connections = {}
        self.cookies = {}
        self.csrf = None

    def close(self):
        for conn in self.connections.values():
            conn.close()
        self.connections.clear()

    def _connection(self, port):
        conn = self.connections.get(port)
        if conn is None:
            conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=(self.source_ip, 0)
            )
            self.connections[port] = conn
        return conn

    def _drop(self, port):
        conn = self.connections.pop(port, None)
        if conn is not None:
            conn.close()

    def get(self, endpoint, path, *, htmx=False):
        return self.request(endpoint, "GET", path, htmx=htmx)

    def post(self, endpoint, path, form, *, htmx=False):
        form = dict(form)
        token = self.csrf or self.cookies.get("csrftoken")
        if token:
            form.setdefault("csrfmiddlewaretoken", token)
        return self.request(endpoint, "POST", path, form=form, htmx=htmx)

    def request(self, endpoint, method, path, *, form=None, htmx=False):
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = f"http://127.0.0.1:{port}{path}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.csrf or self.cookies.get("csrftoken"):
                headers["X-CSRFToken"] = self.csrf or self.cookies["csrftoken"]
        for attempt in (1, 2):
            conn = self._connection(port)
            reused = conn.sock is not None
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._drop(port)
                if reused and attempt == 1:
                    # The server closed an idle keep-alive connection (e.g. a worker restart
                    # after max_requests) before reading the request: reconnect, as browsers do.
                    with self.recorder.lock:
                        self.recorder.reconnects += 1
                    continue
                self.recorder.add(endpoint, time.perf_counter() - started, None)
                return Response(None, {}, "")
            except (OSError, http.client.HTTPException):
                self._drop(port)
                self.recorder.add(endpoint, time.perf_counter() - started, None)
                return Response(None, {}, "")
            break
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value in ("", '""') or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self._drop(port)
        text = data.decode("utf-8", "replace")
        match = CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1) or match.group(2)
        self.recorder.add(endpoint, elapsed, response.status)
        return Response(response.status, response.headers, text)


CHOOSE_RE = re.compile(r"\bchoose (two|three|four|five|six)\b", re.IGNORECASE)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def choices_wanted(html):
    """How many choices the card asks for ("Choose TWO" and so on), as a learner reads it."""
    match = CHOOSE_RE.search(html)
    return NUMBER_WORDS[match.group(1).lower()] if match else 1


def choice_ids(html):
    """The choice ids of the question card, as the learner's browser would send them."""
    ids = []
    for tag in INPUT_RE.findall(html):
        attrs = dict(ATTR_RE.findall(tag))
        if attrs.get("name") == "choice" and attrs.get("value", "").isdigit():
            ids.append(int(attrs["value"]))
    return ids


# Learners ------------------------------------------------------------------------------------


class Ledger:
    """What the learners did and were told succeeded, to check against the database."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = {}  # (attempt_id, position) -> [choice_id]
        self.answers_2xx = 0
        self.attempts = []
        self.finished = []
        self.completed = 0
        self.incomplete = collections.Counter()

    def answered(self, attempt_id, position, choice_ids):
        with self.lock:
            self.answers_2xx += 1
            self.answers[(attempt_id, position)] = sorted(choice_ids)

    def note(self, *, attempt=None, finished=None, completed=False, stopped=None):
        with self.lock:
            if attempt is not None:
                self.attempts.append(attempt)
            if finished is not None:
                self.finished.append(finished)
            if completed:
                self.completed += 1
            if stopped:
                self.incomplete[stopped] += 1


def urls():
    from django.urls import reverse

    return {
        "login": reverse("account_login"),
        "catalogue": reverse("exams:catalogue"),
        "start": reverse("exams:start", args=[EXAM_SLUG, "practice"]),
        "question": lambda a, p: reverse("exams:question", args=[a, p]),
        "answer": lambda a, p: reverse("exams:answer", args=[a, p]),
        "submit": lambda a: reverse("exams:submit", args=[a]),
        "finish": lambda a: reverse("exams:finish", args=[a]),
        "results": lambda a: reverse("exams:results", args=[a]),
    }


def start_form(length):
    if str(length) in ("10", "20", "30"):
        return {"length": str(length)}
    return {"length": "custom", "custom_length": str(length)}


def attempt_id_from(response):
    match = re.search(r"/attempts/(\d+)/", response.headers.get("Location", "") or "")
    return int(match.group(1)) if match else None


def learner_log_in(client, email, u):
    if not client.get("login form", u["login"]).ok:
        return False
    response = client.post("login", u["login"], {"login": email, "password": PASSWORD})
    return response.status == 302


def learner_run(client, email, *, length, deadline, ledger, u):
    """Log in, start a practice set, answer every question, finish, open the results."""
    if not learner_log_in(client, email, u):
        return ledger.note(stopped="login")
    if not client.get("catalogue", u["catalogue"]).ok:
        return ledger.note(stopped="catalogue")
    response = client.post("start", u["start"], start_form(length))
    attempt_id = attempt_id_from(response) if response.status == 302 else None
    if attempt_id is None:
        return ledger.note(stopped="start")
    ledger.note(attempt=attempt_id)
    position = 1
    while True:
        if time.monotonic() > deadline:
            return ledger.note(stopped="time")
        # The first card arrives as a full page (the redirect after starting); later cards
        # are swapped in by htmx, as the browser does.
        page = client.get("question page", u["question"](attempt_id, position), htmx=position > 1)
        choices = choice_ids(page.text) if page.status == 200 else []
        if not choices:
            return ledger.note(stopped="question page")
        chosen = random.sample(choices, min(choices_wanted(page.text), len(choices)))
        answer = client.post("answer", u["answer"](attempt_id, position), {"choice": chosen},
                             htmx=True)  # fmt: skip
        if answer.status is not None and 200 <= answer.status < 300:
            ledger.answered(attempt_id, position, chosen)
        else:
            return ledger.note(stopped="answer")
        if position >= length:
            break
        position += 1
    # "Finish" on the last card opens the submit step, whose form posts the finish.
    if client.get("submit page", u["submit"](attempt_id)).status != 200:
        return ledger.note(stopped="submit page")
    response = client.post("finish", u["finish"](attempt_id), {})
    if not response.ok:
        return ledger.note(stopped="finish")
    ledger.note(finished=attempt_id)
    if client.get("results", u["results"](attempt_id)).status != 200:
        return ledger.note(stopped="results")
    ledger.note(completed=True)
    return None


def healthz_stream(client, *, stop, deadline, limit, rate=0.0):
    """``GET /healthz`` in a loop: ``rate`` per second at most (0: as fast as answered)."""
    interval = 1 / rate if rate else 0.0
    next_at = time.monotonic()
    for _ in range(limit):
        if stop.is_set() or time.monotonic() > deadline:
            break
        client.get("healthz", "/healthz")
        if interval:
            next_at += interval
            stop.wait(max(0.0, next_at - time.monotonic()))


def learner_address(index):
    return f"127.1.{index // 250}.{index % 250 + 1}"


# Checks --------------------------------------------------------------------------------------


def profile_totals(emails):
    from django.db.models import Sum

    from accounts.models import Profile

    totals = Profile.objects.filter(user__email__in=emails).aggregate(
        answered=Sum("total_questions_answered"), exams=Sum("total_exams_taken")
    )
    return {key: value or 0 for key, value in totals.items()}


def verify(ledger, emails, before, *, expect_finished=True):
    """Every answer that got a 2xx is stored once, with the choice sent; totals count once."""
    from django.db.models import Count, F

    from exams.models import Attempt, AttemptItem

    items = AttemptItem.objects.filter(attempt_id__in=ledger.attempts)
    stored = {
        (a, p): sorted(selected)
        for a, p, selected in items.filter(answered_at__isnull=False).values_list(
            "attempt_id", "position", "selected"
        )
    }
    sent = ledger.answers
    duplicates = (
        items.values("attempt_id", "position").annotate(n=Count("id")).filter(n__gt=1).count()
        + items.values("attempt_id", "question").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    wrong_size = (
        Attempt.objects.filter(pk__in=ledger.attempts)
        .annotate(n=Count("items"))
        .exclude(n=F("question_count"))
        .count()
    )
    not_submitted = (
        Attempt.objects.filter(pk__in=ledger.finished).exclude(status="submitted").count()
    )
    after = profile_totals(emails)
    result = {
        "answers_2xx": ledger.answers_2xx,
        "stored": len(stored),
        "missing": sum(1 for key in sent if key not in stored),
        "mismatched": sum(1 for key in sent if key in stored and stored[key] != sent[key]),
        "unexpected": sum(1 for key in stored if key not in sent),
        "duplicates": duplicates + wrong_size,
        "not_submitted": not_submitted,
        "answered_delta": after["answered"] - before["answered"],
        "exams_delta": after["exams"] - before["exams"],
        "finished": len(ledger.finished),
    }
    result["ok"] = (
        result["answers_2xx"] == result["stored"] == len(sent) == result["answered_delta"]
        and result["missing"] == result["mismatched"] == result["unexpected"] == 0
        and result["duplicates"] == 0
        and result["not_submitted"] == 0
        and (result["exams_delta"] == result["finished"] if expect_finished else True)
    )
    return result


# Runs ----------------------------------------------------------------------------------------


def run_level(users, ports, args, u, log):
    recorder = Recorder()
    ledger = Ledger()
    emails = [learner_email(i) for i in range(users)]
    before = profile_totals(emails)
    load_before = os.getloadavg()[0]
    clients = [
        Client(ports, recorder, source_ip=learner_address(i), offset=i) for i in range(users)
    ]
    deadline = time.monotonic() + args.level_seconds
    stop = threading.Event()
    health = [
        threading.Thread(
            target=healthz_stream,
            args=(Client(ports, recorder, offset=k),),
            kwargs={
                "stop": stop,
                "deadline": deadline,
                "limit": args.healthz_limit,
                "rate": args.healthz_rate,
            },
        )
        for k in range(args.healthz_clients)
    ]
    learners = [
        threading.Thread(
            target=learner_run,
            args=(clients[i], emails[i]),
            kwargs={"length": args.questions, "deadline": deadline, "ledger": ledger, "u": u},
        )
        for i in range(users)
    ]
    started = time.perf_counter()
    for thread in health + learners:
        thread.start()
    for thread in learners:
        thread.join()
    stop.set()
    for thread in health:
        thread.join()
    wall = time.perf_counter() - started
    for client in clients:
        client.close()
    check = verify(ledger, emails, before)
    stats = {endpoint: recorder.summary(endpoint, wall) for endpoint in ENDPOINTS}
    server_errors = sum(s["server_errors"] for s in stats.values())
    no_response = sum(s["no_response"] for s in stats.values())
    unexpected = {
        f"{e} {s}": n
        for (e, s), n in recorder.status_counts().items()
        if s != EXPECTED_STATUS.get(e)
    }
    log(
        f"  {users:>3} learners: {wall:.1f} s, {ledger.completed}/{users} completed, "
        f"answers {check['answers_2xx']} sent / {check['stored']} stored, "
        f"verify {'ok' if check['ok'] else 'FAILED'}, 5xx {server_errors}, "
        f"no response {no_response}"
        + (f", unexpected {unexpected}" if unexpected else "")
        + (f", stopped {dict(ledger.incomplete)}" if ledger.incomplete else "")
    )
    return {
        "users": users,
        "wall": wall,
        "load": load_before,
        "stats": stats,
        "check": check,
        "completed": ledger.completed,
        "incomplete": dict(ledger.incomplete),
        "server_errors": server_errors,
        "no_response": no_response,
        "unexpected": unexpected,
        "reconnects": recorder.reconnects,
        "clients": clients,
    }


def run_probe(clients, ports, args, u, log):
    """Capacity at 50 clients: /healthz alone, then answers alone, for the same duration."""
    from django.db.models import Count, Q

    from exams.models import AttemptItem

    n = len(clients)
    recorder = Recorder()
    stop = threading.Event()
    deadline = time.monotonic() + args.probe_seconds
    health = [
        threading.Thread(
            target=healthz_stream,
            args=(Client(ports, recorder, source_ip=learner_address(k), offset=k),),
            kwargs={"stop": stop, "deadline": deadline, "limit": args.healthz_limit},
        )
        for k in range(n)
    ]
    started = time.perf_counter()
    for thread in health:
        thread.start()
    for thread in health:
        thread.join()
    health_wall = time.perf_counter() - started

    # Each learner (still logged in from the 50-learner level) starts a fresh practice set;
    # the choice ids come from the stored choice order, so the probe posts nothing but answers.
    setup = Recorder()
    attempts = []
    for client in clients:
        client.recorder = setup
        client.get("catalogue", u["catalogue"])
        attempts.append(attempt_id_from(client.post("probe start", u["start"],
                                                    start_form(args.probe_questions))))  # fmt: skip
    if None in attempts:
        log("  probe: could not start every practice set")
        return None
    orders = collections.defaultdict(dict)
    wanted = {}  # (attempt, position) -> how many choices the question takes
    for attempt_id, position, order, correct in (
        AttemptItem.objects.filter(attempt_id__in=attempts)
        .annotate(correct=Count("question__choices", filter=Q(question__choices__is_correct=True)))
        .values_list("attempt_id", "position", "choice_order", "correct")
    ):
        orders[attempt_id][position] = order
        wanted[(attempt_id, position)] = max(1, correct)
    ledger = Ledger()
    ledger.attempts = attempts
    emails = [learner_email(i) for i in range(n)]
    before = profile_totals(emails)

    def answer_only(client, attempt_id, deadline):
        for position in sorted(orders[attempt_id]):
            if time.monotonic() > deadline:
                break
            order = orders[attempt_id][position]
            chosen = random.sample(order, min(wanted[(attempt_id, position)], len(order)))
            response = client.post("answer", u["answer"](attempt_id, position),
                                   {"choice": chosen}, htmx=True)  # fmt: skip
            if response.status is not None and 200 <= response.status < 300:
                ledger.answered(attempt_id, position, chosen)

    answers, answer_wall = clients_run(clients, attempts, answer_only, args.probe_seconds)

    floors = {}
    if args.floor:
        floors = floor_probe(clients, attempts, orders, args)
    for client in clients:
        client.close()
    check = verify(ledger, emails, before, expect_finished=False)
    result = {
        "clients": n,
        "healthz": recorder.summary("healthz", health_wall),
        "answer": answers.summary("answer", answer_wall),
        "check": check,
    }
    result["ratio"] = (
        result["answer"]["rate"] / result["healthz"]["rate"] if result["healthz"]["rate"] else 0
    )
    result["floors"] = floors
    for name, summary in floors.items():
        ratio = summary["rate"] / result["healthz"]["rate"] if result["healthz"]["rate"] else 0
        log(f"  floor {name}: {summary['rate']:.0f}/s, ratio {ratio:.2f}")
    log(
        f"  probe at {n}: healthz {result['healthz']['rate']:.0f}/s, "
        f"answer {result['answer']['rate']:.0f}/s, ratio {result['ratio']:.2f}, "
        f"verify {'ok' if check['ok'] else 'FAILED'}"
    )
    return result


def floor_probe(clients, attempts, orders, args):
    """The bench-only floor endpoints (``bench/floor.py``), each alone for the probe's time."""
    results = {}

    def read(client, attempt_id, deadline):
        while time.monotonic() < deadline:
            client.get("floor read", "/bench/floor/read/")

    def write(client, attempt_id, deadline):
        positions = sorted(orders[attempt_id])
        k = 0
        while time.monotonic() < deadline:
            position = positions[k % len(positions)]
            client.post("floor write", f"/bench/floor/write/{attempt_id}/{position}/",
                        {"flagged": str(k % 2)})  # fmt: skip
            k += 1

    for name, target in (("floor read", read), ("floor write", write)):
        recorder, wall = clients_run(clients, attempts, target, args.probe_seconds)
        results[name] = recorder.summary(name, wall)
    return results


def clients_run(clients, attempts, target, seconds):
    """``target(client, attempt_id, deadline)`` in one thread per client, all for ``seconds``.

    Returns a fresh ``Recorder`` holding what they sent, and the wall time it took.
    """
    recorder = Recorder()
    for client in clients:
        client.recorder = recorder
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=target, args=(client, attempt_id, deadline))
        for client, attempt_id in zip(clients, attempts, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.perf_counter() - started


def query_budget(lengths=(10, 30)):
    """SQL queries per learner request, counted in-process against the bench database."""
    from django.test import Client as DjangoClient

    from accounts.models import User

    user = User.objects.get(email=learner_email(0))
    rows = {}
    for length in lengths:
        client = DjangoClient()
        client.force_login(user)
        rows[length] = _queries_of_one_set(client, length, urls())
    return rows


def _queries_of_one_set(client, length, u):
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    counts = {}
    htmx = {"HX-Request": "true"}

    def count(label, method, path, data=None, headers=None, via=client):
        with CaptureQueriesContext(connection) as ctx:
            cpu = time.process_time()
            response = getattr(via, method)(path, data, headers=headers)
            cpu = time.process_time() - cpu
        queries, _status, cpus = counts.get(label, (0, 0, []))
        counts[label] = (max(queries, len(ctx)), response.status_code, [*cpus, cpu])
        return response

    count("catalogue", "get", u["catalogue"])
    attempt_id = attempt_id_from(count("start", "post", u["start"], start_form(length)))
    page = count("question page", "get", u["question"](attempt_id, 1))
    html = page.content.decode()
    choice = choice_ids(html)[: choices_wanted(html)]
    count("answer", "post", u["answer"](attempt_id, 1), {"choice": choice}, htmx)
    for position in range(2, length + 1):
        card = count("question page (htmx)", "get", u["question"](attempt_id, position), None,
                     htmx)  # fmt: skip
        html = card.content.decode()
        choice = choice_ids(html)[: choices_wanted(html)]
        count("answer", "post", u["answer"](attempt_id, position), {"choice": choice}, htmx)
    count("submit page", "get", u["submit"](attempt_id))
    count("finish", "post", u["finish"](attempt_id))
    count("results", "get", u["results"](attempt_id))
    balancer = DjangoClient()  # /healthz as a load balancer calls it: no session cookie
    for _ in range(20):
        count("healthz", "get", "/healthz", via=balancer)
        count("floor read", "get", "/bench/floor/read/")
        count("floor write", "post", f"/bench/floor/write/{attempt_id}/1/", {"flagged": "1"})
    return counts


def run_mode(mode, args, log):
    ports = [args.port] if mode == "single" else [args.port + 10, args.port + 11]
    workers = args.workers if mode == "single" else args.pair_workers
    cache_url = REDIS_URL if mode == "pair" else None
    if mode == "pair":
        if not redis_ready(log):
            raise RuntimeError("Redis is not answering on 127.0.0.1:6379")
        sh("redis-cli", "-h", "127.0.0.1", "-n", "1", "flushdb")
    env = django_env(args.database_url, real_hasher=args.real_hasher, cache_url=cache_url)
    log(
        f"{mode}: {len(ports)} × gunicorn ({workers} workers × {args.threads} threads) "
        f"on {', '.join(map(str, ports))}" + (f", CACHE_URL={cache_url}" if cache_url else "")
    )
    bank = database_prepare(args.database_url, env, learners=max(args.levels), log=log)
    u = urls()
    servers = servers_start(ports, workers=workers, threads=args.threads, env=env)
    levels, probe = [], None
    try:
        for users in args.levels:
            level = run_level(users, ports, args, u, log)
            if users == args.probe_users and args.probe_seconds > 0:
                probe = run_probe(level["clients"], ports, args, u, log)
            del level["clients"]
            levels.append(level)
    finally:
        servers_stop(servers)
    problems = server_log_problems(servers)
    log(f"  server logs: {dict(problems)}")
    return {
        "mode": mode,
        "ports": ports,
        "workers": workers,
        "threads": args.threads,
        "cache": cache_url or "local memory (per process)",
        "levels": levels,
        "probe": probe,
        "bank": bank,
        "log_problems": dict(problems),
    }


# Report --------------------------------------------------------------------------------------


def ms(value):
    return "–" if value is None else f"{value * 1000:.0f}"


def machine():
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    try:
        pg = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version",
                check=False).stdout.strip().split(" ")[0]  # fmt: skip
    except FileNotFoundError:
        pg = "?"
    try:
        redis = sh("redis-server", "--version", check=False).stdout.split()[2].split("=")[-1]
    except (FileNotFoundError, IndexError):
        redis = "?"
    import django
    import gunicorn

    return {
        "cpus": os.cpu_count(),
        "ram_gb": mem_kb / 1024 / 1024,
        "python": platform.python_version(),
        "postgres": pg,
        "redis": redis,
        "django": django.__version__,
        "gunicorn": gunicorn.__version__,
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.machine(),
        ),
    }


def hasher_cost():
    """CPU seconds of one production password hash (what each real login costs the server)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    started = time.perf_counter()
    hasher.encode("a password", hasher.salt())
    return time.perf_counter() - started, hasher.iterations


def report(results, args, info, budget, pbkdf2):
    today = datetime.date.today()
    lines = [
        SECTION,
        "",
        f"Run on {today} with `python bench/load.py"
        + (" --real-hasher" if args.real_hasher else "")
        + f"` on {info['cpus']} CPUs ({info['cpu_model']}), {info['ram_gb']:.0f} GB RAM; "
        f"Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']} "
        f"(gthread), PostgreSQL {info['postgres']}, Redis {info['redis']}. The load generator "
        "runs on the same 2 cores as the servers and PostgreSQL, so these are floor figures.",
        "",
        f"Each learner logs in, opens the catalogue, starts a {args.questions}-question practice "
        f"set of {EXAM_SLUG} (bank of {results[0]['bank']['questions']} questions), loads each "
        "question card (the first as a full page, the rest as htmx fragments), answers it "
        "(htmx POST, the feedback card comes back), finishes and opens the results. "
        f"{args.healthz_clients} clients call `GET /healthz` during the whole level"
        + (f", each at most {args.healthz_rate:g} times a second" if args.healthz_rate else "")
        + " (a load balancer's probe, not a load of its own). "
        "All learners start together; a level ends when the last learner is done (bounded to "
        f"{args.level_seconds:.0f} s). Each learner connects from its own loopback address, so "
        "allauth's per-IP login limit applies per learner as in production. Passwords use MD5 "
        "for the bench only (`bench/settings_bench.py`; everything else is `billings.settings` "
        "with `DJANGO_DEBUG=false`, plus the two bench-only floor URLs of `bench/floor.py`): "
        f"one production PBKDF2 hash ({pbkdf2[1]:,} iterations) "
        f"costs {pbkdf2[0] * 1000:.0f} ms of CPU here, so with it each login would cost that "
        "much more and a 100-learner login wave alone would take the two cores for "
        f"~{pbkdf2[0] * 100 / (info['cpus'] or 1):.0f} s."
        if not args.real_hasher
        else "Passwords use the production PBKDF2 hasher.",
        "",
        "req/s is requests ÷ wall time of the level, so it reflects how often the flow calls "
        "each endpoint, not its capacity; the capacity probe below measures that. Errors are "
        "responses other than the expected status (200, or 302 for login, start and finish), "
        "including requests with no response within 30 s. A learner still busy when the "
        "level's time runs out stops where it is; what it sent is still verified. The load "
        "average column is the machine's 1-minute load when the level started: the 2 cores "
        "are shared with other work (test suites, browsers), which these figures include.",
        "",
    ]
    for result in results:
        lines += [
            f"### {result['mode']}: {len(result['ports'])} gunicorn server"
            f"{'s' if len(result['ports']) > 1 else ''} × {result['workers']} worker"
            f"{'s' if result['workers'] > 1 else ''} × {result['threads']} threads, "
            f"cache: {result['cache']}",
            "",
        ]
        if result["mode"] == "pair":
            lines += [
                "Both servers share PostgreSQL (sessions in the database) and Redis (cache and "
                "rate limits); every learner's requests alternate between the two servers, so "
                "a learner logs in on one and answers on the other. Same total workers as "
                "`single`.",
                "",
            ]
        lines += [
            "| learners | endpoint | requests | errors | req/s | p50 ms | p95 ms |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for level in result["levels"]:
            for endpoint in ENDPOINTS:
                s = level["stats"][endpoint]
                lines.append(
                    f"| {level['users']} | {endpoint} | {s['requests']} | {s['errors']} | "
                    f"{s['rate']:.1f} | {ms(s['p50'])} | {ms(s['p95'])} |"
                )
        lines += [
            "",
            "| learners | wall s | load avg | completed | answers 2xx | stored | missing "
            "| wrong choice | duplicates | profile totals +answers / +exams | 5xx "
            "| no response in 30 s | verified |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: "
            "| --- |",
        ]
        for level in result["levels"]:
            c = level["check"]
            lines.append(
                f"| {level['users']} | {level['wall']:.1f} | {level['load']:.1f} "
                f"| {level['completed']}/{level['users']}"
                f" | {c['answers_2xx']} | {c['stored']} | {c['missing']} | {c['mismatched']} | "
                f"{c['duplicates']} | +{c['answered_delta']} / +{c['exams_delta']} "
                f"(finished {c['finished']}) | {level['server_errors']} | "
                f"{level['no_response']} | "
                f"{'yes' if c['ok'] and not level['server_errors'] else 'NO'} |"
            )
        problems = result["log_problems"]
        reconnects = sum(level["reconnects"] for level in result["levels"])
        lines += [
            "",
            f"Server logs: {problems.get('tracebacks', 0)} tracebacks, "
            f"{problems.get('worker timeouts', 0)} worker timeouts, "
            f"{problems.get('worker restarts', 0)} worker restarts (max_requests); "
            f"{reconnects} keep-alive reconnects by the clients.",
            "",
        ]
    lines += [
        f"### Aim: answers at {args.probe_users} learners vs `/healthz`",
        "",
        f"Right after the {args.probe_users}-learner level, on the same servers: "
        f"{args.probe_users} clients call only `/healthz` for {args.probe_seconds:.0f} s, then "
        f"the same {args.probe_users} learners (logged in) each start a "
        f"{args.probe_questions}-question practice set and post only answers (htmx) for "
        f"{args.probe_seconds:.0f} s. Aim: answer throughput ≥ half of `/healthz`.",
        "",
        "| mode | /healthz req/s | p50 / p95 ms | answer req/s | p50 / p95 ms | ratio | aim "
        "| answers stored |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in results:
        p = result["probe"]
        if not p:
            lines.append(f"| {result['mode']} | – | – | – | – | – | not run | – |")
            continue
        h, a, c = p["healthz"], p["answer"], p["check"]
        lines.append(
            f"| {result['mode']} | {h['rate']:.0f} | {ms(h['p50'])} / {ms(h['p95'])} | "
            f"{a['rate']:.0f} | {ms(a['p50'])} / {ms(a['p95'])} | {p['ratio']:.2f} | "
            f"{'holds' if p['ratio'] >= 0.5 else 'MISSED'} | "
            f"{c['stored']}/{c['answers_2xx']}{'' if c['ok'] else ' (FAILED)'} |"
        )
    floors = [r for r in results if r["probe"] and r["probe"].get("floors")]
    if floors:
        lines += [
            "",
            "The same probe, continued on the same servers with the bench-only endpoints of "
            "`bench/floor.py` (each alone, same clients, same duration), to show what the aim "
            "asks for: **floor read** is a signed-in GET that does nothing (session and user "
            "read, a two-byte reply); **floor write** is a signed-in POST that updates one item "
            "of the learner's attempt in a transaction and replies with two bytes, the least "
            "any endpoint that stores an answer durably must do.",
            "",
            "| mode | endpoint | req/s | p50 / p95 ms | vs /healthz | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for result in floors:
            p = result["probe"]
            base = p["healthz"]["rate"] or 1
            rows = [("/healthz", p["healthz"]), *p["floors"].items(), ("answer", p["answer"])]
            for name, f in rows:
                lines.append(
                    f"| {result['mode']} | {name} | {f['rate']:.0f} | "
                    f"{ms(f['p50'])} / {ms(f['p95'])} | {f['rate'] / base:.2f} | {f['errors']} |"
                )
    if budget:
        labels = list(next(iter(budget.values())))
        first = next(iter(budget.values()))

        def cpu(label):
            return statistics.median(first[label][2]) * 1000

        lines += [
            "",
            f"Why: in-process, one answer costs {cpu('answer'):.1f} ms of app CPU and "
            f"{first['answer'][0]} SQL queries; `/healthz` {cpu('healthz'):.2f} ms and "
            f"{first['healthz'][0]} query (`SELECT 1`, no session, no user); the floor read "
            f"{cpu('floor read'):.2f} ms "
            f"({first['floor read'][0]} queries) and the floor write {cpu('floor write'):.2f} "
            f"ms ({first['floor write'][0]} queries). Under load every request also pays a "
            "fixed share for gunicorn and the load generator on the same two cores, which is "
            "most of what `/healthz` costs.",
        ]
        write_ratios = [
            r["probe"]["floors"]["floor write"]["rate"] / r["probe"]["healthz"]["rate"]
            for r in floors
            if r["probe"]["healthz"]["rate"]
        ]
        if write_ratios and max(write_ratios) < 0.5:
            lines[-1] += (
                f" A signed-in request that commits one row reaches at most "
                f"{max(write_ratios):.2f} of `/healthz` here (the floor write above), so no "
                "answer endpoint that stores the answer before it replies can meet the aim on "
                "this machine. The answer endpoint's own gap to that floor is its XP, streak "
                "and activity writes and the feedback card it renders."
            )
        elif write_ratios:
            lines[-1] += (
                f" The floor write reaches {min(write_ratios):.2f} of `/healthz`: the gap "
                "between it and the answer endpoint is the answer's own work (XP, streak and "
                "activity writes, the feedback card)."
            )
        lines += [
            "",
            "### SQL queries per request",
            "",
            "Counted in-process with Django's test client against the same database, for a "
            + " and a ".join(f"{n}-question" for n in budget)
            + " practice set (the budget must not grow with the number of questions).",
            "",
            "CPU ms is the median Python CPU time of the request in that process (Django test "
            "client, no gunicorn, PostgreSQL's own CPU not included): what one request costs "
            "an app worker, whatever else the machine is doing.",
            "",
            "| request | "
            + " | ".join(f"queries ({n} q.) | CPU ms ({n} q.)" for n in budget)
            + " |",
            "| --- | " + " | ".join("---: | ---:" for _ in budget) + " |",
        ]
        for label in labels:
            lines.append(
                f"| {label} | "
                + " | ".join(
                    f"{budget[n][label][0]} | {statistics.median(budget[n][label][2]) * 1000:.1f}"
                    for n in budget
                )
                + " |"
            )
    lines += [
        "",
        "### Running the benchmarks",
        "",
        "```sh",
        ".venv/bin/python bench/load.py --write docs/BENCHMARKS.md            # single and pair",
        ".venv/bin/python bench/load.py --modes single --levels 10,50        # a quicker look",
        "```",
        "",
        "It needs PostgreSQL on 127.0.0.1:5432 (user `postgres`, trust auth; the database "
        "`billings_load` is dropped and recreated, `--database-url` to change it) and, for "
        "`pair`, Redis on 127.0.0.1:6379 (started if it is not answering; database 1 is "
        "flushed). gunicorn logs go to `/tmp/billings-load/`. A full run takes 2 to 6 "
        "minutes here, depending on how many levels run into their caps: each level is capped "
        "at 45 s (`--level-seconds`) and each probe at 4 s "
        "(`--probe-seconds`).",
        "",
    ]
    return "\n".join(lines)


def section_write(path, text):
    """Replace only the ``## Load`` section (up to the next ``## `` heading), or append it."""
    path = Path(path)
    existing = path.read_text() if path.exists() else "# Benchmarks\n\n"
    match = re.search(rf"(?m)^{re.escape(SECTION)}[ \t]*$", existing)
    if match:
        head, rest = existing[: match.start()], existing[match.end() :]
        following = re.search(r"(?m)^## ", rest)
        tail = rest[following.start() :] if following else ""
        new = head + text.rstrip() + "\n" + ("\n" + tail if tail else "")
    else:
        new = existing.rstrip() + "\n\n" + text.rstrip() + "\n"
    path.write_text(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="single,pair")
    parser.add_argument("--levels", default="10,50,100")
    parser.add_argument("--questions", type=int, default=10, help="practice set length")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in single")
    parser.add_argument("--pair-workers", type=int, default=1, help="workers per pair server")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--healthz-clients", type=int, default=2)
    parser.add_argument("--healthz-rate", type=float, default=20, help="per client; 0: no pause")
    parser.add_argument("--healthz-limit", type=int, default=20000, help="per client, per level")
    parser.add_argument("--level-seconds", type=float, default=45)
    parser.add_argument("--probe-users", type=int, default=50)
    parser.add_argument("--probe-seconds", type=float, default=4)
    parser.add_argument("--probe-questions", type=int, default=30)
    parser.add_argument("--real-hasher", action="store_true")
    parser.add_argument(
        "--no-floor", dest="floor", action="store_false", help="skip the floor endpoints"
    )
    parser.add_argument("--write", help="Markdown file whose '## Load' section is replaced")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not set(modes) <= {"single", "pair"}:
        parser.error("--modes takes single and/or pair")
    if urllib.parse.urlsplit(args.database_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("the bench only runs against a local PostgreSQL")

    def log(message):
        print(message, file=sys.stderr, flush=True)

    django_setup(django_env(args.database_url, real_hasher=args.real_hasher))
    began = time.monotonic()
    pbkdf2 = hasher_cost()
    results = [run_mode(mode, args, log) for mode in modes]
    budget = query_budget()
    log(
        "query budget: "
        + repr(
            {
                n: {k: (v[0], round(statistics.median(v[2]) * 1000, 1)) for k, v in b.items()}
                for n, b in budget.items()
            }
        )
    )
    text = report(results, args, machine(), budget, pbkdf2)
    print(text)
    log(f"total {time.monotonic() - began:.0f} s")
    if args.write:
        section_write(args.write, text)
    passed = all(
        level["check"]["ok"] and not level["server_errors"]
        for result in results
        for level in result["levels"]
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
