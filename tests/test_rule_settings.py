"""Rules as units: ``[rules]`` of taizhang.toml switches a check off or changes its severity, and
a new check is one registered function plus its code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang import checks, findings
from taizhang.cli import app
from taizhang.config import init_text, load_config
from taizhang.errors import ConfigError
from taizhang.findings import Code, RuleConfig, RuleSettingError, finding
from taizhang.merge import merge_inbox
from taizhang.models import Config, Finding, Item, Severity
from taizhang.reading.ledger import RawItem
from taizhang.validate import validate_file

runner = CliRunner()


def codes(path: Path, table: dict[str, str] | None = None) -> dict[str, Severity]:
    report = validate_file(path, rule_config=table)
    return {f.code: f.severity for f in report.findings}


def behind_schedule(tmp_path: Path) -> Path:
    """A clerk who writes 进度滞后 but marks nothing, and numbers 1, 2, 4."""
    return build_ledger(tmp_path / "规划发展部.xlsx", [
        item("港口岸电建设", progress="受疫情影响进度滞后", no=1),
        item("航道整治", colour="blue", no=2),
        item("船闸改造", colour="yellow", no=4),
    ])


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taizhang.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_rules_every_code_keeps_its_severity(tmp_path: Path) -> None:
    path = behind_schedule(tmp_path)
    assert codes(path) == {"rule.should_be_red": Severity.WARNING, "numbering.gap": Severity.WARNING}
    assert validate_file(path, rule_config={}) == validate_file(path)


def test_a_rule_switched_off_in_taizhang_toml_reports_nothing(tmp_path: Path) -> None:
    path = behind_schedule(tmp_path)
    config = load_config(toml(tmp_path, '[rules]\n"rule.should_be_red" = "off"\n'))
    assert codes(path, config.rules) == {"numbering.gap": Severity.WARNING}
    report = validate_file(path, rule_config=config.rule_config)
    assert [f.code for f in report.findings] == ["numbering.gap"] and report.ok


def test_an_area_switched_off_silences_all_its_codes_and_a_code_of_its_own_wins(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "综合部.xlsx", [
        item("港口岸电建设", no=1), item("航道整治", no=1), item("船闸改造", no=5), item("码头", no="待定")])
    assert set(codes(path)) == {"numbering.repeat", "numbering.gap", "numbering.invalid"}
    assert codes(path, {"numbering": "off"}) == {}
    assert codes(path, {"numbering": "off", "numbering.gap": "error"}) == {"numbering.gap": Severity.ERROR}


def test_an_error_made_a_warning_leaves_the_file_ok_and_validate_exits_0(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", [item("港口岸电建设", leader=""), item("航道整治")])
    before = runner.invoke(app, ["validate", str(path)])
    assert before.exit_code == 1 and "item.required" in before.output

    settings = toml(tmp_path, '[rules]\n"item.required" = "warning"\n')
    after = runner.invoke(app, ["validate", str(path), "--config", str(settings)])
    assert after.exit_code == 0, after.output
    assert "item.required" in after.output and "通过" in after.output
    report = validate_file(path, rule_config=load_config(settings).rule_config)
    assert report.ok and [(f.code, f.severity) for f in report.findings] == [("item.required", Severity.WARNING)]


def test_a_warning_made_an_error_fails_the_file_and_validate_exits_1(tmp_path: Path) -> None:
    path = behind_schedule(tmp_path)
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    settings = toml(tmp_path, '[rules]\nnumbering = "error"\n')
    result = runner.invoke(app, ["validate", str(path), "--config", str(settings)])
    assert result.exit_code == 1, result.output
    assert not validate_file(path, rule_config={"numbering.gap": "error"}).ok


def test_taizhang_toml_in_the_current_folder_is_read_by_validate(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", [item("港口岸电建设", owner="")])
    toml(tmp_path, '[rules]\n"item.required" = "off"\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "item.required" not in result.output


def test_a_mismatch_made_a_warning_is_never_an_error_in_a_merge(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    items = [item("港口岸电建设", colour="blue"), item("航道整治", colour="red")]
    wrong = ("截至2022年4月3日，市港航事业发展中心共梳理重点工作5项，其中从星标看，三级星标0项、二级星标2项、一级星标0项；"
             "从事项来源看，A级事项0项、B级事项2项、C级事项0项、D级事项0项；从红黄蓝标注看，蓝色1项，黄色0项，红色1项，未标注颜色0项。")
    build_ledger(inbox / "规划发展部.xlsx", items, summary=wrong)
    build_ledger(inbox / "综合部.xlsx", items, department="综合部")

    plain = merge_inbox(inbox, config=Config(), date=dt.date(2022, 4, 5))
    assert not plain.ok
    mismatch = [f for r in plain.reports for f in r.findings if f.code == "summary.mismatch"]
    assert [f.severity for f in mismatch] == [Severity.ERROR]

    relaxed = Config(rules={"summary.mismatch": "warning"})
    result = merge_inbox(inbox, config=relaxed, date=dt.date(2022, 4, 5))
    assert result.ok and all(d.ok for d in result.departments)
    found = [f for r in result.reports for f in r.findings if f.code == "summary.mismatch"]
    assert found and all(f.severity is Severity.WARNING for f in found)
    assert {d.department: d.errors for d in result.departments} == {"规划发展部": 0, "综合部": 0}


def test_a_roster_mapping_switched_off_is_not_reported_by_merge(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build_ledger(inbox / "规划部.xlsx", [item("港口岸电建设")], department="规划部")
    roster = ["规划发展部"]
    mapped = merge_inbox(inbox, config=Config(departments=roster), date=dt.date(2022, 4, 5))
    assert [f.code for f in mapped.reports[0].findings] == ["header.department_mapped"]
    quiet = merge_inbox(inbox, config=Config(departments=roster, rules={"header.department_mapped": "off"}),
                        date=dt.date(2022, 4, 5))
    assert quiet.reports[0].findings == [] and quiet.departments[0].department == "规划发展部"
    strict = merge_inbox(inbox, config=Config(departments=roster, rules={"header": "error"}),
                         date=dt.date(2022, 4, 5))
    assert not strict.ok and strict.reports[0].findings[0].severity is Severity.ERROR


@pytest.mark.parametrize(("text", "line", "words"), [
    ('center = "中心"\n\n[rules]\n"rule.should_be_red" = "off"\n"rule.shuold_be_blue" = "off"\n', 5,
     ["不认识的问题代码", "rule.shuold_be_blue"]),
    ('[rules]\n"numbering.gap" = "关"\n', 2, ["“关”", "\"off\"", "\"warning\"", "\"error\""]),
    ('[rules]\nnumbering = false\n', 2, ["numbering", "\"off\""]),
    ('[rules]\n"file.corrupt" = "off"\n', 2, ["file.corrupt", "文件无法读取", "不是可以关闭"]),
    ('[rules]\n"sheet.not_found" = "warning"\n', 2, ["sheet.not_found", "文件无法读取"]),
    ('[rules]\nfile = "off"\n', 2, ["文件无法读取"]),
    ('[rules]\n"summary.uncertain" = "error"\n', 2, ["summary.uncertain", "不能设为错误"]),
    ('\n[rules]\nrule.should_be_red = "of"\n', 3, ["rule.should_be_red", "“of”"]),
])
def test_a_wrong_rules_entry_is_a_clear_config_error_naming_its_line(tmp_path: Path, text: str, line: int,
                                                                    words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(toml(tmp_path, text))
    message = str(info.value)
    assert f"第 {line} 行" in message and "[rules]" in message
    for word in words:
        assert word in message


def test_rules_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="应写成一个表"):
        load_config(toml(tmp_path, 'rules = "off"\n'))


def test_a_wrong_rules_file_stops_validate_with_exit_2(tmp_path: Path) -> None:
    path = behind_schedule(tmp_path)
    settings = toml(tmp_path, '[rules]\n"numbering.gapp" = "off"\n')
    result = runner.invoke(app, ["validate", str(path), "--config", str(settings)])
    assert result.exit_code == 2 and "numbering.gapp" in result.output and "Traceback" not in result.output


def test_a_dotted_code_written_without_quotes_is_read_as_the_code(tmp_path: Path) -> None:
    config = load_config(toml(tmp_path, '[rules]\nrule.should_be_red = "off"\nnumbering = "Warning"\n'))
    assert config.rules == {"rule.should_be_red": "off", "numbering": "warning"}
    assert codes(behind_schedule(tmp_path), config.rules) == {"numbering.gap": Severity.WARNING}


def test_a_wrong_table_given_to_the_library_raises(tmp_path: Path) -> None:
    with pytest.raises(RuleSettingError, match="不认识的问题代码"):
        validate_file(behind_schedule(tmp_path), rule_config={"no.such": "off"})
    assert RuleConfig.from_table({"numbering": "warning"}) == RuleConfig()  # already warnings: nothing changes


def test_a_check_whose_codes_are_all_off_is_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = behind_schedule(tmp_path)
    calls: list[str] = []

    def counting(raw: RawItem, item: Item, sheet: str) -> Iterator[Finding]:
        calls.append(item.name)
        return iter(())

    monkeypatch.setattr(checks, "ITEM_RULES", [checks.Rule("counting", ("rule.should_be_red",), counting)])
    validate_file(path, rule_config={"rule.should_be_red": "off"})
    assert calls == []
    validate_file(path)
    assert calls == ["港口岸电建设", "航道整治", "船闸改造"]


def test_a_new_rule_is_one_registered_function_and_its_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(findings.CODES, "rule.owner_is_leader", Code(
        Severity.WARNING, "分管负责人与责任人相同", "第{row}行分管负责人与责任人都是“{name}”，请核对。"))
    monkeypatch.setattr(checks, "ITEM_RULES", list(checks.ITEM_RULES))
    monkeypatch.setattr(checks, "LEDGER_RULES", list(checks.LEDGER_RULES))

    @checks.item_rule("rule.owner_is_leader")
    def owner_is_leader(raw: RawItem, item: Item, sheet: str) -> Iterator[Finding]:
        if item.leader and item.leader in item.owner:
            yield finding("rule.owner_is_leader", sheet=sheet, cell=raw.cells.get("owner"), row=raw.first_row,
                          name=item.leader)

    @checks.ledger_rule("summary.missing")
    def nothing(ledger: object, report: object) -> Iterator[Finding]:
        return iter(())

    path = build_ledger(tmp_path / "规划发展部.xlsx", [item("港口岸电建设"), item("航道整治", owner="规划科/张三")])
    report = validate_file(path)
    found = [f for f in report.findings if f.code == "rule.owner_is_leader"]
    assert [(f.cell, f.severity, f.message) for f in found] == [
        ("G6", Severity.WARNING, "第6行分管负责人与责任人都是“张三”，请核对。")]
    assert report.ok
    assert not validate_file(path, rule_config={"rule.owner_is_leader": "error"}).ok
    assert "rule.owner_is_leader" not in codes(path, {"rule": "off"})
    assert checks.ITEM_RULES[-1].name == "owner_is_leader"


def test_a_rule_must_name_registered_codes() -> None:
    with pytest.raises(ValueError, match="findings.CODES"):
        checks.item_rule("rule.not_registered")
    with pytest.raises(ValueError, match="findings.CODES"):
        checks.ledger_rule()


def test_every_code_a_check_names_is_registered_and_configurable() -> None:
    for rule in [*checks.ITEM_RULES, *checks.LEDGER_RULES]:
        for code in rule.codes:
            assert code in findings.CODES and code not in findings.FIXED_CODES
            assert RuleConfig.from_table({code: "off"}).switched_off((code,))


def test_the_readme_example_of_rules_is_valid_and_does_what_it_says(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index('[rules]\n"rule.should_be_red"')
    config = load_config(toml(tmp_path, readme[start:readme.index("```", start)]))
    rule_config = config.rule_config
    assert rule_config.level("rule.should_be_red") is None and rule_config.level("numbering.repeat") is None
    assert rule_config.level("item.required") is Severity.WARNING
    assert rule_config.level("numbering.gap") is Severity.ERROR  # the code's own entry wins over its area


def test_the_rules_lines_of_init_work_once_uncommented(tmp_path: Path) -> None:
    text = init_text().replace("# [rules]", "[rules]").replace('# "rule.', '"rule.').replace('# "item.', '"item.')
    config = load_config(toml(tmp_path, text))
    assert config.rules == {"rule.should_be_red": "off", "item.required": "warning"}
    assert config.departments and config.rule_config.level("item.required") is Severity.WARNING


def test_merge_on_the_command_line_follows_the_rules_of_its_config(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build_ledger(inbox / "规划发展部.xlsx", [item("港口岸电建设", target=""), item("航道整治", colour="red")])
    args = ["merge", str(inbox), "--date", "2022-04-06"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "a.xlsx"), "--db", str(tmp_path / "a.db")]).exit_code == 1
    settings = toml(tmp_path, '[rules]\n"item.required" = "warning"\n')
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "b.xlsx"), "--db", str(tmp_path / "b.db"),
                                 "--config", str(settings)])
    assert result.exit_code == 0, result.output
