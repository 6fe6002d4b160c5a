"""``taizhang.toml``: where it is found, what it may say, and how a mistake is reported."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from taizhang.config import NOTICE_DEPARTMENTS, init_text, load_config
from taizhang.errors import ConfigError
from taizhang.models import Config


def write(folder: Path, text: str, name: str = "taizhang.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_the_defaults_apply_and_no_roster_is_checked(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert config == Config()
    assert config.path is None
    assert config.center == "市港航事业发展中心" and config.deadline_day == 5
    assert config.departments == [] and not config.roster_checked
    assert config.progress_basis == "month"


def test_taizhang_toml_in_the_current_folder_is_found(tmp_path: Path) -> None:
    path = write(tmp_path, 'departments = ["综合部", "规划发展部", "污染防治部"]\ndeadline_day = 6\n')
    config = load_config(None, cwd=tmp_path)
    assert config.path == path
    assert config.departments == ["综合部", "规划发展部", "污染防治部"] and config.roster_checked
    assert config.deadline_day == 6


def test_config_option_wins_over_the_current_folder(tmp_path: Path) -> None:
    write(tmp_path, 'center = "甲中心"\n')
    other = write(tmp_path, 'center = "乙中心"\n', name="other.toml")
    assert load_config(other, cwd=tmp_path).center == "乙中心"


def test_a_missing_config_file_given_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "nope.toml")


def test_an_unknown_key_names_the_key_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '# 配置\ncenter = "市港航事业发展中心"\ndeadline = 5\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "第 3 行" in message and "“deadline”" in message and "deadline_day" in message


@pytest.mark.parametrize(
    ("text", "line", "key", "hint"),
    [
        ('center = "x"\n\ndeadline_day = 31\n', 3, "deadline_day", "1 到 28"),
        ("deadline_day = true\n", 1, "deadline_day", "1 到 28"),
        ('deadline_day = "5"\n', 1, "deadline_day", "1 到 28"),
        ('progress_basis = "week"\n', 1, "progress_basis", '"month"'),
        ('departments = "综合部"\n', 1, "departments", "列表"),
        ('center = "x"\ndepartments = ["综合部", "综合部"]\n', 2, "departments", "出现了两次"),
        ('center = "  "\n', 1, "center", "不能为空"),
    ],
)
def test_a_wrong_value_names_the_key_and_its_line(tmp_path: Path, text: str, line: int, key: str,
                                                  hint: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"第 {line} 行" in message and key in message and hint in message


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'center = "市港航事业发展中心"\ndeadline_day = 5\ndepartments = [综合部]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "第 3 行" in str(info.value) and "语法错误" in str(info.value)


def test_department_names_are_tidied(tmp_path: Path) -> None:
    path = write(tmp_path, 'departments = [" 综合部 ", "规划 发展部"]\n')
    assert load_config(path).departments == ["综合部", "规划发展部"]


def test_a_file_saved_with_a_bom_by_notepad_is_read(tmp_path: Path) -> None:
    path = tmp_path / "taizhang.toml"
    path.write_bytes('\ufeffcenter = "市港航事业发展中心"\n'.encode())
    assert load_config(path).center == "市港航事业发展中心"


def test_the_path_is_not_part_of_the_dump(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "deadline_day = 5\n"))
    assert "path" not in config.model_dump()


def test_init_text_is_a_valid_commented_config_with_the_notice_roster(tmp_path: Path) -> None:
    text = init_text()
    assert text.count("#") >= 5
    data = tomllib.loads(text)
    assert data["departments"] == list(NOTICE_DEPARTMENTS)
    assert len(NOTICE_DEPARTMENTS) == 12 and "应急救援服务部" in NOTICE_DEPARTMENTS
    config = load_config(write(tmp_path, text))
    assert config.center == "市港航事业发展中心" and config.deadline_day == 5
    assert config.departments[0] == "综合部" and config.roster_checked
