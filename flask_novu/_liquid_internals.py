"""The python-liquid internals Flask-Novu builds on, in one place.

python-liquid's public API (``liquid.__all__``) covers environments,
templates, contexts, tags, nodes and the token stream. Rendering as LiquidJS
renders also needs classes python-liquid does not list there: the built-in
output, ``echo``, ``for`` and ``tablerow`` nodes and tags (subclassed to
write, count and loop as LiquidJS does), the expression classes (read by the
fast-path planner and rewritten for LiquidJS comparisons), the token kinds
(produced by our tokenizer) and its exceptions.

Every other module imports them from here, so a python-liquid release that
moves or reshapes them breaks one import, and
``tests/test_dependency_internals.py`` checks the attributes, constructor
arguments and overridden methods relied on, so such a release fails the
suite loudly instead of rendering differently.
"""

from __future__ import annotations

from liquid.ast import BlockNode
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import (
    BooleanExpression,
    Filter,
    FilteredExpression,
    LoopExpression,
    Path,
)
from liquid.builtin.expressions import filtered as _filtered
from liquid.builtin.expressions import tokenize as tokenize_expression
from liquid.builtin.expressions.logical import (
    ContainsExpression,
    EqExpression,
    GeExpression,
    GtExpression,
    LeExpression,
    LtExpression,
    NeExpression,
)
from liquid.builtin.expressions.primitive import Blank, Empty, Nil, StringLiteral
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.builtin.tags.case_tag import _AnyExpression as AnyExpression
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.builtin.tags.for_tag import ForNode, ForTag
from liquid.builtin.tags.tablerow_tag import TableRow, TablerowNode, TablerowTag
from liquid.exceptions import (
    BreakLoop,
    ContinueLoop,
    LiquidError,
    LiquidSyntaxError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
)
from liquid.token import (
    TOKEN_BLANK,
    TOKEN_CONTENT,
    TOKEN_EMPTY,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_OUTPUT,
    TOKEN_TAG,
)

#: The token kinds python-liquid accepts as a filter argument. LiquidJS also
#: takes the ``empty`` and ``blank`` literals there (``| default: empty``),
#: which python-liquid's argument parser does not list; it parses them as
#: any other literal once listed (in every python-liquid environment of the
#: process: it has no per-environment setting).
FILTER_ARGUMENT_TOKENS = _filtered.FILTER_TOKENS
FILTER_ARGUMENT_TOKENS.update((TOKEN_EMPTY, TOKEN_BLANK))

__all__ = [
    "BlockNode",
    "CaseNode",
    "MultiExpressionBlockNode",
    "AssignNode",
    "AnyExpression",
    "TOKEN_CONTENT",
    "TOKEN_EOF",
    "TOKEN_EXPRESSION",
    "TOKEN_OUTPUT",
    "TOKEN_TAG",
    "Blank",
    "BooleanExpression",
    "BreakLoop",
    "ContainsExpression",
    "ContentNode",
    "ContinueLoop",
    "EchoNode",
    "EchoTag",
    "Empty",
    "EqExpression",
    "FILTER_ARGUMENT_TOKENS",
    "Filter",
    "FilteredExpression",
    "ForNode",
    "ForTag",
    "GeExpression",
    "GtExpression",
    "LeExpression",
    "LiquidError",
    "LiquidSyntaxError",
    "LoopExpression",
    "LoopIterationLimitError",
    "LtExpression",
    "NeExpression",
    "Nil",
    "Output",
    "OutputNode",
    "OutputStreamLimitError",
    "Path",
    "ResourceLimitError",
    "StringLiteral",
    "TableRow",
    "TablerowNode",
    "TablerowTag",
    "tokenize_expression",
]
