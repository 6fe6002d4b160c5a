"""taizhang: 重点工作台账的校验、汇总与督查通报。

The library a Python user calls::

    from pathlib import Path
    import taizhang

    report = taizhang.validate_file(Path("规划发展部重点工作台账.xlsx"))
    config = taizhang.load_config(Path("taizhang.toml"))
    merged = taizhang.merge_inbox(Path("收件箱/2022-04"), config=config)
    with taizhang.Store(Path("台账历史.sqlite")) as store:
        store.save_month(taizhang.snapshot_of(merged, config))
        month = taizhang.build_report(store, merged.month, config=config)
    taizhang.write_bulletin_docx(month, Path("督查通报-2022-04.docx"))

Every name is imported on first use (module ``__getattr__``): ``import taizhang`` loads none of
pydantic, openpyxl, python-docx or pandas, so ``taizhang validate`` starts as fast as before.
"""

# Not ``typing.TYPE_CHECKING``: importing typing (and re) would cost ten times ``import taizhang`` itself;
# type checkers read a module-level TYPE_CHECKING = False the same way.
TYPE_CHECKING = False

__version__ = "0.1.0"

# name -> the module (under taizhang) that defines it.
_EXPORTS: dict[str, str] = {
    # validate
    "validate_file": "validate",
    "validate_files": "validate",
    # merge
    "merge_inbox": "merge",
    "snapshot_of": "merge",
    # merge an inbox, write the workbook and record the month: what `taizhang merge` does
    "merge_and_save": "saving",
    "NothingToMerge": "saving",
    "MonthNotStored": "saving",
    "write_consolidated": "writing.consolidated",
    # 应纳未纳: the centre's task list against the ledgers (merge --tasks)
    "read_tasks": "tasks",
    "check_tasks": "tasks",
    "TaskCheck": "models",
    # rules: [rules] settings, and the registry a new check is added to
    "RuleConfig": "findings",
    "item_rule": "checks",
    "ledger_rule": "checks",
    # report
    "build_report": "report",
    "bulletin_sections": "report",
    "write_bulletin_docx": "writing.bulletin_docx",
    "write_bulletin_xlsx": "writing.bulletin_xlsx",
    # the monthly cycle: next month's pre-filled workbooks, the reminder
    "prepare_month": "prepare",
    "remind_month": "remind",
    "PrepareResult": "models",
    "RemindResult": "models",
    # the year's statistics: what `taizhang stats` does
    "build_stats": "stats",
    "write_stats_xlsx": "writing.stats_xlsx",
    "YearStats": "models",
    # leaders' digests (report --by-leader)
    "leader_digests": "digest",
    "write_digest_docx": "writing.digest_docx",
    "LeaderDigest": "models",
    "LeaderDigests": "models",
    # config and store
    "load_config": "config",
    "Config": "models",
    "Store": "store",
    # errors
    "TaizhangError": "errors",
    # the models
    "Severity": "models",
    "Colour": "models",
    "Finding": "models",
    "Item": "models",
    "Counts": "models",
    "FileReport": "models",
    "ValidationResult": "models",
    "MergeResult": "models",
    "MonthSnapshot": "models",
    "MonthReport": "models",
    "DepartmentReport": "models",
    "ProgressFlag": "models",
    "BulletinSection": "models",
    "SectionRow": "models",
}

__all__ = [
    "__version__",
    "validate_file",
    "validate_files",
    "merge_inbox",
    "merge_and_save",
    "NothingToMerge",
    "MonthNotStored",
    "snapshot_of",
    "write_consolidated",
    "read_tasks",
    "check_tasks",
    "TaskCheck",
    "build_report",
    "bulletin_sections",
    "write_bulletin_docx",
    "write_bulletin_xlsx",
    "prepare_month",
    "remind_month",
    "PrepareResult",
    "RemindResult",
    "build_stats",
    "write_stats_xlsx",
    "YearStats",
    "leader_digests",
    "write_digest_docx",
    "LeaderDigest",
    "LeaderDigests",
    "load_config",
    "Config",
    "RuleConfig",
    "item_rule",
    "ledger_rule",
    "Store",
    "TaizhangError",
    "Severity",
    "Colour",
    "Finding",
    "Item",
    "Counts",
    "FileReport",
    "ValidationResult",
    "MergeResult",
    "MonthSnapshot",
    "MonthReport",
    "DepartmentReport",
    "ProgressFlag",
    "BulletinSection",
    "SectionRow",
]


def __getattr__(name: str) -> "Any":
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'taizhang' has no attribute {name!r}")
    from importlib import import_module  # here: importlib (and warnings) are not free at startup

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next access does not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what the names are, for type checkers and editors (never run)
    from typing import Any

    from .checks import item_rule, ledger_rule
    from .config import load_config
    from .digest import leader_digests
    from .errors import TaizhangError
    from .findings import RuleConfig
    from .merge import merge_inbox, snapshot_of
    from .models import (
        BulletinSection,
        Colour,
        Config,
        Counts,
        DepartmentReport,
        FileReport,
        Finding,
        Item,
        LeaderDigest,
        LeaderDigests,
        MergeResult,
        MonthReport,
        MonthSnapshot,
        PrepareResult,
        ProgressFlag,
        RemindResult,
        SectionRow,
        Severity,
        TaskCheck,
        ValidationResult,
        YearStats,
    )
    from .prepare import prepare_month
    from .remind import remind_month
    from .report import build_report, bulletin_sections
    from .saving import MonthNotStored, NothingToMerge, merge_and_save
    from .stats import build_stats
    from .store import Store
    from .tasks import check_tasks, read_tasks
    from .validate import validate_file, validate_files
    from .writing.bulletin_docx import write_bulletin_docx
    from .writing.bulletin_xlsx import write_bulletin_xlsx
    from .writing.consolidated import write_consolidated
    from .writing.digest_docx import write_digest_docx
    from .writing.stats_xlsx import write_stats_xlsx
