"""The real installed `backprop-tutor` command in a real terminal (tmux): start, show, quit."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
COMMAND = shutil.which("backprop-tutor")

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(
        COMMAND is None, reason="the backprop-tutor command is not installed (pip install -e .)"
    ),
]

HOME_SCREEN_SIGNS = ("backprop-tutor", "Backpropagation from scratch", "Lesson · not started")
"""Shown whatever the built-in content: the title, the pack, and the first (lesson) item."""


class Tmux:
    """One tmux server on a private socket, so parallel runs and the user's own tmux never meet."""

    def __init__(self) -> None:
        self.socket = f"backprop-tutor-smoke-{uuid.uuid4().hex[:12]}"

    def __call__(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        assert result.returncode == 0, f"tmux {' '.join(args)}: {result.stderr}"
        return result.stdout

    def keys(self, keys: str) -> None:
        """Type `keys` (a tmux key name or text); one burst per call, as a person types."""
        self("send-keys", "-t", "smoke", keys)
        time.sleep(0.2)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "smoke")

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
            time.sleep(0.1)

    def kill_server(self) -> None:
        """Stop the server and remove its socket file (tmux leaves it behind)."""
        assert TMUX is not None
        found = subprocess.run(
            [TMUX, "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True, text=True, timeout=10,
        )  # fmt: skip
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
        socket_path = found.stdout.strip()
        if found.returncode == 0 and socket_path:
            Path(socket_path).unlink(missing_ok=True)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    yield server
    server.kill_server()


def test_the_command_shows_the_home_screen_and_quits_cleanly(tmux: Tmux, tmp_path: Path) -> None:
    assert COMMAND is not None
    # `exec sleep` keeps the pane (and what it shows) alive after the app has exited.
    script = (
        f"env BACKPROP_TUTOR_HOME={shlex.quote(str(tmp_path))} TERM=xterm-256color "
        f"{shlex.quote(COMMAND)}; echo EXITED-$?; exec sleep 60"
    )
    tmux("new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", "sh", "-c", script)

    home = tmux.wait_for(
        lambda text: all(sign in text for sign in HOME_SCREEN_SIGNS), "the home screen"
    )
    assert "The chain rule and computational graphs" in home
    assert tmux("display-message", "-p", "-t", "smoke", "#{alternate_on}").strip() == "1"

    # Open an exercise by name through the command palette, answer it, check it.
    tmux.keys("C-p")
    tmux.wait_for(lambda text: "Search for commands" in text, "the command palette")
    tmux.keys("Three steps")
    tmux.wait_for(lambda text: "Three steps of the chain rule" in text, "the palette's hit")
    tmux.keys("Enter")
    tmux.wait_for(lambda text: "∂c/∂a =" in text and "dc/dx =" in text, "the derivation")
    for key in ("2b", "Enter", "8x+12", "Enter"):
        tmux.keys(key)
    checked = tmux.wait_for(lambda text: "2 of 2 parts correct" in text, "the verdict", 60)
    assert "interpreted as: 2·b" in checked

    tmux.keys("Escape")
    tmux.wait_for(lambda text: "c Continue" in text, "the home screen again")
    tmux.keys("q")
    after = tmux.wait_for(lambda text: "EXITED-" in text, "the program to exit")
    assert "EXITED-0" in after
    assert "Backpropagation from scratch" not in after  # the app's screen is gone
    assert tmux("display-message", "-p", "-t", "smoke", "#{alternate_on}").strip() == "0"
    assert (tmp_path / "progress.sqlite3").exists()
