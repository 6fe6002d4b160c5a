"""``taizhang report --by-leader``: a digest per 中心分管领导, one .docx each, in a folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..config import Config
from ..digest import digest_file_name, leader_digests
from ..errors import TaizhangError
from ..models import LeaderDigests, jsonable
from ..rules import month_cn
from ..store import Store
from ..validate import file_sha256
from .app import console, err_console, fail, print_json, stored_history, working_on


def default_folder(month: str) -> Path:
    return Path(f"分管领导摘要-{month}")


def run_by_leader(month: str, config: Config, *, db: Path | None, output: Path | None, force: bool,
                  as_json: bool) -> None:
    """Build the month's digests, write one .docx per leader into ``output`` (a folder), report them."""
    folder = output if output is not None else default_folder(month)
    if folder.exists() and not folder.is_dir():
        fail(f"--by-leader 时 -o 应为文件夹（每位中心分管领导一份 .docx）：{escape(str(folder))} 是一个文件。")
    if not folder.exists() and folder.suffix.lower() in (".docx", ".doc", ".xlsx", ".xls", ".zip"):
        # -o 摘要.docx out of habit would make a folder named like a document.
        fail(f"--by-leader 时 -o 应为文件夹（每位中心分管领导一份 .docx）：{escape(str(folder))} 是文件名。"
             f"请写文件夹名，如 -o {escape(str(default_folder(month)))}。")
    db_path = stored_history(db, config)
    try:
        with Store(db_path) as store:
            digests = leader_digests(store, month, config=config)
            hashes = set(store.file_hashes(month).values())
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if not digests.leaders:
        # fail() prints rich markup: [leaders] unescaped would vanish from the message.
        fail(f"{month_cn(month)}没有可以归属的中心分管领导：台账底部“中心分管领导：”均未填写"
             "（旧版本 taizhang 汇总的月份没有记下它，重新汇总该月即可），taizhang.toml 也没有 \\[leaders]。")

    paths: dict[str, Path] = {}
    for digest in digests.leaders:
        path = folder / digest_file_name(digest)
        n = 2
        while path in paths.values():  # two names that are one file name once made safe
            path = folder / f"{path.stem}-{n}.docx"
            n += 1
        paths[digest.leader] = path
    existing = [p for p in paths.values() if p.exists()]
    if existing and not force:
        fail(f"{escape('、'.join(str(p) for p in existing))} 已存在（可能已人工修改过），未覆盖。要重新生成请加 --force，"
             "或用 -o 换一个文件夹。")
    if any(p.is_file() and file_sha256(p) in hashes for p in existing):
        fail("拒绝写入：输出文件夹中有本月汇总过的部室台账。请用 -o 换一个文件夹。")
    from ..writing.digest_docx import write_digest_docx

    refuse = [db_path, *([config.path] if config.path else [])]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for digest in digests.leaders:
            working_on(paths[digest.leader])
            digest.file = str(write_digest_docx(digest, paths[digest.leader], center=digests.center, refuse=refuse))
    except OSError as exc:
        fail(f"无法写入 {escape(str(folder))}：{escape(exc.strerror or str(exc))}")
    except TaizhangError as exc:
        fail(escape(str(exc)))

    if as_json:
        print_json(jsonable(digests))
    else:
        render_digests(digests)
    for text in digests.warnings:
        err_console.print(f"[yellow]提示：[/]{escape(text)}")
    err_console.print(f"已写出 {len(digests.leaders)} 份分管领导摘要：{escape(str(folder))}")
    raise typer.Exit(0)


def render_digests(digests: LeaderDigests) -> None:
    console.rule(f"[bold]分管领导摘要（{month_cn(digests.month)}）[/]")
    table = Table(show_header=True, header_style="bold", expand=False)
    # A leader's name is short; one typed as a paragraph folds rather than squeezing out the figures.
    for label, kw in (("中心分管领导", {"overflow": "fold", "max_width": 16}), ("分管部室", {"overflow": "fold"}),
                      ("红", {"justify": "right"}), ("黄", {"justify": "right"}), ("连续标红", {"justify": "right"}),
                      ("账实不符", {"justify": "right"}), ("应纳未纳", {"justify": "right"})):
        table.add_column(label, **kw)  # type: ignore[arg-type]
    for d in digests.leaders:
        departments = "、".join(f"{name}{'' if how == 'config' else '*'}" for name, how in d.assigned_by.items())
        table.add_row(escape(d.leader), escape(departments), str(d.red), str(d.yellow), str(len(d.persistent_red)),
                      str(len({f.department for f in d.mismatches})),
                      str(sum(1 for n in d.not_listed if n.missing)))
    console.print(table)
    if any(how == "footer" for d in digests.leaders for how in d.assigned_by.values()):
        console.print("[dim]* 按台账底部“中心分管领导”归属（taizhang.toml 的 \\[leaders] 中没有）。[/]")
    if digests.unassigned:
        console.print(f"[yellow]未归属任何中心分管领导：[/]{escape('、'.join(digests.unassigned))}")
