"""A linear-time Liquid template lexer with LiquidJS's tokenizing rules.

python-liquid's own lexer is a regular expression that, at every ``{{`` or
``{% raw %}`` without a closing delimiter, rescans to the end of the
template: quadratic time on sources such as ``"{{" * 20000``.  This lexer
walks the source once, the way LiquidJS 10's ``Tokenizer`` does:

* ``{%`` ... ``%}`` is a tag (the first ``%}``, quotes not respected);
* ``{{`` ... ``}}`` is an output (quoted strings may contain ``}}``);
* ``{% raw %}`` ... ``{% endraw %}`` is literal text;
* ``-`` next to a delimiter trims the neighbouring *text* of blanks
  (LiquidJS's greedy trimming, its set of blank characters);
* an unclosed tag or output, a tag without a name, or an unclosed ``raw`` is
  a :class:`liquid.exceptions.LiquidSyntaxError` (a ``TokenizationError``).

It yields the tokens python-liquid's parser expects
(:meth:`liquid.Environment.tokenizer` is the public hook).  Expressions are
also checked for bracket nesting deeper than a limit, which python-liquid's
expression parser handles in quadratic time, and ``if``/``elsif``/``unless``
conditions are rewritten to mean what LiquidJS reads in them
(:func:`flask_novu._liquid_syntax.condition_source`).
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Iterator

from liquid import Token

from ._liquid_internals import (
    TOKEN_CONTENT,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_OUTPUT,
    TOKEN_TAG,
    LiquidSyntaxError,
)
from ._liquid_syntax import MAX_OPERATORS, boolean_source, condition_source, cycle_source, output_source, skip_quoted, tag_source, when_source

__all__ = ["NestingTooDeep", "tokenize"]

#: Tags whose expression is a condition, rewritten as LiquidJS reads it.
_CONDITIONS = frozenset({"if", "elsif", "unless"})
#: ``{% layout none %}``: no layout.
_NO_LAYOUT = re.compile(r"none(?![\w-])")
#: The variable an output's ``true``/``false`` is assigned to before its filters.
BOOLEAN_VALUE = "__novu_boolean__"
#: What an empty ``{% when %}`` compares with: a string no template holds.
NO_VALUE = "'__novu_no_value__'"
#: The variable a ``case`` value with filters is assigned to.
CASE_VALUE = "__novu_case__"
#: Tags whose expression is rewritten as LiquidJS reads it (and end tags).
_REWRITTEN = frozenset({"assign", "else", "increment", "decrement", "capture", "for", "tablerow"})

#: LiquidJS's BLANK character class (its ``TYPES`` table).
_BLANK = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_QUOTES = "'\""


class NestingTooDeep(LiquidSyntaxError):
    """An expression nests brackets deeper than the limit."""


def _is_word(char: str) -> bool:
    # LiquidJS: letters, digits, "_" and "-" below 128; everything non-blank above.
    if ord(char) >= 128:
        return char not in _BLANK and char not in "\u201c\u201d"
    return char.isalnum() or char in "_-?"


def _error(message: str, source: str, index: int) -> LiquidSyntaxError:
    return LiquidSyntaxError(message, token=Token(TOKEN_EOF, "", index, source))


def _find_output_end(source: str, start: int) -> int:
    """Index just after the ``}}`` closing the output at ``start``, or -1."""
    end = len(source)
    index = start + 2
    while index < end and source[index] in _BLANK:
        index += 1
    while index < end:
        char = source[index]
        if char in _QUOTES:
            index = skip_quoted(source, index, end)
            continue
        index += 1
        if char == "}" and source[index - 2 : index] == "}}" and index - 2 >= start + 2:
            return index
    return -1


def _check_nesting(text: str, token: Token, limit: int) -> None:
    depth = 0
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if char in _QUOTES:
            index = skip_quoted(text, index, end)
            continue
        if char in "([":
            depth += 1
            if depth > limit:
                raise NestingTooDeep("expression nested too deeply", token=token)
        elif char in ")]":
            depth -= 1
        index += 1


class _Delimited:
    """The parts of a ``{% ... %}`` or ``{{ ... }}`` token."""

    __slots__ = ("begin", "end", "content_begin", "content_end", "trim_left", "trim_right")

    def __init__(self, source: str, begin: int, end: int) -> None:
        self.begin, self.end = begin, end
        left, right = begin + 2, end - 2
        self.trim_left = left < right and source[left] == "-"
        self.trim_right = right > left and source[right - 1] == "-"
        if self.trim_left:
            left += 1
        if self.trim_right and right > left:
            right -= 1
        while left < right and source[left] in _BLANK:
            left += 1
        while right > left and source[right - 1] in _BLANK:
            right -= 1
        self.content_begin, self.content_end = left, right


def _tag_name(source: str, start: int, end: int) -> int:
    """End index of the tag name starting at ``start``."""
    if start < end and source[start] == "#":
        return start + 1
    index = start
    while index < end and _is_word(source[index]):
        index += 1
    return index


def _lstrip_blank(text: str) -> str:
    index = 0
    while index < len(text) and text[index] in _BLANK:
        index += 1
    return text[index:]


def _rstrip_blank(text: str) -> str:
    index = len(text)
    while index > 0 and text[index - 1] in _BLANK:
        index -= 1
    return text[:index]


def _find_endraw(source: str, start: int) -> tuple[int, int] | None:
    """``(begin, end)`` of the ``{% endraw %}`` tag after ``start``, or ``None``.

    As in LiquidJS, the name must follow ``{%`` and blanks directly:
    ``{%- endraw %}`` does not close a ``raw`` block.
    """
    index = start
    end = len(source)
    while True:
        begin = source.find("{%", index)
        if begin < 0:
            return None
        name_at = begin + 2
        while name_at < end and source[name_at] in _BLANK:
            name_at += 1
        name_end = name_at
        while name_end < end and _is_word(source[name_end]):
            name_end += 1
        if source[name_at:name_end] == "endraw":
            close = source.find("%}", name_end)
            if close < 0:
                return None
            opener = source.find("{%", name_end)
            if close >= 0 and (opener < 0 or close < opener):
                return begin, close + 2
        index = begin + 2


#: A comparison or logic operator may be in an expression (a cheap pre-check).
_HAS_OPERATOR = re.compile(r"[=!<>]|\b(?:and|or|not|contains)\b")
#: One operator (quoted text may be counted too: this only bounds work).
_OPERATOR = re.compile(r"==|!=|<>|>=|<=|[<>]|(?<![\w-])(?:and|or|not|contains)(?![\w-])")


def _check_operators(text: str, token: Token) -> None:
    """Refuse an expression of more than :data:`MAX_OPERATORS` operators (a
    LimitError): python-liquid's parser recurses once per operator."""
    if len(text) > 4 * MAX_OPERATORS and sum(1 for _ in islice(_OPERATOR.finditer(text), MAX_OPERATORS + 1)) > MAX_OPERATORS:
        raise NestingTooDeep(f"expression with more than {MAX_OPERATORS} operators", token=token)


def _boolean_tokens(condition: str, variable: str | None, at: int, source: str) -> Iterator[Token]:
    """``{% if condition %}true{% else %}false{% endif %}``, written out (or,
    with ``variable``, the two ``assign`` tags of ``true`` and ``false``)."""
    yield Token(TOKEN_TAG, "if", at, source)
    yield Token(TOKEN_EXPRESSION, condition, at, source)
    for value in ("true", "false"):
        if variable is None:
            yield Token(TOKEN_CONTENT, value, at, source)
        else:
            yield Token(TOKEN_TAG, "assign", at, source)
            yield Token(TOKEN_EXPRESSION, f"{variable} = {value}", at, source)
        if value == "true":
            yield Token(TOKEN_TAG, "else", at, source)
    yield Token(TOKEN_TAG, "endif", at, source)


def _booleans(
    expression: str, variable: str | None, at: int, source: str, nesting_limit: int
) -> tuple[list[Token], str | None] | None:
    """An expression with operators, which LiquidJS evaluates to ``true`` or
    ``false`` before its filters: the tokens that compute it (written out, or
    assigned to ``variable``) and what is left to output or assign (the
    filters applied to that value; ``None``: nothing).  ``None`` when
    ``expression`` has no operator."""
    boolean = boolean_source(expression) if _HAS_OPERATOR.search(expression) else None
    if boolean is None:
        return None
    condition, filters = boolean
    _check_nesting(condition, Token(TOKEN_EXPRESSION, condition, at, source), nesting_limit)
    if filters:
        tokens = list(_boolean_tokens(condition, BOOLEAN_VALUE, at, source))
        return tokens, output_source(f"{BOOLEAN_VALUE} {filters}")
    return list(_boolean_tokens(condition, variable, at, source)), None


def tokenize(source: str, nesting_limit: int) -> Iterator[Token]:
    """Tokens of ``source`` for python-liquid's parser, in linear time.

    :raises liquid.exceptions.LiquidSyntaxError: on the first lexical error.
    """
    # Pass 1: split into text and delimited pieces (LiquidJS readTopLevelTokens).
    pieces: list[str | tuple[str, _Delimited, str]] = []
    index, end = 0, len(source)
    tag_at = out_at = -1
    while index < end:
        # Each search resumes only when the index has passed its last hit.
        if -1 < tag_at < index or tag_at == -1 and index == 0:
            tag_at = source.find("{%", index)
        if -1 < out_at < index or out_at == -1 and index == 0:
            out_at = source.find("{{", index)
        starts = [at for at in (tag_at, out_at) if at >= 0]
        if not starts:
            pieces.append(source[index:])
            break
        at = min(starts)
        if at > index:
            pieces.append(source[index:at])
        if at == tag_at:
            close = source.find("%}", at + 1)
            if close < 0:
                raise _error(f"tag {source[at:at + 32]!r} not closed", source, at)
            tag = _Delimited(source, at, close + 2)
            name_end = _tag_name(source, tag.content_begin, tag.content_end)
            name = source[tag.content_begin : name_end]
            if not name:
                raise _error("illegal tag syntax, tag name expected", source, at)
            pieces.append(("rawopen" if name == "raw" else "tag", tag, name))
            index = close + 2
            if name == "raw":
                found = _find_endraw(source, index)
                if found is None:
                    raise _error("tag 'raw' was never closed", source, at)
                pieces.append(("raw", tag, source[index : found[0]]))
                endraw = _Delimited(source, found[0], found[1])
                pieces.append(("endraw", endraw, "endraw"))
                index = found[1]
        else:
            close = _find_output_end(source, at)
            if close < 0:
                raise _error(f"output {source[at:at + 32]!r} not closed", source, at)
            pieces.append(("output", _Delimited(source, at, close), ""))
            index = close

    # Pass 2: whitespace control (LiquidJS whiteSpaceCtrl, greedy), then tokens.
    for position, piece in enumerate(pieces):
        if isinstance(piece, str):
            continue
        kind, delimited, name = piece
        if kind == "raw":
            continue
        if delimited.trim_left and kind != "endraw" and position > 0:
            before = pieces[position - 1]
            if isinstance(before, str):
                pieces[position - 1] = _rstrip_blank(before)
        if delimited.trim_right and name != "raw" and position + 1 < len(pieces):
            after = pieces[position + 1]
            if isinstance(after, str):
                pieces[position + 1] = _lstrip_blank(after)

    offset = 0
    for piece in pieces:
        if isinstance(piece, str):
            if piece:
                yield Token(TOKEN_CONTENT, piece, offset, source)
            continue
        kind, delimited, name = piece
        offset = delimited.begin
        if kind == "raw":
            if name:
                yield Token(TOKEN_CONTENT, name, delimited.end, source)
            continue
        if kind in ("endraw", "rawopen"):
            offset = delimited.end
            continue
        content = source[delimited.content_begin : delimited.content_end]
        if kind == "output":
            _check_operators(content, Token(TOKEN_EXPRESSION, content, delimited.content_begin, source))
            boolean = _booleans(content, None, delimited.content_begin, source, nesting_limit)
            if boolean is not None:
                tokens, left = boolean
                yield from tokens
                offset = delimited.end
                if left is None:
                    continue
                content = left
            yield Token(TOKEN_OUTPUT, source[delimited.begin : delimited.end], offset, source)
            expression = Token(TOKEN_EXPRESSION, output_source(content), delimited.content_begin, source)
            _check_nesting(content, expression, nesting_limit)
            yield expression
        else:
            name_end = delimited.content_begin + len(name)
            rest = _lstrip_blank(source[name_end : delimited.content_end])
            at = delimited.content_end - len(rest)
            if name != "liquid":
                _check_operators(rest, Token(TOKEN_EXPRESSION, rest, at, source))
            if name in ("block", "endblock") or (name == "layout" and _NO_LAYOUT.match(rest)):
                # without a layout, LiquidJS shows a block's text where it stands;
                # "layout none" is no layout
                offset = delimited.end
                continue
            if name == "layout":
                name = "include"  # LiquidJS cannot find the file either: a RenderError
            if name in _CONDITIONS:
                rest = condition_source(rest) if rest else rest
            elif name in ("echo", "case"):
                rest = output_source(rest) if rest else rest
            elif name == "when":
                # a "when" without values matches nothing
                rest = when_source(rest) if rest else NO_VALUE
            elif name == "cycle":
                rest = cycle_source(rest) if rest else rest
            elif name in _REWRITTEN or name.startswith("end"):
                rest = tag_source(name, rest)
            if name in ("assign", "echo"):
                target, _, value = rest.partition("=") if name == "assign" else ("", "", rest)
                target = target.strip()
                boolean = _booleans(value.strip(), target or None, at, source, nesting_limit) \
                    if value and (target or name == "echo") else None
                if boolean is not None:
                    tokens, left = boolean
                    yield from tokens
                    offset = delimited.end
                    if left is None:
                        continue
                    rest = f"{target} = {left}" if name == "assign" else left
            if name == "case" and "|" in rest:
                # python-liquid's case takes no filters: the value is assigned first
                yield Token(TOKEN_TAG, "assign", delimited.content_begin, source)
                yield Token(TOKEN_EXPRESSION, f"{CASE_VALUE} = {rest}", at, source)
                rest = CASE_VALUE
            yield Token(TOKEN_TAG, name, delimited.content_begin, source)
            if rest:
                expression = Token(TOKEN_EXPRESSION, rest, at, source)
                if name != "liquid":
                    _check_nesting(rest, expression, nesting_limit)
                yield expression
        offset = delimited.end
