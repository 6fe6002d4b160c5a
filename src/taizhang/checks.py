"""The checks of the notice and its 说明, one small unit each.

A check is a function that yields findings (or returns them in a list, as the item rules here
do: a generator costs a check run on every item more than its tests), registered with the codes
it may report::

    @item_rule("rule.top_stars_own_source")
    def top_stars_own_source(raw, item, sheet): ...      # once per item, after it is read

    @ledger_rule("numbering.gap", "numbering.repeat")
    def numbering(ledger, report): ...                   # once per ledger, after every item

``validate`` runs every registered check in one pass, in the order they are registered (which
is the order of their findings in a cell). A new rule is one function here plus its code in
``findings.CODES``; ``[rules]`` of taizhang.toml switches a code off or changes its severity
(``findings.RuleConfig``). What the readers report while deciding a value (the colour of a row,
a star level, a 序号, the sheet read) is not a check here, but its codes are switched the same way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from . import rules
from .findings import CODES, finding
from .models import Colour, Counts, FileReport, Finding, Item
from .reading.grid import a1
from .reading.ledger import ParsedLedger, RawItem

ItemCheck = Callable[[RawItem, Item, str], Iterable[Finding]]
LedgerCheck = Callable[[ParsedLedger, FileReport], Iterable[Finding]]
C = TypeVar("C", ItemCheck, LedgerCheck)


@dataclass(frozen=True)
class Rule:
    """One check and the codes it may report."""

    name: str
    codes: tuple[str, ...]
    check: Callable[..., Iterable[Finding]]


ITEM_RULES: list[Rule] = []  # check(raw, item, sheet) for every item
LEDGER_RULES: list[Rule] = []  # check(ledger, report) once the items are read and counted


def _register(registry: list[Rule], codes: tuple[str, ...]) -> Callable[[C], C]:
    unknown = [c for c in codes if c not in CODES]
    if not codes or unknown:
        raise ValueError(f"a rule needs codes registered in findings.CODES, not {unknown or 'none'}")

    def register(check: C) -> C:
        registry.append(Rule(getattr(check, "__name__", repr(check)), codes, check))
        return check
    return register


def item_rule(*codes: str) -> Callable[[ItemCheck], ItemCheck]:
    """Register ``check(raw, item, sheet)``, run for every item; it yields findings of ``codes``."""
    return _register(ITEM_RULES, codes)


def ledger_rule(*codes: str) -> Callable[[LedgerCheck], LedgerCheck]:
    """Register ``check(ledger, report)``, run once per ledger; it yields findings of ``codes``."""
    return _register(LEDGER_RULES, codes)


# --------------------------------------------------------------------------------------------
# Item rules
# --------------------------------------------------------------------------------------------


@item_rule("item.required")
def required(raw: RawItem, item: Item, sheet: str) -> list[Finding]:
    """通知 三: 逐一明确责任领导、责任人员、任务目标 (and the item's name)."""
    t = raw.texts
    found = []
    for key in rules.REQUIRED_FIELDS:
        if key in raw.cells and not t.get(key):
            label = rules.COLUMN_BY_KEY[key].label.replace("\n", "")
            found.append(finding("item.required", sheet=sheet, cell=raw.cells[key], row=raw.first_row, label=label,
                                 hint=rules.REQUIRED_HINTS[key]))
    return found


@item_rule("rule.top_stars_own_source", "rule.state_source_one_star")
def stars_match_source(raw: RawItem, item: Item, sheet: str) -> list[Finding]:
    """说明 第1、2条, as warnings (a rule with exceptions): ★★★ is not a C-only item, nor an A item ★."""
    found = []
    if item.stars == "★★★" and item.source == "C":
        found.append(finding("rule.top_stars_own_source", sheet=sheet, cell=raw.cells.get("stars")))
    if item.stars == "★" and item.source and "A" in item.source:
        found.append(finding("rule.state_source_one_star", sheet=sheet, cell=raw.cells.get("stars")))
    return found


@item_rule("rule.should_be_red", "rule.should_be_blue")
def colour_follows_words(raw: RawItem, item: Item, sheet: str) -> list[Finding]:
    """说明 第3条, as warnings: 落后/通报批评/全市后3位 call for red, 领先序时进度/全市前3位 for blue."""
    if item.closed:
        return []
    text = f"{item.progress}\n{item.judgement}"
    red, blue = rules.colour_words(text)
    rank = rules.parse_rank(item.progress) or rules.parse_rank(item.judgement)  # facts, not goals
    if rank is not None and rank.in_bottom3:
        red.append(rank.text)
    elif rank is not None and rank.in_top3 and not red:
        blue.append(rank.text)
    found = []
    if red and item.colour is not Colour.RED:
        found.append(finding("rule.should_be_red", sheet=sheet, cell=raw.cells.get("judgement"),
                             words="、".join(dict.fromkeys(red)), current=rules.COLOUR_NAMES[item.colour]))
    if blue and item.colour not in (Colour.BLUE, Colour.RED):
        found.append(finding("rule.should_be_blue", sheet=sheet, cell=raw.cells.get("judgement"),
                             words="、".join(dict.fromkeys(blue)), current=rules.COLOUR_NAMES[item.colour]))
    return found


# --------------------------------------------------------------------------------------------
# Ledger rules
# --------------------------------------------------------------------------------------------


@ledger_rule("numbering.invalid", "numbering.repeat", "numbering.gap")
def numbering(ledger: ParsedLedger, report: FileReport) -> Iterator[Finding]:
    """序号 should run 1, 2, 3…: gaps and repeats are warnings (the notice's own template skips 3).
    Under section headings (一、… 二、…) the numbering may start again at 1 in each section."""
    if "no" not in ledger.columns:
        return
    seen: dict[int, int] = {}
    prev: int | None = None
    section = 0
    for raw, item in zip(ledger.items, report.items, strict=True):
        cell = raw.cells.get("no")
        if item.no is None:
            continue
        if isinstance(item.no, str):
            yield finding("numbering.invalid", sheet=ledger.sheet, cell=cell, value=item.no)
            continue
        here = bisect_right(ledger.section_rows, raw.first_row) if ledger.section_rows else 0
        if here != section:
            section = here
            if item.no == 1:
                seen, prev = {}, None  # a new section numbered from 1
        if item.no in seen:
            yield finding("numbering.repeat", sheet=ledger.sheet, cell=cell, this=item.no, other=seen[item.no])
        elif prev is not None and item.no != prev + 1:
            yield finding("numbering.gap", sheet=ledger.sheet, cell=cell, prev=prev, this=item.no)
        seen.setdefault(item.no, item.row)
        prev = item.no


@ledger_rule("item.duplicate")
def duplicates(ledger: ParsedLedger, report: FileReport) -> Iterator[Finding]:
    """One item, one row: the same 工作事项 twice is a warning."""
    first: dict[str, int] = {}
    for raw, item in zip(ledger.items, report.items, strict=True):
        key = rules.normalise_label(item.name)
        if not key:
            continue
        if key in first:
            yield finding("item.duplicate", sheet=ledger.sheet, cell=raw.cells.get("name"),
                          name=item.name, other=first[key])
        else:
            first[key] = item.row


_LEFT_OUT = "，汇总句没有计入这一项，已视为删除、不计入（同已销号）。如确已删除，请删除该行或在备注中写“销号”"
_STRUCK_COUNTED = "，仍按正常事项计入。如该项已删除，请删除该行或在备注中写“销号”；如仍在推进，请取消删除线"
_HIDDEN_COUNTED = "，仍按正常事项计入。如该项已删除，请删除该行或在备注中写“销号”；否则请取消隐藏"


@ledger_rule("item.id_duplicate")
def duplicate_ids(ledger: ParsedLedger, report: FileReport) -> Iterator[Finding]:
    """The hidden 事项编号 that prepare wrote is one item's: a second row carrying it was copied."""
    first: dict[str, int] = {}
    for raw in ledger.items:
        if not raw.item_id:
            continue
        if raw.item_id in first:
            cell = a1(raw.first_row, ledger.id_column) if ledger.id_column else None
            yield finding("item.id_duplicate", sheet=ledger.sheet, cell=cell, row=raw.first_row,
                          other=first[raw.item_id], item_id=raw.item_id)
        else:
            first[raw.item_id] = raw.first_row


@ledger_rule("item.struck", "item.hidden")
def unseen(ledger: ParsedLedger, report: FileReport) -> Iterator[Finding]:
    """Item rows a reader does not see: struck through or hidden, each named with a warning that
    says whether it was counted (validate decides that, by the department's summary sentence)."""
    for raw, item in zip(ledger.items, report.items, strict=True):
        if not (raw.struck or raw.hidden) or rules.is_closed(item.note, item.judgement):
            continue
        gone = item.closed  # closed here only because the summary sentence leaves it out
        cell = raw.cells.get("no") or raw.cells.get("name")
        if raw.struck:
            yield finding("item.struck", sheet=ledger.sheet, cell=cell, row=raw.first_row,
                          detail=_LEFT_OUT if gone else _STRUCK_COUNTED)
        if raw.hidden:
            yield finding("item.hidden", sheet=ledger.sheet, cell=cell, row=raw.first_row,
                          detail=_LEFT_OUT if gone else _HIDDEN_COUNTED)


@ledger_rule("summary.missing", "summary.unfilled", "summary.mismatch", "summary.uncertain",
             "summary.formula_uncached")
def summary_agrees(ledger: ParsedLedger, report: FileReport) -> Iterator[Finding]:
    """通知 五: 账实不符 — the department's own sentence must agree with its table. A difference
    that items read without confidence could explain is ``summary.uncertain``, never an error.
    A sentence that is a formula without a computed value is not compared (nothing is stated)."""
    if ledger.summary_text is None and ledger.summary_formula is not None:
        yield finding("summary.formula_uncached", sheet=ledger.sheet, cell=ledger.summary_cell or "A3")
        return
    if ledger.summary_text is None:
        yield finding("summary.missing", sheet=ledger.sheet, cell="A3")
        return
    stated = rules.parse_summary(ledger.summary_text)
    cell = ledger.summary_cell or "A3"
    if any(v == "×" for v in stated.values()):
        yield finding("summary.unfilled", sheet=ledger.sheet, cell=cell)
    actual = figures(report.counts)
    numbers = {k: v for k, v in stated.items() if isinstance(v, int)}
    for key, doubtful in summary_differences(report.items, report.counts, numbers).items():
        number, label = numbers[key], rules.SUMMARY_LABELS[key]
        if doubtful is not None:
            # 通知 五 blames the clerk only for what we read with confidence (issue 7.9).
            yield finding("summary.uncertain", sheet=ledger.sheet, cell=cell, value=number, label=label,
                          stated=number, actual=actual[key],
                          items=_name_items(doubtful, ledger, summary_aspect(key)))
        else:
            yield finding("summary.mismatch", sheet=ledger.sheet, cell=cell, value=number,
                          label=label, stated=number, actual=actual[key])


def figures(counts: Counts) -> dict[str, int]:
    """The table's figures by the summary sentence's keys (total, 3/2/1, A–D, the colours)."""
    return {"total": counts.total, **counts.stars, **counts.sources, **counts.colours}


def summary_differences(items: list[Item], counts: Counts, numbers: dict[str, int]) -> dict[str, list[Item] | None]:
    """Each figure of the sentence that differs from the table → the items read with doubt that
    explain it (a ``summary.uncertain``), or None when nothing we doubt does (``summary.mismatch``)."""
    actual = figures(counts)
    out: dict[str, list[Item] | None] = {}
    possible: dict[str, bool] = {}  # per aspect, worked out at its first difference
    for key, number in numbers.items():
        if number == actual[key]:
            continue
        doubtful = doubt_explaining(items, key, number - actual[key])
        aspect = summary_aspect(key)
        if doubtful is not None and aspect not in possible:
            possible[aspect] = doubt_could_agree(items, aspect, numbers)
        out[key] = doubtful if doubtful is not None and possible[aspect] else None
    return out


_BUCKETS = {"stars": ("3", "2", "1"), "source": tuple("ABCD"), "colour": ("blue", "yellow", "red", "none")}


def summary_aspect(key: str) -> str:
    return "stars" if key in _BUCKETS["stars"] else "source" if key in _BUCKETS["source"] else "colour"


def _bucket_keys(item: Item, aspect: str) -> set[str]:
    if aspect == "stars":
        return {str(item.star_level)} if item.star_level else set()
    if aspect == "source":
        return set(item.source or "")
    return {item.colour.value}


def doubt_could_agree(items: list[Item], aspect: str, stated: dict[str, int]) -> bool:
    """Whether some reading of the doubtful items makes all the sentence's figures of ``aspect``
    true at once; when none does, the sentence is wrong whatever those items are (an error)."""
    open_items = [i for i in items if not i.closed]
    doubtful = sum(1 for i in open_items if aspect in i.doubts)
    certain = dict.fromkeys(_BUCKETS[aspect], 0)
    for i in open_items:
        if aspect not in i.doubts:
            for k in _bucket_keys(i, aspect) & certain.keys():
                certain[k] += 1
    keys = [k for k in _BUCKETS[aspect] if k in stated]
    if any(stated[k] < certain[k] or stated[k] > certain[k] + doubtful for k in keys):
        return False
    if aspect == "source":
        return True  # an item may carry several letters: each letter is free on its own
    needed = sum(stated[k] - certain[k] for k in keys)
    return needed <= doubtful and (len(keys) < len(_BUCKETS[aspect]) or needed == doubtful)


def doubt_explaining(items: list[Item], key: str, diff: int) -> list[Item] | None:
    """The items read with doubt that could account for ``diff`` (stated minus counted) on ``key``,
    or None when they cannot: more stated than counted needs doubtful items counted elsewhere,
    fewer needs doubtful items counted here."""
    if key == "total":
        return None
    aspect = summary_aspect(key)

    candidates = [i for i in items
                  if not i.closed and aspect in i.doubts and (key in _bucket_keys(i, aspect)) is (diff < 0)]
    return candidates if candidates and len(candidates) >= abs(diff) else None


def _name_items(items: list[Item], ledger: ParsedLedger, aspect: str) -> str:
    """``B6“工作事项”（why）``, for at most ten items: where the clerk should look, and why we doubt."""
    cells = {raw.first_row: raw.cells.get("name") for raw in ledger.items}
    named = [f"{cells.get(i.row) or f'第{i.row}行'}“{i.name.replace(chr(10), ' ')[:30]}”（{i.doubts[aspect]}）"
             for i in items[:10]]
    more = f"等{len(items)}项" if len(items) > 10 else ""
    return "、".join(named) + more
