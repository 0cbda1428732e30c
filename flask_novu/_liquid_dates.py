"""LiquidJS 10's date filters: ``date``, ``date_to_xmlschema``,
``date_to_rfc822``, ``date_to_string`` and ``date_to_long_string``.

As in the SDK, a date is shown in the server's local time zone (the
process's ``TZ``, as Python's :meth:`datetime.datetime.astimezone` sees it;
``UTC`` in most containers), whatever offset the input carries, unless the
filter's third argument names a zone.  Inputs are parsed the way
JavaScript's ``new Date(...)`` parses them: numbers and digit strings are
Unix seconds, ``now``/``today`` the current time, ISO 8601 dates (date-only
ones are UTC, date-times without an offset are local), and any other text
goes through a port of V8's legacy date parser (``2024-01-15 10:00``,
RFC 2822, ``Date.toString()``, ``12/31/2024 11:59 PM``, ``Order 5``...).
Text that is no date leaves the filter's input unchanged.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable, Mapping

from liquid import Undefined

from ._liquid_filters import is_nil, js_join, js_number_of, stringify

__all__ = ["date_filters"]

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MAX_MS = 8.64e15
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_ISO = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}:?\d{2}|\s*(?:GMT|UTC))?)?\Z"
)


class _LiquidDate:
    """An instant and the zone it is shown in (LiquidJS ``LiquidDate``)."""

    def __init__(self, instant: datetime, zone: tzinfo | None, zone_name: str | None) -> None:
        self.instant = instant
        self.local = instant.astimezone(zone) if zone is not None else instant.astimezone()
        self.zone_name = zone_name


def _local_zone_name() -> str:
    name = time.tzname[0] if time.tzname else ""
    import os

    configured = os.environ.get("TZ", "")
    if configured and "/" in configured or configured in ("UTC", "GMT"):
        return configured.lstrip(":")
    return "UTC" if name in ("UTC", "GMT", "") else name


def _from_ms(ms: float) -> datetime | None:
    if not math.isfinite(ms) or abs(ms) > _MAX_MS:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=math.trunc(ms))
    except OverflowError:
        return None


#: V8's ``KeywordTable``: a word's first three letters, lower-cased (a
#: longer word only matches a month).  Values: months, AM/PM, zone offsets
#: in hours, and the ISO ``T``.
_V8_MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_V8_ZONES = {"ut": 0, "utc": 0, "z": 0, "gmt": 0, "cdt": -5, "cst": -6, "edt": -4, "est": -5,
             "mdt": -6, "mst": -7, "pdt": -7, "pst": -8}
_V8_OTHER_WORDS = frozenset({"am", "pm", "t"})
_V8_SYMBOLS = frozenset(":-+.)")


def _v8_tokens(text: str) -> list[tuple[str, str]]:
    """V8's ``DateStringTokenizer``: numbers, the symbols ``: - + . )``,
    words (runs of characters from ``A`` up, emoji included, but no
    blanks), blank runs, a parenthesised run and any other character."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        char, start = text[i], i
        if "0" <= char <= "9":
            while i < n and "0" <= text[i] <= "9":
                i += 1
            tokens.append(("number", text[start:i]))
        elif char in _V8_SYMBOLS:
            tokens.append(("symbol", char))
            i += 1
        elif char >= "A" and not char.isspace():
            while i < n and text[i] >= "A" and not text[i].isspace():
                i += 1
            tokens.append(("word", text[start:i]))
        elif char.isspace():
            while i < n and text[i].isspace():
                i += 1
            tokens.append(("blank", ""))
        elif char == "(":
            depth = 0
            while i < n:
                if text[i] == ")":
                    depth -= 1
                elif text[i] == "(":
                    depth += 1
                i += 1
                if depth <= 0:
                    break
            tokens.append(("other", ""))
        else:
            tokens.append(("other", char))
            i += 1
    return tokens


def _v8_number(digits: str) -> int:
    """``ReadUnsignedNumeral``: leading zeros skipped, nine digits kept."""
    return int(digits.lstrip("0")[:9] or "0")


def _v8_keyword(word: str) -> str | None:
    prefix = word[:3].lower()
    if prefix in _V8_MONTHS:
        return prefix
    if len(word) <= 3 and (prefix in _V8_ZONES or prefix in _V8_OTHER_WORDS):
        return prefix
    return None


def _v8_milliseconds(digits: str) -> int:
    """``ReadMilliseconds``: the first three digits, as a fraction reads."""
    number, length = _v8_number(digits), min(len(digits), 9)
    if length < 3:
        return number * (100 if length == 1 else 10)
    return int(number // 10 ** (length - 3))


class _V8Time:
    """V8's ``TimeComposer``: hour, minute, second, millisecond."""

    __slots__ = ("parts", "hour_offset")

    def __init__(self) -> None:
        self.parts: list[int] = []
        self.hour_offset: int | None = None

    def add(self, number: int) -> bool:
        if len(self.parts) == 4:
            return False
        self.parts.append(number)
        return True

    def add_final(self, number: int) -> bool:
        if not self.add(number):
            return False
        self.parts += [0] * (4 - len(self.parts))
        return True

    def expecting(self, number: int) -> bool:
        index = len(self.parts)
        return (index in (1, 2) and 0 <= number <= 59) or (index == 3 and 0 <= number <= 999)

    def write(self) -> tuple[int, int, int, int] | None:
        hour, minute, second, ms = (self.parts + [0, 0, 0, 0])[:4]
        if self.hour_offset is not None:
            if not 0 <= hour <= 12:
                return None
            hour = hour % 12 + self.hour_offset
        if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= ms <= 999):
            if (hour, minute, second, ms) != (24, 0, 0, 0):  # 24:00 is the next midnight
                return None
        return hour, minute, second, ms


def _v8_legacy(text: str) -> datetime | None:
    """V8's legacy ``Date`` parser (``DateParser::Parse`` past its ISO 8601
    part): ``"Order 5"``, ``"1,2,3"`` (what ``new Date(String(list))``
    reads), ``"t-1"``, ``"100%"``, ``"5 Mar 2024 10:30"``,
    ``"12/31/2024 11:59 PM"``, JavaScript's own ``Date.toString()``
    (``"Tue Mar 05 2024 14:30:00 GMT+0100 (...)"``) and RFC 2822.

    Up to three day numbers are read, with a time (``h:m[:s[.ms]]`` and
    AM/PM) and a zone (a name, or a sign and offset after a time or a UTC
    name); any other character is skipped, a word before the first number is
    ignored (unless a number follows it at once) and one after it makes the
    text no date, except a month or a zone name.  The first day number is a
    year if it cannot be a day, else a month followed by day and year;
    missing ones are 1, two-digit years are 1950-2049.  Local time unless a
    zone is given.  ``None``: not a date.
    """
    tokens = _v8_tokens(text)
    count = len(tokens)
    numbers: list[int] = []
    named_month = 0
    time_ = _V8Time()
    sign: int | None = None  # the zone: sign, hours and minutes
    zone_hour: int | None = None
    zone_minute: int | None = None
    read_number = False
    index = 0

    def peek(offset: int = 1) -> tuple[str, str]:
        return tokens[index + offset] if index + offset < count else ("end", "")

    if count and tokens[0][0] == "number" and len(tokens[0][1]) == 4:
        # V8 reads a leading four-digit year as ISO 8601 does, whatever follows ("2024:")
        numbers.append(_v8_number(tokens[0][1]))
        read_number = True
        index = 2 if peek() == ("symbol", "-") else 1

    while index < count:
        kind, value = tokens[index]
        if kind == "number":
            read_number = True
            number = _v8_number(value)
            if peek() == ("symbol", ":"):
                index += 1
                if peek() == ("symbol", ":"):  # "n::"
                    index += 1
                    if time_.parts:
                        return None
                    time_.add(number)
                    time_.add(0)
                else:
                    if not time_.add(number):
                        return None
                    if peek() == ("symbol", "."):
                        index += 1
                index += 1
                continue
            dot = peek() == ("symbol", ".")
            if dot:
                index += 1  # V8 skips a "." after a number whatever follows it
            if dot and time_.expecting(number):
                time_.add(number)
                if peek()[0] != "number":
                    return None
                index += 1
                if not time_.add_final(_v8_milliseconds(tokens[index][1])):
                    return None
            elif zone_hour is not None and zone_minute is None and 0 <= number <= 59:
                zone_minute = number
            elif time_.expecting(number):
                time_.add_final(number)
                after = peek()
                if after[0] not in ("end", "blank") and after not in (("symbol", "+"), ("symbol", "-")) \
                        and not (after[0] == "word" and _v8_keyword(after[1]) == "z"):
                    return None
            else:
                if len(numbers) == 3:
                    return None
                numbers.append(number)
                if peek() == ("symbol", "-"):
                    index += 1
        elif kind == "word":
            keyword = _v8_keyword(value)
            if keyword in ("am", "pm") and time_.parts:
                time_.hour_offset = 0 if keyword == "am" else 12
            elif keyword in _V8_MONTHS:
                named_month = _V8_MONTHS[keyword]
                if peek() == ("symbol", "-"):
                    index += 1
            elif keyword in _V8_ZONES and read_number:
                hours = _V8_ZONES[keyword]
                sign, zone_hour, zone_minute = (-1 if hours < 0 else 1), abs(hours), 0
            elif read_number or peek()[0] == "number":
                return None  # a word after a number, or glued to the first one
        elif kind == "symbol" and value in "+-" and ((zone_hour, zone_minute) == (0, 0) or time_.parts):
            # an offset, after a time or a UTC zone name ("GMT+0100", "10:30 -5")
            sign = -1 if value == "-" else 1
            digits = ""
            if peek()[0] == "number":
                index += 1
                digits = tokens[index][1]
            read_number = True
            amount = _v8_number(digits) if digits else 0
            if peek() == ("symbol", ":"):
                zone_hour, zone_minute = amount, None
            elif len(digits) in (1, 2):
                zone_hour, zone_minute = amount, 0
            elif len(digits) in (3, 4):
                zone_hour, zone_minute = divmod(amount, 100)
            else:
                return None
        elif kind == "symbol" and value in "+-)" and read_number:
            return None
        index += 1
    if not numbers:
        return None
    first, second, third = (numbers + [1, 1])[:3]
    if named_month:
        month = named_month
        day, year = (first, second) if 1 <= first <= 31 else (second, first)
    elif 1 <= first <= 31:
        month, day, year = first, second, third
    else:
        year, month, day = first, second, third
    if 0 <= year <= 49:
        year += 2000
    elif 50 <= year <= 99:
        year += 1900
    clock = time_.write()
    if clock is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    hour, minute, second_, ms = clock
    try:
        start = datetime(year, month, 1) + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second_,
                                                     milliseconds=ms)
        if sign is None:
            return start.astimezone()  # local time
        # the instant (an offset may exceed a day: "GMT+100010:30")
        shift = sign * timedelta(hours=zone_hour or 0, minutes=zone_minute or 0)
        return (start - shift).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_text(text: str) -> datetime | None:
    # V8 reads ISO 8601 only from the first character to the last; anything
    # else (blanks around it included) goes to its legacy parser
    match = _ISO.match(text)
    if match:
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        try:
            naive = datetime(
                int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                int(second or 0), int((fraction or "0")[:6].ljust(6, "0")),
            )  # fmt: skip
        except ValueError:
            return None
        if hour is None or (offset and offset.strip() in ("Z", "z", "GMT", "UTC")):
            if hour is None and " " in text:
                return None
            return naive.replace(tzinfo=timezone.utc)
        if offset:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return naive.replace(tzinfo=timezone(sign * delta))
        return naive.astimezone()
    return _v8_legacy(text)


def _zone(offset: object) -> tuple[tzinfo | None, str | None]:
    """The display zone of the filter's optional time zone argument."""
    if isinstance(offset, (int, float)) and not isinstance(offset, bool):
        return timezone(timedelta(minutes=-float(offset))), ""
    if isinstance(offset, str) and offset:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(offset), offset
        except (ImportError, KeyError, ValueError):
            return None, None
    return None, None


def _parse_date(value: object, offset: object = None) -> _LiquidDate | None:
    """LiquidJS ``parseDate``; ``None`` for what is not a date."""
    if is_nil(value):
        return None
    instant: datetime | None
    if value in ("now", "today"):
        instant = datetime.now(timezone.utc)
    elif isinstance(value, bool):
        instant = _from_ms(float(value))
    elif isinstance(value, (int, float)):
        instant = _from_ms(js_number_of(value) * 1000)
    elif isinstance(value, str):
        instant = _from_ms(float(value) * 1000) if value.isdigit() and value.isascii() else _parse_text(value)
    elif isinstance(value, (list, tuple)):
        instant = _parse_text(js_join(value, ",")) if value else None  # String(value)
    else:
        instant = None
    if instant is None:
        return None
    zone, name = _zone(offset)
    try:
        return _LiquidDate(instant, zone, name)
    except (OverflowError, ValueError, OSError):
        return None


def _offset_text(date: _LiquidDate, colon: bool) -> str:
    delta = date.local.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{rest:02d}"


def _week_of_year(local: datetime, start_day: int) -> str:
    day = (local.isoweekday() % 7)  # Sunday is 0, as in JavaScript
    since_start = (day - start_day + 7) % 7
    return str((local.timetuple().tm_yday - 1 - since_start + 7) // 7)


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _hour12(local: datetime) -> str:
    return str(local.hour % 12 or 12)


def _locale_date(local: datetime) -> str:
    return f"{local.month}/{local.day}/{local.year}"


def _locale_time(local: datetime) -> str:
    suffix = "AM" if local.hour < 12 else "PM"
    return f"{_hour12(local)}:{local.minute:02d}:{local.second:02d} {suffix}"


_CODES: Mapping[str, Callable[[_LiquidDate, dict[str, bool], str], object]] = {
    "a": lambda d, f, w: _DAYS[d.local.weekday()][:3],
    "A": lambda d, f, w: _DAYS[d.local.weekday()],
    "b": lambda d, f, w: _MONTHS[d.local.month - 1][:3],
    "h": lambda d, f, w: _MONTHS[d.local.month - 1][:3],
    "B": lambda d, f, w: _MONTHS[d.local.month - 1],
    "c": lambda d, f, w: f"{_locale_date(d.local)}, {_locale_time(d.local)}",
    "C": lambda d, f, w: d.local.year // 100,
    "d": lambda d, f, w: d.local.day,
    "e": lambda d, f, w: d.local.day,
    "H": lambda d, f, w: d.local.hour,
    "I": lambda d, f, w: _hour12(d.local),
    "j": lambda d, f, w: d.local.timetuple().tm_yday,
    "k": lambda d, f, w: d.local.hour,
    "l": lambda d, f, w: _hour12(d.local),
    "L": lambda d, f, w: d.local.microsecond // 1000,
    "m": lambda d, f, w: d.local.month,
    "M": lambda d, f, w: d.local.minute,
    "N": lambda d, f, w: str(d.local.microsecond // 1000).rjust(3, "0")[: int(w or 9)].ljust(int(w or 9), "0"),
    "p": lambda d, f, w: "AM" if d.local.hour < 12 else "PM",
    "P": lambda d, f, w: "am" if d.local.hour < 12 else "pm",
    "q": lambda d, f, w: _ordinal(d.local.day),
    "s": lambda d, f, w: math.floor((d.instant - _EPOCH).total_seconds()),
    "S": lambda d, f, w: d.local.second,
    "u": lambda d, f, w: d.local.isoweekday(),
    "U": lambda d, f, w: _week_of_year(d.local, 0),
    "w": lambda d, f, w: d.local.isoweekday() % 7,
    "W": lambda d, f, w: _week_of_year(d.local, 1),
    "x": lambda d, f, w: _locale_date(d.local),
    "X": lambda d, f, w: _locale_time(d.local),
    "y": lambda d, f, w: d.local.year % 100,
    "Y": lambda d, f, w: d.local.year,
    "z": lambda d, f, w: _offset_text(d, f.get(":", False)),
    "Z": lambda d, f, w: (d.zone_name if d.zone_name is not None else _local_zone_name())
    or _offset_text(d, f.get(":", False)),
    "t": lambda d, f, w: "\t",
    "n": lambda d, f, w: "\n",
    "%": lambda d, f, w: "%",
}
_PAD_WIDTHS = {"C": 2, "d": 2, "e": 2, "H": 2, "I": 2, "j": 3, "k": 2, "l": 2, "L": 3,
               "m": 2, "M": 2, "S": 2, "U": 2, "W": 2, "y": 2, "Y": 4}  # fmt: skip
_PAD_SPACE = frozenset("aAbBceklpP")
_FORMAT = re.compile(r"%([-_0^#:]+)?(\d+)?([EO])?(.)", re.DOTALL)


def _change_case(text: str) -> str:
    return text.upper() if any("a" <= ch <= "z" for ch in text) else text.lower()


def strftime(date: _LiquidDate, pattern: str) -> str:
    """LiquidJS ``strftime``: flags ``-_0^#:``, widths, padding rules."""

    def convert(match: re.Match[str]) -> str:
        flag_text, width, _, code = match.groups()
        func = _CODES.get(code)
        if func is None:
            return match.group()
        flags = dict.fromkeys(flag_text or "", True)
        text = str(func(date, flags, width or ""))
        pad = " " if code in _PAD_SPACE else "0"
        pad_width = int(width) if width and int(width) else _PAD_WIDTHS.get(code, 0)
        if flags.get("^"):
            text = text.upper()
        elif flags.get("#"):
            text = _change_case(text)
        if flags.get("_"):
            pad = " "
        elif flags.get("0"):
            pad = "0"
        if flags.get("-"):
            pad_width = 0
        if pad == "0" and text.startswith("-"):
            return "-" + text[1:].rjust(pad_width - 1, pad)
        return text.rjust(pad_width, pad)

    return _FORMAT.sub(convert, pattern)


_DEFAULT_FORMAT = "%A, %B %-e, %Y at %-l:%M %P %z"


def date(value: object, fmt: object = None, offset: object = None) -> Any:
    parsed = _parse_date(value, None if isinstance(offset, Undefined) else offset)
    if parsed is None:
        return value
    pattern = _DEFAULT_FORMAT if is_nil(fmt) else stringify(fmt)
    return strftime(parsed, pattern)


def date_to_xmlschema(value: object) -> Any:
    return date(value, "%Y-%m-%dT%H:%M:%S%:z")


def date_to_rfc822(value: object) -> Any:
    return date(value, "%a, %d %b %Y %H:%M:%S %z")


def _stringify_date(value: object, month: str, kind: object, style: object) -> Any:
    parsed = _parse_date(value)
    if parsed is None:
        return value
    if kind == "ordinal":
        day = parsed.local.day
        pattern = f"{month} {day}%q, %Y" if style == "US" else f"{day}%q {month} %Y"
        return strftime(parsed, pattern)
    return strftime(parsed, f"%d {month} %Y")


def date_to_string(value: object, kind: object = None, style: object = None) -> Any:
    return _stringify_date(value, "%b", kind, style)


def date_to_long_string(value: object, kind: object = None, style: object = None) -> Any:
    return _stringify_date(value, "%B", kind, style)


def date_filters() -> dict[str, Callable[..., Any]]:
    """The date filters by name."""
    return {
        "date": date,
        "date_to_xmlschema": date_to_xmlschema,
        "date_to_rfc822": date_to_rfc822,
        "date_to_string": date_to_string,
        "date_to_long_string": date_to_long_string,
    }
