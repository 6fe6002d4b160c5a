"""The corpus: ledgers filled in the way department clerks really fill them in (issue 7).

Each case is a short declarative description; ``writer.write_case`` turns it into a workbook and the
ground truth comes from ``spec``. Cases saved through LibreOffice (``save="xlsx"``/``"xls"``) are
re-saved from the openpyxl file, as a clerk opening the file in LibreOffice and saving it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .spec import Case, Heading, It, OldMonth, Shade

NAMES = (
    "推进港口船舶岸电设施建设", "京杭运河湖西航道改造工程", "内河船舶污染物接收转运处置", "港航安全生产专项整治三年行动",
    "水路客运安全检查", "航道养护管理", "港口危险货物安全监管", "智慧港航平台建设", "船员培训考试组织",
    "港口岸线资源清理整治", "梁济运河航道提升工程", "龙拱港二期工程前期工作", "内河航运高质量发展规划编制",
    "船闸运行调度管理", "港航行政审批事项下放", "水上交通事故应急演练", "绿色港口创建", "船舶检验质量提升",
    "干部作风能力提升年活动", "党史学习教育常态化", "财务预算执行进度", "对上争取港航建设资金", "航道通航条件影响评价",
    "港口经营许可年度核查", "船舶防污染专项检查", "运河文化带航运遗产保护", "港航统计数据质量提升",
    "航标维护正常率提升", "微山船闸扩能改造", "新万福河复航工程", "港口集装箱吞吐量提升", "多式联运示范工程",
    "港航执法规范化建设", "安全生产双重预防体系建设", "信访积案化解", "疫情防控常态化", "政务服务“一网通办”",
    "船舶污染防治联合执法", "港航企业信用评价", "水运工程质量监督", "航运枢纽招商引资", "档案数字化",
)
STARS = (3, 2, 2, 1, 3, 2, 1, 2, 2, 3, 3)
SOURCES = ("A", "B", "C", "BD", "B", "D", "BC", "A", "C", "B", "ABC")


def items(n: int, start: int = 0, colours: str = "", **kw: object) -> list[It]:
    """``n`` plain items from the name pool; ``colours`` gives each one's colour (B/Y/R/G, ``.`` none)."""
    out = []
    code = {"B": "blue", "Y": "yellow", "R": "red", "G": "other"}
    for i in range(n):
        k = (start + i) % len(NAMES)
        colour = code.get(colours[i]) if i < len(colours) else None
        out.append(It(NAMES[k], stars=STARS[k % len(STARS)], source=SOURCES[k % len(SOURCES)], colour=colour,
                      **kw))  # type: ignore[arg-type]
    return out


def mark(rows: list[It], mark: str, shade: Shade | None = None, **kw: object) -> list[It]:
    """The same items with their colour put where the clerk put it (only coloured items change)."""
    return [replace(r, mark=mark, shade=shade or r.shade, **kw) if r.colour else r  # type: ignore[arg-type]
            for r in rows]


def shades(rows: list[It], by_colour: dict[str, Shade]) -> list[It]:
    return [replace(r, shade=by_colour[r.colour]) if r.colour in by_colour else r for r in rows]


def at(rows: list[It], i: int, **kw: object) -> list[It]:
    rows = list(rows)
    rows[i] = replace(rows[i], **kw)  # type: ignore[arg-type]
    return rows


D = "2022-04-03"

CASES: list[Case] = [
    # ---- colour wherever the clerk put it -------------------------------------------------------
    Case("fill_judgement_standard", "规划发展部-2022年4月重点工作台账", "规划发展部", D,
         items(8, 0, "BYR..BR."), features=("fill on 进度评价",)),
    Case("fill_name_only", "工程建设部台账", "工程建设部", "2022-04-02",
         mark(items(10, 3, "B.Y.R..BB."), "name"), sheet="台账", features=("fill on 工作事项 only",)),
    Case("fill_progress_only_lo", "航道管理部重点工作台账4月", "航道管理部", "2022-04-05",
         mark(items(7, 8, "RY.B..B"), "progress"), save="xlsx", features=("fill on 推进情况 only",)),
    Case("fill_whole_row_xls", "港口管理部重点工作台账", "港口管理部", "2022-04-01",
         mark(items(9, 12, ".BBY.R..Y"), "row"), save="xls", sheet="重点工作台账", features=("whole-row fill",)),
    Case("fill_row_format", "安全监督部台账（4月）", "安全监督部", D,
         mark(items(6, 20, "R.B.Y."), "row_format"), features=("row format fill",)),
    Case("fill_some_cells", "水运服务部重点工作台账", "水运服务部", "2022-04-04",
         [*mark(items(3, 5, "BYR"), "cells", cells=("no", "name")),
          *mark(items(3, 9, "RB."), "cells", cells=("name", "target", "progress")),
          *mark(items(2, 14, "Y."), "cells", cells=("judgement", "leader", "owner"))],
         features=("fill on a subset of the row's cells",)),
    Case("theme_tints_office2013", "污染防治部2022年4月台账", "污染防治部", "2022-04-06",
         shades(items(9, 2, "BYRBY.R.B"), {"blue": Shade(theme=4, tint=0.5999938962981048),
                                             "yellow": Shade(theme=7, tint=0.3999755851924192),
                                             "red": Shade("FF0000")}),
         theme_2013=True, features=("theme colours with tints (Office 2013 theme)",)),
    Case("theme_tints_office2007_lo", "信息中心重点工作台账", "信息中心", "2022-04-02",
         shades(items(8, 17, "B.R.BYR."), {"blue": Shade(theme=8, tint=0.3999755851924192),
                                            "red": Shade(theme=5, tint=0.3999755851924192),
                                            "yellow": Shade("FFFF99")}),
         save="xlsx", features=("theme colours with tints (Office 2007 theme)", "LibreOffice"),),
    Case("palette_indexed", "财务审计部重点工作台账", "财务审计部", D,
         shades(items(7, 25, "BRY.BR."), {"blue": Shade(indexed=44), "yellow": Shade(indexed=13),
                                           "red": Shade(indexed=45)}),
         features=("legacy palette colours",)),
    Case("assorted_shades_xls", "人事教育部重点工作台账", "人事教育部", "2022-04-02",
         [*shades(items(4, 1, "BBBB"), {"blue": Shade("00B0F0")}),
          *shades(items(4, 6, "YYY."), {"yellow": Shade("FFE699")}),
          *shades(items(4, 11, "RR.R"), {"red": Shade("C00000")}),
          *shades(items(2, 30, "BY"), {"blue": Shade("BDD7EE"), "yellow": Shade("FFC000")})],
         save="xls", features=("assorted shades through the Excel 97 palette",)),
    Case("font_colours", "法规科技部重点工作台账", "法规科技部", D,
         [*mark(items(3, 4, "BBB"), "font", Shade("0070C0")), *mark(items(2, 10, "YY"), "font", Shade("FFC000")),
          *mark(items(3, 15, "RR."), "font", Shade("FF0000"))],
         features=("font colour (blue/yellow/red) on 进度评价",)),
    Case("font_whole_row_xls", "党群工作部重点工作台账", "党群工作部", "2022-04-01",
         mark(items(7, 18, "B.RB.Y."), "font_row"), save="xls", features=("font colour on the whole row",)),
    Case("font_on_name_lo", "综合部重点工作台账", "综合部", D,
         shades(mark(items(6, 22, "BR.B.R"), "font_name"), {"blue": Shade("0000FF"), "red": Shade("C00000")}),
         save="xlsx", features=("font colour on 工作事项",)),
    Case("cf_cell_equal", "规划发展部重点工作台账（5月）", "规划发展部", "2022-05-05",
         mark(items(8, 0, "BY.R.B.Y"), "cf"), cf=("equal",), features=("conditional format cellIs equal",)),
    Case("cf_contains_text_lo", "航道管理部重点工作台账", "航道管理部", "2022-05-04",
         mark(items(6, 11, "RBY..B"), "cf"), cf=("contains",), save="xlsx",
         features=("conditional format containsText",)),
    Case("cf_begins_with", "港口管理部重点工作台账", "港口管理部", "2022-05-06",
         mark(items(5, 6, "B.RY."), "cf"), cf=("begins",), features=("conditional format beginsWith",)),
    Case("cf_expression_whole_row", "工程建设部重点工作台账", "工程建设部", "2022-05-05",
         mark(items(9, 27, "YYB.R.B.."), "cf"), cf=("expr_row",), features=("conditional format expression",)),
    Case("cf_dxf_font", "安全监督部重点工作台账", "安全监督部", "2022-05-03",
         mark(items(6, 33, "B.R.Y."), "cf"), cf=("equal_font",), features=("conditional format dxf font",)),
    Case("cf_unevaluable_rule", "水运服务部重点工作台账", "水运服务部", "2022-05-05",
         [*mark(items(2, 2, "RR"), "cf"), *items(5, 7, "B.Y..")], cf=("unevaluable",), check_colours=False,
         warnings=(("colour.cf_unevaluated", None),), features=("conditional format that cannot be evaluated",)),
    Case("colour_named_in_text_xls", "信息中心台账", "信息中心", "2022-05-02",
         mark(items(5, 29, "BYR.B"), "text"), save="xls", sheet="5月", features=("colour named in 进度评价 text",)),
    Case("cells_disagree", "海事服务部重点工作台账（4月）", "海事服务部", "2022-04-05",
         at(items(5, 14, ".R.B."), 1, stray=("name", "blue")), summary="none", check_colours=False,
         features=("cells of one item in different colours",)),
    Case("green_fill_invalid", "财务审计部重点工作台账", "财务审计部", "2022-05-05",
         items(6, 3, "B.G.R."), features=("genuine error: a colour the 说明 forbids",)),
    # ---- section headings and numbers -------------------------------------------------------------
    Case("sections_split_restart", "规划发展部重点工作台账", "规划发展部", D,
         [Heading("一、", "港口建设"), *items(4, 0, "B.R."), Heading("二、", "航道建设"), *items(3, 10, "Y.B"),
          Heading("三、", "安全管理"), *items(5, 20, ".R..B")],
         features=("section headings 一、二、 with numbering restarting",)),
    Case("sections_merged_and_subsections_lo", "工程建设部2022年4月重点工作台账", "工程建设部", "2022-04-02",
         [Heading("一、", "重点工程", "merged"), Heading("（一）", "港口工程", "alone"), *items(3, 11, "BY."),
          Heading("（二）", "航道工程", "alone"), *items(2, 28, "R."), Heading("二、", "日常工作", "merged"),
          *items(4, 36, ".B.Y")],
         save="xlsx", features=("merged headings and （一） subsections",)),
    Case("sections_continuous_numbers_xls", "港口管理部台账", "港口管理部", "2022-04-03",
         [Heading("一", "港口运营"), *items(3, 23, "B.."), Heading("二", "安全监管"), *items(4, 6, "R.YB")],
         restart_numbering=False, save="xls", features=("headings with bare 一 二, numbering running on",)),
    Case("circled_numbers", "综合部重点工作台账", "综合部", "2022-04-01",
         items(6, 18, "..BY.R"), numerals="circled", features=("①②③ item numbers",)),
    Case("circled_numbers_in_sections_lo", "污染防治部重点工作台账", "污染防治部", "2022-04-05",
         [Heading("一、", "污染防治攻坚"), *items(3, 2, "BR."), Heading("二、", "绿色发展"), *items(3, 16, "Y.B")],
         numerals="circled", save="xlsx", features=("①② restarting in sections",)),
    # ---- several months in one workbook -------------------------------------------------------------
    Case("months_newest_last_active_first", "规划发展部重点工作台账", "规划发展部", "2022-04-03",
         items(7, 0, "B.Y.R.B"), sheet="4月",
         old_months=(OldMonth("2月", "2022-02-28", 2), OldMonth("3月", "2022-03-04")), active=0,
         features=("several month sheets, newest last, active sheet an old one",)),
    Case("months_newest_first_lo", "海事服务部重点工作台账", "海事服务部", "2022-05-05",
         items(6, 12, "RB..Y."), sheet="5月份",
         old_months=(OldMonth("3月份", "2022-03-03"), OldMonth("4月份", "2022-04-02")), newest_first=True,
         save="xlsx", features=("several month sheets, newest first",)),
    Case("months_active_middle_xls", "工程建设部重点工作台账（3-5月）", "工程建设部", "2022-05-04",
         items(5, 24, "Y.B.R"), sheet="5月",
         old_months=(OldMonth("3月", "2022-03-02"), OldMonth("4月", "2022-04-06")), active=1, save="xls",
         features=("several month sheets, active sheet in the middle, .xls",)),
    # ---- department names as written ------------------------------------------------------------------
    Case("title_with_month", "海事服务部台账", "海事服务部", "2022-04-02",
         items(5, 8, "B.R.."), title="海事服务部2022年4月份重点工作台账", features=("title with year and month",)),
    Case("title_variant_taizhang_lo", "安全监督部2022年度台帐", "安全监督部", "2022-04-05",
         items(6, 21, ".BB.Y."), title="2022年度安全监督部重点工作台帐", save="xlsx",
         features=("台帐 spelling",)),
    Case("title_template_leftover", "财务部台账", "财务部", "2022-04-01",
         items(4, 19, "R.B."), title="财务部部室（单位）重点工作台账", features=("template leftover 部室（单位）",)),
    Case("unit_line_xls", "重点工作台账（党群）", "党群工作部", "2022-04-02",
         items(5, 34, ".B.Y."), title="重点工作台账", unit_line="填报单位：党群工作部（盖章）", save="xls",
         features=("填报单位 line",)),
    Case("title_with_centre_name", "附件2", "工程建设部", "2022-04-06",
         items(4, 26, "B..R"), title="济宁市港航事业发展中心工程建设部重点工作台账", blank_rows_above=1,
         instructions_sheet=True,
         features=("centre name before the department",)),
    # ---- spellings of stars and sources ----------------------------------------------------------------
    Case("hollow_stars", "法规科技部重点工作台账", "法规科技部", "2022-04-02",
         [It("港航法治宣传教育", stars=2, stars_text="★★☆", source="B", colour="blue"),
          It("行政执法案卷评查", stars=1, stars_text="★☆☆", source="C"),
          It("科技创新项目申报", stars=3, stars_text="★★★", source="D", colour="yellow"),
          It("港航标准化建设", stars=2, stars_text="★★☆", source="BD", colour="red"),
          It("规范性文件清理", stars=1, stars_text="★☆☆", source="C")],
         features=("hollow stars ★★☆ ★☆☆",)),
    Case("stars_and_sources_with_meanings_lo", "港口管理部台账", "港口管理部", "2022-04-03",
         [It("港口危险货物安全监管", stars=3, stars_text="★★★（特别重要）", source="A", source_text="A（省市安排）",
             colour="red"),
          It("港口经营许可年度核查", stars=2, stars_text="★★（重要）", source="B", source_text="B（中心安排）"),
          It("港口岸线资源清理整治", stars=1, stars_text="★（一般）", source="C", source_text="C（部室安排）",
             colour="blue"),
          It("绿色港口创建", stars=3, stars_text="★★★（特别重要）", source="D", colour="yellow")],
         save="xlsx", features=("stars and sources followed by the 说明's words",)),
    # ---- header synonyms and labels --------------------------------------------------------------------
    Case("header_lead_section_synonyms", "航道管理部重点工作台账", "航道管理部", "2022-04-02",
         items(6, 9, "B.YR.."), labels={"owner": "牵头科室", "progress": "进展情况", "name": "工作任务",
                                         "stars": "星级", "source": "事项来源"},
         features=("header synonyms 牵头科室 进展情况",)),
    Case("header_responsible_unit_lo", "水运服务部重点工作台账", "水运服务部", "2022-04-05",
         items(5, 31, "R.B.Y"), labels={"owner": "责任单位", "leader": "责任领导"}, extra=("完成时限",),
         order=("no", "name", "target", "progress", "judgement", "stars", "source", "leader", "owner", "note"),
         save="xlsx", features=("header synonym 责任单位, columns reordered, extra column",)),
    Case("header_responsible_office", "党群工作部重点工作台账", "党群工作部", "2022-04-01",
         items(4, 13, ".BR."), labels={"owner": "责任处室"}, features=("header synonym 责任处室",)),
    Case("labels_broken_over_two_lines", "综合部重点工作台账", "综合部", "2022-04-02",
         items(6, 1, "BY..R."), labels={"name": "工作\n事项", "target": "任务\n目标", "progress": "推进\n情况",
                                         "judgement": "进度\n评价", "stars": "重要\n程度", "source": "任务\n来源"},
         features=("labels broken over two lines",)),
    Case("two_row_header_xls", "规划发展部重点工作台账", "规划发展部", "2022-04-05",
         items(6, 14, "B..YR."), two_row_header=True, save="xls",
         features=("header over two rows, 责任科室|责任人 under one label",)),
    # ---- dates ------------------------------------------------------------------------------------------
    Case("date_month_day_year_from_sentence", "海事服务部重点工作台账", "海事服务部", "2022-04-03",
         items(5, 3, "B.Y.R"), date_text="填报日期：4月3日", warnings=(("date.year_inferred", None),),
         features=("date 4月3日, year from the summary sentence",)),
    Case("date_chinese_numerals_lo", "污染防治部重点工作台账", "污染防治部", "2022-04-03",
         items(5, 17, ".BR.Y"), date_text="填报日期：二〇二二年四月三日", save="xlsx",
         features=("date 二〇二二年四月三日",)),
    Case("date_short_year", "综合部重点工作台账", "综合部", "2022-04-03",
         items(4, 23, "Y.B."), date_text="填报日期：22.4.3", features=("date 22.4.3",)),
    Case("date_cell_after_label_xls", "人事教育部重点工作台账", "人事教育部", "2022-04-06",
         items(5, 35, "..BR."), date_text=("填报日期：", dt.datetime(2022, 4, 6)), save="xls",
         features=("date cell next to its label, .xls",)),
    Case("date_year_from_title", "规划发展部重点工作台账", "规划发展部", "2022-04-06",
         items(5, 5, "B.R.."), title="规划发展部2022年4月份重点工作台账", date_text="填报日期：4月6日",
         summary_date="4月6日", warnings=(("date.year_inferred", None),),
         features=("date 4月6日, year from the title",)),
    Case("date_year_from_file_name_lo", "水运服务部2022年4月重点工作台账", "水运服务部", "2022-04-02",
         items(4, 37, "R.B."), date_text="填报日期：4月2日", summary_date="4月2日", save="xlsx",
         warnings=(("date.year_inferred", None),), features=("date 4月2日, year from the file name",)),
    # ---- rows a human would not count; merged cells; formulas -------------------------------------------
    Case("struck_through_row", "航道管理部重点工作台账", "航道管理部", D,
         at(items(6, 10, "B.Y.R."), 2, struck=True, colour=None), features=("struck-through row",)),
    Case("hidden_row_lo", "港口管理部重点工作台账", "港口管理部", "2022-04-02",
         at(items(7, 15, "B.Y.RB."), 4, hidden=True), save="xlsx", features=("hidden row",)),
    Case("closed_items", "安全监督部重点工作台账", "安全监督部", "2022-04-04",
         at(at(items(6, 4, "BRY..."), 1, closed=True), 4, closed=True), features=("已销号 items",)),
    Case("merged_sub_rows_xls", "工程建设部重点工作台账", "工程建设部", "2022-04-03",
         [*items(2, 26, "BY"), *[replace(i, sub_rows=n) for i, n in zip(items(3, 28, "R.B"), (3, 2, 2), strict=True)],
          *items(2, 31, ".Y")],
         merge_leader=True, save="xls", features=("items over merged sub-rows, 分管负责人 merged",)),
    Case("formula_numbers_lo", "信息中心重点工作台账", "信息中心", "2022-04-01",
         items(8, 6, "B.YR.B.."), numerals="formula", save="xlsx", sheet="工作表1",
         features=("序号 as formulas with cached values",)),
    Case("formula_sentence_xls", "综合部重点工作台账", "综合部", "2022-04-05",
         items(6, 20, ".BYR.."), summary="formula", summary_who="综合部", save="xls",
         features=("summary sentence built by a formula",)),
    Case("big_ledger", "规划发展部重点工作台账（汇总）", "规划发展部", "2022-04-05",
         items(40, 0, "BYR.BB.Y..R.BYB...YRB.B..Y.RB..BY.R..B."), save="xlsx", summary_who="规划发展部", instructions_sheet=True,
         features=("40 items",)),
    # ---- genuine errors -----------------------------------------------------------------------------------
    Case("error_empty_target", "海事服务部重点工作台账", "海事服务部", "2022-04-02",
         at(items(5, 8, "B..R."), 3, target=""), features=("genuine error: empty 任务目标",)),
    Case("error_invalid_stars_lo", "污染防治部重点工作台账", "污染防治部", "2022-04-05",
         at(at(items(6, 12, "BY..R."), 1, stars=None, stars_text="★★★★"), 4, stars=None, stars_text="重要程度高"),
         save="xlsx", features=("genuine error: invalid stars",)),
    Case("error_wrong_sentence", "法规科技部重点工作台账", "法规科技部", "2022-04-03",
         items(7, 19, "BRY.B.."), wrong={"red": 2, "none": 2}, features=("genuine error: wrong summary",)),
    Case("error_wrong_sentence_xls", "党群工作部重点工作台账", "党群工作部", "2022-04-06",
         items(6, 29, "B.Y.R."), wrong={"total": 7, "B": 3}, save="xls",
         features=("genuine error: wrong summary, .xls",)),
    Case("error_several_in_one_file", "人事教育部重点工作台账", "人事教育部", "2022-04-01",
         at(at(items(12, 2, "B..YR.B..Y.R"), 3, target=""), 8, source=None, source_text="E"),
         wrong={"3": 9}, features=("genuine errors: empty target, invalid source, wrong sentence",)),
]
