"""``taizhang template``: write the blank 附件2 ledger workbook for departments to fill in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import TaizhangError
from .app import ChineseCommand, app, console, fail, working_on

# Characters Windows does not allow in a file name; the department name becomes part of one.
_BAD_NAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@app.command("template", cls=ChineseCommand, short_help="生成发给各部室的空白附件2台账。")
def template_command(
    *,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", readable=False, metavar="PATH", show_default=False,
        help="输出文件（.xlsx）或文件夹；默认在当前文件夹写“重点工作台账模板.xlsx”"
             "（给了 --department 时为“部室名称重点工作台账.xlsx”）。")] = None,
    department: Annotated[str | None, typer.Option(
        "--department", "-d", metavar="NAME", show_default=False,
        help="部室（单位）名称，写入标题，如“规划发展部”；不给则保留“XX部室（单位）”。")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", metavar="", help="输出文件已存在时覆盖它。")] = False,
) -> None:
    """生成附件2格式的空白重点工作台账（.xlsx），发给各部室（单位）填报。

    模板含标题、填报日期、汇总句、表头、已编序号的空白事项行、“中心分管领导/台账联系人”行、附件2说明和颜色图例；“重要程度”“进度评价”有下拉列表；“评价颜色”列从下拉列表选择蓝色/黄色/红色/不标注，“进度评价”单元格自动着色；汇总句是公式，按台账自动计数；打印为 A4 横向、每页重复表头；第二张工作表为“填报说明”。已存在的文件不会被覆盖，除非加 --force。

    示例：taizhang template -o 规划发展部台账.xlsx --department 规划发展部
    """
    if department is not None:
        department = department.strip()
        if not department:
            fail("--department 不能为空。")
        if _BAD_NAME_CHARS.search(department):
            fail(f"部室名称“{escape(department)}”含有不能用于文件名的字符（\\ / : * ? \" < > |）。")

    # Imported here: openpyxl is heavy, and the other commands start faster without it.
    from ..writing.template import default_filename, write_template

    path = output if output is not None else Path(default_filename(department))
    if path.is_dir():
        path = path / default_filename(department)
    if path.suffix.lower() != ".xlsx":
        fail(f"输出文件须以 .xlsx 结尾：{escape(str(path))}")
    if path.exists() and not force:
        fail(f"{escape(str(path))} 已存在。要覆盖请加 --force，或用 -o 换一个文件名。")

    working_on(path)
    try:
        written = write_template(path, department)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    console.print(f"已生成台账模板：{escape(str(written))}")
    console.print("部室填好后，可用 [bold]taizhang validate 文件名[/] 检查。")
