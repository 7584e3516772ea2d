"""`pack validate` reads every derivation expression and proves known mistakes wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.core.model import DerivationExercise, Pack
from tutor.core.packs import load_pack
from tutor.core.symbolic.checker import check_exercise
from tutor.core.symbolic.validation import validate_derivation
from tutor.core.variants import apply_variant, choose_variant, with_variant

MANIFEST = """format_version = 1
id = "val"
title = "Validation"
version = "1.0.0"

[[units]]
id = "u"
title = "U"
items = ["power.toml"]
"""

EXERCISE = """id = "power"
kind = "derivation"
title = "A power of {k}"
prompt = "With L = (a - y)^{k} / {k}, find ∂L/∂a."
solution = "(a - y)^({k} - 1)"
functions = ["sigma"]

[variables]
a = "(0, 1)"
y = "(0, 1)"

[params]
k = [2, 3, 4]

[[parts]]
id = "dl-da"
label = "∂L/∂a of (a - y)^{k} / {k}"
of = "(a - y)^{k} / {k}"
wrt = "a"

[[parts.mistakes]]
answer = "MISTAKE"
feedback = "You kept the 1/{k}."
"""


def make_pack(tmp_path: Path, mistake: str, of: str = "(a - y)^{k} / {k}") -> Path:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.toml").write_text(MANIFEST)
    text = EXERCISE.replace("MISTAKE", mistake).replace('of = "(a - y)^{k} / {k}"', f'of = "{of}"')
    (root / "power.toml").write_text(text)
    return root


def exercise_of(root: Path) -> DerivationExercise:
    pack = load_pack(root)
    assert isinstance(pack, Pack)
    [item] = pack.items()
    assert isinstance(item, DerivationExercise)
    return item


def validate(root: Path) -> tuple[int, list[dict[str, object]]]:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "pack", "validate", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    [entry] = json.loads(result.stdout)
    return result.returncode, entry["problems"]


def test_a_sound_exercise_validates_in_every_variant(tmp_path: Path) -> None:
    assert validate(make_pack(tmp_path, "(a - y)^({k} - 1) / {k}")) == (0, [])


def test_a_known_mistake_that_is_actually_right_is_reported(tmp_path: Path) -> None:
    code, problems = validate(make_pack(tmp_path, "(a - y)^({k} - 1)"))
    assert code == 1
    assert problems and "not proven wrong" in str(problems[0]["message"])
    assert problems[0]["field"] == "parts[0].mistakes[0].answer"


@pytest.mark.parametrize(
    ("mistake", "of", "field"),
    [
        ("(a - y", "(a - y)^{k} / {k}", "parts[0].mistakes[0].answer"),
        ("2a", "(a - q)^{k}", "parts[0].of"),
    ],
)
def test_an_unreadable_expression_is_reported_with_its_field(
    tmp_path: Path, mistake: str, of: str, field: str
) -> None:
    code, problems = validate(make_pack(tmp_path, mistake, of))
    assert code == 1 and any(p["field"] == field for p in problems), problems


def test_variants_are_stable_per_learner_and_graded_in_their_own_terms(tmp_path: Path) -> None:
    exercise = exercise_of(make_pack(tmp_path, "(a - y)^({k} - 1) / {k}"))
    picks = {key: choose_variant(exercise, key)["k"] for key in ("ada", "bob", "cy", "dee")}
    assert picks == {key: choose_variant(exercise, key)["k"] for key in picks}  # stable
    for key, k in picks.items():
        right = check_exercise(exercise, {"dl-da": f"(a - y)^({k} - 1)"}, key)
        assert right.correct and right.variant == {"k": k}
        wrong = check_exercise(exercise, {"dl-da": f"(a - y)^({k} - 1) / {k}"}, key)
        assert wrong.parts[0].mistake == "known"
        assert wrong.parts[0].feedback == f"You kept the 1/{k}."


def test_a_variant_fills_the_texts_a_learner_sees_part_labels_included(tmp_path: Path) -> None:
    exercise = exercise_of(make_pack(tmp_path, "(a - y)^({k} - 1) / {k}"))
    shown = with_variant(exercise, {"k": "3"})
    assert (shown.title, shown.prompt) == ("A power of 3", "With L = (a - y)^3 / 3, find ∂L/∂a.")
    assert [part.label for part in shown.parts] == ["∂L/∂a of (a - y)^3 / 3"]
    checked = check_exercise(exercise, {"dl-da": "(a - y)^2"}, "any")
    assert checked.parts[0].label == apply_variant(exercise.parts[0].label, checked.variant)


def test_every_variant_value_is_used_by_some_learner(tmp_path: Path) -> None:
    exercise = exercise_of(make_pack(tmp_path, "(a - y)^({k} - 1) / {k}"))
    assert {choose_variant(exercise, f"learner-{n}")["k"] for n in range(60)} == {"2", "3", "4"}


def test_validate_derivation_accepts_the_builtin_exercise() -> None:
    from tutor.core.packs import builtin_pack_dir

    pack = load_pack(builtin_pack_dir())
    assert isinstance(pack, Pack)
    derivations = [i for i in pack.items() if isinstance(i, DerivationExercise)]
    assert derivations and all(validate_derivation(d) == [] for d in derivations)


def test_a_learners_text_is_never_treated_as_a_template(tmp_path: Path) -> None:
    exercise = exercise_of(make_pack(tmp_path, "(a - y)^({k} - 1) / {k}"))
    k = choose_variant(exercise, "ada")["k"]
    result = check_exercise(exercise, {"dl-da": "(a - y)^({k} - 1)"}, "ada")
    assert result.parts[0].status == "invalid", k
