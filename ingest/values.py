"""Cell value parsers of contract §4.

Cells arrive from python-calamine as str, float, int, bool, date, datetime, time or None.
Every parser returns the parsed value, None for an empty cell (see `is_empty`), or raises
`ValueParseError` whose message is short plain Chinese, fit for a quarantine message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache, partial

from ingest.text import clean_text, is_empty, normalize_ref, to_halfwidth

__all__ = [
    "PARSERS",
    "ValueParseError",
    "chinese_numeral",
    "is_empty",
    "parse_boolean",
    "parse_code",
    "parse_date",
    "parse_enum",
    "parse_enum_list",
    "parse_integer",
    "parse_money",
    "parse_ordinal",
    "parse_region_code",
    "parse_text",
    "parse_text_list",
    "parse_value",
    "parse_year",
    "parser_for",
]


class ValueParseError(ValueError):
    """A cell that is not empty but cannot be read as its column's type."""


Synonyms = Mapping[str, Sequence[str] | None]

# Whitespace is dropped except between two digits, so `12 个` is `12个` but `12 13` stays invalid.
_WS = re.compile(r"[\u200b\ufeff]+|(?<!\d)\s+|\s+(?!\d)")
# (v2) A time after a date is dropped: `09:30`, `9:30:00`, `9时`, `9点30分`, `9时半`, with an
# optional 上午/下午/晚上 (before or after) or alone; after a space, `T`, 日/号, or a period word.
_PERIOD = r"(?:上午|下午|中午|晚上|早上|早晨|凌晨|傍晚|夜间|夜里|AM|PM|am|pm)"
_CLOCK = (
    r"(?:\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2}(?:\.\d+)?)?"
    r"|\d{1,2}\s*[时点](?:\s*(?:\d{1,2}\s*分(?:\s*\d{1,2}\s*秒)?|半|整|钟))?)"
)
_TIME = re.compile(
    rf"(?:T|\s+|(?<=[日号])|(?<=\d)(?={_PERIOD}))"
    rf"(?:(?:{_PERIOD}\s*)?{_CLOCK}(?:\s*{_PERIOD})?|{_PERIOD})\s*$"
)
_DATE_FORMS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_FORMS = [
    re.compile(r"^(\d{4})年(\d{1,2})月份?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]
_SERIAL = re.compile(r"^\d{2,7}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, including Excel's phantom 1900-02-29
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_COUNT_UNIT = re.compile(r"(?:个|件|人|名|项|条|次|家)$")
_MONEY_UNIT = re.compile(r"(?:万元|万)$")
_ORDINAL = re.compile(r"^第?(\d+(?:\.0+)?|[〇零一二两三四五六七八九十百千]+)[届轮批次]?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?(?:年度?)?$")
_REGION_CODE = re.compile(r"^\d{6}$")
_LIST_SEP = re.compile(r"[、；;，,/／\r\n]+")
_MODE_SEP = re.compile(r"[、+＋；;，,/／\r\n]+")
_QUOTES = re.compile(r"[“”\"「」『』‘’']")
_MODE_AFFIX = re.compile(r"^(?:巡察|巡视)+|(?:巡察|巡视)+$")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

_TRUE = frozenset({"是", "Y", "YES", "√", "✓", "✔", "1", "TRUE"})
_FALSE = frozenset({"否", "N", "NO", "×", "✗", "✘", "0", "FALSE"})


def _compact(value: str) -> str:
    """Half-width form of a text cell without spaces, for parsing numbers and dates."""
    return _WS.sub("", to_halfwidth(value))


def _shown(value: object) -> str:
    """The cell as quoted back to the submitter in an error message."""
    return clean_text(value) or str(value)


def _is_number(value: object) -> bool:
    # bool is an int subclass; a TRUE cell is never a number.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reject(kind: str, value: object) -> ValueParseError:
    return ValueParseError(f"无法识别的{kind}“{_shown(value)}”")


# --- dates ---------------------------------------------------------------------------------


def _make_date(value: object, year: int, month: int, day: int | None, deadline: bool) -> dt.date:
    """Build the date; a month-only value is the 1st, or the last day for deadlines (§4)."""
    try:
        if day is None:
            day = calendar.monthrange(year, month)[1] if deadline else 1
        return dt.date(year, month, day)
    except (ValueError, calendar.IllegalMonthError):
        raise ValueParseError(f"不存在的日期“{_shown(value)}”") from None


def _number_as_date(value: float, deadline: bool) -> dt.date:
    """A numeric cell: an Excel serial, or `20230315` / `202303` / `2023.3` typed as a number."""
    if not math.isfinite(value):
        raise _reject("日期", value)
    if value.is_integer() and len(str(int(value))) in (6, 8):
        return _text_as_date(value, str(int(value)), deadline)
    if 1900 <= value < 2101:
        # `2023.3` typed into a numeric cell: year.month. `2023.1` could be January or October
        # (Excel drops the trailing 0 of `2023.10`), and a bare year has no month.
        year, frac = f"{value:.6f}".rstrip("0").rstrip(".").partition(".")[::2]
        if frac in {"2", "3", "4", "5", "6", "7", "8", "9", "11", "12"}:
            return _make_date(value, int(year), int(frac), None, deadline)
        raise ValueParseError(f"日期“{_shown(value)}”缺少月份或无法区分月份，请填写为“2023年3月”")
    if 60 < value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise _reject("日期", value)


def _text_as_date(value: object, s: str, deadline: bool) -> dt.date:
    for pattern in _DATE_FORMS:
        if m := pattern.match(s):
            parts = [g for g in m.groups() if g and g[0].isdigit()]
            return _make_date(value, int(parts[0]), int(parts[1]), int(parts[2]), deadline)
    for pattern in _MONTH_FORMS:
        if m := pattern.match(s):
            return _make_date(value, int(m.group(1)), int(m.group(2)), None, deadline)
    if _SERIAL.match(s):
        return _number_as_date(float(s), deadline)
    raise _reject("日期", value)


def parse_date(value: object, *, deadline: bool = False) -> dt.date | None:
    """Parse a date cell (§4 "date"); month-only values mean the 1st, or the last day of the
    month when `deadline` (整改时限 "by March 2023" means by 31 March)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _is_number(value):
        return _number_as_date(float(value), deadline)
    if isinstance(value, str):
        return _date_of_text(value, deadline)
    raise _reject("日期", value)


@lru_cache(maxsize=1 << 14)
def _date_of_text(value: str, deadline: bool) -> dt.date:
    """A date written as text; memoised per process, since the same dates recur on the rows
    of every file (a text that is no date raises, and is not memoised)."""
    text = to_halfwidth(value).strip()
    return _text_as_date(value, _compact(_TIME.sub("", text)), deadline)


# --- numbers -------------------------------------------------------------------------------


def _number(value: object, unit: re.Pattern[str], kind: str) -> float:
    """Read a numeric cell or number text with an optional unit and thousands separators."""
    if _is_number(value):
        number = float(value)
        if not math.isfinite(number):
            raise _reject(kind, value)
        return number
    if not isinstance(value, str):
        raise _reject(kind, value)
    m = _NUMBER.match(unit.sub("", _compact(value)))
    if not m:
        raise _reject(kind, value)
    return float("".join(m.groups(default="")).replace(",", ""))


def parse_integer(value: object) -> int | None:
    """Parse a count (§4 "integer"): `12`, `１２`, `12个`, `1,013`, 3.0. Counts are never
    negative or fractional, so those are errors rather than silently rounded."""
    if is_empty(value):
        return None
    number = _number(value, _COUNT_UNIT, "数量")
    if not number.is_integer():
        raise ValueParseError(f"数量应为整数“{_shown(value)}”")
    if number < 0:
        raise ValueParseError(f"数量不能为负数“{_shown(value)}”")
    return int(number)


def parse_money(value: object) -> float | None:
    """Parse an amount in 万元 (§4 "number"): `12.5`, `12.5万元`, `1,013万`. A bare `元`
    amount is rejected, because the column is in 万元 and silently mixing units is worse."""
    if is_empty(value):
        return None
    if isinstance(value, str) and _compact(value).endswith("元") and "万" not in value:
        raise ValueParseError(f"金额单位应为万元“{_shown(value)}”")
    number = _number(value, _MONEY_UNIT, "金额")
    if number < 0:
        raise ValueParseError(f"金额不能为负数“{_shown(value)}”")
    return number


def chinese_numeral(s: str) -> int:
    """Value of a Chinese numeral up to 9999: `十三` 13, `二十一` 21, `一百零二` 102, `两百` 200;
    unit-less digit strings read positionally (`一〇二` 102)."""
    if not s or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in s):
        raise ValueParseError(f"无法识别的数字“{s}”")
    if not any(c in _CN_UNITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, pending, last_unit = 0, None, 10_000
    for c in s:
        if c in _CN_DIGITS:
            if pending:  # two non-zero digits in a row, e.g. 二三十
                raise ValueParseError(f"无法识别的数字“{s}”")
            pending = _CN_DIGITS[c]
        else:
            unit = _CN_UNITS[c]
            if unit >= last_unit or pending == 0:
                raise ValueParseError(f"无法识别的数字“{s}”")
            total += (1 if pending is None else pending) * unit
            pending, last_unit = None, unit
    return total + (pending or 0)


def parse_ordinal(value: object) -> int | None:
    """Parse 届次/轮次/批次 (§4 "ordinal"): `13`, `十三届`, `第16届`, `第4轮`, `第二批`."""
    if is_empty(value):
        return None
    if _is_number(value):
        number = float(value)
        if not (math.isfinite(number) and number.is_integer()):
            raise _reject("序次", value)
        result = int(number)
    elif isinstance(value, str) and (m := _ORDINAL.match(_compact(value))):
        digits = m.group(1)
        result = int(float(digits)) if digits[0].isdigit() else chinese_numeral(digits)
    else:
        raise _reject("序次", value)
    if result < 1:
        raise ValueParseError(f"序次应从1开始“{_shown(value)}”")
    return result


def parse_boolean(value: object) -> bool | None:
    """Parse 是/否 columns (§4 "boolean"): 是/否, Y/N, √/×, 1/0, TRUE/FALSE, bool cells."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if _is_number(value) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        s = _compact(value).upper()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise ValueParseError(f"无法识别的是否值“{_shown(value)}”，应填“是”或“否”")


def parse_year(value: object) -> int | None:
    """Parse 统计年度: 2023, 2023.0, `2023`, `2023年`, `2023年度`, within 1949..2100."""
    if is_empty(value):
        return None
    if _is_number(value) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and (m := _YEAR.match(_compact(value))):
        year = int(m.group(1))
    else:
        raise _reject("年度", value)
    if not 1949 <= year <= 2100:
        raise ValueParseError(f"年度超出范围“{_shown(value)}”")
    return year


# --- identifiers and text ------------------------------------------------------------------


def parse_code(value: object) -> str | None:
    """Parse an identifier: a numeric cell becomes its integer text (390122011.0 →
    `390122011`); text is cleaned, made half-width and loses all internal spaces, so that a
    code typed with full-width characters still joins."""
    if value.__class__ is str:  # the common case: no type tests, clean_text sees blanks
        if len(value) > 2 and value.isascii() and value.isprintable() and " " not in value:  # type: ignore[attr-defined]
            # ASCII without any whitespace or control character: nothing to fold, trim or
            # remove, and three visible characters are never an empty marker.
            return value  # type: ignore[return-value]
        text = clean_text(value)
        return normalize_ref(text) if text is not None else None
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _reject("编码", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _reject("编码", value)
    text = clean_text(value)
    return normalize_ref(text) if text is not None else None


def parse_region_code(value: object) -> str | None:
    """Parse a 6-digit GB/T 2260 region code (§1)."""
    code = parse_code(value)
    if code is not None and not _REGION_CODE.match(code):
        raise ValueParseError(f"区划代码应为6位数字“{_shown(value)}”")
    return code


def parse_text(value: object) -> str | None:
    """Parse a free-text cell (§4 "text"): see `clean_text`."""
    return clean_text(value)


def parse_text_list(value: object) -> list[str] | None:
    """Split a list cell (别名, 派出区划) on 、 ； ; ， , / and line breaks; empty items dropped."""
    if is_empty(value):
        return None
    items = [clean_text(item) for item in _LIST_SEP.split(str(value))]
    return [item for item in items if item is not None] or None


# id(synonyms) → (synonyms, lookup). The synonyms object is kept so that its id is never
# reused while cached; registry enum blocks are built once and never mutated.
_LOOKUPS: dict[int, tuple[Synonyms, dict[str, str]]] = {}


def _enum_lookup(synonyms: Synonyms) -> dict[str, str]:
    cached = _LOOKUPS.get(id(synonyms))
    if cached is not None and cached[0] is synonyms:
        return cached[1]
    lookup = _build_enum_lookup(synonyms)
    if len(_LOOKUPS) < 1024:
        _LOOKUPS[id(synonyms)] = (synonyms, lookup)
    return lookup


def _build_enum_lookup(synonyms: Synonyms) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, alternatives in synonyms.items():
        for spelling in [canonical, *(alternatives or [])]:
            lookup.setdefault(normalize_ref(str(spelling)).casefold(), canonical)
    return lookup


def _unknown_enum(item: str, synonyms: Synonyms) -> ValueParseError:
    return ValueParseError(f"无法识别的取值“{item}”，应为：{'、'.join(synonyms)}")


def parse_enum(value: object, synonyms: Synonyms) -> str | None:
    """Map a cell to the canonical value of one `enums` block of templates.yml.

    Both sides are compared after normalize_ref, so `乡镇(街道)` matches `乡镇（街道）`; the
    canonical value is returned exactly as written in the registry.
    """
    text = clean_text(value)
    if text is None:
        return None
    canonical = _enum_lookup(synonyms).get(normalize_ref(text).casefold())
    if canonical is None:
        raise _unknown_enum(text, synonyms)
    return canonical


def parse_enum_list(value: object, synonyms: Synonyms) -> list[str] | None:
    """Parse 巡察方式: several enum values in one cell (`交叉巡察、专项巡察`, `巡察“回头看”`).

    Each item is tried as written, then without quotes and a leading/trailing 巡察/巡视.
    Canonical values come back once each, in input order.
    """
    text = clean_text(value)
    if text is None:
        return None
    lookup = _enum_lookup(synonyms)
    result: list[str] = []
    for raw in _MODE_SEP.split(text):
        item = normalize_ref(raw).casefold()
        stripped = _MODE_AFFIX.sub("", _QUOTES.sub("", item))
        if not stripped:
            continue  # a bare `巡察` adds nothing
        canonical = lookup.get(item) or lookup.get(stripped)
        if canonical is None:
            raise _unknown_enum(raw.strip(), synonyms)
        if canonical not in result:
            result.append(canonical)
    if not result:
        raise _unknown_enum(text, synonyms)
    return result


# --- dispatch ------------------------------------------------------------------------------

PARSERS: dict[str, Callable[[object], object]] = {
    "text": parse_text,
    "code": parse_code,
    "region_code": parse_region_code,
    "date": parse_date,
    "deadline": lambda value: parse_date(value, deadline=True),
    "integer": parse_integer,
    "money": parse_money,
    "ordinal": parse_ordinal,
    "boolean": parse_boolean,
    "year": parse_year,
    "text_list": parse_text_list,
    # References are resolved against R0/T0 elsewhere; the resolver gets cleaned input.
    "unit_ref": parse_text,
    "office_ref": parse_text,
    "office_ref_list": parse_text_list,
}
_ENUM_PARSERS: dict[str, Callable[[object, Synonyms], object]] = {
    "enum": parse_enum,
    "enum_list": parse_enum_list,
}


def parser_for(type_name: str, enum: Synonyms | None = None) -> Callable[[object], object]:
    """The parser of a registry column type, looked up once per column rather than per cell."""
    if type_name in _ENUM_PARSERS:
        if enum is None:
            raise TypeError(f"column type {type_name!r} needs its enum synonyms")
        return partial(_ENUM_PARSERS[type_name], synonyms=enum)
    try:
        return PARSERS[type_name]
    except KeyError:
        raise ValueError(f"unknown column type {type_name!r}") from None


def parse_value(type_name: str, value: object, *, enum: Synonyms | None = None) -> object:
    """Parse a cell for a registry column type; `enum` is the synonyms block for enum types."""
    return parser_for(type_name, enum)(value)
