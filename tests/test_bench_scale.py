"""bench/scale.py keeps working as the schema evolves: it runs here at a tiny size."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scale_bench_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "scale.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file
    result = subprocess.run(
        [sys.executable, "bench/scale.py", "--size", "0.0005", "--repeat", "1", "--json", out],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures["small"]) == set(figures["large"])
    assert "admin questions, last page" in figures["large"]
    assert all(page["queries"] for page in figures["large"].values())
    assert "| finish simulation |" in result.stdout
