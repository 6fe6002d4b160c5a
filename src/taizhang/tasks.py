"""应纳未纳 (通知 五): the centre's own list of assigned tasks against the departments' ledgers.

通知 五: 各条工作线安排部署的工作任务要全部纳入台账管理……一旦在督查中发现账实不符、应纳未纳……将视情
采取通报批评. ``taizhang merge INBOX --tasks 任务清单.xlsx`` reads the list (事项, 责任部室, 来源,
optional 时限; the header found as tolerantly as a ledger's) through the same safety gate and readers
as a ledger, and looks for each task among the items of its department's ledger:

* the same words, once spaces, punctuation, full-width forms and boilerplate (推进…建设, 做好…工作)
  are set aside, or one written inside the other: carried;
* otherwise the character-bigram similarity of the two names decides: from ``LISTED`` on the task is
  carried, from ``UNCERTAIN`` on the closest item is shown beside the task for a person to judge
  (``task.uncertain_match``, a warning), below it the task is not carried (``task.not_listed``, an
  error naming the closest item, and the department whose ledger does carry it, if one does).

The file is untrusted: a list that cannot be read stops the merge before anything is written.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .errors import TaizhangError, UnreadableFile
from .findings import RuleConfig, finding
from .models import Finding, Item, StoredFinding, Task, TaskCheck, TaskMatch, TaskStatus
from .reading.gate import read_workbook
from .reading.grid import RawSheet, a1
from .rules import clean_text, nfkc, normalise_label
from .store import core_name

# A bigram similarity from here on: the task is carried (a rewording).
LISTED = 0.65
# From here to LISTED: shown with its closest item for review; below: not carried.
UNCERTAIN = 0.35
# Containment counts only for names of at least this many characters (``安全`` is in everything).
MIN_CONTAINED = 4
# The closest item of a task not carried is named only from here on (below, it is only noise).
SHOWN = 0.15
HEADER_SEARCH_ROWS = 30

# The task list's columns: key -> the labels (normalised) a header cell may carry.
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("事项", "工作事项", "任务", "任务事项", "重点任务", "工作任务", "任务名称", "事项名称", "重点工作",
             "重点工作事项", "任务内容", "工作内容", "具体任务", "交办事项", "督办事项"),
    "department": ("责任部室", "责任部门", "责任单位", "责任部室单位", "牵头部室", "牵头部门", "牵头单位", "承办部室",
                   "承办单位", "落实部室", "部室", "部门", "单位", "责任科室"),
    "source": ("来源", "任务来源", "事项来源", "交办来源", "部署来源", "来源依据"),
    "deadline": ("时限", "完成时限", "时间要求", "完成时间", "办结时限", "截止时间", "时间节点", "完成期限"),
}
_LABELS = {label: key for key, labels in TASK_COLUMNS.items() for label in labels}
_BRACKETED = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")
# A heading row of the list (一、港口建设 / （一）… / 1.…) carries no department and is no task.
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）])")
_SEPARATORS = re.compile(r"[、，,；;/／\n]+|\s{2,}")
# The role written before a department's name in a list (牵头：规划发展部, 配合单位:综合部).
_ROLE = re.compile(r"^(?:牵头|配合|协办|主办|责任|主责)(?:部室|部门|单位|科室)?\s*[:：]\s*")


def _column(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    label = normalise_label(text)
    return _LABELS.get(label) or _LABELS.get(normalise_label(_BRACKETED.sub("", nfkc(text))))


def _find_header(sheet: RawSheet) -> tuple[int, dict[str, int]] | None:
    by_row = sheet.rows()
    for r in sorted(k for k in by_row if k <= HEADER_SEARCH_ROWS):
        columns: dict[str, int] = {}
        for c, cell in by_row[r]:
            key = _column(cell.value)
            if key is not None and key not in columns:
                columns[key] = c
        if "name" in columns and "department" in columns:
            return r, columns
    return None


def read_tasks(path: Path) -> TaskCheck:
    """The task list at ``path`` (.xlsx/.xls): its tasks, and a ``task.no_department`` warning for a
    task without a department. ``TaizhangError`` when the file cannot be read or has no such header."""
    path = Path(path)
    try:
        book = read_workbook(path)
    except UnreadableFile as exc:
        raise TaizhangError(f"任务清单 {path.name} 无法读取：{exc.finding.message}") from None
    except Exception as exc:  # noqa: BLE001  an untrusted file: whatever goes wrong, say which file
        raise TaizhangError(f"任务清单 {path.name} 无法读取（{type(exc).__name__}）。"
                            "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。") from None
    for sheet in book.sheets:
        if not sheet.visible:
            continue
        header = _find_header(sheet)
        if header is not None:
            return _read_sheet(path, sheet, *header)
    raise TaizhangError(f"任务清单 {path.name} 中没有找到表头：任何可见工作表的前 {HEADER_SEARCH_ROWS} 行中都没有"
                        "“事项”和“责任部室”两列（可另有“来源”“时限”）。")


class _Anchors:
    """Cells under a merged range -> its anchor: a 责任部室 drawn merged over several tasks is each
    one's. Looked up per cell of the list's own columns, never by listing every covered cell: a
    17 KB file can draw 50,000 overlapping ranges of 10,000 cells each."""

    def __init__(self, sheet: RawSheet, columns: Iterable[int]) -> None:
        self._spans: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
        wanted = set(columns)
        for r1, c1, r2, c2 in sheet.merged:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:  # a range drawn over the whole sheet holds no task's cell
                continue
            for c in wanted:
                if c1 <= c <= c2:
                    self._spans.setdefault(c, []).append((r1, r2, (r1, c1)))
        for spans in self._spans.values():
            spans.sort(key=lambda span: span[0])
        self._starts = {c: [span[0] for span in spans] for c, spans in self._spans.items()}

    def get(self, key: tuple[int, int], default: tuple[int, int]) -> tuple[int, int]:
        r, c = key
        spans = self._spans.get(c)
        if spans:
            i = bisect_right(self._starts[c], r)  # ranges whose anchor is at or above r
            for _r1, r2, anchor in reversed(spans[max(0, i - 64):i]):  # overlapping ranges: the nearest wins
                if r <= r2:
                    return anchor
        return default


def _read_sheet(path: Path, sheet: RawSheet, header_row: int, columns: dict[str, int]) -> TaskCheck:
    check = TaskCheck(file=path.name, sheet=sheet.name)
    anchors = _Anchors(sheet, columns.values())

    def text(r: int, key: str) -> str:
        c = columns.get(key)
        if c is None:
            return ""
        where = anchors.get((r, c), (r, c))
        return clean_text(sheet.value(*where))

    for r in sorted(sheet.rows()):
        if r <= header_row:
            continue
        name = text(r, "name")
        if not name and anchors.get((r, columns["name"]), (r, 0))[0] == r:
            raw = sheet.get(r, columns["name"])
            if raw is not None and raw.formula is not None:
                # A task written as a formula the file keeps no value for (a list made by a program,
                # never opened in Excel): said, not silently left out of the check.
                check.findings.append(_stored(finding("task.formula_uncached", sheet=sheet.name,
                                                      cell=a1(r, columns["name"]), formula=raw.formula),
                                              None, path.name))
            continue
        if not name or anchors.get((r, columns["name"]), (r, 0))[0] != r:
            continue  # no task, or the lower rows of a task drawn over several rows
        departments = [d for d in (p.strip() for p in _SEPARATORS.split(text(r, "department"))) if d]
        cell = a1(r, columns["name"])
        if not departments:
            if _HEADING.match(name):
                continue  # 一、港口建设: a heading of the list
            check.findings.append(_stored(finding("task.no_department", sheet=sheet.name, cell=cell, task=name),
                                          None, path.name))
            continue
        check.tasks.append(Task(row=r, cell=cell, name=name, departments=departments, source=text(r, "source"),
                                deadline=text(r, "deadline")))
    return check


def _stored(f: Finding, department: str | None, file: str) -> StoredFinding:
    return StoredFinding(**f.model_dump(), department=department, file=file)


# ---------------------------------------------------------------------------------------------
# Matching a task with a ledger's items
# ---------------------------------------------------------------------------------------------


_QUOTES = re.compile("[“”\"'‘’《》〈〉「」『』]")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def similarity(task: str, item: str) -> float:
    """How surely ledger item ``item`` carries task ``task`` (0..1): 1 for the same words, 0.9 for the
    task written inside the item, else the larger of the bigram Dice coefficient and the share of the
    task's bigrams the item holds.

    One way only: a task is often a short phrase of a longer item (岸电设施建设 in 推进港口船舶岸电设施
    建设和使用), but a general item inside a specific task (港口码头建设 in 港口码头粉尘在线监测) does not
    carry it: that is left to the Dice coefficient, and so to a person's review at most.
    """
    task, item = _QUOTES.sub("", task), _QUOTES.sub("", item)
    a, b = normalise_label(task).lower(), normalise_label(item).lower()
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ca, cb = core_name(task).lower(), core_name(item).lower()
    if ca == cb:
        return 1.0
    if len(ca) >= MIN_CONTAINED and ca in cb:
        return 0.9
    ga, gb = _bigrams(ca), _bigrams(cb)
    common = len(ga & gb)
    if not common:
        return 0.0
    dice = 2 * common / (len(ga) + len(gb))
    # The task's share the item holds, for a task long enough to say (安全 is in everything).
    cover = common / len(ga) if len(ga) >= 3 else 0.0
    return round(max(dice, 0.85 * cover), 3)


ItemTexts = Sequence[tuple[str, str]]  # (工作事项, 任务目标) of a ledger's items


def _closest(task: str, items: ItemTexts) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    for name, target in items:
        score = similarity(task, name)
        if target:  # the task may name what the item's 任务目标 says: counted a little less
            score = max(score, 0.8 * similarity(task, target))
        if score > best[1]:
            best = (name, score)
    return best


def _status(score: float) -> TaskStatus:
    return "listed" if score >= LISTED else "uncertain" if score >= UNCERTAIN else "not_listed"


def check_tasks(check: TaskCheck, ledgers: Mapping[str, ItemTexts], *, roster: Sequence[str] = (),
                rule_config: RuleConfig | None = None) -> TaskCheck:
    """Each task of ``check`` against the ledger of each of its departments.

    ``ledgers``: department (as merged) -> its items' (工作事项, 任务目标). A task's 责任部室 is read
    as a merged department or a roster name the way ledgers' titles are (简称, near spellings).
    Returns ``check`` with its matches and findings filled in (``[rules]`` applied).
    """
    from .merge import match_department, normalise_department  # merge calls this module

    known = list(dict.fromkeys([*ledgers, *roster]))

    def resolve(name: str) -> str:
        return match_department(name, known) or normalise_department(name)

    def departments_of(written: str) -> list[str]:
        """``规划发展部 综合部`` (one space typed between two names) is both departments, and
        ``牵头：规划发展部`` is 规划发展部: read as one name, the first would lose 综合部's task."""
        written = _ROLE.sub("", written.strip())
        parts = [resolve(_ROLE.sub("", p)) for p in written.split()]
        if len(parts) > 1 and all(p in known for p in parts):
            return parts
        return [resolve(written)]

    findings = [f for f in check.findings if f.code in ("task.no_department", "task.formula_uncached")]
    matches: list[TaskMatch] = []
    for task in check.tasks:
        # 规划部、规划发展部 (or one name written twice) is one department: looked for once.
        for department in dict.fromkeys(d for written in task.departments for d in departments_of(written)):
            item, score = _closest(task.name, ledgers.get(department, ()))
            status = _status(score)
            match = TaskMatch(task=task.name, department=department, cell=task.cell, status=status, item=item,
                              similarity=round(score, 2))
            if status == "not_listed":
                match.elsewhere, match.elsewhere_item = _elsewhere(task.name, department, ledgers)
            matches.append(match)
            f = _finding(task, match, check.sheet, department in ledgers, department in known)
            if f is not None:
                findings.append(_stored(f, department, check.file))
    adjusted = (rule_config or RuleConfig()).adjust(list(findings))
    return check.model_copy(update={"matches": matches, "findings": adjusted})


def _elsewhere(task: str, department: str, ledgers: Mapping[str, ItemTexts]) -> tuple[str | None, str | None]:
    """Another department whose ledger carries the task (a task entered in the wrong ledger)."""
    best: tuple[str | None, str | None, float] = (None, None, LISTED)
    for other, items in ledgers.items():
        if other == department:
            continue
        item, score = _closest(task, items)
        if item is not None and score >= best[2]:
            best = (other, item, score)
    return best[0], best[1]


def _finding(task: Task, match: TaskMatch, sheet: str, reported: bool, known: bool) -> Finding | None:
    if match.status == "listed":
        return None
    if match.status == "uncertain":
        return finding("task.uncertain_match", sheet=sheet, cell=task.cell, value=task.name,
                       department=match.department, task=task.name, item=match.item,
                       similarity=f"{match.similarity:.2f}")
    about = "、".join(p for p in (f"来源：{task.source}" if task.source else "",
                                  f"时限：{task.deadline}" if task.deadline else "") if p)
    if not reported:
        closest = "（该部室本月未报送台账）" if known else "（没有这个部室的台账，请核对部室名称）"
    elif match.item is not None and match.similarity >= SHOWN:
        closest = f"（台账中最接近的是“{match.item}”，相似度{match.similarity:.2f}）"
    else:
        closest = ""
    elsewhere = f"，该任务见于{match.elsewhere}台账“{match.elsewhere_item}”，请核对责任部室" if match.elsewhere else ""
    return finding("task.not_listed", sheet=sheet, cell=task.cell, value=task.name, department=match.department,
                   task=task.name, about=f"（{about}）" if about else "", closest=closest, elsewhere=elsewhere)


def ledger_texts(items: Iterable[Item]) -> list[tuple[str, str]]:
    """(工作事项, 任务目标) of a report's items: what matching needs of them."""
    return [(it.name, it.target) for it in items]
