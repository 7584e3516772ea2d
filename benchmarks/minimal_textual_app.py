"""The smallest app shaped like backprop-tutor's home screen: the baseline for bench_ui.py.

    python benchmarks/minimal_textual_app.py

A Header, a Tree with a few nodes and a Footer; `q` quits. It imports nothing but Textual,
so its start-up and memory are what any Textual app of this shape costs on this machine.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Tree

TREE_SIGN = "Minimal leaf three"
"""Text of the last tree node: when it is on screen, the first frame has been drawn."""


class MinimalApp(App[int]):
    """Header, Tree, Footer."""

    TITLE = "minimal-textual-app"
    BINDINGS = [("q", "quit", "Quit")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Header()
        tree: Tree[None] = Tree("Minimal root")
        tree.root.expand()
        unit = tree.root.add("Minimal unit", expand=True)
        for name in ("one", "two"):
            unit.add_leaf(f"Minimal leaf {name}")
        unit.add_leaf(TREE_SIGN)
        yield tree
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
