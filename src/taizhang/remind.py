"""``taizhang remind``: after the deadline (通知: 自4月起，重点工作台账要每月5日前上报中心综合部), the
roster departments whose ledger for the month is not in the inbox, with a ready-to-send 催报 text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import rules
from .config import Config
from .errors import TaizhangError
from .merge import MERGED_REASON, deadline_of, merge_inbox, resolve_departments
from .models import RemindResult

NOTICE = "《关于建立健全重点工作台账制度的通知》（济航〔2022〕13号）"


def remind_month(inbox: Path, month: str, *, config: Config, today: dt.date | None = None) -> RemindResult:
    """Who of the roster has not handed in ``month``'s ledger to ``inbox`` by ``today``.

    A file that cannot be read still counts as handed in when its name names the department (it is
    listed in ``unreadable``: ask for it again, but not as late). A ledger whose 填报日期 is on or
    before last month's deadline is last month's: it does not count (listed in ``stale``). ``text`` is the 催报 text once the
    deadline has passed and someone is missing; before it, ``late`` is False and there is no text.
    """
    month = rules.require_month(month)
    today = today or dt.date.today()
    deadline = deadline_of(month, config)
    result = RemindResult(month=month, deadline=deadline.isoformat(), today=today.isoformat(),
                          late=today > deadline, roster_checked=config.roster_checked)
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise TaizhangError(f"收件文件夹 {inbox} 不存在或不是文件夹。")
    received: list[str] = []
    try:
        merged = merge_inbox(inbox, config=config, month=month, date=today)
    except TaizhangError:
        pass  # no workbook in the inbox yet: nothing received
    else:
        # A ledger dated by last month's deadline is last month's, left in (or copied to) this inbox.
        before = deadline_of(rules.previous_month(month), config)
        stale = [d for d in merged.departments if d.date and dt.date.fromisoformat(d.date) <= before]
        result.stale = [d.file for d in stale]
        received = [d.department for d in merged.departments if d not in stale]
        unreadable = [s.file for s in merged.skipped if s.reason != MERGED_REASON and s.code]
        result.unreadable = unreadable
        named = [rules.department_from_filename(Path(f).stem) for f in unreadable]
        received += [n for n in resolve_departments(named, config.departments) if n]
    roster = config.departments
    result.received = [d for d in roster if d in received]
    result.missing = [d for d in roster if d not in received]
    if result.late and result.missing:
        result.text = reminder_text(result)
    return result


def reminder_text(result: RemindResult) -> str:
    """The 催报 text to send to the missing departments, naming the notice's deadline."""
    deadline = dt.date.fromisoformat(result.deadline)
    today = dt.date.fromisoformat(result.today)
    month = rules.month_cn(result.month)
    due = rules.format_date_cn(deadline.year, deadline.month, deadline.day)
    now = rules.format_date_cn(today.year, today.month, today.day)
    days = (today - deadline).days
    return "\n".join((
        f"关于报送{month}重点工作台账的提醒",
        "",
        f"{'、'.join(result.missing)}：",
        f"    根据{NOTICE}“自4月起，重点工作台账要每月{deadline.day}日前上报{rules.REPORT_OFFICE}”的要求，"
        f"{month}重点工作台账应于{due}前报送。截至{now}，{rules.REPORT_OFFICE}尚未收到你部室（单位）的台账，"
        f"已逾期{days}天。请按附件2格式抓紧填报：更新推进情况和进度评价，对已完成的事项销号，及时补录新事项，"
        f"于收到本提醒后尽快报送{rules.REPORT_OFFICE}。台账数据务必实事求是，严禁瞒报漏报。",
        f"    {rules.CONTACT_TEXT}",
        "",
        f"{rules.REPORT_OFFICE}",
        now,
    ))
