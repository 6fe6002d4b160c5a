"""Evaluate the conditional formats that paint a ledger's cells, as Excel would show them.

A clerk may colour 进度评价 through a rule instead of by hand: ``cellIs equal "红色"``, ``containsText
"滞后"``, or an expression such as ``=$E5="红色"`` or ``=ISNUMBER(SEARCH("滞后",$D5))`` over the row.
The common rule types and a small formula language (comparisons, &, arithmetic, AND/OR/NOT/IF,
SEARCH/FIND/LEFT/RIGHT/MID/LEN/TRIM, ISNUMBER/ISBLANK/ISERROR, COUNTIF, ROW/COLUMN/MOD…) are
evaluated; anything else raises ``Unevaluable`` and the caller says so instead of guessing.
Each rule's formulas are parsed once per sheet, then evaluated per cell of the item rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .grid import CondRule, RawSheet, column_index


class Unevaluable(Exception):
    """A rule or formula this evaluator does not understand."""


class _XlError(Exception):
    """An Excel error value (#VALUE!, #N/A…) met while evaluating."""


Value = object  # str | int | float | bool | None (blank)
Env = tuple[RawSheet, int, int, int, int]  # sheet, row offset, column offset, cell row, cell column
Node = Callable[[Env], Value]

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
  | (?P<ref>\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?)(?![\w(])
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>(),;%])
)""", re.VERBOSE)
MAX_FORMULA = 2000  # characters; no clerk's rule is longer, and parsing stays cheap
_REF = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})")
_EPOCH = dt.datetime(1899, 12, 30)


def _tokens(formula: str) -> list[tuple[str, str]]:
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    if len(text) > MAX_FORMULA:
        raise Unevaluable("formula too long")
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if not text[pos:].strip():
                break  # trailing spaces
            raise Unevaluable(text[pos:pos + 10])  # a sheet-qualified reference, a name, {arrays}…
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


@dataclass
class _Ref:
    row: int
    col: int
    row_abs: bool
    col_abs: bool

    def at(self, env: Env) -> tuple[int, int]:
        return (self.row if self.row_abs else self.row + env[1]), (self.col if self.col_abs else self.col + env[2])


def _parse_ref(text: str) -> _Ref:
    m = _REF.fullmatch(text)
    assert m is not None
    return _Ref(int(m.group(4)), column_index(m.group(2)), bool(m.group(3)), bool(m.group(1)))


@dataclass
class Compiled:
    """A parsed formula; ``uses_cells`` is False when it reads no cell (``MOD(ROW(),2)=0``);
    ``same_across_row`` when its value cannot change along a row (``$E5="红色"``)."""

    node: Node
    uses_cells: bool
    same_across_row: bool = False


class _Parser:
    def __init__(self, formula: str) -> None:
        self.toks = _tokens(formula)
        self.i = 0
        self.uses_cells = False
        self.column_relative = False  # a reference without $ before its column, or COLUMN()

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, op: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (op is not None and tok != ("op", op)):
            raise Unevaluable(f"expected {op}")
        self.i += 1
        return tok

    def parse(self) -> Compiled:
        node = self.compare()
        if self.peek() is not None:
            raise Unevaluable("trailing tokens")
        return Compiled(node, self.uses_cells, not self.column_relative)

    def compare(self) -> Node:
        left = self.concat()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in _COMPARE:
            self.i += 1
            test, right, lhs = _COMPARE[tok[1]], self.concat(), left
            left = (lambda a, b, t: lambda env: t(_compare(a(env), b(env))))(lhs, right, test)
        return left

    def concat(self) -> Node:
        left = self.additive()
        while self.peek() == ("op", "&"):
            self.i += 1
            right, lhs = self.additive(), left
            left = (lambda a, b: lambda env: _text(a(env)) + _text(b(env)))(lhs, right)
        return left

    def additive(self) -> Node:
        left = self.term()
        while (tok := self.peek()) is not None and tok in (("op", "+"), ("op", "-")):
            self.i += 1
            right, lhs, sign = self.term(), left, 1 if tok[1] == "+" else -1
            left = (lambda a, b, s: lambda env: _num(a(env)) + s * _num(b(env)))(lhs, right, sign)
        return left

    def term(self) -> Node:
        left = self.power()
        while (tok := self.peek()) is not None and tok in (("op", "*"), ("op", "/")):
            self.i += 1
            right, lhs = self.power(), left
            left = (lambda a, b, op: lambda env: _arith(op, _num(a(env)), _num(b(env))))(lhs, right, tok[1])
        return left

    def power(self) -> Node:
        left = self.unary()
        while self.peek() == ("op", "^"):
            self.i += 1
            right, lhs = self.unary(), left
            left = (lambda a, b: lambda env: _arith("^", _num(a(env)), _num(b(env))))(lhs, right)
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "+")):
            self.i += 1
            inner = self.unary()
            return inner if tok == ("op", "+") else (lambda a: lambda env: -_num(a(env)))(inner)
        node = self.atom()
        while self.peek() == ("op", "%"):
            self.i += 1
            node = (lambda a: lambda env: _num(a(env)) / 100)(node)
        return node

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "str":
            value = text[1:-1].replace('""', '"')
            return lambda env: value
        if kind == "num":
            number = float(text)
            return lambda env: number
        if kind == "ref":
            self.uses_cells = True
            self.column_relative |= any(not part.startswith("$") for part in text.split(":"))
            if ":" in text:
                a, b = (_parse_ref(part) for part in text.split(":"))
                return _RangeNode(a, b)
            return _RefNode(_parse_ref(text))
        if kind == "op" and text == "(":
            node = self.compare()
            self.take(")")
            return node
        if kind == "name":
            upper = text.upper()
            if self.peek() == ("op", "("):
                self.i += 1
                args: list[Node] = []
                if self.peek() != ("op", ")"):
                    args.append(self.compare())
                    while self.peek() in (("op", ","), ("op", ";")):
                        self.i += 1
                        args.append(self.compare())
                self.take(")")
                if upper == "COLUMN" and not args:
                    self.column_relative = True
                return _function(upper, args)
            if upper in ("TRUE", "FALSE"):
                flag = upper == "TRUE"
                return lambda env: flag
        raise Unevaluable(text)


class _RefNode:
    """One cell reference (kept as an object so that ROW(E5) can read the reference itself)."""

    def __init__(self, ref: _Ref) -> None:
        self.ref = ref

    def __call__(self, env: Env) -> Value:
        return _cell(env[0], *self.ref.at(env))


class _RangeNode:
    """``A1:B3``: only meaningful as an argument of COUNTIF/COUNTA/SUM."""

    def __init__(self, a: _Ref, b: _Ref) -> None:
        self.a, self.b = a, b

    def cells(self, env: Env) -> list[Value]:
        (r1, c1), (r2, c2) = self.a.at(env), self.b.at(env)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
            raise Unevaluable("range too large")
        return [_cell(env[0], r, c) for r in range(min(r1, r2), max(r1, r2) + 1)
                for c in range(min(c1, c2), max(c1, c2) + 1)]

    def __call__(self, env: Env) -> Value:
        raise Unevaluable("a range where one value is expected")


def _cell(sheet: RawSheet, r: int, c: int) -> Value:
    value = sheet.value(r, c)
    if isinstance(value, dt.datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - _EPOCH.date()).days)
    return value


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _num(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise _XlError("#VALUE!") from None


def _arith(op: str, a: float, b: float) -> float:
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise _XlError("#DIV/0!")
        return a / b
    try:
        return float(a ** b)
    except (OverflowError, ZeroDivisionError, TypeError):
        raise _XlError("#NUM!") from None


def _rank(value: Value) -> tuple[int, object]:
    """Excel's ordering: numbers < text (case-insensitive) < logical values."""
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, int | float):
        return 0, float(value)
    return 1, _text(value).lower()


def _compare(a: Value, b: Value) -> int:
    # A blank cell equals both 0 and "": it takes the type of the other side.
    if a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0
    ra, rb = _rank(a), _rank(b)
    return (ra > rb) - (ra < rb)


_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0, ">": lambda c: c > 0,
    "<=": lambda c: c <= 0, ">=": lambda c: c >= 0,
}


def _truth(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if value is None:
        return False
    upper = str(value).upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    raise _XlError("#VALUE!")


def _wildcard(pattern: str) -> re.Pattern[str]:
    """Excel's ``*``/``?`` wildcards (``~`` escapes), case-insensitive."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _search(find: str, within: str, start: float, *, case: bool) -> float:
    begin = int(start) - 1
    if begin < 0 or begin > len(within):
        raise _XlError("#VALUE!")
    if case:
        pos = within.find(find, begin)
    else:
        m = _wildcard(find).search(within, begin)
        pos = m.start() if m else -1
    if pos < 0:
        raise _XlError("#VALUE!")
    return float(pos + 1)


def _criterion(crit: Value) -> Callable[[Value], bool]:
    """A COUNTIF criterion: ``"红色"``, ``"*滞后*"``, ``">5"``, ``"<>"``, a number."""
    if not isinstance(crit, str):
        return lambda v: v is not None and _compare(v, crit) == 0
    m = re.match(r"^(<>|<=|>=|=|<|>)?(.*)$", crit, re.DOTALL)
    assert m is not None
    op, operand = m.group(1) or "=", m.group(2)
    target: Value = operand
    try:
        target = float(operand)
    except ValueError:
        pass
    if isinstance(target, str) and op in ("=", "<>"):
        pattern = _wildcard(operand)
        if op == "=":
            return lambda v: bool(pattern.fullmatch(_text(v))) if operand else v is None or _text(v) == ""
        return lambda v: not pattern.fullmatch(_text(v)) if operand else not (v is None or _text(v) == "")
    test = _COMPARE[op]
    return lambda v: v is not None and _rank(v)[0] == _rank(target)[0] and test(_compare(v, target))


def _function(name: str, args: list[Node]) -> Node:
    n = len(args)

    def arg(env: Env, i: int, default: Value = None) -> Value:
        return args[i](env) if i < n else default

    def errors(env: Env) -> bool:
        try:
            args[0](env)
        except _XlError:
            return True
        return False

    simple: dict[str, Callable[[Env], Value]] = {
        "AND": lambda env: all(_truth(a(env)) for a in args),
        "OR": lambda env: any(_truth(a(env)) for a in args),
        "NOT": lambda env: not _truth(arg(env, 0)),
        "IF": lambda env: arg(env, 1, True) if _truth(arg(env, 0)) else arg(env, 2, False),
        "ISNUMBER": lambda env: _is(args[0], env, lambda v: isinstance(v, int | float) and not isinstance(v, bool)),
        "ISTEXT": lambda env: _is(args[0], env, lambda v: isinstance(v, str)),
        "ISBLANK": lambda env: _is(args[0], env, lambda v: v is None),
        "ISERROR": errors,
        "ISERR": errors,
        "ISNA": errors,
        "IFERROR": lambda env: _iferror(args, env),
        "SEARCH": lambda env: _search(_text(arg(env, 0)), _text(arg(env, 1)), _num(arg(env, 2, 1.0)), case=False),
        "FIND": lambda env: _search(_text(arg(env, 0)), _text(arg(env, 1)), _num(arg(env, 2, 1.0)), case=True),
        "LEFT": lambda env: _text(arg(env, 0))[:_count(arg(env, 1, 1.0))],
        "RIGHT": lambda env: _right(_text(arg(env, 0)), _count(arg(env, 1, 1.0))),
        "MID": lambda env: _text(arg(env, 0))[max(0, int(_num(arg(env, 1))) - 1):][:max(0, int(_num(arg(env, 2))))],
        "LEN": lambda env: float(len(_text(arg(env, 0)))),
        "TRIM": lambda env: re.sub(" +", " ", _text(arg(env, 0)).strip(" ")),
        "LOWER": lambda env: _text(arg(env, 0)).lower(),
        "UPPER": lambda env: _text(arg(env, 0)).upper(),
        "EXACT": lambda env: _text(arg(env, 0)) == _text(arg(env, 1)),
        "VALUE": lambda env: _num(arg(env, 0)),
        "N": lambda env: _num(v) if isinstance(v := arg(env, 0), int | float) else 0.0,
        "CONCATENATE": lambda env: "".join(_text(a(env)) for a in args),
        "SUBSTITUTE": lambda env: _text(arg(env, 0)).replace(_text(arg(env, 1)), _text(arg(env, 2))),
        "ABS": lambda env: abs(_num(arg(env, 0))),
        "INT": lambda env: float(int(_num(arg(env, 0)) // 1)),
        "MOD": lambda env: _mod(_num(arg(env, 0)), _num(arg(env, 1))),
        "ISEVEN": lambda env: int(_num(arg(env, 0))) % 2 == 0,
        "ISODD": lambda env: int(_num(arg(env, 0))) % 2 == 1,
        "ROW": lambda env: float(_position(args, env)[0]),
        "COLUMN": lambda env: float(_position(args, env)[1]),
        "COUNTIF": lambda env: float(sum(map(_criterion(arg(env, 1)), _values(args[0], env)))),
        "COUNTA": lambda env: float(sum(v is not None for a in args for v in _values(a, env))),
        "COUNTBLANK": lambda env: float(sum(v is None for v in _values(args[0], env))),
    }
    if name not in simple:
        raise Unevaluable(name)  # TODAY(), INDIRECT(), VLOOKUP()…: not guessed
    return simple[name]


def _is(node: Node, env: Env, test: Callable[[Value], bool]) -> bool:
    try:
        return test(node(env))
    except _XlError:
        return False


def _iferror(args: list[Node], env: Env) -> Value:
    try:
        return args[0](env)
    except _XlError:
        return args[1](env) if len(args) > 1 else 0.0


def _count(value: Value) -> int:
    """A character count (LEFT/RIGHT): negative is #VALUE! as in Excel."""
    number = int(_num(value))
    if number < 0:
        raise _XlError("#VALUE!")
    return number


def _right(text: str, count: int) -> str:
    return text[len(text) - count:] if 0 < count < len(text) else text if count >= len(text) else ""


def _mod(a: float, b: float) -> float:
    if b == 0:
        raise _XlError("#DIV/0!")
    return a - b * (a // b)


def _values(node: Node, env: Env) -> list[Value]:
    return node.cells(env) if isinstance(node, _RangeNode) else [node(env)]


def _position(args: list[Node], env: Env) -> tuple[int, int]:
    if not args:
        return env[3], env[4]
    node = args[0]
    if isinstance(node, _RangeNode):
        return node.a.at(env)
    if isinstance(node, _RefNode):
        return node.ref.at(env)
    raise Unevaluable("ROW/COLUMN of an expression")


def compile_formula(formula: str) -> Compiled:
    """Parse a formula once; raises ``Unevaluable`` for what the evaluator does not know."""
    return _Parser(formula).parse()


# --- rules ---------------------------------------------------------------------------------------

_CELL_IS: dict[str, Callable[[int], bool]] = {
    "equal": _COMPARE["="], "notEqual": _COMPARE["<>"], "greaterThan": _COMPARE[">"], "lessThan": _COMPARE["<"],
    "greaterThanOrEqual": _COMPARE[">="], "lessThanOrEqual": _COMPARE["<="],
}
_TEXT_RULES = {
    "containsText": lambda t, s: s in t, "notContainsText": lambda t, s: s not in t,
    "beginsWith": lambda t, s: t.startswith(s), "endsWith": lambda t, s: t.endswith(s),
}


@dataclass
class _Rule:
    rule: CondRule
    test: Callable[[RawSheet, int, int, Env], bool]
    origin: tuple[int, int]
    row_only: bool = False  # the test gives one answer for the whole row: evaluated once per row


def _prepare(rule: CondRule, sheet: RawSheet) -> _Rule | None:
    """The rule as a test of one cell; None when it paints regardless of any cell (zebra striping)."""
    if not rule.evaluable:
        raise Unevaluable(rule.kind)
    origin = (rule.ranges[0][0], rule.ranges[0][1])
    kind = rule.kind
    if kind == "expression":
        if not rule.formulas:
            raise Unevaluable("no formula")
        compiled = compile_formula(rule.formulas[0])
        if not compiled.uses_cells:
            return None  # MOD(ROW(),2)=0 and the like: decoration, not a mark of any item
        return _Rule(rule, lambda sh, r, c, env: _truth(compiled.node(env)), origin, compiled.same_across_row)
    if kind == "cellIs":
        operands = [compile_formula(f).node for f in rule.formulas]
        op = rule.operator or "equal"
        if op in _CELL_IS and operands:
            test = _CELL_IS[op]
            first = operands[0]
            return _Rule(rule, lambda sh, r, c, env: test(_compare(_cell(sh, r, c), first(env))), origin)
        if op in ("between", "notBetween") and len(operands) >= 2:
            lo, hi = operands[0], operands[1]
            inside = op == "between"

            def between(sh: RawSheet, r: int, c: int, env: Env) -> bool:
                v, a, b = _cell(sh, r, c), lo(env), hi(env)
                if _compare(a, b) > 0:
                    a, b = b, a
                return (_compare(v, a) >= 0 and _compare(v, b) <= 0) is inside

            return _Rule(rule, between, origin)
        raise Unevaluable(f"cellIs {op}")
    if kind in _TEXT_RULES:
        if rule.text:
            needle, check = rule.text.lower(), _TEXT_RULES[kind]
            return _Rule(rule, lambda sh, r, c, env: check(_text(_cell(sh, r, c)).lower(), needle), origin)
        if rule.formulas:
            compiled = compile_formula(rule.formulas[0])
            return _Rule(rule, lambda sh, r, c, env: _truth(compiled.node(env)), origin)
        raise Unevaluable(kind)
    if kind in ("containsBlanks", "notContainsBlanks"):
        blank = kind == "containsBlanks"
        return _Rule(rule, lambda sh, r, c, env: (not _text(_cell(sh, r, c)).strip()) is blank, origin)
    if kind in ("containsErrors", "notContainsErrors"):
        # Error values are read as blank: no error cell is ever painted by the first kind.
        errors = kind == "containsErrors"
        return _Rule(rule, lambda sh, r, c, env: not errors, origin)
    if kind in ("duplicateValues", "uniqueValues"):
        seen: dict[str, int] = {}
        for r1, c1, r2, c2 in rule.ranges:
            for (r, c), cell in sheet.cells.items():
                if r1 <= r <= r2 and c1 <= c <= c2 and cell.value is not None:
                    key = _text(cell.value).lower()
                    seen[key] = seen.get(key, 0) + 1
        dup = kind == "duplicateValues"
        return _Rule(rule, lambda sh, r, c, env: (v := _cell(sh, r, c)) is not None
                     and (seen.get(_text(v).lower(), 0) > 1) is dup, origin)
    raise Unevaluable(kind)  # top10, aboveAverage, timePeriod, colorScale…


@dataclass
class Painting:
    """What the sheet's conditional formats paint over the item cells."""

    fill: dict[tuple[int, int], str] = field(default_factory=dict)
    font: dict[tuple[int, int], str] = field(default_factory=dict)
    # Rules that could not be evaluated, with the item cells they cover.
    unevaluated: list[tuple[CondRule, set[tuple[int, int]]]] = field(default_factory=list)


def paint(sheet: RawSheet, rows: Iterable[int], cols: Iterable[int]) -> Painting:
    """Evaluate every rule over the cells (rows × cols) it covers; higher priority wins per colour."""
    out = Painting()
    if not sheet.cond_rules:
        return out
    row_list, col_set = sorted(set(rows)), set(cols)
    if not row_list or not col_set:
        return out
    stopped: set[tuple[int, int]] = set()
    for rule in sorted(sheet.cond_rules, key=lambda x: x.priority):
        # Excel splits a rule into many ranges when rows are copied: each range finds its rows by bisection.
        cells = [(r, c) for r1, c1, r2, c2 in rule.ranges
                 for r in row_list[bisect.bisect_left(row_list, r1):bisect.bisect_right(row_list, r2)]
                 for c in col_set if c1 <= c <= c2]
        if not cells:
            continue
        try:
            prepared = _prepare(rule, sheet)
        except Exception:  # noqa: BLE001  a rule we cannot parse (or a hostile one) must not cost the file
            out.unevaluated.append((rule, set(cells)))
            continue
        if prepared is None:
            continue
        r0, c0 = prepared.origin
        failed: set[tuple[int, int]] = set()
        by_row: dict[int, bool | None] = {}  # row -> result, for a rule that reads the row only ($E5)
        for r, c in cells:
            if (r, c) in stopped:
                continue
            hit = by_row.get(r) if prepared.row_only else None
            if hit is None:
                try:
                    hit = prepared.test(sheet, r, c, (sheet, r - r0, c - c0, r, c))
                except _XlError:
                    hit = False
                except Exception:  # noqa: BLE001  whatever a strange formula does, the file is still read
                    failed.add((r, c))
                    continue
                if prepared.row_only:
                    by_row[r] = hit
            if not hit:
                continue
            if rule.fill is not None:
                out.fill.setdefault((r, c), rule.fill)
            if rule.font is not None:
                out.font.setdefault((r, c), rule.font)
            if rule.stop:
                stopped.add((r, c))
        if failed:
            out.unevaluated.append((rule, failed))
    return out
