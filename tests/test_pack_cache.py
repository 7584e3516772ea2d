"""The pack cache: start-up reads one file, and never shows a pack as it was before an edit.

Real pack folders in tmp_path, real Workspaces. A cache entry is only written when every
file it depends on was last changed (mtime and ctime) a moment before the build, as files
in a real pack folder were; tests shorten that moment and wait it out (`settle`).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

import tutor.core.packs.loader  # noqa: F401 (imported before a test empties sys.path)
from tutor.core.packs import cache
from tutor.core.workspace import CACHE_DIR, Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "packs"
AN_HOUR_AGO = time.time() - 3600


@pytest.fixture(autouse=True)
def short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.2)


def settle() -> None:
    """Wait until files written so far are old enough to be trusted by the cache."""
    time.sleep(cache.RACY_SECONDS + 0.05)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(FIXTURES / "valid", folder)
    settle()
    return folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def workspace(data_dir: Path, *pack_dirs: Path) -> Workspace:
    """A fresh workspace (as a new run of the tutor makes) without the built-in pack."""
    return Workspace(data_dir, pack_dirs, include_entry_points=False, include_builtin=False)


def titles(ws: Workspace) -> list[str]:
    return [item.title for p in ws.catalog.packs for item in p.items()]


def warm(data_dir: Path, *pack_dirs: Path) -> list[str]:
    """Load once (writing the cache) and check the next run gets the catalog from it."""
    loaded = titles(workspace(data_dir, *pack_dirs))
    assert workspace(data_dir, *pack_dirs).catalog_if_cached() is not None, "not cached"
    return loaded


def lesson_file(pack: Path) -> Path:
    return next(pack.rglob("*.md"))


def test_a_second_run_reads_the_packs_from_the_cache_not_their_files(
    pack: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = warm(data_dir, pack)
    import tutor.core.packs.loader as loader

    def no_loading(*args: object) -> None:
        raise AssertionError("the pack files were read again")

    monkeypatch.setattr(loader, "load_pack", no_loading)
    assert titles(workspace(data_dir, pack)) == expected
    assert len(list((data_dir / CACHE_DIR).glob("catalog-*.pickle"))) == 1


def test_editing_a_lesson_shows_the_edit(pack: Path, data_dir: Path) -> None:
    warm(data_dir, pack)
    lesson = lesson_file(pack)
    text = lesson.read_text(encoding="utf-8")
    first_heading = next(line for line in text.splitlines() if line.startswith("# "))
    lesson.write_text(text.replace(first_heading, "# Renamed lesson", 1), encoding="utf-8")
    assert "Renamed lesson" in titles(workspace(data_dir, pack))


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(pack: Path, data_dir: Path) -> None:
    """A tool that restores mtimes (or a coarse clock) must not hide an edit."""
    warm(data_dir, pack)
    lesson = lesson_file(pack)
    text = lesson.read_text(encoding="utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    same_length = "# " + "X" * (len(heading) - 2)
    before = lesson.stat()
    lesson.write_text(text.replace(heading, same_length, 1), encoding="utf-8")
    os.utime(lesson, ns=(before.st_atime_ns, before.st_mtime_ns))
    if lesson.stat().st_ctime_ns == before.st_ctime_ns:
        pytest.skip("this file system's ctime is too coarse to see a write this quick")
    assert "X" * (len(heading) - 2) in titles(workspace(data_dir, pack))


def test_a_file_replaced_by_another_is_seen(pack: Path, data_dir: Path) -> None:
    warm(data_dir, pack)
    lesson = lesson_file(pack)
    replacement = lesson.with_suffix(".new")
    replacement.write_text("# Replaced\n\nNew text.\n", encoding="utf-8")
    os.utime(replacement, (AN_HOUR_AGO, AN_HOUR_AGO))
    os.replace(replacement, lesson)
    assert "Replaced" in titles(workspace(data_dir, pack))


def test_a_freshly_written_pack_is_not_cached_until_its_files_settle(
    tmp_path: Path, data_dir: Path
) -> None:
    folder = tmp_path / "fresh"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "pack.toml").touch()  # written just now: a second edit could keep its mtime
    assert titles(workspace(data_dir, folder))
    assert workspace(data_dir, folder).catalog_if_cached() is None


def test_a_new_user_pack_appears(pack: Path, data_dir: Path, tmp_path: Path) -> None:
    assert warm(data_dir) == []
    shutil.copytree(pack, data_dir / "packs" / "mine")
    assert titles(workspace(data_dir)) == titles(workspace(tmp_path / "elsewhere", pack))


def test_installing_a_distribution_is_seen(
    pack: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entry-point packs come from sys.path folders; installing changes the folder."""
    site = tmp_path / "site"
    site.mkdir()
    # Only `site`: other sys.path folders may be written to while tests run.
    monkeypatch.setattr(sys, "path", [str(site)])
    ws = Workspace(data_dir, (pack,), include_entry_points=True, include_builtin=False)
    assert ws.catalog.packs
    settle()
    ws = Workspace(data_dir, (pack,), include_entry_points=True, include_builtin=False)
    _ = ws.catalog  # now every input is old: written to the cache
    assert Workspace(data_dir, (pack,), True, False).catalog_if_cached() is not None
    (site / "new_pack-1.0.dist-info").mkdir()
    assert Workspace(data_dir, (pack,), True, False).catalog_if_cached() is None


def test_a_broken_pack_is_read_again_every_time(tmp_path: Path, data_dir: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "valid", broken)
    (broken / "pack.toml").write_text("this is not TOML", encoding="utf-8")
    settle()
    first = workspace(data_dir, broken).catalog
    assert first.problems
    assert workspace(data_dir, broken).catalog_if_cached() is None
    shutil.copy(FIXTURES / "valid" / "pack.toml", broken / "pack.toml")  # fixed: now cached
    settle()
    assert not workspace(data_dir, broken).catalog.problems
    assert workspace(data_dir, broken).catalog_if_cached() is not None


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_file_is_rebuilt(pack: Path, data_dir: Path, garbage: bytes) -> None:
    expected = warm(data_dir, pack)
    for entry in (data_dir / CACHE_DIR).glob("catalog-*.pickle"):
        entry.write_bytes(garbage)
    assert titles(workspace(data_dir, pack)) == expected
    assert workspace(data_dir, pack).catalog_if_cached() is not None  # written again


def test_a_cache_folder_that_cannot_be_written_only_costs_speed(pack: Path, data_dir: Path) -> None:
    (data_dir / CACHE_DIR).write_text("a file where the cache folder should be")
    assert titles(workspace(data_dir, pack))
    assert workspace(data_dir, pack).catalog_if_cached() is None
    (data_dir / CACHE_DIR).unlink()
    assert titles(workspace(data_dir, pack))
    assert workspace(data_dir, pack).catalog_if_cached() is not None


def test_a_file_copied_with_its_old_mtime_is_not_trusted_yet(pack: Path, data_dir: Path) -> None:
    """`cp -p`, `tar x`, `rsync -t`: an old mtime on a file written just now."""
    lesson = lesson_file(pack)
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    os.utime(lesson, (AN_HOUR_AGO, AN_HOUR_AGO))
    assert titles(workspace(data_dir, pack))
    assert workspace(data_dir, pack).catalog_if_cached() is None


def test_a_pack_folder_symlink_pointed_elsewhere_is_seen(tmp_path: Path, data_dir: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, title in ((first, "First title"), (second, "Second title")):
        shutil.copytree(FIXTURES / "valid", folder)
        lesson = lesson_file(folder)
        text = lesson.read_text(encoding="utf-8")
        heading = next(line for line in text.splitlines() if line.startswith("# "))
        lesson.write_text(text.replace(heading, f"# {title}", 1), encoding="utf-8")
    link = tmp_path / "current"
    link.symlink_to(first, target_is_directory=True)
    settle()
    assert "First title" in warm(data_dir, link)
    link.unlink()
    link.symlink_to(second, target_is_directory=True)
    assert "Second title" in titles(workspace(data_dir, link))


def test_a_user_pack_symlink_whose_target_appears_later_is_seen(
    pack: Path, data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "later"
    (data_dir / "packs").mkdir()
    (data_dir / "packs" / "mine").symlink_to(target, target_is_directory=True)
    settle()
    assert warm(data_dir) == []
    shutil.copytree(pack, target)
    assert titles(workspace(data_dir)) == titles(workspace(tmp_path / "elsewhere", pack))


def test_each_configuration_has_its_own_entry_and_old_ones_are_pruned(
    pack: Path, data_dir: Path, tmp_path: Path
) -> None:
    warm(data_dir)
    warm(data_dir, pack)
    assert len(list((data_dir / CACHE_DIR).glob("catalog-*.pickle"))) == 2
    for n in range(cache.KEPT_ENTRIES + 2):
        copy = tmp_path / f"copy-{n}"
        shutil.copytree(pack, copy)
        settle()
        warm(data_dir, copy)
    assert len(list((data_dir / CACHE_DIR).glob("catalog-*.pickle"))) == cache.KEPT_ENTRIES
