"""Leaders' digests (通知 四): each 中心分管领导 gets the month of the departments they supervise.

通知 四: 中心领导班子成员对分管科室、单位的重点工作台账及时调度. Who supervises which department
comes from taizhang.toml's ``[leaders]`` (leader → departments) and from the ledgers' footer
``中心分管领导：×××``; the table wins, the footers fill in the departments it does not name, and a
footer that names someone else is reported as a warning. Each digest carries its departments'
reports (red and yellow items, changes since last month), their persistent reds, and what 通知 五
makes grounds for 通报批评: 账实不符 (``summary.mismatch``) and 应纳未纳 (``task.not_listed``).

``writing/digest_docx.py`` renders a digest; the CLI (``report --by-leader``) only writes the files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .models import Assignment, Config, Counts, LeaderDigest, LeaderDigests, MonthReport, MonthSnapshot
from .report import build_report
from .rules import split_names

if TYPE_CHECKING:
    from .store import Store


def leader_digests(store: Store, month: str, *, config: Config) -> LeaderDigests:
    """The digests of a stored ``month``: one per 中心分管领导 (``StoreError`` when not stored)."""
    report = build_report(store, month, config=config)
    snapshot = store.load_month(month)
    previous = store.load_month(report.previous) if report.previous else None
    return digests_of(report, snapshot, footers=store.center_leaders(month), config=config,
                      previous_snapshot=previous)


def digests_of(report: MonthReport, snapshot: MonthSnapshot, *, footers: Mapping[str, str], config: Config,
               previous_snapshot: MonthSnapshot | None = None) -> LeaderDigests:
    """The digests of a month's report (pure): ``footers`` is department → the footer's 中心分管领导."""
    names = [d.department for d in report.departments]
    out = LeaderDigests(month=report.month, previous=report.previous, center=report.center)
    assigned: dict[str, dict[str, Assignment]] = {}  # leader -> department -> source

    # taizhang.toml first: it wins over the footers.
    from_config: dict[str, list[str]] = {}
    for leader, listed in config.leaders.items():
        for written in listed:
            found = _resolve(written, names)
            if found is None:
                out.warnings.append(f"taizhang.toml 的 [leaders] 中“{leader}”分管的“{written}”本月没有台账，"
                                    "也不在部室名单中，请核对部室名称。")
                continue
            assigned.setdefault(leader, {})[found] = "config"
            from_config.setdefault(found, []).append(leader)
    for department in names:
        signed = footers.get(department)
        footer = [_clean(n) for n in split_names(signed)] if signed else []
        if department in from_config:
            others = [n for n in footer if n not in from_config[department]]
            if others:
                out.warnings.append(
                    f"{department}台账底部写中心分管领导为“{'、'.join(footer)}”，taizhang.toml 中为"
                    f"“{'、'.join(from_config[department])}”，按 taizhang.toml。")
            continue
        for leader in footer:
            assigned.setdefault(leader, {})[department] = "footer"
        if not footer:
            out.unassigned.append(department)
    if out.unassigned:
        out.warnings.append(f"{'、'.join(out.unassigned)}没有中心分管领导（台账底部未填写，taizhang.toml 的 [leaders] "
                            "中也没有），未列入任何摘要。")

    order = {name: i for i, name in enumerate(names)}
    by_name = {d.department: d for d in report.departments}
    for leader, departments in assigned.items():
        mine = sorted(departments, key=lambda d: order[d])
        digest = LeaderDigest(leader=leader, month=report.month, previous=report.previous,
                              assigned_by={d: departments[d] for d in mine},
                              departments=[by_name[d] for d in mine])
        digest.counts = _total([by_name[d].counts for d in mine if by_name[d].status != "missing"])
        if previous_snapshot is not None:
            before = {e.department: e.counts for e in previous_snapshot.departments}
            digest.previous_counts = _total([before[d] for d in mine if d in before])
        digest.persistent_red = [p for p in report.persistent_red if p.department in departments]
        digest.not_listed = [n for n in report.not_listed if n.department in departments]
        digest.mismatches = [f for f in snapshot.findings
                             if f.code == "summary.mismatch" and f.department in departments]
        out.leaders.append(digest)
    return out


def _total(counts: Sequence[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total.add(c)
    return total


def _clean(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _resolve(written: str, names: Sequence[str]) -> str | None:
    """The month's department a [leaders] entry names (简称 and near spellings as in merging)."""
    from .merge import match_department

    return match_department(written, names)


# Characters Windows refuses in a file name, and its reserved device names.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
MAX_NAME_CHARS = 60


def safe_file_name(text: str, fallback: str = "未署名") -> str:
    """``text`` as a file name every system accepts: no ``<>:"/\\|?*`` or control characters, no
    trailing dot or space, not a device name (CON, NUL…), at most ``MAX_NAME_CHARS`` characters."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip().rstrip(". ")
    name = name[:MAX_NAME_CHARS].rstrip(". ")
    if not name or set(name) <= {"_", "."}:
        name = fallback
    if _RESERVED.match(name):
        name = f"_{name}"
    return name


def digest_file_name(digest: LeaderDigest) -> str:
    """``褚建华-重点工作台账摘要-2022-05.docx``."""
    return f"{safe_file_name(digest.leader)}-重点工作台账摘要-{digest.month}.docx"
