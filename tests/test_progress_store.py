"""The progress store keeps its promises: real files, real processes, real SIGKILLs.

What a learner would notice if these failed: an acknowledged answer missing
after a crash, a second open copy of the tutor eating the first one's
progress, a damaged file stopping the tutor from starting, a confusing
traceback instead of a sentence, or progress counted wrongly.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from tutor.core.datadir import ENV_VAR, DataDirError, ensure_writable_dir, resolve_data_dir
from tutor.core.progress import (
    DB_FILENAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Attempt,
    AttemptRecord,
    ItemProgress,
    ProgressStore,
    StoreError,
    apply_migrations,
    user_version,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("progress_worker.py")
WORKER_PACK = "worker"  # must match tests/progress_worker.py

KILLS = 30
CONCURRENT_WRITES = 500


# ----------------------------------------------------------------------------- helpers


def attempt(item_id: str = "chain-rule", score: float = 0.0, **changes: Any) -> Attempt:
    fields: dict[str, Any] = {
        "pack_id": "basics",
        "pack_version": "1.0",
        "item_id": item_id,
        "kind": "derivation",
        "answer": "2*x",
        "verdict": "correct" if score >= 1 else "incorrect",
        "score": score,
        "duration_s": 3.5,
        "detail": None,
    }
    fields.update(changes)
    return Attempt(**fields)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProgressStore]:
    with ProgressStore.open(tmp_path) as opened:
        yield opened


def spawn_worker(
    data_dir: Path, tag: str, count: int, *, wait_for_go: bool = False, open_on_go: bool = False
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    args = [sys.executable, str(WORKER), str(data_dir), tag, str(count)]
    if wait_for_go:
        args.append("--wait-for-go")
    if open_on_go:
        args.append("--open-on-go")
    return subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_until_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line != "READY\n":
        proc.kill()
        pytest.fail(f"worker did not start: {line!r} {proc.communicate()[1]}")


def collect_output(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Everything the worker printed. Not ``communicate()``: it reads the raw pipes and
    would skip lines already buffered by the earlier ``readline()``."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.close()
    output, errors = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=60)
    return output, errors


def acknowledged(output: str) -> list[int]:
    """Numbers in complete ``ACK n`` lines; a line cut short by the kill does not count."""
    lines = output.splitlines(keepends=True)
    return [int(line.split()[1]) for line in lines if line.startswith("ACK ") and line[-1] == "\n"]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def make_real_db(data_dir: Path, attempts: int = 300) -> Path:
    """A genuine progress database with some content, cleanly closed (no -wal left)."""
    with ProgressStore.open(data_dir) as real:
        for n in range(attempts):
            real.record_attempt(attempt(f"item-{n % 7}", answer="x" * 200))
        return real.path


def raw_version_and_journal(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        return user_version(conn), str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


# ------------------------------------------------------------------ crash durability


def test_sigkill_at_random_moments_never_loses_an_acknowledged_attempt(tmp_path: Path) -> None:
    rng = random.Random()
    last_acked: dict[str, int] = {}
    for run in range(KILLS):
        tag = f"run-{run}"
        worker = spawn_worker(tmp_path, tag, -1)
        wait_until_ready(worker)
        delay = rng.uniform(0.02, 0.15)
        time.sleep(delay)
        worker.send_signal(signal.SIGKILL)
        output, _ = collect_output(worker)
        acks = acknowledged(output)
        assert acks == list(range(len(acks))), f"worker printed acks out of order: {acks}"
        last_acked[tag] = len(acks) - 1

        assert integrity(tmp_path / DB_FILENAME) == "ok", f"run {run} killed after {delay:.3f}s"
        with ProgressStore.open(tmp_path) as reopened:
            assert reopened.notices == ()
            stored = [int(a.answer) for a in reopened.attempts(WORKER_PACK, tag)]
            shared_time = reopened.item(WORKER_PACK, "shared").time_spent_s
            earlier = {t: len(reopened.attempts(WORKER_PACK, t)) for t in last_acked}
        # Every ack is there; at most one more (committed, killed before it could print).
        assert stored == list(range(len(stored)))
        assert len(stored) - 1 in (last_acked[tag], last_acked[tag] + 1), (run, delay)
        assert all(earlier[t] >= last_acked[t] + 1 for t in last_acked)
        assert shared_time <= sum(earlier.values())
    runs_killed_mid_writing = sum(1 for n in last_acked.values() if n >= 0)
    assert runs_killed_mid_writing >= KILLS // 2, "kills landed too early to test anything"


def test_sigkill_while_opening_a_new_store_leaves_it_openable(tmp_path: Path) -> None:
    started = time.perf_counter()
    probe = spawn_worker(tmp_path / "probe", "probe", 0)
    wait_until_ready(probe)
    time_to_ready = time.perf_counter() - started
    probe.communicate()
    rng = random.Random()
    for run in range(6):
        data_dir = tmp_path / f"fresh-{run}"
        worker = spawn_worker(data_dir, "opening", -1)
        time.sleep(rng.uniform(0.5, 1.1) * time_to_ready)  # around creation and migration
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        with ProgressStore.open(data_dir) as reopened:
            assert reopened.notices == ()
            reopened.record_attempt(attempt())
        assert raw_version_and_journal(data_dir / DB_FILENAME) == (SCHEMA_VERSION, "wal")
        assert integrity(data_dir / DB_FILENAME) == "ok"


HOT_JOURNAL_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # spill pages into the file before COMMIT
conn.execute("CREATE TABLE scratch (x TEXT)")
conn.execute("BEGIN")
for _ in range(500):
    conn.execute("INSERT INTO scratch VALUES (?)", ("y" * 500,))
os._exit(0)  # die mid-transaction, like a kill, leaving a hot rollback journal
"""


def test_a_crash_mid_transaction_in_rollback_mode_is_rolled_back_on_open(tmp_path: Path) -> None:
    # What a kill leaves while a brand-new file is being switched to WAL mode.
    db_path = tmp_path / DB_FILENAME
    subprocess.run([sys.executable, "-c", HOT_JOURNAL_WRITER, str(db_path)], check=True)
    assert Path(f"{db_path}-journal").exists()
    with ProgressStore.open(tmp_path) as recovered:
        assert recovered.notices == ()
        recovered.record_attempt(attempt())
    assert not Path(f"{db_path}-journal").exists()
    assert raw_version_and_journal(db_path) == (SCHEMA_VERSION, "wal")
    assert integrity(db_path) == "ok"


# ------------------------------------------------------------------------ concurrency


def test_two_running_copies_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    tags = ("alpha", "beta")
    # Both open a store that does not exist yet, racing to create and migrate it.
    workers = [spawn_worker(tmp_path, tag, CONCURRENT_WRITES, wait_for_go=True) for tag in tags]
    for worker in workers:
        wait_until_ready(worker)
    release_together(workers)
    for worker in workers:
        output, errors = collect_output(worker)
        assert worker.returncode == 0, errors
        assert acknowledged(output) == list(range(CONCURRENT_WRITES))

    with ProgressStore.open(tmp_path) as merged:
        everything = merged.attempts()
        by_tag = {tag: merged.attempts(WORKER_PACK, tag) for tag in tags}
        shared = merged.item(WORKER_PACK, "shared")
    assert len(everything) == len(tags) * CONCURRENT_WRITES
    assert len({record.id for record in everything}) == len(everything)
    for tag in tags:
        assert [r.answer for r in by_tag[tag]] == [str(n) for n in range(CONCURRENT_WRITES)]
    # Read-modify-write from both processes: a lost update would show up here.
    assert shared.time_spent_s == len(tags) * CONCURRENT_WRITES


def release_together(workers: list[subprocess.Popen[str]]) -> None:
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("GO\n")
        worker.stdin.flush()


def test_copies_opening_a_new_store_at_the_same_instant_all_start(tmp_path: Path) -> None:
    # Creating the file ends with the switch to WAL mode; when two copies make
    # that switch at once SQLite fails one straight away (no busy wait), which
    # once stopped a second copy from starting. Several rounds: it is a race.
    for round_no in range(4):
        data_dir = tmp_path / f"round-{round_no}"
        workers = [spawn_worker(data_dir, f"c{k}", 1, open_on_go=True) for k in range(3)]
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline() == "LOADED\n"
        release_together(workers)
        for worker in workers:
            output, errors = collect_output(worker)
            assert worker.returncode == 0, errors
            assert acknowledged(output) == [0]
        assert raw_version_and_journal(data_dir / DB_FILENAME) == (SCHEMA_VERSION, "wal")


def test_threads_sharing_one_store_lose_nothing(store: ProgressStore) -> None:
    def write(thread_no: int) -> None:
        for n in range(50):
            store.record_attempt(attempt(f"t{thread_no}", answer=str(n)))
            store.add_time("basics", "shared", 0.5)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.attempts()) == 200
    assert store.item("basics", "shared").time_spent_s == 100.0


def test_a_write_held_up_by_another_program_fails_with_a_sentence_then_recovers(
    tmp_path: Path,
) -> None:
    with ProgressStore.open(tmp_path, busy_timeout_s=0.2) as blocked:
        other = sqlite3.connect(blocked.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as info:
            blocked.record_attempt(attempt())
        message = str(info.value)
        assert str(blocked.path) in message
        assert "locked" in message and "try again" in message
        other.execute("ROLLBACK")
        other.close()
        blocked.record_attempt(attempt())
        assert len(blocked.attempts()) == 1


# --------------------------------------------------------------------- damaged files


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(8192))


def plain_text(path: Path) -> None:
    path.write_text("these are my notes, not a database\n" * 50)


def truncated_header(path: Path) -> None:
    make_real_db(path.parent)
    os.truncate(path, 50)


def truncated_to_half(path: Path) -> None:
    make_real_db(path.parent)
    os.truncate(path, path.stat().st_size // 2)


def pages_overwritten(path: Path) -> None:
    make_real_db(path.parent)
    with path.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(random.Random(2).randbytes(4096 * 3))


def garbage_with_sidecars(path: Path) -> None:
    random_bytes(path)
    Path(f"{path}-wal").write_bytes(b"stale wal")
    Path(f"{path}-shm").write_bytes(b"stale shm")


def foreign_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (random_bytes, "file is not a database"),
        (plain_text, "file is not a database"),
        (truncated_header, "malformed"),
        (truncated_to_half, "malformed"),
        (pages_overwritten, ""),  # "malformed" or a failed integrity check, by luck of bytes
        (garbage_with_sidecars, "file is not a database"),
        (foreign_schema, "its table 'attempts' is missing"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_an_unreadable_database_is_moved_aside_with_a_notice(
    tmp_path: Path, damage: Callable[[Path], None], reason: str
) -> None:
    db_path = tmp_path / DB_FILENAME
    damage(db_path)
    original = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    with ProgressStore.open(tmp_path) as fresh:
        (notice,) = fresh.notices
        fresh.record_attempt(attempt(score=1.0))
        assert fresh.status("basics", "chain-rule") == "done"
        assert len(fresh.attempts()) == 1  # nothing from the damaged file leaked in

    moved = sorted(tmp_path.glob(f"{DB_FILENAME}.corrupt-*"))
    main_copy = next(p for p in moved if not p.name.endswith(("-wal", "-shm")))
    assert notice.startswith(f"Your progress database {db_path} was unreadable (")
    assert reason in notice
    assert f"it was moved to {main_copy} and a fresh one was created." in notice
    for old_name, content in original.items():  # every file kept, byte for byte
        kept = main_copy.with_name(old_name.replace(DB_FILENAME, main_copy.name))
        # -shm is only a lock/index area that SQLite rebuilds whenever it looks at a file.
        assert kept.read_bytes() == content or kept.name.endswith("-shm")
    with ProgressStore.open(tmp_path) as again:
        assert again.notices == ()
        assert len(again.attempts()) == 1


def test_two_damaged_files_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    for _ in range(2):
        random_bytes(tmp_path / DB_FILENAME)
        with ProgressStore.open(tmp_path) as opened:
            assert len(opened.notices) == 1
        (tmp_path / DB_FILENAME).unlink()
    assert len(list(tmp_path.glob(f"{DB_FILENAME}.corrupt-*"))) == 2


# --------------------------------------------------------------------- data directory


@pytest.mark.parametrize(
    ("case", "expected_words"),
    [
        ("below_a_file", "is a file, not a folder"),
        ("is_a_file", "is a file, not a folder"),
        ("read_only_folder", "Permission denied"),
    ],
)
def test_an_unusable_data_directory_is_explained_in_one_sentence(
    tmp_path: Path, case: str, expected_words: str
) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    if case == "below_a_file":
        data_dir = a_file / "sub"
    elif case == "is_a_file":
        data_dir = a_file
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write into a read-only folder")
        data_dir = tmp_path / "locked"
        data_dir.mkdir(mode=0o500)

    with pytest.raises(DataDirError) as info:
        ProgressStore.open(data_dir)
    message = str(info.value)
    assert str(data_dir) in message
    assert expected_words in message
    assert f"--data-dir or {ENV_VAR}" in message
    assert "\n" not in message


def test_ensure_writable_dir_creates_missing_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert ensure_writable_dir(target) == target
    assert target.is_dir()
    assert list(target.iterdir()) == []  # the write probe cleans up after itself


@pytest.mark.parametrize(
    ("cli_value", "env_value", "expected"),
    [
        ("/from/cli", "/from/env", Path("/from/cli")),
        (Path("/from/cli"), None, Path("/from/cli")),
        (None, "/from/env", Path("/from/env")),
        ("", "/from/env", Path("/from/env")),
        ("~/tutor-data", None, Path.home() / "tutor-data"),
        (None, "~/env-data", Path.home() / "env-data"),
        (None, None, Path(platformdirs.user_data_dir("backprop-tutor", appauthor=False))),
        (None, "", Path(platformdirs.user_data_dir("backprop-tutor", appauthor=False))),
    ],
)
def test_data_dir_precedence_cli_then_env_then_platform(
    monkeypatch: pytest.MonkeyPatch,
    cli_value: str | Path | None,
    env_value: str | None,
    expected: Path,
) -> None:
    if env_value is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, env_value)
    assert resolve_data_dir(cli_value) == expected


def test_a_read_only_database_file_gives_a_store_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write to a read-only file")
    db_path = make_real_db(tmp_path, attempts=1)
    db_path.chmod(0o444)
    with pytest.raises(StoreError, match="read-only"), ProgressStore.open(tmp_path) as read_only:
        read_only.record_attempt(attempt())


# ------------------------------------------------------------------- schema version


def test_a_new_database_is_at_the_latest_version_in_wal_mode(store: ProgressStore) -> None:
    assert raw_version_and_journal(store.path) == (SCHEMA_VERSION, "wal")
    assert store.export()["schema_version"] == SCHEMA_VERSION


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db_path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE attempts_v9 (anything TEXT)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()

    with pytest.raises(StoreError) as info:
        ProgressStore.open(tmp_path)
    message = str(info.value)
    assert str(db_path) in message and "newer version" in message
    assert f"schema {SCHEMA_VERSION + 1}" in message
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILENAME]


def test_an_empty_version_0_file_is_migrated(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"")  # what `touch` or an interrupted first run leaves
    with ProgressStore.open(tmp_path) as migrated:
        assert migrated.notices == ()
        migrated.record_attempt(attempt())
    assert raw_version_and_journal(tmp_path / DB_FILENAME)[0] == SCHEMA_VERSION


def add_hint_cost_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE hints ADD COLUMN cost REAL NOT NULL DEFAULT 0")


def half_done_then_fail(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    raise RuntimeError("migration bug")


def test_a_next_migration_runs_once_from_the_stored_version(tmp_path: Path) -> None:
    db_path = make_real_db(tmp_path, attempts=3)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        # Re-running migration 1 would fail ("table attempts already exists").
        assert apply_migrations(conn, [*MIGRATIONS, add_hint_cost_column]) == SCHEMA_VERSION + 1
        assert apply_migrations(conn, [*MIGRATIONS, add_hint_cost_column]) == SCHEMA_VERSION + 1
        columns = [row[1] for row in conn.execute("PRAGMA table_info(hints)")]
        assert "cost" in columns
        assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 3
    finally:
        conn.close()


def test_a_failing_migration_leaves_the_database_at_its_old_version(tmp_path: Path) -> None:
    db_path = make_real_db(tmp_path, attempts=3)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        with pytest.raises(RuntimeError, match="migration bug"):
            apply_migrations(conn, [*MIGRATIONS, half_done_then_fail])
        assert user_version(conn) == SCHEMA_VERSION
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
    finally:
        conn.close()
    with ProgressStore.open(tmp_path) as still_fine:
        assert len(still_fine.attempts()) == 3


# -------------------------------------------------------------------- item status


Action = tuple[str, float]
ATTEMPT_HALF: Action = ("attempt", 0.5)
ATTEMPT_ZERO: Action = ("attempt", 0.0)
ATTEMPT_FULL: Action = ("attempt", 1.0)
MARK_DONE: Action = ("mark_done", 0)
HINT: Action = ("hint", 0)
TIME: Action = ("time", 30.0)
SOLUTION: Action = ("solution", 0)


def perform(store: ProgressStore, action: Action) -> None:
    name, value = action
    if name == "attempt":
        store.record_attempt(attempt(score=value))
    elif name == "mark_done":
        store.mark_done("basics", "chain-rule")
    elif name == "hint":
        store.use_hint("basics", "chain-rule", int(value))
    elif name == "time":
        store.add_time("basics", "chain-rule", value)
    else:
        store.mark_solution_viewed("basics", "chain-rule")


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([], "not_started"),
        ([ATTEMPT_ZERO], "in_progress"),
        ([ATTEMPT_HALF], "in_progress"),
        ([ATTEMPT_FULL], "done"),
        ([ATTEMPT_ZERO, ATTEMPT_HALF, ATTEMPT_FULL], "done"),
        ([ATTEMPT_FULL, ATTEMPT_ZERO], "done"),  # a later wrong answer does not undo "done"
        ([MARK_DONE], "done"),
        ([MARK_DONE, ATTEMPT_ZERO], "done"),
        ([ATTEMPT_HALF, MARK_DONE], "done"),
        ([HINT], "not_started"),
        ([TIME], "not_started"),
        ([SOLUTION], "not_started"),
        ([HINT, SOLUTION, ATTEMPT_HALF], "in_progress"),
    ],
)
def test_status_follows_attempts_and_mark_done(
    store: ProgressStore, actions: list[Action], expected: str
) -> None:
    for action in actions:
        perform(store, action)
    assert store.status("basics", "chain-rule") == expected
    assert store.item("basics", "chain-rule").status == expected
    store.close()
    with ProgressStore.open(store.path.parent) as reopened:
        assert reopened.status("basics", "chain-rule") == expected


def test_item_summary_counts_attempts_best_score_hints_time_and_solution(
    store: ProgressStore,
) -> None:
    for score in (0.25, 0.75, 0.5):
        store.record_attempt(attempt(score=score))
    for index in (0, 2, 0, 2, 1):
        store.use_hint("basics", "chain-rule", index)
    store.add_time("basics", "chain-rule", 1.5)
    store.add_time("basics", "chain-rule", 2.25)
    store.add_time("basics", "chain-rule", 0)
    store.mark_solution_viewed("basics", "chain-rule")
    store.record_attempt(attempt("other-item", score=1.0))

    summary = store.item("basics", "chain-rule")
    last = store.attempts("basics", "chain-rule")[-1]
    assert summary == ItemProgress(
        "basics", "chain-rule", "in_progress", 3, 0.75, 3, True, 3.75, last.at
    )
    assert store.hints_used("basics", "chain-rule") == 3
    assert store.revealed_hints("basics", "chain-rule") == (0, 1, 2)
    assert store.hints_used("basics", "other-item") == 0


def test_recorded_attempts_come_back_exactly_with_id_and_utc_time(store: ProgressStore) -> None:
    sent = [
        attempt("a", 0.0, kind="code", answer="def f():\n  return ∂L/∂x  # ü", detail='{"n": [2]}'),
        attempt("b", 1.0, kind="choice", answer="B", verdict="correct"),
        attempt("a", 0.5, verdict="invalid", answer="2x +", duration_s=0.0),
    ]  # fmt: skip
    before = datetime.now(UTC)
    ids = [store.record_attempt(one) for one in sent]
    records = store.attempts()

    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [r.id for r in records] == ids
    for one, record in zip(sent, records, strict=True):
        assert isinstance(record, AttemptRecord)
        assert Attempt(**{k: getattr(record, k) for k in Attempt.__struct_fields__}) == one
        recorded_at = datetime.fromisoformat(record.at)
        assert recorded_at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= recorded_at <= datetime.now(UTC)
    assert [r.id for r in store.attempts("basics", "a")] == [ids[0], ids[2]]
    assert store.attempts("other-pack") == []


@pytest.mark.parametrize(
    "bad",
    [
        {"score": -0.1},
        {"score": 1.01},
        {"score": float("nan")},
        {"duration_s": -1.0},
        {"duration_s": float("inf")},
        {"detail": "not json {"},
        {"pack_id": ""},
        {"item_id": ""},
    ],
    ids=str,
)
def test_nonsense_attempts_are_rejected_before_reaching_the_file(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        attempt(**bad)


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_add_time_rejects_nonsense(store: ProgressStore, seconds: float) -> None:
    with pytest.raises(ValueError):
        store.add_time("basics", "chain-rule", seconds)
    assert store.items() == []


# --------------------------------------------------------- drafts, position, unknown ids


def test_drafts_latest_wins_per_item_and_survive_reopening(store: ProgressStore) -> None:
    assert store.draft("basics", "backward") is None
    typed = ""
    for char in "def backward(self):\n    self.grad += 1  # ∂":
        typed += char
        store.save_draft("basics", "backward", typed)  # as the learner types
    store.save_draft("basics", "other", "x = 1")
    store.close()
    with ProgressStore.open(store.path.parent) as reopened:
        assert reopened.draft("basics", "backward") == typed
        assert reopened.draft("basics", "other") == "x = 1"
        assert len(reopened.export()["drafts"]) == 2


def test_last_position_is_the_latest_and_survives_reopening(store: ProgressStore) -> None:
    assert store.last_position() is None
    store.set_last_position("basics", "lesson-1")
    store.set_last_position("advanced", "ex-3")
    store.close()
    with ProgressStore.open(store.path.parent) as reopened:
        assert reopened.last_position() == ("advanced", "ex-3")


def test_unknown_or_renamed_ids_never_raise(store: ProgressStore) -> None:
    assert store.item("no-such-pack", "gone") == ItemProgress(
        "no-such-pack", "gone", "not_started", 0, 0.0, 0, False, 0.0, None
    )
    assert store.status("no-such-pack", "gone") == "not_started"
    assert store.hints_used("no-such-pack", "gone") == 0
    assert store.draft("no-such-pack", "gone") is None
    assert store.attempts("no-such-pack", "gone") == []
    assert store.items() == []  # looking does not create rows
    # Progress on an exercise that was later renamed stays as an inert row.
    store.record_attempt(attempt("old-name-of-exercise", 1.0))
    assert [i.item_id for i in store.items("basics")] == ["old-name-of-exercise"]


# ------------------------------------------------------------------- export, reset


def fill_two_packs(store: ProgressStore) -> None:
    store.record_attempt(attempt("a", 1.0, detail='{"why": "ok"}'))
    store.record_attempt(attempt("b", 0.5))
    store.record_attempt(attempt("x", 0.0, pack_id="other"))
    store.use_hint("basics", "b", 0)
    store.use_hint("other", "x", 1)
    store.save_draft("basics", "b", "draft b")
    store.save_draft("other", "x", "draft x")
    store.add_time("other", "y", 12.0)
    store.mark_done("other", "lesson")


def test_export_is_json_and_holds_everything(store: ProgressStore) -> None:
    fill_two_packs(store)
    store.set_last_position("other", "x")
    exported = store.export()

    assert json.loads(json.dumps(exported)) == exported
    assert exported["schema_version"] == SCHEMA_VERSION
    datetime.fromisoformat(exported["exported_at"])
    assert [a["item_id"] for a in exported["attempts"]] == ["a", "b", "x"]
    assert exported["attempts"][0]["detail"] == '{"why": "ok"}'
    assert [(i["pack_id"], i["item_id"], i["status"]) for i in exported["items"]] == [
        ("basics", "a", "done"),
        ("basics", "b", "in_progress"),
        ("other", "lesson", "done"),
        ("other", "x", "in_progress"),
        ("other", "y", "not_started"),
    ]
    assert [(h["pack_id"], h["item_id"], h["index"]) for h in exported["hints"]] == [
        ("basics", "b", 0),
        ("other", "x", 1),
    ]
    assert {d["code"] for d in exported["drafts"]} == {"draft b", "draft x"}
    assert exported["last_position"] == {"pack_id": "other", "item_id": "x"}


def test_reset_everything(store: ProgressStore) -> None:
    fill_two_packs(store)
    store.set_last_position("basics", "a")
    assert store.reset() == 3
    exported = store.export()
    for key in ("items", "attempts", "hints", "drafts"):
        assert exported[key] == [], key
    assert exported["last_position"] is None
    assert store.status("basics", "a") == "not_started"
    # ids are never reused, so an old export cannot be confused with new attempts
    assert store.record_attempt(attempt()) == 4


@pytest.mark.parametrize(("position_pack", "position_kept"), [("other", True), ("basics", False)])
def test_reset_one_pack_leaves_the_other(
    store: ProgressStore, position_pack: str, position_kept: bool
) -> None:
    fill_two_packs(store)
    store.set_last_position(position_pack, "x")
    assert store.reset("basics") == 2
    assert store.items("basics") == [] and store.attempts("basics") == []
    assert store.draft("basics", "b") is None and store.hints_used("basics", "b") == 0
    assert [i.item_id for i in store.items("other")] == ["lesson", "x", "y"]
    assert store.draft("other", "x") == "draft x" and store.hints_used("other", "x") == 1
    assert (store.last_position() is not None) == position_kept


# ------------------------------------------------------------------ lifecycle, hygiene


def test_closed_store_raises_store_error_and_reopening_keeps_data(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as first:
        first.record_attempt(attempt())
    first.close()  # closing twice is harmless
    with pytest.raises(StoreError):
        first.attempts()
    with ProgressStore.open(tmp_path) as second:
        assert len(second.attempts()) == 1


def test_the_store_imports_only_the_standard_library() -> None:
    code = (
        "import sys, tutor.core.progress, tutor.core.datadir\n"
        "heavy = {'textual', 'rich', 'numpy', 'sympy', 'platformdirs'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"
