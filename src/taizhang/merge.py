"""``taizhang merge``: every department's workbook in an inbox → one centre-wide month.

Each workbook is checked exactly as ``taizhang validate`` checks it; what cannot be read is
listed and left out, and every item of every readable workbook is carried into the result.
This module reads files and computes, nothing else: ``saving.merge_and_save`` also writes the
consolidated workbook (``writing.consolidated``) and records the month in the history store.
"""

from __future__ import annotations

import datetime as dt
import errno
import lzma
import multiprocessing
import operator
import os
import pickle
import re
import stat
import sys
import unicodedata
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, cast

from . import rules
from .children import die_with_parent, hold_for_tests, ignore_interrupts, interrupts_held
from .config import Config
from .errors import TaizhangError
from .findings import RuleConfig, finding
from .models import (
    Counts,
    DepartmentEntry,
    FileReport,
    Item,
    MergeResult,
    MonthSnapshot,
    Severity,
    Skipped,
    StoredFinding,
    StoredItem,
    TaskCheck,
    all_fields,
    construct,
    display_path,
)
from .reading.gate import ODS_ADVICE
from .tasks import check_tasks, ledger_texts, read_tasks
from .validate import apply_rules, file_sha256, unreadable_report, validate_file

WORKBOOK_SUFFIXES = (".xlsx", ".xls")
# The default name of the consolidated workbook, beside the inbox.
OUTPUT_PREFIX = "重点工作台账汇总"

Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------------------------------------
# The inbox
# ---------------------------------------------------------------------------------------------


MERGED_REASON = "这是 taizhang merge 生成的汇总表，不作为部室台账读取。"
MONTH_CHOSEN = "sheet.month_chosen"


def default_output_name(month: str) -> str:
    return f"{OUTPUT_PREFIX}-{month}.xlsx"


def scan_inbox(inbox: Path) -> tuple[list[Path], list[Skipped]]:
    """The workbooks to read (sorted by name) and the entries passed over, each with its reason."""
    if not inbox.exists():
        raise TaizhangError(f"找不到收件文件夹 {inbox}。")
    if not inbox.is_dir():
        raise TaizhangError(f"{inbox} 不是文件夹。taizhang merge 需要存放各部室台账的文件夹；"
                            "检查单个文件请用 taizhang validate。")
    try:
        entries = sorted(inbox.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise TaizhangError(f"无法读取文件夹 {inbox}：{exc.strerror or exc}") from None
    files: list[Path] = []
    skipped: list[Skipped] = []
    for entry in entries:
        name = entry.name
        if name.startswith(("~$", ".~")) or name.startswith(".~lock."):
            skipped.append(Skipped(file=name, reason="Excel/WPS 的临时锁定文件（有人正打开对应的工作簿），已跳过。"))
        elif name.startswith("."):
            skipped.append(Skipped(file=name, reason="隐藏文件，已跳过。"))
        elif (special := _not_regular(entry)) is not None:
            skipped.append(Skipped(file=name, reason=special))
        elif entry.suffix.lower() == ".ods":
            skipped.append(Skipped(file=name, reason=f"{ODS_ADVICE}，再放入收件文件夹。"))
        elif entry.suffix.lower() not in WORKBOOK_SUFFIXES:
            skipped.append(Skipped(file=name, reason="不是 Excel 工作簿（.xlsx/.xls），已跳过。"))
        else:
            files.append(entry)
    return files, skipped


def _not_regular(entry: Path) -> str | None:
    """Why an inbox entry is not read when it is not a regular file (symbolic links followed), else
    None. Only regular files are ever opened: a FIFO blocks forever, /dev/zero never ends."""
    try:
        mode = entry.stat().st_mode
    except FileNotFoundError:
        return "符号链接指向的文件不存在，已跳过。"
    except PermissionError:
        return None  # read as a file: validate says that it may not be read
    except OSError as exc:  # stat() follows links: a loop is ELOOP (only resolve() raised RuntimeError)
        if exc.errno == errno.ELOOP:
            return "符号链接指向自身（循环），已跳过。"
        return f"无法查看这一项（{exc.strerror or exc}），已跳过。"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "子文件夹，不读取其中的文件；请把台账直接放在收件文件夹中。"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO），不是文件，已跳过（读取它会一直等待）。"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件，不是台账文件，已跳过。"
    return "特殊文件（不是普通文件），已跳过。"


# The consolidated workbook's sheets and creator: how a merge recognises its own output in an
# inbox. Here rather than in writing.consolidated so that the worker processes that read the
# inbox never load openpyxl.
SUMMARY_SHEET = "汇总"
LEDGER_SHEET = "台账"
FINDINGS_SHEET = "问题清单"
CREATOR = "taizhang"


# What a damaged zip raises while a member is read: a corrupt deflate stream (zlib.error), a member
# flagged as encrypted (RuntimeError), an LZMA member that is not (LZMAError), an unknown
# compression method (NotImplementedError, a RuntimeError), a truncated member (EOFError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, RuntimeError, EOFError)


def is_merged_workbook(path: Path) -> bool:
    """Whether ``path`` is a consolidated workbook written by ``taizhang merge`` (by its sheets and
    creator, whatever its name): it must never be read back as a department's ledger."""
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml")
            core = zf.read("docProps/core.xml")
    except (OSError, KeyError, ValueError, *ZIP_ERRORS):
        return False  # not ours; a damaged file is reported by validate_file
    sheets = all(f'name="{s}"'.encode() in workbook for s in (SUMMARY_SHEET, FINDINGS_SHEET))
    return sheets and f">{CREATOR}<".encode() in core


def check_file(path: Path, month: str | None = None) -> FileReport | None:
    """One file, checked as ``taizhang validate`` does; None for a workbook ``taizhang merge`` wrote.
    ``month`` picks the sheet of that month in a workbook with one sheet per month.

    Never raises for what is in the file: one bad file must not cost a merge the others. The
    reader reports damage itself (``file.corrupt``); whatever still escapes makes this file
    ``file.unreadable``, as in ``validate_file``.
    """
    try:
        if path.suffix.lower() == ".xlsx" and is_merged_workbook(path):
            return None
        return validate_file(path, month=month)
    except Exception as exc:  # noqa: BLE001  anything unforeseen: this file only
        return _unreadable(path, exc)


def _unreadable(path: Path, why: BaseException | str) -> FileReport:
    """The ``file.unreadable`` report of ``path``, for what went wrong beyond the reader's own findings."""
    report = construct(FileReport, {"file": display_path(str(path)),
                                    "sha256": file_sha256(path) if path.is_file() else None})
    return unreadable_report(report, why)


# What crosses from a reading worker to the merge process, and on to the history writer
# (``saving._History``), of each item: its field values as a tuple (``ITEM_FIELDS``, Item's fields
# in order), the tuples of a report pickled once, in the worker. Tuples pickle in half the time of
# the pydantic items and unpickle in a fifth; the merge process rebuilds its items from them (it
# needs them for the workbook's rows) and passes the worker's pickle on to the history writer as
# it is, instead of unpickling pydantic items and pickling tuples of them again.
ITEM_FIELDS = ("row", "no", "name", "target", "progress", "judgement", "colour", "leader", "owner", "stars",
               "source", "note", "closed", "extra", "item_id", "written", "doubts")
_item_values: Callable[[dict[str, Any]], tuple[Any, ...]] = operator.itemgetter(*ITEM_FIELDS)

# A report as a worker hands it over: the report without its items (its findings pickle as the
# models do, ``models._Compact``), and its items' pickle.
_Handover = tuple[FileReport, bytes]


class _PickledItems(list[Item]):
    """A report's items as a worker handed them over, with their pickle (``pickle_items``) for the
    history writer; a plain list again once ``on_report`` has handled the report, so that the
    pickle never outlives the items it was made of."""

    __slots__ = ("pickled",)
    pickled: bytes


def pickle_items(items: list[Item]) -> bytes:
    """The pickle of ``items``' ``ITEM_FIELDS`` tuples: the one a reading worker made of them,
    else made here. (The worker's pickle is of the items as read: nothing changes them between
    reading and the history writer, ``on_report`` only renders them.)"""
    if type(items) is _PickledItems:
        return items.pickled
    return pickle.dumps([_item_values(it.__dict__) for it in items], pickle.HIGHEST_PROTOCOL)


def _hand_over(report: FileReport) -> _Handover:
    """``report`` as a worker hands it back (``_taken_over`` makes it again)."""
    items = report.items
    # Through __dict__: pydantic's setattr would add the field to the report's fields set.
    report.__dict__["items"] = []
    return report, pickle_items(items)


def _taken_over(handover: _Handover) -> FileReport:
    """The report a worker handed over, its items made again as pydantic's unpickling would make
    them (every field set, validated where they were read), the worker's pickle of the items kept
    with them."""
    report, pickled = handover
    items = _PickledItems()
    items.pickled = pickled
    new, setattr_, fields = Item.__new__, object.__setattr__, all_fields(Item)
    append = items.append
    # Each tuple unpacked into a dict display: twice as fast as dict(zip(ITEM_FIELDS, ...)) (a
    # test checks the round trip).
    for (row, no, name, target, progress, judgement, colour, leader, owner, stars, source, note, closed, extra,
         item_id, written, doubts) in pickle.loads(pickled):
        it = new(Item)
        setattr_(it, "__dict__", {
            "row": row, "no": no, "name": name, "target": target, "progress": progress, "judgement": judgement,
            "colour": colour, "leader": leader, "owner": owner, "stars": stars, "source": source, "note": note,
            "closed": closed, "extra": extra, "item_id": item_id, "written": written, "doubts": doubts})
        setattr_(it, "__pydantic_fields_set__", fields)
        setattr_(it, "__pydantic_extra__", None)
        setattr_(it, "__pydantic_private__", None)
        append(it)
    report.__dict__["items"] = items
    return report


def _check_one(path: str, month: str | None = None) -> _Handover | None:
    """Worker: a top-level function, so that processes can be given it."""
    hold_for_tests("read")
    report = check_file(Path(path), month)
    return None if report is None else _hand_over(report)


def _reader(conn: Connection, parent: int) -> None:
    """A reading worker: checks each (path, month) it is sent and hands back the report
    (``_check_one``), until it is sent None or the merge is gone."""
    try:
        ignore_interrupts()  # Ctrl+C is the merge's to answer (it stops its readers)
        die_with_parent(parent)
        while (task := conn.recv()) is not None:
            conn.send(_check_one(*task))
    except (Exception, KeyboardInterrupt):  # noqa: BLE001  the merge is gone or stopped: it says why, not its workers
        pass
    finally:
        conn.close()


# What a reader hands back for a file whose reading ended its worker twice (``_Readers``).
_DIED = "died"
DIED_DETAIL = "读取它的进程两次意外结束，可能是文件异常或内存不足"


class _Readers:
    """Worker processes reading files for this process, each fed its next file as it hands back a
    report: a pipe each way per worker, waited on here (``multiprocessing.connection.wait``).

    What ProcessPoolExecutor did with a queue, a feeder thread and a managing thread, whose
    wake-ups for each file cost this process about 20 ms more CPU time in a merge of 60 files, for
    the one thing a merge asks of it: each file read once, by whichever worker is free. A worker
    is given two files at first and one more for each report it hands back, so that it never
    waits for this process to give it work; it reads one at a time.

    A worker that dies (out of memory, killed, a crash) is replaced, and the file it was reading
    is read again by another; a file that ends a second worker too is handed back as ``_DIED``
    (reported unreadable), never read in this process: one bad file must not cost the others."""

    QUEUED = 2
    ATTEMPTS = 2

    def __init__(self, count: int, paths: Sequence[str], month: str | None) -> None:
        self.paths, self.month = paths, month
        self.next = 0
        self.again: deque[int] = deque()  # files whose worker died, to be read again first
        self.deaths: Counter[int] = Counter()
        self.held: dict[Connection, deque[int]] = {}
        self.processes: dict[Connection, BaseProcess] = {}
        # Named, not the platform's default: forkserver (Python 3.14 on Linux) would make the server
        # the workers' parent, and die_with_parent would end them at once.
        self.ctx: Any = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.parent = os.getpid()
        try:
            for _ in range(count):
                self._start()
            for _ in range(self.QUEUED):
                for conn in list(self.held):
                    self._give(conn)
        except BaseException:
            self.close(finished=False)
            raise

    def _start(self) -> Connection:
        here, there = self.ctx.Pipe()
        with interrupts_held():  # forked ignoring Ctrl+C (a worker started afresh ignores it itself)
            process = self.ctx.Process(target=_reader, args=(there, self.parent), daemon=True)
            try:
                process.start()
            finally:
                there.close()
        self.held[here], self.processes[here] = deque(), process
        return here

    def _give(self, conn: Connection) -> None:
        if self.again:
            index = self.again.popleft()
        elif self.next < len(self.paths):
            index = self.next
            self.next += 1
        else:
            return
        conn.send((self.paths[index], self.month))
        self.held[conn].append(index)

    def _lost(self, conn: Connection) -> int | None:
        """A worker ended without handing back what it held: replaced, and its files read again
        by the others, except the one it was reading if that one ended a worker before (returned)."""
        held = self.held.pop(conn)
        process = self.processes.pop(conn)
        conn.close()
        process.join()
        died: int | None = None
        if held:
            self.deaths[held[0]] += 1
            if self.deaths[held[0]] >= self.ATTEMPTS:
                died = held.popleft()
        self.again.extendleft(reversed(held))
        try:
            replacement = self._start()
        except OSError:
            if not self.held:
                raise  # no worker left: the rest are read in the merge process
        else:
            for _ in range(self.QUEUED):
                self._give(replacement)
        for other in list(self.held):  # what the dead one held, given out now
            while len(self.held[other]) < self.QUEUED and self.again:
                self._give(other)
        return died

    def results(self) -> Iterator[tuple[int, _Handover | str | None]]:
        """(index, handover) of every file, in the order they are handed back; ``_DIED`` for a file
        that ended two workers. Raises OSError when no worker is left to read the others."""
        left = len(self.paths)
        while left:
            for conn in cast(list[Connection], wait(list(self.held))):
                try:
                    handover: _Handover | None = conn.recv()
                except (EOFError, OSError):
                    died = self._lost(conn)
                    if died is not None:
                        left -= 1
                        yield died, _DIED
                    continue
                index = self.held[conn].popleft()
                self._give(conn)
                left -= 1
                yield index, handover

    def close(self, *, finished: bool) -> None:
        """End the workers: let them go when every file is read, else stop them where they are."""
        for conn in self.held:
            if finished:
                try:
                    conn.send(None)
                except OSError:
                    pass
            conn.close()
        for process in self.processes.values():
            if not finished:
                process.kill()
            process.join()


def usable_cpus() -> int:
    """The processors this process may run on: fewer than ``os.cpu_count()`` under ``taskset``, a
    container's or a job scheduler's CPU affinity. On one, reading in this process saves forking
    workers and handing every report back through a pipe (about a tenth of a merge's CPU time)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # Windows and macOS have no affinity call
        return os.cpu_count() or 1


def check_files(paths: Sequence[Path], progress: Progress | None = None,
                on_report: Callable[[FileReport], None] | None = None,
                month: str | None = None) -> list[FileReport | None]:
    """Check every file, in parallel processes when there are several; results in input order
    (None for the workbooks ``taizhang merge`` wrote, which are passed over).

    Reading dominates a merge. Each worker holds one workbook at a time, so memory stays at
    about one workbook per worker however large the inbox. Where processes are unavailable
    (some sandboxes, frozen apps) the files are read one after the other. ``on_report`` is
    called in this process with each report as it arrives (in input order).
    """
    total = len(paths)
    reports: list[FileReport | None] = [None] * total
    finished = [False] * total
    done = 0

    def tick(index: int, report: FileReport | None) -> None:
        nonlocal done
        reports[index] = report
        finished[index] = True
        done += 1
        try:
            if on_report is not None and report is not None:
                on_report(report)
        finally:
            if report is not None and type(report.items) is _PickledItems:
                report.__dict__["items"] = list(report.items)  # without the worker's pickle (see _PickledItems)
        if progress is not None:
            progress(done, total, paths[index].name)

    # Windows waits on at most 63 handles at once (ProcessPoolExecutor's limit is 61 workers there).
    workers = min(usable_cpus(), total, 61 if sys.platform == "win32" else total)
    early: dict[int, _Handover | str | None] = {}  # handed back before the files ahead of them
    if workers > 1:
        readers: _Readers | None = None
        try:
            try:
                readers = _Readers(workers, [str(p) for p in paths], month)
                results = readers.results()
            except Exception:  # noqa: BLE001  no processes here: the files are read in this process
                results = iter(())
            # In input order: a report handed back early waits here for those before it (a file
            # per task: chunks of several files measured slower, the last chunks idling a worker
            # while the other finishes).
            at = 0
            while True:
                try:
                    index, handover = next(results)
                except Exception:  # noqa: BLE001  every file handed back (StopIteration), or no worker left: the rest are read here
                    break
                early[index] = handover
                while at in early:
                    # Only reading is guarded: whatever on_report or progress raises is the merge's error.
                    tick(at, _handed_back(paths[at], early.pop(at)))
                    at += 1
            if readers is not None and at == total:
                readers.close(finished=True)
                readers = None
        finally:
            if readers is not None:  # (also when the merge is interrupted: no worker left reading)
                readers.close(finished=False)
    for i, p in enumerate(paths):  # what no worker read (none could be started, or none was left)
        if not finished[i]:
            tick(i, _handed_back(p, early.pop(i)) if i in early else check_file(p, month))
    return reports


def _handed_back(path: Path, handover: _Handover | str | None) -> FileReport | None:
    """The report of ``path`` as a reader handed it back (None: a workbook ``taizhang merge`` wrote)."""
    if handover is None:
        return None
    if isinstance(handover, str):  # _DIED: it ended two reading workers
        return _unreadable(path, DIED_DETAIL)
    return _taken_over(handover)


# ---------------------------------------------------------------------------------------------
# Departments: one name per department, whatever the spelling
# ---------------------------------------------------------------------------------------------

_PAREN_SUFFIX = re.compile(r"\([^()]*\)$")  # 规划发展部（单位）, 综合部（办公室）
_ORDINALS = re.compile(r"[0-9一二三四五六七八九十百东南西北中上下左右甲乙丙丁]")


def normalise_department(name: str) -> str:
    """``规划发展部（单位）``, ``市港航事业发展中心 规划发展部``, ``规划发展部　`` → ``规划发展部``."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text)
    text = _PAREN_SUFFIX.sub("", text) or text
    text = rules.CENTER_PREFIX.sub("", text) or text
    text = text.strip("-_—:：.、")
    # 综合部室, 财务部部室: the template's 部室（单位） wording around a 部's name.
    return re.sub(r"部?部室$", "部", text) if len(text) > 3 else text


def _abbreviates(short: str, long: str) -> bool:
    """``规划部`` for ``规划发展部``, ``船检部`` for ``船舶检验服务部``: same first character, the rest
    in order, the same unit word at the end (or a plain prefix such as ``财务``), and no numeral
    or direction left out (``第十业务部`` is not ``第十四业务部``)."""
    if len(short) < 2 or len(short) >= len(long) or short[0] != long[0]:
        return False
    if short[-1] != long[-1] and not long.startswith(short):
        return False
    dropped = []
    i = 0
    for ch in long:
        if i < len(short) and ch == short[i]:
            i += 1
        else:
            dropped.append(ch)
    return i == len(short) and not _ORDINALS.search("".join(dropped))


def same_department(a: str, b: str) -> bool:
    """Whether two normalised names are one department: equal, an abbreviation, or a near spelling
    (``污染防控部``/``污染防治部``): at most two characters changed in one place, none of them a
    numeral or direction (``一站`` and ``二站`` are two units), four characters or more, and the
    same unit word at the end (a 服务站 is not a 服务部)."""
    if a == b:
        return True
    if _abbreviates(a, b) or _abbreviates(b, a):
        return True
    if a[-1:] != b[-1:] or min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 2:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    changed = a[start:len(a) - end] + b[start:len(b) - end]
    return 0 < len(changed) <= 2 and not _ORDINALS.search(changed)


def match_department(written: str, names: Sequence[str]) -> str | None:
    """The one of ``names`` that ``written`` names: the same after normalising, else the only one
    that is the same department by ``same_department`` (an abbreviation, a near spelling); None
    when there is none or more than one."""
    n = normalise_department(written)
    exact = [d for d in names if normalise_department(d) == n]
    if exact:
        return exact[0]
    close = [d for d in names if same_department(n, normalise_department(d))]
    return close[0] if len(close) == 1 else None


def _ordinals(name: str) -> str:
    return "".join(_ORDINALS.findall(name))


def resolve_departments(names: Sequence[str | None], roster: Sequence[str]) -> list[str | None]:
    """Map each department name onto one spelling: the roster's when it matches exactly one roster
    name, else one spelling per group of names that are the same department (the longest)."""
    normal = [normalise_department(n) if n else None for n in names]
    roster_by_normal = {normalise_department(r): r for r in roster}
    # Only names with the same numerals and directions can be one department (第十业务部 is not
    # 第十四业务部; same_department never drops or changes one), so each name is compared with
    # the few names of its bucket, not with every other: a thousand files stay fast.
    roster_buckets: dict[str, list[str]] = {}
    for key in roster_by_normal:
        roster_buckets.setdefault(_ordinals(key), []).append(key)
    out: list[str | None] = []
    for n in normal:
        if n is None:
            out.append(None)
        elif n in roster_by_normal:
            out.append(roster_by_normal[n])
        else:
            # People shorten names (规划部), they do not lengthen them: 综合服务部 is not 综合部.
            found = [roster_by_normal[key] for key in roster_buckets.get(_ordinals(n), ())
                     if not _abbreviates(key, n) and same_department(n, key)]
            out.append(found[0] if len(found) == 1 else n)  # two candidates: ambiguous, left as written
    # Names outside the roster (or without one): group the spellings of one department.
    rest = sorted({n for n in out if n is not None and n not in roster})
    buckets: dict[str, list[str]] = {}
    for n in rest:
        buckets.setdefault(_ordinals(n), []).append(n)
    canonical: dict[str, str] = {}
    for n in rest:
        group = [m for m in buckets[_ordinals(n)] if same_department(n, m)]
        canonical[n] = max(group, key=lambda m: (len(m), m))
    return [canonical.get(n, n) if n is not None else None for n in out]


# ---------------------------------------------------------------------------------------------
# The merge
# ---------------------------------------------------------------------------------------------


def default_month(reports: Iterable[FileReport], date: dt.date) -> str:
    """The month most 填报日期 fall in (the later month on a tie); the 截至 date's month without any.

    A workbook with one sheet per month counts once, with its newest month's 填报日期; the month
    the single-sheet ledgers agree on wins a tie against a clerk who has already begun next month."""
    months: Counter[str] = Counter()
    single: Counter[str] = Counter()
    for r in reports:
        if r.usable and r.date:
            months[r.date[:7]] += 1
            if not any(f.code == MONTH_CHOSEN for f in r.findings):
                single[r.date[:7]] += 1
    if not months:
        return f"{date.year:04d}-{date.month:02d}"
    return max(months.items(), key=lambda kv: (kv[1], single[kv[0]], kv[0]))[0]


def _needs_year(report: FileReport) -> bool:
    """A ledger whose 填报日期 has no year that nothing in the file supplies (``4月3日``): read again
    with the year of the month being merged (rare: one file in a hundred at most)."""
    if not report.usable or report.date is not None:
        return False
    return any(f.code == "date.unreadable" and f.value and rules.parse_month_day(f.value) for f in report.findings)


def deadline_of(month: str, config: Config) -> dt.date:
    year, mon = (int(x) for x in month.split("-"))
    return dt.date(year, mon, config.deadline_day)


def merge_inbox(
    inbox: Path,
    *,
    config: Config,
    month: str | None = None,
    date: dt.date | None = None,
    progress: Progress | None = None,
    on_report: Callable[[FileReport], None] | None = None,
    tasks: TaskCheck | Path | None = None,
    task_file: Path | None = None,
) -> MergeResult:
    """Check and merge every workbook of ``inbox`` into the centre-wide month.

    ``month`` (``YYYY-MM``) defaults to the month most 填报日期 fall in; ``date`` (the 截至 date of
    the summary sentence) to today. Workbooks written by ``taizhang merge`` are passed over.
    ``on_report`` gets each file's report as soon as it is read, while others are still being
    read (the CLI renders the workbook's rows meanwhile); ``progress(done, total, name)`` too.
    ``tasks``: the centre's task list (its path, or ``tasks.read_tasks``'s result with its path as
    ``task_file``): each task is looked for in its department's ledger (应纳未纳, ``result.tasks``).
    Raises ``TaizhangError`` only when the inbox itself (or the task list) is unusable.
    """
    inbox = Path(inbox)
    date = date or dt.date.today()
    task_list: TaskCheck | None = tasks if isinstance(tasks, TaskCheck) else None
    if isinstance(tasks, Path | str):
        task_file, task_list = Path(tasks), read_tasks(Path(tasks))
    files, skipped = scan_inbox(inbox)
    if task_file is not None:  # the list kept in the inbox is no department's ledger
        kept = [f for f in files if not _same_file(f, task_file)]
        skipped += [Skipped(file=f.name, reason=TASK_LIST_REASON) for f in files if f not in kept]
        files = kept
    # What the merge needs of each ledger's items once every file is read, kept before on_report
    # may let the items go (saving hands them to the history writer as each file is read): the
    # 事项编号 and rows of the items that have one, and for the task list what matching needs.
    ids: dict[str, list[tuple[str, int]]] = {}
    texts: dict[str, list[tuple[str, str]]] = {}
    given = on_report

    def collect(report: FileReport) -> None:
        if report.usable:
            ids[report.file] = [(it.item_id, it.row) for it in report.items if it.item_id]
            if task_list is not None:
                texts[report.file] = ledger_texts(report.items)
        if given is not None:
            given(report)

    on_report = collect
    if not files:
        passed = "；".join(f"{s.file}：{s.reason}" for s in skipped)
        raise TaizhangError(f"收件文件夹 {inbox} 中没有 .xlsx/.xls 工作簿。" + (f"已跳过：{passed}" if passed else ""))
    month = rules.require_month(month) if month else None
    checked = check_files(files, progress, on_report, month=month)
    if month is None:
        month = default_month([r for r in checked if r is not None], date)
        # A workbook with one sheet per month was read at its newest month: read it again at the
        # month being merged (last month's sheet is never merged as this month's, nor next month's).
        # So is a ledger whose 填报日期 has no year that nothing in the file supplies (``4月3日``).
        redo = [i for i, r in enumerate(checked) if r is not None and (
            any(f.code == MONTH_CHOSEN for f in r.findings) or _needs_year(r))]
        for i, again in zip(redo, check_files([files[i] for i in redo], None, on_report, month=month), strict=True):
            checked[i] = again
    reports = [r for r in checked if r is not None]
    # [rules] applied once every file is read: the month and year choices above go by the codes.
    rule_config = config.rule_config
    if rule_config:
        for report in reports:
            apply_rules(report, rule_config)
    for path, r in zip(files, checked, strict=True):
        if r is None:
            skipped.append(Skipped(file=path.name, reason=MERGED_REASON))
    skipped.sort(key=lambda s: s.file)
    deadline = deadline_of(month, config)

    usable = [r for r in reports if r.usable]
    for r in reports:
        if not r.usable:
            f = r.findings[0]
            skipped.append(Skipped(file=Path(r.file).name, reason=f.message, code=f.code))
    names = resolve_departments([r.department for r in usable], config.departments)
    roster = set(config.departments)
    resolved: list[tuple[str, FileReport]] = []
    for name, r in zip(names, usable, strict=True):
        if name in roster and r.department is not None and r.department != name:
            # Read as a roster department, so that it is not listed as 未报送: say so.
            mapped = rule_config.adjust([finding("header.department_mapped", sheet=r.sheet,
                                                 cell=r.department_cell, written=r.department, roster=name)])
            r.findings[:0] = mapped
            r.ok = r.ok and not any(f.severity is Severity.ERROR for f in mapped)
        resolved.append((name or f"部室不明（{Path(r.file).name}）", r))
    _flag_duplicates(resolved)
    _flag_foreign_ids(resolved, rule_config, ids)

    order = {d: i for i, d in enumerate(config.departments)}
    resolved.sort(key=lambda pair: (order.get(pair[0], len(order)), pair[0], Path(pair[1].file).name))
    departments: list[DepartmentEntry] = []
    counts = Counts()
    for name, r in resolved:
        r.department = name
        is_late = r.date is not None and dt.date.fromisoformat(r.date) > deadline
        departments.append(DepartmentEntry(
            department=name, file=Path(r.file).name, date=r.date, late=is_late, ok=r.ok,
            counts=r.counts, errors=len(r.errors), warnings=len(r.warnings)))
        counts.add(r.counts)
    present = {d.department for d in departments}
    missing = [d for d in config.departments if d not in present]
    late = list(dict.fromkeys(d.department for d in departments if d.late))
    sentence = rules.summary_sentence(config.center, rules.format_date_cn(date.year, date.month, date.day), counts)
    # Reports in the order of the consolidated workbook: departments, then the unreadable files.
    ordered = [r for _, r in resolved] + [r for r in reports if not r.usable]
    checked_tasks = None
    if task_list is not None:
        ledgers: dict[str, list[tuple[str, str]]] = {}
        for name, r in resolved:
            ledgers.setdefault(name, []).extend(texts.get(r.file) or ledger_texts(r.items))
        checked_tasks = check_tasks(task_list, ledgers, roster=config.departments, rule_config=rule_config)
    return MergeResult(
        month=month,
        date=date.isoformat(),
        ok=all(r.ok for r in reports) and not (
            checked_tasks and any(f.severity is Severity.ERROR for f in checked_tasks.findings)),
        tasks=checked_tasks,
        counts=counts,
        sentence=sentence,
        departments=departments,
        missing=missing,
        late=late,
        skipped=skipped,
        roster_checked=config.roster_checked,
        reports=ordered,
    )


TASK_LIST_REASON = "这是 --tasks 给出的任务清单，不作为部室台账读取。"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _flag_duplicates(resolved: list[tuple[str, FileReport]]) -> None:
    """Two workbooks for one department (or one department under two spellings): an error on each."""
    groups: dict[str, list[FileReport]] = {}
    for name, r in resolved:
        groups.setdefault(name, []).append(r)
    for name, group in groups.items():
        if len(group) < 2 or name.startswith("部室不明"):
            continue
        files = "、".join(f"“{Path(r.file).name}”" for r in group)
        spellings = list(dict.fromkeys(r.department for r in group if r.department))
        detail = f"（写法分别为{'、'.join(f'“{s}”' for s in spellings)}）" if len(spellings) > 1 else ""
        for r in group:
            r.findings.insert(0, finding("file.duplicate_department", department=name, files=files,
                                         count=len(group), detail=detail))
            r.ok = False


def _flag_foreign_ids(resolved: list[tuple[str, FileReport]], rule_config: RuleConfig,
                      ids: dict[str, list[tuple[str, int]]]) -> None:
    """A 事项编号 in two departments' ledgers: a row copied from one to the other. Which one is the
    copy only the history knows (the store honours an ID for its own department only), so each
    side gets a warning naming the other."""
    where: dict[str, list[tuple[str, FileReport, int]]] = {}
    for name, r in resolved:
        # ``ids``: each file's (事项编号, row), kept as it was read (its items may be gone by now).
        pairs = ids[r.file] if r.file in ids else [(it.item_id, it.row) for it in r.items if it.item_id]
        for item_id, row in pairs:
            where.setdefault(item_id, []).append((name, r, row))
    for item_id, places in where.items():
        if len({name for name, _, _ in places}) < 2:
            continue
        for name, r, row in places:
            other = next((o, f) for o, f, _ in places if o != name)
            r.findings.extend(rule_config.adjust([finding(
                "item.id_elsewhere", sheet=r.sheet, cell=None, row=row, item_id=item_id,
                other=other[0], file=Path(other[1].file).name)]))
            r.ok = r.ok and not any(f.severity is Severity.ERROR for f in r.findings)


# ---------------------------------------------------------------------------------------------
# What the history store keeps of a merged month
# ---------------------------------------------------------------------------------------------


def snapshot_of(result: MergeResult, config: Config, *, consume: bool = False) -> MonthSnapshot:
    """The month as the history store keeps it (item keys are assigned by ``Store.save_month``).

    ``consume``: the reports' items and findings become the snapshot's (their field values are
    taken over, not copied) and each report is left without them as soon as it is converted, so
    that the month is never held twice (the history writer's way: it needs the reports no more)."""
    items: list[StoredItem] = []
    findings: list[StoredFinding] = []
    hashes: dict[str, str] = {}
    item_fields, finding_fields = all_fields(StoredItem), all_fields(StoredFinding)
    for r in result.reports:
        name = Path(r.file).name
        if r.sha256:
            hashes[name] = r.sha256
        department = r.department if r.usable else None
        # construct: the items were validated when read; ten thousand of them are copied here.
        for it in r.items if r.usable else ():
            values = it.__dict__ if consume else {**it.__dict__}
            values["key"], values["department"] = "", department or name
            items.append(construct(StoredItem, values, item_fields))
        for f in r.findings:
            values = f.__dict__ if consume else {**f.__dict__}
            values["department"], values["file"] = department, name
            findings.append(construct(StoredFinding, values, finding_fields))
        if consume:  # their values are the stored ones' now
            r.items, r.findings = [], []
    if result.tasks is not None:  # 应纳未纳: kept for the month's report and bulletin
        findings.extend(result.tasks.findings)
    return MonthSnapshot(
        month=result.month,
        date=result.date,
        center=config.center,
        sentence=result.sentence,
        counts=result.counts,
        departments=result.departments,
        items=items,
        findings=findings,
        missing=result.missing,
        late=result.late,
        file_hashes=hashes,
        center_leaders={r.department: r.center_leader for r in result.reports
                        if r.usable and r.department and r.center_leader},
    )
