"""LiquidJS 10's date filters: ``date``, ``date_to_xmlschema``,
``date_to_rfc822``, ``date_to_string`` and ``date_to_long_string``.

As in the SDK, a date is shown in the server's local time zone (the
process's ``TZ``, as Python's :meth:`datetime.datetime.astimezone` sees it;
``UTC`` in most containers), whatever offset the input carries, unless the
filter's third argument names a zone.  Inputs are parsed the way
JavaScript's ``new Date(...)`` parses them for the shapes payloads carry:
numbers and digit strings are Unix seconds, ``now``/``today`` the current
time, ISO 8601 dates (date-only ones are UTC, date-times without an offset
are local), ``2024-01-15 10:00`` (local), RFC 2822 and
``January 15, 2024``-style text.  Anything else is not a date, and the
filter returns its input unchanged.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
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
_V8_MONTH_DAY = re.compile(r"-?(\d{1,2})(?:\.(\d{1,5}))?\Z")
_NAMED_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y",
    "%B %d, %Y %H:%M", "%b %d, %Y %H:%M", "%B %d, %Y %H:%M:%S", "%b %d, %Y %H:%M:%S",
    "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S",
)  # fmt: skip


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


def _v8_numeric_date(first: int, second: str | None) -> datetime | None:
    """V8's reading of ``"3"``, ``"2.5"``, ``"0.1"`` or ``"99"`` (local time).

    A first number up to 12 is a month (of 2001, the second number its day),
    0 is the year 2000 (the second number its month) and 32 to 99 a year.
    """
    other = int(second) if second is not None else None
    year, month, day = 2001, 1, 1
    if first == 0:
        year, month = 2000, other if other is not None else 1
    elif 1 <= first <= 12:
        month, day = first, other if other is not None else 1
    elif 32 <= first <= 99 and other is None:
        year = 1900 + first if first >= 50 else 2000 + first
    else:
        return None
    try:
        return datetime(year, month, day).astimezone()
    except ValueError:
        return None


#: V8's legacy date tokens: numbers, words, blank runs, other characters.
_LEGACY_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+|\s+|.", re.S)
#: Words V8 reads as part of a date (months, AM/PM, zones, the ISO ``T``).
_LEGACY_KEYWORDS = frozenset("am pm ut utc gmt z t".split())
_LEGACY_MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_LEGACY_DAYS = frozenset("mon tue wed thu fri sat sun".split())
_LEGACY_SEPARATOR = re.compile(r"-?[\s,./;]*\Z")


def _v8_legacy_numbers(text: str) -> datetime | None | bool:
    """V8's legacy reading of up to three bare numbers (``"1,2,3"``,
    ``"Order 5"``, ``"a,5"``: what ``new Date(String(value))`` makes of a
    list), in local time. Words before the first number are ignored; the
    first number is a year if it cannot be a day (``32``, ``2024``), else
    a month followed by day and year (each defaulting to 1; two-digit
    years are 1950-2049). ``False``: not such a text (other rules decide).
    """
    tokens = _LEGACY_TOKEN.findall(text)
    numbers: list[int] = []
    separator: list[str] = []
    previous = ""
    named_month = 0
    for index, token in enumerate(tokens):
        if token.isdigit() and token.isascii():
            if previous.isalpha():
                return None  # "zz9"
            if numbers and not (separator and _LEGACY_SEPARATOR.match("".join(separator))):
                return None
            if len(numbers) == 3 or len(token) > 9:
                return None  # more than three numbers, or beyond any year
            numbers.append(int(token))
            separator = []
        elif token.isalpha():
            word = token.lower()
            # the ISO "T" only when a time follows it ("t-1" is an unknown word)
            iso_t = word == "t" and index + 1 < len(tokens) and tokens[index + 1].isdigit()
            if (word in _LEGACY_KEYWORDS and (word != "t" or iso_t)) or (word != "t" and word[:3] in _LEGACY_KEYWORDS):
                return False
            if len(word) >= 3 and word[:3] in _LEGACY_MONTHS:
                if named_month:
                    return False
                named_month = _LEGACY_MONTHS[word[:3]]
                separator = []
            elif numbers:
                return None  # a word after a number: not a date
        elif token in ("(", ":", "+") or not token.isascii():
            return False
        elif numbers:
            separator.append(token)
        previous = token
    if not numbers:
        return False
    if separator and not _LEGACY_SEPARATOR.match("".join(separator)):
        return None
    first, second, third = (numbers + [1, 1])[:3]
    if named_month:
        if len(numbers) > 2:
            return False
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
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        return (datetime(year, month, 1) + timedelta(days=day - 1)).astimezone()
    except (ValueError, OverflowError, OSError):
        return None


def _parse_text(text: str) -> datetime | None:
    text = text.strip()
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
    legacy = _v8_legacy_numbers(text)
    if legacy is not False:
        return legacy  # type: ignore[return-value]
    numeric = _V8_MONTH_DAY.match(text)
    if numeric:
        return _v8_numeric_date(int(numeric.group(1)), numeric.group(2))
    parsed = parsedate_tz(text) if "," in text or text[:1].isalpha() else None
    if parsed is not None and parsed[9] is not None:
        try:
            naive = datetime(*parsed[:6])
        except ValueError:
            return None
        return naive.replace(tzinfo=timezone(timedelta(seconds=parsed[9])))
    for pattern in _NAMED_FORMATS:
        try:
            return datetime.strptime(text, pattern).astimezone()
        except ValueError:
            continue
    return None


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
