"""The home screen, driven with Pilot at 80×24 on a temporary data directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.style import Style
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets.tree import TreeNode

from tutor.core.curriculum import CurriculumEntry, ItemEntry, UnitEntry, load_curriculum
from tutor.core.packs import cache
from tutor.core.progress import Attempt, ProgressStore
from tutor.core.workspace import Workspace
from tutor.ui.app import TutorApp, create_app
from tutor.ui.screens.derivation import DerivationScreen
from tutor.ui.screens.home import HomeScreen
from tutor.ui.widgets.curriculum_tree import CurriculumTree
from tutor.ui.widgets.item_panel import ItemPanel

SIZE = (80, 24)
LESSON = "The chain rule on a computational graph"
DERIVATION = "Three steps of the chain rule"
CHOICE = "Backprop is not gradient descent"
CODE = "The backward pass of a Linear layer"


UI_PACK = Path(__file__).resolve().parent / "fixtures" / "ui-pack"
"""A frozen copy of the first built-in pack: these tests do not change when the content grows."""


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """The UI fixture pack only, with progress in a fresh temporary folder."""
    space = Workspace(
        data_dir=tmp_path, pack_dirs=[UI_PACK], include_entry_points=False, include_builtin=False
    )
    yield space
    space.close()


def record(data_dir: Path, item_id: str, score: float) -> None:
    with ProgressStore.open(data_dir) as store:
        store.record_attempt(
            Attempt("core", "0.1.0", item_id, "derivation", "2*b", "incorrect", score, 3.0)
        )


async def wait_until_loaded(pilot: Pilot[int], timeout: float = 5.0) -> None:
    """Wait for the worker's data to reach the tree and the first item to reach the panel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        if pilot.app.screen.query(ItemPanel) and panel(pilot).text:
            return
    raise AssertionError("the home screen did not finish loading")


def tree(pilot: Pilot[int]) -> CurriculumTree:
    return pilot.app.screen.query_one(CurriculumTree)


def panel(pilot: Pilot[int]) -> ItemPanel:
    return pilot.app.screen.query_one(ItemPanel)


def focused(pilot: Pilot[int]) -> object:
    """The focused widget (a call, so that type narrowing does not outlive a key press)."""
    return pilot.app.focused


def panel_title(pilot: Pilot[int]) -> str:
    return panel(pilot).title


def nodes(node: TreeNode[CurriculumEntry]) -> Iterator[TreeNode[CurriculumEntry]]:
    """Every node under `node`, depth first, collapsed or not."""
    for child in node.children:
        yield child
        yield from nodes(child)


def labels(pilot: Pilot[int]) -> dict[str, str]:
    """Each node's title → its label as drawn (with marks, kinds and counts)."""
    widget = tree(pilot)
    return {
        str(node.label): widget.render_label(node, Style(), Style()).plain
        for node in nodes(widget.root)
    }


def node_titled(pilot: Pilot[int], title: str) -> TreeNode[CurriculumEntry]:
    return next(node for node in nodes(tree(pilot).root) if str(node.label) == title)


async def test_tree_lists_the_core_pack(workspace: Workspace) -> None:
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        tree(pilot).root.expand_all()  # a unit's items join the tree when it is opened
        await pilot.pause()
        drawn = labels(pilot)
        assert drawn["Backpropagation from scratch"].endswith("0/6 ░░░░░")
        assert drawn["The chain rule and computational graphs"].endswith("0/5 ░░░░░")
        assert drawn["Layers as matrices"].endswith("0/1 ░░░░░")
        assert drawn[LESSON] == f"· {LESSON}  lesson"
        assert drawn[DERIVATION] == f"· {DERIVATION}  derivation"
        assert drawn[CHOICE] == f"· {CHOICE}  choice"
        assert drawn[CODE] == f"· {CODE}  code"


async def test_a_returning_learner_gets_the_home_screen_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packs from the cache: the tree and the panel are filled as the screen mounts, not by a
    loading thread (stubbed out here) frames later."""
    pack = tmp_path / "pack"
    shutil.copytree(UI_PACK, pack)
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.2)
    time.sleep(0.25)  # settled files: the cache trusts their stamps

    def space() -> Workspace:
        data = tmp_path / "data"
        return Workspace(data, [pack], include_entry_points=False, include_builtin=False)

    first_run = space()
    assert first_run.catalog.packs  # read from the files, and remembered
    first_run.close()
    loads: list[object] = []
    monkeypatch.setattr(HomeScreen, "_load", lambda self: loads.append(self))
    returning = space()
    async with create_app(returning).run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert panel_title(pilot) == LESSON
        assert labels(pilot)[LESSON] == f"· {LESSON}  lesson"
    returning.close()
    assert loads == []


async def test_without_a_last_position_the_first_unit_is_open(workspace: Workspace) -> None:
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        assert node_titled(pilot, "The chain rule and computational graphs").is_expanded
        assert not node_titled(pilot, "Layers as matrices").is_expanded
        cursor = tree(pilot).cursor_node
        assert cursor is not None and str(cursor.label) == LESSON
        assert panel_title(pilot) == LESSON
        assert "Backpropagation is the chain rule" in panel(pilot).text
        assert not panel(pilot).text.startswith("# ")  # the title is not repeated


def record_some_progress(data_dir: Path) -> None:
    """The lesson done, the derivation after it in progress."""
    with ProgressStore.open(data_dir) as store:
        store.mark_done("core", "chain-rule")
    record(data_dir, "chain-rule-three-steps", 0.5)


async def test_recorded_progress_shows_as_marks_and_counts(
    workspace: Workspace, tmp_path: Path
) -> None:
    record_some_progress(tmp_path)
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        drawn = labels(pilot)
        assert drawn[LESSON].startswith("✓ ")
        assert drawn[DERIVATION].startswith("◐ ")
        assert drawn[CHOICE].startswith("· ")
        assert drawn["The chain rule and computational graphs"].endswith("1/5 █░░░░")
        assert drawn["Backpropagation from scratch"].endswith("1/6 █░░░░")


async def test_moving_the_cursor_updates_the_panel(workspace: Workspace, tmp_path: Path) -> None:
    record(tmp_path, "chain-rule-three-steps", 0.5)
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("down")
        await pilot.pause()
        assert panel_title(pilot) == DERIVATION
        meta = panel(pilot).meta
        assert meta == "Derivation exercise · in progress · 1 attempt, best 50%"
        assert "find the derivatives below" in panel(pilot).text
        assert "∂c/∂a" in panel(pilot).text
        await pilot.press("down", "down", "down", "down")  # three checks, then "Layers"
        await pilot.pause()
        assert panel_title(pilot) == "Layers as matrices"
        assert f"· {CODE}" in panel(pilot).text


async def test_the_last_position_opens_its_unit(workspace: Workspace, tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.set_last_position("core", "linear-backward")
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        assert node_titled(pilot, "Layers as matrices").is_expanded
        assert not node_titled(pilot, "The chain rule and computational graphs").is_expanded
        assert panel_title(pilot) == CODE
        assert "linear_backward(x, W, b, grad_out)" in panel(pilot).text


async def test_enter_opens_the_item_and_remembers_it(workspace: Workspace, tmp_path: Path) -> None:
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("down", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(pilot.app.screen, DerivationScreen)
        await pilot.press("escape", "escape")  # leave the answer box, then the screen
        await pilot.pause()
        assert isinstance(focused(pilot), CurriculumTree)
    with ProgressStore.open(tmp_path) as store:
        assert store.last_position() == ("core", "chain-rule-three-steps")


async def test_enter_on_a_unit_toggles_it(workspace: Workspace) -> None:
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("down", "down", "down", "down", "down", "enter")
        await pilot.pause()
        layers = node_titled(pilot, "Layers as matrices")
        assert layers.is_expanded
        assert isinstance(focused(pilot), CurriculumTree)
        await pilot.press("down")
        await pilot.pause()
        assert panel_title(pilot) == CODE


async def test_a_unit_opened_later_shows_the_progress_made_meanwhile(
    workspace: Workspace, tmp_path: Path
) -> None:
    # A closed unit's items join the tree when it is opened: they must carry the progress
    # read when the learner came back to the home screen, not the one read at start-up.
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("p")  # the progress screen, on top of home
        await pilot.pause()
        with ProgressStore.open(tmp_path) as store:
            store.mark_done("core", "linear-backward")
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert labels(pilot)["Layers as matrices"].endswith("1/1 █████")
        node_titled(pilot, "Layers as matrices").expand()
        await pilot.pause()
        assert labels(pilot)[CODE] == f"✓ {CODE}  code"


async def test_every_label_is_measured_as_wide_as_it_is_drawn(
    workspace: Workspace, tmp_path: Path
) -> None:
    # The tree measures its lines without drawing them: a wrong width would cut titles off
    # or scroll past their end.
    record_some_progress(tmp_path)
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        curriculum_tree = tree(pilot)
        curriculum_tree.root.expand_all()
        await pilot.pause()
        for node in nodes(curriculum_tree.root):
            drawn = curriculum_tree.render_label(node, Style(), Style())
            assert curriculum_tree.get_label_width(node) == drawn.cell_len, drawn.plain


async def test_the_panel_shows_the_start_item_from_the_first_frame_on(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It once went blank for a few frames after the first (the tree's cursor starting on
    # nothing), then showed the start item again.
    shown: list[CurriculumEntry | None] = []
    show = ItemPanel.show

    def record_and_show(panel: ItemPanel, entry: CurriculumEntry | None) -> None:
        shown.append(entry)
        show(panel, entry)

    monkeypatch.setattr(ItemPanel, "show", record_and_show)
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.pause(0.3)
        assert panel_title(pilot) == LESSON
    titles = [entry.item.title if isinstance(entry, ItemEntry) else entry for entry in shown]
    assert set(titles) == {LESSON}


async def test_q_quits_with_exit_code_zero(workspace: Workspace) -> None:
    app: TutorApp = create_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_an_unwritable_data_dir_is_explained_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file", encoding="utf-8")
    notes: list[Message] = []
    space = Workspace(data_dir=blocker / "data", include_entry_points=False)
    app = create_app(space)
    async with app.run_test(size=SIZE, message_hook=notes.append) as pilot:
        await wait_until_loaded(pilot)
        message = pilot.app.screen.query_one("#home-messages", Static)
        assert message.display and message.has_class("-error")
        text = str(message.render())
        assert "Progress is not available" in text
        assert str(blocker) in text
        # The curriculum is still there, marked "unknown" rather than "not started".
        tree(pilot).root.expand_all()
        await pilot.pause()
        assert labels(pilot)[LESSON].startswith("? ")
        assert "unknown" in panel(pilot).meta
        await pilot.press("enter")  # nothing to remember into: no crash, no second error
        await pilot.pause()
        await pilot.press("q")
    assert app.return_code == 0
    errors = [n for n in notes if isinstance(n, Notify) and n.notification.severity == "error"]
    assert len(errors) == 1
    space.close()


async def test_a_broken_pack_is_reported_and_the_others_still_shown(tmp_path: Path) -> None:
    broken = tmp_path / "broken-pack"
    broken.mkdir()
    (broken / "pack.toml").write_text("format_version = 1\nid = \n", encoding="utf-8")
    space = Workspace(tmp_path / "data", pack_dirs=[broken], include_entry_points=False)
    async with create_app(space).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        message = pilot.app.screen.query_one("#home-messages", Static)
        assert message.display and not message.has_class("-error")
        assert "Skipped a broken pack" in str(message.render())
        assert str(broken) in str(message.render())
        tree(pilot).root.expand_all()
        await pilot.pause()
        assert LESSON in labels(pilot)
    space.close()


async def test_the_message_line_is_hidden_when_all_is_well(workspace: Workspace) -> None:
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        assert not pilot.app.screen.query("#home-messages")


async def test_store_notices_are_notified(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").write_bytes(b"this is not a database" * 100)
    notes: list[Message] = []
    async with create_app(workspace).run_test(size=SIZE, message_hook=notes.append) as pilot:
        await wait_until_loaded(pilot)
    shown = [n.notification.message for n in notes if isinstance(n, Notify)]
    assert any("was unreadable" in message and "moved to" in message for message in shown)


def test_entries_count_done_items(workspace: Workspace, tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path) as store:
        store.mark_done("core", "linear-backward")
        store.set_last_position("core", "no-such-item")  # e.g. removed from the pack
    data = load_curriculum(workspace)
    units = [unit for pack in data.packs for unit in pack.units]
    assert [(u.done, u.total) for u in units] == [(0, 5), (1, 1)]
    start = data.start_item()
    assert isinstance(start, ItemEntry) and start.item.id == "chain-rule"
    assert isinstance(data.start_unit(), UnitEntry)


SHOW_HOME_AND_LIST_MODULES = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from tutor.core.workspace import Workspace
    from tutor.ui.app import create_app
    from tutor.ui.widgets.item_panel import ItemPanel

    async def main() -> None:
        app = create_app(Workspace(Path(sys.argv[1]), include_entry_points=False))
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                await pilot.pause()
                panels = app.screen.query(ItemPanel)
                if panels and panels.first().text:
                    break
            else:
                raise SystemExit("the home screen never showed")
            await pilot.press("down", "down", "down", "down")
            await pilot.pause()
        print(json.dumps({name: name in sys.modules for name in ("numpy", "sympy")}))

    asyncio.run(main())
    """
)


def modules_loaded_by(script: str, data_dir: Path) -> dict[str, bool]:
    """Run `script` in a fresh interpreter (other tests in this process may have imported
    anything already); its last line of output says which modules it found loaded."""
    result = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, bool] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_the_home_screen_imports_neither_numpy_nor_sympy(tmp_path: Path) -> None:
    assert modules_loaded_by(SHOW_HOME_AND_LIST_MODULES, tmp_path) == {
        "numpy": False,
        "sympy": False,
    }


WARM_UP_AND_LIST_MODULES = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from tutor.core.workspace import Workspace
    from tutor.ui.app import SCREENS_BY_KIND, create_app

    async def main() -> None:
        screens = [module for module, _ in SCREENS_BY_KIND.values()]
        app = create_app(Workspace(Path(sys.argv[1]), include_entry_points=False))
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(400):
                await pilot.pause(0.05)
                if all(module in sys.modules for module in screens):
                    break
            await app.workers.wait_for_complete()  # the warm-up goes on to start the workers
        names = [*screens, "numpy", "sympy"]
        print(json.dumps({name: name in sys.modules for name in names}))

    asyncio.run(main())
    """
)


def test_the_item_screens_are_loaded_while_the_learner_looks_at_home(tmp_path: Path) -> None:
    # So that opening the first item does not wait for the editor's and Markdown's code;
    # SymPy and NumPy still stay out of the app's process.
    loaded = modules_loaded_by(WARM_UP_AND_LIST_MODULES, tmp_path)
    assert loaded.pop("numpy") is False and loaded.pop("sympy") is False
    assert all(loaded.values()), loaded


@pytest.mark.parametrize("size", [(80, 24), (130, 32)])
async def test_the_whole_panel_is_on_screen_so_long_text_scrolls_into_view(
    workspace: Workspace, size: tuple[int, int]
) -> None:
    # Below 100 columns the panel sits under the tree; it once kept the body's full height
    # there, reaching below the footer, so the end of a long text could not be scrolled to.
    async with create_app(workspace).run_test(size=size) as pilot:
        await wait_until_loaded(pilot)
        footer_top = pilot.app.screen.query_one("Footer").region.y
        item_panel = panel(pilot)
        assert item_panel.region.bottom <= footer_top
        assert item_panel.region.height > 2
        item_panel.scroll_end(animate=False)
        await pilot.pause()
        assert item_panel.scroll_y == item_panel.max_scroll_y
        assert item_panel.virtual_size.height - item_panel.scroll_y <= item_panel.size.height


async def test_a_filled_tree_knows_its_height_before_any_layout(workspace: Workspace) -> None:
    # Below 100 columns the tree is as tall as its lines. It once came out 0 lines tall on
    # about one start in ten: when the screen was laid out (for the panel's new text) after
    # the tree was filled but before the tree counted its lines, Textual kept that first
    # height, as the tree's second request for a layout did not count as a new one.
    async with create_app(workspace).run_test(size=SIZE) as pilot:
        await wait_until_loaded(pilot)
        curriculum_tree = tree(pilot)
        curriculum_tree.root.collapse_all()
        await pilot.pause()
        assert curriculum_tree.content_size.height == 1  # the pack, folded
        assert isinstance(pilot.app, TutorApp) and pilot.app.curriculum is not None
        curriculum_tree.show(pilot.app.curriculum)
        # No await: no other widget has had a turn, and a layout now must see the lines.
        assert curriculum_tree.virtual_size.height == 8  # the pack, 2 units, 5 items open
        await pilot.pause()
        assert curriculum_tree.content_size.height == 8
        assert panel(pilot).region.y == curriculum_tree.region.bottom
