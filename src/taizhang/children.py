"""Child processes that never outlive the merge that started them.

A merge reads the inbox in worker processes and stores the month from a forked writer that
keeps its transaction open until the workbook is written. Should the merge be killed
(``kill -9``, a closed terminal), those children must go too: a writer left behind holds the
history store's lock, and every later merge would wait for it in vain.

* ``interrupts_held`` (around forking them) and ``ignore_interrupts`` (first thing in a child
  started afresh): Ctrl+C is the merge's to handle, never its children's.
* ``die_with_parent`` (first thing in every child): on Linux the kernel kills the child the
  moment its parent dies (``prctl(PR_SET_PDEATHSIG)``); everywhere a watchdog thread ends it
  within a second once its parent is gone.
* ``name_writer`` marks the history writer (``tzdb-<parent pid>``) so that ``orphaned_writers``
  can recognise one whose parent is dead (a merge of an older taizhang, or a kernel without
  PDEATHSIG) and the store can end it instead of waiting for it forever.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
WATCH_INTERVAL = 0.5  # seconds between the watchdog's looks at the parent
WRITER_NAME = re.compile(r"^tzdb-(\d+)$")
# Only for tests: "<stage>:<file>" makes the process reaching <stage> ("read": a reading
# worker; "store": the history writer, transaction open) note its pid in <file> and wait there
# until it is killed, so that a test can kill the merge at a known point.
ENV_TEST_HOLD = "TAIZHANG_TEST_HOLD"


def _prctl(option: int, arg: int | bytes) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        # The C library is already loaded: no find_library, which runs ldconfig in a subprocess.
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(option, arg, 0, 0, 0) == 0)
    except (OSError, AttributeError, TypeError):
        return False


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl+C (SIGINT) ignored while children are forked, who inherit that: a Ctrl+C in a terminal
    reaches every process of the group, and the merge alone decides what its children do then
    (stop the readers, roll back the writer's month). Left to themselves they would print
    tracebacks, or die while the merge, which Python may let carry on, still counts on them."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def ignore_interrupts() -> None:
    """In a child started afresh (spawn: Windows, macOS), which inherits no signal handler: ignore
    Ctrl+C from here on, as ``interrupts_held`` has a forked child do from its first moment."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def die_with_parent(parent: int) -> None:
    """End this (child) process when ``parent`` dies; call it first thing in the child."""
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_INTERVAL)
        os._exit(1)

    threading.Thread(target=watch, name="taizhang-parent-watch", daemon=True).start()


def name_writer(parent: int) -> None:
    """Mark this process as the history writer of merge ``parent`` (its name in ``ps``)."""
    _prctl(PR_SET_NAME, f"tzdb-{parent}".encode())


def give_back_memory() -> None:
    """Return the freed memory of this process to the system (glibc's ``malloc_trim``): Python
    gives back its own emptied arenas, but the C library keeps freed blocks of larger objects
    (the month's texts) for reuse, and so the process would keep weighing what it let go."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        pass


def hold_for_tests(stage: str) -> None:
    """The tests' hook (``TAIZHANG_TEST_HOLD``): note this pid and wait here until killed."""
    hold = os.environ.get(ENV_TEST_HOLD, "")
    wanted, _, path = hold.partition(":")
    if wanted != stage or not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    while True:
        time.sleep(3600)


def _stat_ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        return int(stat[stat.rindex(b")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def lock_holders(path: Path) -> list[int]:
    """The processes holding a POSIX lock on ``path`` (Linux ``/proc/locks``; [] elsewhere)."""
    try:
        inode = os.stat(path).st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids: list[int] = []
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 26280 fe:00:2153314 1073741825 1073741825"
        if len(fields) < 6 or fields[1] not in ("POSIX", "OFDLCK"):
            continue
        try:
            pid, ino = int(fields[4]), int(fields[5].rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
        if ino == inode and pid > 0 and pid not in pids:
            pids.append(pid)
    return pids


def describe(pid: int) -> str:
    """``进程 123（taizhang merge 收件箱）`` for a message."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmdline = ""
    return f"进程 {pid}（{cmdline[:120]}）" if cmdline else f"进程 {pid}"


def orphaned_writers(path: Path) -> list[int]:
    """History writers holding a lock on ``path`` whose merge is dead: they can never commit."""
    orphans = []
    for pid in lock_holders(path):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        match = WRITER_NAME.match(name)
        if match and _stat_ppid(pid) != int(match.group(1)):
            orphans.append(pid)
    return orphans


def end_orphaned_writers(path: Path, wait: float = 2.0) -> list[int]:
    """Kill the orphaned writers of ``path`` (their transaction is rolled back); their pids."""
    ended = []
    for pid in orphaned_writers(path):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
        ended.append(pid)
    deadline = time.monotonic() + wait
    while ended and time.monotonic() < deadline and not set(lock_holders(path)).isdisjoint(ended):
        time.sleep(0.05)
    return ended
