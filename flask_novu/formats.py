"""The string formats of ``ajv-formats`` ("full" mode) for ``jsonschema``.

Written from the RFCs, so that validation does not depend on which optional
format packages of ``jsonschema`` happen to be installed.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import typing as t

from jsonschema import FormatChecker

__all__ = ["FORMAT_CHECKER"]


#: Format checker with every format ajv-formats knows; unknown formats pass.
FORMAT_CHECKER = FormatChecker(formats=())

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(
    r"(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(z|([+-])(\d{2})(?::?(\d{2}))?)?", re.IGNORECASE
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


@_string_format("date")
def _is_date(value: str) -> bool:
    match = _DATE_RE.fullmatch(value)
    if match is None:
        return False
    try:
        datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def _is_time(value: str, require_zone: bool) -> bool:
    match = _TIME_RE.fullmatch(value)
    if match is None:
        return False
    hour, minute, second = int(match[1]), int(match[2]), float(match[3])
    zone_h, zone_m = int(match[6] or 0), int(match[7] or 0)
    if zone_h > 23 or zone_m > 59 or (require_zone and not match[4]):
        return False
    if hour <= 23 and minute <= 59 and second < 60:
        return True
    # A leap second is only valid at 23:59:60 UTC.
    sign = -1 if match[5] == "-" else 1
    utc_minute = minute - zone_m * sign
    utc_hour = hour - zone_h * sign - (1 if utc_minute < 0 else 0)
    return utc_hour in (23, -1) and utc_minute in (59, -1) and second < 61


def _is_date_time(value: str, require_zone: bool) -> bool:
    parts = re.split(r"[tT\s]", value)
    return len(parts) == 2 and _is_date(parts[0]) and _is_time(parts[1], require_zone)


_string_format("time")(lambda value: _is_time(value, True))
_string_format("iso-time")(lambda value: _is_time(value, False))
_string_format("date-time")(lambda value: _is_date_time(value, True))
_string_format("iso-date-time")(lambda value: _is_date_time(value, False))


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
