"""The app's start-up, responsiveness and memory, each against a baseline measured in the same run.

    python benchmarks/bench_ui.py [--runs N] [--stall-runs N] [--rss-runs N] [--skip PART]

- launch: `python -m tutor` (TERM=xterm-256color) started in a 100×30 tmux pane on a
  private socket, timed from `tmux new-session` until `tmux capture-pane` (polled every
  10 ms) shows the home screen's content: the first pack's title and the item the cursor
  starts on (tree, panel title), and the first words of that item's text (the panel's
  Markdown, drawn last), read from the packs. A returning learner: every measured run uses
  the data folder (BACKPROP_TUTOR_HOME) the unmeasured first run made, as every launch but
  the first does. Against benchmarks/minimal_textual_app.py (Header, Tree, Footer) started
  the same way until its tree is shown. Runs interleaved A B A B … after one unmeasured run
  of each; medians and their ratio. For information: a learner's very first launch (a new
  data folder each time: packs read from their files, progress created), and how long each
  app takes to exit after `q`.
- stalls: the real app run headless (`run_test`, 80×24) on the UI fixture pack, with a task
  on its event loop that sleeps 5 ms at a time and records how late it wakes up (and how
  much of that the loop thread spent on the CPU: the rest is a busy machine or another
  thread holding the GIL), plus a sampler thread that says in which frames the worst stall
  was spent, and the longest garbage collection (gc.callbacks). Phases: the derivation
  `chain-rule-three-steps` (open and type both answers; then enter → verdict shown) and
  the code exercise `linear-backward` (open and load the reference into the editor; then
  ctrl+r → verdict shown). "cold": a fresh app goes straight there (the workers the app
  starts after its first paint may still be starting); "warm": a fresh app first waits
  for both workers to be ready.
- memory: a headless session in a subprocess (home, the first lesson, a derivation
  checked, the code exercise graded) on the default packs, as `python -m tutor` would run;
  peak RSS of that process (VmHWM, and `ru_maxrss`, which Linux carries over from the
  parent through fork+exec: this part runs first, while this process is small) against
  the minimal app's in a subprocess of its own; the workers' peaks (VmHWM) for
  information (they are separate processes).
Targets (issue 5): launch ≤ 1.25 × the minimal app; longest stall while a derivation is
checked and while code is graded ≤ 100 ms (opening the screens is reported, not judged);
UI peak RSS ≤ 120 MB.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
UI_PACK = ROOT / "tests" / "fixtures" / "ui-pack"
MINIMAL_APP = Path(__file__).resolve().parent / "minimal_textual_app.py"

LAUNCH_TARGET = 1.25
STALL_TARGET_MS = 100.0
RSS_TARGET_MB = 120.0

PANE = ("-x", "100", "-y", "30")
"""Wide enough for the home screen's side-by-side layout (≥ 100 columns)."""
HOME_SIGN_WORDS = 3
"""How many words of the first item's text must be on screen (few enough not to wrap)."""
MINIMAL_SIGNS = ("Minimal unit", "Minimal leaf three")
POLL_S = 0.01
TIMEOUT_S = 20.0
FIRST_LAUNCH_RUNS = 3
"""First launches (a new data folder: packs read from their files, progress created)."""


# -- 1. launch in a real terminal ------------------------------------------------------------


class Tmux:
    """A tmux server on a private socket (so the user's own tmux is never touched), driven
    through one control-mode client (`tmux -C`).

    Commands go down one pipe: polling the screen every 10 ms starts no process. (A
    `tmux capture-pane` process per poll took a good part of a core from the apps being
    measured, and made the figures swing by ±15 % between runs.)
    """

    def __init__(self) -> None:
        self.tmux = shutil.which("tmux")
        self.socket = f"bench-ui-{uuid.uuid4().hex[:10]}"
        self._client: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the server with an idle session holding the control client."""
        assert self.tmux is not None
        keep = ["new-session", "-s", "keep", *PANE, "sleep", "600"]
        self._client = subprocess.Popen(
            [self.tmux, "-L", self.socket, "-C", *keep],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._reply("new-session")  # the command that started the client answers too

    def __call__(self, *args: str) -> str:
        assert self._client is not None and self._client.stdin is not None
        if any("'" in arg or "\n" in arg for arg in args):
            raise ValueError(f"cannot pass {args} to tmux in single quotes")
        self._client.stdin.write(" ".join(f"'{arg}'" for arg in args) + "\n")
        self._client.stdin.flush()
        return self._reply(args[0])

    def _reply(self, command: str) -> str:
        """The output block answering the last command (notifications are skipped)."""
        assert self._client is not None and self._client.stdout is not None
        lines: list[str] = []
        inside = False
        for line in self._client.stdout:
            if not inside:
                inside = line.startswith("%begin ")
            elif line.startswith(("%end ", "%error ")):
                if line.startswith("%error "):
                    raise RuntimeError(f"tmux {command}: {''.join(lines).strip()}")
                return "".join(lines)
            else:
                lines.append(line)
        raise RuntimeError(f"tmux {command}: the control client exited")

    def screen(self, session: str) -> str:
        return self("capture-pane", "-p", "-t", session)

    def wait_for(self, session: str, condition: Callable[[str], bool], what: str) -> float:
        """Poll every POLL_S until `condition(screen)`; return the time it became true."""
        deadline = time.perf_counter() + TIMEOUT_S
        while True:
            text = self.screen(session)
            now = time.perf_counter()
            if condition(text):
                return now
            if now > deadline:
                raise RuntimeError(f"timed out waiting for {what}; the pane shows:\n{text}")
            time.sleep(POLL_S)

    def kill_server(self) -> None:
        """Stop the server and remove its socket file (tmux leaves it behind)."""
        if self._client is None:
            return
        socket_path = ""
        with contextlib.suppress(RuntimeError, OSError):
            socket_path = self("display-message", "-p", "#{socket_path}").strip()
        with contextlib.suppress(RuntimeError, OSError):
            self("kill-server")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._client.wait(timeout=5)
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)


@dataclass
class LaunchTimes:
    shown: list[float] = field(default_factory=list)
    """Start of `tmux new-session` → the signs are all on screen."""
    quit: list[float] = field(default_factory=list)
    """`q` sent → the process has exited."""


def launch_once(
    tmux: Tmux, command: list[str], signs: tuple[str, ...], home: Path
) -> tuple[float, float]:
    session = f"run-{uuid.uuid4().hex[:8]}"
    environment = f"BACKPROP_TUTOR_HOME={shlex.quote(str(home))} TERM=xterm-256color"
    # `exec sleep` keeps the pane alive after the program exits, so its exit can be seen.
    script = f"env {environment} {shlex.join(command)}; echo EXITED-$?; exec sleep 60"
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-c", str(ROOT), *PANE, "sh", "-c", script)
    try:
        shown = tmux.wait_for(session, lambda s: all(x in s for x in signs), "the first screen")
        quit_sent = time.perf_counter()
        tmux("send-keys", "-t", session, "q")
        exited = tmux.wait_for(session, lambda s: "EXITED-" in s, "the program to exit")
        if "EXITED-0" not in tmux.screen(session):
            print(f"  warning: {command[-1]} exited with an error:\n{tmux.screen(session)}")
    finally:
        with contextlib.suppress(RuntimeError):
            tmux("kill-session", "-t", session)
    return shown - started, exited - quit_sent


def home_signs() -> tuple[str, ...]:
    """What the home screen shows once its content is there, read from the default packs.

    The first pack's title (tree), the item the cursor starts on (tree and panel title), and
    the first words of its text (the panel's Markdown, the last thing drawn).
    """
    from tutor.core.curriculum import load_curriculum
    from tutor.core.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(data_dir=Path(folder))
        try:
            curriculum = load_curriculum(workspace)
        finally:
            workspace.close()
    entry = curriculum.start_item()
    assert entry is not None, "the default packs have no items"
    item = entry.item
    text = str(getattr(item, "body", None) or getattr(item, "prompt", None) or "")
    words: list[str] = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "+++", "id =", "title =")):
            for word in line.split():
                if not word.isalnum() or len(words) == HOME_SIGN_WORDS:
                    break
                words.append(word)
            break
    signs = (curriculum.packs[0].pack.title, item.title)
    return (*signs, " ".join(words)) if words else signs


def leftover_processes(marker: str) -> list[int]:
    """Processes whose environment names `marker` (our temporary homes): workers left behind."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
    return found


def compile_bytecode() -> None:
    """Write the tutor's .pyc files, as `pip install` does for a wheel.

    An editable install has none, and with PYTHONDONTWRITEBYTECODE set (as on this machine)
    Python never writes them: every launch would compile the tutor's sources, which no
    installed copy does (Textual's own files are compiled already).
    """
    import compileall

    import tutor

    compileall.compile_dir(Path(tutor.__file__).parent, quiet=1)


def bench_launch(runs: int) -> dict[str, Any] | None:
    compile_bytecode()
    tutor_command = [sys.executable, "-m", "tutor"]
    minimal_command = [sys.executable, str(MINIMAL_APP)]
    home = home_signs()
    tutor, minimal, first = LaunchTimes(), LaunchTimes(), LaunchTimes()
    tmux = Tmux()
    marker = f"bench-ui-home-{uuid.uuid4().hex[:8]}"
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix=marker) as folder:
        try:
            # The idle session keeps the server up, so no run pays for starting it.
            tmux.start()
            # One unmeasured run of each warms the disk cache and the bytecode caches, and
            # makes the learner's data folder (progress, the pack cache) that runs reuse.
            learner = Path(folder) / "learner"
            launch_once(tmux, tutor_command, home, learner)
            launch_once(tmux, minimal_command, MINIMAL_SIGNS, Path(folder) / "warm-minimal")
            for n in range(runs):
                for command, signs, times, data in (
                    (tutor_command, home, tutor, learner),
                    (minimal_command, MINIMAL_SIGNS, minimal, learner),
                    (tutor_command, home, first, Path(folder) / f"new-{n}"),
                ):
                    if times is first and n >= FIRST_LAUNCH_RUNS:
                        continue
                    try:
                        shown, quit_s = launch_once(tmux, command, signs, data)
                    except RuntimeError as error:  # e.g. a pack broken by an edit mid-run
                        failures.append(str(error))
                        continue
                    times.shown.append(shown)
                    times.quit.append(quit_s)
                    time.sleep(0.2)  # let the last run's workers die before the next starts
        except RuntimeError as error:
            failures.append(str(error))
        finally:
            tmux.kill_server()
        time.sleep(0.5)
        leftovers = leftover_processes(marker)
    for pid in leftovers:  # only processes our runs started: their environment names our home
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for failure in failures[:2]:
        print("  warning: a run failed: " + "\n    ".join(failure.splitlines()[:8]))
    if not tutor.shown or not minimal.shown:
        print("launch: no complete runs\n")
        return None
    print(f"launch to first screen in tmux, {runs} interleaved runs each")
    print(f"  home screen signs: {', '.join(repr(sign) for sign in home)}")
    if failures:
        print(f"  ({len(failures)} run(s) failed and are left out)")
    report_times("minimal Textual app (baseline)", minimal.shown)
    report_times("python -m tutor → home screen", tutor.shown, minimal.shown)
    if first.shown:
        report_times("  (info) first launch ever (new data folder)", first.shown, minimal.shown)
    report_times("  (info) minimal app: q → exited", minimal.quit)
    report_times("  (info) python -m tutor: q → exited", tutor.quit)
    if leftovers:
        print(f"  warning: {len(leftovers)} process(es) outlived their app: {leftovers} (killed)")
    ratio = statistics.median(tutor.shown) / statistics.median(minimal.shown)
    return {
        "tutor_ms": statistics.median(tutor.shown) * 1e3,
        "minimal_ms": statistics.median(minimal.shown) * 1e3,
        "ratio": ratio,
        "leftovers": len(leftovers),
    }


def report_times(name: str, times: list[float], baseline: list[float] | None = None) -> None:
    median = statistics.median(times)
    line = (
        f"  {name:<44} median {median * 1e3:6.1f} ms   "
        f"min {min(times) * 1e3:6.1f}   max {max(times) * 1e3:6.1f} ms"
    )
    if baseline:
        line += f"   ×{median / statistics.median(baseline):.2f} of baseline"
    print(line)
    print(f"  {'':<44} runs: {' '.join(f'{t * 1e3:.0f}' for t in times)}")


# -- 2. event-loop stalls -------------------------------------------------------------------


class StallMonitor:
    """Sleeps `interval` at a time on the app's event loop and records how late it wakes.

    For each stall it also records the loop thread's CPU time (`time.thread_time`): a stall
    the loop spent computing is the app's; one it spent off the CPU is a busy machine or
    another thread holding the GIL. A sampler thread snapshots the loop thread's stack every
    10 ms while a stall lasts, to say where the worst one was spent.
    """

    def __init__(self, interval: float = 0.005, sample_after: float = 0.02) -> None:
        self.interval = interval
        self.sample_after = sample_after
        self.worst = Stall()
        self.phase_start = time.perf_counter()
        self._last_tick = time.perf_counter()
        self._samples: list[list[str]] = []
        self._task: asyncio.Task[None] | None = None
        self._sampler: threading.Thread | None = None
        self._stopped = threading.Event()
        self._gc_started = 0.0
        self.longest_gc = (0.0, -1)
        """The longest garbage collection since the last phase: (seconds, generation)."""
        self._loop_thread = 0

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._task = asyncio.get_running_loop().create_task(self._run())
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = time.perf_counter() - self._gc_started
            if took > self.longest_gc[0]:
                self.longest_gc = (took, info["generation"])

    async def _run(self) -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        self._last_tick = last
        while True:
            await asyncio.sleep(self.interval)
            now, cpu = time.perf_counter(), time.thread_time()
            late = now - last - self.interval
            if late > self.worst.wall_s:
                self.worst = Stall(
                    late, cpu - last_cpu, now - late - self.phase_start, self._samples
                )
            self._samples = []
            self._last_tick = last = now
            last_cpu = cpu

    def _sample(self) -> None:
        while not self._stopped.wait(0.01):
            if time.perf_counter() - self._last_tick < self.sample_after:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is not None:
                self._samples.append(stack_of(frame))

    def phase(self) -> Stall:
        """The worst stall since the last call."""
        worst, self.worst = self.worst, Stall()
        worst.longest_gc, self.longest_gc = self.longest_gc, (0.0, -1)
        self.phase_start = time.perf_counter()
        return worst

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()


@dataclass
class Stall:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    """CPU time the loop thread used during the stall."""
    at_s: float = 0.0
    """When it began, from the start of its phase."""
    samples: list[list[str]] = field(default_factory=list)
    """The loop thread's stack (innermost first), every 10 ms while it lasted."""
    longest_gc: tuple[float, int] = (0.0, -1)
    """The longest garbage collection in the phase (any thread): (seconds, generation)."""

    def where(self) -> str:
        """The frames most of the samples were inside (generic event-loop frames left out)."""
        if not self.samples:
            return "no stack samples"
        inside: Counter[str] = Counter()
        depth: dict[str, int] = {}
        for sample in self.samples:
            for level, frame in enumerate(reversed(sample)):
                if not frame.startswith(GENERIC_FRAMES):
                    depth[frame] = max(depth.get(frame, 0), level)
            inside.update({f for f in sample if not f.startswith(GENERIC_FRAMES)})
        ranked = sorted(inside, key=lambda f: (-inside[f], -depth[f]))[:3]
        if not ranked:
            return "event-loop frames only (waiting for the CPU or the GIL)"
        n = len(self.samples)
        return "; ".join(f"{frame} {inside[frame]}/{n}" for frame in ranked)


GENERIC_FRAMES = (
    "<frozen",
    "stdlib/asyncio/",
    "stdlib/threading",
    "stdlib/selectors",
    "stdlib/contextlib",
    "benchmarks/",
    "textual/message_pump.py",
    "textual/_callback.py",
    "textual/app.py:run_test",
    "textual/app.py:_process_messages",
    "textual/app.py:run_app",
    "textual/app.py:_on_",
    "textual/timer.py",
    "textual/worker.py",
)
"""Frames nearly every sample is inside: they say nothing about where the time went."""


SHORT_PATHS = (
    (str(ROOT) + "/", ""),
    *((path + "/", "") for path in sys.path if path.endswith("-packages")),
    (sysconfig.get_paths()["stdlib"] + "/", "stdlib/"),
)


def stack_of(frame: FrameType | None) -> list[str]:
    """`file:function` of each frame, innermost first, with the usual prefixes shortened."""
    stack = []
    while frame is not None:
        filename = frame.f_code.co_filename
        for prefix, short in SHORT_PATHS:
            if filename.startswith(prefix):
                filename = short + filename[len(prefix) :]
                break
        stack.append(f"{filename}:{frame.f_code.co_name}")
        frame = frame.f_back
    return stack


def _path(sample: list[str]) -> str:
    """Where the stack crosses from one package into another, outermost first, and where it is."""
    waypoints: list[str] = []
    package = ""
    for frame in reversed(sample):
        if frame.startswith(("<frozen", "asyncio/", "benchmarks/", "threading")):
            continue
        top = frame.split("/", 1)[0]
        if top != package:
            waypoints.append(frame)
            package = top
    if sample and (not waypoints or waypoints[-1] != sample[0]):
        waypoints.append(sample[0])
    return " → ".join(waypoints[-4:])


async def until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT_S) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(POLL_S)


@dataclass
class Phase:
    name: str
    stall: Stall
    duration_s: float
    verdict_s: float
    """Key press that asked for the verdict → the verdict shown."""
    verdict: str


async def stall_session(warm: bool, which: tuple[str, ...]) -> list[Phase]:
    """One fresh app: wait for home, optionally for warm workers, then run the phases."""
    from textual.widgets import Input, Static

    from tutor.core.workspace import Workspace
    from tutor.ui.app import create_app
    from tutor.ui.screens.code import CodeScreen
    from tutor.ui.screens.derivation import DerivationScreen
    from tutor.ui.widgets.grade_report import GradeReport
    from tutor.ui.widgets.item_panel import ItemPanel

    phases: list[Phase] = []
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(
            data_dir=Path(folder),
            pack_dirs=[UI_PACK],
            include_entry_points=False,
            include_builtin=False,
        )
        monitor = StallMonitor()
        monitor.start()
        app = create_app(workspace)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                started = time.perf_counter()

                def home_loaded() -> bool:
                    panels = app.screen.query(ItemPanel)
                    return bool(panels) and bool(panels.first().text)

                await until(home_loaded, "the home screen")
                await pilot.pause()
                label = "start → home loaded (headless)"
                phases.append(Phase(label, monitor.phase(), time.perf_counter() - started, 0.0, ""))
                if warm:
                    await asyncio.to_thread(app.services.warm_up)
                    await pilot.pause(0.2)
                    monitor.phase()
                tag = "warm" if warm else "cold"
                curriculum = app.curriculum
                assert curriculum is not None
                entries = {entry.item.id: entry for entry in curriculum.items()}

                def close_phase(
                    name: str, since: float, asked: float = 0.0, answer: str = ""
                ) -> None:
                    stall = monitor.phase()
                    now = time.perf_counter()
                    waited = now - asked if asked else 0.0
                    phases.append(Phase(f"{name} ({tag})", stall, now - since, waited, answer))

                if "derivation" in which:
                    started = time.perf_counter()
                    app.open_item(entries["chain-rule-three-steps"])
                    await until(
                        lambda: (
                            isinstance(app.screen, DerivationScreen)
                            and isinstance(app.focused, Input)
                        ),
                        "the derivation screen",
                    )
                    screen = app.screen
                    assert isinstance(screen, DerivationScreen)
                    await pilot.press(*"2*b", "enter", *"8x+12")
                    await asyncio.sleep(0.5)  # a pause in typing: the answer is read back
                    await pilot.pause()
                    close_phase("derivation: open, type", started)
                    started = time.perf_counter()
                    await pilot.press("enter")  # in the last part: checks
                    await until(lambda: not screen.busy, "the derivation verdict")
                    await pilot.pause()
                    status = str(screen.query_one("#status", Static).content)
                    close_phase("derivation: enter → verdict", started, started, status)
                    await pilot.press("escape")
                    await until(lambda: not isinstance(app.screen, DerivationScreen), "home")
                    await pilot.pause()
                    monitor.phase()

                if "code" in which:
                    started = time.perf_counter()
                    app.open_item(entries["linear-backward"])
                    await until(
                        lambda: (
                            isinstance(app.screen, CodeScreen)
                            and getattr(app.screen, "_loaded", False)
                        ),
                        "the code screen",
                    )
                    code_screen = app.screen
                    assert isinstance(code_screen, CodeScreen)
                    reference = code_screen.code_exercise.reference
                    assert reference is not None
                    code_screen.editor.load_text(reference.read_text())
                    await pilot.pause()
                    close_phase("code: open, load the reference", started)
                    started = time.perf_counter()
                    await pilot.press("ctrl+r")
                    await until(lambda: not code_screen.busy, "the code verdict")
                    await pilot.pause()
                    result = code_screen.query_one(GradeReport).result
                    status = "no result" if result is None else result.status
                    close_phase("code: ctrl+r → verdict", started, started, status)
        finally:
            monitor.stop()
            app.services.close()
            workspace.close()
    return phases


def bench_stalls(runs: int) -> dict[str, list[Phase]]:
    by_name: dict[str, list[Phase]] = {}
    sessions = [(False, ("derivation",)), (False, ("code",)), (True, ("derivation", "code"))]
    for _ in range(runs):
        for warm, which in sessions:
            for phase in asyncio.run(stall_session(warm, which)):
                by_name.setdefault(phase.name, []).append(phase)
    print(f"longest event-loop stall (5 ms sleeper on the app's loop), {runs} fresh app(s) per row")
    for name, phases in by_name.items():
        stalls = [p.stall.wall_s * 1e3 for p in phases]
        worst = max(phases, key=lambda p: p.stall.wall_s)
        print(
            f"  {name:<40} max {max(stalls):7.1f} ms   median {statistics.median(stalls):7.1f} ms"
            f"   (worst: {worst.stall.cpu_s * 1e3:.0f} ms of it on the loop's CPU, "
            f"{worst.stall.at_s:.2f} s into a {worst.duration_s:.2f} s phase)"
        )
        print(f"  {'':<4}worst stall spent: {worst.stall.where()}")
        gc_s, generation = max(p.stall.longest_gc for p in phases)
        if generation >= 0:
            print(
                f"  {'':<4}longest garbage collection: {gc_s * 1e3:.0f} ms "
                f"(generation {generation})"
            )
        if phases[0].verdict:
            verdict_times = [p.verdict_s * 1e3 for p in phases]
            print(
                f"  {'':<4}key → verdict median {statistics.median(verdict_times):.0f} ms, "
                f"max {max(verdict_times):.0f} ms; verdicts: "
                + ", ".join(sorted({p.verdict for p in phases}))
            )
    return by_name


# -- 3. peak memory -------------------------------------------------------------------------


def hwm_kb(pid: int | None) -> int | None:
    """VmHWM (peak resident set) of a running process, in kB."""
    if pid is None:
        return None
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


async def rss_tutor_session() -> dict[str, Any]:
    """The child's session on the default packs; its own figures, and its workers'."""
    from textual.widgets import Input

    from tutor.core.workspace import Workspace
    from tutor.ui.app import create_app
    from tutor.ui.screens.code import CodeScreen
    from tutor.ui.screens.derivation import DerivationScreen
    from tutor.ui.screens.lesson import LessonScreen
    from tutor.ui.widgets.item_panel import ItemPanel

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(data_dir=Path(folder))
        app = create_app(workspace)
        try:
            async with app.run_test(size=(100, 30)) as pilot:

                def home_loaded() -> bool:
                    panels = app.screen.query(ItemPanel)
                    return bool(panels) and bool(panels.first().text)

                await until(home_loaded, "the home screen")
                await pilot.pause(0.3)
                figures["home_kb"] = hwm_kb(os.getpid())
                curriculum = app.curriculum
                assert curriculum is not None
                items = curriculum.items()
                lesson = next(e for e in items if e.item.kind == "lesson")
                derivation = next(e for e in items if e.item.kind == "derivation")
                code = next(e for e in items if e.item.kind == "code")

                app.open_item(lesson)
                await until(lambda: isinstance(app.screen, LessonScreen), "the lesson")
                await pilot.pause(0.3)
                await pilot.press("escape")

                app.open_item(derivation)
                await until(
                    lambda: (
                        isinstance(app.screen, DerivationScreen) and isinstance(app.focused, Input)
                    ),
                    "the derivation",
                )
                screen = app.screen
                assert isinstance(screen, DerivationScreen)
                for field_ in screen.query(Input):
                    field_.value = "2*b"
                await pilot.pause(0.4)
                await pilot.press("ctrl+r")
                await until(lambda: not screen.busy, "the derivation verdict")
                await pilot.press("escape")

                app.open_item(code)
                await until(
                    lambda: (
                        isinstance(app.screen, CodeScreen) and getattr(app.screen, "_loaded", False)
                    ),
                    "the code",
                )
                code_screen = app.screen
                assert isinstance(code_screen, CodeScreen)
                reference = code_screen.code_exercise.reference
                assert reference is not None
                code_screen.editor.load_text(reference.read_text())
                await pilot.press("ctrl+r")
                await until(lambda: not code_screen.busy, "the code verdict")
                await pilot.pause(0.3)
                figures["checker_hwm_kb"] = hwm_kb(app.services.checker.worker.pid)
                figures["grader_hwm_kb"] = hwm_kb(app.services.grader.worker.pid)
        finally:
            app.services.close()
            workspace.close()
    figures["heavy_modules"] = sorted(
        name for name in ("numpy", "sympy", "scipy", "IPython") if name in sys.modules
    )
    figures["pygments_lexers"] = sum(
        1 for name in sys.modules if name.startswith("pygments.lexers.")
    )
    return figures


async def rss_minimal_session() -> dict[str, Any]:
    sys.path.insert(0, str(MINIMAL_APP.parent))
    from minimal_textual_app import MinimalApp
    from textual.widgets import Tree

    app = MinimalApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(lambda: bool(app.screen.query(Tree)), "the tree")
        await pilot.pause(0.3)
    return {}


def rss_child(kind: str) -> None:
    session = rss_tutor_session if kind == "tutor" else rss_minimal_session
    figures = asyncio.run(session())
    figures["ui_kb"] = hwm_kb(os.getpid())
    figures["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(figures))


def bench_memory(runs: int) -> dict[str, Any]:
    def child(kind: str) -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, __file__, "--rss-child", kind],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            timeout=180,
        )
        figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return figures

    tutor, minimal = [], []
    for _ in range(runs):
        minimal.append(child("minimal"))
        tutor.append(child("tutor"))
    ui_mb = max(f["ui_kb"] for f in tutor) / 1024
    minimal_mb = max(f["ui_kb"] for f in minimal) / 1024
    ui_ru_mb = max(f["ru_maxrss_kb"] for f in tutor) / 1024
    minimal_ru_mb = max(f["ru_maxrss_kb"] for f in minimal) / 1024

    def worst(key: str) -> str:
        values = [f[key] for f in tutor if f.get(key)]
        return f"{max(values) / 1024:6.1f} MB" if values else "   n/a"

    # Linux keeps ru_maxrss across fork+exec: a child started by a process that has grown
    # reports the parent's peak. VmHWM belongs to the child's own address space.
    print(f"peak RSS of the process (VmHWM, and ru_maxrss), worst of {runs} headless session(s)")
    print(
        f"  {'minimal Textual app (baseline)':<40} {minimal_mb:6.1f} MB   "
        f"(ru_maxrss {minimal_ru_mb:.1f} MB)"
    )
    print(
        f"  {'tutor UI process, full session':<40} {ui_mb:6.1f} MB   (ru_maxrss {ui_ru_mb:.1f} MB)"
        f"   ×{ui_mb / minimal_mb:.2f} of baseline"
    )
    print(f"  {'  (info) tutor UI at home screen':<40} {worst('home_kb')}")
    print(f"  {'  (info) checker worker (VmHWM)':<40} {worst('checker_hwm_kb')}")
    print(f"  {'  (info) grader worker (VmHWM)':<40} {worst('grader_hwm_kb')}")
    heavy = sorted({m for f in tutor for m in f["heavy_modules"]})
    print(f"  {'  (info) heavy modules in the UI process':<41} {', '.join(heavy) or 'none'}")
    lexers = max(f["pygments_lexers"] for f in tutor)
    print(f"  {'  (info) Pygments lexer modules loaded':<41}{lexers:>6}")
    return {"ui_mb": ui_mb, "minimal_mb": minimal_mb}


# -- summary --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="launch runs of each app (≥ 7)")
    parser.add_argument("--stall-runs", type=int, default=2, help="fresh apps per stall phase")
    parser.add_argument("--rss-runs", type=int, default=1)
    parser.add_argument("--skip", action="append", default=[], choices=("launch", "stalls", "rss"))
    parser.add_argument("--rss-child", choices=("tutor", "minimal"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    rows: list[tuple[str, str, str, str]] = []
    memory_row: tuple[str, str, str, str] | None = None
    if "rss" not in args.skip:
        # First, while this process is small (see bench_memory on ru_maxrss).
        memory = bench_memory(args.rss_runs)
        memory_row = (
            "peak RSS of the UI process (VmHWM)",
            f"{memory['ui_mb']:.1f} MB (minimal app {memory['minimal_mb']:.1f} MB)",
            f"≤ {RSS_TARGET_MB:.0f} MB",
            verdict(memory["ui_mb"] <= RSS_TARGET_MB),
        )
        print()
    if "launch" not in args.skip:
        launch = None
        if shutil.which("tmux") is None:
            print("launch: skipped (tmux is not installed)\n")
        else:
            launch = bench_launch(args.runs)
        if launch is not None:
            rows.append(
                (
                    "launch → home screen (tmux)",
                    f"{launch['tutor_ms']:.0f} ms vs {launch['minimal_ms']:.0f} ms "
                    f"= ×{launch['ratio']:.2f}",
                    f"≤ ×{LAUNCH_TARGET:.2f}",
                    verdict(launch["ratio"] <= LAUNCH_TARGET),
                )
            )
            print()
    if "stalls" not in args.skip:
        stalls = bench_stalls(args.stall_runs)
        for name, phases in stalls.items():
            if name.startswith("start"):
                continue
            worst = max(phases, key=lambda p: p.stall.wall_s).stall
            # The target is for checking and grading; opening a screen is shown too.
            judged = "verdict" in name
            rows.append(
                (
                    f"longest stall: {name}",
                    f"{worst.wall_s * 1e3:.0f} ms ({worst.cpu_s * 1e3:.0f} ms on CPU)",
                    f"≤ {STALL_TARGET_MS:.0f} ms" if judged else "(information)",
                    verdict(worst.wall_s * 1e3 <= STALL_TARGET_MS) if judged else "",
                )
            )
        print()
    if memory_row is not None:
        rows.append(memory_row)
    print("summary (issue 5)")
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else [0] * 4
    for row in rows:
        print("  " + "   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
