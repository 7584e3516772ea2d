"""Exercises: one TOML file each, of kind `derivation`, `code` or `choice`."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tutor.core.model import (
    EXPECTED_GRADIENTS,
    BuggySolution,
    ChoiceExercise,
    CodeExercise,
    CodeInput,
    DerivationExercise,
    DerivationPart,
    Exercise,
    ExpectedGradients,
    KnownMistake,
    Problem,
    Variable,
)
from tutor.core.packs.files import read_toml, resolve_inside
from tutor.core.packs.schema import Field, TableReader

COMMON_SPEC = {
    "id": Field(str),
    "kind": Field(str, required=True),
    "title": Field(str, required=True),
    "prompt": Field(str, required=True),
    "hints": Field(list, items=str),
}
DERIVATION_SPEC = {
    **COMMON_SPEC,
    "solution": Field(str, required=True),
    "variables": Field(dict, required=True),
    "intermediates": Field(dict),
    "constraints": Field(dict),
    "functions": Field(list, items=str),
    "params": Field(dict),
    "parts": Field(list, required=True, items=dict),
}
PART_SPEC = {
    "id": Field(str),
    "label": Field(str, required=True),
    "of": Field(str),
    "wrt": Field(str),
    "expected": Field(str),
    "mistakes": Field(list, items=dict),
}
MISTAKE_SPEC = {"answer": Field(str, required=True), "feedback": Field(str, required=True)}
CODE_SPEC = {
    **COMMON_SPEC,
    "solution": Field(str, required=True),
    "function": Field(str, required=True),
    "signature": Field(str, required=True),
    "forward": Field(str, required=True),
    "starter": Field(str, required=True),
    "reference": Field(str, required=True),
    "buggy": Field(list, items=dict),
    "dims": Field(dict, required=True),
    "inputs": Field(list, required=True, items=dict),
    "gradients": Field(list, required=True, items=str),
    "constants": Field(dict),
    "learner_forward": Field(str),
    "expected": Field(str),
}
INPUT_SPEC = {
    "name": Field(str, required=True),
    "shape": Field(list, required=True, items=str),
    "low": Field(float),
    "high": Field(float),
    "labels": Field(bool),
    "avoid": Field(list, items=float),
}
BUGGY_SPEC = {"file": Field(str, required=True), "diagnosis": Field(str, required=True)}
CHOICE_SPEC = {
    **COMMON_SPEC,
    "options": Field(list, items=str),
    "correct": Field(list, items=int),
    "answer": Field(float),
    "tolerance": Field(float),
    "explanation": Field(str, required=True),
}

DOMAIN_WORDS = ("real", "positive", "negative", "nonzero", "nonnegative")
_NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)"
DOMAIN_INTERVAL = re.compile(rf"^[\(\[]\s*{_NUMBER}\s*,\s*{_NUMBER}\s*[\)\]]$")
RESERVED_INPUT = "grad_out"
"""The upstream gradient the grader passes after the inputs."""
IDENTIFIER = re.compile(r"^[^\W\d]\w*$")


def load_exercise(path: Path, pack_root: Path) -> Exercise | list[Problem]:
    """An exercise from its TOML file, or every problem found in it."""
    parsed = read_toml(path)
    if isinstance(parsed, Problem):
        return [parsed]
    table, text = parsed
    reader = TableReader(path, text)
    kind = table.get("kind")
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None  # a list is unhashable
    if builder is None:
        kinds = ", ".join(sorted(_BUILDERS))
        found = "it is missing" if kind is None else f"not {kind!r}"
        reader.problem(f"kind must be one of {kinds}; {found}", "kind")
        return reader.problems
    exercise = builder(table, reader, pack_root)
    return reader.problems if reader.problems or exercise is None else exercise


def _common(table: Mapping[str, Any], reader: TableReader) -> dict[str, Any]:
    exercise_id = table.get("id", reader.file.stem)
    reader.check_id(exercise_id, "id")
    return {
        "id": exercise_id,
        "title": table.get("title", ""),
        "prompt": table.get("prompt", ""),
        "hints": tuple(table.get("hints", ())),
        "path": reader.file,
    }


def _build_derivation(
    table: Mapping[str, Any], reader: TableReader, root: Path
) -> DerivationExercise | None:
    if not reader.check(table, DERIVATION_SPEC):
        return None
    variables = _variables(table["variables"], reader)
    intermediates = _string_table(table.get("intermediates", {}), "intermediates", reader)
    constraints = _string_table(table.get("constraints", {}), "constraints", reader)
    _check_symbol_roles(variables, intermediates, constraints, reader)
    names = {v.name for v in variables} | {name for name, _ in intermediates}
    parts = tuple(
        part
        for index, raw in enumerate(table["parts"])
        if (part := _part(raw, index, names, reader)) is not None
    )
    if not table["parts"]:
        reader.problem("a derivation needs at least one part", "parts")
    _check_unique([part.id for part in parts], "parts", "part id", reader)
    return DerivationExercise(
        **_common(table, reader),
        solution=table["solution"],
        variables=variables,
        intermediates=intermediates,
        constraints=constraints,
        functions=tuple(table.get("functions", ())),
        parts=parts,
        params=_params(table.get("params", {}), reader),
    )


def _check_symbol_roles(
    variables: tuple[Variable, ...],
    intermediates: tuple[tuple[str, str], ...],
    constraints: tuple[tuple[str, str], ...],
    reader: TableReader,
) -> None:
    """Each name has one role: a variable, or an intermediate; constraints fix variables."""
    variable_names = {v.name for v in variables}
    for name, _ in intermediates:
        if name in variable_names:
            reader.problem(
                f"'{name}' is both a variable and an intermediate", f"intermediates.{name}"
            )
    for name, _ in constraints:
        if name not in variable_names:
            reader.problem(f"'{name}' is not a declared variable", f"constraints.{name}")


def domain_problem(domain: str) -> str | None:
    """Why `domain` is not a usable variable domain, or None when it is."""
    if domain in DOMAIN_WORDS:
        return None
    match = DOMAIN_INTERVAL.match(domain)
    if not match:
        words = ", ".join(DOMAIN_WORDS)
        return f"unknown domain {domain!r}: use {words} or an interval like '(0, 1)'"
    low, high = (float(bound) for bound in domain.strip("()[] ").split(","))
    if not low < high:
        return f"empty interval {domain!r}: the lower bound must be below the upper"
    return None


def _variables(raw: Mapping[str, Any], reader: TableReader) -> tuple[Variable, ...]:
    variables = []
    for name, domain in _string_table(raw, "variables", reader):
        problem = domain_problem(domain)
        if problem:
            reader.problem(f"{problem} (for '{name}')", f"variables.{name}")
        variables.append(Variable(name, domain))
    if not variables:
        reader.problem("declare at least one variable", "variables")
    return tuple(variables)


def _string_table(
    raw: Mapping[str, Any], where: str, reader: TableReader
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for name, value in raw.items():
        if not IDENTIFIER.match(name):
            reader.problem(f"'{name}' is not a valid symbol name", f"{where}.{name}")
        elif not isinstance(value, str):
            reader.problem(f"must be a string, not {value!r:.40}", f"{where}.{name}")
        else:
            pairs.append((name, value))
    return tuple(pairs)


def _params(raw: Mapping[str, Any], reader: TableReader) -> tuple[tuple[str, tuple[str, ...]], ...]:
    params = []
    for name, values in raw.items():
        if not isinstance(values, list) or not values:
            reader.problem(
                "must be a non-empty list of the values to choose from", f"params.{name}"
            )
            continue
        params.append((name, tuple(str(value) for value in values)))
    return tuple(params)


def _what_is_asked(raw: Mapping[str, Any]) -> str | None:
    """Why a part does not say what it asks for, or None when it does."""
    if ("of" in raw) != ("wrt" in raw):
        missing = "wrt" if "of" in raw else "of"
        return f"'of' and 'wrt' go together: add '{missing}'"
    if "of" in raw and "expected" in raw:
        return "give 'of' and 'wrt' (preferred) or 'expected', not both"
    if "of" not in raw and "expected" not in raw:
        return "say what is asked: 'of' and 'wrt' (preferred) or an explicit 'expected'"
    return None


def _part(raw: Any, index: int, names: set[str], reader: TableReader) -> DerivationPart | None:
    where = f"parts[{index}]."
    if not reader.check(raw, PART_SPEC, where):
        return None
    asked = _what_is_asked(raw)
    if asked is not None:
        reader.problem(asked, where + ("expected" if "expected" in raw else "of"))
        return None
    if "wrt" in raw and raw["wrt"] not in names:
        reader.problem(f"'{raw['wrt']}' is not a declared variable or intermediate", where + "wrt")
    mistakes = tuple(
        KnownMistake(m["answer"], m["feedback"])
        for n, m in enumerate(raw.get("mistakes", ()))
        if reader.check(m, MISTAKE_SPEC, f"{where}mistakes[{n}].")
    )
    part_id = raw.get("id", f"part{index + 1}")
    reader.check_id(part_id, where + "id")
    return DerivationPart(
        part_id, raw["label"], raw.get("of"), raw.get("wrt"), raw.get("expected"), mistakes
    )


def _build_code(table: Mapping[str, Any], reader: TableReader, root: Path) -> CodeExercise | None:
    if not reader.check(table, CODE_SPEC):
        return None
    base = reader.file.parent
    learner_functions = [
        table["function"],
        *([table["learner_forward"]] if "learner_forward" in table else []),
    ]
    starter = _python_file(root, base, table["starter"], "starter", learner_functions, reader)
    reference_names = [table["function"], table["forward"]]
    reference = _python_file(root, base, table["reference"], "reference", reference_names, reader)
    buggy = tuple(
        BuggySolution(path, entry["diagnosis"])
        for n, entry in enumerate(table.get("buggy", ()))
        if reader.check(entry, BUGGY_SPEC, f"buggy[{n}].")
        and (
            path := _python_file(
                root, base, entry["file"], f"buggy[{n}].file", [table["function"]], reader
            )
        )
    )
    expected = _expected_gradients(table.get("expected", "numerical"), reader)
    dims = _dims(table["dims"], reader)
    inputs = _inputs(table["inputs"], {name for name, _ in dims}, reader)
    _check_gradients(table["gradients"], inputs, reader)
    if starter is None or reference is None or expected is None:
        return None
    return CodeExercise(
        **_common(table, reader),
        solution=table["solution"],
        function=table["function"],
        signature=table["signature"],
        forward=table["forward"],
        starter=starter,
        reference=reference,
        buggy=buggy,
        dims=dims,
        inputs=inputs,
        gradients=tuple(table["gradients"]),
        constants=_constants(table.get("constants", {}), reader),
        learner_forward=table.get("learner_forward"),
        expected=expected,
    )


def _expected_gradients(value: str, reader: TableReader) -> ExpectedGradients | None:
    """The code exercise's `expected`, or None (with a problem) when it is not a known mode."""
    for mode in EXPECTED_GRADIENTS:
        if value == mode:
            return mode
    reader.problem(
        f"must be 'numerical' (gradients of the reference forward, the default) or "
        f"'reference' (what the reference backward returns), not {value!r:.40}",
        "expected",
    )
    return None


def _python_file(
    root: Path, base: Path, reference: str, field: str, must_define: list[str], reader: TableReader
) -> Path | None:
    """Resolve a Python file and check, without running it, that it defines `must_define`."""
    target = resolve_inside(root, base, reference)
    if isinstance(target, str):
        reader.problem(target, field)
        return None
    try:
        tree = ast.parse(target.read_text(encoding="utf-8"), filename=str(target))
    except (SyntaxError, UnicodeDecodeError, ValueError) as error:
        reader.problem(f"'{reference}' is not valid Python: {error}", field)
        return None
    except OSError as error:
        reader.problem(f"cannot read '{reference}': {error.strerror or error}", field)
        return None
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in must_define:
        if name not in defined:
            reader.problem(f"'{reference}' does not define a function '{name}'", field)
    return target


def _constants(raw: Mapping[str, Any], reader: TableReader) -> tuple[tuple[str, float], ...]:
    constants = []
    for name, value in raw.items():
        if not IDENTIFIER.match(name):
            reader.problem(f"'{name}' is not a valid name", f"constants.{name}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            reader.problem(f"must be a number, not {value!r:.40}", f"constants.{name}")
        else:
            constants.append((name, float(value)))
    return tuple(constants)


def _dims(raw: Mapping[str, Any], reader: TableReader) -> tuple[tuple[str, int], ...]:
    dims = []
    for name, size in raw.items():
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 4096:
            reader.problem(f"size of '{name}' must be an integer from 1 to 4096", f"dims.{name}")
        else:
            dims.append((name, size))
    return tuple(dims)


def _inputs(raw: list[Any], dim_names: set[str], reader: TableReader) -> tuple[CodeInput, ...]:
    inputs = []
    for index, entry in enumerate(raw):
        where = f"inputs[{index}]."
        if not reader.check(entry, INPUT_SPEC, where):
            continue
        for dim in entry["shape"]:
            if dim not in dim_names:
                reader.problem(f"dimension '{dim}' is not declared in [dims]", where + "shape")
        if entry.get("low", -1.0) >= entry.get("high", 1.0):
            reader.problem("'low' must be below 'high'", where + "low")
        if entry.get("labels") and "high" not in entry:
            reader.problem("integer labels need 'high': the number of classes", where + "labels")
        if entry["name"] == RESERVED_INPUT:
            reader.problem(
                f"'{RESERVED_INPUT}' is passed to backward by the grader", where + "name"
            )
        inputs.append(
            CodeInput(
                name=entry["name"],
                shape=tuple(entry["shape"]),
                low=float(entry.get("low", -1.0)),
                high=float(entry.get("high", 1.0)),
                labels=entry.get("labels", False),
                avoid=tuple(float(v) for v in entry.get("avoid", ())),
            )
        )
    _check_unique([i.name for i in inputs], "inputs", "input name", reader)
    return tuple(inputs)


def _check_unique(values: list[str], field: str, what: str, reader: TableReader) -> None:
    for value in sorted({v for v in values if values.count(v) > 1}):
        reader.problem(f"{what} '{value}' is used more than once", field)


def _check_gradients(
    gradients: list[str], inputs: tuple[CodeInput, ...], reader: TableReader
) -> None:
    by_name = {i.name: i for i in inputs}
    if not gradients:
        reader.problem("list the input each returned gradient belongs to", "gradients")
    for name in gradients:
        if name not in by_name:
            reader.problem(f"'{name}' is not one of the declared inputs", "gradients")
        elif by_name[name].labels:
            reader.problem(f"'{name}' holds integer labels, which have no gradient", "gradients")
    _check_unique(gradients, "gradients", "gradient of", reader)


def _build_choice(
    table: Mapping[str, Any], reader: TableReader, root: Path
) -> ChoiceExercise | None:
    if not reader.check(table, CHOICE_SPEC):
        return None
    options = tuple(table.get("options", ()))
    correct = tuple(table.get("correct", ()))
    numeric = table.get("answer")
    if bool(options) == (numeric is not None):
        reader.problem("give either 'options' with 'correct', or a numeric 'answer'", "options")
    if options and not correct:
        reader.problem("say which options are right, e.g. correct = [1]", "correct")
    for index in correct:
        if not 0 <= index < len(options):
            reader.problem(
                f"option index {index} does not exist (0 to {len(options) - 1})", "correct"
            )
    _check_unique([str(index) for index in correct], "correct", "option index", reader)
    if "tolerance" in table and (options or table["tolerance"] < 0):
        reader.problem("'tolerance' is for numeric answers and must be ≥ 0", "tolerance")
    return ChoiceExercise(
        **_common(table, reader),
        options=options,
        correct=correct,
        numeric_answer=None if numeric is None else float(numeric),
        tolerance=float(table.get("tolerance", 1e-3)),
        explanation=table["explanation"],
    )


_BUILDERS: dict[str, Callable[[Mapping[str, Any], TableReader, Path], Exercise | None]] = {
    "derivation": _build_derivation,
    "code": _build_code,
    "choice": _build_choice,
}
