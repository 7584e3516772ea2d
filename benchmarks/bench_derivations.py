"""Derivation checker speed over the test collection, against naive `simplify`, same run.

    python benchmarks/bench_derivations.py [--limit N]

- warm: `check_exercise` per answer in this process after a warm-up (median, p90, max);
- naive: `simplify(expected - answer) == 0` on the same parsed expressions (an evenly
  spaced sample: simplify needs minutes for the whole collection), and how often its
  verdict disagrees with the collection's;
- cold: a fresh worker process started, warmed and answering its first check (what the
  app and the CLI pay once; the app does it off the UI thread).
Targets (issue 3): warm median ≤ 10 ms, max ≤ 150 ms, ≥ 5× faster than naive at the median.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import time
import tomllib
from pathlib import Path
from typing import Any

import sympy

from tutor.core.model import DerivationExercise, Pack
from tutor.core.packs import load_pack
from tutor.core.symbolic.checker import PreparedExercise, check_exercise
from tutor.core.symbolic.parser import ParseError
from tutor.core.symbolic.service import SymbolicService
from tutor.core.symbolic.worker import warm_up
from tutor.core.variants import choose_variant

NAIVE_CAP_S = 3.0
"""simplify() can run for minutes on a few answers; past this it counts as this long."""

COLLECTION = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "derivations"


def load_collection(
    limit: int | None,
) -> tuple[dict[str, DerivationExercise], list[dict[str, Any]]]:
    pack = load_pack(COLLECTION)
    assert isinstance(pack, Pack), pack
    exercises = {i.id: i for i in pack.items() if isinstance(i, DerivationExercise)}
    cases = tomllib.loads((COLLECTION / "answers.toml").read_text())["case"]
    return exercises, cases[:limit]


def milliseconds(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return (
        f"median {statistics.median(times) * 1e3:7.2f} ms   p90 {p90 * 1e3:7.2f} ms   "
        f"max {max(times) * 1e3:8.2f} ms   (n={len(times)})"
    )


def bench_warm(
    exercises: dict[str, DerivationExercise], cases: list[dict[str, Any]]
) -> list[float]:
    warm_up()  # as the worker process does before it says it is ready
    times, wrong = [], 0
    for case in cases:
        started = time.perf_counter()
        result = check_exercise(exercises[case["exercise"]], {case["part"]: case["answer"]})
        times.append(time.perf_counter() - started)
        wrong += result.parts[0].status != case["expect"]
    print(f"warm check_exercise        {milliseconds(times)}   verdicts off: {wrong}", flush=True)
    return times


def bench_naive(
    exercises: dict[str, DerivationExercise], cases: list[dict[str, Any]]
) -> list[float]:
    times, wrong, gave_up = [], 0, 0
    for case in cases:
        exercise = exercises[case["exercise"]]
        prepared = PreparedExercise(exercise, choose_variant(exercise, ""))
        try:
            answer = prepared.in_variables(prepared.parse(case["answer"]))
        except ParseError:
            continue  # naive has no parser of its own; compare only readable answers
        expected = prepared.expected[case["part"]]
        started = time.perf_counter()
        try:
            same = _simplify_is_zero(expected - answer)
        except TimeoutError:
            same, gave_up = None, gave_up + 1
        times.append(time.perf_counter() - started)
        wrong += same is not None and same != (case["expect"] == "correct")
    print(
        f"naive simplify(e - a) == 0 {milliseconds(times)}   verdicts off: {wrong}, "
        f"gave up after {NAIVE_CAP_S:.0f} s: {gave_up}",
        flush=True,
    )
    return times


def _simplify_is_zero(difference: sympy.Expr) -> bool:
    def give_up(signum: int, frame: object) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, NAIVE_CAP_S)
    try:
        return bool(sympy.simplify(difference) == 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def bench_cold(exercises: dict[str, DerivationExercise], cases: list[dict[str, Any]]) -> None:
    case = cases[0]
    started = time.perf_counter()
    with SymbolicService() as service:
        service.check(exercises[case["exercise"]], {case["part"]: case["answer"]})
    print(f"cold: start worker + first check   {(time.perf_counter() - started) * 1e3:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N answers")
    parser.add_argument(
        "--naive-sample", type=int, default=200, help="naive simplify on N evenly spaced answers"
    )
    args = parser.parse_args()
    exercises, cases = load_collection(args.limit)
    print(f"{len(cases)} answers to {len(exercises)} derivations\n")
    warm = bench_warm(exercises, cases)
    step = max(1, len(cases) // args.naive_sample)
    naive = bench_naive(exercises, cases[::step])
    ratio = statistics.median(naive) / statistics.median(warm)
    print(f"\nnaive median / warm median = {ratio:.1f}×")
    bench_cold(exercises, cases)


if __name__ == "__main__":
    main()
