"""Peak memory of ``taizhang merge`` over a large inbox (issue 8: bounded by a constant plus a
small amount per item, whatever the number of files).

Builds (in a temporary folder) an inbox of 1,000 small department workbooks in the 附件2 layout,
runs ``taizhang merge`` on it as a user does (a subprocess of the installed CLI writing the
consolidated workbook and a fresh history store) and prints

* the peak of the merge's whole process tree (the merge process, its reading workers and the
  history writer, summed), sampled from ``/proc`` every few milliseconds: as RSS (what the issue
  measured; a forked child's pages shared with its parent count twice) and as PSS (once);
* the peak RSS of the largest single process (``RUSAGE_CHILDREN``);
* the wall time.

Usage: python benchmarks/bench_memory.py [--files 1000] [--items 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_merge import build_inbox  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree(root: int) -> list[int]:
    """``root`` and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size: pages shared with a forked parent counted once, not twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class TreeSampler:
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval = pid, interval
        self.peak = self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.pid)
            total = sum(_rss(p) for p in pids)
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_merge(inbox: Path, work: Path) -> tuple[float, TreeSampler]:
    out, db = work / "out.xlsx", work / "bench.db"
    exe = shutil.which("taizhang", path=str(Path(sys.executable).parent)) or "taizhang"
    cmd = [exe, "merge", str(inbox), "-o", str(out), "--db", str(db), "--month", "2022-04",
           "--date", "2022-04-05", "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=work)
    sampler = TreeSampler(proc.pid)
    _, err = proc.communicate()
    sampler.stop()
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or not out.exists():
        raise SystemExit(f"taizhang merge failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return elapsed, sampler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the inbox here (or reuse it) and keep it")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_memory.py reads /proc: Linux only")

    tmp = Path(tempfile.mkdtemp(prefix="taizhang-mem-"))
    try:
        inbox = args.keep or tmp / "inbox"
        existing = sorted(inbox.glob("*.xlsx")) if inbox.is_dir() else []
        t0 = time.perf_counter()
        if len(existing) != args.files:
            shutil.rmtree(inbox, ignore_errors=True)
            existing = build_inbox(inbox, args.files, args.items)
        size = sum(p.stat().st_size for p in existing)
        print(f"inbox: {len(existing)} workbooks × {args.items} items, {size / 1048576:.1f} MB "
              f"(ready in {time.perf_counter() - t0:.1f} s); {os.cpu_count()} CPUs")
        elapsed, tree = run_merge(inbox, tmp)
        single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(f"taizhang merge: {elapsed:.1f} s")
        print(f"peak RSS, whole process tree (summed, {tree.peak_processes} processes): {tree.peak / 1048576:.0f} MB")
        print(f"peak PSS, whole process tree (shared pages once): {tree.peak_pss / 1048576:.0f} MB")
        print(f"peak RSS, largest single process: {single / 1048576:.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
