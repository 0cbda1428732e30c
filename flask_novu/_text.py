"""Text that UTF-8 cannot carry: lone surrogates.

Python strings may hold lone UTF-16 surrogates (``"\\ud83d"``, half of an
emoji, when a client truncated its text or JSON carried the escape). They
are valid in a JavaScript string, so Novu's SDK renders, sanitises and sends
them (``JSON.stringify`` escapes them as ``\\ud83d``); the bridge does the
same. Libraries that encode to UTF-8 (the HTML parser of the sanitiser)
refuse them: :func:`around_surrogates` hands such a library placeholders and
puts the surrogates back afterwards.
"""

from __future__ import annotations

import re
import typing as t

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_RUN = re.compile("[\ud800-\udfff]+")
#: Placeholders: U+20000 + (surrogate - U+D800), rare CJK ideographs
#: (printable, caseless, a single character each: ``repr``, ``upcase``,
#: ``size`` and ``reverse`` treat them as the surrogate would be treated).
_BASE = 0x20000 - 0xD800
_PLACEHOLDER = re.compile("[\U00020000-\U000207ff]")
#: What a surrogate becomes when its placeholder already occurs in the text.
REPLACEMENT = "\ufffd"


def escape_surrogates(text: str) -> str:
    """JSON text with its surrogates as ``\\uXXXX`` escapes (they only ever
    occur inside JSON strings); a valid pair stays the character it stands
    for, as ``JSON.stringify`` writes it."""

    def escape(match: re.Match[str]) -> str:
        joined = match.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in joined)

    return _SURROGATE_RUN.sub(escape, text)


def _map(value: t.Any, mapping: t.Callable[[str], str]) -> t.Any:
    if isinstance(value, str):
        return mapping(value)
    if isinstance(value, dict):
        return {key: _map(item, mapping) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_map(item, mapping) for item in value)
    return value


def _strings(value: t.Any) -> t.Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _hide(text: str) -> str:
    return _SURROGATE.sub(lambda match: chr(ord(match.group()) + _BASE), text)


def _replace(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text)


def _restore(text: str) -> str:
    if not _PLACEHOLDER.search(text):
        return text
    return _PLACEHOLDER.sub(lambda match: chr(ord(match.group()) - _BASE), text)


def around_surrogates(function: t.Callable[[t.Any], t.Any], value: t.Any) -> t.Any:
    """``function(value)``; if it fails to encode a lone surrogate, again with
    each one replaced by a placeholder, put back in the result.

    When ``value`` already holds placeholder characters (which could not be
    told apart afterwards), its surrogates become U+FFFD instead.
    """
    try:
        return function(value)
    except UnicodeError:
        if any(_PLACEHOLDER.search(text) for text in _strings(value)):
            return function(_map(value, _replace))
        return _map(function(_map(value, _hide)), _restore)
