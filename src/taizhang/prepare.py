"""``taizhang prepare``: next month's workbooks, pre-filled from the history (通知 二: 更新推进情况和
进度评价，对已完成的事项及时销号，及时补录新事项).

For each roster department (or, without a roster, each department of the history) one 附件2
workbook for the coming month: the open items of its latest stored month (销号 items left out),
with 工作事项, 任务目标, 推进情况, 分管负责人, 责任科室责任人, 重要程度, 任务来源 and 备注 kept for
editing, 进度评价 cleared (or kept: ``prepare_keep_colours``), 填报日期 and the summary figures left
as ``×``. Each item carries its store key as its 事项编号 in a hidden, protected column, so the
merge of the returned workbook knows every carried-over item for certain, however reworded
(``store.Store._keys_by_id``). The file is named as the department named last month's file,
with the month moved on. The workbooks go into a folder, or a .zip ready to mail.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from . import rules
from .config import Config
from .errors import TaizhangError
from .fileio import atomic_write
from .models import MonthSnapshot, PreparedWorkbook, PrepareResult, StoredItem
from .store import Store

_UNKNOWN_DEPARTMENT = "部室不明"
# Characters Windows does not allow in a file name.
_BAD_NAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# A kept file name longer than this (a department's name pasted twice…) gives way to the default name.
MAX_STEM_CHARS = 80
_CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


def default_output(month: str) -> Path:
    """``重点工作台账预填-2022-05`` in the current folder."""
    return Path(f"重点工作台账预填-{month}")


def default_file_name(department: str, month: str) -> str:
    """``规划发展部-2022年5月重点工作台账.xlsx``, the name the 填报说明 sheet suggests; the department's
    name made safe as a file name (no ``/``, not a device name, short: a name of 121 characters is
    more than Linux or Windows take once the folder is added)."""
    from .digest import safe_file_name

    return f"{safe_file_name(department, _UNKNOWN_DEPARTMENT)}-{rules.month_cn(month)}{rules.TITLE_MARK}.xlsx"


def next_file_name(previous: str, from_month: str, month: str) -> str | None:
    """Last month's file name with its month moved to ``month``, as the department writes it.

    ``工程建设部2022年4月重点工作台账.xls`` → ``工程建设部2022年5月重点工作台账.xlsx``; also
    ``综合部2022.4``, ``智慧港航部-台账（4月）``, ``四月``. None when the name holds no month of
    ``from_month`` (the default name is used then). Always .xlsx: prepare writes .xlsx.
    """
    stem = Path(previous).stem
    fy, fm = (int(x) for x in from_month.split("-"))
    ny, nm = (int(x) for x in month.split("-"))
    done = False

    def year_month(m: re.Match[str]) -> str:
        nonlocal done
        if int(m["y"]) != fy or int(m["m"]) != fm:
            return m[0]
        done = True
        return f"{ny}{m['sep']}{_month_digits(nm, m['m'])}{m['end'] or ''}"

    stem = re.sub(r"(?<!\d)(?P<y>20\d{2})(?P<sep>\s*年\s*|[.\-_．])(?P<m>\d{1,2})(?P<end>\s*月)?(?!\d)",
                  year_month, stem)
    if not done:
        def bare_month(m: re.Match[str]) -> str:
            nonlocal done
            if int(m["m"]) != fm:
                return m[0]
            done = True
            return f"{_month_digits(nm, m['m'])}{m['end']}"

        stem = re.sub(r"(?<![\d.])(?P<m>\d{1,2})(?P<end>\s*月)", bare_month, stem)
        if done and ny != fy:
            stem = re.sub(rf"(?<!\d){fy}(?!\d)", str(ny), stem)
    if not done:
        cn = re.compile(rf"(?<![一二三四五六七八九十]){_CN_MONTHS[fm - 1]}(?=\s*月)")
        if cn.search(stem):
            stem = cn.sub(_CN_MONTHS[nm - 1], stem, count=1)
            done = True
    if not done or _BAD_NAME_CHARS.search(stem) or len(stem) > MAX_STEM_CHARS or stem != stem.strip(". "):
        return None
    return f"{stem}.xlsx"


def _month_digits(month: int, written: str) -> str:
    """``5``, or ``05`` when the old month was written with a leading zero (``2022-04``)."""
    return f"{month:02d}" if written.startswith("0") else str(month)


def prepare_month(store: Store, month: str, *, config: Config, output: Path | None = None,
                  zip_file: bool = False) -> PrepareResult:
    """Write one pre-filled workbook per department for ``month`` (``YYYY-MM``) into ``output``
    (a folder, default ``重点工作台账预填-YYYY-MM``), or into a zip (``output`` ending in .zip,
    or ``zip_file``: the folder's name with .zip). Raises ``TaizhangError`` when the history holds
    no month before ``month`` or the output cannot be written."""
    from .writing.template import write_template  # openpyxl: only once there is something to write

    month = rules.require_month(month)
    stored = [m for m in store.months() if m < month]
    if not stored:
        have = "、".join(store.months()) or "（还没有任何月份）"
        raise TaizhangError(f"历史库 {store.path} 中没有 {month} 之前的月份，无法预填。已有的月份：{have}。"
                            "请先用 taizhang merge 汇总上月的台账。")
    snapshots: dict[str, MonthSnapshot] = {}

    def snapshot(m: str) -> MonthSnapshot:
        if m not in snapshots:
            snapshots[m] = store.load_month(m)
        return snapshots[m]

    previous = stored[-1]
    departments = list(config.departments) or _departments_of_history([snapshot(m) for m in reversed(stored)])
    output = Path(output) if output is not None else default_output(month)
    if output.suffix.lower() == ".zip":
        zip_file = True
    target = output.with_suffix(".zip") if zip_file and output.suffix.lower() != ".zip" else output
    if target.exists() and (zip_file or not target.is_dir()):
        raise TaizhangError(f"{target} 已存在。请换一个输出位置（-o），或先把它移走。")

    result = PrepareResult(month=month, previous=previous, output=str(target), zipped=zip_file,
                           keep_colours=config.prepare_keep_colours)
    with tempfile.TemporaryDirectory(prefix=".taizhang-prepare-") as tmp:
        folder = Path(tmp) if zip_file else target
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TaizhangError(f"无法创建文件夹 {folder}：{exc.strerror or exc}") from None
        names: set[str] = set()
        bases: list[str | None] = []
        for department in departments:
            base = next((m for m in reversed(stored) if department in _present(snapshot(m))), None)
            book = _prepare_one(department, month, previous, base, snapshot(base) if base else None)
            book.file = _unique(book.file, names)
            result.workbooks.append(book)
            bases.append(base)
        # Checked before anything is written: a folder holding one of the files is left as it was.
        clash = [b.file for b in result.workbooks if (folder / b.file).exists()]
        if clash:
            raise TaizhangError(f"{folder} 中已有 {'、'.join(clash)}。请换一个输出文件夹（-o），或先把这些文件移走。")
        for book, base in zip(result.workbooks, bases, strict=True):
            items = None if base is None else [
                it.model_copy(update={"item_id": it.key}) for it in _items(snapshot(base), book.department)
                if not it.closed]
            write_template(folder / book.file, book.department, items, keep_colours=config.prepare_keep_colours)
        if zip_file:
            _zip(folder, [b.file for b in result.workbooks], target)
    return result


def _prepare_one(department: str, month: str, previous: str, base: str | None,
                 snapshot: MonthSnapshot | None) -> PreparedWorkbook:
    if base is None or snapshot is None:
        return PreparedWorkbook(department=department, file=default_file_name(department, month),
                                items=0, note="历史库中没有该部室的台账，生成空白台账。")
    items = _items(snapshot, department)
    entry = next(d for d in snapshot.departments if d.department == department)
    name = next_file_name(entry.file, base, month) or default_file_name(department, month)
    note = None if base == previous else \
        f"{rules.month_cn(previous)}未报送，按{rules.month_cn(base)}台账预填。"
    return PreparedWorkbook(department=department, file=name, items=sum(not it.closed for it in items),
                            closed_left_out=sum(it.closed for it in items), from_month=base, note=note)


def _items(snapshot: MonthSnapshot, department: str) -> list[StoredItem]:
    return [it for it in snapshot.items if it.department == department]


def _present(snapshot: MonthSnapshot) -> set[str]:
    return {d.department for d in snapshot.departments}


def _departments_of_history(snapshots: list[MonthSnapshot]) -> list[str]:
    """Without a roster: every department of the history, the latest month's order first."""
    names: list[str] = []
    for snap in snapshots:
        for d in snap.departments:
            if d.department not in names and not d.department.startswith(_UNKNOWN_DEPARTMENT):
                names.append(d.department)
    return names


def _unique(name: str, taken: set[str]) -> str:
    stem, suffix, n = Path(name).stem, Path(name).suffix, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}（{n}）{suffix}"
    taken.add(name.lower())
    return name


def _zip(folder: Path, files: list[str], target: Path) -> None:
    """The workbooks in one .zip with UTF-8 names (Windows' Explorer and WPS show them right)."""
    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in files:
                zf.write(folder / name, arcname=name)

    atomic_write(target, (), write)
