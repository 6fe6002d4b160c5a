"""The year's statistics as a workbook (``taizhang stats -o``), one sheet per topic:

* 全中心: each month's figures for the whole centre, with a line chart of red, yellow and blue items;
* 分部室趋势: per department, its red/yellow/blue counts by month and their line chart;
* 报送情况: department × month, 按时/逾期/未报送 with the 填报日期;
* 事项数, 红色事项, 校验错误: department × month tables of one figure each;
* 分部室明细: one row per department and month with every figure;
* 长期标红: the items red for ``red_streak`` months in a row or more;
* 考核: one row per department, the figures ``[stats] assessment`` of taizhang.toml names.

The charts are Excel's own (openpyxl LineChart over the sheet's cells), so they follow the
figures if someone corrects a cell. Every sheet prints on A4 landscape with its header repeated.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import Series
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..models import ASSESSMENT_FIGURES, SUBMISSION_NAMES, Colour, DepartmentMonthStats, YearStats
from ..rules import COLOUR_NAMES, iso_date_cn, month_cn
from .xlsx_common import (
    BODY_FONT_NAME,
    BOLD_BODY_FONT,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    atomic_write_bytes,
    fill_for,
    freeze_below,
    merged_text,
    set_text,
    set_widths,
    setup_print,
    style_cell,
    write_header,
)

CREATOR = "taizhang"
# Chart line colours: darker than the cell fills, so the lines read on white paper.
LINE_COLOURS = {Colour.RED: "C00000", Colour.YELLOW: "E0A800", Colour.BLUE: "2E75B6"}
CHART_COLOURS = (Colour.RED, Colour.YELLOW, Colour.BLUE)
LATE_FILL = PatternFill(fill_type="solid", fgColor="F8CBAD")
MISSING_FILL = PatternFill(fill_type="solid", fgColor="FF9B9B")
ABSENT_FONT = Font(name=BODY_FONT_NAME, size=11, color="808080")
HEADER_ROW = 3  # every table sheet: title, subtitle, header
CHART_WIDTH = 16.0  # cm
CHART_HEIGHT = 7.5
SHEET_NAMES = ("全中心", "分部室趋势", "报送情况", "事项数", "红色事项", "校验错误", "分部室明细", "长期标红", "考核")


def _titles(ws: Worksheet, stats: YearStats, title: str, last: int, note: str = "") -> None:
    merged_text(ws, 1, 1, last, f"{stats.year}年重点工作台账统计：{title}", font=TITLE_FONT, align="center",
                height=34)
    span = f"{month_cn(stats.months[0])}至{month_cn(stats.months[-1])}，共{len(stats.months)}个月"
    merged_text(ws, 2, 1, last, f"统计月份：{span}（历史库中已汇总的月份）。{note}", font=NOTE_FONT)


def _rows(ws: Worksheet, first: int, rows: Iterable[Sequence[object]], *, left: int = 1,
          style: Callable[[int, int, object], tuple[PatternFill | None, Font | None]] | None = None) -> int:
    """Bordered body rows from ``first``; the first ``left`` columns left-aligned, numbers centred."""
    row = first
    for values in rows:
        for col, value in enumerate(values, start=1):
            cell = set_text(ws.cell(row, col), value)
            fill, font = style(row - first, col, value) if style is not None else (None, None)
            style_cell(cell, align="left" if col <= left else "center", fill=fill)
            if font is not None:
                cell.font = font
        ws.row_dimensions[row].height = 20
        row += 1
    return row


def _print(ws: Worksheet, header: int = HEADER_ROW) -> None:
    setup_print(ws, f"{header}:{header}")
    freeze_below(ws, header)


def _line_chart(title: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.style = 2
    chart.height, chart.width = CHART_HEIGHT, CHART_WIDTH
    chart.y_axis.title = "事项数"
    chart.y_axis.scaling.min = 0
    chart.y_axis.numFmt = "0"
    # openpyxl 3.1 marks both axes deleted unless told otherwise: Excel then draws no axis labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


def _colour_series(chart: LineChart) -> None:
    for series, colour in zip(chart.series, CHART_COLOURS, strict=True):
        _style_series(series, LINE_COLOURS[colour])


def _style_series(series: Series, rgb: str) -> None:
    series.graphicalProperties.line.solidFill = rgb
    series.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
    series.marker.symbol = "circle"
    series.marker.size = 6
    series.marker.graphicalProperties.solidFill = rgb
    series.marker.graphicalProperties.line.solidFill = rgb
    series.smooth = False


# --------------------------------------------------------------------------------------------
# 全中心
# --------------------------------------------------------------------------------------------

CENTRE_LABELS = ("月份", "报送\n部室", "按时", "逾期", "未报送", "事项", "★★★", "★★", "★", "A", "B", "C", "D",
                 "蓝色", "黄色", "红色", "未标注", "补录", "销号", "校验\n错误", "校验\n提示")


def _centre(ws: Worksheet, stats: YearStats) -> None:
    last = len(CENTRE_LABELS)
    set_widths(ws, [12] + [7.5] * (last - 1))
    _titles(ws, stats, "全中心", last, "事项数不含已销号事项；补录、销号与各月督查通报一致。")
    write_header(ws, HEADER_ROW, CENTRE_LABELS)
    colour_col = {Colour.BLUE: 14, Colour.YELLOW: 15, Colour.RED: 16}
    rows = [[month_cn(m.month), m.reported, m.on_time, m.late, m.missing, m.items,
             *(m.stars[k] for k in ("3", "2", "1")), *(m.sources[k] for k in "ABCD"),
             *(m.colours[k] for k in ("blue", "yellow", "red", "none")), m.new, m.closed, m.errors, m.warnings]
            for m in stats.centre]
    header_fills = {col: fill_for(c) for c, col in colour_col.items()}
    for col, fill in header_fills.items():
        ws.cell(HEADER_ROW, col).fill = fill or PatternFill()
    end = _rows(ws, HEADER_ROW + 1, rows)
    first, last_row = HEADER_ROW + 1, end - 1
    chart = _line_chart("全中心红、黄、蓝色事项数")
    for colour in CHART_COLOURS:
        col = colour_col[colour]
        chart.add_data(Reference(ws, min_col=col, min_row=HEADER_ROW, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last_row))
    _colour_series(chart)
    chart.width = 24.0
    ws.add_chart(chart, f"A{end + 1}")
    _print(ws)


# --------------------------------------------------------------------------------------------
# 分部室趋势
# --------------------------------------------------------------------------------------------

BLOCK_ROWS = 17  # a department's block: its name, header, three colours, room for the chart beside


def _trends(ws: Worksheet, stats: YearStats) -> None:
    months = stats.months
    last = 1 + len(months)
    set_widths(ws, [12] + [10] * len(months))
    chart_col = get_column_letter(last + 2)
    ws.column_dimensions[get_column_letter(last + 1)].width = 3
    _titles(ws, stats, "分部室红、黄、蓝色事项数", max(last, 8), "空格为该月未报送台账。")
    row = HEADER_ROW
    for index, dept in enumerate(stats.departments):
        name = dept.department
        merged_text(ws, row, 1, last, name, font=HEADER_FONT, height=22)
        header = row + 1
        write_header(ws, header, ["颜色", *(month_cn(m) for m in months)])
        body = []
        for colour in CHART_COLOURS:
            values: list[object] = [COLOUR_NAMES[colour]]
            for month in months:
                d = stats.of(name, month)
                reported = d is not None and d.status in ("on_time", "late")
                values.append(d.colours[colour.value] if d is not None and reported else None)
            body.append(values)
        end = _rows(ws, header + 1, body, style=lambda r, c, v: (fill_for(CHART_COLOURS[r]) if c == 1 else None, None))
        chart = _line_chart(f"{name}红、黄、蓝色事项数")
        chart.add_data(Reference(ws, min_col=1, max_col=last, min_row=header + 1, max_row=end - 1),
                       from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=last, min_row=header, max_row=header))
        _colour_series(chart)
        chart.height = 6.5
        chart.width = 13.0
        ws.add_chart(chart, f"{chart_col}{row}")
        row += BLOCK_ROWS
        if index % 2 == 1 and index + 1 < len(stats.departments):
            ws.row_breaks.append(Break(id=row - 1))  # two departments a page: no chart cut in two
    setup_print(ws, None)


# --------------------------------------------------------------------------------------------
# 报送情况 and the department × month tables
# --------------------------------------------------------------------------------------------


def _submission_text(d: DepartmentMonthStats) -> str:
    if d.status in ("on_time", "late"):
        when = iso_date_cn(d.date) if d.date else "填报日期不明"
        return f"{SUBMISSION_NAMES[d.status]}\n{when}"
    return SUBMISSION_NAMES[d.status]


def _submission(ws: Worksheet, stats: YearStats) -> None:
    months = stats.months
    labels = ["部室（单位）", *(month_cn(m) for m in months), "按时", "逾期", "未报送"]
    last = len(labels)
    set_widths(ws, [16] + [13] * len(months) + [7, 7, 7])
    _titles(ws, stats, "报送情况", last, "通知要求每月5日前报送（taizhang.toml 的 deadline_day），填报日期晚于截止日为逾期。")
    write_header(ws, HEADER_ROW, labels)
    rows: list[list[object]] = []
    statuses: list[list[str]] = []
    for dept in stats.departments:
        cells = [stats.of(dept.department, m) for m in months]
        rows.append([dept.department, *(_submission_text(d) if d else "" for d in cells),
                     dept.on_time, dept.late, dept.missing])
        statuses.append([d.status if d else "" for d in cells])

    def style(r: int, c: int, value: object) -> tuple[PatternFill | None, Font | None]:
        if 2 <= c <= 1 + len(months):
            status = statuses[r][c - 2]
            return ({"late": LATE_FILL, "missing": MISSING_FILL}.get(status),
                    ABSENT_FONT if status == "absent" else None)
        return None, None

    end = _rows(ws, HEADER_ROW + 1, rows, style=style)
    for r in range(HEADER_ROW + 1, end):
        ws.row_dimensions[r].height = 36
    _print(ws)


def _pivot(ws: Worksheet, stats: YearStats, title: str, note: str,
           value: Callable[[DepartmentMonthStats], int], centre: Callable[[int], int] | None = None,
           fill: PatternFill | None = None) -> None:
    """Department × month of one figure, with the year's total per department and per month."""
    months = stats.months
    labels = ["部室（单位）", *(month_cn(m) for m in months), "合计"]
    last = len(labels)
    set_widths(ws, [16] + [11] * len(months) + [9])
    _titles(ws, stats, title, last, note)
    write_header(ws, HEADER_ROW, labels)
    if fill is not None:
        ws.cell(HEADER_ROW, 1).fill = fill
    rows: list[list[object]] = []
    table: list[list[int | None]] = []
    for dept in stats.departments:
        cells = [stats.of(dept.department, m) for m in months]
        figures = [value(d) if d is not None and d.status in ("on_time", "late") else None for d in cells]
        table.append(figures)
        rows.append([dept.department, *("" if f is None else f for f in figures), sum(f or 0 for f in figures)])
    totals = [centre(i) if centre is not None else sum(f[i] or 0 for f in table) for i in range(len(months))]
    rows.append(["全中心", *totals, sum(totals)])
    end = _rows(ws, HEADER_ROW + 1, rows)
    for col in range(1, last + 1):
        ws.cell(end - 1, col).font = BOLD_BODY_FONT
    _print(ws)


DETAIL_LABELS = ("部室（单位）", "月份", "报送情况", "填报日期", "事项", "★★★", "★★", "★", "A", "B", "C", "D",
                 "蓝色", "黄色", "红色", "未标注", "补录", "销号", "校验\n错误", "校验\n提示")


def _detail(ws: Worksheet, stats: YearStats) -> None:
    last = len(DETAIL_LABELS)
    set_widths(ws, [16, 11, 10, 14] + [6.5] * (last - 4))
    _titles(ws, stats, "分部室明细", last, "补录、销号为与该部室上一份台账比较的结果（首次报送或未报送的月份不比较）。")
    write_header(ws, HEADER_ROW, DETAIL_LABELS)
    rows: list[list[object]] = []
    for dept in stats.departments:
        for month in stats.months:
            d = stats.of(dept.department, month)
            if d is None:
                continue
            reported = d.status in ("on_time", "late")
            figures: list[object] = [d.items, *(d.stars[k] for k in ("3", "2", "1")),
                                     *(d.sources[k] for k in "ABCD"),
                                     *(d.colours[k] for k in ("blue", "yellow", "red", "none")),
                                     d.new if d.compared else "", d.closed if d.compared else "", d.errors, d.warnings]
            rows.append([d.department, month_cn(d.month), SUBMISSION_NAMES[d.status],
                         iso_date_cn(d.date) if d.date else "", *(figures if reported else [""] * len(figures))])

    def style(r: int, c: int, value: object) -> tuple[PatternFill | None, Font | None]:
        if c == 3:
            return {"逾期报送": LATE_FILL, "未报送": MISSING_FILL}.get(str(value)), None
        return None, None

    end = _rows(ws, HEADER_ROW + 1, rows, left=2, style=style)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(last)}{max(end - 1, HEADER_ROW)}"
    _print(ws)


def _long_red(ws: Worksheet, stats: YearStats) -> None:
    labels = ("部室（单位）", "工作事项", "最长连续\n标红（月）", "全年标红\n月数", "首次标红", "最近标红", "目前")
    set_widths(ws, (16, 48, 12, 10, 12, 12, 10))
    _titles(ws, stats, "长期标红事项", len(labels),
            f"连续{stats.red_streak}个月及以上标红的事项（taizhang.toml [stats] red_streak）；"
            "连续月数与督查通报的“连续标红”一致，含本年之前已汇总的月份。")
    write_header(ws, HEADER_ROW, labels)
    rows = [[r.department, r.item, r.longest, r.months, month_cn(r.first), month_cn(r.last),
             "仍为红色" if r.red_now else "已不是红色"] for r in stats.long_red]
    if rows:
        end = _rows(ws, HEADER_ROW + 1, rows, left=2,
                    style=lambda r, c, v: (fill_for(Colour.RED) if c == 7 and v == "仍为红色" else None, None))
        for r in range(HEADER_ROW + 1, end):
            ws.row_dimensions[r].height = 30
    else:
        merged_text(ws, HEADER_ROW + 1, 1, len(labels), f"本年没有连续{stats.red_streak}个月及以上标红的事项。",
                    border=True, height=22)
    _print(ws)


def _assessment(ws: Worksheet, stats: YearStats) -> None:
    names = stats.assessment
    labels = ["部室（单位）", *(ASSESSMENT_FIGURES[n] for n in names)]
    set_widths(ws, [16] + [11] * len(names))
    _titles(ws, stats, "考核汇总", len(labels),
            "统计项由 taizhang.toml 的 [stats] assessment 设定。" + "；".join(
                f"{ASSESSMENT_FIGURES[n]}：{ASSESSMENT_NOTES[n]}" for n in names) + "。")
    ws.row_dimensions[2].height = max(40.0, 15.0 * (1 + len(names) // 3))
    write_header(ws, HEADER_ROW, [labels[0], *(label.replace("（", "\n（") for label in labels[1:])], height=40)
    rows = [[d.department, *(d.figure(n) for n in names)] for d in stats.departments]
    _rows(ws, HEADER_ROW + 1, rows)
    _print(ws)


# What each figure of the 考核 table counts, for the sheet's note.
ASSESSMENT_NOTES = {
    "reported": "报送台账的月数",
    "on_time": "截止日前报送的月数",
    "late": "截止日后报送的月数",
    "missing": "名单中应报未报的月数",
    "errors": "各月台账校验出的错误数之和",
    "warnings": "各月台账校验出的提示数之和",
    "items": "最近一次报送的台账中未销号的事项数",
    "new": "各月补录事项数之和",
    "closed": "各月销号事项数之和",
    "red_months": "各月红色事项数之和",
    "yellow_months": "各月黄色事项数之和",
    "blue_months": "各月蓝色事项数之和",
    "red_streaks": "连续标红达到设定月数的事项数",
    "longest_red": "事项连续标红的最长月数",
}


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


def stats_workbook_bytes(stats: YearStats) -> bytes:
    """The statistics workbook, in memory."""
    wb = Workbook()
    wb.properties.creator = CREATOR
    wb.properties.title = f"{stats.year}年重点工作台账统计"
    sheets = [wb.active] + [wb.create_sheet() for _ in SHEET_NAMES[1:]]
    for ws, name in zip(sheets, SHEET_NAMES, strict=True):
        assert ws is not None
        ws.title = name
    centre = {m.month: m for m in stats.centre}
    by_name = dict(zip(SHEET_NAMES, sheets, strict=True))
    _centre(by_name["全中心"], stats)
    _trends(by_name["分部室趋势"], stats)
    _submission(by_name["报送情况"], stats)
    _pivot(by_name["事项数"], stats, "事项数", "各部室各月台账中未销号的事项数；空格为该月未报送。",
           lambda d: d.items)
    _pivot(by_name["红色事项"], stats, "红色事项数", "各部室各月标红色的事项数；合计为“红色事项·月”。",
           lambda d: d.colours["red"], fill=fill_for(Colour.RED))
    _pivot(by_name["校验错误"], stats, "校验错误数",
           "各部室各月台账校验出的错误数；全中心一行含无法读取的文件。",
           lambda d: d.errors, centre=lambda i: centre[stats.months[i]].errors)
    _detail(by_name["分部室明细"], stats)
    _long_red(by_name["长期标红"], stats)
    _assessment(by_name["考核"], stats)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_stats_xlsx(stats: YearStats, path: Path, *, refuse: Iterable[Path | str] = ()) -> Path:
    """Write the statistics workbook to ``path`` atomically; never over any path in ``refuse``."""
    return atomic_write_bytes(stats_workbook_bytes(stats), Path(path), refuse=refuse)
