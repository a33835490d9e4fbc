"""The admin question list by page length: Django's rows against the rows made once per column.

    python bench/admin_rows.py                         # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billings_bench_rows \\
        python bench/admin_rows.py                     # PostgreSQL (emptied first)

On the sample bank, three list pages of one, twelve and fifty questions ("retired", one
objective, "active"). Per page and per way of making the rows, ``--repeat`` rounds; in each
round every (page, way) pair is requested once, in turn, so a machine that slows down part way
slows all of them alike. "Django's rows" is the page with ``compiled_rows`` answering None
(so Django makes the rows) and the preview through ``Truncator``, as the list was before;
"compiled rows" is the page as it is served. Printed: the median server time of each, the
rows' share (the page's time less the one-question page's), and the 50-row page over the
1-row page, which is what the scale bench's "retired" row compares at 100,000 questions.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import django_bench_setup
from scale import postgres_recreate, small_build


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="rounds of timed requests")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres") and "bench" in url.rsplit("/", 1)[-1]:
            postgres_recreate(url)
        django_bench_setup(temp=Path(temp), sqlite_name="rows.sqlite3")
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from questions.models import Objective

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        _learner, staff = small_build()
        client = Client()
        client.force_login(staff)
        objective = Objective.objects.filter(domain__exam__slug="security").order_by("id").first()
        admin = "/admin/questions/question/"
        pages = {
            1: f"{admin}?is_active__exact=0",
            12: f"{admin}?objective={objective.pk}",
            50: f"{admin}?is_active__exact=1",
        }
        from django.utils.text import Truncator

        import questions.admin as question_admin
        import questions.templatetags.admin_rows as tag

        def djangos_rows():
            """Django's rows, and the preview through Truncator: the list before."""
            tag.compiled_rows = lambda cl: None
            question_admin.text_preview = lambda text: Truncator(text).chars(90)

        def compiled_rows():
            tag.compiled_rows = compiled
            question_admin.text_preview = preview

        compiled, preview = tag.compiled_rows, question_admin.text_preview
        ways = {"Django's rows": djangos_rows, "compiled rows": compiled_rows}
        times = {(rows, way): [] for rows in pages for way in ways}
        for rows, path in pages.items():
            for override in ways.values():
                override()
                response = client.get(path)  # warm-up
                shown = response.content.decode().count('class="action-select"')
                if response.status_code != 200 or shown != rows:
                    sys.exit(f"{path}: {response.status_code}, {shown} rows, not {rows}")
        for _ in range(args.repeat):
            for rows, path in pages.items():
                for way, override in ways.items():
                    override()
                    start = time.perf_counter()
                    client.get(path)
                    times[rows, way].append((time.perf_counter() - start) * 1000)
        vendor = connection.vendor
    median = {key: statistics.median(values) for key, values in times.items()}
    print(
        f"# {vendor}, {args.repeat} rounds, load average {os.getloadavg()[0]:.1f}; median server ms"
    )
    print("| rows made by | 1 row | 12 rows | 50 rows | per row | 50 rows / 1 row |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for way in ways:
        one, twelve, fifty = (median[rows, way] for rows in pages)
        print(
            f"| {way} | {one:.1f} | {twelve:.1f} | {fifty:.1f} | {(fifty - one) / 49:.2f} "
            f"| {fifty / one:.2f} |"
        )
    return median


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
