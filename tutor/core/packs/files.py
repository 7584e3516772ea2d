"""Reading pack files: TOML with readable errors, and references that stay inside the pack."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tutor.core.model import Problem
from tutor.core.packs.cache import note_read

MAX_FILE_BYTES = 2_000_000
"""Pack files are hand-written text; anything larger is a mistake, not content."""


def read_text(path: Path) -> str | Problem:
    """The file's text, or a problem saying why it cannot be read."""
    note_read(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Problem(path, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Problem(path, "file not found")
    except UnicodeDecodeError as error:
        return Problem(path, f"file is not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        return Problem(path, f"cannot read file: {error.strerror or error}")


def read_toml(path: Path) -> tuple[dict[str, Any], str] | Problem:
    """The parsed table and the source text, or a problem naming the line of a syntax error."""
    text = read_text(path)
    if isinstance(text, Problem):
        return text
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        line = _decode_error_line(error)
        message = str(error).split(" (at line")[0]
        return Problem(path, f"invalid TOML: {message}", line=line)


def _decode_error_line(error: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(error, "lineno", None)  # Python ≥ 3.14 has it; older ones only in text
    if isinstance(lineno, int):
        return lineno
    text = str(error)
    marker = "(at line "
    if marker in text:
        digits = text.split(marker, 1)[1].split(",", 1)[0]
        return int(digits) if digits.isdigit() else None
    return None


def resolve_inside(root: Path, base: Path, reference: str) -> Path | str:
    """Resolve `reference` relative to `base`; a reason string if it is absolute or escapes `root`.

    Symlinks are resolved first, so a link pointing outside the pack is refused too.
    """
    if not reference or Path(reference).is_absolute() or reference.startswith("~"):
        return f"'{reference}' must be a relative path inside the pack folder"
    note_read(base / reference)  # as named: a symlink re-pointed changes what it stats as
    try:
        target = (base / reference).resolve()
    except (OSError, RuntimeError, ValueError) as error:
        # ValueError: an embedded NUL byte; RuntimeError: a symlink loop (pathlib, Python < 3.13).
        return f"{reference!r} is not a usable path: {error}"
    if not target.is_relative_to(root.resolve()):
        return f"'{reference}' points outside the pack folder ({root})"
    if target.is_dir():
        return f"'{reference}' is a folder; name a file"
    if not target.is_file():
        return f"'{reference}' does not exist (looked for {target})"
    return target
