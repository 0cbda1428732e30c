"""Request data made safe to interpolate into a log line.

Anything that came from a request (ids in the query string, messages that
quote a payload) may carry line breaks or terminal control characters; put
as they are into a log line they forge further lines
(``workflowId=x%0ACRITICAL%20...``). :func:`for_log` escapes them and bounds
the length, so one request writes one line.
"""

from __future__ import annotations

import re
import typing as t

#: The longest piece of request data written into a log line, in characters.
MAX_LOGGED_CHARS = 200

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, lone
# surrogates (no log file can encode them) and the backslash itself (so an
# escape in the log is never ambiguous).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\\\\]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_log(value: t.Any, limit: int = MAX_LOGGED_CHARS) -> str:
    """``value`` as text with control characters escaped, at most ``limit``
    characters (then ``...(N chars)`` says how long it was)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}...({len(text)} chars)"
    if text.isprintable() and "\\" not in text:
        return text
    return _UNSAFE.sub(_escape, text)
