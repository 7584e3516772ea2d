"""Start-up and progress-store figures, as ratios against baselines measured in the same run.

    python benchmarks/bench_foundation.py [--runs N]

- CLI start: `backprop-tutor list --json` against `python -c pass` (the floor for any
  Python command) and against `python -c "import textual"` (what scripted commands avoid).
- Store writes: one acknowledged `record_attempt` (a durable transaction) and one
  `save_draft` (called as the learner types) against a bare SQLite insert+commit with the
  same durability settings.
- Catalog: discovering and loading every pack.
Prints figures; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tutor.core.packs import discover
from tutor.core.progress import Attempt, ProgressStore


def wall_times(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def call_times(action: Callable[[int], object], runs: int) -> list[float]:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        action(n)
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], baseline: list[float] | None = None) -> None:
    median = statistics.median(times)
    line = f"{name:<44} median {median * 1000:8.2f} ms   max {max(times) * 1000:8.2f} ms"
    if baseline:
        line += f"   ×{median / statistics.median(baseline):.2f} of baseline"
    print(line)


def bench_cli(runs: int, data_dir: Path) -> None:
    python = [sys.executable, "-c"]
    floor = wall_times([*python, "pass"], runs)
    report("baseline: python -c pass", floor)
    report("python -c 'import textual'", wall_times([*python, "import textual"], runs), floor)
    tutor = [sys.executable, "-m", "tutor", "--data-dir", str(data_dir)]
    report("backprop-tutor list --json", wall_times([*tutor, "list", "--json"], runs), floor)
    report(
        "backprop-tutor pack list --json",
        wall_times([*tutor, "pack", "list", "--json"], runs),
        floor,
    )


def bench_store(runs: int, data_dir: Path) -> None:
    raw = sqlite3.connect(data_dir / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, answer TEXT)")

    def raw_insert(n: int) -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO t (answer) VALUES (?)", (f"answer {n}",))
        raw.execute("COMMIT")

    baseline = call_times(raw_insert, runs)
    report("baseline: raw SQLite insert + commit", baseline)
    with ProgressStore.open(data_dir / "store") as store:
        attempt = Attempt("core", "0.1.0", "linear-backward", "code", "x" * 400, "failed", 0.0, 1.0)
        report(
            "record_attempt (acknowledged)",
            call_times(lambda n: store.record_attempt(attempt), runs),
            baseline,
        )
        code = "def linear_backward(x, W, b, grad_out):\n" * 40
        report(
            "save_draft",
            call_times(lambda n: store.save_draft("core", "lb", code + str(n)), runs),
            baseline,
        )
        report("item status lookup", call_times(lambda n: store.item("core", "lb"), runs))


def bench_catalog(runs: int) -> None:
    report("discover + load every pack", call_times(lambda n: discover(None), runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        print(f"python {sys.version.split()[0]}, {runs} runs each\n")
        bench_cli(runs, Path(folder))
        print()
        bench_store(runs * 10, Path(folder))
        print()
        bench_catalog(runs)


if __name__ == "__main__":
    main()
