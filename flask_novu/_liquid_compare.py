"""LiquidJS's comparison operators for ``if``, ``unless`` and ``*_exp`` filters.

python-liquid follows Ruby: ``5 > 'a'`` is an error (the SDK answers
false), ``missing == blank`` is false (true in LiquidJS), ``'a1' contains 1``
is an error.  After a template is parsed, its comparison expressions are
switched to subclasses that evaluate with LiquidJS's ``equals`` and
JavaScript's relational operators, through python-liquid's public
``Node.children``/``Node.expressions``/``Expression.children`` tree API.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from liquid import BoundTemplate, Expression, Node, RenderContext

from ._liquid_internals import (
    AnyExpression,
    AssignNode,
    BlockNode,
    CaseNode,
    MultiExpressionBlockNode,
    FilteredExpression,
    Blank,
    ContainsExpression,
    Empty,
    EqExpression,
    GeExpression,
    GtExpression,
    LeExpression,
    LtExpression,
    NeExpression,
    Nil,
    StringLiteral,
)

from ._liquid_filters import NIL_DROP, is_array, is_nil, is_object, js_less, js_string, liquid_equals

__all__ = ["use_liquidjs_comparisons", "use_liquidjs_comparisons_in"]

_BLANK_TEXT = re.compile(r"\s*\Z")


def _empty_equals(value: object) -> bool:
    if isinstance(value, str) or is_array(value):
        return len(value) == 0  # type: ignore[arg-type]
    if is_object(value):
        return len(value) == 0  # type: ignore[arg-type]
    return False


def _blank_equals(value: object) -> bool:
    if value is False or is_nil(value):
        return True
    if isinstance(value, str):
        return bool(_BLANK_TEXT.match(value))
    return _empty_equals(value)


def _drop(expression: Expression) -> type | None:
    """The LiquidJS drop a literal stands for (``nil``, ``empty``, ``blank``)."""
    for kind in (Blank, Empty, Nil):
        if isinstance(expression, kind):
            return kind
    return None


def _equals(left_expr: Expression, right_expr: Expression, context: RenderContext) -> bool:
    return _equal_values(left_expr, left_expr.evaluate(context), right_expr, right_expr.evaluate(context))


def _equal_values(left_expr: Expression, left: object, right_expr: Expression, right: object) -> bool:
    """LiquidJS ``equals`` of two evaluated expressions (a ``nil``, ``empty``
    or ``blank`` literal compares as its drop)."""
    for drop, other in ((_drop(left_expr), right), (_drop(right_expr), left)):
        if drop is Nil:
            return is_nil(other)
        if drop is Empty:
            return _empty_equals(other)
        if drop is Blank:
            return _blank_equals(other)
    return _strict_equals(left, right)


def _strict_equals(left: object, right: object) -> bool:
    """``equals`` without drops: ``null`` and ``undefined`` differ."""
    if is_nil(left) and is_nil(right):
        return type(left) is type(right) or (left is not None and right is not None)
    if is_array(left) and is_array(right):
        a, b = list(left), list(right)  # type: ignore[call-overload]
        return len(a) == len(b) and all(_strict_equals(x, y) for x, y in zip(a, b))
    return liquid_equals(left, right)


def _js_le(left: object, right: object) -> bool:
    """JavaScript ``left <= right``: strings by code units, else numbers
    (``NaN`` compares false); arrays and objects as their strings."""
    from ._liquid_filters import _js_primitive, js_number_of
    from liquid import Undefined

    a, b = _js_primitive(left), _js_primitive(right)
    if isinstance(a, str) and isinstance(b, str):
        return not js_less(b, a)
    x = math.nan if isinstance(a, Undefined) else js_number_of(a)
    y = math.nan if isinstance(b, Undefined) else js_number_of(b)
    return x <= y


def _relational(expr: Any, context: RenderContext, op: str) -> bool:
    if _drop(expr.left) is not None or _drop(expr.right) is not None:
        return False
    left, right = expr.left.evaluate(context), expr.right.evaluate(context)
    if op == "<":
        return js_less(left, right)
    if op == ">":
        return js_less(right, left)
    if op == "<=":
        return _js_le(left, right)
    return _js_le(right, left)


class _Eq(EqExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return _equals(self.left, self.right, context)


class _Ne(NeExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return not _equals(self.left, self.right, context)


class _Lt(LtExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return _relational(self, context, "<")


class _Gt(GtExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return _relational(self, context, ">")


class _Le(LeExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return _relational(self, context, "<=")


class _Ge(GeExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        return _relational(self, context, ">=")


class _Contains(ContainsExpression):
    __slots__ = ()

    def evaluate(self, context: RenderContext) -> object:
        left, right = self.left.evaluate(context), self.right.evaluate(context)
        if is_array(left):
            return any(_equal_values(self.left, item, self.right, right) for item in left)  # type: ignore[attr-defined]
        if isinstance(left, str):
            return js_string(right) in left
        return False


class _NilDropLiteral(Nil):
    """``nil`` in a filter chain: LiquidJS's ``NullDrop`` (see ``NIL_DROP``)."""

    __slots__ = ()

    def evaluate(self, _: RenderContext) -> Any:
        return NIL_DROP


def _nil_drops_in(expression: FilteredExpression) -> None:
    """Make the ``nil`` literals of a filter chain drops (its input, arguments)."""
    if not expression.filters:
        return
    if type(expression.left) is Nil:
        expression.left.__class__ = _NilDropLiteral
    for item in expression.filters:
        for argument in item.args:  # positional and keyword arguments
            if type(argument.value) is Nil:
                argument.value.__class__ = _NilDropLiteral


class _When(AnyExpression):
    """A ``when`` of ``case``: LiquidJS ``equals`` with its values in turn,
    stopping at the first that matches (its block is shown once)."""

    __slots__ = ()

    def evaluate(self, context: RenderContext) -> list[bool]:
        left = self.left.evaluate(context)
        matched = any(_equal_values(self.left, left, right, right.evaluate(context)) for right in self.expressions)
        return [matched]


_REPLACEMENTS: dict[type, type] = {
    EqExpression: _Eq,
    NeExpression: _Ne,
    LtExpression: _Lt,
    GtExpression: _Gt,
    LeExpression: _Le,
    GeExpression: _Ge,
    ContainsExpression: _Contains,
    AnyExpression: _When,
}


_ESCAPE_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\x0b"}
_LITERAL_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{0,4}|[0-7]{1,3}|.)", re.DOTALL)


def _unescape_literal(text: str) -> str:
    """LiquidJS ``parseStringLiteral``: backslash escapes in quoted strings."""
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPE_CHARS:
            return _ESCAPE_CHARS[code]
        if code[0] == "u":
            return chr(int(code[1:] or "0", 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return code

    return _LITERAL_ESCAPE.sub(replace, text)


def use_liquidjs_comparisons_in(expression: Expression) -> None:
    """Switch ``expression`` to LiquidJS's semantics, in place: its comparisons,
    and backslash escapes in its string literals."""
    stack = [expression]
    while stack:
        item = stack.pop()
        replacement = _REPLACEMENTS.get(type(item))
        if replacement is not None:
            item.__class__ = replacement
        elif isinstance(item, FilteredExpression):
            _nil_drops_in(item)
        elif type(item) is StringLiteral:
            item.value = _unescape_literal(item.value)
        stack.extend(item.children())


def _nodes(template: BoundTemplate, context: RenderContext) -> Iterable[Node]:
    stack: list[Node] = list(template.nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children(context, include_partials=False))


def _liquidjs_else(node: Any) -> None:
    """A ``case`` with LiquidJS's ``else``: its text, and that of any ``when``
    after it, is one block shown when no ``when`` before it matched; a
    second ``else`` and what follows it are dropped."""
    blocks = node.blocks
    first = next((i for i, block in enumerate(blocks) if not isinstance(block, MultiExpressionBlockNode)), None)
    if first is None or first == len(blocks) - 1:
        return
    nodes = list(blocks[first].nodes)
    for block in blocks[first + 1 :]:
        if not isinstance(block, MultiExpressionBlockNode):
            break
        nodes.extend(block.block.nodes)
    node.blocks = [*blocks[:first], BlockNode(blocks[first].token, nodes)]


def use_liquidjs_comparisons(template: BoundTemplate, context: RenderContext) -> None:
    """Switch every comparison of a parsed template to LiquidJS's semantics
    (and ``case`` to LiquidJS's ``else``)."""
    for node in _nodes(template, context):
        if type(node) is CaseNode:
            _liquidjs_else(node)
        for expression in node.expressions():
            use_liquidjs_comparisons_in(expression)
            if (type(node) is AssignNode and type(expression) is FilteredExpression
                    and not expression.filters and type(expression.left) is Nil):
                # {% assign x = nil %}: LiquidJS assigns its NullDrop (written "{}")
                expression.left.__class__ = _NilDropLiteral
