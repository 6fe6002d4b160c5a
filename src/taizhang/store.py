"""The history of merged months in SQLite: one snapshot per month, items followed across months.

Each ``taizhang merge`` saves the month's snapshot (departments, items with their colours,
findings, the files' hashes). Saving a month again replaces it in one transaction, so an
interrupted merge leaves the store exactly as it was. Every item gets a ``key`` that stays the
same from month to month while its 工作事项 is the same or only slightly reworded, so the
report can say which items turned red, which were closed and which are new.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from .children import describe, end_orphaned_writers, lock_holders
from .config import Config
from .errors import StoreError
from .models import Colour, Counts, DepartmentEntry, MonthSnapshot, StoredFinding, StoredItem, construct
from .rules import normalise_label

DB_NAME = "taizhang.db"
# How long a merge waits for another merge's history writer before saying so (seconds).
LOCK_TIMEOUT = 30.0
ENV_DB = "TAIZHANG_DB"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

_SCHEMA = """
CREATE TABLE months (
    month     TEXT PRIMARY KEY,            -- YYYY-MM
    date      TEXT NOT NULL,               -- the 截至 date, YYYY-MM-DD
    center    TEXT NOT NULL,
    sentence  TEXT NOT NULL,
    counts    TEXT NOT NULL,               -- JSON of Counts
    missing   TEXT NOT NULL,               -- JSON list of departments
    late      TEXT NOT NULL                -- JSON list of departments
);
CREATE TABLE departments (
    month      TEXT NOT NULL REFERENCES months(month) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    department TEXT NOT NULL,
    file       TEXT NOT NULL,
    date       TEXT,
    late       INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    counts     TEXT NOT NULL,
    errors     INTEGER NOT NULL,
    warnings   INTEGER NOT NULL,
    PRIMARY KEY (month, position)
);
CREATE TABLE items (
    month      TEXT NOT NULL REFERENCES months(month) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    key        TEXT NOT NULL,              -- the item's identity across months
    department TEXT NOT NULL,
    row        INTEGER NOT NULL,
    no         TEXT,                       -- JSON: int, text or null
    name       TEXT NOT NULL,
    target     TEXT NOT NULL,
    progress   TEXT NOT NULL,
    judgement  TEXT NOT NULL,
    colour     TEXT NOT NULL,
    leader     TEXT NOT NULL,
    owner      TEXT NOT NULL,
    stars      TEXT,
    source     TEXT,
    note       TEXT NOT NULL,
    closed     INTEGER NOT NULL,
    extra      TEXT NOT NULL,              -- JSON object
    PRIMARY KEY (month, position),
    UNIQUE (month, key)
);
CREATE INDEX items_by_key ON items(key);
CREATE INDEX items_by_department ON items(department, month);
CREATE TABLE findings (
    month      TEXT NOT NULL REFERENCES months(month) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    department TEXT,
    file       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    code       TEXT NOT NULL,
    sheet      TEXT,
    cell       TEXT,
    message    TEXT NOT NULL,
    value      TEXT,
    PRIMARY KEY (month, position)
);
CREATE TABLE files (
    month   TEXT NOT NULL REFERENCES months(month) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (month, name)
);
"""



def _create_schema(db: sqlite3.Connection) -> None:
    """Version 1: the first schema (taizhang 0.1.0)."""
    for statement in _statements(_SCHEMA):
        db.execute(statement)


def _add_item_id(db: sqlite3.Connection) -> None:
    """Version 2: each item's 事项编号 (the ID ``taizhang prepare`` wrote), NULL for older months."""
    db.execute("ALTER TABLE items ADD COLUMN item_id TEXT")


# The schema's history: (version, step), oldest first. A new schema adds a step that brings a
# store of the previous version to it (ALTER TABLE, a new table, data moved) and never changes an
# old step: a store is upgraded by the steps newer than its ``PRAGMA user_version``, in order, in
# one transaction, when it is opened. ``_SCHEMA`` above is version 1 and stays so.
def _add_center_leaders(db: sqlite3.Connection) -> None:
    """Version 2: each department's 中心分管领导 as its ledger's footer names it (leaders' digests)."""
    db.execute("ALTER TABLE departments ADD COLUMN center_leader TEXT")


MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [
    (1, _create_schema),
    (2, _add_item_id),
    (3, _add_center_leaders),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]  # the version this code writes

_ITEM_COLUMNS = ("month", "position", "key", "department", "row", "no", "name", "target", "progress",
                 "judgement", "colour", "leader", "owner", "stars", "source", "note", "closed", "extra", "item_id")

# What deriving an item's key needs of the items stored.
_KEY_COLUMNS = ("key", "department", "row", "name", "target", "item_id")


class HistoryItem(NamedTuple):
    """An earlier month's item as the report reads it (``Store.load_history_month``)."""

    key: str
    department: str
    name: str
    colour: Colour
    closed: bool


@dataclass
class HistoryMonth:
    """An earlier month as the report reads it: its counts, departments and items (``HistoryItem``)."""

    month: str
    counts: Counts
    departments: list[DepartmentEntry]
    items: list[HistoryItem]


def default_db_path(db: Path | None, config: Config) -> Path:
    """``--db``, else ``$TAIZHANG_DB``, else ``taizhang.db`` beside the config file (cwd when none)."""
    if db is not None:
        return Path(db)
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env)
    folder = config.path.parent if config.path is not None else Path.cwd()
    return folder / DB_NAME


class _Abandoned(Exception):
    """The caller decided, just before the commit, not to keep the month."""


class Store:
    """The SQLite history of merged months."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"历史库路径 {self.path} 是一个文件夹，请给出数据库文件名（如 taizhang.db）。")
        if self.path.is_file():
            # The writer of a merge that was killed holds the lock and can never commit: end it
            # (its transaction is rolled back) rather than wait for it.
            end_orphaned_writers(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun and ended explicitly below.
            self._db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开历史库 {self.path}：{exc}") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except StoreError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if _locked(exc):
                raise self._locked_error() from None
            raise StoreError(f"{self.path} 不是 taizhang 的历史库（{exc}）。请用 --db 指定另一个文件。") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------
    # schema
    # ---------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        """Bring the store to the code's schema: each step newer than the file's ``user_version``,
        in order, all in one transaction (an interrupted upgrade leaves the file as it was)."""
        latest = MIGRATIONS[-1][0]
        version = self._version()
        self._check_version(version, latest)
        if version == latest:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()  # another process may have upgraded it meanwhile
            self._check_version(version, latest)
            for step, migrate in MIGRATIONS:
                if step > version:
                    try:
                        migrate(self._db)
                    except Exception as exc:
                        if version == 0:
                            raise
                        raise StoreError(f"无法把历史库 {self.path} 从格式版本 {version} 升级到 {latest}"
                                         f"（第 {step} 步：{type(exc).__name__}: {exc}），历史库未改动。") from exc
                    self._db.execute(f"PRAGMA user_version = {int(step)}")
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self, version: int, latest: int) -> None:
        """StoreError unless the file is empty or a taizhang store this code can upgrade."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        # Every version of the store has its ``months`` table: a file with tables but none of
        # that name (whatever its user_version) was written by another program.
        if tables and (version == 0 or "months" not in tables):
            raise StoreError(f"{self.path} 是别的程序的 SQLite 数据库，不是 taizhang 的历史库。请用 --db 指定另一个文件。")
        if version > latest:
            raise StoreError(f"历史库 {self.path} 由更新版本的 taizhang 创建（格式版本 {version}，"
                             f"本版本只能读写到格式版本 {latest}），请升级 taizhang。")

    # ---------------------------------------------------------------------------------------
    # reading
    # ---------------------------------------------------------------------------------------

    def months(self) -> list[str]:
        """The stored months, oldest first (``YYYY-MM``)."""
        return [row[0] for row in self._db.execute("SELECT month FROM months ORDER BY month")]

    def previous_month(self, month: str) -> str | None:
        """The latest stored month before ``month``."""
        row = self._db.execute("SELECT max(month) FROM months WHERE month < ?", (month,)).fetchone()
        return row[0] if row else None

    def load_month(self, month: str) -> MonthSnapshot:
        """The stored snapshot of ``month``; ``StoreError`` (naming the stored months) when absent."""
        snapshot = self._month_and_departments(month)
        names = _ITEM_COLUMNS[2:]
        given = set(names)
        colours = {c.value: c for c in Colour}
        for r in self._db.execute(f"SELECT {', '.join(names)} FROM items WHERE month = ? ORDER BY position",
                                  (month,)):
            data = dict(zip(names, r, strict=True))
            no = data["no"]
            # Written by _item_row: a whole number as its digits, anything else as JSON.
            data["no"] = None if no is None else int(no) if no.isascii() and no.isdigit() else json.loads(no)
            data["closed"] = bool(data["closed"])
            data["extra"] = {} if data["extra"] == "{}" else json.loads(data["extra"])
            colour = colours.get(data["colour"])
            if colour is None or type(data["row"]) is not int:
                snapshot.items.append(StoredItem.model_validate(data))  # not as we write it: say why
                continue
            # The rows were validated when stored, and a year's report loads a hundred thousand of
            # them: validating each again took most of its time.
            data["colour"] = colour
            snapshot.items.append(construct(StoredItem, data, set(given)))
        for f in self._db.execute(
            "SELECT department, file, severity, code, sheet, cell, message, value FROM findings "
            "WHERE month = ? ORDER BY position", (month,)
        ):
            snapshot.findings.append(StoredFinding(department=f[0], file=f[1], severity=f[2], code=f[3],
                                                   sheet=f[4], cell=f[5], message=f[6], value=f[7]))
        snapshot.file_hashes = self.file_hashes(month)
        return snapshot

    def load_history_month(self, month: str) -> HistoryMonth:
        """``month`` as a report needs an earlier month: its counts and departments, and of each
        item only what red streaks and the comparison with the month before read (``HistoryItem``):
        a year of full months took most of a report's time."""
        snapshot = self._month_and_departments(month)
        colours = {c.value: c for c in Colour}

        def colour_of(text: str) -> Colour:  # not as we write it: say why, as load_month would
            return StoredItem.model_validate({"key": "", "department": "", "row": 0, "colour": text}).colour

        rows = self._db.execute(
            "SELECT key, department, name, colour, closed FROM items WHERE month = ? ORDER BY position", (month,))
        items = [HistoryItem(key, department, name, colours.get(colour) or colour_of(colour), closed != 0)
                 for key, department, name, colour, closed in rows]
        return HistoryMonth(month=snapshot.month, counts=snapshot.counts, departments=snapshot.departments,
                            items=items)

    def _month_and_departments(self, month: str) -> MonthSnapshot:
        """The month's own row and its departments, with no items yet."""
        row = self._db.execute(
            "SELECT month, date, center, sentence, counts, missing, late FROM months WHERE month = ?", (month,)
        ).fetchone()
        if row is None:
            stored = self.months()
            have = "、".join(stored) if stored else "（还没有任何月份，请先运行 taizhang merge）"
            raise StoreError(f"历史库 {self.path} 中没有 {month} 的汇总。已有的月份：{have}")
        snapshot = MonthSnapshot(
            month=row[0], date=row[1], center=row[2], sentence=row[3],
            counts=Counts.model_validate_json(row[4]),
            missing=json.loads(row[5]), late=json.loads(row[6]),
            departments=[], items=[],
        )
        for d in self._db.execute(
            "SELECT department, file, date, late, ok, counts, errors, warnings, center_leader FROM departments "
            "WHERE month = ? ORDER BY position", (month,)
        ):
            snapshot.departments.append(DepartmentEntry(
                department=d[0], file=d[1], date=d[2], late=bool(d[3]), ok=bool(d[4]),
                counts=Counts.model_validate_json(d[5]), errors=d[6], warnings=d[7]))
            if d[8]:
                snapshot.center_leaders.setdefault(d[0], d[8])
        return snapshot

    def center_leaders(self, month: str) -> dict[str, str]:
        """Each department's 中心分管领导 as its latest footer up to ``month`` names it: a department
        that did not report this month keeps last month's; one that never reported before takes
        that of its first ledger after ``month``."""
        leaders: dict[str, str] = {}
        # Later months first, newest first, then the months up to ``month`` oldest first: the last
        # footer written for a department wins.
        for department, leader in self._db.execute(
                "SELECT department, center_leader FROM departments WHERE center_leader IS NOT NULL "
                "ORDER BY month <= ?, CASE WHEN month <= ? THEN month END, month DESC, position", (month, month)):
            leaders[department] = leader
        return leaders

    def file_hashes(self, month: str) -> dict[str, str]:
        """The SHA-256 of each file merged for ``month``, by file name."""
        return dict(
            self._db.execute("SELECT name, sha256 FROM files WHERE month = ? ORDER BY name", (month,)).fetchall())

    def _items_of(self, month: str) -> list[StoredItem]:
        names = _KEY_COLUMNS
        rows = self._db.execute(f"SELECT {', '.join(names)} FROM items WHERE month = ? ORDER BY position", (month,))
        return [StoredItem.model_validate(dict(zip(names, r, strict=True))) for r in rows]

    def _latest_items_before(self, month: str, department: str) -> list[StoredItem]:
        """The department's items in the latest stored month before ``month`` in which it has any."""
        row = self._db.execute(
            "SELECT max(month) FROM items WHERE department = ? AND month < ?", (department, month)).fetchone()
        if not row or row[0] is None:
            return []
        names = _KEY_COLUMNS
        rows = self._db.execute(
            f"SELECT {', '.join(names)} FROM items WHERE month = ? AND department = ? ORDER BY position",
            (row[0], department))
        return [StoredItem.model_validate(dict(zip(names, r, strict=True))) for r in rows]

    # ---------------------------------------------------------------------------------------
    # writing
    # ---------------------------------------------------------------------------------------

    def save_month(self, snapshot: MonthSnapshot, *,
                   before_commit: Callable[[], bool] | None = None) -> MonthSnapshot:
        """Store ``snapshot``, replacing the month if it is stored, in one transaction.

        ``before_commit`` is asked, with everything written but not committed, whether to commit:
        False rolls the month back (the merge's workbook could not be written) and raises StoreError.

        Every item gets its ``key``: the key of the same item (same or slightly reworded 工作事项)
        in the department's latest earlier month, else the key it had in the snapshot being
        replaced, else a new one. The keys are filled in on ``snapshot`` itself, which is returned.
        The keys of every later stored month are then derived again, in month order, so that
        which items are the same never depends on the order the months were merged in.
        """
        month = snapshot.month
        if not _MONTH.match(month):
            raise StoreError(f"月份“{month}”格式不对，应为 YYYY-MM（如 2022-04）。")
        db = self._db
        self._begin()
        try:
            # Keys are derived inside the transaction: a merge of another month that committed
            # meanwhile is seen, and none can commit before this one is done.
            self._assign_keys(month, snapshot.items, self._items_of(month))
            db.execute("DELETE FROM months WHERE month = ?", (month,))  # cascades to the month's rows
            db.execute(
                "INSERT INTO months (month, date, center, sentence, counts, missing, late) VALUES (?,?,?,?,?,?,?)",
                (month, snapshot.date, snapshot.center, snapshot.sentence, snapshot.counts.model_dump_json(),
                 _json(snapshot.missing), _json(snapshot.late)))
            db.executemany(
                "INSERT INTO departments (month, position, department, file, date, late, ok, counts, errors, "
                "warnings, center_leader) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(month, i, d.department, d.file, d.date, int(d.late), int(d.ok), d.counts.model_dump_json(),
                  d.errors, d.warnings, snapshot.center_leaders.get(d.department))
                 for i, d in enumerate(snapshot.departments)])
            db.executemany(
                f"INSERT INTO items ({', '.join(_ITEM_COLUMNS)}) VALUES ({', '.join('?' * len(_ITEM_COLUMNS))})",
                (_item_row(month, i, item) for i, item in enumerate(snapshot.items)))
            db.executemany(
                "INSERT INTO findings (month, position, department, file, severity, code, sheet, cell, message, "
                "value) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(month, i, f.department, f.file, f.severity.value, f.code, f.sheet, f.cell, f.message, f.value)
                 for i, f in enumerate(snapshot.findings)])
            db.executemany("INSERT INTO files (month, name, sha256) VALUES (?,?,?)",
                           sorted((month, name, sha) for name, sha in snapshot.file_hashes.items()))
            for later in [row[0] for row in db.execute(
                    "SELECT month FROM months WHERE month > ? ORDER BY month", (month,))]:
                self._derive_keys_again(later)
            if before_commit is not None and not before_commit():
                raise _Abandoned
            db.execute("COMMIT")
        except _Abandoned:
            db.execute("ROLLBACK")
            raise StoreError(f"汇总表未能写出，本月未记入历史库 {self.path}。") from None
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"无法写入历史库 {self.path}：{exc}") from None
            raise
        return snapshot

    def _begin(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _locked(exc):
                raise self._locked_error() from None
            raise StoreError(f"无法写入历史库 {self.path}：{exc}") from None

    def _locked_error(self) -> StoreError:
        holders = [describe(pid) for pid in lock_holders(self.path) if pid != os.getpid()]
        who = f"被{'、'.join(holders)}" if holders else "被其他程序"
        return StoreError(f"历史库 {self.path} 正{who}占用，等待 {LOCK_TIMEOUT:.0f} 秒仍未释放。"
                          "可能有另一个 taizhang merge 正在运行：请等它结束后重试；如果没有，请结束该进程后重试。")

    def _derive_keys_again(self, month: str) -> None:
        """Derive the keys of a stored month again from the months before it (inside a transaction)."""
        stored = self._items_of(month)
        items = [it.model_copy(update={"key": ""}) for it in stored]
        self._assign_keys(month, items, stored)
        changed = [(position, it.key) for position, (old, it) in enumerate(zip(stored, items, strict=True))
                   if old.key != it.key]
        if not changed:
            return
        # Two steps: keys may move between items, and (month, key) is unique at every moment.
        self._db.executemany("UPDATE items SET key = ? WHERE month = ? AND position = ?",
                             [(f"\x00{position}", month, position) for position, _ in changed])
        self._db.executemany("UPDATE items SET key = ? WHERE month = ? AND position = ?",
                             [(key, month, position) for position, key in changed])

    def _assign_keys(self, month: str, items: Sequence[StoredItem], replaced: Sequence[StoredItem]) -> None:
        """Give each of ``items`` (the month's, in order) its key; ``replaced``: the month as stored."""
        by_replaced: dict[str, list[StoredItem]] = {}
        for old in replaced:
            by_replaced.setdefault(old.department, []).append(old)
        by_department: dict[str, list[int]] = {}
        for index, it in enumerate(items):
            by_department.setdefault(it.department, []).append(index)
        keys: dict[int, str] = {}
        used: set[str] = set()
        for department, indices in by_department.items():
            latest = self._latest_items_before(month, department)
            # A key the department had in an earlier month belongs to that item only: an item
            # that is not matched with one of the latest month never takes an earlier key, so
            # that equal keys always mean "matched" and the report reads the same whatever the
            # order of the merges.
            earlier = self._keys_before(month, department)
            self._keys_by_id(items, indices, latest, keys, used)
            # First the department's latest earlier month (the report follows these), then the
            # keys the month had before it was merged again (kept while they are free).
            for source in (latest, by_replaced.get(department, [])):
                todo = [i for i in indices if i not in keys]
                candidates = [old for old in source if old.key not in used
                              and (source is latest or old.key not in earlier)]
                if not todo or not candidates:
                    continue
                position = {id(items[i]): i for i in todo}
                for new, old in match_items(candidates, [items[i] for i in todo]):
                    keys[position[id(new)]] = old.key
                    used.add(old.key)
            for i in indices:
                if i not in keys:
                    keys[i] = key = _new_key(department, items[i].name, used, earlier)
                    used.add(key)
        for i, it in enumerate(items):
            it.key = keys[i]

    @staticmethod
    def _keys_by_id(items: Sequence[StoredItem], indices: list[int], latest: Sequence[StoredItem],
                    keys: dict[int, str], used: set[str]) -> None:
        """Items carrying a 事项编号 that ``prepare`` wrote (the key of one of the department's items
        in its latest earlier month) are that item for certain, however reworded. An ID of another
        department, or one not among the latest items, counts for nothing (merge warns). A copied
        row carries its original's ID: of the items sharing one, the one worded most like the
        original keeps it (the first on a tie); the others are matched by wording or are new."""
        by_key = {old.key: old for old in latest}
        claimants: dict[str, list[int]] = {}
        for i in indices:
            item_id = items[i].item_id
            if item_id and item_id in by_key and item_id not in used:
                claimants.setdefault(item_id, []).append(i)
        for item_id, group in claimants.items():
            old = by_key[item_id]
            best = max(group, key=lambda i: (similarity(old, items[i]) or 0.0, -i))
            keys[best] = item_id
            used.add(item_id)

    def _keys_before(self, month: str, department: str) -> set[str]:
        """Every key the department's items had in the months before ``month``."""
        return {row[0] for row in self._db.execute(
            "SELECT DISTINCT key FROM items WHERE department = ? AND month < ?", (department, month))}


def _locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _item_row(month: str, position: int, item: StoredItem) -> tuple[object, ...]:
    no = item.no
    return (month, position, item.key, item.department, item.row,
            None if no is None else (str(no) if type(no) is int else json.dumps(no, ensure_ascii=False)),
            _bound(item.name), _bound(item.target), _bound(item.progress), _bound(item.judgement),
            item.colour.value, item.leader, item.owner, item.stars, item.source, _bound(item.note),
            int(item.closed), _json(item.extra) if item.extra else "{}", item.item_id)


def _bound(text: str) -> str:
    """``text`` as bound to an insert: a copy when it is not ASCII. sqlite3 binds a str by its
    UTF-8 form, which CPython keeps on the str for as long as it lives: bound as they are, the
    month's texts would each carry a second, UTF-8 copy of themselves until the month is let go
    (50 MB of the history writer's 215 MB at 150,000 items). The copy takes it away with it."""
    return text if text.isascii() else "".join((text, ""))


def _new_key(department: str, name: str, used: set[str], taken: set[str]) -> str:
    base = hashlib.sha1(f"{department}\x1f{normalise_label(name)}".encode()).hexdigest()[:12]
    key, n = base, 1
    while key in used or key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


# ---------------------------------------------------------------------------------------------
# Following an item through small rewordings of its 工作事项
# ---------------------------------------------------------------------------------------------

# Words every item shares (推进…建设, 做好…工作, 2022年度…): compared without them, 推进港口岸电设施建设
# and 推进港口集疏运体系建设 are 港口岸电设施 and 港口集疏运体系, which have little in common.
_BOILERPLATE = re.compile(
    r"\d{4}年度?|年度|(?:加快|全力|持续|扎实|深入|积极|全面)?推进|推动|加快|做好|抓好|完成|开展|实施|落实|持续|全面|"
    r"深入|强化|加强|积极|扎实|组织|做实|提升|工作|建设|项目|工程|任务|事项|相关"
)
# A reworded name mostly adds or drops words (岸电设施建设 → 岸电设施建设和使用); one that replaces
# characters (预算 → 决算, 船舶 → 港口) is usually another item, so it must be very close, or its
# 任务目标 must be alike too.
INSERTION_RATIO = 0.6  # names that differ only by added/dropped characters
SUBSTITUTION_RATIO = 0.8  # names that also differ by replaced characters, with a similar 任务目标
SUBSTITUTION_ALONE = 0.9  # names that differ by replaced characters, whatever the target
TARGET_RATIO = 0.6


def core_name(name: str) -> str:
    """The distinctive part of a 工作事项: normalised, without boilerplate verbs and nouns."""
    label = normalise_label(name)
    core = _BOILERPLATE.sub("", label)
    return core if len(core) >= 2 else label


def similarity(old: StoredItem, new: StoredItem) -> float | None:
    """How surely ``new`` is ``old`` reworded (higher is surer), or None when it is not."""
    a, b = normalise_label(old.name), normalise_label(new.name)
    if not a or not b:
        return None
    if a == b:
        return 2.0
    ca, cb = core_name(old.name), core_name(new.name)
    if ca == cb:
        return 1.5
    matcher = difflib.SequenceMatcher(None, ca, cb, autojunk=False)
    if matcher.real_quick_ratio() < INSERTION_RATIO or matcher.quick_ratio() < INSERTION_RATIO:
        return None
    ratio = matcher.ratio()
    if ratio < INSERTION_RATIO:
        return None
    matched = sum(block.size for block in matcher.get_matching_blocks())
    replaced = min(len(ca), len(cb)) - matched
    if replaced == 0:
        return ratio
    if ratio >= SUBSTITUTION_ALONE:
        return ratio
    if ratio >= SUBSTITUTION_RATIO and old.target and new.target:
        target = difflib.SequenceMatcher(None, normalise_label(old.target), normalise_label(new.target),
                                         autojunk=False).ratio()
        if target >= TARGET_RATIO:
            return ratio
    return None


def match_items(old: Sequence[StoredItem], new: Iterable[StoredItem]) -> list[tuple[StoredItem, StoredItem]]:
    """One-to-one (new, old) pairs, the surest first: same name, then small rewordings."""
    new = list(new)
    pairs: list[tuple[StoredItem, StoredItem]] = []
    # Same normalised name: most items of most months, found without comparing every pair.
    by_label: dict[str, list[int]] = {}
    for i, o in enumerate(old):
        by_label.setdefault(normalise_label(o.name), []).append(i)
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    for j, n in enumerate(new):
        same = by_label.get(normalise_label(n.name))
        if same and normalise_label(n.name):
            i = same.pop(0)
            taken_new.add(j)
            taken_old.add(i)
            pairs.append((n, old[i]))
    scored: list[tuple[float, int, int]] = []
    for j, n in enumerate(new):
        if j in taken_new:
            continue
        for i, o in enumerate(old):
            if i in taken_old:
                continue
            score = similarity(o, n)
            if score is not None:
                scored.append((-score, j, i))
    scored.sort()
    for _score, j, i in scored:
        if j in taken_new or i in taken_old:
            continue
        taken_new.add(j)
        taken_old.add(i)
        pairs.append((new[j], old[i]))
    return pairs
