"""The benchmarks keep working as the schema evolves: each runs here at a tiny size, on its
own SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_run(script, *args):
    """Run ``bench/<script>`` with ``args``; its standard output (it must succeed)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, f"bench/{script}", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_import_bench_and_its_raw_baselines_run_at_a_tiny_size():
    out = bench_run("import_bench.py", "--rows", "200", "--baseline")

    for label in ("first import", "same file again", "1% edited"):
        assert f"| {label} |" in out
    assert "peak Python allocation, dry run" in out


def test_scale_bench_runs_at_a_tiny_size(tmp_path):
    figures_file = tmp_path / "scale.json"

    out = bench_run("scale.py", "--size", "0.0005", "--repeat", "1", "--json", figures_file)

    figures = json.loads(figures_file.read_text())
    assert set(figures["small"]) == set(figures["large"])
    assert "admin questions, last page" in figures["large"]
    assert all(page["queries"] for page in figures["large"].values())
    assert "| finish simulation |" in out


def test_admin_rows_bench_runs():
    out = bench_run("admin_rows.py", "--repeat", "1")

    assert "| Django's rows |" in out
    assert "| compiled rows |" in out
