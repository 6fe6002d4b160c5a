"""How long ``taizhang merge`` takes against ``pandas.read_excel`` merely reading the same files.

Builds (in a temporary folder) an inbox of 60 department workbooks × 150 items in the 附件2
layout, then, in the same run and alternately, times

* ``taizhang merge`` as a user runs it: a subprocess of the installed CLI that checks every
  file, merges, writes the consolidated workbook and stores the month in a fresh SQLite file;
* ``pd.read_excel(path, sheet_name=None)`` over every file, in this process.

It prints the median of each, their ratio (target: at most 1.0) and the peak RSS of the merge
processes (``RUSAGE_CHILDREN``: the largest of the merge process and its worker processes).

Usage: python benchmarks/bench_merge.py [--files 60] [--items 150] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders import build_ledger, item  # noqa: E402

PLACES = ("港口", "航道", "船闸", "码头", "船舶", "岸电", "锚地", "服务区", "水运", "海事")
VERBS = ("推进", "加快", "完成", "做好", "开展", "落实")
WORKS = ("建设", "整治", "改造", "监管", "专项检查", "信息化平台建设", "安全生产标准化创建", "绿色航运示范")
COLOURS = ("blue", "yellow", "red", None, None)
STARS = ("★★★", "★★", "★")
SOURCES = ("A", "B", "C", "D", "AB", "BC")


def department_name(n: int) -> str:
    return f"第{n + 1}业务部"


def build_inbox(folder: Path, files: int, items: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in range(files):
        rows = []
        for i in range(items):
            name = f"{VERBS[i % len(VERBS)]}{PLACES[(i + d) % len(PLACES)]}{WORKS[i % len(WORKS)]}（第{i + 1}项）"
            rows.append(item(
                name,
                colour=COLOURS[(i + d) % len(COLOURS)],
                stars=STARS[i % 3],
                source=SOURCES[(i * 7 + d) % len(SOURCES)],
                target=f"{name}：年内完成投资{(i % 9) + 1}亿元，{(i % 4) + 1}季度末形成实物工作量，确保按期通过验收。",
                progress=f"截至{(i % 12) + 1}月底，已完成年度目标的{(i * 13) % 100}%，正在推进招标、施工和质量监督等工作，"
                         f"下步将加强协调调度，确保按计划节点完成。",
                leader="张三",
                owner=f"{PLACES[i % len(PLACES)]}科/李四",
                note="已销号" if i % 50 == 49 else "",
            ))
        dept = department_name(d)
        paths.append(build_ledger(folder / f"{dept}2022年4月重点工作台账.xlsx", rows, department=dept))
    return paths


def time_merge(inbox: Path, work: Path, run: int) -> float:
    out = work / f"out-{run}.xlsx"
    db = work / f"bench-{run}.db"
    exe = shutil.which("taizhang", path=str(Path(sys.executable).parent)) or "taizhang"
    cmd = [exe, "merge", str(inbox), "-o", str(out), "--db", str(db), "--month", "2022-04",
           "--date", "2022-04-05", "--json"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or not out.exists():
        raise SystemExit(f"taizhang merge failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def time_pandas(paths: list[Path]) -> float:
    import pandas as pd

    start = time.perf_counter()
    for p in paths:
        pd.read_excel(p, sheet_name=None)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the inbox here and keep it")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="taizhang-bench-"))
    try:
        inbox = args.keep or tmp / "inbox"
        t0 = time.perf_counter()
        paths = build_inbox(inbox, args.files, args.items)
        size = sum(p.stat().st_size for p in paths)
        print(f"inbox: {len(paths)} workbooks × {args.items} items, {size / 1048576:.1f} MB "
              f"(built in {time.perf_counter() - t0:.1f} s); {os.cpu_count()} CPUs")
        import pandas  # noqa: F401  imported before timing, as a script reading files would have it

        time_pandas(paths[:2])  # warm the file cache and pandas' lazy imports
        merges, readings = [], []
        for run in range(args.repeat):
            merges.append(time_merge(inbox, tmp, run))
            readings.append(time_pandas(paths))
            print(f"  run {run + 1}: merge {merges[-1]:.2f} s   pandas.read_excel {readings[-1]:.2f} s")
        merge, read = statistics.median(merges), statistics.median(readings)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
        if sys.platform == "darwin":
            peak //= 1024
        print(f"median: taizhang merge {merge:.2f} s, pandas.read_excel {read:.2f} s")
        print(f"ratio merge/pandas = {merge / read:.2f} (target ≤ 1.0)")
        print(f"peak RSS of a merge process: {peak / 1024:.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
