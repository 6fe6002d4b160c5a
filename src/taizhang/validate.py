"""Check one department's workbook against the notice's rules: file → ``FileReport``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from . import rules
from .errors import UnreadableFile
from .findings import finding
from .models import Colour, FileReport, Finding, Item, Severity, StatedSummary, ValidationResult
from .progress import parse_rank
from .reading.colours import classify
from .reading.gate import read_workbook
from .reading.grid import split_ref
from .reading.ledger import ParsedLedger, RawItem, parse_ledger
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


def validate_file(path: Path, *, department: str | None = None) -> FileReport:
    """Read and check one workbook; never raises for anything wrong inside the file.

    ``department`` is used when neither the title nor the file name names one.
    """
    path = Path(path)
    report = FileReport(file=str(path))
    try:
        report.sha256 = file_sha256(path) if path.is_file() else None
        book = read_workbook(path)
        ledger = parse_ledger(book)
        _check_ledger(report, ledger, path, department)
    except UnreadableFile as exc:
        return _unusable(report, exc.finding)
    except Exception as exc:  # noqa: BLE001  the per-file boundary: everything but Ctrl+C and exit
        # A workbook shaped in a way nobody foresaw must not stop a merge of sixty others.
        return unreadable_report(report, exc)
    return report


def unreadable_report(report: FileReport, exc: BaseException) -> FileReport:
    """``report`` made unusable by an unexpected error while reading its file (``file.unreadable``)."""
    return _unusable(report, finding("file.unreadable", detail=f"{type(exc).__name__}: {exc}"[:200]))


def _unusable(report: FileReport, reason: Finding) -> FileReport:
    return report.model_copy(update={"usable": False, "ok": False, "findings": [reason], "items": [],
                                     "department": None, "date": None, "sheet": None})


def validate_files(paths: Iterable[Path], *, department: str | None = None) -> ValidationResult:
    files = [validate_file(p, department=department) for p in paths]
    return ValidationResult(ok=all(f.ok for f in files), files=files)


def _check_ledger(report: FileReport, ledger: ParsedLedger, path: Path, department: str | None) -> None:
    sheet = ledger.sheet
    report.sheet = sheet
    findings: list[Finding] = list(ledger.findings)

    report.department = ledger.department or rules.department_from_filename(path.stem) or department
    if report.department is None:
        findings.append(finding("header.department_missing", sheet=sheet, cell=ledger.title_cell or "A1"))

    if ledger.date is not None:
        report.date = ledger.date.isoformat()
    elif ledger.date_text is not None and ("×" in ledger.date_text or "X" in ledger.date_text.upper()):
        findings.append(finding("date.unfilled", sheet=sheet, cell=ledger.date_cell, value=ledger.date_text))
    elif ledger.date_text is not None:
        findings.append(finding("date.unreadable", sheet=sheet, cell=ledger.date_cell, value=ledger.date_text))
    else:
        findings.append(finding("date.missing", sheet=sheet, cell="A2"))

    report.extra_columns = list(ledger.extra_columns)
    for raw in ledger.items:
        report.items.append(_check_item(raw, sheet, findings))
    _check_numbering(ledger, report.items, findings)
    _check_duplicates(ledger, report.items, findings)
    report.counts = count_items(report.items)
    _check_summary(ledger, report, findings)

    # The same finding twice (e.g. from merged sub-rows) is shown once.
    seen: set[tuple[str, str | None, str]] = set()
    for f in sorted(findings, key=_position):
        key = (f.code, f.cell, f.message)
        if key not in seen:
            seen.add(key)
            report.findings.append(f)
    report.ok = not any(f.severity is Severity.ERROR for f in report.findings)


def _position(f: Finding) -> tuple[int, int]:
    """Top to bottom, left to right, as a clerk works through the sheet; sheet-wide findings first."""
    if not f.cell:
        return (0, 0)
    row, col = split_ref(f.cell)
    return (row, col)


def _check_item(raw: RawItem, sheet: str, out: list[Finding]) -> Item:
    t = raw.texts
    note, judgement = t.get("note", ""), t.get("judgement", "")
    # model_construct: every field below is already of its type, and a merge builds ten thousand.
    item = Item.model_construct(
        row=raw.first_row,
        no=_number(raw.no_value, t.get("no", "")),
        name=t.get("name", ""),
        target=t.get("target", ""),
        progress=t.get("progress", ""),
        judgement=judgement,
        leader=t.get("leader", ""),
        owner=t.get("owner", ""),
        note=note,
        extra=dict(raw.extra),
        closed=rules.is_closed(note, judgement),
        # 说明 第1条 (重要程度) and 第2条 (任务来源): one of a fixed set, variants read with a warning.
        stars=_coded(raw, "stars", rules.normalise_stars, sheet, out),
        source=_coded(raw, "source", rules.normalise_source, sheet, out),
        colour=_colour(raw, sheet, out),
        written={k: t[k] for k in ("stars", "source") if t.get(k)},
    )

    # 通知 三: 逐一明确责任领导、责任人员、任务目标.
    for key in rules.REQUIRED_FIELDS:
        if key in raw.cells and not t.get(key):
            label = rules.COLUMN_BY_KEY[key].label.replace("\n", "")
            out.append(finding("item.required", sheet=sheet, cell=raw.cells[key], row=raw.first_row, label=label,
                               hint=rules.REQUIRED_HINTS[key]))

    _check_consistency(item, raw, sheet, out)
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


def _colour(raw: RawItem, sheet: str, out: list[Finding]) -> Colour:
    """说明 第3条: the 进度评价 fill decides; without one, the text; a red/yellow font with a warning."""
    cell = raw.cells.get("judgement")
    text = raw.texts.get("judgement", "")
    said, ambiguous = rules.colour_from_text(text)
    fill_rgb = raw.fill or raw.row_fill
    fill, fill_name = classify(fill_rgb)
    if fill is Colour.UNKNOWN:
        out.append(finding("colour.invalid", sheet=sheet, cell=cell, value=f"#{fill_rgb}", name=fill_name))
        return Colour.UNKNOWN
    if fill is not Colour.NONE:
        if said is not None and said is not fill:
            out.append(finding("colour.conflict", sheet=sheet, cell=cell, value=text,
                               fill=rules.COLOUR_NAMES[fill], text=text.replace("\n", " "),
                               said=f"文字表示{rules.COLOUR_NAMES[said]}"))
        return fill
    if said is not None:
        return said
    font, font_name = classify(raw.font)
    if font in (Colour.RED, Colour.YELLOW) and text:
        out.append(finding("colour.font_only", sheet=sheet, cell=cell, name=font_name))
        return font
    if ambiguous:
        out.append(finding("colour.ambiguous", sheet=sheet, cell=cell, text=text.replace("\n", " ")))
    return Colour.NONE


def _check_consistency(item: Item, raw: RawItem, sheet: str, out: list[Finding]) -> None:
    """The 说明's consistency rules, as warnings: a person should look, the rule may have exceptions."""
    cells = raw.cells
    if item.stars == "★★★" and item.source == "C":
        out.append(finding("rule.top_stars_own_source", sheet=sheet, cell=cells.get("stars")))
    if item.stars == "★" and item.source and "A" in item.source:
        out.append(finding("rule.state_source_one_star", sheet=sheet, cell=cells.get("stars")))
    if item.closed:
        return
    text = f"{item.progress}\n{item.judgement}"
    current = rules.COLOUR_NAMES[item.colour]
    red = rules.red_words(text)
    blue = rules.blue_words(text)
    rank = parse_rank(item.progress) or parse_rank(item.judgement)  # 全市第2位, 后3位: facts, not goals
    if rank is not None and rank.in_bottom3:
        red.append(rank.text)
    elif rank is not None and rank.in_top3 and not red:
        blue.append(rank.text)
    if red and item.colour is not Colour.RED:
        out.append(finding("rule.should_be_red", sheet=sheet, cell=cells.get("judgement"),
                           words="、".join(dict.fromkeys(red)), current=current))
    if blue and item.colour not in (Colour.BLUE, Colour.RED):
        out.append(finding("rule.should_be_blue", sheet=sheet, cell=cells.get("judgement"),
                           words="、".join(dict.fromkeys(blue)), current=current))


def _number(value: object, text: str) -> int | str | None:
    if isinstance(value, bool):
        return text or None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else text
    if text.isdigit():
        return int(text)
    return text or None


def _check_numbering(ledger: ParsedLedger, items: list[Item], out: list[Finding]) -> None:
    """序号 should run 1, 2, 3…: gaps and repeats are warnings (the notice's own template skips 3)."""
    seen: dict[int, int] = {}
    prev: int | None = None
    for raw, item in zip(ledger.items, items, strict=True):
        cell = raw.cells.get("no")
        if item.no is None or "no" not in ledger.columns:
            continue
        if isinstance(item.no, str):
            out.append(finding("numbering.invalid", sheet=ledger.sheet, cell=cell, value=item.no))
            continue
        if item.no in seen:
            out.append(finding("numbering.repeat", sheet=ledger.sheet, cell=cell, this=item.no,
                               other=seen[item.no]))
        elif prev is not None and item.no != prev + 1:
            out.append(finding("numbering.gap", sheet=ledger.sheet, cell=cell, prev=prev, this=item.no))
        seen.setdefault(item.no, item.row)
        prev = item.no


def _check_duplicates(ledger: ParsedLedger, items: list[Item], out: list[Finding]) -> None:
    first: dict[str, int] = {}
    for raw, item in zip(ledger.items, items, strict=True):
        key = rules.normalise_label(item.name)
        if not key:
            continue
        if key in first:
            out.append(finding("item.duplicate", sheet=ledger.sheet, cell=raw.cells.get("name"),
                               name=item.name, other=first[key]))
        else:
            first[key] = item.row


def _check_summary(ledger: ParsedLedger, report: FileReport, out: list[Finding]) -> None:
    """通知 五: 账实不符 — the department's own sentence must agree with its table."""
    if ledger.summary_text is None:
        out.append(finding("summary.missing", sheet=ledger.sheet, cell="A3"))
        return
    stated = rules.parse_summary(ledger.summary_text)
    cell = ledger.summary_cell or "A3"
    summary = StatedSummary(cell=cell)
    date = rules.summary_date(ledger.summary_text)
    if date:
        summary.date = "{:04d}-{:02d}-{:02d}".format(*date)
    if any(v == "×" for v in stated.values()):
        out.append(finding("summary.unfilled", sheet=ledger.sheet, cell=cell))
    counts = report.counts
    actual = {"total": counts.total, **counts.stars, **counts.sources, **counts.colours}
    for key, value in stated.items():
        number = value if isinstance(value, int) else None
        if key == "total":
            summary.total = number
        elif key in counts.stars:
            summary.stars[key] = number
        elif key in counts.sources:
            summary.sources[key] = number
        else:
            summary.colours[key] = number
        if number is not None and number != actual[key]:
            out.append(finding("summary.mismatch", sheet=ledger.sheet, cell=cell, value=number,
                               label=rules.SUMMARY_LABELS[key], stated=number, actual=actual[key]))
    report.stated = summary
