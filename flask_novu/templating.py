"""Liquid compilation of step controls, as ``@novu/framework`` 2.13.2 does it.

The SDK JSON-serialises the whole controls object, renders that text as one
LiquidJS template whose output escaper JSON-escapes strings, and parses the
result back.  This module renders every string leaf separately but through
the same pipeline, so the observable quirks survive:

* the template source is the *JSON-escaped* string, so a real newline is the
  text ``\\n`` to Liquid (whitespace control does not strip it) and a
  double-quoted Liquid string literal is a syntax error;
* ``{{ value }}`` inserts strings verbatim, numbers the way JavaScript prints
  them, ``nil`` as nothing and objects/arrays as JSON with ``'`` for ``"``;
* ``{{ t.key }}`` and ``'t.key'`` translation placeholders are kept (as
  ``{{t.key}}``) for the Novu API to translate;
* string controls holding a JSON object/array are compiled inside and
  re-serialised compactly; in a top-level ``data`` object, JSON-looking
  strings that are not valid JSON get a (small) repair pass.

Resource limits (:class:`LiquidLimits`) protect the server from controls
edited in the Novu Dashboard.  Parsed templates are cached, environments are
shared, and rendering is thread-safe.  Strings made only of text and plain
``{{ a.b.c }}`` outputs over plain data are rendered by a direct lookup that
yields exactly what python-liquid would.  This module does not import Flask.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import re
import threading
from io import StringIO
from itertools import count, islice
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence, TextIO, Tuple, Union

from liquid import BoundTemplate, Environment, Node, RenderContext, Token, TokenStream, Undefined

from ._liquid_internals import (
    Blank,
    BreakLoop,
    ContentNode,
    ContinueLoop,
    EchoNode,
    EchoTag,
    Empty,
    Filter,
    FilteredExpression,
    ForNode,
    ForTag,
    LiquidError,
    LiquidSyntaxError,
    LoopExpression,
    LoopIterationLimitError,
    Nil,
    Output,
    OutputNode,
    OutputStreamLimitError,
    Path,
    ResourceLimitError,
    TableRow,
    TablerowNode,
    TablerowTag,
)

from ._jsnumber import js_number as _js_number
from ._liquid_compare import use_liquidjs_comparisons
from ._liquid_dates import date_filters
from ._liquid_filters import (
    NIL_DROP,
    is_drop,
    js_join,
    js_length,
    js_number_of as _js_to_number,
    js_truthy,
    _to_integer,
    _utf16_units,
    js_string,
    standard_filters,
    stringify,
)
from ._liquid_lex import NestingTooDeep, tokenize
from ._pluralize import pluralize as _pluralize_word
from ._liquid_syntax import liquidjs_error
from ._text import around_surrogates

__all__ = ["ControlCompilationError", "LiquidLimits", "compile_controls"]


class ControlCompilationError(Exception):
    """A control could not be compiled as a Liquid template.

    :param data: JSON-serialisable description of the error, shaped like the
        serialised LiquidJS error of the SDK, e.g. ``{"name": "ParseError"}``.
        ``name`` is one of ``TokenizationError``, ``ParseError``,
        ``RenderError`` and ``LimitError``.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data.get("name", "LiquidError"))
        self.data: dict[str, Any] = data


@dataclass(frozen=True)
class LiquidLimits:
    """Resource limits applied to every rendered control string.

    Exceeding one raises :class:`ControlCompilationError` with the name
    ``LimitError``.
    """

    #: Total loop iterations per step (summed over all loops of all its controls,
    #: items skipped by ``offset`` included).
    max_loop_iterations: int = 10_000
    #: Size of the rendered output (UTF-8 bytes of the JSON-escaped text,
    #: as counted by python-liquid); ``assign``/``capture`` values are
    #: bounded to a few times this, and so is every filter's result and
    #: every structure turned into text (in characters).
    max_output_size: int = 1_000_000
    #: Block nesting depth at parse time and context depth at render time.
    max_context_depth: int = 30
    #: Control strings longer than this (in characters) are rejected.
    max_template_length: int = 200_000
    #: Work done by filters in one step's controls, in characters handled
    #: (the sizes of every filter's inputs and result, and of every
    #: structure turned into text).  Bounds loops of filters over large
    #: values, whose results are thrown away, as well as those that output.
    max_filter_work: int = 20_000_000
    #: Memory the parsed-template cache may retain, in bytes (estimated at
    #: 160 bytes per template character, python-liquid's worst case);
    #: templates larger than this are parsed on every use and not kept.
    max_cache_bytes: int = 32 * 1024 * 1024


_DEFAULT_LIMITS = LiquidLimits()
_NO_ARG: Any = object()


# -- JavaScript value semantics ------------------------------------------------


def _is_nil(value: object) -> bool:
    return value is None or isinstance(value, Undefined)


_INDEX_KEY = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def _js_items(mapping: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    """Mapping items in JavaScript property order (array indices first)."""
    items = [(str(key), value) for key, value in mapping.items()]
    for key, _ in items:
        if key[:1].isdigit():
            break
    else:
        return items  # no array index (they start with a digit): insertion order
    indexed = [kv for kv in items if _INDEX_KEY.match(kv[0]) and int(kv[0]) < 2**32 - 1]
    if not indexed:
        return items
    named = [kv for kv in items if not (_INDEX_KEY.match(kv[0]) and int(kv[0]) < 2**32 - 1)]
    return sorted(indexed, key=lambda kv: int(kv[0])) + named


def _json_indent(spaces: object) -> str:
    """The indent ``JSON.stringify(value, null, spaces)`` would use."""
    if isinstance(spaces, bool) or _is_nil(spaces):
        return ""
    if isinstance(spaces, (int, float)):
        if math.isnan(spaces):
            return ""
        return " " * max(0, min(10, int(spaces)))
    if isinstance(spaces, str):
        return spaces[:10]
    return ""


def _js_json(value: object, indent: str = "", level: int = 0) -> str:
    """Serialise like ``JSON.stringify`` (key order, numbers, indentation)."""
    if is_drop(value):
        return "{}"  # a drop object has no own properties
    if _is_nil(value):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "null"
        return _js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        parts = [
            (json.dumps(k, ensure_ascii=False), _js_json(v, indent, level + 1))
            for k, v in _js_items(value)
            if not isinstance(v, Undefined)  # JSON.stringify leaves undefined out
        ]
        if not parts:
            return "{}"
        if not indent:
            return "{" + ",".join(f"{k}:{v}" for k, v in parts) + "}"
        inner = "\n" + indent * (level + 1)
        body = ("," + inner).join(f"{k}: {v}" for k, v in parts)
        return "{" + inner + body + "\n" + indent * level + "}"
    if isinstance(value, (list, tuple, range)):
        items = [_js_json(item, indent, level + 1) for item in value]
        if not items:
            return "[]"
        if not indent:
            return "[" + ",".join(items) + "]"
        inner = "\n" + indent * (level + 1)
        return "[" + inner + ("," + inner).join(items) + "\n" + indent * level + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _is_structure(value: object) -> bool:
    return not isinstance(value, (str, Undefined)) and isinstance(
        value, (Mapping, list, tuple, range)
    )


def _single_quoted_json(value: object, spaces: object = 0) -> str:
    """The SDK's ``json`` filter: JSON with ``'`` quotes, newlines as ``\\n``."""
    if _is_structure(value):
        text = _js_json(value, _json_indent(spaces))
        return text.replace('"', "'").replace("\n", "\\n")
    return _js_string(value)


def _js_string(value: object) -> str:
    """:func:`js_string`, except that nil becomes the empty string."""
    if _is_nil(value):
        return ""
    return js_string(value)


_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


def _output_text(value: object) -> str:
    """The SDK's output escaper: what ``{{ value }}`` writes into the JSON text."""
    if is_drop(value):
        return "{}"
    if isinstance(value, str):
        return value.translate(_STRING_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    if _is_structure(value):
        return _single_quoted_json(value)
    return _js_string(value)


# -- Novu's extra filters ------------------------------------------------------


def _key_path_value(item: object, key_path: str) -> str:
    """Look ``key_path`` (dotted) up in ``item``, as a display string."""
    current: object = item
    for part in key_path.split("."):
        if isinstance(current, Mapping) and not isinstance(current, Undefined):
            current = current.get(part)
        elif isinstance(current, (list, tuple)) and _INDEX_KEY.match(part):
            index = int(part)
            current = current[index] if index < len(current) else None
        else:
            current = None
    if _is_nil(current):
        return ""
    if isinstance(current, (str, bool, int, float)):
        return js_string(current)
    if _is_structure(current):
        text = _js_json(current)
        return "" if text == "{}" else text
    return ""


def _names(values: Sequence[object], key_path: object) -> list[object]:
    """``key ? values.map(v => typeof v != "object" || !v ? "" : get(v, key)) : values``
    (a ``nil`` argument is LiquidJS's null drop: an object, so truthy)."""
    if key_path is not NIL_DROP and not js_truthy(key_path):
        return list(values)
    names: list[object] = []
    for value in values:
        if not _is_structure(value) or isinstance(value, range):
            names.append("")
        elif isinstance(key_path, str):
            names.append(_key_path_value(value, key_path))
        else:
            raise TypeError("key.split is not a function")  # JavaScript's TypeError: a RenderError
    return names


def _js_argument(value: object, default: object) -> object:
    """A JavaScript parameter's value: its default when ``undefined``."""
    return default if isinstance(value, Undefined) else value


def _js_text(value: object) -> str:
    """JavaScript ``String(value)``; LiquidJS's null drop is ``[object Object]``."""
    return "[object Object]" if value is NIL_DROP else js_string(value)


def _js_count(value: object) -> float:
    """JavaScript ``Number(value)``; the null drop's ``valueOf()`` is ``null``."""
    return _js_to_number(None if value is NIL_DROP else value)


def _js_slice_end(count: int, end: object) -> int:
    """Where ``array.slice(0, end)`` stops."""
    index = _to_integer(None if end is NIL_DROP else end)
    return max(count + index, 0) if index < 0 else min(index, count)


def _js_at_least(value: object, count: int) -> bool:
    """JavaScript ``value >= count``."""
    number = _js_count(value)
    return not math.isnan(number) and number >= count


def _js_rest(count: int, value: object) -> float:
    """JavaScript ``count - value``."""
    return count - _js_count(value)


def _digest(
    values: object,
    max_names: object = 2,
    key_path: object = None,
    separator: object = ", ",
) -> object:
    """``digest``: ``"A, B and 3 others"`` (Novu's filter, with JavaScript's
    reading of odd arguments: ``digest: 'x'`` is ``" and NaN others"``)."""
    if not isinstance(values, (list, tuple)) or not values:
        return ""
    max_names = _js_argument(max_names, 2)
    names = _names(values, _js_argument(key_path, None))
    sep = _js_text(_js_argument(separator, ", "))
    count = len(names)
    if count == 1:
        return names[0]
    if count == 2:
        return f"{js_string(names[0])} and {js_string(names[1])}"
    if _js_at_least(max_names, count):
        return f"{js_join(names[:-1], sep)} and {js_string(names[-1])}"
    rest = _js_rest(count, max_names)
    shown = js_join(names[: _js_slice_end(count, max_names)], sep)
    return f"{shown} and {_js_number(rest)} {'other' if rest == 1 else 'others'}"


def _to_sentence(
    values: object,
    key_path: object = "",
    max_items: object = 2,
    overflow_word: object = "other",
    separator: object = ", ",
    and_word: object = " and ",
    last_and: object = ", and ",
) -> object:
    """``toSentence``: ``"A, B, and 2 others"`` (Novu's filter, with
    JavaScript's reading of odd arguments)."""
    if not isinstance(values, (list, tuple)) or not values:
        return ""
    max_items = _js_argument(max_items, 2)
    names = _names(values, _js_argument(key_path, ""))
    sep, conj, last = (
        _js_text(_js_argument(value, default))
        for value, default in ((separator, ", "), (and_word, " and "), (last_and, ", and "))
    )
    count = len(names)
    if count == 1:
        return names[0]
    if count == 2:
        return f"{js_string(names[0])}{conj}{js_string(names[1])}"
    if _js_at_least(max_items, count):
        return f"{js_join(names[:-1], sep)}{last}{js_string(names[-1])}"
    rest = _js_rest(count, max_items)
    one = isinstance(max_items, (int, float)) and not isinstance(max_items, bool) and max_items == 1
    word = _pluralize_word(_js_argument(overflow_word, "other"), rest)  # TypeError: a RenderError
    shown = js_join(names[: _js_slice_end(count, max_items)], sep)
    return f"{shown}{conj if one else last}{_js_number(rest)} {word}"


def _pluralize(
    value: object,
    singular: object = "",
    plural: object = "",
    show_count: object = "true",
) -> str:
    """``pluralize``: ``"3 items"``; ``show_count`` must be the *string* ``"true"``."""
    if _is_nil(value):
        return ""
    singular, plural = _js_argument(singular, ""), _js_argument(plural, "")
    show_count = _js_argument(show_count, "true")
    count: float
    if isinstance(value, (list, tuple)):
        count = len(value)
    elif isinstance(value, Mapping):
        count = len(value)
    else:
        count = _js_to_number(value)
    if math.isnan(count) or count <= 0:
        return ""
    if plural is NIL_DROP or (plural and not _is_nil(plural)):
        word = _js_string(singular) if count == 1 else _js_text(plural)  # nil: the null drop, truthy
    else:
        word = _pluralize_word(singular, count)  # TypeError: a RenderError
    number = _js_number(int(count) if float(count).is_integer() else count)
    return f"{number} {word}" if show_count == "true" else word


def _number(value: object) -> float:
    """LiquidJS ``toNumber``: ``+value || 0``."""
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            return 0.0
        value = js_join(value, ",")
    elif _is_nil(value) or isinstance(value, Mapping):
        return 0.0
    number = _js_to_number(value)
    return 0.0 if math.isnan(number) else number


def _js_remainder(dividend: float, divisor: float) -> float:
    try:
        return math.fmod(dividend, divisor)
    except ValueError:
        return math.nan


def _js_divide(dividend: float, divisor: float) -> float:
    if divisor == 0:
        if dividend == 0 or math.isnan(dividend):
            return math.nan
        negative = (dividend < 0) != (math.copysign(1.0, divisor) < 0)
        return -math.inf if negative else math.inf
    return dividend / divisor


def _js_round_half_up(value: float) -> float:
    return math.floor(value + 0.5) if math.isfinite(value) else value


def _shift_decimal(value: float, exponent: float) -> float:
    """LiquidJS ``shiftDecimal``: ``Number(`${mantissa}e${power + exponent}`)``
    (``NaN`` when ``exponent`` is not a whole number)."""
    mantissa, _, power = _js_number(value).partition("e")
    return _js_to_number(f"{mantissa}e{_js_number(int(power or 0) + exponent)}")


def _round(value: object, digits: object = 0) -> float:
    number, places = _number(value), _number(digits)
    scaled = _shift_decimal(abs(number), places)
    if not scaled <= 2**53 - 1:
        return number
    rounded = _shift_decimal(_js_round_half_up(scaled), -places)
    return -rounded if number < 0 else rounded


#: A filter argument that was not given (JavaScript ``undefined``, which the
#: math filters do not coerce: ``5 | plus`` is ``5 + undefined``, ``NaN``).
_ABSENT: Any = object()


def _operand(value: object) -> float:
    return math.nan if value is _ABSENT else _number(value)


def _divided_by(value: object, divisor: object = _ABSENT, integer: object = False) -> float:
    quotient = _js_divide(_number(value), _operand(divisor))
    return float(math.floor(quotient)) if _number(integer) and math.isfinite(quotient) else quotient


def _modulo(value: object, divisor: object = _ABSENT) -> float:
    number, base = _number(value), _operand(divisor)
    return _js_remainder(_js_remainder(number, base) + base, base)


#: LiquidJS math filters: JavaScript doubles, arguments coerced with ``toNumber``.
_MATH_FILTERS: dict[str, Callable[..., object]] = {
    "plus": lambda v, a=_ABSENT: _number(v) + _operand(a),
    "minus": lambda v, a=_ABSENT: _number(v) - _operand(a),
    "times": lambda v, a=_ABSENT: _number(v) * _operand(a),
    "divided_by": _divided_by,
    "modulo": _modulo,
    "abs": lambda v: abs(_number(v)),
    "ceil": lambda v: float(math.ceil(n)) if math.isfinite(n := _number(v)) else n,
    "floor": lambda v: float(math.floor(n)) if math.isfinite(n := _number(v)) else n,
    "at_least": lambda v, *a: max([_number(v), *map(_number, a)]),
    "at_most": lambda v, *a: min([_number(v), *map(_number, a)]),
    "round": _round,
}


# -- the Liquid engine ---------------------------------------------------------


def _write_output(value: object, context: RenderContext, buffer: TextIO, raw: bool = False) -> int:
    _check_size(value, context)
    if _is_structure(value):
        _charge_text(value, context)
        if raw:
            # ``raw`` skips the SDK's escaper: LiquidJS writes ``stringify(value)``
            # (an array's items concatenated, an object ``[object Object]``).
            value = stringify(value)
    return buffer.write(_output_text(value))


def _ends_raw(expression: object) -> bool:
    """Whether an output's last filter is ``raw``."""
    filters = getattr(expression, "filters", None)
    return bool(filters) and filters[-1].name == "raw"  # type: ignore[index]


class _NovuOutputNode(OutputNode):
    """``{{ ... }}`` with the SDK's output escaping.

    A bare ``nil``, ``empty`` or ``blank`` literal is a LiquidJS drop object,
    which the SDK's escaper writes as ``{}``.
    """

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        expression = self.expression
        if (
            type(expression) is FilteredExpression
            and not expression.filters
            and type(expression.left) in _DROP_LITERALS
        ):
            return buffer.write("{}")
        return _write_output(expression.evaluate(context), context, buffer, _ends_raw(expression))


_DROP_LITERALS = (Nil, Empty, Blank)


class _NovuEchoNode(EchoNode):
    """``{% echo ... %}`` with the SDK's output escaping."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        expression = self.expression
        return _write_output(expression.evaluate(context), context, buffer, _ends_raw(expression))


class _NovuOutput(Output):
    node_class = _NovuOutputNode


class _NovuEcho(EchoTag):
    node_class = _NovuEchoNode


class _CountedLoopExpression(LoopExpression):
    """A ``for``/``tablerow`` header whose skipped items count as loop work.

    python-liquid skips ``offset`` items one by one and counts only the items
    it yields: ``offset: 499999999`` over a huge range costs seconds.  Here
    the skipped items are charged to the render's loop iteration budget
    before anything is skipped, and a ``reversed`` slice is checked against
    the budget before it is materialised.
    """

    __slots__ = ()

    def _slice(
        self,
        it: Iterator[object],
        length: int,
        context: RenderContext,
        *,
        limit: int | None,
        offset: int | str | None,
    ) -> tuple[Iterator[object], int]:
        key = f"{self.identifier}-{self.iterable}"
        start = context.stopindex(key) if offset == "continue" else int(offset or 0)
        # JavaScript slice semantics: negative offsets and limits count from the end.
        start = min(max(length + start, 0) if start < 0 else start, length)
        count = length - start
        if limit is not None:
            count = min(limit if limit >= 0 else max(count + limit, 0), count)
        assert isinstance(context, _LimitedContext)
        context.budget.charge_iterations(start, count)
        context.loop_total = length
        context.stopindex(key=key, index=start + count)
        sliced = islice(it, start, start + count)
        if self.reversed:
            return reversed(list(sliced)), count
        return sliced, count


def _counted(expression: LoopExpression) -> _CountedLoopExpression:
    return _CountedLoopExpression(
        expression.token,
        expression.identifier,
        expression.iterable,
        limit=expression.limit,
        offset=expression.offset,
        reversed_=expression.reversed,
        cols=expression.cols,
    )


class _ForNode(ForNode):
    """``for`` as LiquidJS runs it: ``else`` only for an empty collection.

    python-liquid also renders ``else`` when ``offset``/``limit`` leave
    nothing to iterate; LiquidJS then renders nothing.
    """

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        default = self.default
        assert isinstance(context, _LimitedContext)
        context.loop_total = 0
        if default is not None:
            self.default = None
        try:
            written = super().render_to_output(context, buffer)
        finally:
            self.default = default
        if written == 0 and default is not None and not context.loop_total:
            return default.render(context, buffer)
        return written


class _TablerowNode(TablerowNode):
    """``tablerow`` with LiquidJS's markup (no newlines between rows)."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        name = self.expression.identifier
        loop_iter, length = self.expression.evaluate(context)
        if not length:
            return 0
        cols = self._int_or_zero(self.expression.cols.evaluate(context)) if self.expression.cols else 0
        tablerow = TableRow(name, loop_iter, length, cols or length)
        namespace: dict[str, object] = {"tablerowloop": tablerow}
        with context.loop(namespace, tablerow):
            for item in tablerow:
                namespace[name] = item
                if tablerow.col0 == 0:
                    if tablerow.row != 1:
                        buffer.write("</tr>")
                    buffer.write(f'<tr class="row{tablerow.row}">')
                buffer.write(f'<td class="col{tablerow.col}">')
                try:
                    self.block.render(context=context, buffer=buffer)
                except BreakLoop:
                    buffer.write("</td>")
                    break
                except ContinueLoop:
                    pass
                buffer.write("</td>")
        buffer.write("</tr>")
        return 1


class _CountedFor(ForTag):
    def parse(self, stream: TokenStream) -> Node:
        node = super().parse(stream)
        assert isinstance(node, ForNode)
        return _ForNode(node.token, _counted(node.expression), node.block, node.default)


class _CountedTablerow(TablerowTag):
    def parse(self, stream: TokenStream) -> TablerowNode:
        node = super().parse(stream)
        return _TablerowNode(node.token, _counted(node.expression), node.block)


def _check_size(value: object, context: RenderContext) -> None:
    """Reject ranges/sequences longer than the loop iteration limit."""
    _check_length(value, context.env.loop_iteration_limit)


def _check_length(value: object, limit: int | None) -> None:
    if limit and isinstance(value, (range, list, tuple)) and len(value) > limit:
        raise LoopIterationLimitError("iterable too large", token=None)


def _charge_text(value: object, context: RenderContext) -> None:
    """Charge the text size of a structure before it is turned into text."""
    assert isinstance(context, _LimitedContext)
    context.budget.check_text(value)


def _bounded_text_size(value: object, budget: int, charge: _Budget | None) -> int:
    """An upper bound of the text ``value`` becomes (JSON or ``String()``).

    Walks at most ``budget`` nodes (every node counts at least one
    character), so shared references and deep structures cannot make the
    walk itself expensive.

    :raises OutputStreamLimitError: if the text would exceed ``budget``.
    """
    size = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item) + 2
        elif isinstance(item, Mapping):
            size += 2
            for key, inner in item.items():
                size += len(str(key)) + 4
                stack.append(inner)
        elif isinstance(item, (list, tuple)):
            size += 2 + len(item)
            stack.extend(item)
        elif isinstance(item, range):
            size += 2 + len(item) * (len(str(item.stop)) + 1)
        else:
            size += 24
        if size > budget:
            raise OutputStreamLimitError("text size limit reached", token=None)
    if charge is not None:
        charge.charge_work(size)
    return size


#: Filters that work on arrays without turning them into text.
_ARRAY_FILTERS = frozenset(
    "compact concat first last map pop push reverse shift size slice sort sort_natural "
    "sum uniq unshift where reject group_by find find_index has where_exp reject_exp "
    "group_by_exp find_exp find_index_exp has_exp sample default digest toSentence "
    "pluralize".split()
)


def _replace_size(text: object, old: object, new: object) -> int:
    """The size of ``text`` with every ``old`` replaced by ``new`` (an upper bound)."""
    source, pattern, replacement = (_js_string(x) if not _is_structure(x) else "" for x in (text, old, new))
    count = source.count(pattern) if pattern else len(source) + 1
    return len(source) + count * len(replacement)


def _join_size(items: object, separator: object, budget: _Budget) -> int:
    if not isinstance(items, (list, tuple, range)):
        return 0
    sep = 1 if separator is _NO_ARG or _is_nil(separator) else len(_js_string(separator))
    return _bounded_text_size(items, budget.text_limit, budget) + sep * len(items)


class _Budget:
    """Loop and filter work done so far, against the limits.

    One budget covers all the strings of a step's controls (the SDK renders
    them as one template), on the fast path and in python-liquid alike.
    """

    __slots__ = ("iterations", "work", "loop_limit", "work_limit", "text_limit")

    def __init__(self, env: Environment) -> None:
        self.iterations = 0
        self.work = 0
        self.loop_limit: int | None = env.loop_iteration_limit
        self.work_limit: int | None = getattr(env, "filter_work_limit", None)
        limit = env.output_stream_limit
        self.text_limit: int = limit if limit is not None else 2**62

    def charge_iterations(self, skipped: int, iterated: int) -> None:
        """Count ``skipped`` items now; refuse a loop that cannot fit the budget."""
        self.iterations += skipped
        if self.loop_limit and self.iterations + iterated > self.loop_limit:
            raise LoopIterationLimitError("loop iteration limit reached", token=None)

    def charge_work(self, amount: int) -> None:
        self.work += amount
        if self.work_limit is not None and self.work > self.work_limit:
            raise OutputStreamLimitError("filter work limit reached", token=None)

    def check_text(self, value: object) -> None:
        """Charge the text size of a structure before it becomes text."""
        _bounded_text_size(value, self.text_limit, self)

    def apply_filter(
        self, name: str, func: Callable[..., object], left: object, args: tuple[object, ...],
        kwargs: Mapping[str, object],
    ) -> object:
        """Call a filter with its inputs and result bounded and charged."""
        budget = self.text_limit
        stringifies = name not in _ARRAY_FILTERS
        work = 1
        for value in (left, *args, *kwargs.values()):
            _check_length(value, self.loop_limit)
            if isinstance(value, str):
                work += len(value)
            elif _is_structure(value):
                if stringifies:
                    self.check_text(value)
                else:
                    work += len(value)  # type: ignore[arg-type]
        # A range is an array to LiquidJS's filters (its length is bounded above).
        if isinstance(left, range):
            left = list(left)
        if any(isinstance(arg, range) for arg in args):
            args = tuple(list(arg) if isinstance(arg, range) else arg for arg in args)
        size = 0
        if name == "replace" and args:
            size = _replace_size(left, args[0], args[1] if len(args) > 1 else "")
        elif name == "join":
            size = _join_size(left, args[0] if args else _NO_ARG, self)
        if size > budget:
            raise OutputStreamLimitError("filter result too large", token=None)
        self.charge_work(work)
        if is_drop(left):
            if name in _DROP_AS_JSON:
                return "{}"
            if name in _DROP_PASSED_ON:
                return left
            left = None if left is NIL_DROP else ""  # toValue(drop)
        if name not in _KEEPS_DROP_ARGUMENTS and any(arg is NIL_DROP for arg in args):
            args = tuple(None if arg is NIL_DROP else arg for arg in args)
        if kwargs:
            # LiquidJS passes "key: value" arguments on as [key, value] pairs
            args = (*args, *([key, value] for key, value in kwargs.items()))
            kwargs = {}
        if name in _EXACTLY_ONE_ARGUMENT and len(args) != 1:
            raise ValueError(f"{name} expect 2 arguments")  # LiquidJS asserts it: a RenderError
        capacity = _positional_capacity(func)
        if capacity is not None and len(args) > capacity:
            args = args[:capacity]  # JavaScript ignores surplus arguments
        result = func(left, *args, **kwargs)
        if isinstance(result, str):
            if len(result) > budget:
                raise OutputStreamLimitError("filter result too large", token=None)
            self.charge_work(len(result))
        elif isinstance(result, (list, tuple)):
            _check_length(result, budget)
            self.charge_work(len(result))
        return result


#: Filters LiquidJS calls only with exactly one argument (it asserts so).
_EXACTLY_ONE_ARGUMENT = frozenset({"append", "prepend"})
#: Filters that ``JSON.stringify`` a drop input (``{{ empty | json }}`` is ``{}``).
_DROP_AS_JSON = frozenset({"json", "jsonify", "inspect"})
#: Filters that answer a drop input unchanged (not a date; no text to cut).
_DROP_PASSED_ON = frozenset(
    {"date", "date_to_xmlschema", "date_to_rfc822", "date_to_string", "date_to_long_string", "truncate"}
)
#: Filters that keep a ``nil`` argument as the drop: ``push: nil`` adds ``{}``;
#: to ``sort``, ``sum`` and ``strip`` the drop is a truthy property or
#: character set with an empty name (``strip: nil`` strips nothing); to
#: ``digest``, ``toSentence`` and ``pluralize`` an object (truthy, written
#: ``[object Object]``).
_KEEPS_DROP_ARGUMENTS = frozenset(
    {"push", "unshift", "default", "sort", "sort_natural", "sum", "lstrip", "rstrip", "strip", "digest", "toSentence",
     "pluralize"}
)


@functools.lru_cache(maxsize=512)
def _positional_capacity(func: Callable[..., object]) -> int | None:
    """How many arguments after the input ``func`` takes (``None``: any number)."""
    try:
        parameters = list(inspect.signature(func).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    count = 0
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _utf8_size(text: str) -> int:
    """UTF-8 bytes of ``text``, a lone surrogate counted as Node writes it (3)."""
    return len(text.encode("utf-8", "surrogatepass"))


class _LimitedOutput(StringIO):
    """python-liquid's limited output stream, able to count lone surrogates
    (``{{ '🎉' | first }}`` is half of an emoji, as in JavaScript)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, text: str) -> int:
        if text:
            self.size += len(text) if text.isascii() else _utf8_size(text)
            if self.size > self.limit:
                raise OutputStreamLimitError("output stream limit reached", token=None)
        return super().write(text)


class _LimitedContext(RenderContext):
    """Render context that bounds loop work, filter results and text sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget(self.env)
        #: Length of the last loop's collection before ``offset``/``limit``.
        self.loop_total = 0

    def charge_iterations(self, skipped: int, iterated: int) -> None:
        self.budget.charge_iterations(skipped, iterated)

    def get_item(self, obj: Any, key: Any) -> Any:
        """Property lookups as LiquidJS reads them (``readProperty``).

        ``.size`` and ``.length`` of a string count UTF-16 code units;
        ``.first``/``.last`` exist on arrays only; objects answer their own
        keys, and ``.size`` their key count.
        """
        if key in ("size", "first", "last", "length") and not isinstance(obj, (list, tuple, range)):
            if isinstance(obj, Mapping) and not isinstance(obj, Undefined):
                if key in obj:
                    return obj[key]
                if key == "size":
                    return len(obj)
                raise KeyError(key)
            if isinstance(obj, str):
                if key in ("size", "length"):
                    return js_length(obj)
                raise KeyError(key)
        if key == "length" and isinstance(obj, (list, tuple, range)):
            return len(obj)
        if isinstance(obj, str) and isinstance(key, int) and not isinstance(key, bool):
            # ``s[0]``: a string's own index properties are its UTF-16 units.
            units = obj if obj.isascii() else _utf16_units(obj)
            if 0 <= key < len(units):
                return units[key]
            raise KeyError(key)
        return super().get_item(obj, key)

    def get_buffer(self, buf: TextIO | None = None) -> StringIO:
        limit = self.env.output_stream_limit
        if limit is None:
            return StringIO()
        return _LimitedOutput(limit - (buf.size if isinstance(buf, _LimitedOutput) else 0))

    def raise_for_loop_limit(self, length: int = 1) -> None:
        self.budget.charge_iterations(length, 0)
        super().raise_for_loop_limit(length)

    def filter(self, name: str, token: Token | None) -> Callable[..., object]:  # noqa: A003
        func = super().filter(name, token)
        budget = self.budget

        def guarded(left: object, *args: object, **kwargs: object) -> object:
            return budget.apply_filter(name, func, left, args, kwargs)

        return guarded


class _LimitedTemplate(BoundTemplate):
    context_class = _LimitedContext


@functools.lru_cache(maxsize=16)
def _environment(limits: LiquidLimits) -> Environment:
    """One shared, configured :class:`liquid.Environment` per limits value."""
    env_class = type(
        "NovuLiquidEnvironment",
        (Environment,),
        {
            "template_class": _LimitedTemplate,
            "loop_iteration_limit": limits.max_loop_iterations,
            "output_stream_limit": limits.max_output_size,
            "local_namespace_limit": 4 * limits.max_output_size + 4096,
            "context_depth_limit": limits.max_context_depth,
            "block_nesting_limit": limits.max_context_depth,
            # LiquidJS's "not"; conditions come grouped as LiquidJS groups
            # them (flask_novu._liquid_syntax.condition_source).
            "logical_not_operator": True,
            "logical_parentheses": True,
            "filter_work_limit": limits.max_filter_work,
        },
    )
    env: Environment = env_class(strict_filters=False)
    nesting = limits.max_context_depth
    env.tokenizer = lambda: functools.partial(tokenize, nesting_limit=nesting)  # type: ignore[method-assign]
    env.add_tag(_NovuOutput)
    env.add_tag(_NovuEcho)
    env.add_tag(_CountedFor)
    env.add_tag(_CountedTablerow)
    env.filters.clear()  # only LiquidJS's filters exist; unknown ones return their input
    for name, func in {**standard_filters(_js_json), **date_filters()}.items():
        env.add_filter(name, func)
    for name, func in _MATH_FILTERS.items():
        env.add_filter(name, func)
    env.add_filter("json", _single_quoted_json)
    env.add_filter("digest", _digest)
    env.add_filter("toSentence", _to_sentence)
    env.add_filter("pluralize", _pluralize)
    return env


def _parse(source: str, limits: LiquidLimits) -> BoundTemplate:
    """Parse ``source``; raises :class:`ControlCompilationError`.

    Whether the template is valid, and the error name if not, is LiquidJS's
    answer (:func:`liquidjs_error`); python-liquid then parses what it accepts.
    """
    name = liquidjs_error(source, limits.max_context_depth)
    if name is not None:
        raise _error(name)
    try:
        return _environment(limits).from_string(source)
    except (ResourceLimitError, NestingTooDeep) as err:
        raise _error("LimitError") from err
    except LiquidSyntaxError as err:
        raise _error(_syntax_error_name(err)) from err
    except (LiquidError, RecursionError) as err:
        raise _error("TokenizationError") from err


def _syntax_error_name(err: LiquidSyntaxError) -> str:
    """Map a python-liquid syntax error onto the LiquidJS error class name.

    LiquidJS reports unknown/unbalanced tags and bad ``for``/``tablerow``
    headers as ``ParseError``, everything lexical as ``TokenizationError``.
    """
    message = str(err.message)
    if message.startswith(("unexpected tag", "expected tag end")) or "never closed" in message:
        return "TokenizationError" if "'raw'" in message else "ParseError"
    token = err.token
    if token is not None and token.value in ("for", "tablerow"):
        return "ParseError"
    return "TokenizationError"


def _error(name: str) -> ControlCompilationError:
    return ControlCompilationError({"name": name})


# -- compiling controls --------------------------------------------------------

_T_OUTPUT = re.compile(
    r"\{\{[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*t\.([\w.-]+)"
    r"[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*\}\}"
)
_T_ARGUMENT = re.compile(r"'t\.([\w.-]+)'")
_T_MARKER = re.compile(r"\[T:([\w.-]+)\]")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(text: str) -> str:
    """Decode the JSON string escapes of rendered text (lenient, like jsonrepair)."""
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    decoded = _ESCAPE.sub(replace, text)
    if any("\ud800" <= ch <= "\udfff" for ch in decoded):
        # surrogate pairs written as two escapes join; a lone one stays, as in JSON.parse
        decoded = decoded.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    return decoded


def _restore_translations(text: str) -> str:
    return _T_MARKER.sub(r"{{t.\1}}", text) if "[T:" in text else text


class _Filtered(NamedTuple):
    """A ``{{ a.b.c | f | g }}`` output of a fast-path plan."""

    segments: Tuple[str, ...]
    #: The filters' names and functions, applied in order (argument-less,
    #: context-free).
    filters: Tuple[Tuple[str, Callable[[Any], Any]], ...]


#: A fast-path plan: template text, the segments of a ``{{ a.b.c }}`` path,
#: or a filtered path.
_Plan = Tuple[Union[str, Tuple[str, ...], _Filtered], ...]
#: Path segments python-liquid resolves specially (``.size``, ``.first``, ...).
_SPECIAL_SEGMENTS = frozenset({"size", "first", "last"})
#: Types on which a string subscript raises ``TypeError`` (python-liquid then
#: yields ``Undefined``).
_NOT_SUBSCRIPTABLE_BY_NAME = frozenset({str, int, float, bool, list, tuple, type(None)})
#: Marks a value the fast path leaves to python-liquid.
_UNKNOWN: Any = object()


@dataclass(frozen=True)
class _Prepared:
    """A control string ready to render (cached per string and limits)."""

    template: BoundTemplate
    #: Set if the template is only text and plain ``{{ a.b.c }}`` outputs.
    plan: _Plan | None
    loop_limit: int | None
    output_limit: int | None


@functools.lru_cache(maxsize=16)
def _fast_path_allowed(limits: LiquidLimits) -> bool:
    """Whether a top-level render passes python-liquid's context depth check."""
    try:
        _environment(limits).from_string("").render()
    except LiquidError:
        return False
    return True


def _plain_filters(
    filters: list[Filter] | None, env: Environment
) -> tuple[tuple[str, Callable[[Any], Any]], ...] | None:
    """The functions of argument-less filters that need neither the render
    context nor the environment, or ``None`` if some filter is not one."""
    functions = []
    for item in filters or ():
        func = env.filters.get(item.name)
        if (
            func is None  # unknown: python-liquid decides
            or item.name == "raw"  # written without the SDK's escaper
            or item.args
            or getattr(func, "with_context", False)
            or getattr(func, "with_environment", False)
        ):
            return None
        functions.append((item.name, func))
    return tuple(functions)


def _make_plan(template: BoundTemplate) -> _Plan | None:
    """The fast-path plan of ``template``, or ``None`` if it needs python-liquid."""
    items: list[str | tuple[str, ...] | _Filtered] = []
    for node in template.nodes:
        if type(node) is ContentNode:
            items.append(node.text)
            continue
        if type(node) is not _NovuOutputNode:
            return None
        expression = node.expression
        if type(expression) is not FilteredExpression:
            return None
        filters = _plain_filters(expression.filters, template.env)
        path = expression.left
        if filters is None or type(path) is not Path:
            return None
        segments = path.path
        if not all(type(segment) is str for segment in segments):
            return None
        if any(segment in _SPECIAL_SEGMENTS for segment in segments[1:]):
            return None
        key = tuple(segments)
        items.append(_Filtered(key, filters) if filters else key)  # type: ignore[arg-type]
    return tuple(items)


#: Estimated bytes a parsed template retains per source character
#: (python-liquid's densest shapes, such as ``{{a}}{{a}}...``, measured).
_CACHE_BYTES_PER_CHAR = 160
_CACHE_ENTRY_BYTES = 1024


#: Template cache keys: the control string and the token of its limits.
_CacheKey = Tuple[str, int]


class _TemplateCache:
    """A least-recently-used cache of prepared templates, bounded in bytes."""

    def __init__(self) -> None:
        self._entries: OrderedDict[_CacheKey, tuple[_Prepared, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def retained_bytes(self) -> int:
        """The estimated bytes the cached templates retain."""
        return self._bytes

    def get(self, key: _CacheKey) -> _Prepared | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: _CacheKey, prepared: _Prepared, budget: int) -> None:
        cost = _CACHE_ENTRY_BYTES + _CACHE_BYTES_PER_CHAR * len(key[0])
        if cost > budget:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (prepared, cost)
            self._bytes += cost
            while self._bytes > budget:
                _, (_, freed) = self._entries.popitem(last=False)
                self._bytes -= freed

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_CACHE = _TemplateCache()
_LIMITS_TOKENS: dict[LiquidLimits, int] = {}
#: The same by object (``id``, the object kept alive with its token).
_TOKENS_BY_ID: dict[int, tuple[LiquidLimits, int, Environment]] = {}
_NEXT_TOKEN = count()
_LIMITS_TOKENS_BOUND = 64


def _limits_entry(limits: LiquidLimits) -> tuple[LiquidLimits, int, Environment]:
    """``limits`` with a small integer that stands for it (equal limits, equal
    token) in template cache keys, and its environment; found by the
    object's identity first, so a lookup hashes no dataclass.  Tokens are
    never reused: when more than a few limits values were seen, the tables
    start afresh and older cache entries age out unused."""
    entry = _TOKENS_BY_ID.get(id(limits))
    if entry is not None and entry[0] is limits:
        return entry
    if len(_TOKENS_BY_ID) >= _LIMITS_TOKENS_BOUND:
        _TOKENS_BY_ID.clear()  # equal limits keep their token
    if len(_LIMITS_TOKENS) >= _LIMITS_TOKENS_BOUND:
        _LIMITS_TOKENS.clear()
    token = _LIMITS_TOKENS.setdefault(limits, next(_NEXT_TOKEN))
    entry = (limits, token, _environment(limits))
    _TOKENS_BY_ID[id(limits)] = entry
    return entry


def _limits_token(limits: LiquidLimits) -> int:
    return _limits_entry(limits)[1]


def _prepare(value: str, limits: LiquidLimits) -> _Prepared:
    """Escape, parse and plan a control string, through the template cache.

    :raises ControlCompilationError: if the string is not a valid template.
    """
    key = (value, _limits_token(limits))
    prepared = _CACHE.get(key)
    if prepared is None:
        prepared = _prepare_uncached(value, limits)
        _CACHE.put(key, prepared, limits.max_cache_bytes)
    return prepared


_prepare.cache_clear = _CACHE.cache_clear  # type: ignore[attr-defined]


def _template_source(value: str) -> str:
    """The Liquid source of a control string: JSON-escaped, translations marked."""
    source = json.dumps(value, ensure_ascii=False)[1:-1]
    return _T_ARGUMENT.sub(r"'[T:\1]'", _T_OUTPUT.sub(r"[T:\1]", source))


def _check_tokens(value: str, limits: LiquidLimits) -> None:
    """Tokenize a control string; raises :class:`ControlCompilationError`."""
    try:
        for _ in tokenize(_template_source(value), limits.max_context_depth):
            pass
    except NestingTooDeep as err:
        raise _error("LimitError") from err
    except LiquidSyntaxError as err:
        raise _error(_syntax_error_name(err)) from err


def _prepare_uncached(value: str, limits: LiquidLimits) -> _Prepared:
    template = _parse(_template_source(value), limits)
    use_liquidjs_comparisons(template, _LimitedContext(template))
    env = template.env
    plan = _make_plan(template) if _fast_path_allowed(limits) else None
    return _Prepared(template, plan, env.loop_iteration_limit, env.output_stream_limit)


def _lookup(context: Mapping[str, Any], segments: tuple[str, ...]) -> Any:
    """Resolve a path like python-liquid would, for plain data only.

    :return: the value, ``None`` for an undefined path (it renders as nothing,
        like ``Undefined``), or ``_UNKNOWN`` when python-liquid must decide.
    """
    root = segments[0]
    if root == "partial" or root not in context:
        return _UNKNOWN  # the render namespace, globals and built-ins
    value = context[root]
    for segment in segments[1:]:
        if type(value) is dict:
            if segment not in value:
                return None
            value = value[segment]
        elif type(value) in _NOT_SUBSCRIPTABLE_BY_NAME:
            return None
        else:
            return _UNKNOWN
    return value


def _render_plan(prepared: _Prepared, context: Mapping[str, Any], budget: _Budget) -> str | None:
    """Render a fast-path plan as python-liquid would, or ``None`` to defer to it.

    Mirrors the output node (size check, the SDK's escaping), the filter
    budget and the output stream limit (UTF-8 bytes written, counted as each
    piece is written).
    """
    plan = prepared.plan
    assert plan is not None
    loop_limit, output_limit = prepared.loop_limit, prepared.output_limit
    pieces: list[str] = []
    size = 0
    work = budget.work
    for item in plan:
        if type(item) is str:
            text = item
        else:
            filtered = type(item) is _Filtered
            value = _lookup(context, item.segments if filtered else item)  # type: ignore[union-attr,arg-type]
            if value is _UNKNOWN or (filtered and value is None):
                budget.work = work
                return None  # python-liquid decides (it filters an ``Undefined``)
            if filtered:
                try:
                    for name, func in item.filters:  # type: ignore[union-attr]
                        value = budget.apply_filter(name, func, value, (), {})
                except Exception:  # noqa: BLE001 - python-liquid reports it its way
                    budget.work = work
                    return None
            _check_length(value, loop_limit)
            if _is_structure(value):
                budget.check_text(value)
            text = _output_text(value)
        if output_limit is not None and text:
            size += len(text) if text.isascii() else _utf8_size(text)
            if size > output_limit:
                raise OutputStreamLimitError("output stream limit reached", token=None)
        pieces.append(text)
    return "".join(pieces)


class _StepRender:
    """Renders the strings of one step's controls with one shared scope.

    The SDK renders the whole controls object as one template, so a
    variable assigned (``assign``, ``capture``, ``increment``) in one string
    is seen by the strings after it, and the limits are per step.
    """

    def __init__(self, context: Mapping[str, Any], limits: LiquidLimits) -> None:
        self.globals = context
        self.limits = limits
        self.env = _limits_entry(limits)[2]
        self.budget = _Budget(self.env)
        self._context: _LimitedContext | None = None
        #: The templates of these controls, prepared before any renders.
        self.prepared: dict[str, _Prepared] = {}

    def _render_context(self, template: BoundTemplate) -> _LimitedContext:
        if self._context is None:
            context = _LimitedContext(template, globals=template.make_globals(self.globals))
            context.budget = self.budget
            self._context = context
        return self._context

    def _plain_scope(self) -> bool:
        """Whether no variable shadows the render data yet (the fast path's premise)."""
        return self._context is None or not self._context.locals

    def render(self, value: str) -> str:
        """Render one control string; raises :class:`ControlCompilationError`."""
        if "{{" not in value and "{%" not in value:
            return _restore_translations(value)
        if len(value) > self.limits.max_template_length:
            raise _error("LimitError")
        prepared = self.prepared.get(value) or _prepare(value, self.limits)
        try:
            rendered = None
            if prepared.plan is not None and type(self.globals) is dict and self._plain_scope():
                rendered = _render_plan(prepared, self.globals, self.budget)
            if rendered is None:
                template = prepared.template
                context = self._render_context(template)
                buffer = context.get_buffer()
                try:
                    template.render_with_context(context, buffer)
                except LiquidSyntaxError as err:
                    # python-liquid's answer to a break/continue outside any loop.
                    if str(err.message) not in _INTERRUPTED:
                        raise
                    raise _Stopped(_unescape(_restore_translations(buffer.getvalue()))) from None
                rendered = buffer.getvalue()
        except ResourceLimitError as err:
            raise _error("LimitError") from err
        except UnicodeEncodeError:
            # A lone surrogate in the data: the caller renders again around it.
            raise
        except (LiquidError, RecursionError, ArithmeticError, TypeError, ValueError) as err:
            raise _error("RenderError") from err
        except MemoryError as err:  # pragma: no cover - depends on the host
            raise _error("LimitError") from err
        return _unescape(_restore_translations(rendered))


_INTERRUPTED = ("unexpected 'break'", "unexpected 'continue'")


class _Stopped(Exception):
    """A ``break`` or ``continue`` outside any loop.

    LiquidJS then stops rendering the whole template, which for the SDK is
    the whole controls text: the controls after it are left out (the SDK's
    JSON repair closes what was open).  ``partial`` is what was compiled.
    """

    def __init__(self, partial: Any) -> None:
        super().__init__("stopped")
        self.partial = partial


def _looks_like_json(value: str) -> bool:
    text = value.strip()
    return len(text) > 2 and (
        (text[0] == "{" and text[-1] == "}") or (text[0] == "[" and text[-1] == "]")
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _parse_json(value: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(value, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return False, None


def _template_strings(value: Any, found: list[str] | None = None) -> list[str]:
    """The strings :func:`_compile` renders, in the same (serialisation) order."""
    if found is None:
        found = []
    if isinstance(value, str):
        if _looks_like_json(value):
            ok, parsed = _parse_json(value)
            if ok:
                return _template_strings(parsed, found)
        found.append(value)
    elif isinstance(value, dict):
        for _, item in _js_items(value):
            _template_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _template_strings(item, found)
    return found


def _compile(value: Any, step: _StepRender) -> Any:
    """Compile ``value`` in the SDK's serialisation order (JavaScript key order)."""
    if isinstance(value, str):
        if _looks_like_json(value):
            ok, parsed = _parse_json(value)
            if ok:
                return _js_json(_compile(parsed, step))
        return step.render(value)
    if isinstance(value, dict):
        compiled: dict[str, Any] = {}
        try:
            for key, item in _js_items(value):
                compiled[key] = _compile(item, step)
        except _Stopped as stop:
            compiled[key] = stop.partial
            raise _Stopped({k: compiled[str(k)] for k in value if str(k) in compiled}) from None
        return {key: compiled[str(key)] for key in value}
    if isinstance(value, list):
        items: list[Any] = []
        try:
            for item in value:
                items.append(_compile(item, step))
        except _Stopped as stop:
            raise _Stopped([*items, stop.partial]) from None
        return items
    return value


_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL)


def _repair_json_text(text: str) -> str:
    """Turn single-quoted JSON (``{'a':1}``) into JSON; else return ``text``."""
    ok, _ = _parse_json(text)
    if ok:
        return text

    def requote(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner is None:
            return match.group(0)
        return json.dumps(inner.replace("\\'", "'"), ensure_ascii=False)

    repaired = _SINGLE_QUOTED.sub(requote, text)
    return repaired if _parse_json(repaired)[0] else text


def _repair_data(data: dict[str, Any]) -> dict[str, Any]:
    repaired: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and _looks_like_json(value):
            repaired[key] = _repair_json_text(value)
        elif isinstance(value, dict):
            repaired[key] = _repair_data(value)
        else:
            repaired[key] = value
    return repaired


def compile_controls(
    controls: dict[str, Any],
    context: dict[str, Any],
    limits: LiquidLimits | None = None,
) -> dict[str, Any]:
    """Render every string leaf of ``controls`` as a Liquid template.

    :param controls: the validated step controls; not modified.
    :param context: the render variables (``workflow``, ``payload``,
        ``subscriber``, ``actor``, ``context``, ``steps``, ``env``).
    :param limits: resource limits; :class:`LiquidLimits` defaults if omitted.
    :returns: a new structure with the compiled strings; non-string leaves
        are kept as they are.
    :raises ControlCompilationError: on a template syntax, render or limit
        error.

    Lone surrogates in ``controls`` or ``context`` (truncated emoji), which
    python-liquid's output stream cannot encode, are rendered through
    placeholders and come out as they went in.
    """
    try:
        return around_surrogates(lambda pair: _compile_all(*pair), (controls, context, limits))  # type: ignore[no-any-return]
    except UnicodeError as err:
        # a surrogate made while rendering, which a filter could not encode
        raise _error("RenderError") from err


def _compile_all(controls: dict[str, Any], context: dict[str, Any], limits: LiquidLimits | None) -> dict[str, Any]:
    step = _StepRender(context, limits or _DEFAULT_LIMITS)
    # The SDK tokenizes, then parses, the whole controls text before it
    # renders any of it: a syntax error anywhere wins over a render error.
    # One cache look-up per template: a cached one was tokenized and parsed
    # without error before.
    limits = step.limits
    token = _limits_token(limits)
    prepared = step.prepared
    missing: list[str] = []
    for text in _template_strings(controls):
        if "{{" not in text and "{%" not in text:
            continue
        if len(text) > limits.max_template_length:
            raise _error("LimitError")
        if text not in prepared:
            cached = _CACHE.get((text, token))
            if cached is None:
                _check_tokens(text, limits)
                missing.append(text)
            else:
                prepared[text] = cached
    for text in missing:
        if text not in prepared:
            prepared[text] = _prepare(text, limits)
    try:
        compiled: dict[str, Any] = _compile(controls, step)
    except _Stopped as stop:
        compiled = stop.partial
    data = compiled.get("data")
    if isinstance(data, dict):
        compiled["data"] = _repair_data(data)
    return compiled

