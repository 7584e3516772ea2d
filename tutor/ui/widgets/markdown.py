"""Markdown for lessons and prompts: code blocks without a language stay plain text.

Textual asks Pygments to guess the language of an unlabelled block, which imports every
lexer it has (about a second and 35 MB here) on the event loop.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence


class PlainFence(MarkdownFence):
    """A code block, highlighted only when it names its language."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        return super().highlight(code, language or "text", ansi=ansi, dark=dark)


class TutorMarkdown(Markdown):
    """Markdown whose unlabelled code blocks are not language-guessed."""

    BLOCKS = {  # noqa: RUF012 (an instance variable in Textual's typing)
        **Markdown.BLOCKS,
        "fence": PlainFence,
        "code_block": PlainFence,
    }
