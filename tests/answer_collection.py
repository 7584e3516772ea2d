"""The harness shared by the graded-answer collections (a pack + answers.toml each).

A collection is a folder holding a pack of derivation exercises and `answers.toml`: what
learners type for each part, the verdict each answer deserves, optionally a diagnosis it
must (`mistake`) or must not (`not_mistake`) get, and, for a known checker bug, an `xfail`
reason (the case is then `xfail(strict=True)`: green while the bug is open, red once fixed).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from tutor.core.model import DerivationExercise, Pack
from tutor.core.packs import load_pack
from tutor.core.symbolic.checker import check_exercise

STATUSES = ("correct", "incorrect", "invalid")
MISTAKE_TAGS = (
    "extra-factor",
    "sign",
    "factor",
    "missing-factor",
    "wrong-variable",
    "forward-value",
    "known",
    "zero",
)


@dataclass(frozen=True)
class Case:
    """One learner answer to one part, with the verdict it deserves."""

    exercise: str
    part: str
    answer: str
    expect: str
    mistake: str | None = None
    note: str | None = None
    not_mistake: str | None = None
    """A diagnosis the checker must not give: its feedback would mislead."""
    xfail: str | None = None
    """Why the checker currently gets this case wrong (a bug to fix), or None."""

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.part}/{self.answer}"


class AnswerCollection:
    """One collection folder: its pack (loaded once) and its cases."""

    def __init__(self, folder: Path, answers: list[Path] | None = None) -> None:
        """`answers` defaults to the folder's own `answers.toml`."""
        self.folder = folder
        self.cases = []
        for path in answers if answers is not None else [folder / "answers.toml"]:
            with path.open("rb") as file:
                self.cases.extend(Case(**entry) for entry in tomllib.load(file)["case"])

    @cached_property
    def pack(self) -> Pack:
        """The fixture pack."""
        pack = load_pack(self.folder)
        assert isinstance(pack, Pack), "\n".join(str(problem) for problem in pack)
        return pack

    @cached_property
    def exercises(self) -> dict[str, DerivationExercise]:
        """The pack's derivation exercises by id."""
        items = self.pack.items()
        return {item.id: item for item in items if isinstance(item, DerivationExercise)}

    def params(self) -> list[object]:
        """One pytest param per case, readable ids, strict xfail for known bugs."""
        return [
            pytest.param(
                case,
                id=case.id,
                marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
            )
            for case in self.cases
        ]

    def validate_exit_code(self) -> tuple[int, str]:
        """`pack validate` on the folder: parses every expression, proves known mistakes wrong."""
        completed = subprocess.run(
            [sys.executable, "-m", "tutor", "pack", "validate", str(self.folder)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return completed.returncode, completed.stdout + completed.stderr

    def malformed(self) -> list[str]:
        """Cases that name no exercise or part, or use unknown statuses or tags; duplicates."""
        problems = []
        for case in self.cases:
            exercise = self.exercises.get(case.exercise)
            if exercise is None:
                problems.append(f"{case.id}: no exercise {case.exercise!r}")
            elif case.part not in {part.id for part in exercise.parts}:
                problems.append(f"{case.id}: exercise has no part {case.part!r}")
            if case.expect not in STATUSES:
                problems.append(f"{case.id}: expect must be one of {STATUSES}")
            for tag in (case.mistake, case.not_mistake):
                if tag is not None and (case.expect != "incorrect" or tag not in MISTAKE_TAGS):
                    problems.append(f"{case.id}: a tag needs expect = incorrect and a known tag")
            if case.xfail is not None and not case.xfail.strip():
                problems.append(f"{case.id}: an xfail needs a reason")
        counts = Counter((c.exercise, c.part, c.answer) for c in self.cases)
        problems.extend(f"{'/'.join(key)}: listed twice" for key, n in counts.items() if n > 1)
        return problems

    def parts_without(self, *expects: str) -> list[str]:
        """Parts that lack a case of one of `expects`."""
        seen = Counter((case.exercise, case.part, case.expect) for case in self.cases)
        return [
            f"{exercise.id}/{part.id}: no {expect} case"
            for exercise in self.exercises.values()
            for part in exercise.parts
            for expect in expects
            if not seen[(exercise.id, part.id, expect)]
        ]

    def assert_verdict(self, case: Case) -> None:
        """The real checker's verdict on one case is the one the case deserves."""
        result = check_exercise(self.exercises[case.exercise], {case.part: case.answer})
        assert [part.part_id for part in result.parts] == [case.part]
        verdict = result.parts[0]
        context = (
            f"answer {case.answer!r} read as {verdict.parsed!r}: {verdict.status}"
            f" ({verdict.mistake}) {verdict.feedback!r}"
            + (f"; note: {case.note}" if case.note else "")
        )
        assert verdict.status == case.expect, context
        if case.mistake is not None:
            assert verdict.mistake == case.mistake, context
        if case.not_mistake is not None:
            assert verdict.mistake != case.not_mistake, context
