"""Check one department's workbook against the notice's rules: file → ``FileReport``."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from . import checks, rules
from .collector import collector_paused
from .errors import UnreadableFile
from .findings import RuleConfig, finding
from .models import (
    Colour,
    FileReport,
    Finding,
    Item,
    Severity,
    StatedSummary,
    ValidationResult,
    construct,
    display_path,
)
from .reading.colours import classify
from .reading.gate import read_workbook
from .reading.grid import column_index, split_ref
from .reading.ledger import Mark, ParsedLedger, RawItem, parse_ledger
from .rules import cn_int
from .summary import count_items


def file_sha256(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None


def validate_file(path: Path, *, department: str | None = None, month: str | None = None,
                  rule_config: RuleConfig | Mapping[str, str] | None = None) -> FileReport:
    """Read and check one workbook; never raises for anything wrong inside the file.

    ``department`` is used when neither the title nor the file name names one. ``month``
    (``YYYY-MM``, the month being merged) picks the sheet of that month in a workbook that keeps
    one sheet per month (without it, the newest month's sheet is read), and gives the year of a
    填报日期 written without one when neither the summary sentence, the title nor the file name does.
    ``rule_config`` (the ``[rules]`` of taizhang.toml: ``Config.rule_config`` or the table itself)
    switches codes off or changes their severity; without it every code is as in ``CODES``.
    """
    path = Path(path)
    rule_config = _rule_config(rule_config)
    if month is not None:
        month = rules.require_month(month)  # a mistyped argument, not a problem of the file: raised
    # Built without validation (the values are already of their types): a validated model would
    # build FileReport's whole validator, some 35 ms, in every reading worker and every validate.
    report = construct(FileReport, {"file": display_path(str(path))})
    try:
        report.sha256 = file_sha256(path) if path.is_file() else None
        with collector_paused():  # reading makes thousands of cells and no cycles
            book = read_workbook(path)
            ledger = parse_ledger(book, month)
            _check_ledger(report, ledger, path, department, month, rule_config)
    except UnreadableFile as exc:
        return _unusable(report, exc.finding)
    except Exception as exc:  # noqa: BLE001  the per-file boundary: everything but Ctrl+C and exit
        # A workbook shaped in a way nobody foresaw must not stop a merge of sixty others.
        return unreadable_report(report, exc)
    return report


def unreadable_report(report: FileReport, exc: BaseException | str) -> FileReport:
    """``report`` made unusable by an unexpected error while reading its file (``file.unreadable``),
    or by what ``exc`` says went wrong."""
    detail = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return _unusable(report, finding("file.unreadable", detail=detail[:200]))


def _unusable(report: FileReport, reason: Finding) -> FileReport:
    return report.model_copy(update={"usable": False, "ok": False, "findings": [reason], "items": [],
                                     "department": None, "department_cell": None, "date": None,
                                     "sheet": None})


def validate_files(paths: Iterable[Path], *, department: str | None = None, month: str | None = None,
                   rule_config: RuleConfig | Mapping[str, str] | None = None) -> ValidationResult:
    rule_config = _rule_config(rule_config)
    files = [validate_file(p, department=department, month=month, rule_config=rule_config) for p in paths]
    return ValidationResult(ok=all(f.ok for f in files), files=files)


NO_RULES = RuleConfig()


def _rule_config(value: RuleConfig | Mapping[str, str] | None) -> RuleConfig:
    """A ``[rules]`` table given as a mapping is checked here (``RuleSettingError`` if wrong)."""
    if value is None:
        return NO_RULES
    return value if isinstance(value, RuleConfig) else RuleConfig.from_table(dict(value))


def _check_ledger(report: FileReport, ledger: ParsedLedger, path: Path, department: str | None,
                  month: str | None = None, rule_config: RuleConfig = NO_RULES) -> None:
    sheet = ledger.sheet
    report.sheet = sheet
    findings: list[Finding] = list(ledger.findings)

    report.department = ledger.department or rules.department_from_filename(path.stem) or department
    report.department_cell = ledger.department_cell if ledger.department else None
    if report.department is None:
        findings.append(finding("header.department_missing", sheet=sheet, cell=ledger.title_cell or "A1"))

    month_day = rules.parse_month_day(ledger.date_text) if ledger.date is None and ledger.date_text else None
    inferred = _infer_year(ledger, path, month, month_day) if month_day else None
    if ledger.date is not None:
        report.date = ledger.date.isoformat()
    elif inferred is not None:
        report.date, source = inferred
        findings.append(finding("date.year_inferred", sheet=sheet, cell=ledger.date_cell, value=ledger.date_text,
                                source=source, year=report.date[:4], date=rules.iso_date_cn(report.date)))
    elif ledger.date_text is not None and ("×" in ledger.date_text or "X" in ledger.date_text.upper()):
        findings.append(finding("date.unfilled", sheet=sheet, cell=ledger.date_cell, value=ledger.date_text))
    elif ledger.date_text is not None:
        # 5月2日 is readable but for its year, which nothing in the file gives: say just that.
        why = "没有写年份，汇总句、标题、工作表名和文件名中也看不出是哪一年" if month_day else "无法识别"
        findings.append(finding("date.unreadable", sheet=sheet, cell=ledger.date_cell, value=ledger.date_text,
                                why=why))
    else:
        findings.append(finding("date.missing", sheet=sheet, cell="A2"))

    report.extra_columns = list(ledger.extra_columns)
    report.center_leader = ledger.center_leader
    # The registered checks (checks.py), less those whose every code [rules] switches off.
    item_checks = [r.check for r in checks.ITEM_RULES if not rule_config.switched_off(r.codes)]
    for raw in ledger.items:
        item = _check_item(raw, sheet, findings)
        for check in item_checks:
            if found := check(raw, item, sheet):  # most checks of most items find nothing
                findings.extend(found)
        report.items.append(item)
    _leave_out_unseen(ledger, report.items)
    report.counts = count_items(report.items)
    _stated_summary(ledger, report)
    for rule in checks.LEDGER_RULES:
        if not rule_config.switched_off(rule.codes):
            findings.extend(rule.check(ledger, report))

    # The same finding twice (e.g. from merged sub-rows) is shown once.
    seen: set[tuple[str, str | None, str]] = set()
    for f in sorted(findings, key=_position):
        key = (f.code, f.cell, f.message)
        if key not in seen:
            seen.add(key)
            report.findings.append(f)
    apply_rules(report, rule_config)


def apply_rules(report: FileReport, rule_config: RuleConfig) -> None:
    """``report`` with the codes ``[rules]`` switches off dropped and the severities it changes."""
    report.findings = rule_config.adjust(report.findings)
    report.ok = not any(f.severity is Severity.ERROR for f in report.findings)


def _infer_year(ledger: ParsedLedger, path: Path, month: str | None,
                month_day: tuple[int, int]) -> tuple[str, str] | None:
    """A 填报日期 written without its year (``4月3日``): the year from the summary sentence, the
    title, the sheet's name (``2022年4月``), the file name or the month being merged, in that order
    (ISO date, where it came from)."""
    mon, day = month_day
    sources = (("汇总句", rules.year_in(ledger.summary_text)), ("标题", rules.year_in(ledger.title_text)),
               ("工作表名", rules.year_in(ledger.sheet)), ("文件名", rules.year_in(path.stem)))
    found = next(((source, year) for source, year in sources if year is not None), None)
    if found is None:
        if month is None or rules.parse_month(month) is None:
            return None
        found = ("汇总月份", int(month[:4]) - (1 if mon - int(month[5:7]) > 6 else 0))  # 12月 in a January ledger
    source, year = found
    try:
        return dt.date(year, mon, day).isoformat(), source
    except ValueError:  # 2月30日
        return None


def _position(f: Finding) -> tuple[int, int]:
    """Top to bottom, left to right, as a clerk works through the sheet; sheet-wide findings first."""
    if not f.cell:
        return (0, 0)
    return _cell_position(f.cell)


@lru_cache(maxsize=4096)  # the same few columns of the same rows, file after file
def _cell_position(cell: str) -> tuple[int, int]:
    row, col = split_ref(cell)
    return (row, col)


def _check_item(raw: RawItem, sheet: str, out: list[Finding]) -> Item:
    t = raw.texts
    get = t.get
    note, judgement = get("note", ""), get("judgement", "")
    stars_text, source_text = get("stars", ""), get("source", "")
    doubts: dict[str, str] = {}
    closed = rules.is_closed(note, judgement)
    # 说明 第1条 (重要程度) and 第2条 (任务来源): one of a fixed set, variants read with a warning.
    stars = _coded(raw, "stars", rules.normalise_stars, sheet, out)
    source = _coded(raw, "source", rules.normalise_source, sheet, out)
    colour = _colour(raw, sheet, out, doubts, closed=closed)
    written = {}  # 重要程度 and 任务来源 as written, those that are
    if stars_text:
        written["stars"] = stars_text
    if source_text:
        written["source"] = source_text
    # construct: every field below is already of its type, and a merge builds ten thousand
    # (from a dict display: one dict made, where dict(...) makes two).
    item = construct(Item, {
        "row": raw.first_row,
        "no": _number(raw.no_value, get("no", "")),
        "name": get("name", ""),
        "target": get("target", ""),
        "progress": get("progress", ""),
        "judgement": judgement,
        "leader": get("leader", ""),
        "owner": get("owner", ""),
        "note": note,
        "extra": dict(raw.extra),
        "item_id": raw.item_id,
        "closed": closed,
        "stars": stars,
        "source": source,
        "colour": colour,
        "written": written,
        "doubts": doubts,
    })
    if raw.choice_cell is not None and not closed:
        _template_counts_otherwise(raw, colour, doubts)
    if stars is None and "stars" in raw.cells:
        doubts["stars"] = "重要程度无法识别" if stars_text else "重要程度为空"
    elif stars is not None and _hollow_only(stars_text):
        # ☆☆☆ may be three stars drawn hollow or a rating of none out of three: a guess either way.
        doubts["stars"] = f"重要程度写作“{stars_text}”，按{stars}读取没有把握"
    if source is None and "source" in raw.cells:
        doubts["source"] = "任务来源无法识别" if source_text else "任务来源为空"

    return item


def _coded(raw: RawItem, key: str, normalise: Callable[[str], tuple[str | None, bool]], sheet: str,
           out: list[Finding]) -> str | None:
    """Normalise a coded cell (``stars``/``source``), adding its missing/invalid/normalised finding."""
    if key not in raw.cells:
        return None
    text = raw.texts.get(key, "")
    cell = raw.cells[key]
    value, changed = normalise(text)
    if not text:
        out.append(finding(f"{key}.missing", sheet=sheet, cell=cell, row=raw.first_row))
    elif value is None:
        out.append(finding(f"{key}.invalid", sheet=sheet, cell=cell, value=text))
    elif changed:
        out.append(finding(f"{key}.normalised", sheet=sheet, cell=cell, value=text, normal=value))
    return value


_HOLLOW_ONLY = re.compile(r"[☆✩\s]+")


def _hollow_only(stars: str) -> bool:
    """Whether recognised stars are written with hollow stars alone (☆☆☆): never without a ☆ or ✩
    (the test most items take), since recognised stars are not all blank."""
    return ("☆" in stars or "✩" in stars) and _HOLLOW_ONLY.fullmatch(stars) is not None


def _colour(raw: RawItem, sheet: str, out: list[Finding], doubts: dict[str, str], *, closed: bool = False) -> Colour:
    """说明 第3条: a fill anywhere in the item's row marks it, the 进度评价 cell's first; without a
    fill, the 进度评价 text; without either, a blue/yellow/red text colour (with a warning).

    ``doubts["colour"]`` is set when the reading is not certain (font only, ambiguous text, cells
    in different colours, a conditional format that could not be evaluated).
    """
    cell = raw.cells.get("judgement")
    text = raw.texts.get("judgement", "")
    said, ambiguous = rules.colour_from_text(text) if text else (None, False)
    if not raw.marks and not raw.unevaluated and raw.background is None and raw.choice_cell is None:
        # Nothing coloured and no 评价颜色 column (most items of most ledgers): what the rest of this
        # function comes to for them (the text alone), without making its lists of marks.
        return said if said is not None else _no_colour(ambiguous, text, cell, sheet, out, doubts)
    unevaluated = raw.unevaluated
    if raw.choice_cell is not None and cell is not None:
        # The self-checking template's own rule on 进度评价 paints it from 评价颜色 (or from the
        # text's colour word when nothing is chosen); an .xls keeps such rules unreadable. What
        # the rule shows is what is read here anyway, so it casts no doubt.
        unevaluated = [u for u in unevaluated if not _in_column(u[0], split_ref(cell)[1])]
    for sqref, first, kind in unevaluated:
        out.append(finding("colour.cf_unevaluated", sheet=sheet, cell=first, range=sqref,
                           kind=_CF_KINDS.get(kind, f"{kind} 规则")))
        _doubt(doubts, "colour", f"区域 {sqref} 的条件格式无法判断")

    fills = [(m, *classify(m.rgb)) for m in raw.marks if not m.font]
    if closed:  # a 销号 row greyed out, 进度评价 included, is not marked in a wrong colour
        fills = [f for f in fills if f[2] not in _GREYS]
    choice = rules.colour_choice(raw.choice) if raw.choice else None
    if choice is not None and raw.choice_cell is not None:
        return _chosen(raw, choice, said, fills, sheet, out, doubts)
    chosen = _choose(fills)
    if chosen is None and raw.background is not None:
        # Every item in one blue/yellow/red is read as the table's colour, not as marks: a guess.
        where, rgb = raw.background
        _doubt(doubts, "colour", f"{where} 为整表（或整列）统一的{classify(rgb)[1] or '颜色'}，按底色读取")
    if chosen is not None:
        mark, colour, name = chosen
        # (A single fill, most often 进度评价's alone, has no other to disagree with.)
        other = next((f for f in fills if f[1] is not colour and f[0].cell != mark.cell and not _emphasis(f)),
                     None) if len(fills) > 1 else None
        if other is not None:
            out.append(finding("colour.cells_conflict", sheet=sheet, cell=mark.cell, first=mark.cell,
                               first_name=name, second=other[0].cell, second_name=other[2],
                               chosen=name))
            if not mark.judgement:
                _doubt(doubts, "colour", f"{mark.cell} 与 {other[0].cell} 颜色不一致")
        if colour is Colour.UNKNOWN:
            out.append(finding("colour.invalid", sheet=sheet, cell=mark.cell if not mark.judgement else cell,
                               value=f"#{mark.rgb}", name=name, where=_where(mark.key)))
            _doubt(doubts, "colour", f"{mark.cell} 的颜色不是蓝、黄、红")
            return Colour.UNKNOWN
        if said is not None and said is not colour:
            out.append(finding("colour.conflict", sheet=sheet, cell=cell, value=text,
                               fill=rules.COLOUR_NAMES[colour], text=text.replace("\n", " "),
                               said=f"文字表示{rules.COLOUR_NAMES[said]}"))
            # Which of the two the clerk meant is the error above; the sentence is not blamed for it.
            _doubt(doubts, "colour", f"{cell} 填充为{rules.COLOUR_NAMES[colour]}，文字却表示{rules.COLOUR_NAMES[said]}")
        elif said is None and raw.choice_cell is not None and not mark.conditional:
            # The self-checking template counts 评价颜色 (or the text), never a hand-made fill: say
            # where to choose, or its sentence will disagree with this item.
            out.append(finding("colour.choice_missing", sheet=sheet, cell=raw.choice_cell, marked=mark.cell,
                               name=name, choice=rules.CHOICE_NAMES[colour]))
        return colour
    if said is not None:
        return said
    fonts = [(m, *classify(m.rgb)) for m in raw.marks if m.font]
    chosen = _choose(fonts)
    if chosen is not None:
        mark, colour, name = chosen
        other = next((f for f in fonts if f[1] is not colour), None)
        if other is not None:
            out.append(finding("colour.cells_conflict", sheet=sheet, cell=mark.cell, first=mark.cell,
                               first_name=f"{name}字", second=other[0].cell, second_name=f"{other[2]}字",
                               chosen=name))
        out.append(finding("colour.font_only", sheet=sheet, cell=mark.cell, name=name, where=_where(mark.key)))
        _doubt(doubts, "colour", f"{mark.cell} 只用字体颜色标注{name}")
        return colour
    return _no_colour(ambiguous, text, cell, sheet, out, doubts)


def _no_colour(ambiguous: bool, text: str, cell: str | None, sheet: str, out: list[Finding],
               doubts: dict[str, str]) -> Colour:
    """An item neither coloured nor named in one colour: unmarked, or (its text naming several) in doubt."""
    if ambiguous:
        out.append(finding("colour.ambiguous", sheet=sheet, cell=cell, text=text.replace("\n", " ")))
        _doubt(doubts, "colour", "进度评价文字同时提到几种颜色")
    return Colour.NONE


def _chosen(raw: RawItem, choice: Colour, said: Colour | None, fills: list[tuple[Mark, Colour, str | None]],
            sheet: str, out: list[Finding], doubts: dict[str, str]) -> Colour:
    """The colour chosen in 评价颜色 (the self-checking template, issue 11) is the item's colour, a
    clean reading: the template paints 进度评价 from it and counts it in the summary sentence.
    Only a contradiction casts doubt: 进度评价 text naming another colour (an error), or a cell
    of the row filled by hand in another colour (a warning)."""
    where, name = raw.choice_cell or "", rules.CHOICE_NAMES[choice]
    text = raw.texts.get("judgement", "")
    if said is not None and said is not choice:
        out.append(finding("colour.choice_conflict", sheet=sheet, cell=where, choice=name,
                           text=text.replace("\n", " "), said=rules.COLOUR_NAMES[said]))
        _doubt(doubts, "colour", f"{where} 选择{name}，进度评价文字却表示{rules.COLOUR_NAMES[said]}")
    other = next((f for f in fills if f[1] is not choice and not _emphasis(f)
                  and (f[1] is not Colour.UNKNOWN or f[0].judgement)), None)
    if other is not None:
        out.append(finding("colour.cells_conflict", sheet=sheet, cell=where, first=where,
                           first_name=f"“评价颜色”{name}", second=other[0].cell, second_name=other[2] or "其他颜色",
                           chosen=name))
        _doubt(doubts, "colour", f"{where} 选择{name}，{other[0].cell} 却是{other[2] or '其他颜色'}")
    return choice


_TEMPLATE_CHARS = {"蓝": Colour.BLUE, "黄": Colour.YELLOW, "红": Colour.RED}


def _template_counts_otherwise(raw: RawItem, colour: Colour, doubts: dict[str, str]) -> None:
    """The self-checking template's sentence (writing/selfcheck.py) counts an item's colour from
    评价颜色, or with nothing chosen from the first character of 进度评价. An item read in another
    colour (a fill made by hand, ``预计较好，标黄色``) is counted otherwise by that sentence: a
    difference it explains comes from our two readings, never a 账实不符 of the department."""
    if colour is Colour.UNKNOWN:
        return
    choice = raw.choice.strip()
    if choice:
        counted = rules.CHOICE_COLOURS.get(choice, Colour.NONE)
    else:
        counted = _TEMPLATE_CHARS.get(raw.texts.get("judgement", "").strip()[:1], Colour.NONE)
    if counted is not colour:
        where = raw.choice_cell or ""
        said = "未选择" if not choice else f"写作“{choice}”"
        _doubt(doubts, "colour", f"{where} 评价颜色{said}，模板汇总句按{rules.COLOUR_NAMES[counted]}计，"
                                 f"台账读作{rules.COLOUR_NAMES[colour]}")


def _in_column(sqref: str, col: int) -> bool:
    """Whether every range of ``sqref`` (``E5:E504 E600``) lies in column ``col``."""
    letters = re.findall(r"\$?([A-Za-z]{1,3})\$?\d+", sqref)
    return bool(letters) and all(column_index(letter.upper()) == col for letter in letters)


def _doubt(doubts: dict[str, str], aspect: str, reason: str) -> None:
    """Record why ``aspect`` of an item was read without confidence (every reason, in order)."""
    doubts[aspect] = f"{doubts[aspect]}；{reason}" if aspect in doubts else reason


# How a rule that could not be evaluated is named to the clerk.
_CF_KINDS = {
    "xls": ".xls 文件中的条件格式，taizhang 读不出其规则", "x14": "Excel 2010 扩展条件格式", "colorScale": "色阶",
    "top10": "前/后若干项", "aboveAverage": "高于/低于平均值", "timePeriod": "发生日期",
    "expression": "公式中有不支持的函数或引用", "cellIs": "单元格值比较中有不支持的公式",
}


_ALLOWED = (Colour.BLUE, Colour.YELLOW, Colour.RED)
_GREYS = ("灰色", "黑色")


def _emphasis(entry: tuple[Mark, Colour, str | None]) -> bool:
    """Grey or black on a cell other than 进度评价 highlights or greys out text: not a colour mark."""
    mark, colour, name = entry
    return not mark.judgement and colour is Colour.UNKNOWN and name in _GREYS


def _choose(entries: list[tuple[Mark, Colour, str | None]]) -> tuple[Mark, Colour, str] | None:
    """The mark that decides: the 进度评价 cell's; else the commonest blue/yellow/red of the row's
    cells (the first of them on a tie); else another colour, which is then an error."""
    if not entries:
        return None
    judged = next((e for e in entries if e[0].judgement), None)
    if judged is not None:
        mark, colour, name = judged
        return mark, colour, name or ""
    allowed = [e for e in entries if e[1] in _ALLOWED]
    if allowed:
        counts = Counter(e[1] for e in allowed)
        best = max(counts.values())
        mark, colour, name = next(e for e in allowed if counts[e[1]] == best)
        return mark, colour, name or ""
    wrong = [e for e in entries if not _emphasis(e)]
    if wrong:
        mark, colour, name = wrong[0]
        return mark, colour, name or ""
    return None


def _where(key: str) -> str:
    column = rules.COLUMN_BY_KEY.get(key)
    return column.label.replace("\n", "") if column is not None else (key or "单元格")


def _number(value: object, text: str) -> int | str | None:
    if isinstance(value, bool):
        return text or None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else text
    number = item_number(text)
    return number if number is not None else (text or None)


# 1 / 1. / 1、 / (1) / （1） / 1） / 第1项 once NFKC has turned ① into 1, ⑴ into (1), ⒈ into 1.
_ITEM_NUMBER = re.compile(r"^第?[(\[【]?\s*([0-9]+|[〇零一二两三四五六七八九十百]+)\s*[)\]】]?\s*[、.,，:：项]?$")


def item_number(text: str) -> int | None:
    """An item's 序号 as written — ``3``, ``3.``, ``3、``, ``(3)``, ``③``, ``⑶``, ``三`` — as a number."""
    m = _ITEM_NUMBER.match(unicodedata.normalize("NFKC", text.strip()))
    if m is None:
        return None
    return cn_int(m.group(1))


def _left_out_by_summary(ledger: ParsedLedger, items: list[Item],
                         flagged: list[tuple[RawItem, Item]]) -> list[Item]:
    """The struck/hidden items whose leaving out makes every figure of the summary sentence agree
    (all of them, the struck ones or the hidden ones); none when the sentence agrees already, has
    no figures, or agrees with no such choice."""
    stated = {k: v for k, v in rules.parse_summary(ledger.summary_text or "").items() if isinstance(v, int)}
    if not stated:
        return []

    def agrees(without: set[int]) -> bool:
        counted = [it.model_copy(update={"closed": True}) if id(it) in without else it for it in items]
        # A figure that differs only by items read with doubt still agrees: checks.summary_agrees
        # makes that a summary.uncertain warning, and counting a struck row must not make it an error.
        differences = checks.summary_differences(counted, count_items(counted), stated)
        return all(doubtful is not None for doubtful in differences.values())

    if agrees(set()):
        return []
    choices = ([it for _, it in flagged], [it for raw, it in flagged if raw.struck],
               [it for raw, it in flagged if raw.hidden])
    tried: list[set[int]] = []
    for choice in choices:
        ids = {id(it) for it in choice}
        if ids and ids not in tried:  # all flagged rows struck (or all hidden): one choice, tried once
            tried.append(ids)
            if agrees(ids):
                return choice
    return []


def _leave_out_unseen(ledger: ParsedLedger, items: list[Item]) -> None:
    """Struck or hidden item rows are left out of the counts (as 销号) only where that makes the
    department's own summary sentence agree with its table (``checks.unseen`` names each row)."""
    flagged = [(raw, item) for raw, item in zip(ledger.items, items, strict=True)
               if (raw.struck or raw.hidden) and not item.closed]
    if not flagged:
        return
    left_out = {id(it) for it in _left_out_by_summary(ledger, items, flagged)}
    for _, item in flagged:
        item.closed = item.closed or id(item) in left_out


def _stated_summary(ledger: ParsedLedger, report: FileReport) -> None:
    """The figures of the department's own summary sentence, as written (``checks.summary_agrees``
    compares them with the table)."""
    if ledger.summary_text is None:
        return
    counts = report.counts
    summary = construct(StatedSummary, {"cell": ledger.summary_cell or "A3"})
    date = rules.summary_date(ledger.summary_text)
    if date:
        summary.date = "{:04d}-{:02d}-{:02d}".format(*date)
    for key, value in rules.parse_summary(ledger.summary_text).items():
        number = value if isinstance(value, int) else None
        if key == "total":
            summary.total = number
        elif key in counts.stars:
            summary.stars[key] = number
        elif key in counts.sources:
            summary.sources[key] = number
        else:
            summary.colours[key] = number
    report.stated = summary
