"""Measure the quiz's page weight in Chromium and record it in docs/BENCHMARKS.md.

Runs the same measurement as tests/test_page_weight.py (it runs that test, which keeps its
figures in a JSON file), then replaces only the "## Page weight" section of the benchmarks.

    .venv/bin/python bench/page_weight.py            # measure and write the section
    .venv/bin/python bench/page_weight.py --print    # measure and print it only
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## Page weight"


def measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page_weight.json"
        env = {**os.environ, "BILLINGS_PAGE_WEIGHT_JSON": str(out), "BILLINGS_REQUIRE_BROWSER": "1"}
        env.pop("DATABASE_URL", None)  # the figures do not depend on the database
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/test_page_weight.py",
                "-q",
                "-s",
                "-p",
                "no:cacheprovider",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if not out.exists():
            sys.exit(f"the page-weight test produced no figures:\n{result.stdout}{result.stderr}")
        if result.returncode:
            print("warning: the page-weight test failed its budget\n" + result.stdout[-2000:])
        return json.loads(out.read_text())


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def section(figures: dict) -> str:
    today = datetime.date.today().isoformat()
    lines = [
        HEADING,
        "",
        f"Measured {today} by `bench/page_weight.py` (Chromium via Playwright, the test server, "
        f"Python {platform.python_version()}). Sizes are gzip level 6 of each body, compressed by "
        "the script because the test server does not compress; production's proxy or WhiteNoise "
        "does. Budgets: first load of the question page under 60 KB (document + CSS + JS), each "
        "htmx answer swap under 6 KB.",
        "",
        "| mode | first load (compressed) | largest answer swap | swaps measured |",
        "| --- | --- | --- | --- |",
    ]
    for mode, data in figures.items():
        lines.append(
            f"| {mode} | {kb(data['first_load'])} | {max(data['swaps']) / 1024:.2f} KB "
            f"| {len(data['swaps'])} |"
        )
    lines += ["", "First load of the practice question page, by resource:", ""]
    lines += ["| resource | type | raw | compressed |", "| --- | --- | --- | --- |"]
    first = next(iter(figures.values()))
    for kind, path, raw, packed in sorted(first["resources"], key=lambda row: -row[3]):
        path = re.sub(r"/\d+/", "/<id>/", path)
        lines.append(f"| `{path}` | {kind} | {kb(raw)} | {kb(packed)} |")
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    text = section(measure())
    print(text)
    if not args.print:
        write(text)
        print(f"wrote the '{HEADING}' section of {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
