"""The learner's progress, kept in one SQLite file: ``<data_dir>/progress.sqlite3``.

Guarantees, and how they are met:

* **Nothing acknowledged is lost, even to ``kill -9``.** Every write is one
  explicit transaction; a method returns only after its ``COMMIT`` returned.
* **Two running copies lose nothing.** WAL mode lets readers and one writer
  work side by side; every write transaction starts with ``BEGIN IMMEDIATE``
  so it takes the write lock up front (a deferred transaction that reads first
  and upgrades later can fail with "database is locked" without the busy
  handler ever being consulted); a busy timeout makes the other copy wait.
* **Old files are upgraded, newer files are left alone.** ``PRAGMA
  user_version`` is the schema version; :data:`MIGRATIONS` holds one function
  per step.
* **A damaged file never stops the tutor.** It is moved aside, a fresh one is
  created and :attr:`ProgressStore.notices` says so in plain words.

Item and pack ids are stored as plain strings and never looked up in a pack,
so progress on an exercise that was later renamed or removed is just an
inert row.

Only the standard library is used here: this module sits on the path to the
first screen.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from msgspec import Struct
from msgspec.structs import asdict

from tutor.core.datadir import ensure_writable_dir

DB_FILENAME = "progress.sqlite3"
"""Name of the database file inside the data directory."""

DEFAULT_BUSY_TIMEOUT_S = 30.0
"""How long a write waits for another running copy to release the lock. Generous: writes
run off the UI thread, and under heavy disk load (a synced commit each) a busy copy can hold
the lock for seconds; waiting is better than failing to save an attempt."""

ItemStatus = Literal["not_started", "in_progress", "done"]
"""Where a learner stands on one lesson or exercise."""

_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps next to a database; they belong to it and move with it."""


class StoreError(Exception):
    """The progress database could not be opened, read or written.

    ``str(error)`` is a complete sentence for a person: what failed, on which
    file, and what to try.
    """


# --------------------------------------------------------------------------- records


class Attempt(Struct, frozen=True):
    """One answer the learner submitted, as the caller records it."""

    pack_id: str
    """Id of the pack the item belongs to."""
    pack_version: str
    """Version of that pack when the attempt was made (items can change between versions)."""
    item_id: str
    """Id of the exercise inside the pack."""
    kind: str
    """What sort of exercise it was: ``"derivation"``, ``"code"``, ``"choice"``, …"""
    answer: str
    """The learner's answer text or code, exactly as submitted."""
    verdict: str
    """The grader's verdict: ``"correct"``, ``"incorrect"``, ``"invalid"``, ``"passed"``, …"""
    score: float
    """Between 0 and 1; a score of 1 marks the item done."""
    duration_s: float
    """Seconds the learner spent on this attempt (not added to the item's time spent)."""
    detail: str | None = None
    """Optional JSON text with grader details (diagnosis, parsed answer, …)."""

    def __post_init__(self) -> None:
        _check_attempt(self)


class AttemptRecord(Attempt, frozen=True, kw_only=True):
    """An attempt as stored: everything the caller recorded plus its id and time."""

    id: int
    """Row id; increases with every recorded attempt and is never reused, even after a reset."""
    at: str
    """When it was recorded, ISO-8601 in UTC (``2026-11-22T10:15:00.123456+00:00``)."""


class ItemProgress(Struct, frozen=True):
    """Everything known about the learner's progress on one item."""

    pack_id: str
    """Id of the pack."""
    item_id: str
    """Id of the lesson or exercise inside the pack."""
    status: ItemStatus
    """``"not_started"``, ``"in_progress"`` or ``"done"``."""
    attempts: int
    """Number of recorded attempts."""
    best_score: float
    """Best score over all attempts, 0 when there are none."""
    hints_used: int
    """How many different hints were revealed."""
    solution_viewed: bool
    """Whether the learner looked at the reference solution."""
    time_spent_s: float
    """Seconds accumulated with :meth:`ProgressStore.add_time`."""
    last_attempt_at: str | None
    """ISO-8601 UTC time of the most recent attempt, if any."""

    @classmethod
    def not_started(cls, pack_id: str, item_id: str) -> ItemProgress:
        """Progress on an item nothing was ever recorded for."""
        return cls(pack_id, item_id, "not_started", 0, 0.0, 0, False, 0.0, None)


def _check_attempt(attempt: Attempt) -> None:
    """Reject values that would make progress figures meaningless (caller bugs)."""
    if not attempt.pack_id or not attempt.item_id:
        raise ValueError("an attempt needs a non-empty pack_id and item_id")
    if not (math.isfinite(attempt.score) and 0.0 <= attempt.score <= 1.0):
        raise ValueError(f"score must be between 0 and 1, got {attempt.score!r}")
    _check_seconds("duration_s", attempt.duration_s)
    if attempt.detail is not None:
        import json  # here: only writes need it, and the app's start-up does not write

        try:
            json.loads(attempt.detail)
        except ValueError as exc:
            raise ValueError(f"detail must be JSON text: {exc}") from exc


def _check_seconds(name: str, seconds: float) -> None:
    if not (math.isfinite(seconds) and seconds >= 0.0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {seconds!r}")


def _utc_now() -> str:
    # Fixed-width ISO text sorts chronologically and is readable in exports.
    return datetime.now(UTC).isoformat(timespec="microseconds")


# ------------------------------------------------------------------------ migrations

Migration = Callable[[sqlite3.Connection], None]
"""One schema step. Runs inside the migration transaction: use ``conn.execute``
per statement, never ``executescript`` (it COMMITs first, which would break
the all-or-nothing upgrade)."""


def _migration_1_create_schema(conn: sqlite3.Connection) -> None:
    """Version 1: the initial schema."""
    statements = (
        # AUTOINCREMENT so ids are never reused after a reset: an exported
        # attempt id always means the same attempt.
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            pack_id TEXT NOT NULL,
            pack_version TEXT NOT NULL,
            item_id TEXT NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            answer TEXT NOT NULL,
            verdict TEXT NOT NULL,
            score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
            duration_s REAL NOT NULL CHECK (duration_s >= 0),
            detail TEXT
        )""",
        "CREATE INDEX attempts_by_item ON attempts (pack_id, item_id, id)",
        # Attempt counts and best scores are derived from `attempts`, never
        # duplicated here, so the two can't disagree.
        """CREATE TABLE items (
            pack_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'done')),
            time_spent_s REAL NOT NULL DEFAULT 0 CHECK (time_spent_s >= 0),
            solution_viewed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (pack_id, item_id)
        )""",
        """CREATE TABLE hints (
            pack_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            hint_index INTEGER NOT NULL CHECK (hint_index >= 0),
            revealed_at TEXT NOT NULL,
            PRIMARY KEY (pack_id, item_id, hint_index)
        )""",
        """CREATE TABLE drafts (
            pack_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            code TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (pack_id, item_id)
        )""",
        """CREATE TABLE last_position (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pack_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            set_at TEXT NOT NULL
        )""",
    )
    for statement in statements:
        conn.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (_migration_1_create_schema,)
"""``MIGRATIONS[n]`` upgrades a database from version ``n`` to ``n + 1``.
To change the schema, append a function; never edit a released one."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes."""

_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "attempts": ("id", "pack_id", "pack_version", "item_id", "at", "kind", "answer",
                 "verdict", "score", "duration_s", "detail"),
    "items": ("pack_id", "item_id", "status", "time_spent_s", "solution_viewed"),
    "hints": ("pack_id", "item_id", "hint_index", "revealed_at"),
    "drafts": ("pack_id", "item_id", "code", "saved_at"),
    "last_position": ("id", "pack_id", "item_id", "set_at"),
}  # fmt: skip
"""Columns the queries below rely on, checked once when opening."""


class _NewerSchema(Exception):
    """The file was written by a newer backprop-tutor; it must not be touched."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(found, supported)
        self.found = found
        self.supported = supported


class _Unreadable(Exception):
    """The file is not a usable progress database; ``str()`` says why."""


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the database header (0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the database up to ``len(migrations)``; return the resulting version.

    All pending steps run in one ``BEGIN IMMEDIATE`` transaction (SQLite DDL is
    transactional), so a crash or error half-way leaves the file at its old
    version, and two copies starting at once cannot both migrate. Raises
    ``_NewerSchema`` for a file from a newer version, leaving it untouched.
    """
    target = len(migrations)
    if user_version(conn) == target:
        return target  # the common case: no write lock needed
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = user_version(conn)  # re-read under the lock: another copy may have migrated
        if current > target:
            raise _NewerSchema(current, target)
        for step in migrations[current:]:
            step(conn)
        # PRAGMA values cannot be bound as parameters; `target` is an int.
        conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    return target


# --------------------------------------------------------------------------- opening


def _connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    # isolation_level=None: the sqlite3 module must not open transactions
    # behind our back; we issue BEGIN IMMEDIATE / COMMIT ourselves.
    # check_same_thread=False: the UI calls from worker threads; ProgressStore
    # serialises access with its own lock. `timeout` is SQLite's busy timeout.
    return sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )


def _inspect(path: Path, busy_timeout_s: float) -> None:
    """Look at an existing file before using it; raise ``_Unreadable`` or ``_NewerSchema``.

    The look is read-only when possible: a read-only connection can neither
    checkpoint nor delete the ``-wal``/``-shm`` files when it closes (a
    read-write one does, even for a file it could not read), so a damaged
    database is moved aside exactly as found and a newer version's file is not
    even switched to WAL mode.
    """
    if not path.exists():
        return  # a new store: nothing to inspect
    uri = path.absolute().as_uri()
    try:
        _inspect_with(sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout_s))
    except sqlite3.OperationalError as exc:
        if _primary_code(exc) != sqlite3.SQLITE_READONLY:
            raise
        # A crash left a hot rollback journal (e.g. killed while the file was
        # first switched to WAL) that must be replayed before the file can be
        # read; only a read-write connection may do that, as any open would.
        _inspect_with(sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=busy_timeout_s))


def _inspect_with(conn: sqlite3.Connection) -> None:
    """The checks behind :func:`_inspect`; closes ``conn``."""
    try:
        user_version(conn)  # reads the header: "file is not a database" shows up here
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            first = problems[0].splitlines()[-1] if problems else "no result"
            raise _Unreadable(f"the integrity check failed: {first}")
        version = user_version(conn)
        if version > SCHEMA_VERSION:
            raise _NewerSchema(version, SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            _verify_schema(conn)  # an older file gets its tables from the migrations
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise _Unreadable(str(exc)) from exc
        raise
    finally:
        conn.close()


def _is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is damaged (rather than locked, read-only, …)."""
    return _primary_code(exc) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _configure(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Per-connection settings (journal mode persists in the file; synchronous does not)."""
    _switch_to_wal(conn, busy_timeout_s)  # persistent; lets a reader and a writer coexist
    # With WAL, synchronous=NORMAL already survives a killed process (the
    # commit is in the OS page cache once write() returns) but can lose the
    # last commits on power loss or an OS crash. FULL fsyncs the WAL on every
    # commit (~0.6 ms here), so "acknowledged" means on disk.
    conn.execute("PRAGMA synchronous = FULL")


def _switch_to_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Put the file in WAL mode, waiting up to ``busy_timeout_s`` for other copies.

    The switch reads the file, then needs it to itself. When two copies make a
    new store at once, both hold the read lock and want the write lock; SQLite
    then fails one at once with "database is locked" rather than calling the
    busy handler (waiting could deadlock), so the wait is ours: the other copy
    finishes its switch, after which this one finds WAL mode already set.
    """
    deadline = time.monotonic() + busy_timeout_s
    pause_s = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if _primary_code(exc) != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(pause_s)
        pause_s = min(pause_s * 2, 0.05)


def _verify_schema(conn: sqlite3.Connection) -> None:
    """Raise ``_Unreadable`` if a table the store relies on is missing or lacks columns."""
    for table, required in _REQUIRED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        missing = set(required) - present
        if missing:
            what = "is missing" if not present else f"lacks {', '.join(sorted(missing))}"
            raise _Unreadable(f"its table {table!r} {what}")


def _open_checked(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """Inspect, then open, configure and migrate; the connection is closed on any failure."""
    _inspect(path, busy_timeout_s)
    conn = _connect(path, busy_timeout_s)
    try:
        _configure(conn, busy_timeout_s)
        apply_migrations(conn, MIGRATIONS)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_damage(exc):
            raise _Unreadable(str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _open_or_replace(path: Path, busy_timeout_s: float) -> tuple[sqlite3.Connection, list[str]]:
    """Open the database; if it is unreadable, move it aside once and start afresh."""
    try:
        return _open_checked(path, busy_timeout_s), []
    except _Unreadable as problem:
        moved_to = _move_aside(path)
        notice = (
            f"Your progress database {path} was unreadable ({problem}); it was moved to "
            f"{moved_to} and a fresh one was created."
        )
        return _open_checked(path, busy_timeout_s), [notice]


def _move_aside(path: Path) -> Path:
    """Rename a damaged database (and its sidecar files) to ``<name>.corrupt-<UTC time>``.

    The sidecars must move too: a leftover ``-wal`` would otherwise be replayed
    into the fresh database. Keeping the ``-wal`` suffix on the new name means
    SQLite still pairs them if someone opens the saved copy to rescue data.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *_SQLITE_SIDECARS)):
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.rename(path, target)
        for suffix in _SQLITE_SIDECARS:
            sidecar = Path(f"{path}{suffix}")
            if sidecar.exists():
                os.rename(sidecar, f"{target}{suffix}")
    except OSError as exc:
        raise StoreError(
            f"your progress database {path} is unreadable and could not be moved aside: "
            f"{exc.strerror or exc}. Move or delete it yourself, or set --data-dir to another "
            "folder."
        ) from exc
    return target


# ------------------------------------------------------------------------ errors


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF  # strip the extended-code bits


_ADVICE_BY_CODE: dict[int, str] = {
    sqlite3.SQLITE_BUSY: "Another program (perhaps a second copy of backprop-tutor) kept it "
    "locked for too long; try again in a moment.",
    sqlite3.SQLITE_LOCKED: "Another program kept it locked for too long; try again in a moment.",
    sqlite3.SQLITE_READONLY: "The file or its folder is read-only; make it writable or set "
    "--data-dir or BACKPROP_TUTOR_HOME to a writable folder.",
    sqlite3.SQLITE_CANTOPEN: "Check that the file and its folder exist and that you may read "
    "and write them.",
    sqlite3.SQLITE_PERM: "Check the permissions of the file and its folder.",
    sqlite3.SQLITE_FULL: "The disk is full; free some space and try again.",
    sqlite3.SQLITE_IOERR: "The disk reported an error.",
    sqlite3.SQLITE_CORRUPT: "The file is damaged; restart backprop-tutor to move it aside.",
    sqlite3.SQLITE_NOTADB: "The file is damaged; restart backprop-tutor to move it aside.",
}


def _store_error(action: str, path: Path, exc: sqlite3.Error) -> StoreError:
    """Turn a sqlite3 error into a sentence for a person.

    ``action`` completes "could not … the progress database", e.g. "save a draft in".
    """
    code = _primary_code(exc)
    advice = _ADVICE_BY_CODE.get(code, "") if code is not None else ""
    reason = str(exc).rstrip(".")  # some sqlite3 messages end with a period, most don't
    message = f"could not {action} the progress database {path}: {reason}."
    return StoreError(f"{message} {advice}".rstrip())


def _newer_schema_error(path: Path, problem: _NewerSchema) -> StoreError:
    return StoreError(
        f"your progress database {path} was written by a newer version of backprop-tutor "
        f"(schema {problem.found}; this version understands up to {problem.supported}). "
        "It was left untouched: upgrade backprop-tutor, or set --data-dir to use another folder."
    )


# --------------------------------------------------------------------------- queries

_ITEM_SELECT = """
SELECT i.pack_id, i.item_id, i.status,
    (SELECT count(*) FROM attempts a WHERE a.pack_id = i.pack_id AND a.item_id = i.item_id),
    (SELECT coalesce(max(a.score), 0.0) FROM attempts a
        WHERE a.pack_id = i.pack_id AND a.item_id = i.item_id),
    (SELECT count(*) FROM hints h WHERE h.pack_id = i.pack_id AND h.item_id = i.item_id),
    i.solution_viewed, i.time_spent_s,
    (SELECT a.at FROM attempts a WHERE a.pack_id = i.pack_id AND a.item_id = i.item_id
        ORDER BY a.id DESC LIMIT 1)
FROM items i
"""

_ATTEMPT_SELECT = """
SELECT pack_id, pack_version, item_id, kind, answer, verdict, score, duration_s, detail, id, at
FROM attempts
"""

# A score of 1 finishes an item; anything else starts it, but "done" is never undone.
_UPSERT_STATUS_AFTER_ATTEMPT = """
INSERT INTO items (pack_id, item_id, status) VALUES (?, ?, ?)
ON CONFLICT (pack_id, item_id) DO UPDATE SET status = CASE
    WHEN items.status = 'done' OR excluded.status = 'done' THEN 'done' ELSE 'in_progress' END
"""

_TOUCH_ITEM = (
    "INSERT INTO items (pack_id, item_id) VALUES (?, ?) ON CONFLICT (pack_id, item_id) DO NOTHING"
)


def _item_from_row(row: Sequence[Any]) -> ItemProgress:
    return ItemProgress(
        pack_id=row[0],
        item_id=row[1],
        status=cast(ItemStatus, row[2]),
        attempts=int(row[3]),
        best_score=float(row[4]),
        hints_used=int(row[5]),
        solution_viewed=bool(row[6]),
        time_spent_s=float(row[7]),
        last_attempt_at=row[8],
    )


def _attempt_from_row(row: Sequence[Any]) -> AttemptRecord:
    return AttemptRecord(
        pack_id=row[0],
        pack_version=row[1],
        item_id=row[2],
        kind=row[3],
        answer=row[4],
        verdict=row[5],
        score=float(row[6]),
        duration_s=float(row[7]),
        detail=row[8],
        id=int(row[9]),
        at=row[10],
    )


def _pack_filter(
    pack_id: str | None, item_id: str | None = None, *, alias: str = ""
) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause (built only from constant text) and its parameters."""
    if pack_id is None and item_id is not None:
        raise ValueError("item_id needs a pack_id")
    if pack_id is None:
        return "", ()
    if item_id is None:
        return f" WHERE {alias}pack_id = ?", (pack_id,)
    return f" WHERE {alias}pack_id = ? AND {alias}item_id = ?", (pack_id, item_id)


def _select_items(
    conn: sqlite3.Connection, pack_id: str | None, item_id: str | None = None
) -> list[ItemProgress]:
    where, params = _pack_filter(pack_id, item_id, alias="i.")
    sql = f"{_ITEM_SELECT}{where} ORDER BY i.pack_id, i.item_id"
    return [_item_from_row(row) for row in conn.execute(sql, params)]


def _select_attempts(
    conn: sqlite3.Connection, pack_id: str | None, item_id: str | None
) -> list[AttemptRecord]:
    where, params = _pack_filter(pack_id, item_id)
    sql = f"{_ATTEMPT_SELECT}{where} ORDER BY id"
    return [_attempt_from_row(row) for row in conn.execute(sql, params)]


def _select_position(conn: sqlite3.Connection) -> tuple[str, str] | None:
    row = conn.execute("SELECT pack_id, item_id FROM last_position").fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def _select_rows_as_dicts(
    conn: sqlite3.Connection, sql: str, keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    return [dict(zip(keys, row, strict=True)) for row in conn.execute(sql)]


# ----------------------------------------------------------------------------- store


class ProgressStore:
    """The learner's progress. Open with :meth:`open`; safe to share between threads."""

    path: Path
    """The database file."""
    notices: tuple[str, ...]
    """Sentences for the learner about opening, e.g. that a damaged file was moved aside."""

    def __init__(self, conn: sqlite3.Connection, path: Path, notices: tuple[str, ...]) -> None:
        """Use :meth:`open`; this only wraps an already checked connection."""
        self.path = path
        self.notices = notices
        self._conn = conn
        # One connection shared by UI worker threads: a transaction belongs to
        # the connection, so two threads must never interleave statements on it.
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls, data_dir: Path, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
    ) -> ProgressStore:
        """Open (creating and upgrading as needed) the store in ``data_dir``.

        Raises :class:`~tutor.core.datadir.DataDirError` if the folder is not
        writable and :class:`StoreError` if the database cannot be used (for
        example one written by a newer version, which is left untouched).
        """
        # Absolute, so every message names a file the learner can find.
        path = ensure_writable_dir(Path(data_dir).absolute()) / DB_FILENAME
        try:
            conn, notices = _open_or_replace(path, busy_timeout_s)
        except _NewerSchema as problem:
            raise _newer_schema_error(path, problem) from problem
        except _Unreadable as problem:  # still unreadable after starting afresh
            raise StoreError(
                f"could not create a usable progress database {path}: {problem}."
            ) from problem
        except sqlite3.Error as exc:
            raise _store_error("open", path, exc) from exc
        return cls(conn, path, tuple(notices))

    # -- plumbing

    @contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (durably) when the block ends."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise _store_error(action, self.path, exc) from exc

    @contextmanager
    def _reading(self, action: str) -> Iterator[sqlite3.Connection]:
        """A read transaction, so several SELECTs see one consistent snapshot."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    yield self._conn
                finally:
                    if self._conn.in_transaction:
                        self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _store_error(action, self.path, exc) from exc

    # -- attempts

    def record_attempt(self, attempt: Attempt) -> int:
        """Store ``attempt`` and update the item's status; return its id once committed."""
        status = "done" if attempt.score >= 1.0 else "in_progress"
        with self._writing("record an attempt in") as conn:
            cursor = conn.execute(
                "INSERT INTO attempts (pack_id, pack_version, item_id, at, kind, answer,"
                " verdict, score, duration_s, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.pack_id, attempt.pack_version, attempt.item_id, _utc_now(),
                 attempt.kind, attempt.answer, attempt.verdict, attempt.score,
                 attempt.duration_s, attempt.detail),
            )  # fmt: skip
            conn.execute(_UPSERT_STATUS_AFTER_ATTEMPT, (attempt.pack_id, attempt.item_id, status))
        return int(cast(int, cursor.lastrowid))

    def attempts(
        self, pack_id: str | None = None, item_id: str | None = None
    ) -> list[AttemptRecord]:
        """Recorded attempts, oldest first: all of them, one pack's, or one item's."""
        with self._reading("read attempts from") as conn:
            return _select_attempts(conn, pack_id, item_id)

    # -- items

    def item(self, pack_id: str, item_id: str) -> ItemProgress:
        """Progress on one item; one never seen (or no longer in any pack) is ``not_started``."""
        with self._reading("read an item's progress from") as conn:
            found = _select_items(conn, pack_id, item_id)
        if found:
            return found[0]
        return ItemProgress.not_started(pack_id, item_id)

    def items(self, pack_id: str | None = None) -> list[ItemProgress]:
        """Every item with any recorded progress (attempts, time, hints, …), sorted by id."""
        with self._reading("read progress from") as conn:
            return _select_items(conn, pack_id)

    def status(self, pack_id: str, item_id: str) -> ItemStatus:
        """``"not_started"``, ``"in_progress"`` or ``"done"``."""
        return self.item(pack_id, item_id).status

    def mark_done(self, pack_id: str, item_id: str) -> None:
        """Mark an item done without an attempt (a lesson that was read)."""
        with self._writing("mark an item as done in") as conn:
            conn.execute(
                "INSERT INTO items (pack_id, item_id, status) VALUES (?, ?, 'done')"
                " ON CONFLICT (pack_id, item_id) DO UPDATE SET status = 'done'",
                (pack_id, item_id),
            )

    def add_time(self, pack_id: str, item_id: str, seconds: float) -> None:
        """Add ``seconds`` (finite, >= 0) to the time spent on an item."""
        _check_seconds("seconds", seconds)
        with self._writing("record time spent in") as conn:
            conn.execute(
                "INSERT INTO items (pack_id, item_id, time_spent_s) VALUES (?, ?, ?)"
                " ON CONFLICT (pack_id, item_id)"
                " DO UPDATE SET time_spent_s = time_spent_s + excluded.time_spent_s",
                (pack_id, item_id, seconds),
            )

    # -- hints and solutions

    def use_hint(self, pack_id: str, item_id: str, index: int) -> None:
        """Record that hint ``index`` (0-based) was revealed; revealing it again changes nothing."""
        if index < 0:
            raise ValueError(f"hint index must be >= 0, got {index}")
        with self._writing("record a hint in") as conn:
            conn.execute(
                "INSERT INTO hints (pack_id, item_id, hint_index, revealed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (pack_id, item_id, index, _utc_now()),
            )
            conn.execute(_TOUCH_ITEM, (pack_id, item_id))

    def hints_used(self, pack_id: str, item_id: str) -> int:
        """How many different hints were revealed for an item."""
        return len(self.revealed_hints(pack_id, item_id))

    def revealed_hints(self, pack_id: str, item_id: str) -> tuple[int, ...]:
        """Indices of the revealed hints, ascending (to show them again after a restart)."""
        with self._reading("read hints from") as conn:
            rows = conn.execute(
                "SELECT hint_index FROM hints WHERE pack_id = ? AND item_id = ?"
                " ORDER BY hint_index",
                (pack_id, item_id),
            ).fetchall()
        return tuple(int(row[0]) for row in rows)

    def mark_solution_viewed(self, pack_id: str, item_id: str) -> None:
        """Record that the learner looked at the reference solution."""
        with self._writing("record a viewed solution in") as conn:
            conn.execute(
                "INSERT INTO items (pack_id, item_id, solution_viewed) VALUES (?, ?, 1)"
                " ON CONFLICT (pack_id, item_id) DO UPDATE SET solution_viewed = 1",
                (pack_id, item_id),
            )

    # -- drafts

    def save_draft(self, pack_id: str, item_id: str, code: str) -> None:
        """Keep ``code`` as the item's draft, replacing any earlier one (one small UPSERT)."""
        with self._writing("save a draft in") as conn:
            conn.execute(
                "INSERT INTO drafts (pack_id, item_id, code, saved_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (pack_id, item_id)"
                " DO UPDATE SET code = excluded.code, saved_at = excluded.saved_at",
                (pack_id, item_id, code, _utc_now()),
            )

    def draft(self, pack_id: str, item_id: str) -> str | None:
        """The latest saved draft for an item, or ``None``."""
        with self._reading("read a draft from") as conn:
            row = conn.execute(
                "SELECT code FROM drafts WHERE pack_id = ? AND item_id = ?", (pack_id, item_id)
            ).fetchone()
        return None if row is None else str(row[0])

    # -- position

    def set_last_position(self, pack_id: str, item_id: str) -> None:
        """Remember the item the learner is on, to resume there next time."""
        with self._writing("save the last position in") as conn:
            conn.execute(
                "INSERT INTO last_position (id, pack_id, item_id, set_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET pack_id = excluded.pack_id,"
                " item_id = excluded.item_id, set_at = excluded.set_at",
                (pack_id, item_id, _utc_now()),
            )

    def last_position(self) -> tuple[str, str] | None:
        """``(pack_id, item_id)`` of the last position, or ``None`` if none was set."""
        with self._reading("read the last position from") as conn:
            return _select_position(conn)

    # -- whole store

    def export(self) -> dict[str, Any]:
        """Everything in the store as JSON-serialisable data, from one consistent snapshot."""
        with self._reading("export") as conn:
            position = _select_position(conn)
            return {
                "schema_version": user_version(conn),
                "exported_at": _utc_now(),
                "items": [asdict(item) for item in _select_items(conn, None)],
                "attempts": [asdict(attempt) for attempt in _select_attempts(conn, None, None)],
                "hints": _select_rows_as_dicts(
                    conn,
                    "SELECT pack_id, item_id, hint_index, revealed_at FROM hints"
                    " ORDER BY pack_id, item_id, hint_index",
                    ("pack_id", "item_id", "index", "revealed_at"),
                ),
                "drafts": _select_rows_as_dicts(
                    conn,
                    "SELECT pack_id, item_id, code, saved_at FROM drafts ORDER BY pack_id, item_id",
                    ("pack_id", "item_id", "code", "saved_at"),
                ),
                "last_position": None
                if position is None
                else {"pack_id": position[0], "item_id": position[1]},
            }

    def reset(self, pack_id: str | None = None) -> int:
        """Delete all progress, or one pack's; return the number of attempts deleted."""
        where, params = _pack_filter(pack_id)
        with self._writing("reset progress in") as conn:
            deleted = conn.execute(f"DELETE FROM attempts{where}", params).rowcount
            for table in ("items", "hints", "drafts", "last_position"):
                conn.execute(f"DELETE FROM {table}{where}", params)
        return int(deleted)

    def wait_when_busy(self, seconds: float) -> None:
        """How long later statements wait for another process's lock before failing."""
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")

    def close(self) -> None:
        """Close the database. Safe to call twice; later calls on the store raise StoreError."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
