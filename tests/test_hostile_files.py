"""Hostile and damaged inputs (issue 8): every one ends in a finding or a short message with a
documented exit code, quickly, never a traceback, a hang or gigabytes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from builders import (
    build_ledger,
    build_xls,
    damage_member_data,
    item,
    patch_member_header,
    rewrite_members,
)
from taizhang.cli import app
from taizhang.validate import validate_file

runner = CliRunner()
SHEET = "xl/worksheets/sheet1.xml"
ITEMS = [item("推进港口船舶岸电设施建设", colour="blue"), item("船舶污染物接收转运处置", colour="yellow")]
# A ledger with something to send back (no 分管负责人): --annotate writes no copy of a clean one.
TO_SEND_BACK = [item("推进港口船舶岸电设施建设", colour="blue", leader=""), ITEMS[1]]


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A test that would block (a FIFO opened, a loop over a billion rows) fails instead."""
    def stop(_signum: int, _frame: object) -> None:
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def ledger(tmp_path: Path, name: str = "规划发展部.xlsx", items: list[dict[str, object]] | None = None) -> Path:
    return build_ledger(tmp_path / "src" / name, items or ITEMS, department=Path(name).stem)


def only_finding(path: Path) -> tuple[str, str]:
    report = validate_file(path)
    assert not report.usable and len(report.findings) == 1, report.findings
    return report.findings[0].code, report.findings[0].message


def assert_clean_exit(result: Result, codes: set[int]) -> None:
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# --- The zip container --------------------------------------------------------------------------


def test_a_corrupt_deflate_stream_is_corrupt(tmp_path: Path) -> None:
    path = damage_member_data(shutil.copy(ledger(tmp_path), tmp_path / "x.xlsx"), "[Content_Types].xml")
    assert only_finding(path)[0] == "file.corrupt"
    assert_clean_exit(runner.invoke(app, ["validate", str(path)]), {2})


def test_a_deflate_stream_damaged_past_the_gates_look_is_corrupt_in_the_reader(tmp_path: Path) -> None:
    # The gate reads only the prolog of each part; the damage sits near the end of the sheet.
    many = [item(f"事项{i}：推进第{i}号泊位改造工程", target=f"完成{i * 7 % 100}%", colour="blue") for i in range(400)]
    src = ledger(tmp_path, items=many)
    path = damage_member_data(shutil.copy(src, tmp_path / "x.xlsx"), SHEET, at=0.9)
    code, message = only_finding(path)
    assert code == "file.corrupt" and "已损坏" in message


def test_a_member_flagged_as_encrypted_is_corrupt(tmp_path: Path) -> None:
    path = patch_member_header(shutil.copy(ledger(tmp_path), tmp_path / "x.xlsx"), SHEET, flag_bits=0x1)
    code, message = only_finding(path)
    assert code == "file.corrupt" and "密码" in message


@pytest.mark.parametrize(("compression", "name"), [(zipfile.ZIP_LZMA, "LZMA"), (zipfile.ZIP_BZIP2, "bzip2")])
def test_members_packed_as_excel_never_packs_them_are_corrupt(tmp_path: Path, compression: int, name: str) -> None:
    path = rewrite_members(ledger(tmp_path), tmp_path / "x.xlsx", {}, compression=compression)
    code, message = only_finding(path)
    assert code == "file.corrupt" and name in message
    assert_clean_exit(runner.invoke(app, ["validate", str(path)]), {2})


def test_an_unknown_compression_method_is_corrupt(tmp_path: Path) -> None:
    path = patch_member_header(shutil.copy(ledger(tmp_path), tmp_path / "x.xlsx"), SHEET, method=99)
    assert only_finding(path)[0] == "file.corrupt"


def test_a_crc_mismatch_is_corrupt(tmp_path: Path) -> None:
    path = patch_member_header(shutil.copy(ledger(tmp_path), tmp_path / "x.xlsx"), SHEET, crc=0x12345678)
    assert only_finding(path)[0] == "file.corrupt"


def test_a_member_cut_short_is_corrupt(tmp_path: Path) -> None:
    src = ledger(tmp_path)
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(SHEET)
    data = bytearray(src.read_bytes())
    start = info.header_offset + 30 + len(SHEET)
    del data[start + info.compress_size // 2:start + info.compress_size]  # the rest of the file shifts up
    path = tmp_path / "x.xlsx"
    path.write_bytes(bytes(data))
    assert only_finding(path)[0] == "file.corrupt"


# --- Cells, merged ranges and hangs ----------------------------------------------------------------


def add_merge(ref: str):  # type: ignore[no-untyped-def]
    def change(data: bytes) -> bytes:
        if b"<mergeCells" in data:  # appended: the range drawn last
            data = re.sub(rb'<mergeCells count="\d+">', b"<mergeCells>", data)
            return data.replace(b"</mergeCells>", b'<mergeCell ref="%s"/></mergeCells>' % ref.encode())
        return data.replace(b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="%s"/></mergeCells>'
                            % ref.encode())
    return change


def add_cell(ref: str, text: str = "x", kind: str = "inlineStr") -> object:
    row = re.sub(r"[A-Z]", "", ref)
    body = f"<is><t>{text}</t></is>" if kind in ("inlineStr", "d") else f"<v>{text}</v>"
    cell = f'<row r="{row}"><c r="{ref}" t="{kind}">{body}</c></row>'.encode()
    return lambda data: data.replace(b"</sheetData>", cell + b"</sheetData>")


# The time bounds below guard against a hang or a blow-up (before: tens of seconds, gigabytes), with
# room for a loaded CI machine; they are not speed measurements (those are in benchmarks/).
HANG = 15


def timed_report(path: Path) -> tuple[float, object]:
    start = time.perf_counter()
    report = validate_file(path)
    return time.perf_counter() - start, report


@pytest.mark.parametrize("ref", ["E5:E300000000", "B5:B300000000", "B4:ZZZZZZ4", "A1:XFD1048576"])
def test_merged_ranges_far_beyond_the_cells_are_bounded_by_them(tmp_path: Path, ref: str) -> None:
    path = rewrite_members(ledger(tmp_path), tmp_path / "x.xlsx", {SHEET: add_merge(ref)})
    seconds, report = timed_report(path)
    assert seconds < HANG, seconds  # before: 10–20 s and 4–6 GB
    assert report.usable, report.findings  # type: ignore[attr-defined]


def test_a_cell_at_the_last_row_of_excel_costs_nothing(tmp_path: Path) -> None:
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", ITEMS, footer=False)
    path = rewrite_members(src, tmp_path / "x.xlsx", {SHEET: add_cell("A1048576")})
    seconds, report = timed_report(path)
    assert seconds < HANG, seconds
    assert report.usable and [i.name for i in report.items][:2] == [  # type: ignore[attr-defined]
        "推进港口船舶岸电设施建设", "船舶污染物接收转运处置"]


@pytest.mark.parametrize("ref", ["A999999999", "XFE5", "5", "AAAA5"])
def test_a_cell_outside_excels_grid_makes_the_file_corrupt(tmp_path: Path, ref: str) -> None:
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", ITEMS, footer=False)
    path = rewrite_members(src, tmp_path / "x.xlsx", {SHEET: add_cell(ref)})
    seconds, _ = timed_report(path)
    code, message = only_finding(path)
    assert seconds < HANG and code == "file.corrupt" and "XFD" in message
    assert_clean_exit(runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path / "out")]), {2})


def test_a_merged_item_reads_the_same_when_its_rows_are_far_apart(tmp_path: Path) -> None:
    items = [item("内河航道整治", target="一期", progress="完成设计"), item("", target="二期", progress="开工"),
             item("水路运输市场监管")]
    path = build_ledger(tmp_path / "规划发展部.xlsx", items, merge_items=[(0, 2)])
    report = validate_file(path)
    assert [i.name for i in report.items] == ["内河航道整治", "水路运输市场监管"]
    assert report.items[0].target == "一期\n二期" and report.items[0].progress == "完成设计\n开工"


# --- .xls ------------------------------------------------------------------------------------------


def test_an_xls_with_too_many_cells_is_refused_before_xlrd_loads_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import xlrd

    import taizhang.reading.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_CELLS", 50)  # the .xlsx bound, at a size a test builds quickly
    rows = [(i, f"事项{i}", "目标", "推进", "", "张三", "规划科", "★★", "B", "") for i in range(1, 21)]
    path = build_xls(tmp_path / "综合部.xls", rows)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("xlrd was asked to load the whole workbook")

    monkeypatch.setattr(xlrd, "open_workbook", never)
    code, message = only_finding(path)
    assert code == "file.too_large" and "50" in message


def test_an_xls_within_the_cell_bound_is_read(tmp_path: Path) -> None:
    rows = [(1, "内河航道整治", "目标", "推进", "", "张三", "规划科", "★★", "B", "")]
    report = validate_file(build_xls(tmp_path / "综合部.xls", rows))
    assert report.usable and [i.name for i in report.items] == ["内河航道整治"]


# --- validate --annotate ---------------------------------------------------------------------------


def test_annotate_with_overlapping_merged_ranges_still_writes_every_comment(tmp_path: Path) -> None:
    src = build_ledger(tmp_path / "src" / "x.xlsx", ITEMS, summary="截至2022年4月3日，共梳理重点工作9项。")
    # A2:B3 overlaps the summary's A3:J3: the anchor A3, where the finding is, is covered by another range.
    path = rewrite_members(src, tmp_path / "规划发展部.xlsx", {SHEET: add_merge("A2:B3")})
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path / "out")])
    assert_clean_exit(result, {1})
    copy = load_workbook(tmp_path / "out" / "规划发展部（问题标注）.xlsx")
    comments = [c.comment.text for row in copy.active.iter_rows() for c in row if c.comment]
    assert any("汇总句" in text for text in comments), comments


def test_annotate_refuses_a_huge_merged_range_and_still_annotates_the_other_files(tmp_path: Path) -> None:
    big = rewrite_members(ledger(tmp_path, items=TO_SEND_BACK), tmp_path / "大合并.xlsx",
                          {SHEET: add_merge("K20:K900000")})
    good = ledger(tmp_path, "污染防治部.xlsx", items=TO_SEND_BACK)
    start = time.perf_counter()
    result = runner.invoke(app, ["validate", str(big), str(good), "--annotate", str(tmp_path / "out")])
    assert time.perf_counter() - start < 10
    assert_clean_exit(result, {2})
    assert "未写出标注副本" in result.output and "合并单元格" in result.output and "大合并.xlsx" in result.output
    assert (tmp_path / "out" / "污染防治部（问题标注）.xlsx").exists()
    assert not (tmp_path / "out" / "大合并（问题标注）.xlsx").exists()


@pytest.mark.parametrize("value", ["April 3rd", "2022年4月3日", "2022-04-03T08:00:00+08:00"])
def test_a_date_typed_cell_holding_text_is_read_and_annotated(tmp_path: Path, value: str) -> None:
    cell = f'<c r="K5" t="d"><is><t>{value}</t></is></c>'.encode()
    change = {SHEET: lambda data: data.replace(b"</row>", cell + b"</row>", 5)}
    path = rewrite_members(build_ledger(tmp_path / "src" / "x.xlsx", ITEMS, summary=None),
                           tmp_path / "规划发展部.xlsx", change)
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path / "out")])
    assert_clean_exit(result, {0, 1})
    assert (tmp_path / "out" / "规划发展部（问题标注）.xlsx").exists()


# --- What is not a regular file ----------------------------------------------------------------------


def test_a_folder_named_like_a_workbook_is_said_to_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").mkdir()
    code, message = only_finding(tmp_path / "x.xlsx")
    assert code == "file.not_a_file" and "文件夹" in message and "找不到" not in message
    assert_clean_exit(runner.invoke(app, ["validate", str(tmp_path / "x.xlsx")]), {2})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.xlsx")
    code, message = only_finding(tmp_path / "x.xlsx")  # opening it would block forever
    assert code == "file.not_a_file" and "FIFO" in message


def test_a_symlink_loop_and_a_link_to_a_device(tmp_path: Path) -> None:
    (tmp_path / "loop.xlsx").symlink_to(tmp_path / "loop.xlsx")
    (tmp_path / "zero.xlsx").symlink_to("/dev/zero")
    assert only_finding(tmp_path / "loop.xlsx") == ("file.not_a_file", only_finding(tmp_path / "loop.xlsx")[1])
    assert "循环" in only_finding(tmp_path / "loop.xlsx")[1]
    assert "设备" in only_finding(tmp_path / "zero.xlsx")[1]
    good = ledger(tmp_path, items=TO_SEND_BACK)
    result = runner.invoke(app, ["validate", str(tmp_path / "loop.xlsx"), str(good), "--annotate",
                                 str(tmp_path / "out")])
    assert_clean_exit(result, {2})
    assert (tmp_path / "out" / "规划发展部（问题标注）.xlsx").exists()


def test_a_file_without_read_permission_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ledger(tmp_path)
    real_open = Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    # Tests run as root, where chmod 000 does not stop reading: the refusal is simulated.
    monkeypatch.setattr(Path, "open", denied)
    code, message = only_finding(path)
    assert code == "file.no_permission" and "权限" in message
    result = runner.invoke(app, ["validate", str(path)])
    assert_clean_exit(result, {2})
    assert "用法错误" not in result.output and "权限" in result.output


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_a_chmod_000_file_says_so(tmp_path: Path) -> None:
    path = ledger(tmp_path)
    path.chmod(0)
    try:
        assert only_finding(path)[0] == "file.no_permission"
    finally:
        path.chmod(0o644)


def test_an_ods_says_how_to_save_it_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "规划发展部.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    code, message = only_finding(path)
    assert code == "file.unsupported" and "Excel 2007-365" in message and "另存为" in message


# --- merge: special entries are skipped with their reason, every good file is merged ------------------


def test_merge_reads_regular_files_only_and_says_what_it_skipped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(ledger(tmp_path), inbox / "规划发展部.xlsx")
    shutil.copy(ledger(tmp_path, "污染防治部.xlsx"), inbox / "污染防治部.xlsx")
    damage_member_data(shutil.copy(ledger(tmp_path, "综合部.xlsx"), inbox / "综合部.xlsx"), SHEET)
    (inbox / "loop.xlsx").symlink_to(inbox / "loop.xlsx")
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    (inbox / "gone.xlsx").symlink_to(inbox / "nothing-here.xlsx")
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "fifo.xlsx")
    (inbox / "台账.ods").write_bytes(b"PK\x03\x04")
    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(inbox), "-o", str(out), "--db", str(tmp_path / "t.db"),
                                 "--date", "2022-04-06", "--json"])
    assert_clean_exit(result, {0, 1})
    data = json.loads(result.stdout)
    skipped = {s["file"]: s["reason"] for s in data["skipped"]}
    assert "循环" in skipped["loop.xlsx"] and "设备" in skipped["zero.xlsx"] and "不存在" in skipped["gone.xlsx"]
    assert "Excel 2007-365" in skipped["台账.ods"]
    if hasattr(os, "mkfifo"):
        assert "FIFO" in skipped["fifo.xlsx"]
    assert skipped["综合部.xlsx"]  # damaged: listed, not merged
    assert sorted(d["department"] for d in data["departments"]) == ["污染防治部", "规划发展部"]
    assert out.exists()


def test_merge_survives_an_unforeseen_error_in_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.merge as merge_module
    from taizhang.models import Config

    class Unforeseen(Exception):
        pass

    real = merge_module.validate_file

    def flaky(path: Path, **kwargs: object) -> object:
        if path.name.startswith("综合部"):
            raise Unforeseen("something nobody foresaw")
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(merge_module, "validate_file", flaky)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("规划发展部.xlsx", "综合部.xlsx"):
        shutil.copy(ledger(tmp_path, name), inbox / name)
    result = merge_module.merge_inbox(inbox, config=Config())
    assert [d.department for d in result.departments] == ["规划发展部"]
    bad = [s for s in result.skipped if s.file == "综合部.xlsx"]
    assert bad and bad[0].code == "file.unreadable" and "Unforeseen" in bad[0].reason


def test_validate_turns_any_unforeseen_error_into_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.validate as validate_module

    class Unforeseen(Exception):
        pass

    def explode(_book: object) -> None:
        raise Unforeseen("odd")

    monkeypatch.setattr(validate_module, "parse_ledger", explode)
    assert only_finding(ledger(tmp_path))[0] == "file.unreadable"


# --- Exit code 3: an unexpected internal error, never a traceback ------------------------------------


def boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


def test_an_internal_error_exits_3_with_a_short_chinese_message(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.cli.validate as cli_validate

    monkeypatch.setattr(cli_validate, "validate_files", boom)
    path = ledger(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 3, result.output
    assert "程序内部错误" in result.output and path.name in result.output and "boom" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 4


def test_an_internal_error_with_json_prints_valid_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.writing.consolidated as consolidated

    monkeypatch.setattr(consolidated.ConsolidatedWriter, "write", boom)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(ledger(tmp_path), inbox / "规划发展部.xlsx")
    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(inbox), "-o", str(out), "--db", str(tmp_path / "t.db"), "--json"])
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["error"]["code"] == "internal" and data["error"]["file"] == str(out)


def test_the_script_entry_point_exits_3_too(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    import sys

    import taizhang.cli as cli

    monkeypatch.setattr("taizhang.writing.template.write_template", boom)
    monkeypatch.setattr(sys, "argv", ["taizhang", "template", "-o", str(tmp_path / "t.xlsx")])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 3
    captured = capsys.readouterr()
    assert "程序内部错误" in captured.err and "t.xlsx" in captured.err and "Traceback" not in captured.err


# --- Rich markup in a workbook is text ---------------------------------------------------------------

MARKUP = "[/b][red]:warning:"


def test_markup_in_every_field_file_name_and_sheet_name_is_printed_as_text(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    marked = [item(f"{MARKUP}岸电建设", target=f"目标{MARKUP}", progress=f"推进{MARKUP}", judgement=f"红色{MARKUP}",
                   leader=f"张三{MARKUP}", owner=f"规划科{MARKUP}", stars=f"★★{MARKUP}", source=f"B{MARKUP}",
                   note=f"备注{MARKUP}", colour="red"),
              item(f"航道整治{MARKUP}", colour="red", no=f"2{MARKUP}")]
    inbox = tmp_path / "inbox"
    path = build_ledger(inbox / "[bold]规划发展部[red].xlsx", marked, title=f"规划发展部重点工作台账{MARKUP}",
                        date=f"填报日期：2022年4月3日{MARKUP}", summary=f"截至2022年4月3日，共梳理重点工作9项{MARKUP}。",
                        sheet_title="台账", extra={f"完成时限{MARKUP}": [f"6月{MARKUP}", ""]})
    # Excel forbids [ and ] in sheet names; a hand-made workbook has them all the same.
    rewrite_members(path, path.with_suffix(".tmp"),
                    {"xl/workbook.xml": lambda data: data.replace('name="台账"'.encode(), b'name="[b]&#21488;[/b]"')})
    path.with_suffix(".tmp").replace(path)

    result = runner.invoke(app, ["validate", str(path)])
    assert_clean_exit(result, {1})
    for text in ("[bold]规划发展部[red].xlsx", "[b]台[/b]", MARKUP):
        assert text in result.output.replace("\n", ""), text

    db = tmp_path / "t.db"
    result = runner.invoke(app, ["merge", str(inbox), "-o", str(tmp_path / "汇总.xlsx"), "--db", str(db),
                                 "--date", "2022-04-06", "--month", "2022-04"])
    assert_clean_exit(result, {1})
    assert "[bold]规划发展部[red].xlsx" in result.output.replace("\n", "") and MARKUP in result.output

    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db)])
    assert_clean_exit(result, {0})
    assert f"{MARKUP}岸电建设" in result.output.replace("\n", "") and f"张三{MARKUP}" in result.output

    result = runner.invoke(app, ["template", "-o", str(tmp_path / "t.xlsx"), "--department", "[red]规划部[b]"])
    assert_clean_exit(result, {0})
    assert "t.xlsx" in result.output

    folder = tmp_path / "[red]配置[/red]"  # two folders: "[red]配置[" and in it "red]"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    result = runner.invoke(app, ["init"])
    assert_clean_exit(result, {0})
    assert "[red]配置[/red]" in result.output.replace("\n", "")


def test_exit_code_3_is_documented() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "| 3 | 程序内部错误 |" in readme and '"code": "internal"' in readme


def test_an_unexpected_error_annotating_one_file_still_annotates_the_others(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.writing.annotate as annotate

    real = annotate.write_annotated

    def flaky(report: object, src: Path, *args: object, **kwargs: object) -> Path:
        if src.name.startswith("综合部"):
            raise RuntimeError("boom")
        return real(report, src, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(annotate, "write_annotated", flaky)
    bad, good = ledger(tmp_path, "综合部.xlsx", TO_SEND_BACK), ledger(tmp_path, "规划发展部.xlsx", TO_SEND_BACK)
    result = runner.invoke(app, ["validate", str(bad), str(good), "--annotate", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert len(json.loads(result.stdout)["files"]) == 2
    assert "综合部.xlsx" in result.stderr and "程序内部错误" in result.stderr
    assert (tmp_path / "out" / "规划发展部（问题标注）.xlsx").exists()


@pytest.mark.libreoffice
def test_an_ods_saved_by_libreoffice_says_how_to_save_it_as_xlsx(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    ods = soffice_convert(ledger(tmp_path), "ods", tmp_path / "ods")
    code, message = only_finding(ods)
    assert code == "file.unsupported" and "Excel 2007-365" in message


def test_cells_without_references_running_past_column_xfd_make_the_file_corrupt(tmp_path: Path) -> None:
    row = b'<row r="40">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 16_385 + b"</row>"
    path = rewrite_members(ledger(tmp_path), tmp_path / "x.xlsx",
                           {SHEET: lambda data: data.replace(b"</sheetData>", row + b"</sheetData>")})
    code, message = only_finding(path)
    assert code == "file.corrupt" and "XFD" in message


def test_a_zip_declaring_too_many_members_is_refused_before_they_are_listed(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.reading.gate as gate

    monkeypatch.setattr(gate, "MAX_MEMBERS", 5)  # the same bound, at a size a test builds quickly
    path = ledger(tmp_path)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("zipfile was asked to list every member")

    monkeypatch.setattr(gate.zipfile, "ZipFile", never)
    code, message = only_finding(path)
    assert code == "file.too_large" and "部件" in message


def test_typer_does_not_refuse_a_file_it_thinks_unreadable_with_an_english_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # typer checks Path parameters with os.access by default and answers in English ("用法错误： 的值不对
    # （path … is not readable.）"): taizhang opens the file itself and says why it cannot.
    path = ledger(tmp_path)
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    result = runner.invoke(app, ["validate", str(path)])
    assert_clean_exit(result, {0})
    assert "用法错误" not in result.output


def test_an_empty_date_typed_cell_is_annotated(tmp_path: Path) -> None:
    change = {SHEET: lambda data: data.replace(b"</row>", b'<c r="K5" t="d"><v></v></c></row>', 5)}
    path = rewrite_members(build_ledger(tmp_path / "src" / "x.xlsx", ITEMS, summary=None),
                           tmp_path / "规划发展部.xlsx", change)
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path / "out")])
    assert_clean_exit(result, {0, 1})
    assert (tmp_path / "out" / "规划发展部（问题标注）.xlsx").exists()


def test_a_member_inflating_past_its_declared_size_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    # 300 MB of zeros deflate to 300 KB; the central directory claims the styles inflate to 1 KB.
    path = rewrite_members(ledger(tmp_path), tmp_path / "规划发展部.xlsx", {"xl/styles.xml": b"\0" * (300 << 20)})
    with zipfile.ZipFile(path) as zf:
        crc = zf.getinfo("xl/styles.xml").CRC
    data = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size: local header, directory
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + 13] == b"xl/styles.xml":
                data[pos + at:pos + at + 4] = (1024).to_bytes(4, "little")
            pos += 4
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/styles.xml").file_size == 1024 and zf.getinfo("xl/styles.xml").CRC == crc
    started = time.monotonic()
    code, message = only_finding(path)
    assert code == "file.corrupt" and "大小记录不实" in message
    assert time.monotonic() - started < HANG


def test_a_part_read_whole_is_bounded_even_when_declared_honestly(tmp_path: Path) -> None:
    path = rewrite_members(ledger(tmp_path), tmp_path / "规划发展部.xlsx", {"xl/theme/theme1.xml": b" " * (40 << 20)})
    code, message = only_finding(path)
    assert code == "file.too_large" and "xl/theme/theme1.xml" in message


@pytest.mark.parametrize("flood", [b'<mergeCell ref="A1:B2"/>', b"<x/>"])
def test_a_sheet_flooded_with_empty_elements_is_refused_quickly(tmp_path: Path, flood: bytes) -> None:
    if flood.startswith(b"<mergeCell"):
        change = {SHEET: lambda data: re.sub(rb"<mergeCells[^>]*>", b"<mergeCells>" + flood * 1_000_000, data, count=1)
                  if b"<mergeCells" in data else data.replace(b"</sheetData>", b"</sheetData><mergeCells>"
                                                              + flood * 1_000_000 + b"</mergeCells>", 1)}
    else:
        change = {SHEET: lambda data: data.replace(b"</sheetData>", flood * 3_000_000 + b"</sheetData>", 1)}
    path = rewrite_members(ledger(tmp_path), tmp_path / "规划发展部.xlsx", change)
    started = time.monotonic()
    code, _ = only_finding(path)
    assert code == "file.too_large"
    assert time.monotonic() - started < HANG  # refused at the bound, not after parsing every element
