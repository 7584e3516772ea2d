"""The curriculum as a tree: pack → unit → lessons and exercises, each with its status mark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text, TextType
from textual import on
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tutor.core.curriculum import Curriculum, CurriculumEntry, ItemEntry, PackEntry, UnitEntry
from tutor.ui.marks import bar, mark_of

_STATUS_CLASSES = {
    "done": "curriculum--done",
    "in_progress": "curriculum--in-progress",
    "not_started": "curriculum--not-started",
    None: "curriculum--unknown",
}


class CurriculumTree(Tree[CurriculumEntry]):
    """Packs, units and items; labels are drawn from the node data so marks follow the theme."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *Tree.COMPONENT_CLASSES,
        *_STATUS_CLASSES.values(),
        "curriculum--kind",
        "curriculum--count",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Curriculum", id=id)
        self.show_root = False

    def show(self, data: Curriculum) -> None:
        """Replace the tree with `data`, open the starting unit and put the cursor on it."""
        self.clear()
        start_unit, start_item = data.start_unit(), data.start_item()
        cursor: TreeNode[CurriculumEntry] | None = None
        for pack in data.packs:
            # Titles as Text: a plain string would be read as markup ("[x]" would vanish).
            pack_node = self.root.add(Text(pack.pack.title), data=pack, expand=True)
            for unit in pack.units:
                unit_node = pack_node.add(Text(unit.unit.title), data=unit)
                if unit is start_unit and cursor is None:
                    unit_node.expand()
                    items = self._add_items(unit_node, unit)
                    cursor = next((n for n in items if n.data is start_item), unit_node)
        # Count the lines now, not when the tree next idles. Below 100 columns the tree is
        # as tall as its lines, and a layout in between (the panel's new text asks for one)
        # measured the old count, which Textual then kept: the tree's second request for a
        # layout does not count as new while the first is pending. Seen as a missing tree.
        self.get_node_at_line(0)
        if cursor is not None:
            self.cursor_line = cursor.line  # highlighted in the first frame already
            # Scrolling to it needs the tree's size: known once laid out.
            self.call_after_refresh(self.scroll_to_node, cursor, animate=False)

    @on(Tree.NodeExpanded)
    def _add_items_when_opened(self, event: Tree.NodeExpanded[CurriculumEntry]) -> None:
        """A unit's items join the tree when it is first opened (with the unit's progress as
        last read): adding every unit's items up front cost 3 ms of the first frame, for
        lines most learners never open at a time."""
        unit = event.node.data
        if isinstance(unit, UnitEntry) and not event.node.children:
            self._add_items(event.node, unit)

    @staticmethod
    def _add_items(
        unit_node: TreeNode[CurriculumEntry], unit: UnitEntry
    ) -> list[TreeNode[CurriculumEntry]]:
        return [unit_node.add_leaf(Text(e.item.title), data=e) for e in unit.items]

    def process_label(self, label: TextType) -> Text:
        """A one-line `Text` as it is: the base class copies every label to cut it to one line."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def refresh_progress(self, data: Curriculum) -> None:
        """Show `data`'s progress in the existing nodes (keeps what is open and the cursor)."""
        fresh: dict[tuple[str, ...], CurriculumEntry] = {}
        for pack in data.packs:
            fresh[(pack.pack.id,)] = pack
            for unit in pack.units:
                fresh[(pack.pack.id, unit.unit.id)] = unit
                fresh.update({(e.pack.id, unit.unit.id, e.item.id): e for e in unit.items})
        for node in _all_nodes(self.root):
            if node.data is not None and (entry := fresh.get(_key(node.data))) is not None:
                node.data = entry
                node.refresh()

    def render_label(
        self, node: TreeNode[CurriculumEntry], base_style: Style, style: Style
    ) -> Text:
        """The title with a status mark (items) or a done/total count (units and packs)."""
        label = super().render_label(node, base_style, style)
        entry = node.data
        if isinstance(entry, ItemEntry):
            mark = Text(mark_of(entry), style=self._component(_STATUS_CLASSES[entry.status]))
            kind = Text(entry.item.kind, style=self._component("curriculum--kind"))
            label = Text.assemble(mark, " ", label, "  ", kind)
        elif isinstance(entry, PackEntry | UnitEntry):
            count = Text(_count(entry), style=self._component("curriculum--count"))
            label = Text.assemble(label, "  ", count)
        label.stylize_before(style)
        return label

    def get_label_width(self, node: TreeNode[CurriculumEntry]) -> int:
        """The width `render_label` draws, counted without drawing: the tree measures every
        open line whenever it changes, and drawing each label just to measure it doubled the
        labels' share of the first frame."""
        width = cell_len(str(node.label)) + (cell_len(self.ICON_NODE) if node.allow_expand else 0)
        entry = node.data
        if isinstance(entry, ItemEntry):
            return cell_len(mark_of(entry)) + 1 + width + 2 + cell_len(entry.item.kind)
        if isinstance(entry, PackEntry | UnitEntry):
            return width + 2 + cell_len(_count(entry))
        return width

    def _component(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)


def _count(entry: PackEntry | UnitEntry) -> str:
    return f"{entry.done}/{entry.total} {bar(entry.done, entry.total, 5)}"


def _key(entry: CurriculumEntry) -> tuple[str, ...]:
    if isinstance(entry, PackEntry):
        return (entry.pack.id,)
    if isinstance(entry, UnitEntry):
        return (entry.pack.id, entry.unit.id)
    return (entry.pack.id, entry.unit.id, entry.item.id)


def _all_nodes(node: TreeNode[CurriculumEntry]) -> Iterator[TreeNode[CurriculumEntry]]:
    for child in node.children:
        yield child
        yield from _all_nodes(child)
