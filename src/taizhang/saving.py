"""A merged month saved: the inbox merged, the consolidated workbook written, the month stored.

``merge_and_save`` is what ``taizhang merge`` does, callable from Python::

    from taizhang.config import load_config
    from taizhang.saving import merge_and_save

    result = merge_and_save(Path("收件箱/2022-04"), config=load_config(None), date=dt.date(2022, 4, 6))

Its guarantees, whatever the platform:

* the month is committed to the history store only once the workbook is written: a merge that
  fails (an input refused as output, a full disk, an unexpected error) leaves the store as it was;
* memory stays bounded: where processes can be forked (Linux), each report's items go to the
  history writer as soon as the report is read and its workbook rows rendered, and this process
  lets them go; the writer and the reading workers die with the merge (``children``);
* elsewhere (Windows, macOS, or when a fork fails) the month is stored after the workbook, in
  this process: the same store contents and the same workbook bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .children import die_with_parent, give_back_memory, hold_for_tests, interrupts_held, name_writer
from .collector import collector_paused
from .config import Config
from .errors import StoreError, TaizhangError
from .fileio import check_not_refused
from .merge import (
    Progress,
    default_output_name,
    merge_inbox,
    pickle_items,
    snapshot_of,
)
from .models import Colour, FileReport, MergeResult, MonthSnapshot, StoredItem, TaskCheck
from .store import Store, default_db_path
from .tasks import read_tasks

if TYPE_CHECKING:
    from .writing.consolidated import ConsolidatedWriter

# Whether the month is stored by a forked writer holding its transaction while the workbook is
# written (Linux only: macOS forks are unsafe once system frameworks are loaded, Windows has
# none). Elsewhere it is stored after the workbook, in this process. The tests turn it off.
FORK_WRITER = sys.platform.startswith("linux")

NOTHING_READABLE = "收件文件夹中没有可以读取的台账，未写出汇总表，也未记入历史库。"


class NothingToMerge(TaizhangError):
    """No workbook of the inbox could be read: nothing written, nothing stored. ``result`` says why."""

    def __init__(self, result: MergeResult) -> None:
        super().__init__(NOTHING_READABLE)
        self.result = result


class MonthNotStored(StoreError):
    """The workbook was written (``result.output``) but the month could not be stored."""

    def __init__(self, result: MergeResult, reason: str) -> None:
        super().__init__(f"汇总表已写出（{result.output}），但{reason}")
        self.result = result
        self.reason = reason


def merge_and_save(
    inbox: Path,
    *,
    config: Config,
    month: str | None = None,
    date: dt.date | None = None,
    output: Path | None = None,
    db: Path | None = None,
    progress: Progress | None = None,
    working_on: Callable[[Path], None] | None = None,
    tasks: Path | None = None,
    lean_openpyxl: bool = False,
) -> MergeResult:
    """Merge ``inbox``, write the consolidated workbook and record the month in the history store.

    ``month`` (``YYYY-MM``) and ``date`` (the 截至 date, today by default) are those of
    ``merge_inbox``. ``output`` is the workbook's path or folder (default: beside the inbox,
    ``重点工作台账汇总-YYYY-MM.xlsx``); ``db`` the store (default: ``default_db_path``).
    ``progress(done, total, name)`` follows the reading; ``working_on(path)`` is told the path
    being worked on: the inbox, then the workbook once every file is read. ``tasks``: the centre's
    task list (任务清单.xlsx/.xls), checked against the ledgers (应纳未纳: ``result.tasks``, and
    ``task.not_listed`` findings in the workbook's 问题清单 and the store); it is read first, and
    a list that cannot be read raises ``TaizhangError`` before anything is written.
    ``lean_openpyxl``: load openpyxl without numpy if neither is loaded yet (13 MB less). Only for
    a process that never gives openpyxl numpy numbers afterwards, such as ``taizhang merge``'s:
    openpyxl then refuses them for the rest of the process.

    Returns the result with ``output`` set. Raises ``TaizhangError`` when the inbox or the
    output is unusable or the workbook cannot be written (nothing stored), ``NothingToMerge``
    when no workbook could be read, ``MonthNotStored`` when the workbook was written but the
    store refused the month. Whatever is raised, the store is left as it was.
    """
    inbox = Path(inbox)
    if output is not None and Path(output).suffix.lower() != ".xlsx" and not Path(output).is_dir():
        raise TaizhangError(f"汇总表文件须以 .xlsx 结尾：{output}")
    db_path = default_db_path(db, config)
    task_list = read_tasks(Path(tasks)) if tasks is not None else None
    # A merge holds ten thousand acyclic items (60 files × 150 items: 2.15 s with the collector
    # off, 2.43 s on, medians of 8); the reading workers and the history writer are forked while it
    # is off, and inherit that. (Skipping the last full collection at exit: ``taizhang.cli.main``.)
    with collector_paused():
        history = _History(db_path, config)
        try:
            return _merge_and_save(history, inbox, config=config, month=month, date=date,
                                   output=output, progress=progress, working_on=working_on, lean=lean_openpyxl,
                                   tasks=(Path(tasks), task_list) if tasks is not None and task_list is not None else None)
        finally:
            history.finish(keep=False)  # whatever stopped the merge: the store is left as it was


def _merge_and_save(history: _History, inbox: Path, *, config: Config, month: str | None, date: dt.date | None,
                    output: Path | None, progress: Progress | None,
                    working_on: Callable[[Path], None] | None, lean: bool,
                    tasks: tuple[Path, TaskCheck] | None = None) -> MergeResult:
    writers: list[ConsolidatedWriter] = []

    def writer() -> ConsolidatedWriter:
        # Loaded (with openpyxl) only once the worker processes are reading, so that loading it
        # overlaps with their work instead of delaying it.
        if not writers:
            if lean:
                _openpyxl_without_numpy()
            from .writing.consolidated import ConsolidatedWriter

            writers.append(ConsolidatedWriter(config))
        return writers[0]

    def prepare(report: FileReport) -> None:
        # The workbook's rows of each department are rendered as soon as its file is read; then
        # the items go to the history writer: this process keeps the rendered rows only.
        writer().prepare(report)
        history.add(report)

    if working_on is not None:
        working_on(inbox)
    result = merge_inbox(inbox, config=config, month=month, date=date, progress=progress, on_report=prepare,
                         tasks=tasks[1] if tasks else None, task_file=tasks[0] if tasks else None)
    if not any(r.usable for r in result.reports):
        raise NothingToMerge(result)

    out = Path(output) if output is not None else inbox.resolve().parent / default_output_name(result.month)
    if out.is_dir():
        out = out / default_output_name(result.month)
    inputs = [Path(r.file) for r in result.reports] + ([tasks[0]] if tasks else [])
    check_not_refused(out, inputs)

    history.start(result)  # the month is stored while the workbook is written
    if working_on is not None:
        working_on(out)
    try:
        written = writer().write(result, out, refuse=inputs)
    except TaizhangError as exc:
        raise TaizhangError(f"{exc}（本月未记入历史库）") from exc
    result.output = str(written)
    store_error = history.finish(keep=True)
    if store_error:
        raise MonthNotStored(result, store_error)
    return result


def _openpyxl_without_numpy() -> None:
    """Load openpyxl without numpy when neither is loaded yet. ``openpyxl.compat.numbers`` imports
    numpy whenever it is installed (pandas brings it), only to accept numpy numbers as cell
    values, which the consolidated workbook never has: in a merge it would cost 13 MB of the
    merge process's memory (29 MB instead of 42 MB with openpyxl loaded) for nothing. numpy is
    hidden during that import only: loaded later (pandas), it is the real one."""
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` fails, as if not installed
    try:
        import openpyxl  # noqa: F401
    finally:
        del sys.modules["numpy"]


def _store(db_path: Path, snapshot: MonthSnapshot, before_commit: Callable[[], bool] | None = None) -> str | None:
    """Save the month in the history store; the error message, or None when it is stored."""
    try:
        with Store(db_path) as store:
            store.save_month(snapshot, before_commit=before_commit)
    except TaizhangError as exc:
        return str(exc)
    return None


# The fields the history store keeps of an item (``store._item_row``, the keys' matching).
_STORED_FIELDS = ("key", "department", "row", "no", "name", "target", "progress", "judgement", "colour",
                  "leader", "owner", "stars", "source", "note", "closed", "extra", "item_id")
_NO_EXTRA: dict[str, str] = {}  # shared by the items without extra columns: never changed


class _WriterItem:
    """An item as the history writer holds it: what the store keeps of a ``StoredItem``, in slots.

    At 150,000 items a month a ``StoredItem`` weighs about a kilobyte more than its texts (its
    ``__dict__``, and three dicts of its own, mostly empty); this holds the same attributes in a
    fifth of that, so the writer's peak is the month's texts and little more."""

    __slots__ = _STORED_FIELDS
    key: str
    department: str
    row: int
    no: int | str | None
    name: str
    target: str
    progress: str
    judgement: str
    colour: Colour
    leader: str
    owner: str
    stars: str | None
    source: str | None
    note: str
    closed: bool
    extra: dict[str, str]
    item_id: str | None

    @classmethod
    def of_pickled(cls, pickled: bytes, texts: dict[str, str]) -> list[_WriterItem]:
        """The items of a report pickled as tuples of their fields (``merge.pickle_items``: the writer
        makes no pydantic item it would only take apart), their department left blank. The short
        texts that repeat across a month's items (judgement, leader, owner, stars, source, note, of
        64 characters at most) are held once each, shared through ``texts``. One loop unpacks each tuple
        into the slots: four times faster than setting the fields one by one by name (a test
        checks it against ``merge.ITEM_FIELDS``)."""
        out: list[_WriterItem] = []
        append, new, share = out.append, cls.__new__, texts.setdefault
        for values in pickle.loads(pickled):
            it = new(cls)
            (it.row, it.no, it.name, it.target, it.progress, judgement, it.colour, leader, owner,
             stars, source, note, it.closed, extra, it.item_id, _, _) = values  # (not kept: written, doubts)
            it.judgement = share(judgement, judgement) if type(judgement) is str and len(judgement) <= 64 else judgement
            it.leader = share(leader, leader) if type(leader) is str and len(leader) <= 64 else leader
            it.owner = share(owner, owner) if type(owner) is str and len(owner) <= 64 else owner
            it.stars = share(stars, stars) if type(stars) is str and len(stars) <= 64 else stars
            it.source = share(source, source) if type(source) is str and len(source) <= 64 else source
            it.note = share(note, note) if type(note) is str and len(note) <= 64 else note
            it.extra = extra or _NO_EXTRA
            it.key = it.department = ""
            append(it)
        return out


class _History:
    """The month's history writer; ``finish`` commits or abandons the month.

    With ``FORK_WRITER`` a child process is forked before the inbox is read (while this process
    is still small, so that it copies nothing): ``add`` hands it each report's items as soon as
    the report is read and its rows rendered, and this process lets them go; ``start`` gives it
    the merged month. It writes the month and waits, transaction open, for the word to commit:
    the month is kept only when the workbook was written, so a failed merge leaves the store as
    it was. Otherwise the month is stored by ``finish`` itself, after the workbook.
    """

    def __init__(self, db_path: Path, config: Config) -> None:
        self.db_path, self.config = db_path, config
        self.result: MergeResult | None = None
        self.process: Any = None
        self.outcome: str | None = None
        self.finished = False
        self.lost = False
        if not FORK_WRITER:
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.parent_end, child_end = ctx.Pipe(duplex=True)
        parent = os.getpid()

        def write_month() -> None:
            # Never outlive the merge: a writer left behind would hold the store's lock. Its
            # copy of the parent's end is closed, so that the parent's death also ends recv().
            die_with_parent(parent)
            name_writer(parent)
            self.parent_end.close()
            # Each report's items, made compact ``_WriterItem``s as they arrive: the month is never
            # held as pydantic items, nor as pickles (their freed blocks would stay in the heap).
            items: dict[str, list[_WriterItem]] = {}
            texts: dict[str, str] = {}
            try:
                while True:
                    message = child_end.recv()
                    if message[0] == "items":
                        items[message[1]] = _WriterItem.of_pickled(message[2], texts)
                        del message
                    elif message[0] == "result":
                        result: MergeResult = message[1]
                        break
                    else:  # abandoned before the month was merged
                        return
            except EOFError:
                return
            texts.clear()
            # The month's items in the order of its reports, of their departments as resolved.
            month_items: list[_WriterItem] = []
            for report in result.reports:
                received = items.pop(report.file, None)
                if received is not None and report.usable:
                    department = report.department or Path(report.file).name
                    for it in received:
                        it.department = department
                    month_items.extend(received)
                report.items = []
            give_back_memory()

            snapshot: MonthSnapshot | None = None

            def go() -> bool:
                # The month is written, its transaction open: its items are let go (and their
                # memory given back) while this process waits for the workbook to be written.
                if snapshot is not None:
                    snapshot.items.clear()
                    snapshot.findings.clear()
                give_back_memory()
                hold_for_tests("store")
                child_end.send("ready")
                return bool(child_end.recv())

            try:
                # Each report's items become the snapshot's as it is converted: never held twice.
                snapshot = snapshot_of(result, config, consume=True)
                # Stored as StoredItems would be: the store reads only their attributes.
                snapshot.items = cast(list[StoredItem], month_items)
                child_end.send(("done", _store(db_path, snapshot, before_commit=go)))
            except Exception as exc:  # noqa: BLE001  reported by the parent, never lost
                child_end.send(("done", f"无法写入历史库 {db_path}：{type(exc).__name__}: {exc}"))

        try:
            # Forked with Ctrl+C ignored: the merge alone answers it (``finish``: the month rolled back).
            with interrupts_held():
                self.process = ctx.Process(target=write_month, daemon=True)
                self.process.start()
        except OSError:
            self.process = None

    def add(self, report: FileReport) -> None:
        """Hand a report's items to the writer; the report keeps none (its rows are rendered)."""
        if self.process is None or not report.usable or self.lost:
            return
        try:
            # Their fields, pickled (as a rule by the reading worker, passed on as it is); the writer
            # makes ``_WriterItem``s of them.
            self.parent_end.send(("items", report.file, pickle_items(report.items)))
        except OSError:
            self.lost = True
            return
        report.items = []

    def start(self, result: MergeResult) -> None:
        """Give the writer the merged month: it stores it and waits for ``finish``."""
        self.result = result
        if self.process is not None and not self.lost:
            try:
                self.parent_end.send(("result", result))
            except OSError:
                self.lost = True

    def finish(self, *, keep: bool) -> str | None:
        """Commit (``keep``) or abandon the month; the error message, or None when all went well."""
        if self.finished:
            return self.outcome
        self.finished = True
        if self.process is None:
            if keep and self.result is not None:
                self.outcome = _store(self.db_path, snapshot_of(self.result, self.config))
            return self.outcome
        lost = f"无法写入历史库 {self.db_path}（写入进程意外退出）"
        try:
            if self.result is None:  # nothing merged: the writer has nothing to store
                self.parent_end.send(("abandon",))
                return self.outcome
            if self.lost:
                raise EOFError
            if not keep and not self.parent_end.poll():
                # Abandoned (the workbook failed, Ctrl+C) while the writer still stores the month:
                # nothing to wait for. Killed, its transaction is undone by SQLite.
                self.process.kill()
                return self.outcome
            message = self.parent_end.recv()  # "ready", or ("done", error) when it failed before
            if message == "ready":
                self.parent_end.send(keep)
                message = self.parent_end.recv()
            self.outcome = message[1] if keep else None
        except (EOFError, OSError):
            self.outcome = lost if keep else None
        except BaseException:
            # Interrupted while the writer works on (Ctrl+C reached this process only, or Python
            # raised it here): the writer would wait for an answer forever. Killed, its month is
            # rolled back (SQLite undoes an unfinished transaction).
            self.process.kill()
            raise
        finally:
            self.process.join()
            self.parent_end.close()
        return self.outcome
