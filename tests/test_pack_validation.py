"""Loading and validating packs: a valid pack, and packs broken in exactly one way each.

Every folder under tests/fixtures/packs/ except `valid/` is a copy of `valid/` with one thing
broken (tests/fixtures/packs/README.md says what). `CASES` lists every problem each of them
must produce: the file it points to, the field, part of the sentence and the line. The table
is checked through the real command line (`pack validate`, in a subprocess) and, in finer
detail, through `load_pack` itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tutor.core.model import (
    ChoiceExercise,
    CodeExercise,
    DerivationExercise,
    Lesson,
    Pack,
    Problem,
)
from tutor.core.packs import builtin_pack_dir, load_pack

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "packs"
VALID = FIXTURES / "valid"
MANIFEST = "pack.toml"
DERIVATION = "exercises/sigmoid-neuron.toml"
CODE = "exercises/scale-backward.toml"
CHOICE = "exercises/why-not-zero.toml"
LESSON = "lessons/neuron.md"


class Case(NamedTuple):
    """One problem a broken fixture must produce."""

    fixture: str
    file: str
    """The file the problem points to, relative to the fixture folder."""
    field: str | None
    message: str
    """A distinctive part of the sentence."""
    line: int | None
    """The line the problem points to; None where the loader cannot know it."""


CASES = [
    Case("bad-toml-manifest", MANIFEST, None, "invalid TOML", 5),
    Case("bad-toml-exercise", CHOICE, None, "invalid TOML", 11),
    Case("unknown-field", MANIFEST, "tittle", "unknown field 'tittle': did you mean 'title'?", 5),
    # A typo is also a missing field; the top-level `title` must not be confused with a unit's.
    Case("unknown-field", MANIFEST, "title", "missing required field 'title'", None),
    Case("missing-field", MANIFEST, "version", "missing required field 'version'", None),
    Case("wrong-type", MANIFEST, "version", "must be a string, not int 1", 6),
    Case("format-version", MANIFEST, "format_version", "unknown format_version 2", 3),
    Case("invalid-id", CODE, "id", "invalid id 'Scale backward': use 1-64 lowercase", 1),
    Case("duplicate-item-id", CHOICE, "id", "id 'scale-backward' is already used by", None),
    Case("duplicate-unit-id", MANIFEST, "units[1].id", "unit id 'neuron' is used twice", 19),
    Case("item-listed-twice", MANIFEST, "units[1].items", "is listed more than once", 21),
    Case("missing-item-file", MANIFEST, "units[0].items", "'lessons/neurons.md' does not", 13),
    Case("missing-reference", CODE, "reference", "'scale_solution.py' does not exist", 20),
    Case("buggy-missing", CODE, "buggy[1].file", "'scale_buggy_batch.py' does not exist", 42),
    Case("escapes-pack", MANIFEST, "units[0].items", "points outside the pack folder", 13),
    Case("absolute-path", CODE, "starter", "must be a relative path inside the pack folder", 19),
    Case("nul-in-path", CODE, "starter", "is not a usable path", 19),
    Case(
        "reference-missing-function",
        CODE,
        "reference",
        "'scale_reference.py' does not define a function 'scale_backward'",
        20,
    ),
    Case("reference-syntax-error", CODE, "reference", "is not valid Python: unmatched ')'", 20),
    Case("bad-expected", CODE, "expected", "must be 'numerical' (gradients of the", 22),
    Case("bad-domain", DERIVATION, "variables.w", "unknown domain 'positve': use real", 15),
    Case("of-and-expected", DERIVATION, "parts[1].expected", "'expected', not both", 33),
    Case("undeclared-wrt", DERIVATION, "parts[1].wrt", "'y' is not a declared variable", 32),
    Case("choice-out-of-range", CHOICE, "correct", "option index 3 does not exist (0 to 2)", 10),
    Case("unknown-kind", CHOICE, "kind", "kind must be one of choice, code, derivation", 2),
    Case("kind-not-string", CHOICE, "kind", "kind must be one of choice, code, derivation", 2),
    Case("lesson-no-title", LESSON, None, "lesson has no title", None),
    Case("non-utf8", LESSON, None, "file is not UTF-8 text", None),
    Case("no-manifest", ".", None, "not a pack: a pack folder needs a pack.toml", None),
]
BROKEN = sorted({case.fixture for case in CASES})


def case_id(case: Case) -> str:
    return f"{case.fixture}-{case.field}" if case.fixture == "unknown-field" else case.fixture


def matching(problems: list[dict[str, Any]], case: Case) -> list[dict[str, Any]]:
    """The problems (as JSON-ready dicts) that are the one `case` describes."""
    expected_file = FIXTURES / case.fixture / case.file
    return [
        p
        for p in problems
        if Path(p["file"]).resolve() == expected_file
        and p["field"] == case.field
        and case.message in p["message"]
    ]


def as_dict(problem: Problem) -> dict[str, Any]:
    return {
        "file": str(problem.file),
        "field": problem.field,
        "message": problem.message,
        "line": problem.line,
    }


def validate(*dirs: Path, data_dir: Path, json_output: bool) -> subprocess.CompletedProcess[str]:
    """`backprop-tutor pack validate DIR…` in a fresh process, as a person would run it."""
    command = [sys.executable, "-m", "tutor", "pack", "validate", *map(str, dirs)]
    command += ["--data-dir", str(data_dir)] + (["--json"] if json_output else [])
    env = os.environ | {"BACKPROP_TUTOR_HOME": str(data_dir)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


# --- the table, through the real command line -------------------------------------------


def test_every_fixture_folder_has_a_row() -> None:
    folders = {child.name for child in FIXTURES.iterdir() if child.is_dir()}
    assert folders == {*BROKEN, "valid"}


@pytest.mark.parametrize("fixture", BROKEN)
def test_cli_json_reports_each_problem_and_exits_1(fixture: str, tmp_path: Path) -> None:
    result = validate(FIXTURES / fixture, data_dir=tmp_path, json_output=True)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["valid"] is False
    cases = [case for case in CASES if case.fixture == fixture]
    assert len(entry["problems"]) == len(cases), entry["problems"]
    for case in cases:
        [problem] = matching(entry["problems"], case)
        assert problem["line"] == case.line


def test_cli_text_names_file_line_and_sentence_without_traceback(tmp_path: Path) -> None:
    # All at once, with the valid pack in the middle: one broken pack hides nothing.
    dirs = [FIXTURES / name for name in BROKEN[:5]] + [VALID] + [FIXTURES / n for n in BROKEN[5:]]
    result = validate(*dirs, data_dir=tmp_path, json_output=False)

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"{VALID}: ok: pack 'mini' 1.0.0, 1 lessons, 3 exercises" in lines
    for fixture in BROKEN:
        count = sum(case.fixture == fixture for case in CASES)
        assert f"{FIXTURES / fixture}: {count} problem(s)" in lines
    for case in CASES:
        where = f"{FIXTURES / case.fixture / case.file}" + (f":{case.line}" if case.line else "")
        prefix = f"  {where}: " + (f"{case.field}: " if case.field else "")
        assert any(line.startswith(prefix) and case.message in line for line in lines), prefix


def test_cli_valid_fixture_and_builtin_pack_exit_0(tmp_path: Path) -> None:
    result = validate(VALID, builtin_pack_dir(), data_dir=tmp_path, json_output=True)

    assert result.returncode == 0, result.stdout + result.stderr
    valid, builtin = json.loads(result.stdout)
    assert (valid["valid"], valid["problems"], valid["pack"]["id"]) == (True, [], "mini")
    assert (builtin["valid"], builtin["problems"], builtin["pack"]["id"]) == (True, [], "core")
    assert (valid["pack"]["lessons"], valid["pack"]["exercises"]) == (1, 3)


def test_cli_json_one_broken_pack_does_not_hide_the_valid_one(tmp_path: Path) -> None:
    result = validate(FIXTURES / "bad-toml-manifest", VALID, data_dir=tmp_path, json_output=True)

    assert result.returncode == 1
    broken, valid = json.loads(result.stdout)
    assert (broken["valid"], valid["valid"]) == (False, True)
    assert valid["pack"]["id"] == "mini"


# --- the table, through load_pack ----------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_load_pack_reports_the_problem(case: Case) -> None:
    problems = load_pack(FIXTURES / case.fixture)

    assert isinstance(problems, list), f"{case.fixture} loaded without problems"
    assert all(isinstance(p, Problem) for p in problems)
    found = matching([as_dict(p) for p in problems], case)
    assert len(found) == 1, [str(p) for p in problems]
    assert found[0]["line"] == case.line


@pytest.mark.parametrize("fixture", BROKEN)
def test_each_fixture_is_broken_in_only_the_listed_ways(fixture: str) -> None:
    problems = load_pack(FIXTURES / fixture)

    assert isinstance(problems, list)
    assert len(problems) == sum(case.fixture == fixture for case in CASES), problems


def test_duplicate_item_id_names_both_files() -> None:
    [problem] = load_pack(FIXTURES / "duplicate-item-id")  # type: ignore[misc]

    assert str(FIXTURES / "duplicate-item-id" / CODE) in problem.message


def test_python_syntax_error_says_which_line_of_the_python_file() -> None:
    [problem] = load_pack(FIXTURES / "reference-syntax-error")  # type: ignore[misc]

    assert "(scale_reference.py, line 8)" in problem.message


def test_pack_folder_that_does_not_exist(tmp_path: Path) -> None:
    [problem] = load_pack(tmp_path / "nowhere")  # type: ignore[misc]

    assert problem.file == tmp_path / "nowhere"
    assert "does not exist" in problem.message


# --- the valid packs -----------------------------------------------------------------


def load_valid() -> Pack:
    pack = load_pack(VALID, source="cli")
    assert isinstance(pack, Pack), [str(p) for p in pack]
    return pack


def test_valid_fixture_loads_every_kind_of_item() -> None:
    pack = load_valid()

    assert (pack.id, pack.title, pack.version) == ("mini", "A mini pack", "1.0.0")
    assert pack.source == "cli"
    assert pack.authors == ("Test Author",)
    assert pack.root == VALID
    assert [unit.id for unit in pack.units] == ["neuron", "backward"]
    lesson, derivation, code, choice = pack.items()
    assert isinstance(lesson, Lesson)
    assert (lesson.id, lesson.title) == ("neuron", "One neuron")
    assert not lesson.body.startswith("+++")
    assert isinstance(derivation, DerivationExercise)
    assert [(v.name, v.domain) for v in derivation.variables] == [
        ("w", "real"),
        ("x", "real"),
        ("b", "[-2, 2]"),
    ]
    assert derivation.intermediates == (("z", "w*x + b"),)
    assert [(p.id, p.of, p.wrt, len(p.mistakes)) for p in derivation.parts] == [
        ("da-dz", "sigma(z)", "z", 0),
        ("da-dw", "sigma(z)", "w", 1),
    ]
    assert isinstance(code, CodeExercise)
    assert code.reference == VALID / "exercises" / "scale_reference.py"
    assert [(b.path.name, b.diagnosis) for b in code.buggy] == [
        ("scale_buggy_sign.py", "sign"),
        ("scale_buggy_no_batch_sum.py", "batch"),
    ]
    assert code.dims == (("N", 4), ("D", 3))
    assert [(i.name, i.shape, i.low, i.high) for i in code.inputs] == [
        ("x", ("N", "D"), -1.0, 1.0),
        ("w", ("D",), 0.5, 2.0),
    ]
    assert "TODO" in code.starter_code()
    assert isinstance(choice, ChoiceExercise)
    assert (len(choice.options), choice.correct, choice.numeric_answer) == (3, (1,), None)
    assert pack.unit_of("why-not-zero") == pack.units[1]


def test_builtin_pack_loads() -> None:
    pack = load_pack(builtin_pack_dir(), source="builtin")

    assert isinstance(pack, Pack), [str(p) for p in pack]
    assert (pack.id, pack.source) == ("core", "builtin")
    assert {item.kind for item in pack.items()} == {"lesson", "derivation", "code", "choice"}


# Each getter picks one model object out of the valid pack.
MODELS: dict[str, Callable[[Pack], object]] = {
    "pack": lambda pack: pack,
    "unit": lambda pack: pack.units[0],
    "lesson": lambda pack: pack.items()[0],
    "derivation": lambda pack: pack.items()[1],
    "variable": lambda pack: pack.items()[1].variables[0],  # type: ignore[union-attr]
    "part": lambda pack: pack.items()[1].parts[1],  # type: ignore[union-attr]
    "mistake": lambda pack: pack.items()[1].parts[1].mistakes[0],  # type: ignore[union-attr]
    "code": lambda pack: pack.items()[2],
    "input": lambda pack: pack.items()[2].inputs[0],  # type: ignore[union-attr]
    "buggy": lambda pack: pack.items()[2].buggy[0],  # type: ignore[union-attr]
    "choice": lambda pack: pack.items()[3],
}


@pytest.mark.parametrize("name", MODELS)
def test_loaded_models_are_immutable(name: str) -> None:
    model = MODELS[name](load_valid())

    for name in model.__struct_fields__:
        with pytest.raises(AttributeError, match="immutable"):
            setattr(model, name, None)
        # Collections are tuples, so nothing inside a model can be changed in place either.
        assert not isinstance(getattr(model, name), list | dict | set)


# --- symlinks --------------------------------------------------------------------------


def copy_valid(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(VALID, pack)
    return pack


def test_symlinked_lesson_pointing_outside_is_refused(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    outside = tmp_path / "outside.md"
    shutil.copy(pack / LESSON, outside)
    (pack / LESSON).unlink()
    (pack / LESSON).symlink_to(outside)

    [problem] = load_pack(pack)  # type: ignore[misc]

    assert (problem.file, problem.field) == (pack / MANIFEST, "units[0].items")
    assert f"'{LESSON}' points outside the pack folder" in problem.message


def test_symlinked_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    shutil.move(pack / "lessons", tmp_path / "elsewhere")
    (pack / "lessons").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    [problem] = load_pack(pack)  # type: ignore[misc]

    assert "points outside the pack folder" in problem.message


def test_symlinked_starter_pointing_outside_is_refused(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    starter = pack / "exercises" / "scale_starter.py"
    shutil.copy(starter, tmp_path / "starter.py")
    starter.unlink()
    starter.symlink_to(tmp_path / "starter.py")

    [problem] = load_pack(pack)  # type: ignore[misc]

    assert (problem.file, problem.field, problem.line) == (pack / CODE, "starter", 19)
    assert "points outside the pack folder" in problem.message


def test_symlink_inside_the_pack_is_fine(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    shutil.move(pack / LESSON, pack / "lessons" / "real.md")
    (pack / LESSON).symlink_to("real.md")

    assert isinstance(load_pack(pack), Pack)


def test_symlink_loop_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    (pack / LESSON).unlink()
    (pack / LESSON).symlink_to("neuron.md")

    [problem] = load_pack(pack)  # type: ignore[misc]

    assert problem.field == "units[0].items"
    assert LESSON in problem.message
