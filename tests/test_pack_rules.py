"""Authoring rules beyond the fixture table: each edit of a valid pack gives one clear problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.core.model import Lesson, Pack
from tutor.core.packs import load_pack

VALID = Path(__file__).resolve().parent / "fixtures" / "packs" / "valid"
DERIVATION = "exercises/sigmoid-neuron.toml"
CODE = "exercises/scale-backward.toml"
CHOICE = "exercises/why-not-zero.toml"

# (file, text to replace, replacement, distinctive part of the one problem expected)
EDITS = [
    (DERIVATION, 'b = "[-2, 2]"', 'b = "[2, -2]"', "empty interval '[2, -2]'"),
    (CHOICE, "correct = [1]", "correct = [1, 1]", "option index '1' is used more than once"),
    (CHOICE, "correct = [1]", "correct = [1]\ntolerance = 0.1", "'tolerance' is for numeric"),
    (
        CODE,
        "[[buggy]]",
        '[[inputs]]\nname = "x"\nshape = ["D"]\n\n[[buggy]]',
        "input name 'x' is used",
    ),
    (
        CODE,
        "[[buggy]]",
        '[[inputs]]\nname = "grad_out"\nshape = ["D"]\n\n[[buggy]]',
        "'grad_out' is passed",
    ),
    (CODE, "low = 0.5", "low = 5.0", "'low' must be below 'high'"),
    ("pack.toml", "format_version = 1", 'format_version = "1"', "write format_version = 1"),
    (
        DERIVATION,
        "[variables]",
        '[constraints]\nq = "1 - x"\n\n[variables]',
        "'q' is not a declared",
    ),
    (DERIVATION, 'x = "real"', 'x = "real"\nz = "real"', "'z' is both a variable and"),
]


def copy_valid(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(VALID, root)
    return root


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_unedited_copy_is_valid(tmp_path: Path) -> None:
    assert isinstance(load_pack(copy_valid(tmp_path)), Pack)


@pytest.mark.parametrize(("file", "old", "new", "message"), EDITS, ids=[e[3] for e in EDITS])
def test_edit_gives_one_clear_problem(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    root = copy_valid(tmp_path)
    edit(root, file, old, new)
    problems = load_pack(root)
    assert isinstance(problems, list)
    assert [str(p) for p in problems if message in p.message] == [str(p) for p in problems]
    assert len(problems) == 1 and problems[0].file.name == Path(file).name


def test_a_comment_in_a_code_block_is_not_the_lesson_title(tmp_path: Path) -> None:
    root = copy_valid(tmp_path)
    edit(
        root,
        "lessons/neuron.md",
        '+++\nid = "neuron"\n+++\n# One neuron\n',
        "```python\n# not a title\n```\n# One neuron\n",
    )
    pack = load_pack(root)
    assert isinstance(pack, Pack)
    lesson = next(item for item in pack.items() if isinstance(item, Lesson))
    assert lesson.title == "One neuron"
