"""bench/import_bench.py keeps working as the schema evolves: it runs here at a tiny size."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_bench_and_its_raw_baselines_run_at_a_tiny_size():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file
    result = subprocess.run(
        [sys.executable, "bench/import_bench.py", "--rows", "200", "--baseline"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for label in ("first import", "same file again", "1% edited"):
        assert f"| {label} |" in result.stdout
    assert "peak Python allocation, dry run" in result.stdout
