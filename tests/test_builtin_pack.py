"""The built-in curriculum meets the bar issue 6 sets, counted from the pack itself."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tutor.core.model import ChoiceExercise, CodeExercise, DerivationExercise, Lesson, Pack
from tutor.core.packs import load_pack

ROOT = Path(__file__).resolve().parents[1]
UNITS = (
    "why-backprop", "chain-rule", "single-neuron", "two-layer-network", "layers",
    "activations", "losses", "mlp-from-scratch", "gradient-checking", "vanishing-exploding",
    "normalization-residual", "bptt", "attention", "custom-gradients", "beyond-gradients",
)  # fmt: skip
CODE_TOPICS = (
    "linear", "relu", "sigmoid", "tanh", "swish", "mse", "softmax", "mlp", "layernorm",
    "batchnorm", "rnn", "attention", "conv1d", "residual", "lora", "quant", "numerical",
)  # fmt: skip
"""Words that name each code exercise the issue asks for (in its id or function)."""


@pytest.fixture(scope="module")
def pack() -> Pack:
    loaded = load_pack(ROOT)
    assert isinstance(loaded, Pack), loaded
    return loaded


def test_the_units_come_in_the_order_of_the_course(pack: Pack) -> None:
    assert tuple(unit.id for unit in pack.units) == UNITS


def test_every_unit_opens_with_a_lesson_and_has_exercises(pack: Pack) -> None:
    for unit in pack.units:
        assert isinstance(unit.items[0], Lesson), unit.id
        assert any(not isinstance(item, Lesson) for item in unit.items), unit.id


def test_the_counts_meet_the_targets(pack: Pack) -> None:
    kinds = Counter(item.kind for item in pack.items())
    assert kinds["lesson"] >= 15
    assert kinds["derivation"] >= 45
    assert kinds["code"] >= 16
    assert kinds["choice"] >= 15


def test_many_derivations_are_randomised_and_multi_part(pack: Pack) -> None:
    derivations = [i for i in pack.items() if isinstance(i, DerivationExercise)]
    assert sum(bool(d.params) for d in derivations) >= len(derivations) // 2
    assert sum(len(d.parts) > 1 for d in derivations) >= len(derivations) // 2


def test_every_exercise_has_hints_and_a_worked_solution(pack: Pack) -> None:
    for item in pack.items():
        if isinstance(item, DerivationExercise | CodeExercise):
            assert item.hints and item.solution.strip(), item.id
        elif isinstance(item, ChoiceExercise):
            assert item.hints and item.explanation.strip(), item.id


def test_every_derivation_part_has_a_known_wrong_answer(pack: Pack) -> None:
    for item in pack.items():
        if isinstance(item, DerivationExercise):
            for part in item.parts:
                assert part.mistakes, f"{item.id}/{part.id}"


def test_every_code_exercise_has_three_known_bugs(pack: Pack) -> None:
    for item in pack.items():
        if isinstance(item, CodeExercise):
            assert len(item.buggy) >= 3, item.id


def test_every_code_topic_of_the_issue_is_covered(pack: Pack) -> None:
    names = [f"{i.id} {i.function}".lower() for i in pack.items() if isinstance(i, CodeExercise)]
    missing = [topic for topic in CODE_TOPICS if not any(topic in name for name in names)]
    assert not missing
