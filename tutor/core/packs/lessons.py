"""Lessons: Markdown files with optional TOML front matter between `+++` lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tutor.core.model import Lesson, Problem
from tutor.core.packs.files import read_text
from tutor.core.packs.schema import Field, TableReader

FRONT_MATTER = "+++"
LESSON_SPEC = {"id": Field(str), "title": Field(str)}


def load_lesson(path: Path) -> Lesson | list[Problem]:
    """A lesson from `path`; its id defaults to the file name and its title to the first heading."""
    text = read_text(path)
    if isinstance(text, Problem):
        return [text]
    reader = TableReader(path, text)
    meta, body = _split_front_matter(text, reader)
    reader.check(meta, LESSON_SPEC)
    lesson_id = meta.get("id", path.stem)
    reader.check_id(lesson_id, "id")
    title = meta.get("title") or _first_heading(body)
    if not title:
        reader.problem("lesson has no title: add a '# Heading' line or a front-matter title")
    if reader.problems:
        return reader.problems
    return Lesson(id=str(lesson_id), title=str(title), body=body, path=path)


def _split_front_matter(text: str, reader: TableReader) -> tuple[dict[str, object], str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER:
        return {}, text
    closing = next((n for n, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER), None)
    if closing is None:
        reader.problem("front matter opened with '+++' on line 1 is never closed")
        return {}, text
    try:
        meta = tomllib.loads("".join(lines[1:closing]))
    except tomllib.TOMLDecodeError as error:
        reader.problem(f"invalid TOML in front matter: {error}")
        meta = {}
    return meta, "".join(lines[closing + 1 :]).lstrip("\n")


def _first_heading(body: str) -> str | None:
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code  # a `# comment` in a code block is not a heading
        elif not in_code and line.startswith("# "):
            return line[2:].strip()
    return None
