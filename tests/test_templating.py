"""Tests of the Liquid compilation of step controls (protocol §3.6).

Expected values come from the captured responses of ``@novu/framework``
2.13.2 (reference_responses.md LIVE §2, §3, §8, §9) and from running its
``compileControls`` on the same input.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict, defaultdict
from typing import Any

import pytest

from _growth import cpu_time
from flask_novu import templating
from flask_novu.templating import ControlCompilationError, LiquidLimits, compile_controls

SUBSCRIBER = {
    "subscriberId": "sub_123",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
}


def make_context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "workflow": {"workflowId": "misc-demo", "tags": []},
        "payload": {"userName": "Ada", "plan": "pro"},
        "subscriber": SUBSCRIBER,
        "context": {},
        "steps": {},
        "env": {},
    }
    context.update(overrides)
    return context


def render(template: str, **overrides: Any) -> Any:
    return compile_controls({"value": template}, make_context(**overrides))["value"]


def error_name(template: str, limits: LiquidLimits | None = None) -> str:
    with pytest.raises(ControlCompilationError) as info:
        compile_controls({"value": template}, make_context(), limits)
    return str(info.value.data["name"])


# -- LIVE examples -------------------------------------------------------------


def test_live_in_app_welcome_defaults() -> None:
    controls = {
        "subject": "Welcome {{payload.userName}}",
        "body": "Hi {{subscriber.firstName}}, you are on the {{payload.plan}} plan.",
    }
    assert compile_controls(controls, make_context()) == {
        "subject": "Welcome Ada",
        "body": "Hi Ada, you are on the pro plan.",
    }


def test_live_preview_missing_variable_renders_empty() -> None:
    controls = {"body": "Hi {{subscriber.firstName}}, you are on the {{payload.plan}} plan."}
    context = make_context(subscriber={}, payload={"userName": "[placeholder]", "plan": "free"})
    assert compile_controls(controls, context) == {"body": "Hi , you are on the free plan."}


def test_live_misc_demo_greeting_uses_workflow_context_and_env() -> None:
    controls = {
        "greeting": "Hello {{subscriber.firstName}} from {{context.tenant.id}} "
        "({{env.name}}) in {{workflow.workflowId}}"
    }
    context = make_context(
        context={"tenant": {"id": "org-acme", "data": {"plan": "enterprise"}}},
        env={"name": "Development", "type": "dev"},
    )
    assert compile_controls(controls, context) == {
        "greeting": "Hello Ada from org-acme (Development) in misc-demo"
    }


def test_live_previous_step_outputs() -> None:
    context = make_context(steps={"echo": {"controlsSeen": {"greeting": "Hi from state"}}})
    controls = {"subject": "Echo said: {{steps.echo.controlsSeen.greeting}}"}
    assert compile_controls(controls, context) == {"subject": "Echo said: Hi from state"}


def test_live_unclosed_if_is_a_tokenization_error() -> None:
    assert error_name("{% if %}") == "TokenizationError"


# -- values and escaping -------------------------------------------------------


def test_objects_render_as_single_quoted_json() -> None:
    assert render("{{payload}}") == "{'userName':'Ada','plan':'pro'}"
    assert render("{{ payload.items }}", payload={"items": [1, "x", {"y": None}]}) == (
        "[1,'x',{'y':null}]"
    )


def test_object_keys_follow_javascript_order() -> None:
    assert render("{{ payload }}", payload={"b": 1, "10": 2, "2": 3}) == "{'2':3,'10':2,'b':1}"


def test_scalars_render_with_javascript_semantics() -> None:
    payload = {"n": 5.0, "f": 1.25, "t": True, "no": False, "none": None, "big": 1e21, "tiny": 1e-7}
    out = render(
        "{{payload.n}}|{{payload.f}}|{{payload.t}}|{{payload.no}}|{{payload.none}}|"
        "{{payload.big}}|{{payload.tiny}}|{{payload.missing.deep}}",
        payload=payload,
    )
    assert out == "5|1.25|true|false||1e+21|1e-7|"


def test_strings_are_inserted_verbatim() -> None:
    value = 'he said "hi"\n\\ok\ttab'
    assert render("{{ payload.q }}", payload={"q": value}) == value


def test_nested_lookups_into_dicts_and_lists() -> None:
    payload = {"orders": [{"id": "o1"}, {"id": "o2", "lines": [{"sku": "S"}]}]}
    assert render("{{ payload.orders[1].lines[0].sku }} {{ payload.orders.size }}", payload=payload) == (
        "S 2"
    )


def test_newlines_in_controls_survive_whitespace_control() -> None:
    # The SDK renders the JSON-escaped text, so "\n" is not whitespace to Liquid.
    assert render("A\n{%- if true -%}\nB\n{%- endif -%}\nC") == "A\n\nB\n\nC"


def test_double_quoted_string_literal_is_an_error_like_the_sdk() -> None:
    assert error_name('{{ "a" | upcase }}') == "TokenizationError"


# -- translations --------------------------------------------------------------


def test_translation_placeholders_are_preserved() -> None:
    out = render("{{t.a}} {{  t.b-c_d.e  }} {{ 't.y' }} [T:z]")
    assert out == "{{t.a}} {{t.b-c_d.e}} {{t.y}} {{t.z}}"


def test_translation_placeholder_with_filter_is_rendered_like_the_sdk() -> None:
    assert render("[{{ t.key | upcase }}]") == "[]"
    assert render("{{ 't.key' | upcase }}") == "{{t.KEY}}"


def test_plain_translation_marker_without_liquid() -> None:
    assert render("see [T:footer.note]") == "see {{t.footer.note}}"


# -- filters -------------------------------------------------------------------


def test_json_filter() -> None:
    payload = {"o": {"k": [1, 2.0]}, "s": "plain"}
    assert render("{{ payload.o | json }}", payload=payload) == "{'k':[1,2]}"
    assert render("{{ payload.s | json }}", payload=payload) == "plain"
    assert render("{{ payload.o | json: 2 }}", payload=payload) == (
        "{\\n  'k': [\\n    1,\\n    2\\n  ]\\n}"
    )


@pytest.mark.parametrize(
    ("names", "args", "expected"),
    [
        ([], "", ""),
        (["A"], "", "A"),
        (["A", "B"], "", "A and B"),
        (["A", "B", "C"], "", "A, B and 1 other"),
        (["A", "B", "C", "D"], "", "A, B and 2 others"),
        (["A", "B", "C", "D"], ": 3", "A, B, C and 1 other"),
        (["A", "B", "C", "D"], ": 4", "A, B, C and D"),
        (["A", "B", "C", "D"], ": 1, '', ' / '", "A and 3 others"),
        (["A", "B", "C"], ": 3, '', ' / '", "A / B and C"),
    ],
)
def test_digest(names: list[str], args: str, expected: str) -> None:
    assert render("{{ payload.names | digest" + args + " }}", payload={"names": names}) == expected


def test_digest_with_key_path() -> None:
    people = [{"name": "N1"}, {"name": "N2"}, {"name": "N3"}, {"other": 1}]
    assert render("{{ payload.p | digest: 3, 'name' }}", payload={"p": people}) == (
        "N1, N2, N3 and 1 other"
    )
    assert render("{{ payload.p | digest: 2, 'missing' }}", payload={"p": people}) == (
        ",  and 2 others"
    )
    assert render("{{ payload.p | digest }}", payload={"p": "not a list"}) == ""


@pytest.mark.parametrize(
    ("names", "args", "expected"),
    [
        (["A"], "", "A"),
        (["A", "B"], "", "A and B"),
        (["A", "B", "C"], "", "A, B, and 1 other"),
        (["A", "B", "C", "D"], "", "A, B, and 2 others"),
        (["A", "B", "C", "D"], ": '', 3", "A, B, C, and 1 other"),
        (["A", "B", "C", "D"], ": '', 1", "A and 3 others"),
        (["A", "B", "C", "D"], ": '', 10", "A, B, C, and D"),
        (["A", "B", "C", "D"], ": '', 2, 'person'", "A, B, and 2 people"),
        (["A", "B", "C", "D"], ": '', 2, 'item', '; ', ' & ', ' et '", "A; B et 2 items"),
        ([1, 2, 3, 4, 5, 6], ": '', 4, 'box'", "1, 2, 3, 4, and 2 boxes"),
    ],
)
def test_to_sentence(names: list[Any], args: str, expected: str) -> None:
    assert render("{{ payload.n | toSentence" + args + " }}", payload={"n": names}) == expected


def test_to_sentence_with_key_path() -> None:
    people = [{"name": "N1"}, {"name": "N2"}, {"name": "N3"}]
    assert render("{{ payload.p | toSentence: 'name' }}", payload={"p": people}) == (
        "N1, N2, and 1 other"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 1 | pluralize: 'item' }}", "1 item"),
        ("{{ 3 | pluralize: 'item' }}", "3 items"),
        ("{{ 0 | pluralize: 'item' }}", ""),
        ("{{ -1 | pluralize: 'item' }}", ""),
        ("{{ payload.list | pluralize: 'person' }}", "2 people"),
        ("{{ payload.obj | pluralize: 'key' }}", "3 keys"),
        ("{{ 2 | pluralize: 'child', 'kids' }}", "2 kids"),
        ("{{ 1 | pluralize: 'child', 'kids' }}", "1 child"),
        ("{{ 2 | pluralize: 'item', '', 'false' }}", "items"),
        ("{{ 2 | pluralize: 'item', '', true }}", "items"),
        ("{{ '4' | pluralize: 'cat' }}", "4 cats"),
        ("{{ 'abc' | pluralize: 'cat' }}", ""),
        ("{{ 1.5 | pluralize: 'mile' }}", "1.5 miles"),
        ("{{ payload.none | pluralize: 'x' }}", ""),
        ("{{ 2 | pluralize: 'City' }}", "2 Cities"),
        ("{{ 2 | pluralize: 'SHEEP' }}", "2 SHEEP"),
        ("{{ 2 | pluralize: 'box' }}|{{ 2 | pluralize: 'knife' }}|{{ 2 | pluralize: 'analysis' }}",
         "2 boxes|2 knives|2 analyses"),
    ],
)
def test_pluralize(template: str, expected: str) -> None:
    assert render(template, payload={"list": [1, 2], "obj": {"a": 1, "b": 2, "c": 3}}) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'Hello' | upcase }}", "HELLO"),
        ("{{ payload.none | default: 'dflt' }}", "dflt"),
        ("{{ payload.list | size }}", "2"),
        ("{{ payload.list | join: '-' }}", "1-2"),
        ("{{ 'a,b' | split: ',' }}", "['a','b']"),
        ("{{ payload.d | date: '%Y-%m-%d' }}", "2024-01-15"),
        ("{{ 7 | divided_by: 2 }}|{{ 7 | divided_by: 2, true }}|{{ 1 | divided_by: 0 }}", "3.5|3|Infinity"),
        ("{{ 0.1 | plus: 0.2 }}|{{ -7 | modulo: 3 }}|{{ 'x' | times: 2 }}", "0.30000000000000004|2|0"),
        ("{{ 2.5 | round }}|{{ 3.14159 | round: 2 }}", "3|3.14"),
        ("{% assign x = 3 %}{% for i in (1..x) %}{{ forloop.index }}{% endfor %}", "123"),
        ("{% capture c %}a{{ 1 }}{% endcapture %}{{ c }}", "a1"),
    ],
)
def test_standard_liquid_keeps_working(template: str, expected: str) -> None:
    payload = {"list": [1, 2], "d": "2024-01-15T10:00:00Z"}
    assert render(template, payload=payload) == expected


# -- structure -----------------------------------------------------------------


def test_nested_controls_non_strings_and_no_mutation() -> None:
    controls: dict[str, Any] = {
        "title": "Hi {{ payload.userName }}",
        "count": 5,
        "ratio": 2.5,
        "flag": True,
        "nothing": None,
        "plain": "no liquid here",
        "buttons": [{"label": "{{ payload.plan }}"}, "static", 3],
        "nested": {"deep": {"text": "{{ subscriber.lastName }}"}},
    }
    original = copy.deepcopy(controls)
    result = compile_controls(controls, make_context())
    assert controls == original
    assert result == {
        "title": "Hi Ada",
        "count": 5,
        "ratio": 2.5,
        "flag": True,
        "nothing": None,
        "plain": "no liquid here",
        "buttons": [{"label": "pro"}, "static", 3],
        "nested": {"deep": {"text": "Lovelace"}},
    }
    assert result["buttons"] is not controls["buttons"]
    assert result["nested"]["deep"] is not controls["nested"]["deep"]


def test_json_string_controls_are_compiled_and_reserialised() -> None:
    controls = {
        "obj": '{"a": "{{payload.userName}}", "b": [1, 2.0]}',
        "arr": '[ "{{payload.plan}}" ]',
        "notjson": "{ nope }",
    }
    assert compile_controls(controls, make_context()) == {
        "obj": '{"a":"Ada","b":[1,2]}',
        "arr": '["pro"]',
        "notjson": "{ nope }",
    }


def test_data_control_single_quoted_json_is_repaired() -> None:
    controls = {"data": {"obj": "{{ payload }}", "bad": "[1,2", "ok": '{"k": "{{payload.plan}}"}'}}
    assert compile_controls(controls, make_context()) == {
        "data": {"obj": '{"userName":"Ada","plan":"pro"}', "bad": "[1,2", "ok": '{"k":"pro"}'}
    }


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "name"),
    [
        ("{{ payload.userName ", "TokenizationError"),
        ("{{ }}", "TokenizationError"),
        ("{{ 'abc }}", "TokenizationError"),
        ("{% assign %}", "TokenizationError"),
        ("{% foo %}", "ParseError"),
        ("{% if x %}", "ParseError"),
        ("{% endif %}", "ParseError"),
        ("{% for %}{% endfor %}", "ParseError"),
        ("{% comment %}", "ParseError"),
        ("{% include 'partial' %}", "RenderError"),
        ("{{ 'a' | append }}", "RenderError"),
    ],
)
def test_template_errors(template: str, name: str) -> None:
    assert error_name(template) == name


def test_error_data_is_json_serialisable() -> None:
    with pytest.raises(ControlCompilationError) as info:
        compile_controls({"a": "ok", "b": "{% if %}"}, make_context())
    assert info.value.data == {"name": "TokenizationError"}
    assert isinstance(info.value, Exception)


# -- limits --------------------------------------------------------------------


def _timed_error(template: str, limits: LiquidLimits | None = None) -> tuple[str, float]:
    """The error name of ``template`` and its best CPU time over two runs."""
    name = error_name(template, limits)
    return name, min(cpu_time(lambda: error_name(template, limits)) for _ in range(2))


@pytest.fixture(scope="module")
def within_limits_cost() -> float:
    """CPU time of a template that legitimately works near the loop limit
    (9,000 of the 10,000 iterations): the budget a bomb is measured against,
    so a slow or loaded machine does not fail these tests."""
    template = "{% for i in (1..9000) %}x{% endfor %}"
    assert render(template) == "x" * 9000
    return max(min(cpu_time(lambda: render(template)) for _ in range(3)), 0.002)


def test_huge_loop_fails_fast(within_limits_cost: float) -> None:
    name, cost = _timed_error("{% for i in (1..100000000) %}x{% endfor %}")
    assert name == "LimitError"
    assert cost < 10 * within_limits_cost, (cost, within_limits_cost)


def test_huge_reversed_loop_fails_fast(within_limits_cost: float) -> None:
    name, cost = _timed_error("{% for i in (1..100000000) reversed %}x{% endfor %}")
    assert name == "LimitError"
    assert cost < 10 * within_limits_cost, (cost, within_limits_cost)


def test_huge_range_in_filter_or_output_fails_fast(within_limits_cost: float) -> None:
    assert _timed_error("{{ (1..100000000) | join }}")[0] == "LimitError"
    name, cost = _timed_error("{{ (1..100000000) }}")
    assert name == "LimitError"
    assert cost < 10 * within_limits_cost, (cost, within_limits_cost)


def test_loop_iterations_are_counted_across_loops() -> None:
    limits = LiquidLimits(max_loop_iterations=100)
    ok = compile_controls({"v": "{% for i in (1..60) %}{% endfor %}done"}, make_context(), limits)
    assert ok == {"v": "done"}
    assert error_name("{% for i in (1..60) %}{% endfor %}{% for i in (1..60) %}{% endfor %}", limits) == (
        "LimitError"
    )


def test_output_size_limit() -> None:
    limits = LiquidLimits(max_output_size=1000)
    assert render("{% for i in (1..50) %}0123456789{% endfor %}") == "0123456789" * 50
    assert error_name("{% for i in (1..200) %}0123456789{% endfor %}", limits) == "LimitError"


def test_exponential_assign_growth_is_limited(within_limits_cost: float) -> None:
    template = "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}"
    name, cost = _timed_error(template)
    assert name == "LimitError"
    assert cost < 10 * within_limits_cost, (cost, within_limits_cost)


def test_template_length_limit() -> None:
    limits = LiquidLimits(max_template_length=100)
    assert error_name("{{ payload.userName }}" + "x" * 100, limits) == "LimitError"
    long_plain = "x" * 1000  # no Liquid: never parsed, never rejected
    assert compile_controls({"v": long_plain}, make_context(), limits) == {"v": long_plain}


def test_nesting_depth_limit() -> None:
    limits = LiquidLimits(max_context_depth=5)
    shallow = "{% if true %}" * 3 + "x" + "{% endif %}" * 3
    deep = "{% if true %}" * 10 + "x" + "{% endif %}" * 10
    assert compile_controls({"v": shallow}, make_context(), limits) == {"v": "x"}
    assert error_name(deep, limits) == "LimitError"


# -- concurrency ---------------------------------------------------------------


def test_concurrent_rendering_from_threads() -> None:
    controls = {
        "subject": "Welcome {{ payload.userName }}",
        "body": "{% for i in (1..20) %}{{ i }}{% endfor %} {{ payload.tags | toSentence: '', 5 }}",
    }
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for round_ in range(50):
                name = f"user{index}-{round_}"
                context = make_context(payload={"userName": name, "tags": ["a", "b", str(index)]})
                result = compile_controls(controls, context)
                expected_body = "".join(str(i) for i in range(1, 21)) + f" a, b, and {index}"
                assert result == {"subject": f"Welcome {name}", "body": expected_body}
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# -- fast path (plain ``{{ a.b.c }}`` outputs) ---------------------------------


class _Drop(dict):  # type: ignore[type-arg]
    """A dict subclass: the fast path must leave it to python-liquid."""

    def __getitem__(self, key: Any) -> Any:
        return f"drop:{key}"


_FAST_VALUES: dict[str, Any] = {
    "str": "Ada",
    "quotes": 'say "hi" it\'s',
    "newlines": "a\nb\r\nc\td",
    "backslashes": "C:\\path\\u0041 \\n",
    "unicode": "caf\xe9 \u2603 \U0001f600",
    "surrogate": "bad \ud800 surrogate",
    "marker": "[T:greeting] {{ payload.str }}",
    "empty_str": "",
    "int": 42,
    "neg": -7,
    "big": 2**60,
    "float": 1.5,
    "whole_float": 3.0,
    "tiny": 1e-7,
    "huge": 1e21,
    "negzero": -0.0,
    "nan": float("nan"),
    "inf": float("inf"),
    "yes": True,
    "no": False,
    "none": None,
    "list": [1, "two", None, {"k": "v"}],
    "tuple": ("a", 1),
    "empty_list": [],
    "obj": {"a": {"b": {"c": "deep"}}, "quote": 'x"y', "n": 1},
    "empty_obj": {},
    "ordered": OrderedDict(a=1),
    "default": defaultdict(str, a="b"),
    "drop": _Drop(a="b"),
    "range": range(3),
    "size": "has a size key",
    "a b": "spaced key",
}

_FAST_TEMPLATES = [
    *(f"{{{{ payload.{key} }}}}" for key in _FAST_VALUES if key.isidentifier()),
    "{{payload.str}}",
    "Hi {{ payload.str }}, {{subscriber.firstName}}!",
    "{{ payload.obj.a.b.c }} / {{ payload.obj.a }} / {{ payload.obj.missing.x }}",
    "{{ payload.missing }}|{{ nothing.at.all }}|{{ payload.str.length }}|{{ payload.int.x }}",
    "{{ payload.list.x }}{{ payload.none.x }}{{ payload.tuple.x }}{{ payload.yes.x }}",
    "{{ payload.ordered.a }} {{ payload.default.a }} {{ payload.default.zz }} {{ payload.drop.a }}",
    "{{ payload.list.size }} {{ payload.list.first }} {{ payload.obj.last }} {{ payload.size }}",
    "{{ payload['a b'] }} {{ payload['str'] }}",
    "{{ payload }}",
    "{{ steps }} {{ payload.obj.a }}",
    "{{ subscriber }}",
    "{{ partial }} {{ steps.wait.duration }}",
    "{{ now.year }} {{ today }} {{ steps.wait.duration }}",
    "{{ t.greeting }} and 't.farewell' around {{ payload.str }} [T:x]",
    "quotes \" and ' and newline\n and tab\t {{ payload.str }} \\ backslash",
    "{{ payload.unicode }}\u2603{{ payload.marker }}",
    '{"nested": "{{ payload.str }}", "n": "{{ payload.int }}"}',
    "{{- payload.str -}} {{ payload.str }}",
    # argument-less filters (the fast path calls the filter function itself)
    "Your {{ payload.str | upcase }}, {{ payload.unicode | downcase | capitalize }}!",
    "{{ payload.list | size }} {{ payload.obj | size }} {{ payload.str | size }} {{ payload.int | size }}",
    "{{ payload.list | compact | reverse }} {{ payload.tuple | reverse }} {{ payload.list | uniq }}",
    "{{ payload.neg | abs }} {{ payload.float | ceil }} {{ payload.float | floor }} {{ payload.nan | abs }}",
    "{{ payload.str | sort }} {{ payload.list | sort }} {{ payload.obj | json }} {{ payload.list | toSentence }}",
    "{{ payload.missing | upcase }}|{{ payload.none | default }}|{{ payload.none | size }}|{{ nothing | upcase }}",
    "{{ payload.quotes | strip | squish }} {{ payload.surrogate | upcase }} {{ payload.int | upcase }}",
    "{{ payload.str | no_such_filter }} {{ payload.str | upcase: 1 }} {{ payload.str | escape }}",
    "{{ payload.str | base64_encode | base64_decode }} {{ payload.yes | upcase }} {{ payload.range | size }}",
    "{{ payload.backslashes | url_decode }} {{ payload.list | sum }} {{ payload.empty_list | first }}",
    "{{ payload.drop.a | upcase }} {{ payload.default.zz | size }} {{ payload.list.size | plus: 1 }}",
]


def _outcome(value: str, context: dict[str, Any], limits: LiquidLimits | None) -> Any:
    context = copy.deepcopy(context)  # python-liquid may add keys to a defaultdict
    try:
        return ("ok", compile_controls({"v": value, "data": {"x": value}}, context, limits))
    except ControlCompilationError as err:
        return ("error", err.data)


def _slow_outcome(
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    context: dict[str, Any],
    limits: LiquidLimits | None,
) -> Any:
    templating._prepare.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(templating, "_make_plan", lambda template: None)
        try:
            return _outcome(value, context, limits)
        finally:
            templating._prepare.cache_clear()


@pytest.mark.parametrize("template", _FAST_TEMPLATES)
def test_fast_path_matches_python_liquid(monkeypatch: pytest.MonkeyPatch, template: str) -> None:
    context = make_context(
        payload=dict(_FAST_VALUES),
        steps={"wait": {"duration": 300000}},
        partial="shadowed by the render namespace",
    )
    fast = _outcome(template, context, None)
    assert fast == _slow_outcome(monkeypatch, template, context, None)
    assert repr(fast) == repr(_slow_outcome(monkeypatch, template, context, None))  # NaN, -0.0


@pytest.mark.parametrize(
    "limits",
    [
        LiquidLimits(max_loop_iterations=2),
        LiquidLimits(max_output_size=10),
        LiquidLimits(max_output_size=13),
        LiquidLimits(max_output_size=0),
        LiquidLimits(max_context_depth=2),
    ],
)
@pytest.mark.parametrize(
    "template",
    [
        "{{ payload.list }}",
        "{{ payload.tuple }}{{ payload.range }}",
        "{{ payload.unicode }}",
        "{{ payload.list | reverse }}{{ payload.range | size }}",
        "{{ payload.unicode | upcase }}",
        "0123456789{{ payload.str }}",
        "ab{{ payload.missing }}",
        "{{ payload.surrogate }}",
        "{{ payload.empty_str }}",
    ],
)
def test_fast_path_matches_python_liquid_at_limits(
    monkeypatch: pytest.MonkeyPatch, template: str, limits: LiquidLimits
) -> None:
    context = make_context(payload=dict(_FAST_VALUES))
    fast = _outcome(template, context, limits)
    assert fast == _slow_outcome(monkeypatch, template, context, limits)


def test_fast_path_is_taken_for_plain_outputs() -> None:
    plain = templating._prepare("Hi {{ subscriber.firstName }} {{payload.a.b}}", LiquidLimits())
    assert plain.plan == ("Hi ", ("subscriber", "firstName"), " ", ("payload", "a", "b"))
    filtered = templating._prepare("{{ payload.x | upcase | size }}", LiquidLimits())
    assert filtered.plan is not None
    assert filtered.plan[0].segments == ("payload", "x")
    assert [name for name, _ in filtered.plan[0].filters] == ["upcase", "size"]
    for value in (
        "{% if x %}y{% endif %}",
        "{{ a[b] }}",
        "{{ a.size }}",
        "{{ payload.x | plus: 1 }}",  # arguments
        "{{ payload.x | no_such_filter }}",  # python-liquid decides
    ):
        assert templating._prepare(value, LiquidLimits()).plan is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"payload": dict(_FAST_VALUES)},
        {"payload": {"obj": dict(_FAST_VALUES)}, "subscriber": None, "steps": ["a"]},
        {"payload": "a string", "subscriber": 7, "env": _Drop(), "context": OrderedDict(k=1)},
    ],
)
def test_fast_path_matches_python_liquid_for_every_value(
    monkeypatch: pytest.MonkeyPatch, overrides: dict[str, Any]
) -> None:
    context = make_context(**overrides)
    keys = [key for key in _FAST_VALUES if key.isidentifier()]
    shapes = [
        "x{{ payload.%s }}y",
        "{{ payload.%s.a }}|{{ payload.%s.a.b }}",
        "{{ payload.obj.%s }} {{ subscriber.%s }} {{ env.%s }} {{ context.%s }}",
        "{{ steps.%s }}{{ payload.%s.k }}",
        "{{ payload.%s | upcase }}|{{ payload.%s | size }}|{{ payload.%s | first }}",
        "{{ payload.%s | capitalize | reverse }}|{{ payload.%s | abs }}|{{ payload.%s | json }}",
    ]
    templates = [shape.replace("%s", key) for shape in shapes for key in keys]
    fast = [_outcome(template, context, None) for template in templates]
    templating._prepare.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(templating, "_make_plan", lambda template: None)
        slow = [_outcome(template, context, None) for template in templates]
    templating._prepare.cache_clear()
    assert repr(fast) == repr(slow)


# -- one scope per step (the SDK renders the controls as one template) ---------


def test_variables_assigned_in_one_control_are_seen_by_the_next() -> None:
    controls = {"subject": "{% assign name = subscriber.firstName %}Hi", "body": "Dear {{ name }}"}
    assert compile_controls(controls, make_context()) == {"subject": "Hi", "body": "Dear Ada"}


def test_controls_render_in_serialisation_order() -> None:
    # The body comes first in the JSON text, so the name is not assigned yet.
    controls = {"body": "Dear {{ name }}", "subject": "{% assign name = 'Ada' %}Hi"}
    assert compile_controls(controls, make_context()) == {"body": "Dear ", "subject": "Hi"}
    # Integer-like keys come first in JavaScript objects.
    numbered = {"b": "{{ x }}", "10": "{% assign x = 'ten' %}", "2": "{{ x }}"}
    assert compile_controls(numbered, make_context()) == {"b": "ten", "10": "", "2": ""}


def test_counters_and_captures_are_shared_across_controls() -> None:
    controls = {
        "a": "{% increment c %}",
        "b": "{% increment c %}{{ c }}",
        "nested": {"list": ["{% capture who %}{{ subscriber.firstName }}{% endcapture %}", "{{ who }}!"]},
        "json": '{"k": "{{ who }}?"}',
    }
    assert compile_controls(controls, make_context()) == {
        "a": "0",
        "b": "12",
        "nested": {"list": ["", "Ada!"]},
        "json": '{"k":"Ada?"}',
    }


def test_an_assigned_variable_shadows_the_data_on_the_fast_path_too() -> None:
    controls = {"a": "{% assign subscriber = 'x' %}", "b": "{{ subscriber.firstName }}|{{ subscriber }}"}
    assert compile_controls(controls, make_context()) == {"a": "", "b": "|x"}


# -- LiquidJS semantics (values checked against the SDK 2.13.2 in node) --------

_PARITY_PAYLOAD: dict[str, Any] = {
    "items": [1, 2, 3, 4, 5, 6],
    "price": 10,
    "name": "ada lovelace",
    "n": None,
    "obj": {"a": 1, "b": "x"},
    "f": 2.5,
    "big": 9007199254740993,
    "s": "Hello World",
    "date": "2024-01-15T10:00:00+05:00",
    "list": ["b", "A", "c", None],
    "people": [{"name": "B", "age": 3}, {"name": "a", "age": 1}],
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ payload.items.size | minus: 2 | append: ' pts' }}", "4 pts"),
        ("{{ 'a' | append: 3.0 }}", "a3"),
        ("{{ payload.price | times: 1.2 | round: 2 | prepend: '$' }}", "$12"),
        ("{{ subscriber.firstName | first }}{{ subscriber.lastName | last }}", "Ae"),
        ("{{ payload.name | slugify }}|{{ payload.s | number_of_words }}", "ada-lovelace|2"),
        ("{{ '3.7' | to_integer }}|{{ '<a & b>' | xml_escape }}", "3.7|&lt;a &amp; b&gt;"),
        ("{{ '()!*' | url_encode }}|{{ '()!* x' | cgi_escape }}|{{ 'a b[1]' | uri_escape }}",
         "()!*|%28%29%21%2A+x|a%20b[1]"),
        ("{{ payload.obj | jsonify }}", '{"a":1,"b":"x"}'),
        ("{{ payload.list | array_to_sentence_string }}", "b, A, c, and null"),
        ("{{ payload.items | push: 7 | join: ',' }}|{{ payload.items | pop | join }}",
         "1,2,3,4,5,6,7|1 2 3 4 5"),
        ("{{ payload.s | truncate: 11 }}|{{ payload.s | truncate: 5 }}", "Hello World|He..."),
        ("{{ payload.n | join: ',' }}|{{ payload.obj | size }}|{{ payload.obj | upcase }}",
         "|0|[OBJECT OBJECT]"),
        ("{{ payload.missing | slice: 0 }}|{{ payload.missing | truncatewords: 3 }}", "[]|"),
        ("{{ payload.big }}", "9007199254740992"),
        ("{{ payload.date | date: '%Y-%m-%d %H:%M' }}", "2024-01-15 05:00"),
        ("{{ 'not a date' | date: '%Y' }}|{{ payload.items | date: '%Y' }}",
         "not a date|[1,2,3,4,5,6]"),
        ("{{ payload.date | date }}", "Monday, January 15, 2024 at 5:00 am +0000"),
        ("{{ payload.date | date_to_long_string }}|{{ payload.date | date_to_rfc822 }}",
         "15 January 2024|Mon, 15 Jan 2024 05:00:00 +0000"),
        ("{% for i in payload.items offset: 10 %}{{ i }}{% else %}empty{% endfor %}", ""),
        ("{% for i in payload.items limit: 0 %}{{ i }}{% else %}e{% endfor %}", ""),
        ("{% tablerow i in payload.items cols: 4 %}{{ i }}{% endtablerow %}",
         '<tr class="row1"><td class="col1">1</td><td class="col2">2</td><td class="col3">3</td>'
         '<td class="col4">4</td></tr><tr class="row2"><td class="col1">5</td><td class="col2">6</td></tr>'),
        ("{{ payload.people | where_exp: 'p', 'p.age > 2' | map: 'name' | join }}", "B"),
        ("{{ payload.people | sort: 'age' | map: 'name' | join }}|{{ payload.list | sort_natural | join: '-' }}",
         "a B|A-b-c-"),
        ("{{ false | default: 'd', allow_false: true }}|{{ 0 | default: 'z' }}", "false|0"),
        ("{% raw %}{{ keep }}{% endraw %}", "{{ keep }}"),
        ("{{ payload.s | no_such_filter }}", "Hello World"),
        ("{{ payload.s | sha256 | slice: 0, 8 }}", "a591a6d4"),
    ],
)
def test_filters_render_as_liquidjs(template: str, expected: str) -> None:
    assert render(template, payload=_PARITY_PAYLOAD) == expected


def test_ifchanged_renders_as_in_ruby_liquid() -> None:
    # A deliberate difference: LiquidJS has no ifchanged (the SDK answers a
    # ParseError); Flask-Novu keeps Ruby Liquid's tag.
    template = "{% for i in payload.l %}{% ifchanged %}{{ i }}{% endifchanged %}{% endfor %}"
    assert render(template, payload={"l": [1, 1, 2, 2, 1]}) == "121"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Answers of the SDK 2.13.2: empty and blank are literals in filter
        # arguments too (an empty drop: appended as nothing, shown as {}).
        ("{{ payload.userName | append: empty }}", "Ada"),
        ("{{ payload.userName | append: blank }}", "Ada"),
        ("{{ payload.none | default: empty }}", "{}"),
        ("{{ payload.missing | default: blank }}", "{}"),
        ("{{ payload.list | push: empty | size }}", "4"),
        ("{{ payload.text | split: empty | size }}", "11"),
    ],
)
def test_empty_and_blank_as_filter_arguments(template: str, expected: str) -> None:
    payload = {"userName": "Ada", "none": None, "list": [1, 2, 3], "text": "hello world"}
    assert render(template, payload=payload) == expected


@pytest.mark.parametrize("text", ['{" x', "a { b ", 'x " { "', '{ "broken": ', "} { { R&D "])
def test_text_with_unbalanced_braces_or_quotes_is_kept(text: str) -> None:
    # A deliberate difference: the SDK's JSON repair of its rendered controls
    # fails on such text (a 400 StepControlCompilationFailedError).
    controls = {"subject": "Hi {{ subscriber.firstName }}", "body": text}
    assert compile_controls(controls, make_context(subscriber={"firstName": "Ada"})) == {
        "subject": "Hi Ada",
        "body": text,
    }


def test_control_characters_in_data_are_kept() -> None:
    # A deliberate difference: the SDK's JSON re-parse fails on them.
    assert render("{{ payload.a }}|{{ payload.b | upcase }}", payload={"a": "x\x01y", "b": "r\x1es"}) == (
        "x\x01y|R\x1eS"
    )


def test_a_syntax_error_in_a_later_control_wins_over_a_render_error() -> None:
    # The SDK tokenizes all controls before rendering any of them.
    controls = {"subject": "{{ 'a' | append }}", "body": "{{ payload.name "}
    assert error_name_of(controls) == "TokenizationError"
    controls = {"subject": "{{ 'a' | append }}", "body": "{% foo %}"}
    assert error_name_of(controls) == "ParseError"


def error_name_of(controls: dict[str, Any]) -> str:
    with pytest.raises(ControlCompilationError) as info:
        compile_controls(controls, make_context())
    return str(info.value.data["name"])


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Checked against the SDK 2.13.2: a number and a string compare as
        # JavaScript compares them (no error), drops as LiquidJS's.
        ("{% if payload.price > 'abc' %}yes{% else %}no{% endif %}|{% if payload.price < '20' %}yes{% endif %}", "no|yes"),
        ("{% if payload > 3 %}y{% else %}n{% endif %}", "n"),
        ("{% if payload.missing == blank %}b{% endif %}|{% if payload.missing == empty %}e{% endif %}", "b|"),
        ("{% if payload.n == payload.missing %}same{% else %}diff{% endif %}", "diff"),
        ("{% if false == blank %}3{% endif %}{% if payload.obj == empty %}5{% endif %}", "3"),
        ("{% if payload.obj contains 'a' %}3{% endif %}{% if 'a1b' contains 1 %}4{% endif %}", "4"),
        ("{% if payload.n >= 0 %}2{% endif %}{% if payload.missing > 0 %}1{% endif %}", "2"),
        ("{% unless payload.missing == blank %}x{% else %}y{% endunless %}", "y"),
        ("{{ payload.items | where_exp: 'i', 'i >= \"3\"' | join }}", "3 4 5 6"),
        ("{{ 'a\\nb' | newline_to_br }}|{{ 'q\\u0041z' }}", "a\\nb|q\\u0041z"),
        ("{{ nil }}|{{ empty }}|{{ blank }}|{{ payload.n }}", "{}|{}|{}|"),
    ],
)
def test_comparisons_and_literals_as_liquidjs(template: str, expected: str) -> None:
    assert render(template, payload={**_PARITY_PAYLOAD, "n": None}) == expected


_ABSENCE_TEMPLATE = (
    "[{{ subscriber }}][{{ subscriber | slice: 0 }}][{{ context }}]{% if context %}C{% else %}c{% endif %}"
    "{% if subscriber %}S{% else %}s{% endif %}[{{ subscriber.firstName | default: 'friend' }}]"
)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        # answers observed from the SDK for the same requests
        ({}, "[][[]][]cs[friend]"),
        ({"subscriber": None, "context": None}, "[][[]][]cs[friend]"),
        ({"subscriber": {}, "context": {}}, "[{}][[][{}]CS[friend]"),
    ],
)
def test_a_subscriber_or_context_not_sent_is_undefined_to_liquid(sent: dict[str, Any], expected: str) -> None:
    """A request without ``subscriber``/``context`` (or with ``null``): Liquid sees
    them undefined, as in the SDK; the workflow function still gets ``{}``."""
    from flask import Flask

    from flask_novu import serve, workflow

    seen: list[Any] = []

    @workflow("absence")
    def absence(payload: Any, step: Any, subscriber: Any, context: Any) -> None:
        seen.append((subscriber, context))
        step.chat("chat", lambda controls: {"body": controls["body"]},
                  control_schema={"type": "object", "properties": {"body": {"type": "string"}}})

    app = Flask(__name__)
    serve(app, workflows=[absence])
    body = {"payload": {}, "controls": {"body": _ABSENCE_TEMPLATE}, "state": [], **sent}
    response = app.test_client().post("/api/novu?action=execute&workflowId=absence&stepId=chat", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"body": expected}
    assert seen and all(pair == (sent.get("subscriber") or {}, sent.get("context") or {}) for pair in seen)


def test_half_an_emoji_url_encoded_is_a_400_not_a_crash() -> None:
    """``{{ name | last | url_encode }}`` on a name ending in an emoji: the SDK's
    URIError answer (400 ``RenderError``), not a 500 carrying a codec message."""
    from flask import Flask

    from flask_novu import serve, workflow

    @workflow("uri")
    def uri(payload: Any, step: Any) -> None:
        step.push("push", lambda controls: {"subject": controls["subject"], "body": "x"},
                  control_schema={"type": "object", "properties": {"subject": {"type": "string"}}})

    app = Flask(__name__)
    serve(app, workflows=[uri])
    body = {"payload": {}, "subscriber": {"lastName": "Lo🙂"}, "state": [],
            "controls": {"subject": "{{ subscriber.lastName | last | url_encode }}"}}
    response = app.test_client().post("/api/novu?action=execute&workflowId=uri&stepId=push", json=body)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["code"] == "StepControlCompilationFailedError" and answer["data"] == {"name": "RenderError"}
    assert "codec" not in response.get_data(as_text=True)
