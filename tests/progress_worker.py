"""A separate process that writes to a progress store, for tests/test_progress_store.py.

Usage::

    python tests/progress_worker.py DATA_DIR TAG COUNT [--wait-for-go] [--open-on-go]

With ``--open-on-go`` it first prints ``LOADED`` and waits for a line on stdin
(so the parent can make several copies open the store at the same instant).
Opens the store in DATA_DIR, prints ``READY``, optionally waits for a line on
stdin (so the parent can start several writers at the same instant), then
records COUNT attempts (``-1`` means forever) on item ``TAG`` of pack
``worker`` with answers ``"0"``, ``"1"``, … After each ``record_attempt``
returns it also adds one second to the shared item ``worker/shared`` and
prints ``ACK <n>``, flushed: everything acknowledged must survive a SIGKILL
and a concurrent writer. Ends with ``DONE``.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from tutor.core.progress import Attempt, ProgressStore

PACK_ID = "worker"
SHARED_ITEM = "shared"


def main(argv: list[str]) -> int:
    data_dir, tag, count = Path(argv[0]), argv[1], int(argv[2])
    if "--open-on-go" in argv:
        print("LOADED", flush=True)
        sys.stdin.readline()
    with ProgressStore.open(data_dir) as store:
        print("READY", flush=True)
        if "--wait-for-go" in argv:
            sys.stdin.readline()
        numbers = itertools.count() if count < 0 else iter(range(count))
        for n in numbers:
            store.record_attempt(Attempt(PACK_ID, "1", tag, "code", str(n), "failed", 0.5, 0.01))
            print(f"ACK {n}", flush=True)
            store.add_time(PACK_ID, SHARED_ITEM, 1.0)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
