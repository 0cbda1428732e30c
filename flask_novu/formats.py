"""The string formats of ``ajv-formats`` ("full" mode) for ``jsonschema``.

Written from the RFCs, so that validation does not depend on which optional
format packages of ``jsonschema`` happen to be installed.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t

from jsonschema import FormatChecker

__all__ = ["FORMAT_CHECKER"]


#: Format checker with every format ajv-formats knows; unknown formats pass.
FORMAT_CHECKER = FormatChecker(formats=())

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_TIME_RE = re.compile(
    r"(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(z|([+-])(\d{2})(?::?(\d{2}))?)?", re.IGNORECASE | re.ASCII
)
_EMAIL_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL_RE = re.compile(rf"{_EMAIL_ATOM}(?:\.{_EMAIL_ATOM})*@(?:{_LABEL}\.)+{_LABEL}", re.IGNORECASE)
_HOSTNAME_RE = re.compile(rf"(?=.{{1,253}}\.?\Z){_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)
_IPV4_RE = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)
_URI_BODY = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
_URI_RE = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_URI_BODY}")
_URI_REF_RE = re.compile(_URI_BODY)
_URL_RE = re.compile(r"(?:https?|ftp)://[^\s/?#:@]+(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
_UUID_RE = re.compile(r"(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.IGNORECASE)
_JSON_POINTER_RE = re.compile(r"(?:/(?:[^~/]|~0|~1)*)*")
_REL_JSON_POINTER_RE = re.compile(r"(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^~/]|~0|~1)*)*)")
_DURATION_RE = re.compile(
    r"P(?!\Z)(?:(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?|\d+W)"
)
_BYTE_RE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_URI_TEMPLATE_RE = re.compile(
    r"(?:[^\x00-\x20\"'<>%\\^`{|}]|%[0-9a-f]{2}|\{[+#./;?&=,!@|]?[^{}\s]*\})*", re.I
)


def _string_format(name: str) -> t.Callable[[t.Callable[[str], bool]], t.Callable[[object], bool]]:
    """Register a string format check; values of other types always pass."""

    def register(check: t.Callable[[str], bool]) -> t.Callable[[object], bool]:
        def wrapper(value: object) -> bool:
            return not isinstance(value, str) or check(value)

        FORMAT_CHECKER.checks(name)(wrapper)
        return wrapper

    return register


def _regex_format(name: str, pattern: re.Pattern[str]) -> None:
    _string_format(name)(lambda value: pattern.fullmatch(value) is not None)


for _name, _pattern in (
    ("email", _EMAIL_RE),
    ("hostname", _HOSTNAME_RE),
    ("ipv4", _IPV4_RE),
    ("uri", _URI_RE),
    ("uri-reference", _URI_REF_RE),
    ("url", _URL_RE),
    ("uuid", _UUID_RE),
    ("json-pointer", _JSON_POINTER_RE),
    ("relative-json-pointer", _REL_JSON_POINTER_RE),
    ("duration", _DURATION_RE),
    ("byte", _BYTE_RE),
    ("uri-template", _URI_TEMPLATE_RE),
):
    _regex_format(_name, _pattern)


_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@_string_format("date")
def _is_date(value: str) -> bool:
    match = _DATE_RE.fullmatch(value)
    if match is None:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])


def _is_time(value: str) -> bool:
    # As ajv-formats 2.1.1 (the SDK's): the zone is optional despite RFC 3339 (its
    # check compares a missing zone with "" and passes), offsets are not range
    # checked, and a leap second is only 23:59:60 as written.
    match = _TIME_RE.fullmatch(value)
    if match is None:
        return False
    hour, minute, second = int(match[1]), int(match[2]), int(float(match[3]))
    return (hour <= 23 and minute <= 59 and second <= 59) or (hour, minute, second) == (23, 59, 60)


def _is_date_time(value: str) -> bool:
    parts = re.split(r"[tT\s]", value)
    return len(parts) == 2 and _is_date(parts[0]) and _is_time(parts[1])


_string_format("time")(_is_time)
_string_format("date-time")(_is_date_time)


@_string_format("ipv6")
def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


@_string_format("regex")
def _is_regex(value: str) -> bool:
    try:
        re.compile(value)
    except re.error:
        return False
    return True


def _number_format(name: str, low: float, high: float, integral: bool) -> None:
    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True
        if integral and not float(value).is_integer():
            return False
        return low <= value <= high

    FORMAT_CHECKER.checks(name)(check)


_number_format("int32", -(2**31), 2**31 - 1, True)
_number_format("int64", -(2**63), 2**63 - 1, True)
_number_format("float", float("-inf"), float("inf"), False)
_number_format("double", float("-inf"), float("inf"), False)
