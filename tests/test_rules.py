"""The 说明's rules as pure text logic."""

from __future__ import annotations

import pytest

from taizhang import rules
from taizhang.models import Colour, Counts


@pytest.mark.parametrize(
    ("text", "expected", "normalised"),
    [
        ("★★★", "★★★", False),
        ("★★", "★★", False),
        ("★", "★", False),
        ("☆☆☆", "★★★", True),
        ("★ ★ ★", "★★★", True),
        ("三星", "★★★", True),
        ("3星", "★★★", True),
        ("3", "★★★", True),
        ("***", "★★★", True),
        ("二级", "★★", True),
        ("一般", "★", True),
        ("★★★★", None, False),
        ("", None, False),
        ("重要程度高", None, False),
    ],
)
def test_star_levels_are_normalised_or_refused(text: str, expected: str | None, normalised: bool) -> None:
    assert rules.normalise_stars(text) == (expected, normalised)


@pytest.mark.parametrize(
    ("text", "expected", "normalised"),
    [
        ("A", "A", False),
        ("ABC", "ABC", False),
        ("BCD", "BCD", False),
        ("A、B", "AB", True),
        ("A,B", "AB", True),
        ("ＡＢ", "AB", True),
        ("ab", "AB", True),
        ("CA", "AC", True),
        ("E", None, False),
        ("省级", None, False),
        ("", None, False),
    ],
)
def test_source_letters_are_normalised_or_refused(text: str, expected: str | None, normalised: bool) -> None:
    assert rules.normalise_source(text) == (expected, normalised)


@pytest.mark.parametrize(
    ("label", "key"),
    [("序 号", "no"), ("分管\n负责人", "leader"), ("责任科室\n责任人", "owner"), ("责任科室/责任人", "owner"),
     ("工作事项", "name"), ("重要\n程度", "stars"), ("任务来源", "source"), ("进度评价", "judgement"),
     ("ｘｘ", None), ("完成时限", None)],
)
def test_header_labels_match_despite_spaces_breaks_and_full_width(label: str, key: str | None) -> None:
    col = rules.match_column(label)
    assert (col.key if col else None) == key


@pytest.mark.parametrize(
    ("text", "colour"),
    [("蓝色示例：进展较快事项", Colour.BLUE), ("黄", Colour.YELLOW), ("红色：进度缓慢", Colour.RED),
     ("进展较快", None), ("", None), ("标红", Colour.RED)],
)
def test_judgement_text_names_a_colour(text: str, colour: Colour | None) -> None:
    assert rules.colour_from_text(text)[0] == colour


def test_text_naming_two_colours_without_a_lead_is_ambiguous() -> None:
    assert rules.colour_from_text("上月黄色，本月转为红色") == (None, True)


def test_red_and_blue_words_follow_the_third_rule() -> None:
    assert rules.red_words("目前进度滞后")
    assert rules.red_words("被市政府通报批评")
    assert not rules.red_words("未出现滞后")
    assert rules.blue_words("领先时序进度10个百分点")
    assert not rules.blue_words("落后于序时进度")
    # Ranks are read by rules.parse_rank (facts, not goals or batches), not by these words.
    assert not rules.blue_words("排名全市第2位") and not rules.red_words("排名全市后3位")


def test_closed_items_say_xiaohao_in_note_or_judgement() -> None:
    assert rules.is_closed("已销号", "")
    assert rules.is_closed("", "已完成，销号")
    assert not rules.is_closed("未销号", "")
    assert not rules.is_closed("", "")


def test_summary_sentence_has_the_templates_exact_wording() -> None:
    counts = Counts(total=36, stars={"3": 12, "2": 15, "1": 9}, sources={"A": 14, "B": 16, "C": 10, "D": 5},
                    colours={"blue": 8, "yellow": 10, "red": 6, "none": 12})
    assert rules.summary_sentence("市港航事业发展中心", "2022年4月5日", counts) == (
        "截至2022年4月5日，市港航事业发展中心共梳理重点工作36项，其中从星标看，三级星标12项、二级星标15项、"
        "一级星标9项；从事项来源看，A级事项14项、B级事项16项、C级事项10项、D级事项5项；从红黄蓝标注看，"
        "蓝色8项，黄色10项，红色6项，未标注颜色12项。"
    )


def test_summary_sentence_parses_back_into_its_numbers() -> None:
    counts = Counts(total=3, stars={"3": 1, "2": 1, "1": 1}, sources={"A": 1, "B": 2, "C": 0, "D": 0},
                    colours={"blue": 1, "yellow": 0, "red": 1, "none": 1})
    text = rules.summary_sentence("市港航事业发展中心", "2022年4月3日", counts)
    assert rules.parse_summary(text) == {"total": 3, "3": 1, "2": 1, "1": 1, "A": 1, "B": 2, "C": 0, "D": 0,
                                         "blue": 1, "yellow": 0, "red": 1, "none": 1}
    assert rules.summary_date(text) == (2022, 4, 3)


def test_placeholder_summary_gives_crosses() -> None:
    parsed = rules.parse_summary("截至2022年×月×日，市港航事业发展中心共梳理重点工作×项，其中从星标看，三级星标×项")
    assert parsed == {"total": "×", "3": "×"}


@pytest.mark.parametrize(
    ("text", "date"),
    [("填报日期：2022年4月3日", (2022, 4, 3)), ("2022.4.3", (2022, 4, 3)), ("2022-04-03", (2022, 4, 3)),
     ("填报日期:2022/4/3", (2022, 4, 3)), ("2022年×月×日", None), ("2022年13月1日", None)],
)
def test_dates_are_read_from_the_forms_clerks_write(text: str, date: tuple[int, int, int] | None) -> None:
    assert rules.parse_date_text(text) == date


@pytest.mark.parametrize(
    ("title", "dept"),
    [("规划发展部重点工作台账", "规划发展部"), ("XX部室（单位）重点工作台账", None),
     ("2022年污染防治部重点工作台账", "污染防治部"), ("智慧港航部（单位）重点工作台账", "智慧港航部"),
     ("市港航事业发展中心综合部重点工作台账", "综合部")],
)
def test_department_comes_from_the_title(title: str, dept: str | None) -> None:
    assert rules.department_from_title(title) == dept


@pytest.mark.parametrize(
    ("stem", "dept"),
    [("规划发展部-2022年4月", "规划发展部"), ("污染防治部重点工作台账（2022年4月）", "污染防治部"),
     ("综合部2022.4", "综合部"), ("03_工程建设部台账", "工程建设部"), ("book1", None)],
)
def test_department_comes_from_the_file_name(stem: str, dept: str | None) -> None:
    assert rules.department_from_filename(stem) == dept


@pytest.mark.parametrize(
    ("check", "expected"),
    [(lambda: rules.normalise_stars("＊＊＊"), ("★★★", True)), (lambda: rules.normalise_source("Ａ／Ｂ"), ("AB", True)),
     (lambda: rules.parse_date_text("２０２２．４．３"), (2022, 4, 3)), (lambda: rules.blue_words("领先时序进度１０个百分点"), ["领先时序进度"]),
     (lambda: rules.match_column("序　号").key, "no")],  # type: ignore[union-attr]
)
def test_full_width_digits_letters_and_marks_are_read_as_ascii(check, expected) -> None:  # type: ignore[no-untyped-def]
    assert check() == expected


def test_exactly_the_characters_xml_1_0_forbids_are_dropped_from_text_written_out() -> None:
    # XML 1.0 Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    def allowed(cp: int) -> bool:
        return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF

    everything = "".join(map(chr, range(0x110000)))
    assert {ord(c) for c in rules.XML_ILLEGAL.findall(everything)} == {cp for cp in range(0x110000) if not allowed(cp)}
