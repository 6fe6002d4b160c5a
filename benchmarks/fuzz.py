"""Fuzz taizhang with N mutated workbooks and hostile inboxes; print crashes, hangs and peak memory.

Each mutation (``tests/fuzzing.py``: zip, xml, cell and xls levels, round-robin, reproducible from
``--seed`` and its index) is written to a temporary folder and run through ``taizhang validate``,
``taizhang validate --json`` and (every ``--annotate-every`` mutations) ``taizhang validate
--annotate``; every ``--merge-every`` mutations an inbox of the last five plus a good ledger is
merged (``taizhang merge --json``) and the good ledger must be in the result; every fifth such inbox
also holds a symlink loop, a dangling symlink, a folder named x.xlsx, a FIFO and links to /dev/zero
and /dev/urandom (``--no-special``: not). Commands run in worker processes (``-j``), each case under
a time limit (a case over ``--timeout`` is stopped, or killed with everything it started: a hang)
and an address-space limit, its peak RSS measured.

A run prints, at the end (targets in brackets):

    crashes  0   [0]   tracebacks, exit codes outside 0–3, exit 3, bad JSON, dead workers, changed inputs
    hangs    0   [0]
    peak     412 MB  [under 1 GB]

then the crash signatures grouped with counts and one reproducible example each. The inputs of
failing cases are copied to ``--crashes`` (default ``fuzz-crashes/``) with ``crashes.jsonl``.
``--only 123 456`` re-runs just those mutations.

Usage: nice python benchmarks/fuzz.py [-n 10000] [--seed 0] [-j 2] [--timeout 20] [--annotate-every 1]
       [--crashes DIR] [--only INDEX...]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402

ONE_GB_KB = 1 << 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--count", type=int, default=10_000, help="mutations to run (default 10,000)")
    ap.add_argument("--seed", type=int, default=0, help="run seed: the same seed makes the same mutations")
    ap.add_argument("--start", type=int, default=0, help="index of the first mutation")
    ap.add_argument("--only", type=int, nargs="*", help="run only these mutation indexes")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds before a case is a hang")
    ap.add_argument("--mem-limit", type=float, default=4.0, help="address-space limit of a worker, GB")
    ap.add_argument("--levels", default=",".join(fuzzing.LEVELS), help="comma-separated levels")
    ap.add_argument("--merge-every", type=int, default=20, help="merge an inbox every this many mutations (0: never)")
    ap.add_argument("--no-special", action="store_true",
                    help="no FIFO, symlink loop or /dev/zero link in every fifth merged inbox")
    ap.add_argument("--annotate-every", type=int, default=1, help="validate --annotate every this many mutations (0: never)")
    ap.add_argument("--grace", type=float, default=2.0,
                    help="seconds past --timeout before a worker stuck where the alarm cannot reach is killed")
    ap.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"), help="where failing inputs are copied")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()

    levels = tuple(x for x in args.levels.split(",") if x)
    work = args.keep or Path(tempfile.mkdtemp(prefix="taizhang-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = fuzzing.build_seeds(work / "seeds")
    good = fuzzing.good_ledger(work / "good")
    indexes = args.only if args.only else range(args.start, args.start + args.count)
    total = len(indexes)

    by_index: dict[int, fuzzing.Mutant] = {}
    paths: dict[int, Path] = {}
    levels_seen: collections.Counter[str] = collections.Counter()
    merged: dict[int, str] = {}

    def tasks() -> Iterator[fuzzing.Task]:
        recent: list[int] = []
        for n, i in enumerate(indexes, start=1):
            m = fuzzing.mutant(seeds, i, seed=args.seed, levels=levels)
            folder = work / "in" / f"{i // 1000:03d}"
            path = fuzzing.write_mutant(m, folder)
            by_index[i], paths[i] = m, path
            levels_seen[m.level] += 1
            case_dir = work / "cases"
            case_dir.mkdir(exist_ok=True)
            yield from fuzzing.validate_tasks(m, path, case_dir, timeout=args.timeout,
                                              annotate=bool(args.annotate_every)
                                              # by round of levels: i % every would skip whole levels
                                              and (i // len(levels)) % args.annotate_every == 0)
            recent.append(i)
            if args.merge_every and n % args.merge_every == 0:
                files = [paths[k] for k in recent[-5:]]
                special = not args.no_special and (n // args.merge_every) % 5 == 0
                merged[i] = "merge of " + ", ".join(f"#{k}" for k in recent[-5:]) + (
                    " and special entries (symlink loop, FIFO, /dev/zero…)" if special else "")
                yield fuzzing.merge_task(f"{i}:merge", files, good, work / "inboxes" / f"inbox-{i}",
                                         timeout=args.timeout * 2, special=special)
                recent.clear()

    started = time.monotonic()
    failures: list[tuple[fuzzing.Task, fuzzing.Outcome, list[str]]] = []
    peak = (0, "")
    runs = hangs = crashes = over_memory = 0
    slow: list[tuple[float, str]] = []
    print(f"taizhang fuzz: {total:,} mutations, seed {args.seed}, {args.jobs} workers, timeout {args.timeout:.0f} s, "
          f"work folder {work}", flush=True)
    with fuzzing.Runner(args.jobs, mem_limit=int(args.mem_limit * (1 << 30)), grace=args.grace) as runner:
        for task, outcome in runner.run(tasks()):
            runs += 1
            index = int(task.key.split(":")[0])
            label = f"{task.key} {_describe(task, index, by_index, merged)}"
            if task.key.endswith(":merge"):
                found = fuzzing.merge_problems(task, outcome)
            else:
                found = fuzzing.problems(task, outcome, max_kb=ONE_GB_KB)
            if outcome.peak_kb > peak[0]:
                peak = (outcome.peak_kb, label)
            if outcome.elapsed > 2:
                slow.append((outcome.elapsed, label))
            if found:
                failures.append((task, outcome, found))
                if outcome.hang:
                    hangs += 1
                elif any(not p.startswith("peak memory") for p in found):
                    crashes += 1
                if any(p.startswith("peak memory") for p in found):
                    over_memory += 1
                _save(args.crashes, task, outcome, found, _describe(task, index, by_index, merged),
                      [] if task.key.endswith(":merge") else [paths[index]])
            if runs % 500 == 0:
                print(f"  {runs:,} runs, {time.monotonic() - started:.0f} s: {crashes} crashes, {hangs} hangs, "
                      f"peak {peak[0] / 1024:.0f} MB", flush=True)
    elapsed = time.monotonic() - started
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    print()
    print(f"mutations {total:,} ({', '.join(f'{k} {v}' for k, v in sorted(levels_seen.items()))}), "
          f"runs {runs:,}, {elapsed:.0f} s")
    print(f"crashes  {crashes}   [0]")
    print(f"hangs    {hangs}   [0]")
    print(f"over 1 GB  {over_memory} runs")
    print(f"peak     {peak[0] / 1024:.0f} MB   [under 1 GB]  ({peak[1][:150]}; any process: {children_peak / 1024:.0f} MB)")
    if slow:
        print(f"slow (> 2 s): {len(slow)}; slowest:")
        for seconds, label in sorted(slow, reverse=True)[:5]:
            print(f"  {seconds:5.1f} s  {label[:150]}")
    if failures:
        print("\nsignatures (count, example):")
        groups: dict[str, list[str]] = collections.defaultdict(list)
        for task, _outcome, found in failures:
            index = int(task.key.split(":")[0])
            example = f"{task.key.split(':')[1]}: {_describe(task, index, by_index, merged)}"
            for problem in found:
                groups[_signature(problem)].append(example)
        for sig, examples in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(examples):5d}  {sig}\n         e.g. {examples[0][:220]}")
        print(f"\nfailing inputs copied to {args.crashes}/ (crashes.jsonl has each case)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def _describe(task: fuzzing.Task, index: int, by_index: dict[int, fuzzing.Mutant], merged: dict[int, str]) -> str:
    if task.key.endswith(":merge"):
        return merged.get(index, "merge")
    return by_index[index].describe() if index in by_index else task.key


def _signature(problem: str) -> str:
    """A problem without the parts that differ from case to case (names, sizes)."""
    if problem.startswith("input changed"):
        return "input changed"
    if problem.startswith("peak memory"):
        return "peak memory over 1 GB"
    if problem.startswith("--json output"):
        return "--json output is not JSON"
    return problem[:200]


def _save(folder: Path, task: fuzzing.Task, outcome: fuzzing.Outcome, found: list[str], what: str,
          inputs: list[Path]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in inputs or [Path(p) for p in task.inputs]:
        if path.exists() and not (folder / path.name).exists():
            shutil.copyfile(path, folder / path.name)
    record = {
        "case": task.key, "argv": task.argv, "problems": found, "mutation": what,
        "exit_code": outcome.exit_code, "elapsed": round(outcome.elapsed, 2), "peak_mb": outcome.peak_kb // 1024,
        "traceback": outcome.traceback, "stderr": outcome.stderr[-2000:],
    }
    with (folder / "crashes.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
