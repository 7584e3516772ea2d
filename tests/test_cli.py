"""The command line as scripts and people use it: arguments, exit codes, text and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.core.progress import Attempt, ProgressStore

COMMANDS = ("list", "show", "progress", "pack")


def run_cli(
    *args: str, data_dir: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess, as a person or script runs it."""
    env = {k: v for k, v in os.environ.items() if k != "BACKPROP_TUTOR_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=60,
    )


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def attempt(item_id: str, score: float, pack_id: str = "core") -> Attempt:
    return Attempt(
        pack_id, "0.1.0", item_id, "choice", "1", "correct" if score else "incorrect", score, 1.5
    )


def test_help_documents_every_command(tmp_path: Path) -> None:
    result = run_cli("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    for option in ("--json", "--pack", "--data-dir", "--version"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "x"],
        ["progress"],
        ["progress", "export", "f"],
        ["progress", "reset"],
        ["pack", "list"],
        ["pack", "validate", "d"],
    ],
)
def test_every_subcommand_takes_the_shared_options(args: list[str]) -> None:
    from tutor.commands.parser import build_parser

    parsed = build_parser().parse_args([*args, "--json", "--data-dir", "d"])
    assert parsed.json is True and parsed.data_dir == "d"


def test_version(tmp_path: Path) -> None:
    from tutor import __version__

    result = run_cli("--version", data_dir=tmp_path)
    assert result.returncode == 0 and __version__ in result.stdout


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = run_cli("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_list_json_has_every_builtin_item(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    items = run_json(capsys, "list", "--data-dir", str(tmp_path))
    assert isinstance(items, list)
    kinds = {entry["kind"] for entry in items}
    assert kinds == {"lesson", "derivation", "code", "choice"}
    for entry in items:
        assert {"id", "pack", "kind", "title", "status"} <= entry.keys()
        assert entry["status"] == "not_started"


def test_list_ids_are_accepted_by_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    items = run_json(capsys, "list", "--data-dir", str(tmp_path))
    assert isinstance(items, list)
    for entry in items:
        shown = run_json(capsys, "show", entry["id"], "--data-dir", str(tmp_path))
        assert isinstance(shown, dict)
        assert shown["id"] == entry["id"] and shown["title"] == entry["title"]


def test_list_shows_recorded_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.record_attempt(attempt("backprop-vs-descent", 1.0))
        store.record_attempt(attempt("chain-rule-three-steps", 0.0))
    items = run_json(capsys, "list", "--data-dir", str(tmp_path))
    assert isinstance(items, list)
    status = {entry["id"]: entry["status"] for entry in items}
    assert status["core/backprop-vs-descent"] == "done"
    assert status["core/chain-rule-three-steps"] == "in_progress"
    assert status["core/linear-backward"] == "not_started"


def test_list_filters_by_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    everything = run_json(capsys, "list", "--data-dir", str(tmp_path))
    items = run_json(capsys, "list", "--kind", "code", "--data-dir", str(tmp_path))
    assert isinstance(everything, list) and isinstance(items, list)
    code = [entry["id"] for entry in everything if entry["kind"] == "code"]
    # The built-in pack grows; the filter must keep exactly its code exercises, in order.
    assert "core/linear-backward" in code and len(code) < len(everything)
    assert [entry["id"] for entry in items] == code


def test_show_code_exercise_includes_starter_and_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shown = run_json(capsys, "show", "core/linear-backward", "--data-dir", str(tmp_path))
    assert isinstance(shown, dict)
    assert shown["signature"].startswith("linear_backward(")
    assert "def linear_backward" in shown["starter"] and "TODO" in shown["starter"]


def test_show_accepts_a_unique_bare_id(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shown = run_json(capsys, "show", "linear-backward", "--data-dir", str(tmp_path))
    assert shown["id"] == "core/linear-backward"  # type: ignore[index]


def test_show_text_renders_the_lesson(tmp_path: Path) -> None:
    result = run_cli("show", "core/chain-rule", data_dir=tmp_path)
    assert result.returncode == 0
    assert "The chain rule on a computational graph" in result.stdout
    assert "dc/dx" in result.stdout


def test_show_unknown_id_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("show", "core/nope", data_dir=tmp_path)
    assert result.returncode == 2
    assert "no lesson or exercise 'core/nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("list", data_dir=blocker / "data")
    assert result.returncode == 2
    assert str(blocker) in result.stderr and "Traceback" not in result.stderr


def test_data_dir_from_environment(tmp_path: Path) -> None:
    env = {**os.environ, "BACKPROP_TUTOR_HOME": str(tmp_path / "home")}
    subprocess.run(
        [sys.executable, "-m", "tutor", "list", "--json"], env=env, check=True, capture_output=True
    )
    assert (tmp_path / "home" / "progress.sqlite3").is_file()


def test_progress_json_and_export_round_trip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.record_attempt(attempt("backprop-vs-descent", 1.0))
        store.set_last_position("core", "backprop-vs-descent")
    summary = run_json(capsys, "progress", "--data-dir", str(tmp_path))
    assert isinstance(summary, dict)
    assert summary["last_position"] == "core/backprop-vs-descent"
    done = [item["id"] for item in summary["items"] if item["status"] == "done"]
    assert done == ["core/backprop-vs-descent"]
    target = tmp_path / "export.json"
    assert main(["progress", "export", str(target), "--data-dir", str(tmp_path)]) == 0
    exported = json.loads(target.read_text())
    assert [a["item_id"] for a in exported["attempts"]] == ["backprop-vs-descent"]


def test_progress_survives_an_exercise_renamed_away(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.record_attempt(attempt("an-exercise-that-was-renamed", 1.0))
    for args in (["list"], ["progress"], ["progress", "export", str(tmp_path / "e.json")]):
        result = run_cli(*args, data_dir=tmp_path)
        assert result.returncode == 0, result.stderr


def test_reset_asks_first_and_refuses_without_a_terminal(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.record_attempt(attempt("backprop-vs-descent", 1.0))
    result = run_cli("progress", "reset", data_dir=tmp_path, stdin="")
    assert result.returncode == 2 and "--yes" in result.stderr
    with ProgressStore.open(tmp_path) as store:
        assert len(store.attempts()) == 1


def test_reset_one_pack_keeps_the_others(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.record_attempt(attempt("backprop-vs-descent", 1.0))
        store.record_attempt(attempt("other-item", 1.0, pack_id="other"))
    result = run_cli("progress", "reset", "--pack", "core", "--yes", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    with ProgressStore.open(tmp_path) as store:
        assert [a.pack_id for a in store.attempts()] == ["other"]


def test_pack_list_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    packs = run_json(capsys, "pack", "list", "--data-dir", str(tmp_path))
    assert isinstance(packs, list)
    core = next(pack for pack in packs if pack["id"] == "core")
    assert core["source"] == "builtin"
    assert {"id", "title", "version", "path", "source"} <= core.keys()
    assert (Path(core["path"]) / "pack.toml").is_file()


def test_builtin_pack_validates(tmp_path: Path) -> None:
    from tutor.core.packs import builtin_pack_dir

    result = run_cli("pack", "validate", str(builtin_pack_dir()), data_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "ok: pack 'core'" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    # `backprop-tutor list --json | head -1` where head has already gone: the first write fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tutor", "list", "--json", "--data-dir", str(tmp_path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert "Traceback" not in result.stderr


APP_STARTS = [
    ([], None, []),
    (["--data-dir", "d"], "d", []),
    (["--pack", "a", "--pack=b", "--data-dir=d"], "d", ["a", "b"]),
    (["--data-dir", "d", "--data-dir=e"], "e", []),
]
"""Ways to start the app: its arguments, the data folder and the packs they name."""


@pytest.mark.parametrize(("args", "data_dir", "packs"), APP_STARTS)
def test_starting_the_app_is_recognised_without_the_full_parser(
    args: list[str], data_dir: str | None, packs: list[str]
) -> None:
    from tutor.cli import _app_context

    context = _app_context(args)
    assert context is not None
    assert context.data_dir_option == data_dir
    assert context.pack_dirs == tuple(Path(folder) for folder in packs)


@pytest.mark.parametrize(("args", "data_dir", "packs"), APP_STARTS)
def test_the_quick_reading_agrees_with_the_full_parser(
    args: list[str], data_dir: str | None, packs: list[str]
) -> None:
    from tutor.cli import _app_context
    from tutor.commands.context import Context
    from tutor.commands.parser import build_parser

    parsed = build_parser().parse_args(args)
    assert parsed.command is None
    assert _app_context(args) == Context.from_args(parsed)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--help"],
        ["--version"],
        ["--pack"],
        ["--pack", "--json"],
        ["--data"],
        ["--data-dir", "d", "show", "x"],
        ["--", "list"],
    ],
)
def test_anything_else_goes_to_the_full_parser(args: list[str]) -> None:
    from tutor.cli import _app_context

    assert _app_context(args) is None


def test_starting_the_app_imports_neither_argparse_nor_the_commands() -> None:
    code = (
        "import sys\n"
        "from tutor.cli import _app_context\n"
        "assert _app_context(['--data-dir', 'd']) is not None\n"
        "print(sorted(m for m in ('argparse', 'tutor.commands.items', 'tutor.commands.parser')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_broken_app_option_gets_the_full_parsers_message(tmp_path: Path) -> None:
    result = run_cli("--pack", data_dir=tmp_path)
    assert result.returncode == 2
    assert "argument --pack: expected one argument" in result.stderr
    assert "usage: backprop-tutor" in result.stderr and "COMMAND" in result.stderr
