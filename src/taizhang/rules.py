"""The rules of the notice (济航〔2022〕13号) and its 附件2 说明, each in one place.

Everything here is pure text logic: no workbook, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .errors import TaizhangError
from .models import Colour, Counts, StatedRank, StatedShare, construct

# --------------------------------------------------------------------------------------------
# 附件2: the ledger's columns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # as printed in 附件2 (with its line breaks)
    aliases: tuple[str, ...]  # normalised spellings accepted in a header cell
    required: bool = True  # a header without it cannot be read as a ledger
    width: float = 12


# Who owns an item: a unit (科室, 处室, 单位, 部门 — "责任" or "牵头") and/or a person.
OWNER_UNITS = tuple(f"{lead}{unit}" for lead in ("责任", "牵头") for unit in ("科室", "处室", "单位", "部门", "部室"))
OWNER_PERSONS = ("责任人", "责任人员", "具体责任人")
_OWNER_ALIASES = (*OWNER_UNITS, *OWNER_PERSONS,
                  *(f"{u}{j}{p}" for u in OWNER_UNITS for j in ("", "及", "和") for p in OWNER_PERSONS))

COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", ("序号", "编号", "序"), width=6),
    Column("name", "工作事项", ("工作事项", "重点工作事项", "事项", "重点工作", "事项名称", "工作任务", "重点工作任务",
                                "工作内容", "重点事项"), width=24),
    Column("target", "任务目标", ("任务目标", "工作目标", "目标任务", "目标"), width=30),
    Column("progress", "推进情况", ("推进情况", "进展情况", "工作进展", "推进进展", "完成情况", "工作推进情况",
                                    "进展", "目前进展情况", "工作进展情况"), width=36),
    Column("judgement", "进度评价", ("进度评价", "进度评估", "评价", "进度评定"), width=16),
    Column("leader", "分管\n负责人", ("分管负责人", "分管领导", "责任领导", "分管负责同志", "分管中心领导",
                                       "中心分管领导", "分管领导同志"), width=10),
    Column("owner", "责任科室\n责任人", _OWNER_ALIASES, width=14),
    Column("stars", "重要程度", ("重要程度", "重要性", "星级", "重要等级", "星标", "重要程度星级"), width=10),
    Column("source", "任务来源", ("任务来源", "事项来源", "来源", "任务来源代码"), width=9),
    Column("note", "备注", ("备注", "说明备注"), required=False, width=12),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# The notice's contact for the ledgers (中心综合部), used by the template's guide and the 催报 text.
CONTACT_TEXT = "联系人：高峰；联系电话：2603969、15269418299；邮箱：jngh2603869@163.com。"
REPORT_OFFICE = "中心综合部"

# The column ``prepare`` writes after 备注 (L, hidden and protected; not 附件2's, a ledger without it
# is read as before): each pre-filled item's stable ID, so a reworded item is known for certain.
ITEM_ID_LABEL = "事项编号"
# An ID as prepare writes it: the item's store key (12 hex digits, "-2"… when two items' would be equal).
_ITEM_ID = re.compile(r"[0-9a-f]{12}(?:-\d{1,6})?")


def is_item_id(text: str | None) -> bool:
    """Whether ``text`` is an ID prepare wrote (not a department's own 事项编号 such as 1, 2, GH-01)."""
    return bool(text) and _ITEM_ID.fullmatch(text or "") is not None
# The fields the notice requires on every item: 逐一明确责任领导、责任人员、任务目标.
REQUIRED_FIELDS = ("name", "target", "leader", "owner")
REQUIRED_HINTS = {
    "name": "事项名称",
    "target": "可量化的任务目标",
    "leader": "分管负责人姓名",
    "owner": "责任科室和责任人",
}

# Full-width digits, letters and the ideographic space: what the rules' patterns must see as ASCII.
# (Full-width punctuation such as ，：（ is matched by the patterns as it is.)
_FULL_WIDTH = re.compile("[\uff0a\uff0d-\uff0f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000\u2460-\u24ff]")


def nfkc(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), skipped for text that has none: it runs
    on every 推进情况 of every item."""
    return unicodedata.normalize("NFKC", text) if _FULL_WIDTH.search(text) else text


_LABEL_JUNK = re.compile(r"[\s/／、,，:：()（）\[\]【】·.\-_*]+")


def normalise_label(text: object) -> str:
    """A header label without spaces, line breaks, full-width forms or punctuation (``序 号`` → ``序号``)."""
    if text is None:
        return ""
    return _LABEL_JUNK.sub("", nfkc(text if type(text) is str else str(text)))


_ALIASES = {alias: col for col in COLUMNS for alias in col.aliases}
# A label's own explanation in brackets: 重要程度（★★★/★★/★）, 任务来源（A/B/C/D）, 责任科室（责任人）.
_BRACKETED = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")


def match_column(text: object) -> Column | None:
    """The 附件2 column a header cell names, if any: its label or a synonym (牵头科室, 工作任务,
    进展情况, 星级, 来源, 分管领导 …), however broken over lines or spaced, with or without a
    bracketed explanation after it."""
    label = normalise_label(text)
    if not label:
        return None
    col = _ALIASES.get(label)
    if col is None and text is not None:
        col = _ALIASES.get(normalise_label(_BRACKETED.sub("", nfkc(str(text)))))
    return col


# Characters an XML document cannot hold (control characters, U+FFFE/U+FFFF, lone surrogates):
# an .xls may carry them, and any workbook or Word file written with them is broken. Spelled as
# the characters excluded, not as the complement of XML 1.0's Char ranges: the same set, compiled
# in a tenth of the time (3 ms at every start, and again in the writer's escaping pattern).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return XML_ILLEGAL.sub("", text)


def xml_escape(text: str) -> str:
    """``text`` as XML character data (``&``, ``<`` and ``>`` escaped). Written out here rather than
    taken from ``xml.sax.saxutils``, whose import loads urllib, http and ssl: 15 ms of every merge."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_text(value: object) -> str:
    """A cell's text as people read it: stripped, line ends folded, XML-illegal characters gone."""
    if value is None:
        return ""
    if type(value) is str and value.isprintable():
        # Most cells: no line ends and no XML-illegal characters (control characters, surrogates and
        # U+FFFE/U+FFFF are all unprintable), so only the strip is left to do.
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return xml_text(text).strip()


# --------------------------------------------------------------------------------------------
# Title, 填报日期, footer
# --------------------------------------------------------------------------------------------

TITLE_MARK = "重点工作台账"
# The title: 重点工作台账, its variant 台帐, or a plain 工作台账.
_TITLE_MARK_RE = re.compile(r"(?:重点)?工作台[账帐]")
# The centre's own name before a department's (济宁市港航事业发展中心规划发展部).
CENTER_PREFIX = re.compile(r"^(?:济宁市|济宁)?(?:市)?港航(?:事业)?(?:发展)?中心")
_PLACEHOLDER_DEPTS = {"", "XX部室", "XX", "××部室", "××", "xx部室", "部室", "XX部室（单位）", "单位", "某某部", "某部"}

# Chinese numerals of dates (二〇二二年四月三日) and of months in titles (四月份).
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "О": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
# Only before 年/月, or before 日/号 right after a 月: 一号船闸 is a name, not a date.
_CN_NUMBER = re.compile(r"([〇零○Ｏ一二两三四五六七八九十]+)(?=\s*[年月])|(?<=月)([一二三四五六七八九十]+)(?=\s*[日号])")


def _cn_to_int(text: str) -> int | None:
    """``二〇二二`` → 2022, ``十二`` → 12, ``二十一`` → 21, ``三十`` → 30."""
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[ch]) for ch in text)) if all(ch in _CN_DIGIT for ch in text) else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)


def arabic_dates(text: str) -> str:
    """Chinese numerals before 年/月/日 as digits: ``二〇二二年四月三日`` → ``2022年4月3日``."""
    if not _CN_NUMBER.search(text):
        return text

    def convert(m: re.Match[str]) -> str:
        written = m.group(1) or m.group(2)
        number = _cn_to_int(written)
        return written if number is None else str(number)

    return _CN_NUMBER.sub(convert, text)


def is_title(text: str) -> bool:
    """Whether a cell above the header is the ledger's title (…重点工作台账, …台帐)."""
    return bool(_TITLE_MARK_RE.search(text))


# What a department name is not: dates (2022年4月份, 2022.4, 第一季度), the template's leftovers
# ((单位), 部室（单位）), a 盖章 note, brackets left empty.
_DATE_BITS = re.compile(
    r"\d{4}\s*年度?|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?|\d{1,2}\s*月份?(?:\d{1,2}\s*[日号])?"
    r"|[一二三四1-4]\s*季度|上半年|下半年|全年|年度|截至|截止")
_LEFTOVER = re.compile(r"(?:[(（]\s*(?:单位|部室|盖章|公章)\s*[)）])+$")
_EMPTY_BRACKETS = re.compile(r"[(（【\[]\s*[)）】\]]")


def clean_department(text: str) -> str | None:
    """A department name as written, without dates, template leftovers and the centre's name:
    ``海事服务部2022年4月份`` → ``海事服务部``, ``财务部部室（单位）`` → ``财务部``,
    ``党群工作部（盖章）`` → ``党群工作部``; a placeholder (``××部室（单位）``) gives None."""
    t = arabic_dates(nfkc(text))
    t = re.sub(r"\s+", "", t)
    t = re.split(r"[:：]", t.strip(":："))[-1]  # 附件2：海事服务部…, 单位：海事服务部
    t = _DATE_BITS.sub("", t)
    t = _EMPTY_BRACKETS.sub("", t)
    t = t.strip(" ：:-—_、，,.")
    t = _LEFTOVER.sub("", t)
    t = re.sub(r"(?<=[部室站队所院处科])部室$", "", t)  # 财务部部室（单位）: the template's 部室 left behind
    t = CENTER_PREFIX.sub("", t) or t
    t = t.strip(" ：:-—_、，,.")
    if t in _PLACEHOLDER_DEPTS or re.fullmatch(r"[Xx×＊*]+.*", t) or not re.search(r"[\u4e00-\u9fff]", t):
        return None
    return t


def department_from_title(text: str) -> str | None:
    """``规划发展部重点工作台账`` → ``规划发展部``; also ``海事服务部2022年4月份重点工作台账``,
    ``2022年4月海事服务部重点工作台帐``, ``财务部部室（单位）重点工作台账``; the unfilled
    ``XX部室（单位）…`` gives None."""
    t = nfkc(text).replace(" ", "").replace("\u3000", "")
    m = _TITLE_MARK_RE.search(t)
    if not m:
        return None
    after = re.match(r"[(（]([^)）]*)[)）]", t[m.end():])  # 重点工作台账（海事服务部）
    return clean_department(t[:m.start()]) or (clean_department(after.group(1)) if after else None)


# 填报单位：党群工作部（盖章）, 填报单位（盖章）：…, 填报部门：…
_UNIT_LABEL = re.compile(r"填报(?:单位|部门|部室|科室)\s*(?:[(（]\s*(?:盖章|公章)\s*[)）])?\s*[:：]?\s*")
_UNIT_END = re.compile(r"填报日期|填报人|联系人|联系电话|日期[:：]")


def unit_label_rest(text: str) -> str | None:
    """For a ``填报单位：…`` cell, the text after its label (up to a 填报日期 in the same cell;
    ``""`` when the name is in the next cell); None for any other cell."""
    t = nfkc(text)
    m = _UNIT_LABEL.search(t)
    if not m:
        return None
    rest = t[m.end():]
    end = _UNIT_END.search(rest)
    return (rest[:end.start()] if end else rest).strip()


def department_from_filename(stem: str) -> str | None:
    """``规划发展部-2022年4月重点工作台账`` → ``规划发展部``; also ``2022年4月海事服务部台帐``,
    ``附件2-海事服务部台账``, ``党群工作部部室（单位）重点工作台账``."""
    text = arabic_dates(nfkc(stem))
    text = re.sub(r"^(?:\d{1,3}[.\-_\s、]+)+", "", text)  # leading numbering such as "03_" (not a year)
    text = re.sub(r"^附件\s*\d*[\s.\-_—、:：]*", "", text)
    parts = _TITLE_MARK_RE.split(text, maxsplit=1) if _TITLE_MARK_RE.search(text) else re.split(r"台[账帐]", text, maxsplit=1)
    text = parts[0] if parts[0].strip(" -_—.") or len(parts) == 1 else parts[1]
    text = re.sub(r"\d{4}\s*年?(?:\s*\d{1,2}\s*月份?)?|\d{4}[-.]\d{1,2}(?:[-.]\d{1,2})?|\d{1,2}\s*月份?|\d+", "", text)
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    text = text.strip(" -_—.（）()[]【】")
    text = re.split(r"[-_\s—]+", text)[0] if text else ""
    if not text or text.lower() in {"台账", "新建", "book", "sheet", "副本"} or not re.search(r"[\u4e00-\u9fff]", text):
        return None
    return clean_department(text)


DATE_LABEL = "填报日期"
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    # 22.4.3, 22年4月3日: a two-digit year is this century's.
    re.compile(r"(?<![\d.])(?P<y>\d{2})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})"
               r"|[./-]\s*(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})(?![\d.]))"),
)


def parse_date_text(text: str) -> tuple[int, int, int] | None:
    """``2022年4月3日``, ``2022.4.3``, ``2022-04-03``, ``2022/4/3``, ``22.4.3``, ``二〇二二年四月三日``,
    ``2022年4月3日星期日``, ``填报日期：…`` → (2022, 4, 3)."""
    text = arabic_dates(nfkc(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m:
            groups = m.groupdict()
            y = int(m["y"])
            y = y + 2000 if y < 100 else y
            mo, d = int(groups.get("m") or groups.get("m1") or 0), int(groups.get("d") or groups.get("d1") or 0)
            if 1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100:
                return y, mo, d
    return None


_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def parse_month_day(text: str) -> tuple[int, int] | None:
    """A date written without its year (``4月3日``, ``四月三日``) → (4, 3); None otherwise."""
    t = arabic_dates(nfkc(text))
    if parse_date_text(t) is not None:
        return None
    m = _MONTH_DAY.search(t)
    if not m or not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31):
        return None
    return int(m.group(1)), int(m.group(2))


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?:年|(?=[01]\d(?:[0-3]\d)?(?!\d))|(?!\d))")


def year_in(text: str | None) -> int | None:
    """The year a text names (``2022年4月份``, ``2022-04``, ``202204``, ``二〇二二年``), if any."""
    if not text:
        return None
    m = _YEAR.search(arabic_dates(nfkc(text)))
    return int(m.group(1)) if m else None


# A row whose first text starts with one of these ends the item rows.
FOOTER_MARKS = ("中心分管领导", "台账联系人", "说明", "填报人", "联系人", "审核人")


@lru_cache(maxsize=4096)  # asked of every row's first text: mostly 序号 1, 2, 3…
def is_footer(text: str) -> bool:
    t = normalise_label(text)
    return any(t.startswith(mark) for mark in FOOTER_MARKS)


# 附件2's footer: 中心分管领导：×××, the centre leader who supervises the department (通知 四).
_CENTER_LEADER = re.compile(r"^\s*中\s*心\s*分\s*管\s*领\s*导\s*(?:同\s*志)?\s*[:：]?\s*(.*)$", re.S)
# What may follow the name in the same cell: 台账联系人：…, a phone number.
_AFTER_LEADER = re.compile(r"\s{2,}|台账联系人|联系人|联系电话|填报人|\n")
_LEADER_PLACEHOLDER = re.compile(r"^[×xX*＊？?…\.。、\s_-]*$")


def center_leader(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` is the footer's 中心分管领导 cell, and the name(s) written after it
    (``中心分管领导：褚建华`` → (True, "褚建华"); ``×××`` or nothing → (True, None))."""
    m = _CENTER_LEADER.match(nfkc(text))
    if m is None:
        return False, None
    name = _AFTER_LEADER.split(m.group(1).strip(), maxsplit=1)[0].strip(" ，,；;。")
    if _LEADER_PLACEHOLDER.match(name):
        return True, None
    return True, name


def split_names(text: str) -> list[str]:
    """``褚建华、孟庆军`` / ``褚建华 孟庆军`` / ``褚建华同志`` → the names."""
    names = [re.sub(r"同志$", "", n) for n in re.split(r"[、，,；;/／\s]+", nfkc(text)) if n]
    return [n for n in names if n]


# The template's own example rows ("蓝色示例：进展较快事项").
def is_example_text(text: str) -> bool:
    return "示例" in text


# --------------------------------------------------------------------------------------------
# 说明 第1条: 重要程度 ★★★ / ★★ / ★
# --------------------------------------------------------------------------------------------

STAR_LEVELS = {3: "★★★", 2: "★★", 1: "★"}
STAR_MEANING = {3: "特别重要", 2: "重要", 1: "一般"}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "1": 1, "2": 2, "3": 3}


_SOLID_STARS = "★*✭✮⭐"
_HOLLOW_STARS = "☆✩"
# The 说明's own words for a level, written after (or before) the stars: ★★★（特别重要）, ★★ 重要.
_STAR_WORDS = re.compile(r"^(.*?)[(（【\[]?(特别重要|重要|一般)[)）】\]]?(.*)$")


def _star_level(compact: str) -> int | None:
    """The level of stars written without the 说明's words, or None."""
    if re.fullmatch(f"[{_SOLID_STARS}{_HOLLOW_STARS}]+", compact):
        solid = len(compact.rstrip(_HOLLOW_STARS))
        if any(ch in _HOLLOW_STARS for ch in compact) and any(ch not in _HOLLOW_STARS for ch in compact):
            # A rating with hollow stars (★★☆ = ★★): the filled stars first, at most 3 of them.
            ok = 0 < solid <= 3 and len(compact) <= 5 and not any(ch in _HOLLOW_STARS for ch in compact[:solid])
            return solid if ok else None
        return len(compact) if 1 <= len(compact) <= 3 else None  # ☆☆☆: the hollow star as the star
    m = re.fullmatch(r"([一二两三123])(?:星|颗星|级|级星标|星级|级星|星标)?", compact)
    if m:
        return _CN_DIGITS[m.group(1)]
    return None


@lru_cache(maxsize=4096)  # a ledger writes a handful of distinct values on every row
def normalise_stars(value: str) -> tuple[str | None, bool]:
    """(★★★|★★|★ or None, was_normalised). ★★★ 特别重要, ★★ 重要, ★ 一般 (说明 第1条).

    Accepts, with a warning, ☆/*/✩ stars, spaces between stars, hollow-star ratings (``★★☆``),
    ``三星``, ``3星``, ``3``, ``三级``, ``特别重要``, and stars followed by the 说明's own word for
    their level (``★★★（特别重要）``, ``★★ 重要``); stars and a word that disagree are refused.
    """
    text = nfkc(value).strip()
    if not text:
        return None, False
    if text in STAR_LEVELS.values():
        return text, False
    compact = re.sub(r"\s+", "", text)
    level = _star_level(compact)
    if level is None:
        m = _STAR_WORDS.match(compact)
        if m:
            said = next(k for k, word in STAR_MEANING.items() if word == m.group(2))
            rest = (m.group(1) + m.group(3)).strip(":：-—,，、()（）【】[]")
            stars = _star_level(rest) if rest else said
            level = said if stars == said else None  # ★★（特别重要）: which one was meant?
    return (STAR_LEVELS[level], True) if level else (None, False)


# --------------------------------------------------------------------------------------------
# 说明 第2条: 任务来源 A/B/C/D
# --------------------------------------------------------------------------------------------

SOURCE_MEANING = {
    "A": "国家及省市级层面安排事项",
    "B": "中心层面安排部署事项",
    "C": "部室（单位）安排重点工作",
    "D": "创新类及对上争取、创建荣誉类事项",
}


# Words of 说明 第2条 that name a letter, to check the explanation a clerk writes beside a letter.
_SOURCE_WORDS = {
    "A": re.compile(r"国家|省|市委|市政府|市级|市领导"),
    "B": re.compile(r"中心"),
    "C": re.compile(r"部室|本部|科室|单位"),
    "D": re.compile(r"创新|争取|荣誉|创建"),
}


@lru_cache(maxsize=4096)  # a ledger writes a handful of distinct values on every row
def normalise_source(value: str) -> tuple[str | None, bool]:
    """(letters in ABCD order or None, was_normalised). ``A、B``, ``a,b``, ``ＡＢ``, ``A+C`` → ``AB``/``AC``;
    letters followed by the 说明's words (``A（省市安排）``, ``B级``) are read as the letters, unless
    the words name another letter (``B（省市安排）`` is refused)."""
    raw = value.strip()
    if not raw:
        return None, False
    text = nfkc(raw)
    words = "".join(re.findall(r"[(（【\[]([^)）】\]]*)[)）】\]]", text))
    text = re.sub(r"[(（【\[][^)）】\]]*[)）】\]]", "", text)
    m = re.match(r"^([A-Za-z\s、,，;；/.+＋&和及]*)(.*)$", text)
    head, tail = (m.group(1), m.group(2)) if m else ("", text)
    compact = re.sub(r"[\s、,，;；/.+＋&和及]+", "", head).upper()
    if not compact or not re.fullmatch(r"[ABCD]+", compact) or re.search(r"[A-Za-z0-9]", tail):
        return None, False
    letters = "".join(sorted(set(compact)))
    named = {letter for letter, pattern in _SOURCE_WORDS.items() if pattern.search(words + tail)}
    if named and not named <= set(letters):
        return None, False
    return letters, letters != raw


# --------------------------------------------------------------------------------------------
# 说明 第3条: 蓝黄红 marking
# --------------------------------------------------------------------------------------------

COLOUR_NAMES = {Colour.BLUE: "蓝色", Colour.YELLOW: "黄色", Colour.RED: "红色", Colour.NONE: "未标注颜色",
                Colour.UNKNOWN: "其他颜色"}
COLOUR_MEANING = {
    Colour.BLUE: "领先时序进度的进展较快事项、排名全市前3位事项、对上争取成效显著事项等",
    Colour.YELLOW: "排名全市中间位次事项、预计为“较好”等次事项等",
    Colour.RED: "排名全市后3位位次事项、落后于时序进度的缓慢类事项、存在失分扣分风险的事项、被上级通报批评或曝光约谈类事项等",
    Colour.NONE: "其他事项",
}
# One standard fill per colour for what taizhang writes.
STANDARD_FILLS = {Colour.BLUE: "9BC2E6", Colour.YELLOW: "FFE699", Colour.RED: "FF7C80"}

_TEXT_COLOUR = {"蓝": Colour.BLUE, "黄": Colour.YELLOW, "红": Colour.RED}

# The self-checking template's column K (issue 11): the colour chosen from a list, after 备注.
CHOICE_LABEL = "评价颜色"
CHOICE_COLOURS = {"蓝色": Colour.BLUE, "黄色": Colour.YELLOW, "红色": Colour.RED, "不标注": Colour.NONE}
CHOICE_NAMES = {colour: word for word, colour in CHOICE_COLOURS.items()}


def colour_choice(text: str) -> Colour | None:
    """The colour chosen in 评价颜色 (蓝色/黄色/红色/不标注), or None when nothing recognised is chosen."""
    return CHOICE_COLOURS.get(nfkc(text).strip().replace(" ", ""))



def colour_from_text(text: str) -> tuple[Colour | None, bool]:
    """The colour a 进度评价 text names: (colour or None, ambiguous).

    ``蓝色…``, ``黄``, ``红色：…`` name a colour; text naming two colours is ambiguous unless it
    starts with one (``红色：由黄转红``).
    """
    t = nfkc(text).strip()
    if not t:
        return None, False
    lead = re.match(r"^[\s(（【\[]*(?:标|标注|评价|为)?[:：]?\s*([蓝黄红])(?:色|灯|牌|标)?", t)
    if lead:
        return _TEXT_COLOUR[lead.group(1)], False
    found = {_TEXT_COLOUR[ch] for ch in re.findall(r"([蓝黄红])(?:色|灯|牌|标)", t)}
    if len(found) == 1:
        return found.pop(), False
    return None, len(found) > 1


# 说明 第3条, the words that call for red / blue. Ranks (全市第2位, 后3位) are read by
# parse_rank below, which knows a stated rank from a goal (力争全市前3位) or a batch (第2批).
_RED_WORDS = re.compile(r"落后|滞后|通报批评|约谈|扣分|失分|进度缓慢|进展缓慢")
_BLUE_WORDS = re.compile(r"领先(?:于)?(?:序时|时序)进度|超(?:过)?(?:序时|时序)进度")
_NEGATION = re.compile(r"(?:未|没有|无|不)(?:出现)?$")


def _hits(pattern: re.Pattern[str], text: str) -> list[str]:
    words = []
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 3):m.start()]
        if _NEGATION.search(before):  # "未落后", "无扣分" are not red flags
            continue
        words.append(m.group(0))
    return words


def colour_words(text: str) -> tuple[list[str], list[str]]:
    """``(red_words(text), blue_words(text))``, the text normalised once (asked of every item)."""
    t = nfkc(text)
    # One search first: most texts name none of the words, and finding that needs no loop.
    red = _hits(_RED_WORDS, t) if _RED_WORDS.search(t) else []
    return red, ([] if red or not _BLUE_WORDS.search(t) else _hits(_BLUE_WORDS, t))


def red_words(text: str) -> list[str]:
    return _hits(_RED_WORDS, nfkc(text))


def blue_words(text: str) -> list[str]:
    t = nfkc(text)
    if _hits(_RED_WORDS, t):  # "落后于序时进度" must not also count as blue
        return []
    return _hits(_BLUE_WORDS, t)


# --------------------------------------------------------------------------------------------
# Figures a 推进情况 states (说明 第3条, 通知 三 对标对表): Chinese numbers, completion
# shares of the year's plan and 全市 ranks. progress.py measures them against 序时进度.
# Chinese numbers
# --------------------------------------------------------------------------------------------

_CN_NUMERAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_NUM = "[零〇一二两三四五六七八九十百]+"


def cn_int(text: str) -> int | None:
    """``3`` / ``三`` / ``十二`` / ``二十五`` / ``一百零五`` / ``二〇二二`` → int; anything else None.

    Only well-formed numerals: ``十二十二…`` pasted into a cell is text, not 327,670."""
    if text.isdigit():
        return int(text)
    if not text:
        return None
    if all(ch in _CN_NUMERAL for ch in text):  # 二〇二二: digit by digit
        return int("".join(str(_CN_NUMERAL[ch]) for ch in text)) if len(text) <= 6 else None
    m = _CN_WELL_FORMED.match(text)
    if m is None:
        return None
    hundreds, tens, units = m.group("h"), m.group("t"), m.group("u")
    total = _CN_NUMERAL[hundreds] * 100 if hundreds else 0
    if tens is not None:
        total += (_CN_NUMERAL[tens] if tens else 1) * 10
    return total + (_CN_NUMERAL[units] if units else 0)


_CN_ONE_TO_NINE = "[一二两三四五六七八九]"
_CN_WELL_FORMED = re.compile(rf"^(?:(?P<h>{_CN_ONE_TO_NINE})百)?(?:零?(?P<t>{_CN_ONE_TO_NINE}?)十)?"
                             rf"(?:零?(?P<u>{_CN_ONE_TO_NINE}))?$")


# --------------------------------------------------------------------------------------------
# Stated completion shares
# --------------------------------------------------------------------------------------------


# StatedShare and StatedRank (what these parsers return) are models: see models.py.


_AMOUNT = (r"(?:约|近|超过|达到|达)?(?:(?P<pct>\d+(?:\.\d+)?)\s*%|百分之(?P<cnpct>" + _CN_NUM + r")"
           r"|(?P<den>[二三四五六七八九十])分之(?P<num>[一二三四五六七八九])|(?P<half>一半|过半))")
_PCT_ONLY = (r"(?:约|近|超过|达到|达)?(?:(?P<pct>\d+(?:\.\d+)?)\s*%|百分之(?P<cnpct>" + _CN_NUM + r")"
             r"|(?P<half>过半))")
_PLAN_YEAR = r"(?:本|今)?(?:年度|全年)"
_PLAN = r"(?:投资计划|计划任务|目标任务|工作任务|建设任务|计划|目标|任务|工作量)"

_PLAN_PATTERNS = tuple(re.compile(p) for p in (
    rf"完成(?:了)?{_PLAN_YEAR}{_PLAN}?(?:的)?{_AMOUNT}",  # 完成年度计划37%, 完成全年任务的三分之一
    rf"占{_PLAN_YEAR}{_PLAN}?(?:的)?{_AMOUNT}",  # 完成投资1.2亿元，占年度计划的45%
    rf"{_PLAN_YEAR}{_PLAN}?(?:完成率|完成进度|进度)(?:为|是)?{_AMOUNT}",  # 年度计划完成率40%
    rf"{_PLAN_YEAR}{_PLAN}(?:已经|已)?完成(?:了)?{_AMOUNT}",  # 全年目标已完成45%
))
_PROGRESS_PATTERNS = tuple(re.compile(p) for p in (
    # 进度50%, 形象进度达到60%; not 序时进度/时序进度 (the schedule) nor 进度款 (a payment)
    rf"(?<!序时)(?<!时序)进度(?:为|是|已达到|已达|已完成|完成)?(?:了)?{_PCT_ONLY}",
    rf"完成(?:了)?{_PCT_ONLY}",  # 主体工程已完成60%
))

# Words before a figure, in the same clause, that make it a target or the past, not progress.
_INTENT = re.compile(r"预计|力争|争取|确保|拟|计划(?:于|在|到|年底|年内|\d)|目标(?:为|是)?$|底前|之前完成|"
                     r"去年|上年|上一年|同比|环比|避免|防止")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:\n！!？?]")


def _clause_before(text: str, start: int) -> str:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)]
    return text[breaks[-1] if breaks else 0:start]


def _amount(m: re.Match[str]) -> float | None:
    groups = m.groupdict()
    if groups.get("pct"):
        return float(groups["pct"]) / 100
    if groups.get("cnpct"):
        n = cn_int(groups["cnpct"])
        return None if n is None else n / 100
    if groups.get("den") and groups.get("num"):
        den, num = cn_int(groups["den"]), cn_int(groups["num"])
        return None if not den or num is None or num > den else num / den
    if groups.get("half"):
        return 0.5
    return None


@lru_cache(maxsize=1 << 14)
def _nfkc_full(text: str) -> str:
    # Cached: a report reads each 推进情况 for shares and ranks in several places, and
    # normalising was most of that reading.
    return unicodedata.normalize("NFKC", text or "")


def _shares(text: str, patterns: Iterable[re.Pattern[str]], of_plan: bool) -> list[tuple[int, StatedShare]]:
    found: list[tuple[int, StatedShare]] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if _INTENT.search(_clause_before(text, m.start())):
                continue
            value = _amount(m)
            if value is None:
                continue
            found.append((m.start(), StatedShare(value=value, text=m.group(0), of_plan=of_plan)))
    return found


def parse_share(text: str) -> StatedShare | None:
    """The completion share a 推进情况 states, or None.

    A share of the year's plan wins over a plain progress figure. Of several shares of the plan
    the largest is the cumulative one (``一季度完成年度计划20%，截至3月底完成年度计划35%``); of
    several plain figures the first (later ones tend to be parts: ``其中A工程进度80%``).
    """
    t = _nfkc_full(text)
    plan = _shares(t, _PLAN_PATTERNS, True)
    if plan:
        return max(plan, key=lambda pair: (pair[1].value, -pair[0]))[1]
    plain = _shares(t, _PROGRESS_PATTERNS, False)
    if plain:
        return min(plain, key=lambda pair: pair[0])[1]
    return None


# --------------------------------------------------------------------------------------------
# Stated 全市 ranks
# --------------------------------------------------------------------------------------------

_RANK_NUM = rf"(?P<n>\d+|{_CN_NUM})"
_RANK_END = r"(?:[位名]|(?=[，,。；;：:\n）)、]|$))"  # 第2位 / 第二名 / …第一。 but not 第2批
_MID = r"[^，,。；;：:\n]{0,12}?"
_VERB = r"(?:排名|排位|排|位列|位居|居于|居|列|名列)?"
_RANK_PATTERNS = (
    ("bottom", re.compile(rf"全市{_MID}{_VERB}倒数(?:第)?{_RANK_NUM}{_RANK_END}")),
    ("bottom", re.compile(rf"全市{_MID}{_VERB}(?:后|末){_RANK_NUM}{_RANK_END}")),
    ("last", re.compile(rf"全市{_MID}{_VERB}(?:末位|最后一名|最末位|最后一位)")),
    ("top", re.compile(rf"全市{_MID}{_VERB}前{_RANK_NUM}{_RANK_END}")),
    ("position", re.compile(rf"全市{_MID}{_VERB}第{_RANK_NUM}{_RANK_END}")),
)
_RANK_INTENT = re.compile(r"预计|力争|争取|确保|争创|冲刺|目标|计划|拟|避免|防止|摆脱|退出|走出|不|未|没有|去年|上年")


def _ranks(text: str, *, goals: bool) -> list[StatedRank]:
    if not text or "市" not in text:
        # Every pattern begins with 全市, and NFKC makes 市 of no other character (only 全 has a
        # compatibility twin, U+FA72): most texts state no rank and are not normalised.
        return []
    t = _nfkc_full(text)
    if "全市" not in t:  # every pattern begins with it: most texts state no rank
        return []
    found: list[tuple[int, StatedRank]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _RANK_PATTERNS:
        for m in pattern.finditer(t):
            if any(a <= m.start() < b for a, b in taken):  # 倒数第2 is not also 第2
                continue
            before = _clause_before(t, m.start()) + t[m.start():m.end()]
            if not goals and _RANK_INTENT.search(before):
                continue
            n = 1 if kind == "last" else cn_int(m.group("n"))
            if n is None or n < 1:
                continue
            taken.append((m.start(), m.end()))
            # Without validation (a text and an int): no validator built in each reading worker.
            if kind == "position":
                rank = construct(StatedRank, {"text": m.group(0), "position": n, "top": n})
            elif kind == "top":
                rank = construct(StatedRank, {"text": m.group(0), "top": n})
            else:
                rank = construct(StatedRank, {"text": m.group(0), "bottom": n})
            found.append((m.start(), rank))
    return [rank for _, rank in sorted(found, key=lambda pair: pair[0])]


def parse_rank(text: str) -> StatedRank | None:
    """The first 全市 rank a 推进情况 states as a fact (not a goal such as ``力争全市前三``), or None."""
    ranks = _ranks(text, goals=False)
    return ranks[0] if ranks else None


def parse_rank_target(text: str) -> StatedRank | None:
    """The target rank a 任务目标 names (``进入全市前3位``, ``争创全市第一``), or None."""
    ranks = _ranks(text, goals=True)
    return ranks[0] if ranks else None


# --------------------------------------------------------------------------------------------
# 销号 (通知 第二条: 对已完成的事项及时销号)
# --------------------------------------------------------------------------------------------


def is_closed(note: str, judgement: str) -> bool:
    """An item whose 备注 or 进度评价 says 销号 is closed: listed, not counted."""
    if "销号" not in note and "销号" not in judgement:
        return False  # most items
    for text in (note, judgement):
        if "销号" in text and not re.search(r"(?:未|不|暂不|拟|申请)销号", text):
            return True
    return False


# --------------------------------------------------------------------------------------------
# The summary sentence of 附件2
# --------------------------------------------------------------------------------------------


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})\s*(?:月份?)?\s*$")


def parse_month(text: str) -> str | None:
    """``2022-04``, ``2022-4``, ``2022.4``, ``2022年4月`` → ``2022-04``; None when it is not a month."""
    m = _MONTH_RE.match(nfkc(text or ""))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def require_month(text: str) -> str:
    """``parse_month`` for a month the user typed (``--month``, a library argument): the normal
    form, or a ``TaizhangError`` that says how to write it."""
    month = parse_month(text)
    if month is None:
        raise TaizhangError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2022-04。")
    return month


def previous_month(month: str) -> str:
    """The calendar month before ``month`` (``YYYY-MM``): ``2022-01`` → ``2021-12``."""
    year, mon = (int(p) for p in month.split("-")[:2])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def month_cn(month: str) -> str:
    """``2022-04`` → ``2022年4月``."""
    year, mon = month.split("-")[:2]
    return f"{int(year)}年{int(mon)}月"


def format_date_cn(y: int, m: int, d: int) -> str:
    return f"{y}年{m}月{d}日"


def iso_date_cn(iso: str | None, missing: str = "") -> str:
    """``2022-04-03`` → ``2022年4月3日``; ``missing`` for no date."""
    if not iso:
        return missing
    y, m, d = (int(part) for part in iso[:10].split("-"))
    return format_date_cn(y, m, d)


def summary_sentence(center: str, date_cn: str, counts: Counts) -> str:
    """The template's sentence, word for word and punctuation for punctuation."""
    s, src, c = counts.stars, counts.sources, counts.colours
    return (
        f"截至{date_cn}，{center}共梳理重点工作{counts.total}项，"
        f"其中从星标看，三级星标{s['3']}项、二级星标{s['2']}项、一级星标{s['1']}项；"
        f"从事项来源看，A级事项{src['A']}项、B级事项{src['B']}项、C级事项{src['C']}项、D级事项{src['D']}项；"
        f"从红黄蓝标注看，蓝色{c['blue']}项，黄色{c['yellow']}项，红色{c['red']}项，未标注颜色{c['none']}项。"
    )


SUMMARY_MARK = "共梳理重点工作"
_NUM = r"\s*([0-9０-９]+|[×xX＊*]+)?\s*"
_SUMMARY_FIELDS: dict[str, tuple[str, str]] = {
    # key: (regex fragment before the number, Chinese label for messages)
    "total": (r"共梳理重点工作", "重点工作总数"),
    "3": (r"三级星标", "三级星标"),
    "2": (r"二级星标", "二级星标"),
    "1": (r"一级星标", "一级星标"),
    "A": (r"A\s*级事项", "A级事项"),
    "B": (r"B\s*级事项", "B级事项"),
    "C": (r"C\s*级事项", "C级事项"),
    "D": (r"D\s*级事项", "D级事项"),
    "blue": (r"蓝色", "蓝色"),
    "yellow": (r"黄色", "黄色"),
    "red": (r"红色", "红色"),
    "none": (r"未标注颜色|未标颜色|无颜色|不标颜色", "未标注颜色"),
}
SUMMARY_LABELS = {k: v[1] for k, v in _SUMMARY_FIELDS.items()}


def parse_summary(text: str) -> dict[str, int | None | str]:
    """Numbers stated in a summary sentence; ``×`` placeholders give the string ``"×"``."""
    t = nfkc(text)
    out: dict[str, int | None | str] = {}
    for key, (prefix, _label) in _SUMMARY_FIELDS.items():
        m = re.search(f"(?:{prefix}){_NUM}项", t)
        if not m or m.group(1) is None:
            continue
        raw = m.group(1)
        out[key] = int(raw) if raw.isdigit() else "×"
    return out


def summary_date(text: str) -> tuple[int, int, int] | None:
    m = re.search(r"截至([^，,]*)", nfkc(text))
    return parse_date_text(m.group(1)) if m else None
