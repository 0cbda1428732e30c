"""Liquid limits that hostile controls cannot bypass (intermediate values,
skipped loop items, the template cache) and linear-time parsing.

Complexity is checked by growth, never by wall-clock bounds: the input is
doubled three times and the time must grow like size**k with k well below
the quadratic 2 (a doubling costs at most ~2.8 times, on average).
"""

from __future__ import annotations

import gc
import math
import tracemalloc
from typing import Any, Callable

import pytest

from _growth import growth_times
from flask_novu import templating
from flask_novu.templating import ControlCompilationError, LiquidLimits, compile_controls


def context(**payload: Any) -> dict[str, Any]:
    return {"payload": payload, "subscriber": {"firstName": "Ada"}, "steps": {}, "env": {}}


def outcome(controls: dict[str, Any], limits: LiquidLimits | None = None, **payload: Any) -> Any:
    try:
        return compile_controls(controls, context(**payload), limits)
    except ControlCompilationError as err:
        return err.data


LIMIT_ERROR = {"name": "LimitError"}


# -- expressions ---------------------------------------------------------------


@pytest.mark.parametrize("template", [
    "{% if <> %}y{% else %}n{% endif %}", "{{ <> }}", "{% assign x = <> %}{{ x }}", "{% echo <> %}",
])
def test_an_expression_holds_at_most_200_operators(template: str) -> None:
    """A longer one fails fast with LimitError (python-liquid's parser recurses
    per operator); up to the limit it renders as LiquidJS reads it."""
    def chain(operators: int) -> str:
        return " and ".join(["payload.n > 1"] * ((operators + 1) // 2))

    allowed = outcome({"body": template.replace("<>", chain(199))}, n=5)
    assert allowed in ({"body": "y"}, {"body": "true"}), allowed
    assert outcome({"body": template.replace("<>", chain(201))}, n=5) == LIMIT_ERROR


# -- intermediate values -------------------------------------------------------


def test_a_chain_of_replace_filters_is_bounded_at_every_step() -> None:
    # Each replace multiplies the size by ten: 1e3 -> 1e7 characters, and
    # only the (tiny) size reached the output.
    ten = "a" * 10
    chain = "".join(f" | replace: 'a', '{ten}'" for _ in range(4))
    controls = {"body": "{{ payload.s" + chain + " | size }}"}
    assert outcome(controls, s="a" * 1000) == LIMIT_ERROR
    # Below the limit it still works.
    assert outcome({"body": "{{ payload.s | replace: 'a', 'bb' | size }}"}, s="a" * 1000) == {
        "body": "2000"
    }


def test_replace_is_refused_before_it_builds_a_huge_string() -> None:
    # One replace of every character by a 100 kB string would be 1e10 characters.
    controls = {"body": "{% assign big = payload.s | append: '' %}{{ payload.t | replace: 'a', big | size }}"}
    assert outcome(controls, s="b" * 100_000, t="a" * 100_000) == LIMIT_ERROR


def test_join_of_shared_references_is_bounded() -> None:
    # concat doubles an array of references to one 100 kB string; join would
    # build 12.8 MB.
    doubling = "{% assign arr = arr | concat: arr %}" * 7
    body = "{% assign arr = payload.one %}" + doubling + "{{ arr | join: '' | size }}"
    assert outcome({"body": body}, one=["x" * 100_000]) == LIMIT_ERROR
    assert outcome({"body": "{{ payload.one | join: '-' }}"}, one=["a", "b"]) == {"body": "a-b"}


def test_structures_turned_into_text_are_bounded() -> None:
    doubling = "{% assign arr = arr | concat: arr %}" * 7
    body = "{% assign arr = payload.one %}" + doubling + "{{ '' | append: arr | size }}"
    assert outcome({"body": body}, one=["x" * 100_000]) == LIMIT_ERROR


def test_filter_work_thrown_away_in_loops_is_bounded() -> None:
    # The results are never output, so the output limit alone never trips.
    body = "{% for i in (1..2000) %}{% assign x = payload.big | upcase %}{% endfor %}done"
    limits = LiquidLimits(max_filter_work=10_000_000)
    assert outcome({"body": body}, limits, big="x" * 100_000) == LIMIT_ERROR
    assert outcome({"body": body}, limits, big="x" * 100) == {"body": "done"}


def test_numeric_growth_stays_a_javascript_number() -> None:
    body = "{% assign n = 10 %}{% for i in (1..40) %}{% assign n = n | times: n %}{% endfor %}{{ n }}"
    assert outcome({"body": body}) == {"body": "Infinity"}


def test_string_doubling_through_capture_is_bounded() -> None:
    body = "{% assign s = 'xx' %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}"
    assert outcome({"body": body}) == LIMIT_ERROR


# -- loops ---------------------------------------------------------------------


def test_skipped_loop_items_count_as_iterations() -> None:
    body = "{% for i in (1..1000000000) offset:499999999 limit:2 %}{{ i }}{% endfor %}"
    assert outcome({"body": body}) == LIMIT_ERROR
    small = "{% for i in (1..10) offset:3 limit:2 %}{{ i }}{% endfor %}"
    assert outcome({"body": small}) == {"body": "45"}


def test_skipped_items_of_tablerow_count_too() -> None:
    body = "{% tablerow i in (1..1000000000) offset:20000 limit:1 %}{{ i }}{% endtablerow %}"
    assert outcome({"body": body}) == LIMIT_ERROR


def test_a_huge_range_with_a_small_limit_is_cheap_and_allowed() -> None:
    body = "{% for i in (1..1000000000) limit:3 %}{{ i }}{% endfor %}"
    assert outcome({"body": body}) == {"body": "123"}


def test_loop_budget_is_shared_by_the_controls_of_a_step() -> None:
    limits = LiquidLimits(max_loop_iterations=100)
    loop = "{% for i in (1..60) %}{% endfor %}ok"
    assert outcome({"subject": loop}, limits) == {"subject": "ok"}
    assert outcome({"subject": loop, "body": loop}, limits) == LIMIT_ERROR


# -- the template cache --------------------------------------------------------


def _tag_heavy(index: int, size: int) -> str:
    unit = "{{ payload.a }}"
    return f"{index}:" + unit * (size // len(unit))


def test_template_cache_is_bounded_in_bytes() -> None:
    limits = LiquidLimits(max_cache_bytes=2 * 1024 * 1024)
    templating._prepare.cache_clear()  # type: ignore[attr-defined]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(12):
            compile_controls({"body": _tag_heavy(index, 10_000)}, context(a="x"), limits)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        templating._prepare.cache_clear()  # type: ignore[attr-defined]
    # 12 templates of 10,000 characters retain ~1.5 MB each when all are kept.
    assert retained < 2 * limits.max_cache_bytes


def test_a_template_larger_than_the_cache_still_renders() -> None:
    limits = LiquidLimits(max_cache_bytes=1000)
    assert outcome({"body": "{{ payload.a }}" * 10}, limits, a="x") == {"body": "x" * 10}


def test_cached_templates_are_kept_per_limits_value() -> None:
    # The cache key stands for the limits value: a template prepared under
    # one value is never rendered under another, equal values share it.
    templating._prepare.cache_clear()  # type: ignore[attr-defined]
    try:
        body = {"body": "{{ payload.a }}"}
        small, default = LiquidLimits(max_output_size=10), LiquidLimits()
        for _ in range(2):
            assert outcome(body, default, a="x" * 20) == {"body": "x" * 20}
            assert outcome(body, small, a="x" * 20) == LIMIT_ERROR
            assert outcome(body, LiquidLimits(max_output_size=10), a="x" * 5) == {"body": "x" * 5}
        assert outcome(body, None, a="x" * 20) == {"body": "x" * 20}
        # One entry per distinct limits value (equal ones built apart included,
        # however many objects are built).
        retained = templating._CACHE.retained_bytes
        for _ in range(100):
            outcome(body, LiquidLimits(max_output_size=10), a="x")
            outcome(body, LiquidLimits(), a="x")
        assert templating._CACHE.retained_bytes == retained
    finally:
        templating._prepare.cache_clear()  # type: ignore[attr-defined]


# -- linear time ---------------------------------------------------------------


def _growth_exponent(build: Callable[[int], str], sizes: list[int], limits: LiquidLimits) -> float:
    """The exponent k of time ~ size**k from the smallest to the largest size
    (1 is linear, 2 quadratic), from the best timings of interleaved rounds."""
    def runner(source: str) -> Callable[[], None]:
        def run() -> None:
            templating._prepare.cache_clear()  # type: ignore[attr-defined]
            try:
                compile_controls({"body": source}, context(a="x"), limits)
            except ControlCompilationError:
                pass

        return run

    runs = [runner(build(n)) for n in sizes]

    def exponent(times: list[float]) -> float:
        return math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])

    return exponent(growth_times(runs, lambda times: exponent(times) < 1.5))


_PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "open outputs": lambda n: "{{" * (n // 2),
    "open tags": lambda n: "{%" * (n // 2),
    "unclosed output with text": lambda n: "{{ x" * (n // 4),
    "unclosed quoted outputs": lambda n: "{{ '" * (n // 4),
    "quotes then an output": lambda n: "'" * n + "{{",
    "unclosed raw": lambda n: "{% raw %}" * (n // 9),
    "nested brackets": lambda n: "{{ a" + "[" * n + " }}",
    "nested parentheses": lambda n: "{% if " + "(" * n + "a %}x{% endif %}",
    "whitespace control": lambda n: "{%- " * (n // 4),
    "almost closed outputs": lambda n: "{{ 'a' }" * (n // 8),
    "a long condition": lambda n: "{% if " + " and ".join(["a"] * (n // 6)) + " %}x{% endif %}",
    "a long output": lambda n: "{{ " + " or ".join(["a == 1"] * (n // 10)) + " }}",
}


@pytest.mark.parametrize("shape", sorted(_PATHOLOGICAL))
def test_parsing_pathological_sources_is_linear(shape: str) -> None:
    limits = LiquidLimits(max_template_length=10_000_000)
    exponent = _growth_exponent(_PATHOLOGICAL[shape], [200_000, 400_000, 800_000, 1_600_000], limits)
    assert exponent < 1.5, exponent


def test_rendering_many_outputs_and_tags_is_linear() -> None:
    limits = LiquidLimits(max_template_length=10_000_000, max_output_size=10_000_000)
    unit = "{{ payload.a }}{% if payload.a %}y{% endif %}"
    exponent = _growth_exponent(lambda n: unit * (n // len(unit)), [20_000, 40_000, 80_000, 160_000], limits)
    assert exponent < 1.5, exponent


_DATE_TEXTS: dict[str, Callable[[int], str]] = {
    "numbers": lambda n: "1 2 " * (n // 4),
    "named months": lambda n: "May 4 " * (n // 6),
    "words": lambda n: "Sat x, " * (n // 7),
    "one long number": lambda n: "1" * n,
    "times and zones": lambda n: "5 Mar 10:30 pm GMT+0100 (CET) " + "(x) " * (n // 4),
    "parentheses": lambda n: "(" * (n // 2) + ")" * (n // 2) + " 5",
}


@pytest.mark.parametrize("shape", sorted(_DATE_TEXTS))
def test_reading_payload_text_as_a_date_is_linear(shape: str) -> None:
    # The date filters read free text as V8's legacy date parser does.
    sizes = [10_000, 20_000, 40_000, 80_000]
    limits = LiquidLimits(max_output_size=10_000_000)

    def runner(text: str) -> Callable[[], None]:
        return lambda: compile_controls({"body": "{{ payload.a | date: '%Y' }}"}, context(a=text), limits)

    runs = [runner(_DATE_TEXTS[shape](n)) for n in sizes]

    def exponent(times: list[float]) -> float:
        return math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])

    assert exponent(growth_times(runs, lambda times: exponent(times) < 1.5)) < 1.5
