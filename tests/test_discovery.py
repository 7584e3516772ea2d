"""Finding packs: built in, `--pack DIR`, the user data dir and installed entry points.

Real folders in tmp_path; the command line runs in a subprocess where what a person sees
(`pack list`, `list`, `show`, warnings on stderr, exit codes) is the point, and `discover`
is called directly where a subprocess would add nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tutor.core.model import qualified_id
from tutor.core.packs import ENTRY_POINT_GROUP, builtin_pack_dir, discover

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "packs"
VALID = FIXTURES / "valid"
VALID_ITEMS = ["neuron", "sigmoid-neuron", "scale-backward", "why-not-zero"]


def make_pack(folder: Path, pack_id: str) -> Path:
    """A copy of the valid fixture pack in `folder`, with id `pack_id`."""
    shutil.copytree(VALID, folder)
    manifest = folder / "pack.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('id = "mini"', f'id = "{pack_id}"', 1), encoding="utf-8")
    return folder


def make_distribution(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """An installed distribution in `site` (a sys.path entry) registering pack entry points."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    (info / "METADATA").write_text(metadata, encoding="utf-8")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_cli(
    *args: str | Path, data_dir: Path, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`backprop-tutor ARGS --data-dir DATA_DIR` in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["BACKPROP_TUTOR_HOME"] = str(data_dir)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, "-m", "tutor", *map(str, args), "--data-dir", str(data_dir)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def list_packs(
    *args: str | Path, data_dir: Path, pythonpath: Path | None = None
) -> tuple[dict[str, dict[str, Any]], str]:
    """`pack list --json`: returns (packs by id, stderr)."""
    result = run_cli("pack", "list", "--json", *args, data_dir=data_dir, pythonpath=pythonpath)
    assert result.returncode == 0, result.stderr
    packs = json.loads(result.stdout)
    return {pack["id"]: pack for pack in packs}, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


# --- each source, through the command line -------------------------------------------


def test_pack_option_is_repeatable(tmp_path: Path, data_dir: Path) -> None:
    alpha = make_pack(tmp_path / "alpha", "alpha")
    beta = make_pack(tmp_path / "beta", "beta")

    packs, _ = list_packs("--pack", alpha, "--pack", beta, data_dir=data_dir)

    assert (packs["alpha"]["source"], packs["alpha"]["path"]) == ("cli", str(alpha))
    assert (packs["beta"]["source"], packs["beta"]["path"]) == ("cli", str(beta))
    assert packs["core"]["source"] == "builtin"


def test_pack_option_on_both_sides_of_the_command(tmp_path: Path, data_dir: Path) -> None:
    alpha = make_pack(tmp_path / "alpha", "alpha")
    beta = make_pack(tmp_path / "beta", "beta")

    result = run_cli("--pack", alpha, "pack", "list", "--json", "--pack", beta, data_dir=data_dir)

    assert {"alpha", "beta"} <= {pack["id"] for pack in json.loads(result.stdout)}


def test_pack_in_the_user_data_dir(data_dir: Path) -> None:
    user_pack = make_pack(data_dir / "packs" / "x", "mini")

    packs, stderr = list_packs(data_dir=data_dir)

    assert (packs["mini"]["source"], packs["mini"]["path"]) == ("user", str(user_pack))
    assert stderr == ""


def test_installed_entry_point_pack(tmp_path: Path, data_dir: Path) -> None:
    site = tmp_path / "site"
    make_distribution(site, "fakepack", {"fake": "fake_course"})
    package = make_pack(site / "fake_course", "fake")
    (package / "__init__.py").write_text('"""A course installed as a Python package."""\n')

    packs, stderr = list_packs(data_dir=data_dir, pythonpath=site)
    listed = run_cli("list", "--json", data_dir=data_dir, pythonpath=site)

    assert (packs["fake"]["source"], packs["fake"]["path"]) == ("entry-point", str(package))
    assert stderr == ""
    assert listed.returncode == 0, listed.stderr
    ids = [row["id"] for row in json.loads(listed.stdout)]
    assert [i for i in ids if i.startswith("fake/")] == [f"fake/{item}" for item in VALID_ITEMS]


def test_entry_point_that_cannot_be_used_is_a_warning(tmp_path: Path, data_dir: Path) -> None:
    site = tmp_path / "site"
    entry_points = {"ghost": "no_such_course_module", "plain": "plain_module"}
    make_distribution(site, "brokenpacks", entry_points)
    (site / "plain_module.py").write_text("COURSE = 'a module, not a package folder'\n")

    packs, stderr = list_packs(data_dir=data_dir, pythonpath=site)

    assert list(packs) == ["core"]
    warnings = stderr.splitlines()
    assert len(warnings) == 2, stderr
    ghost = next(line for line in warnings if "ghost" in line)
    assert ghost.startswith("warning: skipped: ")
    assert "module 'no_such_course_module' is not installed" in ghost
    plain = next(line for line in warnings if "plain" in line)
    assert "'plain_module' must be a package folder holding pack.toml" in plain


def test_duplicate_id_names_both_and_the_builtin_pack_wins(tmp_path: Path, data_dir: Path) -> None:
    impostor = make_pack(tmp_path / "impostor", "core")

    packs, stderr = list_packs("--pack", impostor, data_dir=data_dir)

    builtin = builtin_pack_dir().resolve()
    assert (packs["core"]["source"], packs["core"]["path"]) == ("builtin", str(builtin))
    [warning] = stderr.splitlines()
    assert str(impostor / "pack.toml") in warning
    assert str(builtin) in warning
    assert "pack id 'core' is also used by" in warning


def test_broken_user_pack_does_not_hide_the_good_one(data_dir: Path) -> None:
    good = make_pack(data_dir / "packs" / "good", "mini")
    broken = data_dir / "packs" / "broken"
    shutil.copytree(FIXTURES / "format-version", broken)

    packs, stderr = list_packs(data_dir=data_dir)

    assert (packs["mini"]["source"], packs["mini"]["path"]) == ("user", str(good))
    [warning] = stderr.splitlines()
    assert warning.startswith(f"warning: skipped: {broken / 'pack.toml'}:3: ")
    assert "unknown format_version 2" in warning


def test_listed_ids_are_accepted_by_show(data_dir: Path) -> None:
    listed = run_cli("list", "--json", "--pack", VALID, data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert [i for i in rows if i.startswith("mini/")] == [f"mini/{item}" for item in VALID_ITEMS]

    for item_id in (i for i in rows if i.startswith("mini/")):  # one of each kind
        shown = run_cli("show", item_id, "--json", "--pack", VALID, data_dir=data_dir)
        assert shown.returncode == 0, shown.stderr
        item = json.loads(shown.stdout)
        assert (item["id"], item["kind"]) == (item_id, rows[item_id]["kind"])

    # The rest (the built-in pack's items) directly: the same lookup `show` uses.
    catalog = discover(data_dir, [VALID], include_entry_points=False)
    for item_id in rows:
        found = catalog.find_item(item_id)
        assert not isinstance(found, str), found
        assert qualified_id(*found) == item_id


# --- discover() directly ---------------------------------------------------------------


def test_sources_in_priority_order(tmp_path: Path, data_dir: Path) -> None:
    cli_pack = make_pack(tmp_path / "cli", "shared")
    make_pack(data_dir / "packs" / "shared-copy", "shared")
    make_pack(data_dir / "packs" / "own", "own")

    catalog = discover(data_dir, [cli_pack], include_entry_points=False)

    assert [(p.id, p.source) for p in catalog.packs] == [
        ("core", "builtin"),
        ("shared", "cli"),
        ("own", "user"),
    ]
    assert catalog.pack("shared").root == cli_pack  # type: ignore[union-attr]
    [problem] = catalog.problems
    assert problem.file == data_dir / "packs" / "shared-copy" / "pack.toml"
    assert f"also used by {cli_pack} (cli)" in problem.message


def test_no_data_dir_and_no_packs_folder(data_dir: Path) -> None:
    for folder in (None, data_dir):
        catalog = discover(folder, include_entry_points=False)
        assert [(p.id, p.source) for p in catalog.packs] == [("core", "builtin")]
        assert catalog.problems == ()


def test_files_in_the_user_packs_folder_are_ignored(data_dir: Path) -> None:
    (data_dir / "packs").mkdir()
    (data_dir / "packs" / "notes.txt").write_text("not a pack\n")

    catalog = discover(data_dir, include_entry_points=False)

    assert [p.id for p in catalog.packs] == ["core"]
    assert catalog.problems == ()


def test_missing_and_broken_pack_dirs_hide_nothing(tmp_path: Path, data_dir: Path) -> None:
    missing = tmp_path / "nowhere"
    broken = [FIXTURES / name for name in ("bad-toml-manifest", "undeclared-wrt", "non-utf8")]

    catalog = discover(data_dir, [missing, *broken, VALID], include_entry_points=False)

    assert [p.id for p in catalog.packs] == ["core", "mini"]
    assert [p.file for p in catalog.problems] == [
        missing,
        broken[0] / "pack.toml",
        broken[1] / "exercises" / "sigmoid-neuron.toml",
        broken[2] / "lessons" / "neuron.md",
    ]
