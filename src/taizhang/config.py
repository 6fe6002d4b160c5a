"""``taizhang.toml``: the centre's name, the monthly deadline and the roster of departments.

Found by ``--config PATH``, else ``taizhang.toml`` in the current folder; without one the
defaults apply and no roster check is made (``Config.path`` is then ``None``). Every mistake in
the file is a ``ConfigError`` whose Chinese message names the key and its line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ConfigError
from .findings import RuleConfig, RuleSettingError
from .models import ASSESSMENT_FIGURES, ISSUER, Config, StatsConfig

CONFIG_NAME = "taizhang.toml"

# 通知 附件1: the departments whose heads sit on the 督查考核领导小组, in the notice's order.
NOTICE_DEPARTMENTS: tuple[str, ...] = (
    "综合部", "人力资源部", "党群工作部", "财务部", "规划发展部", "污染防治部", "工程建设部",
    "船舶检验服务部", "智慧港航部", "水运服务部", "海事服务部", "应急救援服务部",
)

# The Chinese name of each key, for messages.
KEY_LABELS = {
    "center": "中心名称",
    "deadline_day": "每月报送截止日",
    "departments": "部室名单",
    "progress_basis": "序时进度计算方式",
    "prepare_keep_colours": "预填下月台账时是否保留上月进度评价颜色",
    "rules": "检查规则的开关与级别",
    "paper": "汇总表纸张",
    "issuer": "发文机关署名",
    "leaders": "中心分管领导及其分管部室",
    "stats": "全年统计",
}
# The keys of [stats], for messages.
STATS_LABELS = {
    "assessment": "考核表的统计项",
    "red_streak": "连续标红几个月起列为长期标红",
}


def load_config(path: Path | None, cwd: Path | None = None) -> Config:
    """The settings: from ``path`` (``--config``), else ``taizhang.toml`` in ``cwd``, else defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"找不到配置文件 {path}。可用 taizhang init 在当前文件夹生成一个。")
    if path.is_dir():
        raise ConfigError(f"配置文件 {path} 是一个文件夹，请给出 taizhang.toml 文件的路径。")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")  # Windows Notepad may add a BOM
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码，请用记事本“另存为”UTF-8 编码后重试。") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(path, str(exc))) from None
    return _from_data(data, text, path)


def _from_data(data: dict[str, Any], text: str, path: Path) -> Config:
    allowed = [name for name in Config.model_fields if name != "path"]
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{path} {_where(text, key)}：不认识的设置“{key}”。可用的设置有："
                + "、".join(f"{k}（{KEY_LABELS[k]}）" for k in allowed) + "。"
            )
    if "rules" in data:
        data = {**data, "rules": _rules_table(data["rules"], text, path)}
    if "stats" in data:
        data = {**data, "stats": _stats_table(data["stats"], text, path)}
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        raise ConfigError(
            f"{path} {_where(text, key)}：{key}（{KEY_LABELS.get(key, key)}）{_explain(key, err)}"
        ) from None
    config.path = path
    return config


def _rules_table(value: object, text: str, path: Path) -> dict[str, str]:
    """``[rules]`` as code → level, checked; a dotted key written without quotes
    (``rule.should_be_red = "off"``) is a nested table in TOML and is read back as the code."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path} {_where(text, 'rules')}：rules（{KEY_LABELS['rules']}）应写成一个表，例如\n"
                          "[rules]\n\"rule.should_be_red\" = \"off\"")
    flat: dict[str, object] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, item in table.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(item, dict):
                walk(name, item)
            else:
                flat[name] = item

    walk("", value)
    try:
        RuleConfig.from_table(flat)  # type: ignore[arg-type]  # the values are checked here
    except RuleSettingError as exc:
        last = exc.key.rsplit(".", 1)[-1]
        line = line_of(text, exc.key) or line_of(text, last)
        where = f"第 {line} 行" if line is not None else "[rules] 中"
        raise ConfigError(f"{path} {where}：[rules] {exc}") from None
    return {k: str(v).strip().lower() for k, v in flat.items()}


def _stats_table(value: object, text: str, path: Path) -> StatsConfig:
    """``[stats]`` checked key by key, each mistake named with its line."""
    example = '[stats]\nassessment = ["late", "missing", "red_months", "errors"]\nred_streak = 3'
    if not isinstance(value, dict):
        raise ConfigError(f"{path} {_where(text, 'stats')}：stats（{KEY_LABELS['stats']}）应写成一个表，例如\n{example}")
    for key in value:
        if key not in STATS_LABELS:
            raise ConfigError(f"{path} {_where(text, key)}：[stats] 中不认识的设置“{key}”。可用的设置有："
                              + "、".join(f"{k}（{v}）" for k, v in STATS_LABELS.items()) + "。")
    try:
        return StatsConfig.model_validate(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        where = _where(text, key) if key else _where(text, "stats")
        if key == "red_streak":
            why = "应为 1 以上的整数（连续标红几个月起列出），例如 red_streak = 3。"
        else:
            names = "、".join(f"\"{k}\"（{v}）" for k, v in ASSESSMENT_FIGURES.items())
            detail = str(err.get("ctx", {}).get("error", "")) if err.get("type") == "value_error" else "应为列表"
            why = f"有误：{detail}。可用的统计项有：{names}。"
        raise ConfigError(f"{path} {where}：[stats] {key}（{STATS_LABELS.get(key, key)}）{why}") from None


def _explain(key: str, err: Any) -> str:
    """A Chinese explanation of one pydantic error."""
    kind = err.get("type", "")
    if key == "deadline_day":
        return "应为 1 到 28 之间的整数（每月几日前报送），例如 deadline_day = 5。"
    if key == "progress_basis":
        return "只能是 \"month\"（按月计算序时进度）或 \"day\"（按天计算）。"
    if key == "departments":
        if kind == "value_error":
            return f"有误：{str(err.get('ctx', {}).get('error', err.get('msg', '')))}。"
        return "应为部室名称的列表，例如 departments = [\"综合部\", \"规划发展部\"]。"
    if key == "prepare_keep_colours":
        return "应为 true（保留上月的进度评价及颜色）或 false（清空，由部室重新评价）。"
    if key == "paper":
        return "只能是 \"A4\" 或 \"A3\"（汇总表按哪种纸张排版），例如 paper = \"A3\"。"
    if key == "issuer":
        if kind == "value_error":
            return "不能为空，例如 issuer = \"济宁市港航事业发展中心重点工作督查考核领导小组\"。"
        return "应为文字，例如 issuer = \"济宁市港航事业发展中心重点工作督查考核领导小组\"。"
    if key == "leaders":
        if kind == "value_error":
            return f"有误：{str(err.get('ctx', {}).get('error', err.get('msg', '')))}。"
        return "应写成一个表，每位中心分管领导一行，列出其分管的部室，例如\n[leaders]\n\"张三\" = [\"综合部\", \"财务部\"]"
    if key == "center":
        if kind == "value_error":
            return "不能为空，例如 center = \"市港航事业发展中心\"。"
        return "应为文字，例如 center = \"市港航事业发展中心\"。"
    return f"有误：{err.get('msg', '')}"


def line_of(text: str, key: str) -> int | None:
    """The line (1-based) where ``key = …`` (or a ``[key]`` table) is written, if found."""
    if not key:
        return None
    quoted = re.escape(key)
    pattern = re.compile(rf"^\s*(?:{quoted}|\"{quoted}\"|'{quoted}')\s*=|^\s*\[+\s*{quoted}\s*\]+")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def _where(text: str, key: str) -> str:
    number = line_of(text, key)
    return f"第 {number} 行" if number is not None else f"设置“{key}”处"


_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _syntax_message(path: Path, message: str) -> str:
    m = _TOML_LINE.search(message)
    detail = _TOML_LINE.sub("", message).strip()
    if m:
        return (f"{path} 第 {m.group(1)} 行第 {m.group(2)} 列有 TOML 语法错误（{detail}）。"
                "请检查引号、方括号和等号，文字要用英文双引号括起来，例如 center = \"市港航事业发展中心\"。")
    return f"{path} 有 TOML 语法错误（{message}）。"


def init_text() -> str:
    """A commented starting ``taizhang.toml`` with the roster of the notice's 附件1."""
    roster = "\n".join(f'    "{name}",' for name in NOTICE_DEPARTMENTS)
    return f"""\
# taizhang 配置文件（重点工作台账工具）
# 依据《关于建立健全重点工作台账制度的通知》（济航〔2022〕13号）。
# 文字请用英文双引号括起来；以 # 开头的行是说明，不起作用。

# 中心名称：写入汇总句“截至……，市港航事业发展中心共梳理重点工作×项……”。
center = "市港航事业发展中心"

# 每月报送截止日：通知要求“自4月起，重点工作台账要每月5日前上报中心综合部”。
# 填报日期晚于当月这一天的台账，汇总时标为“逾期”（1 到 28）。
deadline_day = 5

# 部室名单：每月必须报送台账的部室（通知附件1）。汇总时，名单中没有台账的部室标为“未报送”；
# 台账标题或文件名中的简称、近似写法（如“规划部”“规划发展部（单位）”）按名单中的名称归并。
# 删掉这一项（或留空）则不检查未报送。
departments = [
{roster}
]

# 发文机关署名：督查通报末尾的署名，成文日期（taizhang report --date，默认当天）写在其下，
# 按 GB/T 9704 右空四字、署名以成文日期为准居中。默认为通知中的领导小组名称。
issuer = "{ISSUER}"

# 督查通报中“序时进度”的算法："month" 按已过整月数（4月报送的台账对应1—3月，为 3/12），"day" 按填报日期已过天数占全年天数。
progress_basis = "month"

# taizhang prepare 预填下月台账时，是否保留上月的“进度评价”文字和颜色：
# false（默认）清空，由部室按本月进展重新评价；true 保留上月的，部室只改有变化的。
prepare_keep_colours = false
# 汇总表的纸张（横向）："A4" 或 "A3"。A4 上台账按 100% 打印（正文 11 磅）；A3 的各栏更宽、页数更少。
paper = "A4"
# 中心分管领导及其分管的部室（通知第四条）：taizhang report --by-leader 为每位领导写一份分管部室的摘要。
# 不写时按各台账底部“中心分管领导：×××”归属；写了的以这里为准。需要时去掉下面几行开头的 #：
# [leaders]
# "张三" = ["综合部", "智慧港航部"]
# "李四" = ["规划发展部", "工程建设部"]

# 检查规则的开关与级别：按问题代码（见 README 的问题代码表）或一类问题（如 numbering）关闭某条检查（"off"），
# 或改为提示（"warning"）、错误（"error"）。需要时去掉下面几行开头的 #：
# [rules]
# "rule.should_be_red" = "off"
# "item.required" = "warning"

# 全年统计（taizhang stats）：考核表列出哪些统计项、连续标红几个月起列为长期标红。需要时去掉开头的 #：
# [stats]
# assessment = ["on_time", "late", "missing", "errors", "new", "closed", "red_months", "red_streaks"]
# red_streak = 3
"""
