"""Code grader speed, against the naive way, measured in the same run.

    python benchmarks/bench_grading.py [--runs N]

- warm: `Grader.grade` of the built-in Linear exercise's reference, with the sandbox's
  warm worker started (median over runs);
- naive: what grading costs without a warm worker — spawn `python`, import NumPy, run
  the learner's backward, compute central differences, compare (median over runs);
- large: a Linear layer with 1,000 × 1,000 weights (≥ 1,000,000 parameters) graded by
  random directions: reference forward passes and time, for the right answer and a bug.
Targets (issue 4): warm median ≤ 0.25 × naive; large ≤ 100 forward passes.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tutor.core.grading.grader import Grader
from tutor.core.model import CodeExercise
from tutor.core.packs import builtin_pack_dir, load_pack

NAIVE_SCRIPT = """
import sys, numpy as np
namespace = {}
exec(open(sys.argv[1]).read(), namespace)
backward = namespace["linear_backward"]
rng = np.random.default_rng(0)
x, W, b = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (3, 5)), rng.uniform(-1, 1, 5)
G = rng.uniform(-1, 1, (4, 5))
def loss(x, W, b):
    return float(np.sum((x @ W + b) * G))
def numerical(i, args, h=1e-5):
    grad = np.zeros_like(args[i])
    for index in np.ndindex(args[i].shape):
        up = [a.copy() for a in args]; up[i][index] += h
        down = [a.copy() for a in args]; down[i][index] -= h
        grad[index] = (loss(*up) - loss(*down)) / (2 * h)
    return grad
got = backward(x, W, b, G)
ok = all(np.allclose(g, numerical(i, [x, W, b]), rtol=1e-4) for i, g in enumerate(got))
print("passed" if ok else "failed")
"""


def linear_exercise() -> CodeExercise:
    pack = load_pack(builtin_pack_dir())
    assert not isinstance(pack, list), pack
    exercise = next(item for item in pack.items() if item.id == "linear-backward")
    assert isinstance(exercise, CodeExercise)
    return exercise


def report(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{name:<44} median {median * 1e3:8.1f} ms   max {max(times) * 1e3:8.1f} ms")
    return median


def bench_linear(runs: int) -> None:
    exercise = linear_exercise()
    code = exercise.reference.read_text()
    with Grader() as grader:
        grader.start()
        assert grader.grade(exercise, code).passed  # first grade prepares the exercise
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            grader.grade(exercise, code)
            times.append(time.perf_counter() - started)
        mode = grader.sandbox.mode
    warm = report(f"warm Grader.grade (Linear, {mode})", times)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "naive.py"
        script.write_text(NAIVE_SCRIPT)
        naive_times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(script), str(exercise.reference)],
                check=True,
                capture_output=True,
            )
            naive_times.append(time.perf_counter() - started)
    naive = report("naive: spawn python, import numpy, check", naive_times)
    print(f"warm / naive = {warm / naive:.2f}  (target ≤ 0.25)")


def bench_large() -> None:
    exercise = dataclasses.replace(
        linear_exercise(), dims=(("N", 4), ("D_in", 1000), ("D_out", 1000))
    )
    right = exercise.reference.read_text()
    wrong = right.replace("dW = x.T @ grad_out", "dW = x.T @ grad_out\n    dW[:10] *= 1.5")
    with Grader() as grader:
        grader.start()
        for name, code in (("right", right), ("1% of dW rows wrong", wrong)):
            started = time.perf_counter()
            result = grader.grade(exercise, code)
            elapsed = time.perf_counter() - started
            print(
                f"large Linear (1,000,000 weights), {name:<20} {result.status:<7} "
                f"{result.forward_passes:3d} forward passes   {elapsed * 1e3:7.1f} ms "
                "(first includes preparing inputs)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    bench_linear(runs)
    print()
    bench_large()


if __name__ == "__main__":
    main()
