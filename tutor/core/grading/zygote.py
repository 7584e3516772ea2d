"""The sandbox's warm zygote: `python -m tutor.core.grading.zygote --jobs-root DIR`.

Started once by `Sandbox` (see `sandbox.py`), possibly inside bubblewrap. It imports NumPy
once, says `{"ready": true}`, then for each request line `{"job": NAME, "limits": {...}}`
forks a child that becomes the job: a session and process group of its own, rlimits, the
job directory as working directory, a scrubbed environment, fds 1 and 2 on a file, and
`runner.run_job`, ended by `os._exit` (so a thread that never ends keeps nothing alive).
The zygote waits at most `wall_s`, kills the job's process group and every process left
behind (it is a child subreaper, so even processes that left the group come back to it),
then answers one line: `{"job": NAME, "exit": CODE | "signal": N, "timeout": BOOL}`.

Forking is safe here because the zygote is single-threaded (BLAS is told to use one
thread); the app itself never forks. This module stays light: stdlib, NumPy and the runner.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
from typing import Any, NoReturn

import numpy as np

from tutor.core.grading import runner

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CAPABILITY_VERSION_3 = 0x20080522
CLEANUP_LIMIT_S = 2.0
"""Longest the zygote spends killing what a job left behind (a fork loop racing the kill)."""
CHILD_PATH = "/usr/local/bin:/usr/bin:/bin"

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> bool:
    return bool(_libc.prctl(option, value, 0, 0, 0) == 0)


def main(argv: list[str]) -> None:
    """Serve jobs until stdin closes."""
    jobs_root = argv[argv.index("--jobs-root") + 1]
    private_tmp = "--private-tmp" in argv
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of a job are re-parented to us, then killed
    _prctl(PR_SET_DUMPABLE, 0)  # a job may not read or write our memory via /proc
    os.chdir("/")
    _warm_up()
    nproc_base = _own_process_count()
    _reply({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        name = None
        try:
            request = json.loads(line)
            name = str(request["job"])
            if "/" in name or name in ("", ".", ".."):
                raise ValueError(f"bad job name {name!r}")
            reply = _run(jobs_root, name, request["limits"], nproc_base)
        except Exception as error:  # a bad request, or fork failing, must not end the zygote
            reply = {"error": f"{type(error).__name__}: {error}"}
        reply["job"] = name
        if private_tmp:
            _empty("/tmp", jobs_root)
            _empty("/dev/shm", jobs_root)
        _reply(reply)


def _reply(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _warm_up() -> None:
    """Touch the NumPy paths every job uses, then freeze the heap so forks share it."""
    a = np.arange(12.0).reshape(3, 4)
    (a @ a.T).sum(axis=0)
    runner.to_float64(a, "warm-up", 1 << 20)
    gc.collect()
    gc.freeze()


def _run(jobs_root: str, name: str, limits: dict[str, Any], nproc_base: int) -> dict[str, Any]:
    jobdir = os.path.join(jobs_root, name)
    zygote = os.getpid()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _become_job(jobdir, limits, zygote, nproc_base)
    _reply({"job": name, "started": pid})
    status, timed_out = _wait(pid, float(limits["wall_s"]))
    _kill_leftovers(pid)
    reply: dict[str, Any] = {"timeout": timed_out, "elapsed": time.monotonic() - started}
    if os.WIFSIGNALED(status):
        reply["signal"] = os.WTERMSIG(status)
    else:
        reply["exit"] = os.waitstatus_to_exitcode(status)
    return reply


def _wait(pid: int, wall_s: float) -> tuple[int, bool]:
    """The job's wait status, and whether it had to be killed at the wall-time limit."""
    deadline = time.monotonic() + wall_s
    pidfd = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(pid)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return status, False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                return os.waitpid(pid, 0)[1], True
            if pidfd is not None:
                select.select([pidfd], [], [], remaining)
            else:
                time.sleep(min(0.002, remaining))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _kill_leftovers(pid: int) -> None:
    """Kill the job's process group and every descendant that outlived the job."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + CLEANUP_LIMIT_S
    me = os.getpid()
    while time.monotonic() < deadline:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] != 0:
                pass  # reap what has died
        except ChildProcessError:
            return  # no children: as a subreaper, that means no descendants either
        children = _children_of(me)
        for child in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        time.sleep(0.001)


def _children_of(parent: int) -> list[int]:
    try:
        with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as handle:
            return [int(pid) for pid in handle.read().split()]
    except OSError:
        pass
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and fields[1] == str(parent):
            children.append(int(entry))
    return children


def _become_job(jobdir: str, limits: dict[str, Any], zygote: int, nproc_base: int) -> NoReturn:
    """In the forked child: put the limits in place, run the job, and never return."""
    code = 70
    try:
        os.setsid()
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote:
            os._exit(code)  # the zygote died between fork and prctl
        _redirect_fds(jobdir)
        # Python ignores SIGXFSZ; a job past the file-size limit should die of it instead.
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.chdir(jobdir)
        _scrub_environment(jobdir)
        _set_limits(limits, nproc_base)
        _drop_privileges()
        runner.run_job(jobdir)
        code = 0
    except BaseException:
        code = 71
    finally:
        os._exit(code)


def _redirect_fds(jobdir: str) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_NOFOLLOW
    output = os.open(os.path.join(jobdir, runner.OUTPUT_FILE), flags, 0o600)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, 1 << 20)  # the zygote's pipes and everything else


def _scrub_environment(jobdir: str) -> None:
    os.environ.clear()
    os.environ.update(
        {
            "PATH": CHILD_PATH,
            "HOME": jobdir,
            "TMPDIR": jobdir,
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
    )


def _set_limits(limits: dict[str, Any], nproc_base: int) -> None:
    cpu = int(limits["cpu_s"])
    _limit(resource.RLIMIT_CORE, 0, 0)
    _limit(resource.RLIMIT_CPU, cpu, cpu + 1)  # SIGXCPU at the soft limit, SIGKILL at the hard
    _limit(resource.RLIMIT_FSIZE, int(limits["file_bytes"]), int(limits["file_bytes"]))
    _limit(resource.RLIMIT_NOFILE, int(limits["open_files"]), int(limits["open_files"]))
    # The allowance is on top of what the warm interpreter and NumPy already map.
    address_space = _address_space() + int(limits["memory_bytes"])
    _limit(resource.RLIMIT_AS, address_space, address_space)
    if os.geteuid() != 0:
        # Counted per user, so on top of the user's own processes (root is never limited).
        _limit(resource.RLIMIT_NPROC, nproc_base + 64, nproc_base + 64)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_privileges() -> None:
    """Give up every capability, for good, and the right to gain privileges by exec.

    Matters when the app runs as root (e.g. in a container) without bubblewrap: root could
    otherwise raise its own hard limits again (CAP_SYS_RESOURCE), signal any process, or
    regain everything by exec. Without capabilities it stays bound by its rlimits.
    """
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
            last = int(handle.read())
    except (OSError, ValueError):
        last = 63
    for capability in range(last + 1):  # the bounding set: what an exec could give back
        _prctl(PR_CAPBSET_DROP, capability)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()  # all zero: no effective, permitted or inheritable capability
    _libc.capset(ctypes.byref(header), data)


def _limit(which: int, soft: int, hard: int) -> None:
    """Lower a limit, never raising it above a hard limit already in force."""
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _own_process_count() -> int:
    """Tasks (processes and threads) of this user now: RLIMIT_NPROC counts them all."""
    uid = os.geteuid()
    count = 0
    if uid == 0:
        return count  # not needed: root ignores RLIMIT_NPROC
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
    return count


def _empty(directory: str, keep: str) -> None:
    """Remove what a job left in the sandbox's private /tmp (it outlives single jobs).

    Mount points (the jobs root is bound under /tmp) and `keep`'s ancestors are left alone.
    """
    with contextlib.suppress(OSError):
        device = os.stat(directory).st_dev
        for entry in os.listdir(directory):
            path = os.path.join(directory, entry)
            if keep == path or keep.startswith(path + os.sep):
                continue
            with contextlib.suppress(OSError):
                if os.lstat(path).st_dev != device:
                    continue
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)


if __name__ == "__main__":
    main(sys.argv[1:])
