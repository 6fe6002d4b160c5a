"""The one registry of finding codes, their severity and their Chinese message templates.

A code is dotted, area first; the area is one of ``AREAS``. The README's list of codes is
generated from ``CODES`` (and a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Finding, Severity, construct

AREAS = ("file", "sheet", "header", "item", "stars", "source", "colour", "summary", "numbering", "date", "rule",
         "task")

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Code:
    severity: Severity
    title: str
    template: str


CODES: dict[str, Code] = {
    # --- files that cannot be read at all (the file is "unusable", exit 2) ---
    "file.not_found": Code(E, "文件不存在", "找不到文件 {path}，请检查路径。"),
    "file.not_a_file": Code(E, "不是文件", "{path} 不是台账文件：{what}。请给出台账文件本身。"),
    "file.no_permission": Code(E, "没有读取权限",
                               "没有读取 {path} 的权限。请检查文件的权限（或把文件复制到自己的文件夹中）后再试。"),
    "file.empty": Code(E, "空文件", "文件是空的（0 字节），请重新导出台账后再发送。"),
    "file.not_workbook": Code(E, "不是 Excel 工作簿",
                              "这不是 Excel 工作簿（.xlsx/.xls）{detail}，请用 Excel 或 WPS 另存为 .xlsx 后再发送。"),
    "file.unsupported": Code(E, "不支持的格式", "{detail}，请用 Excel 或 WPS 另存为 .xlsx 后再发送。"),
    "file.corrupt": Code(E, "文件已损坏",
                         "文件已损坏或不完整（{detail}），请用 Excel 或 WPS 打开确认后重新保存、重新发送。"),
    "file.encrypted": Code(E, "文件设有密码",
                           "文件设置了打开密码，无法读取。请在 Excel/WPS 中取消密码（文件→信息→保护工作簿/文档加密）后重新发送。"),
    "file.too_large": Code(E, "文件过大", "{detail}，超过了台账文件的合理大小，请只保留台账工作表后再发送。"),
    "file.unsafe": Code(E, "文件含不安全内容",
                        "文件含有不安全的 XML 内容（{detail}），已拒绝读取。请把台账内容复制到新的工作簿后再发送。"),
    "file.duplicate_department": Code(E, "部室重复报送",
                                      "部室“{department}”有 {count} 份台账：{files}{detail}。一个部室每月只报送一份，"
                                      "请保留正确的一份，把其余的移出收件文件夹后重新汇总。"),
    "file.unreadable": Code(E, "读取出错",
                            "读取文件时出错（{detail}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试；仍不行请把文件交给技术人员。"),
    "sheet.not_found": Code(E, "找不到台账工作表",
                            "没有找到附件2格式的台账：任何可见工作表的前 30 行中都没有“序号、工作事项、任务目标、推进情况、进度评价……”表头行{detail}。请使用 taizhang template 生成的模板填报。"),
    "sheet.another_ledger": Code(W, "有多张台账工作表",
                                 "工作表“{others}”也是台账，只读取了第一张“{sheet_name}”。一个文件请只报一张台账；其余请另存为文件或删除。"),
    "sheet.month_chosen": Code(W, "工作簿有多个月份的台账",
                               "工作簿中有多个月份的台账：{sheets}。按{how}读取了工作表“{sheet_name}”，其余工作表未读取。"),
    "sheet.month_not_found": Code(E, "没有该月份的台账",
                                  "工作簿中有多个月份的台账：{sheets}，但没有{month}的台账，未汇总这个文件。请补上{month}的台账"
                                  "（工作表名写明月份，如“4月”，并填写填报日期），或用 --month 指定要汇总的月份。"),
    "header.missing_column": Code(E, "缺少表头列", "表头缺少“{label}”列，请按附件2补上这一列。"),
    "header.duplicate_column": Code(W, "表头列重复", "表头“{label}”出现了两次（{cells}），只读取第一列。"),
    "header.department_missing": Code(W, "无法确定部室",
                                      "标题中没有部室名称（应为“××部重点工作台账”），表头上方没有“填报单位：…”，文件名中也没有；请在标题中写明部室名称。"),
    "header.department_mapped": Code(W, "部室名称与名单不一致",
                                     "部室名称“{written}”已按部室名单中的“{roster}”读取；请在标题中写部室名单中的名称“{roster}”。"),
    # --- items ---
    "item.required": Code(E, "必填项为空",
                          "第{row}行“{label}”为空。通知要求逐一明确责任领导、责任人员、任务目标，请填写{hint}。"),
    "item.duplicate": Code(W, "事项重复", "工作事项“{name}”与第{other}行重复，请合并为一项或区分表述。"),
    "item.example_row": Code(W, "模板示例行未删除", "第{row}行是模板的示例行（“{text}”），未计入台账，请删除。"),
    "item.formula_uncached": Code(W, "公式没有计算结果",
                                  "单元格是公式（{formula}）但文件中没有保存计算结果，按空值读取。请在 Excel/WPS 中打开、保存后再发送，或直接填写数值。"),
    "item.id_duplicate": Code(W, "事项编号重复",
                              "第{row}行与第{other}行的隐藏“事项编号”相同（{item_id}），多半是复制了已有事项的整行。"
                              "汇总时只有与原事项表述最接近的一行算作原事项，其余按新增事项处理；新增事项请填在空白行或新插入的行中，"
                              "不要复制已有事项的行。"),
    "item.id_elsewhere": Code(W, "事项编号出现在其他部室台账中",
                              "第{row}行的隐藏“事项编号”（{item_id}）也出现在“{other}”的台账（{file}）中，多半是从其他部室的台账复制了行。"
                              "事项编号只对原部室的事项有效，本行按表述比对或按新增事项处理；请核实本事项是否属于本部室。"),
    "item.struck": Code(W, "事项整行加了删除线", "第{row}行整行文字加了删除线{detail}。"),
    "item.hidden": Code(W, "事项行被隐藏", "第{row}行被隐藏{detail}。"),
    # --- 重要程度 ---
    "stars.invalid": Code(E, "重要程度无法识别", "重要程度“{value}”无法识别，只能填 ★★★、★★ 或 ★。"),
    "stars.missing": Code(E, "重要程度为空", "第{row}行重要程度为空，请填 ★★★、★★ 或 ★。"),
    "stars.normalised": Code(W, "重要程度写法不规范", "重要程度“{value}”已按“{normal}”读取，请改为规范写法“{normal}”。"),
    # --- 任务来源 ---
    "source.invalid": Code(E, "任务来源无法识别",
                           "任务来源“{value}”无法识别，只能填 A、B、C、D 中的一个或几个字母（如 A 或 BC）。"),
    "source.missing": Code(E, "任务来源为空", "第{row}行任务来源为空，请填 A、B、C、D 中的一个或几个字母。"),
    "source.normalised": Code(W, "任务来源写法不规范", "任务来源“{value}”已按“{normal}”读取，请改为“{normal}”。"),
    # --- 进度评价 colours ---
    "colour.invalid": Code(E, "颜色不在规定范围",
                           "{where}标注了{name}，只允许蓝色（进展较快）、黄色（中间位次/较好等次）、红色（进度缓慢）或不标颜色，请改用其中一种。"),
    "colour.conflict": Code(E, "颜色与文字矛盾",
                            "进度评价填充为{fill}，文字却写“{text}”（{said}），请统一：改填充色或改文字。"),
    "colour.font_only": Code(W, "只用字体颜色标注",
                             "{where}只把字体设成了{name}，已按{name}读取；请改为给进度评价单元格填充{name}底色。"),
    "colour.cells_conflict": Code(W, "同一事项颜色不一致",
                                  "同一事项的 {first} 标注为{first_name}、{second} 标注为{second_name}，已按{chosen}读取；"
                                  "请只用一种颜色（建议给进度评价单元格填充）。"),
    "colour.cf_unevaluated": Code(W, "条件格式无法判断",
                                  "区域 {range} 的条件格式（{kind}）taizhang 无法判断会显示什么颜色，其中事项的颜色可能没有读出；"
                                  "请人工核对，或直接给进度评价单元格填充颜色。"),
    "colour.choice_conflict": Code(E, "评价颜色与标注矛盾",
                                   "“评价颜色”选择了{choice}，进度评价文字却写“{text}”（表示{said}），"
                                   "请统一：改“评价颜色”的选择，或改进度评价文字。"),
    "colour.choice_missing": Code(W, "评价颜色没有选择",
                                  "{marked} 手工标注了{name}，但“评价颜色”没有选择；模板的汇总句按“评价颜色”计数，"
                                  "请在本单元格选择“{choice}”。"),
    "colour.ambiguous": Code(W, "颜色文字不明确",
                             "进度评价文字“{text}”同时提到几种颜色，无法判断，已按未标注读取；请只写一种颜色或用填充色标注。"),
    # --- the department's own summary sentence ---
    "summary.mismatch": Code(E, "账实不符",
                             "汇总句写{label}{stated}项，台账中实际为{actual}项，请按台账改正汇总句。"),
    "summary.uncertain": Code(W, "汇总句与台账不一致（待核对）",
                              "汇总句写{label}{stated}项，台账中读出{actual}项；差异可能来自 taizhang 没有把握读取的事项："
                              "{items}。请人工核对这些事项，不作为账实不符。"),
    "summary.missing": Code(W, "没有汇总句",
                            "没有找到汇总句（“截至…共梳理重点工作×项，其中从星标看…”），请按模板填写。"),
    "summary.formula_uncached": Code(W, "汇总句公式没有计算结果",
                                     "汇总句是公式，但文件中没有保存计算结果，无法与台账核对。"
                                     "请在 Excel/WPS 中打开并保存后再发送。"),
    "summary.unfilled": Code(W, "汇总句未填写", "汇总句仍是模板占位（含“×”），请填写实际数字。"),
    # --- 序号 ---
    "numbering.gap": Code(W, "序号不连续", "序号从{prev}跳到了{this}，请连续编号。"),
    "numbering.repeat": Code(W, "序号重复", "序号{this}与第{other}行重复，请重新编号。"),
    "numbering.invalid": Code(W, "序号不是数字", "序号“{value}”不是数字，请填写 1、2、3……"),
    # --- 填报日期 ---
    "date.missing": Code(W, "没有填报日期", "没有找到“填报日期”，请在表头上方填写，如“填报日期：2022年4月3日”。"),
    "date.unfilled": Code(W, "填报日期未填写", "填报日期仍是模板占位“{value}”，请填写实际日期，如“2022年4月3日”。"),
    "date.year_inferred": Code(W, "填报日期没有年份",
                               "填报日期“{value}”没有写年份，已按{source}中的 {year} 年读作{date}；请写全，如“{date}”。"),
    "date.unreadable": Code(W, "填报日期无法识别", "填报日期“{value}”{why}，请写成“2022年4月3日”。"),
    # --- consistency rules of the 说明 ---
    "rule.top_stars_own_source": Code(W, "星级与来源不符",
                                      "重要程度 ★★★（特别重要）但任务来源只有 C（部室安排重点工作），请核对星级或来源。"),
    "rule.state_source_one_star": Code(W, "星级与来源不符",
                                       "任务来源含 A（国家及省市级层面安排事项）但重要程度只有 ★，请核对星级或来源。"),
    "rule.should_be_red": Code(W, "应标红色",
                               "推进情况写有“{words}”，按说明第3条应标红色，现为{current}，请核对。"),
    "rule.should_be_blue": Code(W, "应标蓝色",
                                "推进情况写有“{words}”，按说明第3条应标蓝色，现为{current}，请核对。"),
    # --- merge --tasks: the centre's task list against the ledgers (通知 五: 应纳未纳) ---
    "task.not_listed": Code(E, "应纳未纳",
                            "任务清单中{department}的任务“{task}”{about}未纳入{department}本月台账{closest}{elsewhere}。"
                            "通知第五条要求各条工作线安排部署的工作任务全部纳入台账管理，请补录。"),
    "task.uncertain_match": Code(W, "任务与台账事项相近（待核对）",
                                 "任务清单中{department}的任务“{task}”在{department}台账中只找到相近的事项“{item}”"
                                 "（相似度{similarity}），请人工核对是否为同一事项；不是的话应补录。"),
    "task.formula_uncached": Code(W, "任务是没有计算结果的公式",
                                  "任务清单中这项任务是公式（{formula}），但文件中没有保存计算结果，无法核对是否纳入台账。"
                                  "请在 Excel/WPS 中打开任务清单、保存后再汇总，或直接填写任务名称。"),
    "task.no_department": Code(W, "任务没有责任部室",
                               "任务清单中的任务“{task}”没有写责任部室，无法核对是否纳入台账，请在任务清单中补上。"),
}


def finding(code: str, *, sheet: str | None = None, cell: str | None = None,
            value: object = None, **fields: object) -> Finding:
    """Build a Finding from the registry; ``fields`` fill the message template."""
    spec = CODES[code]
    # Built without validation (every value is of its type): no validator built in each worker.
    return construct(Finding, {
        "severity": spec.severity,
        "code": code,
        "sheet": sheet,
        "cell": cell,
        "message": spec.template.format(value=_quoted(value), **fields),
        "value": None if value is None else str(value),
    })


QUOTED_CHARS = 60  # of a cell's value in a message; the finding's value field keeps all of it


def _quoted(value: object) -> object:
    """A cell's value as a message quotes it: a megabyte-long cell would make the message (and the
    terminal table, and the 问题清单 sheet) a megabyte long; its start says which cell is meant."""
    if isinstance(value, str) and len(value) > QUOTED_CHARS:
        return f"{value[:QUOTED_CHARS]}…（共{len(value)}字）"
    return value


# --------------------------------------------------------------------------------------------
# [rules] of taizhang.toml: a code (or a whole area) switched off or given another severity
# --------------------------------------------------------------------------------------------

RULE_LEVELS: dict[str, Severity | None] = {"off": None, "warning": W, "error": E}

# A file that cannot be read at all is not a rule that can be relaxed: nothing was checked.
FIXED_CODES = frozenset({*(c for c in CODES if c.startswith("file.")), "sheet.not_found", "sheet.month_not_found"})
# Differences that come from what taizhang itself could not read with confidence: 通知 五 blames the
# clerk only for what was read with confidence, so these can never be made errors.
NEVER_ERRORS = frozenset({"summary.uncertain", "colour.cf_unevaluated", "task.uncertain_match"})


class RuleSettingError(ValueError):
    """One wrong entry of ``[rules]``: ``key`` is the entry, the message is Chinese."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class RuleConfig:
    """What ``[rules]`` changes: code → new severity, or None for a code switched off.

    Built from the table by ``from_table`` (area keys such as ``numbering`` expanded to their
    codes; a code's own entry wins over its area's). Empty: every code as in ``CODES``.
    """

    levels: tuple[tuple[str, Severity | None], ...] = ()

    @classmethod
    def from_table(cls, table: dict[str, str] | None) -> RuleConfig:
        """Check and resolve a ``[rules]`` table; a ``RuleSettingError`` names the wrong entry."""
        if not table:
            return cls()
        by_code: dict[str, Severity | None] = {}
        by_area: dict[str, Severity | None] = {}
        for key, value in table.items():
            level = _level(key, value)
            if key in CODES:
                if key in FIXED_CODES:
                    raise RuleSettingError(key, f"“{key}”（{CODES[key].title}）是文件无法读取的错误，不是可以关闭或"
                                                "改级别的规则：文件读不出来，就没有任何检查可做。")
                _check_level(key, level)
                by_code[key] = level
            elif key in AREAS:
                codes = [c for c in CODES if c.split(".")[0] == key and c not in FIXED_CODES]
                if not codes:
                    raise RuleSettingError(key, f"“{key}”类问题都是文件无法读取的错误，不能关闭或改级别。")
                for code in codes:
                    if not (level is E and code in NEVER_ERRORS):
                        by_area[code] = level
            else:
                raise RuleSettingError(key, f"不认识的问题代码“{key}”。可以写问题代码（如 \"rule.should_be_red\"，"
                                            "见 README 的问题代码表）或一类问题（" + "、".join(AREAS[1:]) + "）。")
        merged = {**by_area, **by_code}
        return cls(tuple((code, level) for code, level in merged.items() if level is not CODES[code].severity))

    def __bool__(self) -> bool:
        return bool(self.levels)

    def level(self, code: str) -> Severity | None:
        """The severity ``code`` is reported with (None: switched off)."""
        for c, level in self.levels:
            if c == code:
                return level
        return CODES[code].severity if code in CODES else None

    def switched_off(self, codes: tuple[str, ...]) -> bool:
        """Whether every one of ``codes`` is off (a check of only those need not run)."""
        off = {c for c, level in self.levels if level is None}
        return bool(codes) and all(c in off for c in codes)

    def adjust(self, findings: list[Finding]) -> list[Finding]:
        """``findings`` without the codes switched off, with the severities changed."""
        if not self.levels:
            return findings
        levels = dict(self.levels)
        kept: list[Finding] = []
        for f in findings:
            if f.code not in levels:
                kept.append(f)
            elif (level := levels[f.code]) is not None:
                kept.append(f.model_copy(update={"severity": level}))
        return kept


def _level(key: str, value: object) -> Severity | None:
    if not isinstance(value, str) or value.strip().lower() not in RULE_LEVELS:
        shown = f"“{value}”" if isinstance(value, str) else "不是文字"
        raise RuleSettingError(key, f"“{key}”的设置{shown}不对，只能是 \"off\"（关闭）、\"warning\"（提示）"
                                    "或 \"error\"（错误）。")
    return RULE_LEVELS[value.strip().lower()]


def _check_level(code: str, level: Severity | None) -> None:
    if level is E and code in NEVER_ERRORS:
        raise RuleSettingError(code, f"“{code}”（{CODES[code].title}）来自 taizhang 没有把握读出的内容，"
                                     "不能设为错误（通知第五条的账实不符只针对确实读出的内容），只能是 \"off\" 或 \"warning\"。")
