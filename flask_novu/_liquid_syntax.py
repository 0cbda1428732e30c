"""LiquidJS 10's parse-time rules: which templates it accepts, and why not.

python-liquid and LiquidJS disagree on which templates are valid and on
what kind of error a bad one is.  :func:`liquidjs_error` answers the way
LiquidJS 10.30 (the SDK's engine) does, by following its tokenizer and the
constructors of its built-in tags (where it checks a template) step by
step:

* ``TokenizationError`` for what its ``Tokenizer`` rejects: an unclosed
  tag, output or ``raw``, a tag without a name, a bad value expression or
  filter (``{{ }}``, ``{{ a | f x }}``, ``{{ (1 }}``, ...), a bad ``assign``
  or ``capture`` name, a ``cycle`` without candidates;
* ``ParseError`` for what a tag or the parser rejects: an unknown or stray
  tag (``{% endif %}``, ``{% else %}`` outside a block), an unclosed block,
  a ``for``/``tablerow`` header without ``x in y``, arguments after
  ``else``/``endif``/``endfor``, ``elsif`` after ``else``, a second
  ``else``.

Everything else parses, however odd: LiquidJS reads what it can and
ignores the rest (``{{ a | }}``, ``{% if a == %}``, ``{% increment %}``).
Render-time errors (``RenderError``) are not predicted here.

The scan is linear in the template (every loop advances the position) and
gives up on blocks or brackets nested deeper than a limit.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["MAX_OPERATORS", "boolean_source", "condition_source", "cycle_source", "liquidjs_error", "output_source", "skip_quoted", "tag_source", "when_source"]

_WORD_ASCII = frozenset("?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz0123456789-")
_BLANK = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NOT_WORD_HIGH = _BLANK | {"\u201c", "\u201d"}
_DIGITS = frozenset("0123456789")
_QUOTES = frozenset("'\"")
_OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "contains", "not", "and", "or")
_LITERALS = ("true", "false", "nil", "null", "empty", "blank")
#: JavaScript's ``\s``.
_INLINE_COMMENT_BAD_LINE = re.compile(
    "\n[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*"
    "[^#\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
)



def skip_quoted(source: str, index: int, end: int) -> int:
    """Index after the quoted string starting at ``index`` (LiquidJS ``readQuoted``)."""
    quote = source[index]
    escaped = False
    index += 1
    while index < end:
        char = source[index]
        index += 1
        if char == quote and not escaped:
            break
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
    return index


class _TokenizationError(Exception):
    name = "TokenizationError"


class _ParseError(Exception):
    name = "ParseError"


class _TooDeep(Exception):
    """Blocks or brackets nest deeper than the limit."""


def _is_word(char: str) -> bool:
    if not char:
        return False
    if ord(char) >= 128:
        return char not in _NOT_WORD_HIGH
    return char in _WORD_ASCII


class _Tokenizer:
    """LiquidJS's ``Tokenizer`` over ``source[p:n]`` (the parts parsing needs)."""

    __slots__ = ("s", "p", "n", "depth", "limit")

    def __init__(self, source: str, begin: int, end: int, limit: int) -> None:
        self.s, self.p, self.n = source, begin, end
        self.depth, self.limit = 0, limit

    # -- characters -----------------------------------------------------------

    def peek(self, offset: int = 0) -> str:
        at = self.p + offset
        return self.s[at] if at < self.n else ""

    def end(self) -> bool:
        return self.p >= self.n

    def skip_blank(self) -> None:
        s, n, p = self.s, self.n, self.p
        while p < n and s[p] in _BLANK:
            p += 1
        self.p = p

    def read_to(self, word: str) -> int:
        """LiquidJS ``readTo``: just past the next ``word`` ending after ``p``; -1 if none."""
        if self.p >= self.n:
            return -1
        at = self.s.find(word, max(self.p + 1 - len(word), 0), self.n)
        if at < 0:
            self.p = self.n
            return -1
        self.p = at + len(word)
        return self.p

    def error(self, message: str) -> _TokenizationError:
        return _TokenizationError(message)

    # -- values ---------------------------------------------------------------

    def read_identifier(self) -> str:
        self.skip_blank()
        s, n, p = self.s, self.n, self.p
        begin = p
        while p < n and _is_word(s[p]):
            p += 1
        self.p = p
        return s[begin:p]

    def read_tag_name(self) -> str:
        self.skip_blank()
        if self.p < len(self.s) and self.s[self.p] == "#":
            self.p += 1
            return "#"
        return self.read_identifier()

    def _match_word(self, words: tuple[str, ...]) -> int:
        """End of the longest of ``words`` at ``p`` (word boundary for words), or -1."""
        s, p, n = self.s, self.p, self.n
        best = -1
        for word in words:
            end = p + len(word)
            if end <= n and s.startswith(word, p) and end > best:
                best = end
        if best < 0:
            return -1
        if _is_word(s[best - 1]) and best < n and _is_word(s[best]):
            # LiquidJS keeps the longest match, then requires a boundary.
            return -1
        return best

    def _read_word(self, words: tuple[str, ...]) -> bool:
        """Move past the longest of ``words`` here (after blanks), if any."""
        self.skip_blank()
        end = self._match_word(words)
        if end < 0:
            return False
        self.p = end
        return True

    def read_operator(self) -> bool:
        return self._read_word(_OPERATORS)

    def read_literal(self) -> bool:
        return self._read_word(_LITERALS)

    def read_quoted(self) -> str | None:
        self.skip_blank()
        s, n = self.s, self.n
        begin = self.p
        if begin >= n or s[begin] not in _QUOTES:
            return None
        self.p = p = skip_quoted(s, begin, n)
        return s[begin:p]

    def read_number(self) -> bool:
        self.skip_blank()
        s, n, p = self.s, self.n, self.p
        k = 0
        if p < n and s[p] in "+-":
            k = 1
        decimal = digit = False
        while p + k <= n:
            char = s[p + k] if p + k < n else ""
            if char in _DIGITS and char:
                digit = True
                k += 1
            elif char == "." and (s[p + k + 1] if p + k + 1 < n else "") != ".":
                if decimal or not digit:
                    return False
                decimal = True
                k += 1
            else:
                break
        if digit and not _is_word(s[p + k] if p + k < n else ""):
            self.p = p + k
            return True
        return False

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > self.limit:
            raise _TooDeep

    def read_value(self) -> str | None:
        """Read a value; returns its kind (``"quoted"``, ``"value"``) or ``None``."""
        self.skip_blank()
        kind: str | None = None
        if self.read_literal() or self.read_number():
            kind = "value"
        elif self.read_quoted() is not None:
            kind = "quoted"
        elif self.peek() == "(":
            self.read_range()
            kind = "value"
        if self.read_properties(kind is None):
            return "value"
        return kind

    def read_value_or_throw(self) -> str:
        kind = self.read_value()
        if kind is None:
            raise self.error("value expected")
        return kind

    def read_range(self) -> None:
        self.skip_blank()
        self.p += 1  # "("
        self._nest()
        self.read_value_or_throw()
        self.skip_blank()
        if self.peek() == "." and self.peek(1) == ".":
            self.p += 2
            self.read_value_or_throw()
            self.skip_blank()
            char = self.peek()
            self.p += 1
            if char != ")":
                raise self.error("invalid range syntax")
            self.depth -= 1
            return
        raise self.error("invalid range syntax")

    def read_properties(self, is_begin: bool) -> bool:
        found = False
        while True:
            char = self.peek()
            if char == "[":
                self.p += 1
                self._nest()
                self.read_value()
                self.depth -= 1
                if self.read_to("]") == -1:
                    raise self.error("[ not closed")
                found = True
                continue
            if is_begin and not found:
                if self.read_identifier():
                    found = True
                    continue
            if self.peek() == "." and self.peek(1) != ".":
                self.p += 1
                if not self.read_identifier():
                    break
                found = True
                continue
            break
        return found

    def read_expression(self) -> int:
        """Read operators and operands; returns how many."""
        count = 0
        while self.p < self.n:
            if self.read_operator() or self.read_value() is not None:
                count += 1
                continue
            break
        return count

    def read_filtered_value(self) -> None:
        if not self.read_expression():
            raise self.error("invalid value expression")
        while self.read_filter():
            pass

    def read_filter(self) -> bool:
        self.skip_blank()
        if self.end():
            return False
        if self.peek() in (")", ","):
            return False
        char = self.peek()
        self.p += 1
        if char != "|":
            raise self.error('expected "|" before filter')
        if not self.read_identifier():
            if not self.end():
                raise self.error("expected filter name")
            return False
        self.skip_blank()
        if self.peek() == ":":
            while True:
                self.p += 1
                if self.read_value() is not None:
                    self.skip_blank()
                    if self.peek() == ":":
                        self.p += 1
                        self.read_value()
                self.skip_blank()
                if not (self.end() or self.peek() in (",", "|", ")")):
                    raise self.error("unexpected character")
                if self.peek() != ",":
                    break
        elif not (self.end() or self.peek() in ("|", ")", ",")):
            raise self.error('expected ":" after filter name')
        return True

    def read_hashes(self) -> None:
        while True:
            self.skip_blank()
            if self.peek() == ",":
                self.p += 1
            if not self.read_identifier():
                return
            self.skip_blank()
            if self.peek() == ":":
                self.p += 1
                self.read_value()


class _Token:
    """A top-level token: HTML text, an output or a tag."""

    __slots__ = ("kind", "name", "begin", "end", "content_begin", "content_end", "p")

    def __init__(self, kind: str, begin: int, end: int) -> None:
        self.kind, self.begin, self.end = kind, begin, end
        self.name = ""
        self.content_begin = self.content_end = self.p = begin

    def tokenizer(self, source: str, limit: int) -> _Tokenizer:
        return _Tokenizer(source, self.p, self.content_end, limit)

    def has_args(self, source: str) -> bool:
        return self.p < self.content_end


def _delimited(token: _Token, source: str, left: int, right: int) -> None:
    """Set the content range as LiquidJS's ``DelimitedToken`` does."""
    trim_left = left < len(source) and source[left] == "-"
    trim_right = 0 < right <= len(source) and source[right - 1] == "-"
    if trim_left:
        left += 1
    if trim_right:
        right -= 1
    while left < right and source[left] in _BLANK:
        left += 1
    while right > left and source[right - 1] in _BLANK:
        right -= 1
    token.content_begin, token.content_end = left, right


def _named(token: _Token, source: str, limit: int, message: str) -> _Token:
    tokenizer = _Tokenizer(source, token.content_begin, token.content_end, limit)
    token.name = tokenizer.read_tag_name()
    if not token.name:
        raise _TokenizationError(message)
    tokenizer.skip_blank()
    token.p = tokenizer.p
    return token


def _tag(source: str, begin: int, end: int, limit: int) -> _Token:
    token = _Token("tag", begin, end)
    _delimited(token, source, begin + 2, end - 2)
    return _named(token, source, limit, "illegal tag syntax, tag name expected")


def _top_level_tokens(source: str, limit: int) -> list[_Token]:
    """LiquidJS ``readTopLevelTokens``: HTML, outputs and tags (names read)."""
    tokens: list[_Token] = []
    p, end = 0, len(source)
    tag_at = out_at = -2
    while p < end:
        if source.startswith("{%", p):
            close = source.find("%}", p + 1)
            if close < 0:
                raise _TokenizationError("tag not closed")
            token = _tag(source, p, close + 2, limit)
            tokens.append(token)
            p = close + 2
            if token.name == "raw":
                p = _raw_content(source, p, tokens, limit)
        elif source.startswith("{{", p):
            close = _output_end(source, p)
            if close < 0:
                raise _TokenizationError("output not closed")
            token = _Token("output", p, close)
            _delimited(token, source, p + 2, close - 2)
            token.p = token.content_begin
            tokens.append(token)
            p = close
        else:
            # Each search resumes only once the position has passed its last hit.
            if tag_at != -1 and tag_at < p:
                tag_at = source.find("{%", p)
            if out_at != -1 and out_at < p:
                out_at = source.find("{{", p)
            stops = [at for at in (tag_at, out_at) if at >= 0]
            stop = min(stops) if stops else end
            tokens.append(_Token("html", p, stop))
            p = stop
    return tokens


def _output_end(source: str, begin: int) -> int:
    """``readToDelimiter('}}', respectQuoted)`` from ``begin``; -1 if unclosed."""
    p, end = begin, len(source)
    while p < end:
        char = source[p]
        if char in _QUOTES:
            quoter = _Tokenizer(source, p, end, 0)
            quoter.read_quoted()
            p = quoter.p
            continue
        p += 1
        if char == "}" and source[p - 2] == "}":
            return p
    return -1


def _raw_content(source: str, p: int, tokens: list[_Token], limit: int) -> int:
    """LiquidJS ``readEndrawOrRawContent`` until the ``endraw`` tag is read."""
    end = len(source)
    while True:
        begin = p
        scan = _Tokenizer(source, p, end, limit)
        left = scan.read_to("{%") - 2
        html_end = -1
        while scan.p < end and html_end < 0:
            if scan.read_identifier() != "endraw":
                left = scan.read_to("{%") - 2
                continue
            q = scan.p
            while q <= end:
                if source[q - 2 : q] == "%}":
                    if begin == left:
                        tokens.append(_tag(source, begin, q, limit))
                        return q
                    html_end = left
                    break
                if source[q - 2 : q] == "{%":
                    break
                q += 1
            scan.p = q
        if html_end < 0:
            raise _TokenizationError("raw not closed")
        tokens.append(_Token("html", begin, html_end))
        p = html_end


class _Stream:
    """The tokens still to parse (LiquidJS's shared ``remainTokens`` array)."""

    __slots__ = ("tokens", "index")

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.index = tokens, 0

    def shift(self) -> _Token | None:
        if self.index >= len(self.tokens):
            return None
        token = self.tokens[self.index]
        self.index += 1
        return token


class _Parser:
    def __init__(self, source: str, limit: int) -> None:
        self.s, self.limit = source, limit
        self.depth = 0

    def tokenizer(self, token: _Token) -> _Tokenizer:
        return token.tokenizer(self.s, self.limit)

    def parse(self) -> None:
        self.parse_tokens(_Stream(_top_level_tokens(self.s, self.limit)))

    def parse_tokens(self, stream: _Stream) -> None:
        while (token := stream.shift()) is not None:
            self.parse_token(token, stream)

    def parse_token(self, token: _Token, stream: _Stream) -> None:
        if token.kind == "html":
            return
        if token.kind == "output":
            self.tokenizer(token).read_filtered_value()
            return
        handler = _TAGS.get(token.name)
        if handler is None:
            raise _ParseError(f"tag {token.name!r} not found")
        self.depth += 1
        if self.depth > self.limit:
            raise _TooDeep
        try:
            handler(self, token, stream)
        finally:
            self.depth -= 1

    def block(self, stream: _Stream, handlers: Dict[str, Callable[[_Token], Optional[bool]]]) -> None:
        """A ``ParseStream``: handle the named tags, parse the rest, until stopped.

        A handler returns ``True`` to stop.  Reaching the end is a ParseError.
        """
        while (token := stream.shift()) is not None:
            if token.kind == "tag" and token.name in handlers:
                if handlers[token.name](token):
                    return
                continue
            self.parse_token(token, stream)
        raise _ParseError("tag not closed")

    def until(self, stream: _Stream, name: str, parse: bool) -> None:
        """Consume tokens up to the tag ``name`` (parsing them if ``parse``)."""
        while (token := stream.shift()) is not None:
            if token.kind == "tag" and token.name == name:
                return
            if parse:
                self.parse_token(token, stream)
        raise _ParseError("tag not closed")

    def file_path(self, tokenizer: _Tokenizer) -> None:
        """``parseFilePath`` with ``dynamicPartials``: a quoted path is a template."""
        begin = tokenizer.p
        kind = tokenizer.read_value()
        if kind is None:
            raise tokenizer.error("illegal file path")
        if kind == "quoted":
            tokenizer.skip_blank()
            start = begin
            while self.s[start] in _BLANK:
                start += 1
            inner = _unquote(self.s[start : tokenizer.p])
            _Parser(inner, self.limit).parse()


def _unquote(text: str) -> str:
    """LiquidJS ``parseStringLiteral``: the content of a quoted token."""
    out: list[str] = []
    i, last = 1, len(text) - 1
    escapes = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    while i < last:
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if nxt in escapes:
            out.append(escapes[nxt])
            i += 2
        elif nxt == "u":
            j, value = i + 2, 0
            while j <= i + 5 and j < len(text) and text[j] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[j], 16)
                j += 1
            out.append(chr(value))
            i = j
        elif nxt not in "01234567" or not nxt:
            out.append(nxt)
            i += 2
        else:
            j, value = i + 1, 0
            while j <= i + 3 and j < len(text) and text[j] in "01234567":
                value = value * 8 + int(text[j])
                j += 1
            out.append(chr(value))
            i = j
    return "".join(out)


#: A path whose first name is digits (``1.2.3``, ``1.x``), not a number.
_DIGIT_PATH = re.compile(r"[0-9]+(?:\.[0-9]*[A-Za-z_-][\w-]*|\.[0-9]+\.[\w.-]*|\[)")
#: Words python-liquid's expression lexer takes as keywords wherever they
#: stand; LiquidJS reads them as property names after a dot, and the ones
#: that are not its own literals or operators as variables too.
_PY_KEYWORDS = (
    "true|false|nil|null|empty|blank|and|or|contains|not|in|offset|limit|reversed|cols|continue|with|for|as|if"
    "|else|required"
)
# ("continue" stays a keyword: it is "offset: continue" in a for loop)
_PY_VARIABLE_KEYWORDS = "in|offset|limit|reversed|cols|with|for|as|if|else|required"
_DOT_KEYWORD = re.compile(rf"\.({_PY_KEYWORDS})(?![\w-])")
_ROOT_KEYWORD = re.compile(rf"({_PY_VARIABLE_KEYWORDS})(?![\w-])")
#: A keyword that may be a path segment somewhere in ``text`` (a cheap pre-check).
_ANY_KEYWORD = re.compile(rf"(?<![\w-])(?:{_PY_VARIABLE_KEYWORDS})(?![\w-])|\.(?:{_PY_KEYWORDS})(?![\w-])")
_QUOTED_PART = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


_VARIABLE_KEYWORDS = frozenset(_PY_VARIABLE_KEYWORDS.split("|"))


def variable_name(word: str) -> str:
    """The python-liquid name of the template variable ``word``: a keyword
    to python-liquid (``limit``, ``offset``...) is renamed, consistently."""
    return f"__novu_kw_{word}" if word in _VARIABLE_KEYWORDS else word


def _bracketed(token: str) -> str:
    """A path token with python-liquid's keywords out of the way:
    ``payload.limit`` is ``payload['limit']`` and a variable ``limit`` is
    :func:`variable_name`'s (quoted parts are left alone)."""
    if not _ANY_KEYWORD.search(token):
        return token
    parts = _QUOTED_PART.split(token)
    for k in range(0, len(parts), 2):
        part = _DOT_KEYWORD.sub(r"['\1']", parts[k])
        if k == 0:
            root = _ROOT_KEYWORD.match(part)
            if root:
                part = variable_name(root.group(1)) + part[root.end() :]
        parts[k] = part
    return "".join(parts)


def has_keyword_path(text: str) -> bool:
    """Whether ``text`` may use a python-liquid keyword as a name (the fast
    paths then leave it to the rewrites, which bracket such names)."""
    return _ANY_KEYWORD.search(text) is not None


def _closed(token: str) -> bool:
    """Whether the quoted ``token`` has its closing quote."""
    quote, escaped = token[0], False
    for char in token[1:]:
        if char == quote and not escaped:
            return True
        escaped = not escaped and char == "\\"
    return False


def _operand(token: str) -> str:
    """A value token as python-liquid source.

    In a tag, LiquidJS reads an unclosed quote to the end of the tag and
    takes its content as ``parseStringLiteral`` does (the first and last
    characters dropped): ``{% assign a = 'abc %}`` assigns ``ab``.  Such a
    token becomes that string, quoted; a path's trailing dot is dropped; other
    tokens are returned as they are.
    """
    if token[:1] not in _QUOTES:
        # a path ending in "." (``payload.name.``): LiquidJS ignores the dot
        if token.endswith(".") and token[:1] not in _DIGITS and token[:1] not in "+-":
            token = token.rstrip(".") or token
        if token[:1] in _DIGITS:
            # "1.2.3" is no number to LiquidJS but a path from a variable "1",
            # which no template can define
            return UNDEFINED_OPERAND if _DIGIT_PATH.match(token) else token
        return _bracketed(token)
    if _closed(token):
        return token
    content = token[1:-1]
    if "\\" in content:
        return token
    if "'" not in content:
        return f"'{content}'"
    return f'"{content}"' if '"' not in content else token


# -- the built-in tags' constructors --------------------------------------------


def _assign(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    if not tokenizer.read_identifier():
        raise tokenizer.error("expected variable name")
    tokenizer.skip_blank()
    if tokenizer.peek() != "=":
        raise tokenizer.error('expected "="')
    tokenizer.p += 1
    tokenizer.read_filtered_value()


def _loop_header(parser: _Parser, token: _Token, need_variable: bool) -> _Tokenizer:
    tokenizer = parser.tokenizer(token)
    variable = tokenizer.read_identifier()
    tokenizer.skip_blank()
    keyword = tokenizer.read_identifier()
    collection = tokenizer.read_value()
    if (need_variable and not variable) or keyword != "in" or collection is None:
        raise _ParseError("illegal tag")
    tokenizer.read_hashes()
    return tokenizer


def _no_args(token: _Token, parser: _Parser) -> None:
    if token.has_args(parser.s):
        raise _ParseError("unexpected arguments")


def _for(parser: _Parser, token: _Token, stream: _Stream) -> None:
    _loop_header(parser, token, True)

    def endfor(tag: _Token) -> bool:
        _no_args(tag, parser)
        return True

    parser.block(stream, {"else": lambda tag: _no_args(tag, parser), "endfor": endfor})


def _tablerow(parser: _Parser, token: _Token, stream: _Stream) -> None:
    _loop_header(parser, token, False)
    parser.block(stream, {"endtablerow": lambda tag: True})


def _capture(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    if not tokenizer.read_identifier() and tokenizer.read_quoted() is None:
        raise tokenizer.error("invalid capture name")
    parser.until(stream, "endcapture", parse=True)


def _case(parser: _Parser, token: _Token, stream: _Stream) -> None:
    parser.tokenizer(token).read_filtered_value()
    else_count = 0

    def when(tag: _Token) -> None:
        if else_count:
            return
        tokenizer = parser.tokenizer(tag)
        while not tokenizer.end():
            tokenizer.read_value_or_throw()
            tokenizer.skip_blank()
            tokenizer.read_to("," if tokenizer.peek() == "," else "or")

    def else_(tag: _Token) -> None:
        nonlocal else_count
        else_count += 1

    parser.block(stream, {"when": when, "else": else_, "endcase": lambda tag: True})


def _if(parser: _Parser, token: _Token, stream: _Stream) -> None:
    parser.tokenizer(token).read_filtered_value()
    seen_else = False

    def elsif(tag: _Token) -> None:
        if seen_else:
            raise _ParseError("unexpected elsif after else")
        parser.tokenizer(tag).read_filtered_value()

    def else_(tag: _Token) -> None:
        nonlocal seen_else
        _no_args(tag, parser)
        if seen_else:
            raise _ParseError("duplicated else")
        seen_else = True

    def endif(tag: _Token) -> bool:
        _no_args(tag, parser)
        return True

    parser.block(stream, {"elsif": elsif, "else": else_, "endif": endif})


def _unless(parser: _Parser, token: _Token, stream: _Stream) -> None:
    parser.tokenizer(token).read_filtered_value()
    else_count = 0

    def elsif(tag: _Token) -> None:
        if not else_count:
            parser.tokenizer(tag).read_filtered_value()

    def else_(tag: _Token) -> None:
        nonlocal else_count
        else_count += 1

    parser.block(stream, {"elsif": elsif, "else": else_, "endunless": lambda tag: True})


def _cycle(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    begin = tokenizer.p
    group = tokenizer.read_value()
    tokenizer.skip_blank()
    if group is not None:
        if tokenizer.peek() == ":":
            tokenizer.p += 1
        else:
            tokenizer.p = begin
    candidates = 0
    while not tokenizer.end():
        tokenizer.read_filtered_value()
        candidates += 1
        tokenizer.read_to(",")
    if not candidates:
        raise tokenizer.error("empty candidates")


def _include(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    parser.file_path(tokenizer)
    begin = tokenizer.p
    if tokenizer.read_identifier() == "with":
        tokenizer.skip_blank()
        if tokenizer.peek() != ":":
            tokenizer.read_value()
        else:
            tokenizer.p = begin
    else:
        tokenizer.p = begin
    tokenizer.read_hashes()


def _render(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    parser.file_path(tokenizer)
    while not tokenizer.end():
        tokenizer.skip_blank()
        begin = tokenizer.p
        keyword = tokenizer.read_identifier()
        if keyword in ("with", "for"):
            tokenizer.skip_blank()
            if tokenizer.peek() != ":" and tokenizer.read_value() is not None:
                before_as = tokenizer.p
                if tokenizer.read_identifier() == "as":
                    tokenizer.read_identifier()
                else:
                    tokenizer.p = before_as
                tokenizer.skip_blank()
                if tokenizer.peek() == ",":
                    tokenizer.p += 1
                continue
        tokenizer.p = begin
        break
    tokenizer.read_hashes()


def _layout(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    parser.file_path(tokenizer)
    tokenizer.read_hashes()
    parser.parse_tokens(stream)


def _liquid(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    source, end = parser.s, tokenizer.n
    tokens: list[_Token] = []
    while True:
        tokenizer.skip_blank()
        if tokenizer.end():
            break
        begin = tokenizer.p
        newline = source.find("\n", begin + 1, end)
        line_end = end if newline < 0 else newline + 1
        tokenizer.p = line_end
        line = _Token("tag", begin, line_end)
        _delimited(line, source, begin, line_end)
        tokens.append(_named(line, source, parser.limit, "illegal liquid tag syntax"))
    parser.parse_tokens(_Stream(tokens))


def _inline_comment(parser: _Parser, token: _Token, stream: _Stream) -> None:
    if _INLINE_COMMENT_BAD_LINE.search(parser.s, token.p, token.content_end):
        raise _ParseError("every line of an inline comment must start with a '#' character")


def _echo(parser: _Parser, token: _Token, stream: _Stream) -> None:
    tokenizer = parser.tokenizer(token)
    tokenizer.skip_blank()
    if not tokenizer.end():
        tokenizer.read_filtered_value()


def _nothing(parser: _Parser, token: _Token, stream: _Stream) -> None:
    pass


_TAGS: Dict[str, Callable[[_Parser, _Token, _Stream], None]] = {
    "assign": _assign,
    "for": _for,
    "capture": _capture,
    "case": _case,
    "comment": lambda parser, token, stream: parser.until(stream, "endcomment", parse=False),
    "include": _include,
    "render": _render,
    "decrement": _nothing,
    "increment": _nothing,
    "cycle": _cycle,
    "if": _if,
    "layout": _layout,
    "block": lambda parser, token, stream: parser.until(stream, "endblock", parse=True),
    "raw": lambda parser, token, stream: parser.until(stream, "endraw", parse=False),
    "tablerow": _tablerow,
    "unless": _unless,
    "break": _nothing,
    "continue": _nothing,
    "echo": _echo,
    "liquid": _liquid,
    "#": _inline_comment,
    # Not LiquidJS's: Flask-Novu keeps Ruby Liquid's ifchanged (docs/protocol.rst).
    "ifchanged": lambda parser, token, stream: parser.until(stream, "endifchanged", parse=True),
}


def liquidjs_error(source: str, nesting_limit: int) -> str | None:
    """The name of the error LiquidJS raises parsing ``source``, or ``None``.

    Also ``None`` when blocks or brackets nest deeper than ``nesting_limit``
    (the caller's own limits then decide).
    """
    try:
        _Parser(source, nesting_limit).parse()
    except (_TokenizationError, _ParseError) as err:
        return err.name
    except _TooDeep:
        return None
    return None


# -- conditions as LiquidJS reads them ------------------------------------------

#: LiquidJS operator precedences (``toPostfix``: equal precedences group to the right).
_JS_PRECEDENCE = {"and": 0, "or": 0, "not": 1}
#: python-liquid's, for deciding where parentheses are needed.
_PY_PRECEDENCE = {"and": 2, "or": 2, "contains": 6}
_RELATIONAL_PY = 5
#: A variable no template defines: LiquidJS's missing operand is ``undefined``.
UNDEFINED_OPERAND = "__novu_undefined__"

_OPERAND = (
    r"(?:(?!(?:and|or|not|contains)(?![\w-]))[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[0-9]+\])*"
    r"|'[^'\\]*'|-?[0-9]+(?:\.[0-9]+)?)"
)
#: Conditions both engines read alike: operands joined by comparisons, and, or.
_PLAIN_CONDITION = re.compile(rf"{_OPERAND}(?: +(?:==|!=|>=|<=|>|<|and|or) +{_OPERAND})*\Z")
#: Outputs both engines read alike: an operand and filters with plain arguments.
_PLAIN_OUTPUT = re.compile(
    rf"{_OPERAND}(?: *\| *[A-Za-z_][\w-]*(?: *: *{_OPERAND}(?: *, *{_OPERAND})*)?)*\Z"
)

_BLANK_TEXT = "".join(sorted(_BLANK))

#: Operators one expression may hold (python-liquid's parser recurses per
#: operator; the lexer refuses more with a LimitError).
MAX_OPERATORS = 200
#: Operands and operators of the longest expression rewritten here.
_MAX_CONDITION_ITEMS = 2 * MAX_OPERATORS + 1


def _postfix_tree(items: List[Tuple[bool, str]]) -> str:
    """Evaluate LiquidJS's postfix order into python-liquid source."""
    ops: List[str] = []
    out: List[Tuple[bool, str]] = []
    for is_operator, text in items:
        if is_operator:
            rank = _JS_PRECEDENCE.get(text, 2)
            while ops and _JS_PRECEDENCE.get(ops[-1], 2) > rank:
                out.append((True, ops.pop()))
            ops.append(text)
        else:
            out.append((False, text))
    while ops:
        out.append((True, ops.pop()))
    stack: List[Any] = []
    undefined: Any = ("value", UNDEFINED_OPERAND)
    for is_operator, text in out:
        if not is_operator:
            stack.append(("value", text))
        elif text == "not":
            stack.append(("not", stack.pop() if stack else undefined))
        else:
            right = stack.pop() if stack else undefined
            left = stack.pop() if stack else undefined
            stack.append((text, left, right))
    return _print(stack[0] if stack else undefined)


def _print(node: Any) -> str:
    kind = node[0]
    if kind == "value":
        return str(node[1])
    if kind == "not":
        return "not " + _print(node[1])
    rank = _PY_PRECEDENCE.get(kind, _RELATIONAL_PY)
    left, right = node[1], node[2]
    left_text, right_text = _print(left), _print(right)
    # python-liquid groups equal precedences to the right, and "not" takes
    # everything after it: parenthesise where its reading would differ.
    if left[0] == "not" or (left[0] != "value" and _PY_PRECEDENCE.get(left[0], _RELATIONAL_PY) <= rank):
        left_text = f"({left_text})"
    if right[0] == "not" or (right[0] != "value" and _PY_PRECEDENCE.get(right[0], _RELATIONAL_PY) < rank):
        right_text = f"({right_text})"
    return f"{left_text} {kind} {right_text}"


def condition_source(text: str) -> str:
    """An ``if``/``elsif``/``unless`` condition as python-liquid source that
    means what LiquidJS reads in ``text``.

    LiquidJS reads operators and operands as they come, groups them by its
    precedences (``not`` above ``and``/``or``, below comparisons), treats a
    missing operand as ``undefined`` and ignores what follows the expression
    (``{% if a) %}``).  Conditions with filters, and text this cannot read,
    are returned unchanged.
    """
    if _PLAIN_CONDITION.match(text) and not has_keyword_path(text):
        return text
    tokenizer = _Tokenizer(text, 0, len(text), 64)
    items: List[Tuple[bool, str]] = []
    try:
        while tokenizer.p < tokenizer.n:
            if len(items) > _MAX_CONDITION_ITEMS:
                return text
            tokenizer.skip_blank()
            start = tokenizer.p
            if tokenizer.read_operator():
                items.append((True, text[start : tokenizer.p]))
                continue
            if tokenizer.read_value() is not None:
                items.append((False, _operand(text[start : tokenizer.p].rstrip(_BLANK_TEXT))))
                continue
            break
    except (_TokenizationError, _TooDeep):
        return text
    tokenizer.skip_blank()
    if tokenizer.peek() == "|" and text[tokenizer.p + 1 :].strip(_BLANK_TEXT):
        return text  # filters: left to python-liquid
    if not items or len(items) > _MAX_CONDITION_ITEMS:
        return text
    if all(not is_operator for is_operator, _ in items) and len(items) == 1 and tokenizer.end():
        return items[0][1]
    return _postfix_tree(items)


def boolean_source(text: str) -> tuple[str, str] | None:
    """An output or ``assign`` value with operators (``{{ a == b }}``,
    ``a > 1 and b | upcase``), which LiquidJS evaluates to ``true`` or
    ``false`` before its filters: the condition, as :func:`condition_source`
    writes it, and the filters (``""`` or text starting with ``|``).
    ``None`` when ``text`` has no operator or cannot be read."""
    tokenizer = _Tokenizer(text, 0, len(text), 64)
    operators = 0
    try:
        while True:
            tokenizer.skip_blank()
            if tokenizer.end() or tokenizer.peek() == "|":
                break
            if tokenizer.read_operator():
                operators += 1
                continue
            if tokenizer.read_value() is None:
                return None
    except (_TokenizationError, _TooDeep):
        return None
    if not operators:
        return None
    return condition_source(text[: tokenizer.p].strip(_BLANK_TEXT)), text[tokenizer.p :].strip(_BLANK_TEXT)


def output_source(text: str) -> str:
    """An output (``{{ ... }}``, ``echo``) expression as python-liquid source
    that means what LiquidJS reads in ``text``.

    LiquidJS outputs the first operand read, applies the filters that
    follow it and ignores the rest: other operands (``{{ a b }}``), a
    trailing ``|`` (``{{ a | }}``), text after ``)`` or ``,``.  Expressions
    with operators or keyword arguments, and text this cannot read, are
    returned unchanged.
    """
    if _PLAIN_OUTPUT.match(text) and not has_keyword_path(text):
        return text
    tokenizer = _Tokenizer(text, 0, len(text), 64)
    try:
        value = None
        while tokenizer.p < tokenizer.n:
            if len(text) > 4096:
                return text
            tokenizer.skip_blank()
            start = tokenizer.p
            if tokenizer.read_operator():
                return text
            if tokenizer.read_value() is None:
                break
            if value is None:
                value = _operand(text[start : tokenizer.p].rstrip(_BLANK_TEXT))
        if value is None:
            return text
        parts = [value]
        while True:
            tokenizer.skip_blank()
            if tokenizer.end() or tokenizer.peek() in (")", ","):
                break
            if tokenizer.peek() != "|":
                return text
            tokenizer.p += 1
            name = tokenizer.read_identifier()
            if not name:
                break  # a trailing "|"
            args: List[str] = []
            tokenizer.skip_blank()
            if tokenizer.peek() == ":":
                while True:
                    tokenizer.p += 1
                    tokenizer.skip_blank()
                    start = tokenizer.p
                    if tokenizer.read_value() is not None:
                        args.append(_operand(text[start : tokenizer.p].rstrip(_BLANK_TEXT)))
                        tokenizer.skip_blank()
                        if tokenizer.peek() == ":":
                            return text  # a keyword argument
                    tokenizer.skip_blank()
                    if tokenizer.peek() != ",":
                        break
            parts.append(f"{name}: {', '.join(args)}" if args else name)
    except (_TokenizationError, _TooDeep):
        return text
    return " | ".join(parts)


def _values(tokenizer: _Tokenizer, text: str, or_separates: bool) -> List[str] | None:
    """The values from ``tokenizer`` on, separated by ``,`` (or ``or``);
    ``None`` when something else stands between them."""
    values: List[str] = []
    while not tokenizer.end():
        tokenizer.skip_blank()
        start = tokenizer.p
        if tokenizer.read_value() is None:
            return None
        values.append(text[start : tokenizer.p].rstrip(_BLANK_TEXT))
        tokenizer.skip_blank()
        if tokenizer.peek() == ",":
            tokenizer.p += 1
        elif or_separates and text.startswith("or", tokenizer.p) and not _is_word(tokenizer.peek(2)):
            tokenizer.p += 2
        elif not tokenizer.end():
            return None
    return values


def when_source(text: str) -> str:
    """A ``when`` tag's values as python-liquid source that means what
    LiquidJS reads in ``text`` (values separated by ``,`` or ``or``; an
    unclosed quote read as :func:`_operand` says).  Text this cannot read is
    returned as is."""
    if "'" not in text and '"' not in text and not has_keyword_path(text):
        return text
    try:
        values = _values(_Tokenizer(text, 0, len(text), 64), text, or_separates=True)
    except (_TokenizationError, _TooDeep):
        return text
    return ", ".join(_operand(value) for value in values) if values else text


def cycle_source(text: str) -> str:
    """A ``cycle`` tag's group and values as python-liquid source, when one
    of them is a token :func:`_operand` rewrites (an unclosed quote, a
    reserved name); otherwise ``text`` as it is."""
    tokenizer = _Tokenizer(text, 0, len(text), 64)
    try:
        start = tokenizer.p
        group = None
        if tokenizer.read_value() is not None:
            first = text[start : tokenizer.p].rstrip(_BLANK_TEXT)
            tokenizer.skip_blank()
            if tokenizer.peek() == ":":
                group, tokenizer.p = first, tokenizer.p + 1
            else:
                tokenizer.p = start
        values = _values(tokenizer, text, or_separates=False)  # filters or other text: None
    except (_TokenizationError, _TooDeep):
        return text
    if not values:
        return text
    rewritten = [_operand(value) for value in values]
    if rewritten == values and (group is None or _operand(group) == group):
        return text
    joined = ", ".join(rewritten)
    return f"{_operand(group)}: {joined}" if group is not None else joined


#: Where ``{% capture ') x %}`` (a quoted name that is no variable name) captures.
UNREADABLE_CAPTURE = "__novu_capture__"
#: The variable LiquidJS's ``{% increment %}`` without a name counts in.
EMPTY_NAME = "__novu_empty__"
_NAME = re.compile(r"[A-Za-z_][\w-]*\Z")
_LOOP_KEYS = {"for": ("offset", "limit", "reversed"), "tablerow": ("cols", "limit", "offset")}


def _loop_source(name: str, text: str) -> str:
    tokenizer = _Tokenizer(text, 0, len(text), 64)
    variable = tokenizer.read_identifier()
    tokenizer.read_identifier()  # "in"
    tokenizer.skip_blank()
    start = tokenizer.p
    tokenizer.read_value()
    collection = _operand(text[start : tokenizer.p].rstrip(_BLANK_TEXT))
    hashes: Dict[str, str] = {}
    while True:
        tokenizer.skip_blank()
        if tokenizer.peek() == ",":
            tokenizer.p += 1
        key = tokenizer.read_identifier()
        if not key:
            break
        value = "true"  # a key without a value is true to LiquidJS
        tokenizer.skip_blank()
        if tokenizer.peek() == ":":
            tokenizer.p += 1
            tokenizer.skip_blank()
            start = tokenizer.p
            if tokenizer.read_value() is not None:
                value = _operand(text[start : tokenizer.p].rstrip(_BLANK_TEXT))
        hashes[key] = value
    parts = [f"{variable_name(variable)} in {collection}"]
    for key in _LOOP_KEYS[name]:
        if key in hashes:
            parts.append("reversed" if key == "reversed" else f"{key}: {hashes[key]}")
    return " ".join(parts)


def tag_source(name: str, text: str) -> str:
    """A tag's expression as python-liquid source that means what LiquidJS
    reads in ``text`` (empty: no expression).

    ``assign`` reads its value as an output does; end tags (and ``else``)
    ignore their arguments; ``increment`` and
    ``decrement`` count in the variable named by the word read (none counts
    in one shared variable); ``capture`` takes a name or a quoted name;
    ``for`` and ``tablerow`` keep the parameters LiquidJS uses (a parameter
    without a value is ``true``).  Text this cannot read is returned as is.
    """
    if name == "else" or name.startswith("end"):
        return ""
    try:
        if name == "assign":
            tokenizer = _Tokenizer(text, 0, len(text), 64)
            word = tokenizer.read_identifier()
            tokenizer.skip_blank()
            if not _NAME.match(word) or tokenizer.peek() != "=":
                return text
            return f"{variable_name(word)} = {output_source(text[tokenizer.p + 1 :].strip(_BLANK_TEXT))}"
        if name in ("increment", "decrement"):
            word = _Tokenizer(text, 0, len(text), 64).read_identifier()
            word = word or EMPTY_NAME
            return variable_name(word) if _NAME.match(word) else text
        if name == "capture":
            tokenizer = _Tokenizer(text, 0, len(text), 64)
            word = tokenizer.read_identifier()
            if not word:
                quoted = tokenizer.read_quoted()
                if not quoted:
                    return text
                # a quoted name no template can read back: captured all the same
                word = _unquote(quoted)
                return variable_name(word) if _NAME.match(word) else UNREADABLE_CAPTURE
            return variable_name(word) if _NAME.match(word) else text
        if name in _LOOP_KEYS:
            return _loop_source(name, text)
    except (_TokenizationError, _TooDeep):
        return text
    return text
