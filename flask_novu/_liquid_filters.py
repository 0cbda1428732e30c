"""LiquidJS 10's built-in filters, with JavaScript string and number semantics.

python-liquid's filters follow Ruby Liquid and Python (``str(4.0)`` is
``4.0``; ``first`` of a string is empty; ``size`` of an object counts its
keys).  The SDK runs LiquidJS 10.30, so every filter LiquidJS registers is
implemented here as LiquidJS implements it (its ``stringify``, ``toArray``,
``toNumber`` and ``String()`` conversions), and registered on the
environment in place of python-liquid's.  A filter name LiquidJS does not
know is left unregistered: python-liquid then returns the input unchanged,
as LiquidJS does with ``strictFilters`` off (the SDK's setting).

Math filters and Novu's own (``json``, ``digest``, ``toSentence``,
``pluralize``) live in :mod:`flask_novu.templating`.  The date filters are
in :mod:`flask_novu._liquid_dates`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import math
import random
import re
import unicodedata
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence, cast
from urllib.parse import quote, unquote

from liquid import Undefined

from ._liquid_internals import Blank as _Blank, Empty as _Empty
from ._jsnumber import js_number

__all__ = ["standard_filters"]

Filter = Callable[..., Any]


# -- JavaScript conversions ----------------------------------------------------


class _NilDrop:
    """LiquidJS's ``NullDrop``: the ``nil`` literal in a filter chain.

    Filters see ``null`` (``toValue``), but a filter that answers its input
    or argument unchanged (``date`` of a non-date, ``default: nil``, ``push:
    nil``) hands on the drop object, which ``JSON.stringify`` writes as
    ``{}``. Liquid truthiness and comparisons treat it as ``nil``.
    """

    __slots__ = ()

    def __liquid__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "NIL_DROP"


NIL_DROP: Any = _NilDrop()
_DROP_TYPES = (_Blank, _Empty)


def is_drop(value: object) -> bool:
    """Whether ``value`` is a LiquidJS drop object (``nil``, ``empty``, ``blank``)."""
    return value is NIL_DROP or type(value) in _DROP_TYPES


def _argument_truthy(value: object) -> bool:
    """JavaScript truthiness of a filter's argument (a ``nil`` drop is an object)."""
    return value is NIL_DROP or js_truthy(value)


def is_nil(value: object) -> bool:
    return value is None or isinstance(value, Undefined) or value is NIL_DROP


def is_array(value: object) -> bool:
    return isinstance(value, (list, tuple, range))


def is_object(value: object) -> bool:
    return isinstance(value, Mapping) and not isinstance(value, Undefined)


def js_string(value: object) -> str:
    """JavaScript ``String(value)`` (``undefined``/``null`` spelled out)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Undefined):
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if is_array(value):
        return js_join(_items(value), ",")
    if is_object(value):
        return "[object Object]"
    return str(value)


def js_join(items: Iterable[object], separator: str) -> str:
    """JavaScript ``Array.prototype.join`` (nil items are empty)."""
    return separator.join("" if is_nil(item) else js_string(item) for item in items)


def _items(value: object) -> list[Any]:
    return list(cast("Iterable[Any]", value))


def stringify(value: object) -> str:
    """LiquidJS ``stringify``: nil is empty, arrays are concatenated."""
    if isinstance(value, str):
        return value
    if is_nil(value):
        return ""
    if is_array(value):
        return "".join(stringify(item) for item in _items(value))
    return js_string(value)


def to_array(value: object) -> list[Any]:
    """LiquidJS ``toArray``."""
    if is_nil(value):
        return []
    if is_array(value):
        return _items(value)
    return [value]


_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_SPACE_RUN = re.compile(f"[{_JS_SPACE}]+")
_JS_NUMBER_TEXT = re.compile(
    r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z|0[xX][0-9a-fA-F]+\Z"
    r"|0[oO][0-7]+\Z|0[bB][01]+\Z"
)


def js_number_of(value: object) -> float:
    """JavaScript ``Number(value)``."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if value is None:
        return 0.0
    if isinstance(value, str):
        text = value.strip(_JS_SPACE)
        if not text:
            return 0.0
        if not _JS_NUMBER_TEXT.match(text):
            return math.nan
        if text[:2].lower() in ("0x", "0o", "0b"):
            return float(int(text, 0))
        return float(text.replace("Infinity", "inf"))
    if is_array(value):
        return js_number_of(js_string(value))
    return math.nan


def js_truthy(value: object) -> bool:
    """JavaScript truthiness."""
    if is_nil(value) or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def js_length(text: str) -> int:
    """``text.length`` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _utf16_units(text: str) -> list[str]:
    """The UTF-16 code units of ``text``, astral characters split in surrogates."""
    if text.isascii() or all(ord(char) <= 0xFFFF for char in text):
        return list(text)
    units: list[str] = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            units += [chr(0xD800 + (code >> 10)), chr(0xDC00 + (code & 0x3FF))]
        else:
            units.append(char)
    return units


def _to_integer(value: object) -> int:
    """JavaScript ``ToIntegerOrInfinity`` for slicing, clamped to Python ints."""
    number = js_number_of(value)
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return 2**62 if number > 0 else -(2**62)
    return int(number)


def _well_formed_code_points(text: str) -> list[str]:
    """``[...text]``: code points, a lone surrogate being one of its own."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return list(text)
    return [
        unit for unit in re.findall("[\ud800-\udbff][\udc00-\udfff]|.", text, flags=re.S)
    ]


def _well_formed(text: str) -> str:
    """``text`` with lone surrogates replaced, as Node's UTF-8 encoder does."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


# -- property lookups (the ``map``, ``where``, ``sort`` keys) ------------------


#: JavaScript's ``undefined``: what a missing property reads as.
MISSING: Any = Undefined("")


_INDEX_KEY = re.compile(r"0|[1-9]\d*")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _own_element(items: Sequence[Any], key: str | float) -> Any:
    """``items[key]`` for an own index ``key`` (a canonical index string or a
    whole number), else :data:`MISSING`."""
    if isinstance(key, str):
        if not _INDEX_KEY.fullmatch(key):
            return MISSING
        index = int(key)
    elif isinstance(key, bool) or not float(key).is_integer():
        return MISSING
    else:
        index = int(key)
    return items[index] if 0 <= index < len(items) else MISSING


def _is_own_property(value: object, key: str | float) -> bool:
    """Whether ``key`` names an own property of ``Object(value)``."""
    if is_object(value):
        return (key if isinstance(key, str) else js_string(key)) in value  # type: ignore[operator]
    if isinstance(value, str):
        return key == "length" or _own_element(_utf16_units(value), key) is not MISSING
    if is_array(value):
        return key == "length" or _own_element(value, key) is not MISSING  # type: ignore[arg-type]
    return False


def read_property(value: object, key: str | float) -> Any:
    """LiquidJS ``Context.readProperty`` (own properties only) on plain data.

    ``key`` is a string, or a number from a ``[0]`` subscript: only a number
    counts from the end of an array when negative. A missing property is
    :data:`MISSING` (``undefined``).
    """
    if is_nil(value):
        return value
    if is_array(value) and isinstance(key, (int, float)) and not isinstance(key, bool):
        items: Sequence[Any] = value  # type: ignore[assignment]
        index = key + len(items) if key < 0 else key
        return _own_element(items, index)
    if is_object(value):
        mapping: Mapping[str, Any] = value  # type: ignore[assignment]
        name = key if isinstance(key, str) else js_string(key)
        if name in mapping:
            return mapping[name]
    elif isinstance(value, str):
        if key == "length":
            return js_length(value)
        unit = _own_element(_utf16_units(value), key)
        if unit is not MISSING:
            return unit
    elif is_array(value):
        if key == "length":
            return len(value)  # type: ignore[arg-type]
        element = _own_element(value, key)  # type: ignore[arg-type]
        if element is not MISSING:
            return element
    if key == "size":
        if isinstance(value, str):
            return js_length(value)
        if is_array(value) or is_object(value):
            return len(value)  # type: ignore[arg-type]
        return MISSING
    if key in ("first", "last") and is_array(value):
        items = value  # type: ignore[assignment]
        if not items:
            return MISSING
        return items[0] if key == "first" else items[-1]
    return MISSING


def read_path(value: object, path: object) -> Any:
    """``_getFromScope(value, stringify(path).split('.'))``."""
    for key in stringify(path).split("."):
        value = read_property(value, key)
    return value


_WIDE_BLANKS = "\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: LiquidJS identifier characters (``isWord``).
_IDENTIFIER = re.compile(f"(?:[A-Za-z0-9_?-]|[^\\x00-\\x7f{_WIDE_BLANKS}\u201c\u201d])*")
_SKIP_BLANK = re.compile(f"[\t\n\v\f\r {_WIDE_BLANKS}]*")
_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")
_NUMBER_LITERAL = re.compile(r"[+-]?\d+(?:\.(?!\.)\d*)?(?![A-Za-z0-9_?\-]|[^\x00-\x7f])")


class _ScopeValue(NamedTuple):
    """A parsed ``Tokenizer.readScopeValue``: each key a string, a number or
    a nested scope value (``a[b]``)."""

    keys: tuple[Any, ...]


@functools.lru_cache(maxsize=256)
def _parse_scope_value(text: str) -> _ScopeValue | None:
    """LiquidJS ``new Tokenizer(text).readScopeValue()`` (``None``: no token)."""
    keys: list[Any] = []
    position = _SKIP_BLANK.match(text).end()  # type: ignore[union-attr]
    while position < len(text):
        char = text[position]
        if char == "[":
            position = _SKIP_BLANK.match(text, position + 1).end()  # type: ignore[union-attr]
            quoted = _QUOTED.match(text, position)
            number = None if quoted else _NUMBER_LITERAL.match(text, position)
            if quoted:
                keys.append(quoted.group()[1:-1])
                position = quoted.end()
            elif number:
                keys.append(float(number.group()))
                position = number.end()
            else:
                name = _IDENTIFIER.match(text, position).group()  # type: ignore[union-attr]
                keys.append(_parse_scope_value(name) if name else "")
                position += len(name)
            close = text.find("]", position)
            if close < 0:
                raise ValueError("[ not closed")
            position = close + 1
            continue
        if not keys:
            name = _IDENTIFIER.match(text, position).group()  # type: ignore[union-attr]
            if name:
                keys.append(name)
                position += len(name)
                continue
        if char == "." and text[position + 1 : position + 2] != ".":
            name = _IDENTIFIER.match(text, position + 1).group()  # type: ignore[union-attr]
            if not name:
                break
            keys.append(name)
            position += 1 + len(name)
            continue
        break
    return _ScopeValue(tuple(keys)) if keys else None


def _evaluate_scope_value(token: _ScopeValue, item: object) -> Any:
    """Evaluate ``token`` in a context whose scope is ``item``
    (``evalToken(token, context.spawn(item))``)."""
    keys = [_evaluate_scope_value(key, item) if isinstance(key, _ScopeValue) else key for key in token.keys]
    keys = [key if isinstance(key, str) or _is_number(key) else js_string(key) for key in keys]
    first_key = keys[0]
    if _is_own_property(item, first_key):
        value = read_property(item, first_key)
    else:
        # Not in the item's scope: LiquidJS reads the (empty) globals object.
        value = 0 if first_key == "size" else MISSING
    for key in keys[1:]:
        value = read_property(value, key)
    return value


def read_scope_value(value: object, expression: object) -> Any:
    """Evaluate a ``where``/``group_by`` property expression (``a.b[0]``) with
    ``value`` as the scope, or :data:`MISSING` for an empty expression."""
    token = _parse_scope_value(stringify(expression))
    return MISSING if token is None else _evaluate_scope_value(token, value)


# -- comparisons -----------------------------------------------------------------


def _js_primitive(value: object) -> object:
    if is_array(value) or is_object(value):
        return js_string(value)
    return value


def js_less(left: object, right: object) -> bool:
    """JavaScript ``left < right`` (strings by UTF-16 code units, else numbers)."""
    left, right = _js_primitive(left), _js_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        if left.isascii() and right.isascii():
            return left < right
        return _utf16_units(left) < _utf16_units(right)
    a = math.nan if isinstance(left, Undefined) else js_number_of(left)
    b = math.nan if isinstance(right, Undefined) else js_number_of(right)
    return a < b


def _ordered_compare(left: object, right: object) -> int:
    if is_nil(left) and is_nil(right):
        return 0
    if is_nil(left):
        return 1
    if is_nil(right):
        return -1
    if js_less(left, right):
        return -1
    if js_less(right, left):
        return 1
    return 0


def _case_insensitive_compare(left: object, right: object) -> int:
    if is_nil(left) and is_nil(right):
        return 0
    if is_nil(left):
        return 1
    if is_nil(right):
        return -1
    return _ordered_compare(js_string(left).lower(), js_string(right).lower())


def liquid_equals(left: object, right: object) -> bool:
    """LiquidJS ``equals`` for plain data: arrays item by item, else ``===``."""
    if is_array(left) and is_array(right):
        a, b = list(left), list(right)  # type: ignore[call-overload]
        return len(a) == len(b) and all(liquid_equals(x, y) for x, y in zip(a, b))
    if is_nil(left) and is_nil(right):
        return True
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return float(left) == float(right)
    if type(left) is not type(right) and not (is_object(left) and is_object(right)):
        return False
    if is_object(left):
        return left is right
    return left == right


# -- HTML and URL filters --------------------------------------------------------

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
_ESCAPE_RE = re.compile("[&<>\"']")
_UNESCAPE_RE = re.compile("&(amp|lt|gt|#34|#39);")
_UNESCAPES = {"amp": "&", "lt": "<", "gt": ">", "#34": '"', "#39": "'"}


def escape(value: object) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], stringify(value))


def _unescape(value: object) -> str:
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], stringify(value))


def escape_once(value: object) -> str:
    return escape(_unescape(value))


def newline_to_br(value: object) -> str:
    return re.sub(r"\r?\n", "<br />\n", stringify(value))


def strip_html(value: object) -> str:
    text = stringify(value)
    blocks = {"<script": "</script>", "<style": "</style>", "<!--": "-->", "<": ">"}
    out: list[str] = []
    index = 0
    while index < len(text):
        lt = text.find("<", index)
        if lt < 0:
            return "".join(out) + text[index:]
        out.append(text[index:lt])
        for opener, closer in list(blocks.items()):
            if not text.startswith(opener, lt):
                continue
            end = text.find(closer, lt + len(opener))
            if end >= 0:
                index = end + len(closer)
                break
            del blocks[opener]
        if index <= lt:
            return "".join(out) + text[lt:]
    return "".join(out)


_URI_COMPONENT_SAFE = "-_.!~*'()"
_URI_SAFE = _URI_COMPONENT_SAFE + ";,/?:@&=+$#"


def _encode_uri(text: str, safe: str) -> str:
    if any("\ud800" <= char <= "\udfff" for char in text):
        # surrogate pairs encode as their character; a lone one is JavaScript's
        # URIError (the SDK's RenderError), not a crash
        try:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise ValueError("URI malformed") from None
    return quote(text, safe=safe, encoding="utf-8", errors="strict")


def url_decode(value: object) -> str:
    text = stringify(value).replace("+", " ")
    if re.search(r"%(?![0-9a-fA-F]{2})", text):
        raise ValueError("URI malformed")
    return unquote(text, encoding="utf-8", errors="strict")


def url_encode(value: object) -> str:
    return _encode_uri(stringify(value), _URI_COMPONENT_SAFE).replace("%20", "+")


def cgi_escape(value: object) -> str:
    encoded = _encode_uri(stringify(value), _URI_COMPONENT_SAFE).replace("%20", "+")
    return re.sub(r"[!'()*]", lambda m: f"%{ord(m.group()):X}", encoded)


def uri_escape(value: object) -> str:
    return _encode_uri(stringify(value), _URI_SAFE).replace("%5B", "[").replace("%5D", "]")


def _slug_keep_default(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "ML" or category == "Nd"


_SLUG_PRETTY_EXTRA = frozenset("._~!$&'()+,;=@")


def _replace_runs(text: str, keep: Callable[[str], bool]) -> str:
    out: list[str] = []
    in_run = False
    for char in text:
        if keep(char):
            out.append(char)
            in_run = False
        elif not in_run:
            out.append("-")
            in_run = True
    return "".join(out)


_ACCENTS = [
    ("àáâãäå", "a"), ("æ", "ae"), ("ç", "c"), ("èéêë", "e"), ("ìíîï", "i"), ("ð", "d"),
    ("ñ", "n"), ("òóôõöø", "o"), ("ùúûü", "u"), ("ýÿ", "y"), ("ß", "ss"), ("œ", "oe"),
    ("þ", "th"), ("ẞ", "SS"), ("Œ", "OE"), ("Þ", "TH"),
]  # fmt: skip


def slugify(value: object, mode: object = "default", cased: object = False) -> str:
    text = stringify(value)
    if isinstance(mode, Undefined):
        mode = "default"
    replaced = True
    if mode in ("default", "latin"):
        if mode == "latin":
            for chars, replacement in _ACCENTS:
                text = re.sub(f"[{chars}]", replacement, text)
        text = _replace_runs(text, _slug_keep_default)
    elif mode == "pretty":
        text = _replace_runs(text, lambda c: _slug_keep_default(c) or c in _SLUG_PRETTY_EXTRA)
    elif mode == "ascii":
        text = re.sub(r"[^A-Za-z0-9]+", "-", text)
    elif mode == "raw":
        text = _JS_SPACE_RUN.sub("-", text)
    else:
        replaced = False
    if replaced:
        text = re.sub(r"^-|-$", "", text)
    return text if js_truthy(cased) else text.lower()


# -- array filters ---------------------------------------------------------------


def join(value: object, separator: object = None) -> str:
    sep = " " if is_nil(separator) else stringify(separator)
    return sep.join("" if is_nil(item) else js_string(item) for item in to_array(value))


def _array_like_element(value: object, index: int) -> Any:
    if isinstance(value, str):
        if not value:
            return ""
        units = _utf16_units(value) if not value.isascii() else value
        return units[index]
    if is_array(value):
        items = list(value)  # type: ignore[call-overload]
        return items[index] if items else MISSING
    if is_object(value):
        length = value.get("length")  # type: ignore[attr-defined]
        if isinstance(length, (int, float)) and not isinstance(length, bool) and length:
            position = int(length) + index if index < 0 else index
            return value.get(str(position))  # type: ignore[attr-defined]
        if isinstance(length, (int, float)) and not isinstance(length, bool):
            return value.get(str(index))  # type: ignore[attr-defined]
    return ""


def first(value: object) -> Any:
    return _array_like_element(value, 0)


def last(value: object) -> Any:
    return _array_like_element(value, -1)


def reverse(value: object) -> list[Any]:
    return to_array(value)[::-1]


def _sort_by(value: object, key: object, compare: Callable[[object, object], int]) -> list[Any]:
    items = to_array(value)
    if _argument_truthy(key):
        keyed = [(item, read_path(item, key)) for item in items]
    else:
        keyed = [(item, item) for item in items]
    keyed.sort(key=functools.cmp_to_key(lambda a, b: compare(a[1], b[1])))  # type: ignore[index]
    return [item for item, _ in keyed]


def sort(value: object, key: object = None) -> list[Any]:
    return _sort_by(value, key, _ordered_compare)


def sort_natural(value: object, key: object = None) -> list[Any]:
    return _sort_by(value, key, _case_insensitive_compare)


def size(value: object) -> Any:
    if isinstance(value, str):
        return js_length(value)
    if is_array(value):
        return len(value)  # type: ignore[arg-type]
    if is_object(value):
        length = value.get("length")  # type: ignore[attr-defined]
        return length if js_truthy(length) else 0
    return 0


def map_(value: object, key: object = None) -> list[Any]:
    return [read_path(item, key) for item in to_array(value)]


def sum_(value: object, key: object = None) -> float:
    total = 0.0
    for item in to_array(value):
        data = js_number_of(read_path(item, key) if _argument_truthy(key) else item)
        if isinstance(item, Undefined) and not _argument_truthy(key):
            data = math.nan
        total += 0.0 if math.isnan(data) else data
    return total


def compact(value: object) -> list[Any]:
    return [item for item in to_array(value) if not is_nil(item)]


def concat(value: object, other: object = None) -> list[Any]:
    return to_array(value) + to_array([] if isinstance(other, Undefined) else other)


def push(value: object, item: object = None) -> list[Any]:
    return to_array(value) + [item]


def unshift(value: object, item: object = None) -> list[Any]:
    return [item] + to_array(value)


def pop(value: object) -> list[Any]:
    return to_array(value)[:-1]


def shift(value: object) -> list[Any]:
    return to_array(value)[1:]


def _code_points_index(text: str, start: int, count: int) -> int:
    """LiquidJS ``advanceCodePoints`` (UTF-16 index after ``count`` code points)."""
    units = _utf16_units(text)
    index = start
    for _ in range(max(count, 0)):
        if index >= len(units):
            break
        index += 2 if "\ud800" <= units[index] <= "\udbff" and index + 1 < len(units) else 1
    return index


def _js_plus(left: object, right: object) -> object:
    """JavaScript ``left + right`` on plain data (strings concatenate)."""
    if any(isinstance(v, str) or is_array(v) or is_object(v) for v in (left, right)):
        return js_string(left) + js_string(right)
    return _js_number(left) + _js_number(right)


def _js_number(value: object) -> float:
    return math.nan if isinstance(value, Undefined) else js_number_of(value)


def slice_(value: object, begin: object = MISSING, length: object = 1) -> Any:
    """LiquidJS ``slice``: ``begin`` is used as given (``begin + length`` may
    concatenate, a missing ``begin`` slices nothing from an array)."""
    if is_nil(value):
        return []
    if isinstance(length, Undefined):
        length = 1
    if is_array(value):
        items = list(value)  # type: ignore[call-overload]
        if _js_number(begin) < 0:
            begin = _js_plus(len(items), begin)
        if _js_number(begin) < 0 or _js_number(length) < 0:
            return []
        return items[_to_integer(begin) : _to_integer(_js_plus(begin, length))]
    text = stringify(value)
    if _js_number(begin) < 0:
        begin = _js_plus(len(text), begin)  # code points
    if _js_number(begin) < 0 or _js_number(length) < 0:
        return ""
    units = _utf16_units(text)
    first_unit = _code_points_index(text, 0, _steps(_js_number(begin)))
    end_unit = _code_points_index(text, first_unit, _steps(_js_number(length)))
    return _well_formed("".join(units[first_unit:end_unit]))


def _matches(value: object, expected: object) -> bool:
    if isinstance(expected, Undefined):
        return not is_nil(value) and value is not False
    return liquid_equals(value, expected)


def where(value: object, key: object = None, expected: Any = Undefined("")) -> list[Any]:
    return [item for item in to_array(value) if _matches(read_scope_value(item, key), expected)]


def reject(value: object, key: object = None, expected: Any = Undefined("")) -> list[Any]:
    return [item for item in to_array(value) if not _matches(read_scope_value(item, key), expected)]


def _to_enumerable(value: object) -> list[Any]:
    if is_array(value):
        return _items(value)
    if isinstance(value, str):
        return [value] if value else []
    if is_object(value):
        return [[key, item] for key, item in value.items()]  # type: ignore[attr-defined]
    return []


def _same_value_key(value: object) -> object:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) < 2**63 else value
        return ("nan",) if number != number else ("number", number)
    if isinstance(value, str):
        return ("string", value)
    if is_nil(value):
        return ("undefined",) if isinstance(value, Undefined) else ("null",)
    return ("object", id(value))


def group_by(value: object, key: object = None) -> list[dict[str, Any]]:
    groups: dict[object, tuple[Any, list[Any]]] = {}
    for item in _to_enumerable(value):
        name = read_scope_value(item, key)
        groups.setdefault(_same_value_key(name), (name, []))[1].append(item)
    return [{"name": name, "items": items} for name, items in groups.values()]


def _search(value: object, key: object, expected: Any) -> tuple[int, Any] | None:
    for index, item in enumerate(to_array(value)):
        if _matches(read_scope_value(item, key), expected):
            return index, item
    return None


def has(value: object, key: object = None, expected: Any = Undefined("")) -> bool:
    return _search(value, key, expected) is not None


def find_index(value: object, key: object = None, expected: Any = Undefined("")) -> Any:
    found = _search(value, key, expected)
    return found[0] if found else MISSING


def find(value: object, key: object = None, expected: Any = Undefined("")) -> Any:
    found = _search(value, key, expected)
    return found[1] if found else MISSING


def uniq(value: object) -> list[Any]:
    seen: set[object] = set()
    out = []
    for item in to_array(value):
        marker = _same_value_key(item)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def sample(value: object, count: object = 1) -> Any:
    if is_nil(value):
        return []
    # ``[...v]``: an array's items or a string's code points.
    items: list[Any] = to_array(value) if is_array(value) else list(_well_formed_code_points(stringify(value)))
    shuffled = random.sample(items, len(items))
    if isinstance(count, Undefined) or (_is_number(count) and count == 1):
        return shuffled[0] if shuffled else MISSING
    number = js_number_of(count)
    end = len(items) if number == math.inf else 0 if math.isnan(number) or number == -math.inf else int(number)
    return shuffled[:end]


# -- string filters --------------------------------------------------------------


def append(value: object, other: object) -> str:
    return stringify(value) + stringify(other)


def prepend(value: object, other: object) -> str:
    return stringify(other) + stringify(value)


def lstrip(value: object, chars: object = None) -> str:
    text = stringify(value)
    if _argument_truthy(chars):
        return text.lstrip(stringify(chars))
    return text.lstrip(_JS_SPACE)


def rstrip(value: object, chars: object = None) -> str:
    text = stringify(value)
    if _argument_truthy(chars):
        return text.rstrip(stringify(chars))
    return text.rstrip(_JS_SPACE)


def strip(value: object, chars: object = None) -> str:
    text = stringify(value)
    if _argument_truthy(chars):
        return text.strip(stringify(chars))
    return text.strip(_JS_SPACE)


def downcase(value: object) -> str:
    return stringify(value).lower()


def upcase(value: object) -> str:
    return stringify(value).upper()


def remove(value: object, part: object = None) -> str:
    text, pattern = stringify(value), stringify(part)
    return text.replace(pattern, "") if pattern else text


def remove_first(value: object, part: object = None) -> str:
    return stringify(value).replace(stringify(part), "", 1)


def remove_last(value: object, part: object = None) -> str:
    text, pattern = stringify(value), stringify(part)
    index = text.rfind(pattern)
    if index < 0:
        return text
    return text[:index] + text[index + len(pattern) :]


def split(value: object, separator: object = None) -> list[str]:
    text, sep = stringify(value), stringify(separator)
    parts = _utf16_units(text) if not sep else text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def strip_newlines(value: object) -> str:
    return re.sub(r"\r?\n", "", stringify(value))


def squish(value: object) -> str:
    return _JS_SPACE_RUN.sub(" ", stringify(value)).strip(_JS_SPACE)


def capitalize(value: object) -> str:
    text = stringify(value)
    return text[:1].upper() + text[1:].lower()


def replace(value: object, pattern: object = None, replacement: object = None) -> str:
    text, old, new = stringify(value), stringify(pattern), stringify(replacement)
    if not old:
        return new.join(_utf16_units(text))
    return text.replace(old, new)


def replace_first(value: object, pattern: object = None, replacement: object = None) -> str:
    return stringify(value).replace(stringify(pattern), stringify(replacement), 1)


def replace_last(value: object, pattern: object = None, replacement: object = None) -> str:
    text, old, new = stringify(value), stringify(pattern), stringify(replacement)
    index = text.rfind(old)
    if index < 0:
        return text
    return text[:index] + new + text[index + len(old) :]


def _steps(count: float) -> int:
    """How many times ``for (i = 0; i < count; i++)`` runs (clamped)."""
    if math.isnan(count) or count <= 0:
        return 0
    return 2**62 if math.isinf(count) else math.ceil(count)


def truncate(value: object, length: object = 50, ellipsis: object = "...") -> Any:
    if isinstance(length, Undefined):
        length = 50
    if isinstance(ellipsis, Undefined):
        ellipsis = "..."
    text, tail = stringify(value), stringify(ellipsis)
    limit = js_number_of(length)
    if js_length(text) <= limit or _code_points_index(text, 0, _steps(limit)) >= js_length(text):
        return value
    keep = _steps(max(limit - len(tail), 0))
    return _well_formed("".join(_utf16_units(text)[: _code_points_index(text, 0, keep)])) + tail


def truncatewords(value: object, words: object = 15, ellipsis: object = "...") -> str:
    if isinstance(words, Undefined):
        words = 15
    if isinstance(ellipsis, Undefined):
        ellipsis = "..."
    text, tail = stringify(value), stringify(ellipsis)
    parts = _JS_SPACE_RUN.split(text.lstrip(_JS_SPACE))
    count = js_number_of(words)
    if count <= 0:
        count = 1
    # ``arr.slice(0, words)``: NaN takes nothing, a fraction is truncated.
    taken = parts[: len(parts) if math.isinf(count) else 0 if math.isnan(count) else int(count)]
    result = " ".join(taken)
    if len(parts) >= count:
        result += tail
    return result


def normalize_whitespace(value: object) -> str:
    return _JS_SPACE_RUN.sub(" ", stringify(value))


_CJK = "\u4e00-\u9fff\uf900-\ufaff\u3400-\u4dbf\u3040-\u309f\u30a0-\u30ff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_NON_CJK_WORD = re.compile(f"[^{_CJK}{_JS_SPACE}]+")


def number_of_words(value: object, mode: object = None) -> int:
    text = stringify(value).strip(_JS_SPACE)
    if not text:
        return 0
    if mode == "cjk" or (mode == "auto" and _CJK_CHAR.search(text)):
        return len(_CJK_CHAR.findall(text)) + len(_NON_CJK_WORD.findall(text))
    return len(_JS_SPACE_RUN.split(text))


def array_to_sentence_string(value: object, connector: object = "and") -> Any:
    if isinstance(connector, Undefined):
        connector = "and"
    items = to_array(value)
    word = stringify(connector)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{js_string(items[0])} {word} {js_string(items[1])}"
    head = ", ".join("" if is_nil(item) else js_string(item) for item in items[:-1])
    return f"{head}, {word} {js_string(items[-1])}"


# -- base64, crypto, misc --------------------------------------------------------


def base64_encode(value: object) -> str:
    return base64.b64encode(_well_formed(stringify(value)).encode("utf-8")).decode("ascii")


def base64_decode(value: object) -> str:
    text = stringify(value)
    compact_text = re.sub(r"[\t\n\f\r ]", "", text)
    if len(compact_text) % 4 == 0:
        compact_text = re.sub(r"==?$", "", compact_text)
    if len(compact_text) % 4 == 1 or not re.fullmatch(r"[A-Za-z0-9+/]*", compact_text):
        raise ValueError("invalid base64 provided to base64_decode")
    padded = compact_text + "=" * (-len(compact_text) % 4)
    try:
        raw = base64.b64decode(padded)
    except binascii.Error as err:  # pragma: no cover - excluded by the check above
        raise ValueError("invalid base64") from err
    return raw.decode("utf-8", "replace")


def sha256(value: object) -> str:
    return hashlib.sha256(_well_formed(stringify(value)).encode("utf-8")).hexdigest()


def hmac_sha256(value: object, key: object = None) -> str:
    secret = _well_formed(stringify(key)).encode("utf-8")
    return hmac.new(secret, _well_formed(stringify(value)).encode("utf-8"), hashlib.sha256).hexdigest()


def default(value: object, fallback: object = None, *args: object) -> Any:
    if isinstance(value, (str, list, tuple)):
        return value if len(value) else fallback
    # ``allow_false: true`` arrives as the pair ["allow_false", true] (JavaScript's ``new Map(args)``)
    options = {arg[0]: arg[1] for arg in args if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)}
    if value is False and js_truthy(options.get("allow_false")):
        return False
    return fallback if is_nil(value) or value is False else value


def raw(value: object) -> Any:
    return value


def to_integer(value: object) -> float:
    if isinstance(value, Undefined):
        return math.nan
    return js_number_of(value)


def standard_filters(js_json: Callable[[object, str], str]) -> dict[str, Filter]:
    """The LiquidJS filters by name (math, date and Novu's filters excepted).

    :param js_json: ``JSON.stringify(value, null, indent)`` for ``jsonify``
        and ``inspect``.
    """

    def jsonify(value: object, space: object = 0) -> Any:
        if isinstance(value, Undefined):
            return MISSING  # JSON.stringify(undefined) is undefined
        return js_json(value, _json_space(space))

    return {
        "escape": escape,
        "xml_escape": escape,
        "escape_once": escape_once,
        "newline_to_br": newline_to_br,
        "strip_html": strip_html,
        "url_decode": url_decode,
        "url_encode": url_encode,
        "cgi_escape": cgi_escape,
        "uri_escape": uri_escape,
        "slugify": slugify,
        "join": join,
        "last": last,
        "first": first,
        "reverse": reverse,
        "sort": sort,
        "sort_natural": sort_natural,
        "size": size,
        "map": map_,
        "sum": sum_,
        "compact": compact,
        "concat": concat,
        "push": push,
        "unshift": unshift,
        "pop": pop,
        "shift": shift,
        "slice": slice_,
        "where": where,
        "reject": reject,
        "group_by": group_by,
        "has": has,
        "find_index": find_index,
        "find": find,
        "uniq": uniq,
        "sample": sample,
        "append": append,
        "prepend": prepend,
        "lstrip": lstrip,
        "downcase": downcase,
        "upcase": upcase,
        "remove": remove,
        "remove_first": remove_first,
        "remove_last": remove_last,
        "rstrip": rstrip,
        "split": split,
        "strip": strip,
        "strip_newlines": strip_newlines,
        "squish": squish,
        "capitalize": capitalize,
        "replace": replace,
        "replace_first": replace_first,
        "replace_last": replace_last,
        "truncate": truncate,
        "truncatewords": truncatewords,
        "normalize_whitespace": normalize_whitespace,
        "number_of_words": number_of_words,
        "array_to_sentence_string": array_to_sentence_string,
        "base64_encode": base64_encode,
        "base64_decode": base64_decode,
        "sha256": sha256,
        "hmac_sha256": hmac_sha256,
        "default": default,
        "raw": raw,
        "jsonify": jsonify,
        "inspect": jsonify,
        "to_integer": to_integer,
        **EXPRESSION_FILTERS,
    }


def _json_space(space: object) -> str:
    if isinstance(space, bool) or is_nil(space):
        return ""
    if isinstance(space, (int, float)):
        return "" if math.isnan(space) else " " * max(0, min(10, int(space)))
    if isinstance(space, str):
        return space[:10]
    return ""


# -- the ``*_exp`` filters (a Liquid expression per item) -------------------------


@functools.lru_cache(maxsize=256)
def _parse_expression(env: Any, text: str) -> Any:
    from liquid import Token, TokenStream

    from ._liquid_internals import TOKEN_EXPRESSION, BooleanExpression, tokenize_expression

    from ._liquid_compare import use_liquidjs_comparisons_in

    token = Token(TOKEN_EXPRESSION, text, 0, text)
    expression = BooleanExpression.parse(env, TokenStream(tokenize_expression(text, token))).expression
    use_liquidjs_comparisons_in(expression)
    return expression


def _each_value(
    context: Any, items: list[Any], name: object, expression: object
) -> Iterable[tuple[Any, Any]]:
    expr = _parse_expression(context.env, stringify(expression))
    key = stringify(name)
    for item in items:
        with context.extend({key: item}):
            yield item, expr.evaluate(context)


def _with_context(func: Filter) -> Filter:
    func.with_context = True  # type: ignore[attr-defined]
    return func


@_with_context
def where_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> list[Any]:
    return [item for item, result in _each_value(context, to_array(value), name, expression) if result is True]


@_with_context
def reject_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> list[Any]:
    return [item for item, result in _each_value(context, to_array(value), name, expression) if result is not True]


@_with_context
def group_by_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> list[dict[str, Any]]:
    groups: dict[object, tuple[Any, list[Any]]] = {}
    for item, key in _each_value(context, _to_enumerable(value), name, expression):
        groups.setdefault(_same_value_key(key), (key, []))[1].append(item)
    return [{"name": key, "items": items} for key, items in groups.values()]


def _search_exp(value: object, name: object, expression: object, context: Any) -> tuple[int, Any] | None:
    for index, (item, result) in enumerate(_each_value(context, to_array(value), name, expression)):
        if js_truthy(result):
            return index, item
    return None


@_with_context
def has_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> bool:
    return _search_exp(value, name, expression, context) is not None


@_with_context
def find_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> Any:
    found = _search_exp(value, name, expression, context)
    return found[1] if found else MISSING


@_with_context
def find_index_exp(value: object, name: object = None, expression: object = None, *, context: Any) -> Any:
    found = _search_exp(value, name, expression, context)
    return found[0] if found else MISSING


EXPRESSION_FILTERS: dict[str, Filter] = {
    "where_exp": where_exp,
    "reject_exp": reject_exp,
    "group_by_exp": group_by_exp,
    "has_exp": has_exp,
    "find_exp": find_exp,
    "find_index_exp": find_index_exp,
}
