"""Where Flask-Novu leans on what its dependencies do not promise.

Each reliance on a dependency's private module or attribute lives in one
place, and these tests fail loudly (instead of the package silently falling
back, or silently changing behaviour) when a release of the dependency
changes it. The ``latest`` tox environment runs them against the newest
release of every dependency.
"""

from __future__ import annotations

import inspect
import re
import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from flask import Flask
from jsonschema import Draft7Validator
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from flask_novu import _sre, serve
from flask_novu._werkzeug import raw_header_list, stream_untouched
from flask_novu.mock import _PATTERN_CANDIDATES, mock_from_schema
from flask_novu.validation import JsonSchemaValidator, SchemaValidationError

# -- JSON equality (const / enum): our own, agreeing with jsonschema's --------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, -1.0, 2.5, 1e300]),
    st.sampled_from(["", "a", "1", "true"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "1"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def _lookalike(value: t.Any) -> t.Any:
    """A value JSON Schema may or may not call equal: numbers as floats,
    booleans as numbers (arrays stay lists: JSON has no tuples, and releases
    of jsonschema disagree on them)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_lookalike(v) for v in value]
    if isinstance(value, dict):
        return {k: _lookalike(v) for k, v in value.items()}
    return value


def _accepts(schema: dict[str, t.Any], value: t.Any) -> bool:
    try:
        JsonSchemaValidator(schema).validate(value)
    except SchemaValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(JSON, JSON, st.sampled_from(["same", "lookalike", "other"]))
def test_const_and_enum_agree_with_jsonschema(expected: t.Any, other: t.Any, how: str) -> None:
    candidate = {"same": expected, "lookalike": _lookalike(expected), "other": other}[how]
    for schema in ({"const": expected}, {"enum": [expected]}, {"enum": ["zz", other, expected]}):
        assert _accepts(schema, candidate) == Draft7Validator(schema).is_valid(candidate), (schema, candidate)


@pytest.mark.parametrize(
    ("expected", "value", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ([1, True], [1.0, True], True),
        ({"a": [0]}, {"a": [False]}, False),
        ("1", 1, False),
        (None, 0, False),
        ([], {}, False),
    ],
)
def test_const_equality_rules(expected: t.Any, value: t.Any, equal: bool) -> None:
    assert _accepts({"const": expected}, value) is equal


# -- the stdlib's regex parser (flask_novu._sre), behind pattern mocks -------------------

def test_regex_parse_tree_has_the_shape_the_mock_writer_reads() -> None:
    tree = _sre.parse(r"^a.[b-d\d_]+?[^x]\w*(?:x|yz)(?=q)(?!r)\b\s\D(ab){2,3}$")
    assert [_sre.opname(op) for op, _ in tree] == [
        "AT", "LITERAL", "ANY", "MIN_REPEAT", "NOT_LITERAL", "MAX_REPEAT", "BRANCH",
        "ASSERT", "ASSERT_NOT", "AT", "IN", "IN", "MAX_REPEAT", "AT",
    ]  # fmt: skip
    literal = tree[1]
    assert literal[1] == ord("a")
    low, high, item = tree[3][1]  # repeats: (min, max, subpattern)
    assert (low, [_sre.opname(op) for op, _ in item]) == (1, ["IN"])
    members = [_sre.opname(op) for op, _ in item[0][1]]
    assert members == ["RANGE", "CATEGORY", "LITERAL"]
    assert _sre.opname(item[0][1][1][1]) == "CATEGORY_DIGIT"
    group = tree[12][1][2][0]
    assert _sre.opname(group[0]) == "SUBPATTERN" and len(group[1]) == 4


@pytest.mark.parametrize(
    "pattern",
    [
        r"^ord_[0-9]{4}-[A-Z]{2}$",
        r"^\d{3}\.\w+@(?:mail|post)\.example$",
        r"^[^a]x+?(ab){2}\s\S$",
        r"^(?=v)v[0-9]+(?!z)$",
    ],
)
def test_pattern_mocks_come_from_the_parse_tree(pattern: str) -> None:
    """None of these is matched by a fixed candidate: only a working parse
    tree gives a mock that matches."""
    assert not any(re.search(pattern, candidate) for candidate in _PATTERN_CANDIDATES)
    value = mock_from_schema({"type": "string", "pattern": pattern})
    assert isinstance(value, str) and re.search(pattern, value), value


# -- Werkzeug internals behind the bridge's fast paths (flask_novu._werkzeug) -------------


def test_werkzeug_headers_keep_their_pairs_in_a_list() -> None:
    headers = Headers([("Content-Type", "application/json")])
    raw = raw_header_list(headers)
    assert raw is not None, "Headers._list is gone: framework headers take Werkzeug's slow path"
    raw.append(("Novu-Framework-Version", "2.13.2"))
    assert headers["Novu-Framework-Version"] == "2.13.2"
    assert list(headers.items()) == [("Content-Type", "application/json"), ("Novu-Framework-Version", "2.13.2")]


def test_werkzeug_caches_the_request_stream_in_the_instance() -> None:
    def fresh() -> Request:
        return Request(EnvironBuilder(method="POST", data=b'{"payload": {}}').get_environ())

    untouched = fresh()
    assert stream_untouched(untouched), "Request.stream is no longer a cached_property"
    read = fresh()
    read.stream.read()
    assert not stream_untouched(read)
    data = fresh()
    data.get_data(cache=True)
    assert not stream_untouched(data)


def test_bridge_responses_carry_the_framework_headers_once() -> None:
    """The fast path's effect, through the bridge."""
    app = Flask(__name__)
    serve(app, workflows=[])
    response = app.test_client().get("/api/novu?action=health-check")
    names = [name for name, _ in response.headers.items()]
    assert names.count("Novu-Framework-Version") == 1
    assert response.headers["Novu-Framework-SDK"]


# -- python-liquid internals behind LiquidJS rendering (flask_novu._liquid_internals) ----

_LIQUID_SOURCE = (
    "Hi {{ user.name | upcase }}"
    "{% for i in (1..5) limit: 2 offset: 1 reversed %}{{ i }}{% else %}none{% endfor %}"
    "{% tablerow i in (1..4) cols: 2 %}{{ i }}{% endtablerow %}"
    "{% if a == 'x' and b contains c %}{% echo nil %}{% endif %}"
)


def _parameters(function: t.Callable[..., t.Any]) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def test_liquid_nodes_have_the_shape_the_renderer_reads() -> None:
    from liquid import Environment

    from flask_novu import _liquid_internals as li

    nodes = Environment().from_string(_LIQUID_SOURCE).nodes
    content, output, loop, tablerow, conditional = nodes
    # The fast-path planner reads text, output expressions, paths and filters.
    assert type(content) is li.ContentNode and content.text == "Hi "
    assert type(output) is li.OutputNode
    expression = output.expression
    assert type(expression) is li.FilteredExpression and type(expression.left) is li.Path
    assert expression.left.path == ["user", "name"]
    assert [(f.name, f.args) for f in expression.filters] == [("upcase", [])]
    # ``for`` and ``tablerow`` are rebuilt from their parts, with a counting loop expression.
    assert type(loop) is li.ForNode
    assert loop.token.kind == "tag" and loop.default is not None and loop.block is not None
    header = loop.expression
    assert type(header) is li.LoopExpression
    assert (header.identifier, header.reversed) == ("i", True)
    assert header.limit is not None and header.offset is not None and header.cols is None
    assert _parameters(li.LoopExpression.__init__)[:7] == [
        "token", "identifier", "iterable", "limit", "offset", "reversed_", "cols",
    ]
    # The override that charges skipped items must still be the method python-liquid calls.
    assert _parameters(li.LoopExpression._slice) == ["it", "length", "context", "limit", "offset"]
    assert _parameters(li.ForNode.__init__)[:4] == ["token", "expression", "block", "default"]
    assert type(tablerow) is li.TablerowNode and tablerow.expression.cols is not None
    assert _parameters(li.TablerowNode.__init__)[:3] == ["token", "expression", "block"]
    assert callable(li.TablerowNode._int_or_zero)
    row = li.TableRow("i", iter([1, 2, 3]), 3, 2)
    assert [(row.row, row.col, row.col0) for _ in row] == [(1, 1, 0), (1, 2, 1), (2, 1, 0)]
    assert li.Output.node_class is li.OutputNode and li.EchoTag.node_class is li.EchoNode
    # Comparisons are rewritten in place by walking children() of every node's expressions().
    kinds = set()
    stack: list[t.Any] = [e for n in conditional.children(None, include_partials=False) for e in n.expressions()]
    stack += list(conditional.expressions())
    while stack:
        item = stack.pop()
        kinds.add(type(item))
        stack.extend(item.children())
    assert {li.EqExpression, li.ContainsExpression, li.StringLiteral} <= kinds
    for kind in (li.EqExpression, li.NeExpression, li.LtExpression, li.GtExpression,
                 li.LeExpression, li.GeExpression, li.ContainsExpression):
        assert {"left", "right"} <= set(kind.__slots__) | set(getattr(kind, "__annotations__", {}))


def test_liquid_loop_overrides_take_effect() -> None:
    """Our ``for``/``tablerow`` nodes replace python-liquid's; if a release
    stopped calling what they override, these renderings would change."""
    from flask_novu.templating import compile_controls

    rendered = compile_controls(
        {"body": "{% for i in (1..5) offset: 2 limit: 2 %}{{ i }}{% endfor %}|"
        "{% for i in (1..5) offset: 9 %}{{ i }}{% else %}none{% endfor %}|"
        "{% tablerow i in (1..3) cols: 2 %}{{ i }}{% endtablerow %}"},
        {},
    )["body"]
    assert rendered == (
        "34||"
        '<tr class="row1"><td class="col1">1</td><td class="col2">2</td></tr>'
        '<tr class="row2"><td class="col1">3</td></tr>'
    )


def test_liquid_filter_arguments_take_empty_and_blank() -> None:
    # _liquid_internals lists the two literals among python-liquid's filter
    # argument tokens; a release that stops reading that set fails here.
    from liquid import Environment

    from flask_novu import _liquid_internals as li

    (output,) = Environment().from_string("{{ a | default: empty, blank }}").nodes
    (default,) = output.expression.filters
    assert [type(arg.value) for arg in default.args] == [li.Empty, li.Blank]
