"""The side panel: title, kind, status and text of whatever is highlighted in the tree."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tutor.core.curriculum import CurriculumEntry, ItemEntry, PackEntry, UnitEntry
from tutor.core.model import ChoiceExercise, CodeExercise, DerivationExercise, Item, Lesson
from tutor.core.variants import choose_variant, with_variant
from tutor.ui.marks import mark_of
from tutor.ui.widgets.markdown_preview import preview

KIND_NAMES = {
    "lesson": "Lesson",
    "derivation": "Derivation exercise",
    "code": "Code exercise",
    "choice": "Concept check",
}
"""How each item kind is named in the panel."""


TITLE_STYLE = "bold $text-primary"
META_STYLE = "$text-muted"


class ItemPanel(VerticalScroll):
    """Shows one curriculum entry; focus it to scroll long lessons with the keyboard.

    Title, meta line and text are one widget: each widget more is restyled on every
    restyle, and start-up restyles the screen several times.
    """

    def compose(self) -> ComposeResult:
        yield Static(id="item-text", markup=False)

    learner_key = ""
    """Whose variant of randomised exercises to show (set once progress is loaded)."""
    title = ""
    """The title shown."""
    meta = ""
    """The line under the title: kind, status, attempts."""
    text = ""
    """The Markdown shown."""

    _shown: CurriculumEntry | None = None

    def show(self, entry: CurriculumEntry | None) -> None:
        """Display `entry` (or a placeholder for `None`) and scroll back to the top."""
        if entry is not None and entry is self._shown:
            return  # e.g. the tree's cursor arriving where start-up already showed
        self._shown = entry
        self.title, self.meta, self.text = describe(entry, self.learner_key)
        heading = Content.assemble((self.title, TITLE_STYLE), "\n", (self.meta, META_STYLE))
        self.query_one("#item-text", Static).update(heading + "\n\n" + preview(self.text))
        self.scroll_home(animate=False)


PREVIEW_CHARS = 500
"""The panel previews a lesson's start; its screen shows the whole of it."""


def describe(entry: CurriculumEntry | None, learner_key: str = "") -> tuple[str, str, str]:
    """`(title, meta line, Markdown text)` for an entry of the tree."""
    if isinstance(entry, ItemEntry):
        text = item_text(entry.item, learner_key)
        if isinstance(entry.item, Lesson):
            text = lesson_start(text)
        return entry.item.title, _item_meta(entry), text
    if isinstance(entry, UnitEntry):
        lines = [f"- {mark_of(e)} {e.item.title} *({e.item.kind})*" for e in entry.items]
        return entry.unit.title, f"Unit · {entry.done}/{entry.total} done", "\n".join(lines)
    if isinstance(entry, PackEntry):
        pack = entry.pack
        meta = f"Pack {pack.id} {pack.version} · {entry.done}/{entry.total} done"
        return pack.title, meta, pack.description
    return "", "", ""


def _item_meta(entry: ItemEntry) -> str:
    parts = [KIND_NAMES.get(entry.item.kind, entry.item.kind), entry.status_word]
    progress = entry.progress
    if progress is not None and progress.attempts:
        plural = "" if progress.attempts == 1 else "s"
        parts.append(f"{progress.attempts} attempt{plural}, best {progress.best_score:.0%}")
    if progress is not None and progress.hints_used:
        parts.append(f"{progress.hints_used} hint{'' if progress.hints_used == 1 else 's'} used")
    return " · ".join(parts)


def item_text(item: Item, learner_key: str = "") -> str:
    """The lesson body or the exercise prompt, with what the learner will be asked for.

    Randomised derivations are shown in `learner_key`'s variant, as the checker will see them.
    """
    if isinstance(item, Lesson):
        return _without_title(item.body, item.title)
    if isinstance(item, DerivationExercise):
        item = with_variant(item, choose_variant(item, learner_key))
    prompt = item.prompt.strip()
    if isinstance(item, DerivationExercise):
        labels = ", ".join(f"`{part.label}`" for part in item.parts)
        return f"{prompt}\n\n**Find:** {labels}"
    if isinstance(item, CodeExercise):
        return f"{prompt}\n\n**You write:** `{item.signature}`"
    if isinstance(item, ChoiceExercise) and item.options:
        options = "\n".join(f"{n}. {option}" for n, option in enumerate(item.options, start=1))
        return f"{prompt}\n\n{options}"
    return prompt


def lesson_start(markdown: str, limit: int = PREVIEW_CHARS) -> str:
    """The first paragraphs of `markdown`, up to about `limit` characters, never cutting a
    code block or table in half."""
    if len(markdown) <= limit:
        return markdown
    kept: list[str] = []
    size = 0
    for block in markdown.split("\n\n"):
        if kept and size + len(block) > limit:
            break
        kept.append(block)
        size += len(block) + 2
    if sum(block.count("```") for block in kept) % 2:  # a fence opened, not closed
        kept.pop()
    return "\n\n".join(kept) + "\n\n*… press enter to read the whole lesson.*"


def _without_title(body: str, title: str) -> str:
    """Drop a leading `# title` heading: the panel already shows the title."""
    first, _, rest = body.lstrip().partition("\n")
    return rest.lstrip() if first.strip() == f"# {title}" else body
