"""Built-in filters on every JSON type, as ``@novu/framework`` 2.13.2 renders them.

Each case is a body template, the payload value ``v`` (as JSON text, read the
way the bridge reads a request body) and the body the SDK's
``compileControls`` rendered for it (LiquidJS 10.30.1, observed with
``scripts/liquid_oracle.mjs``).
"""

from __future__ import annotations

import pytest

from flask_novu.codec import loads_body
from flask_novu.templating import ControlCompilationError, compile_controls

MISSING = object()


def render(template: str, value: str | object = MISSING) -> str:
    payload = {} if value is MISSING else {"v": loads_body(str(value).encode())}
    context = {
        "workflow": {"workflowId": "parity"}, "payload": payload,
        "subscriber": {"subscriberId": "u1", "firstName": "Ada"},
        "context": {}, "steps": {}, "env": {},
    }
    return compile_controls({"body": template}, context)["body"]


# JavaScript calls a filter with whatever arguments it is given: surplus ones
# are ignored, missing ones are ``undefined``.
SURPLUS_ARGUMENTS = [
    ("{{ payload.v | abs: 2 }}", '"hello world"', "0"),
    ("{{ payload.v | abs: 2 }}", "-3", "3"),
    ("{{ payload.v | ceil: 'a' }}", "3.7", "4"),
    ("{{ payload.v | floor: nil }}", "-2.5", "-3"),
    ("{{ payload.v | escape: 2 }}", '"<b>"', "&lt;b&gt;"),
    ("{{ payload.v | url_encode: 'a' }}", '"Zoë naïve"', "Zo%C3%AB+na%C3%AFve"),
    ("{{ payload.v | uri_escape: 1.5 }}", '"hello world"', "hello%20world"),
    ("{{ payload.v | strip_html: -1 }}", '"<b>x</b>"', "x"),
    ("{{ payload.v | newline_to_br: 2 }}", '"a"', "a"),
    ("{{ payload.v | last: 2 }}", '"hello world"', "d"),
    ("{{ payload.v | first: nil }}", "[1,2,3]", "1"),
]

MISSING_OPERAND = [
    ("{{ payload.v | plus }}", "5", "NaN"),
    ("{{ payload.v | minus }}", '"5"', "NaN"),
    ("{{ payload.v | times }}", "null", "NaN"),
    ("{{ payload.v | divided_by }}", "5", "NaN"),
    ("{{ payload.v | modulo }}", "5", "NaN"),
    ("{{ payload.v | plus }}", MISSING, "NaN"),
    ("{{ payload.v | plus: nil }}", "5", "5"),
    ("{{ payload.v | at_least }}", "5", "5"),
    ("{{ payload.v | minus: 2 | append: ' pts' }}", "5", "3 pts"),
    ("{{ payload.v | times: 1.2 | round: 2 | prepend: '$' }}", "3.7", "$4.44"),
]

# ``round``'s digits are not truncated to an integer: LiquidJS shifts the
# decimal point by writing ``${mantissa}e${digits}``, which is NaN for a
# fraction, and then answers the number unrounded.
ROUND = [
    ("{{ payload.v | round: payload.v }}", "-2.5", "-2.5"),
    ("{{ payload.v | round: payload.v }}", "0.1", "0.1"),
    ("{{ payload.v | round: 1.5 }}", "3.14159", "3.14159"),
    ("{{ payload.v | round: 2 }}", "3.14159", "3.14"),
    ("{{ payload.v | round: -1 }}", "15", "20"),
    ("{{ payload.v | divided_by: 0 | round }}", "5", "Infinity"),
]


@pytest.mark.parametrize(("template", "value", "expected"), SURPLUS_ARGUMENTS + MISSING_OPERAND + ROUND)
def test_math_and_arity(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


# ``where``/``reject``/``has``/``find``/``find_index``/``group_by`` read their
# property as a scope value with the item as the scope: an empty property is
# ``undefined``, the first key must be the item's own property (a string's
# characters, an array's indices), and only a ``[-1]`` number counts from the
# end (``0`` is truthy). ``map``/``sum``/``sort`` read ``item[key]`` for each dotted key.
PROPERTIES = [
    ("{{ payload.v | where }}", '"hello"', "[]"),
    ("{{ payload.v | reject }}", '"hello"', "['hello']"),
    ("{{ payload.v | has: nil }}", '["a"]', "false"),
    ("{{ payload.v | find_index }}", "[1,2]", ""),
    ("{{ payload.v | find: '' }}", "[1,2]", ""),
    ("{{ payload.v | group_by }}", '["x"]', "[{'items':['x']}]"),
    ("{{ payload.v | where: 2 }}", '"hello world"', "['hello world']"),
    ("{{ payload.v | has: 2 }}", '["ab", "abc"]', "true"),
    ("{{ payload.v | find_index: 2 }}", '["ab", "abc"]', "1"),
    ("{{ payload.v | group_by: 2 }}", '"hello"', "[{'name':'l','items':['hello']}]"),
    ("{{ payload.v | where: -1 }}", "[[1,2],[3]]", "[]"),
    ("{{ payload.v | where: '[-1]' }}", "[[1,0],[3]]", "[]"),
    ("{{ payload.v | where: 'a[-1]', 3 }}", '[{"a":[1,0]},{"a":[3]}]', "[{'a':[3]}]"),
    ("{{ payload.v | where: 'a.size' }}", '[{"a":[1]},{"b":[]}]', "[{'a':[1]}]"),
    ("{{ payload.v | where: 'a.size' }}", '[{"a":[1]},{"a":[]}]', "[{'a':[1]},{'a':[]}]"),
    ("{{ payload.v | where: 'size', 2 }}", "[[1],[2]]", "[]"),
    ("{{ payload.v | group_by: 'a' }}", '[null,"",0]', "[{'items':[null,'',0]}]"),
    ("{{ payload.v | group_by: -1 }}", '{"a":1,"b":"x"}', "[{'items':[['a',1],['b','x']]}]"),
    ("{{ payload.v | map: 2 }}", '"hello world"', "['l']"),
    ("{{ payload.v | map: -1 }}", "[[1,2],[3]]", "[null,null]"),
    ("{{ payload.v | map: 'length' }}", '["ab",[1]]', "[2,1]"),
    ("{{ payload.v | sum: 2 }}", '"3.7"', "7"),
    ("{{ payload.v | sum: -1 }}", "[[1,2],[3]]", "0"),
    ("{{ payload.v | sort: '0' | map: 1 }}", '[["b","y"],["a","x"]]', "['x','y']"),
]

# Half of an astral character is a JavaScript string too (``first`` and
# ``last`` read UTF-16 units); it renders instead of failing the request.
SURROGATES = [
    ("{{ payload.v | first }}", '"🎉a😀b"', "\ud83c"),
    ("{% if true %}{{ payload.v | first | append: 1 }}{% endif %}", '"🎉a"', "\ud83c1"),
    ("{% capture c %}{{ payload.v | last | upcase }}{% endcapture %}{{ c }}", '"a😀"', "\ude00"),
    ("{{ payload.v | first | size }}", '"🎉"', "1"),
    # next to text the SDK's JSON re-reading decodes (a tab), the halves stay halves
    ("{{ payload.v | split: '' }}tab\there ", '"🙂"', "['\ud83d','\ude42']tab\there "),
    ("{{ payload.v | split: '' | first }}\n", '"🙂"', "\ud83d\n"),
]


# Property names python-liquid reserves as words (limit, for, empty, true...)
PROPERTIES += [
    ("{{ payload.v.limit }}|{{ payload.v.empty }}|{{ payload.v.true }}|{{ payload.v.in.for }}|{{ payload.v['if'] }}",
     '{"limit": 3, "empty": "e", "true": 1, "in": {"for": "f"}, "if": "i"}', '3|e|1|f|i'),
    ('{% if payload.v.required and payload.v.offset > 1 %}Y{% endif %}{% for x in payload.v.cols %}{{ x }}{% endfor %}',
     '{"required": true, "offset": 2, "cols": [7, 8]}', 'Y78'),
    ('{{ payload.v.with | default: payload.v.as }}', '{"as": "fallback"}', 'fallback'),
]


@pytest.mark.parametrize(("template", "value", "expected"), PROPERTIES + SURROGATES)
def test_properties_and_utf16(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


# URI encoding: a surrogate pair is its character; half of one is JavaScript's
# URIError, which the SDK answers as a RenderError (it used to crash with 500).
URI_SURROGATES = [
    ("{{ payload.v | split: '' | join: '' | url_encode }}", '"Lo🙂"', "Lo%F0%9F%99%82"),
    ("{{ payload.v | split: '' | join: '' | uri_escape }}", '"Lo🙂"', "Lo%F0%9F%99%82"),
    ("{{ payload.v | slice: 2 | url_encode }}", '"Lo🙂"', "%F0%9F%99%82"),
    ("{{ payload.v | last | base64_encode }}", '"Lo🙂"', "77+9"),
]


@pytest.mark.parametrize(("template", "value", "expected"), URI_SURROGATES)
def test_uri_encoding_of_surrogates(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


@pytest.mark.parametrize("template", [
    "{{ payload.v | last | uri_escape }}",
    "{{ payload.v | last | url_encode }}",
    "{% capture c %}{{ payload.v | last | cgi_escape }}{% endcapture %}{{ c }}",
])
def test_uri_encoding_half_a_character_is_a_render_error(template: str) -> None:
    with pytest.raises(ControlCompilationError) as info:
        render(template, '"Lo🙂"')
    assert info.value.data == {"name": "RenderError"}


# ``truncate`` advances ``length`` code points with ``i < length`` (a fraction
# rounds up); ``truncatewords`` slices with its raw argument (``'a'`` takes
# no word); ``sample`` slices its shuffle with ``count`` (``-1``: all but one);
# ``raw`` output skips the SDK's escaper, so LiquidJS writes ``stringify``.
STRINGS = [
    # ``slice`` uses ``begin`` as given: ``begin + length`` concatenates a
    # string, a missing ``begin`` takes nothing from an array, a fraction
    # advances to the next code point.
    ("{{ payload.v | slice }}", "[1,2,3]", "[]"),
    ("{{ payload.v | slice }}", '"hello"', "h"),
    ("{{ payload.v | slice: '1' }}", "[1,2,3,4,5,6,7,8,9,10,11,12]", "[2,3,4,5,6,7,8,9,10,11]"),
    ("{{ payload.v | slice: 1.5 }}", '"hello world"', "l"),
    ("{{ payload.v | slice: payload.v }}", "0.1", "."),
    ("{{ payload.v | slice: -2, 5 }}", '"a🎉b"', "🎉b"),
    ("{{ payload.v | truncate: 1.5 }}", "-3", "-3"),
    ("{{ payload.v | truncate: 2.5 }}", "[1,2,3]", "[1,2,3]"),
    ("{{ payload.v | truncate: 4.5 }}", '"hello world"', "he..."),
    ("{{ payload.v | truncatewords: 'a' }}", '"hello world"', ""),
    ("{{ payload.v | truncatewords: 1.5 }}", '"hello big world"', "hello..."),
    ("{{ payload.v | truncatewords: 0 }}", '"hello world"', "hello..."),
    ("{{ payload.v | sample: -1 | size }}", '"hello"', "4"),
    ("{{ payload.v | sample: 1.5 | size }}", "[1,2,3]", "1"),
    ("{{ payload.v | sample: 9 | sort | join: ',' }}", '"b🎉a"', "a,b,🎉"),
    ("{{ payload.v | raw }}", "[1,[2,3]]", "123"),
    ("{{ payload.v | raw }}", '{"a":1}', "[object Object]"),
    ("{{ payload.v | raw }}", '[null,"",0]', "0"),
    ("{% echo payload.v | raw %}", '["b","a"]', "ba"),
    ("{{ payload.v | raw }}", '"It\'s"', "It's"),
]


@pytest.mark.parametrize(("template", "value", "expected"), STRINGS)
def test_string_filters(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


# The date filters read a list as ``new Date(String(list))``, and V8 reads
# up to three bare numbers as a legacy date (words before them ignored): a
# month, day and year, or a year first when it cannot be a day.
DATES = [
    ("{{ payload.v | date_to_string }}", "[1,2,3]", "02 Jan 2003"),
    ("{{ payload.v | date_to_xmlschema }}", '[null,"",0]', "2000-01-01T00:00:00+00:00"),
    ("{{ payload.v | date_to_long_string }}", "[[1,2],[3]]", "02 January 2003"),
    ("{{ payload.v | at_least: 5 | unshift: 'a' | date_to_rfc822 }}", "{}", "Tue, 01 May 2001 00:00:00 +0000"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"Order 5"', "2001-05-01"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"2024,1,2"', "2024-01-02"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"2,30,3"', "2003-03-02"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"1,2,49"', "2049-01-02"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"12/31/99"', "1999-12-31"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"5 apples"', "5 apples"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"1,2,3,4"', "1,2,3,4"),
    # "t" is the ISO time separator only before digits; else an unknown word
    ('{{ payload.v | date_to_xmlschema }}', '"t-1"', '2001-01-01T00:00:00+00:00'),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"t 5"', '2001-05-01'),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"Mar t 5"', '2001-03-05'),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"t5"', 't5'),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"t-1-2"', '2001-01-02'),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"1 -2"', "1 -2"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"zz9"', "zz9"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"x,31"', "x,31"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '["b","a"]', "['b','a']"),
    # A named month: the number beside it is the day (or the year, when it
    # cannot be a day); the year defaults to 2001.
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"May 5"', "2001-05-05"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"5 May"', "2001-05-05"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"Tuesday, March 5, 2024"', "2024-03-05"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"Sat May 4 2024"', "2024-05-04"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"March 2024"', "2024-03-01"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"May 5, 24"', "2024-05-05"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"Feb 30 2024"', "2024-03-01"),
    ("{{ payload.v | date: '%Y-%m-%d' }}", '"May 32"', "2032-05-01"),
]


@pytest.mark.parametrize(("template", "value", "expected"), DATES)
def test_dates(template: str, value: str, expected: str, utc: None) -> None:
    assert render(template, value) == expected


# Comparisons: ``case``/``when`` uses LiquidJS ``equals`` (a ``when blank``
# matches ``nil`` and ``false``; every matching ``when`` renders); ``<=`` and
# ``>=`` compare lists and objects as their strings; ``contains`` matches an
# ``empty`` item and tells ``null`` from a missing value; ``s[0]`` is a
# string's first UTF-16 unit.
COMPARISONS = [
    ("{% case payload.v %}{% when nil %}nil{% when blank %}blank{% endcase %}", "null", "nilblank"),
    ("{% case payload.v %}{% when nil %}nil{% when blank %}blank{% endcase %}", MISSING, "nilblank"),
    ("{% case payload.v %}{% when blank %}blank{% when false %}f{% endcase %}", "false", "blankf"),
    ("{% case payload.v %}{% when 5 %}five{% when '5' %}s5{% else %}other{% endcase %}", '"5"', "s5"),
    ("{% case payload.v %}{% when empty %}empty{% else %}other{% endcase %}", "[]", "empty"),
    ("{% if payload.v <= payload.v %}T{% else %}F{% endif %}", "[1,2,3]", "T"),
    ("{% if payload.v >= payload.v %}T{% else %}F{% endif %}", '{"a":1}', "T"),
    ("{% if payload.v <= 'a' %}T{% else %}F{% endif %}", '["a"]', "T"),
    ("{% if payload.v >= 1 %}T{% else %}F{% endif %}", '{"a":1}', "F"),
    ("{% if payload.v contains empty %}T{% else %}F{% endif %}", '[null,"",0]', "T"),
    ("{% if payload.v contains blank %}T{% else %}F{% endif %}", '[null,"",0]', "T"),
    ("{% if payload.v contains payload.missing %}T{% else %}F{% endif %}", '[null,"",0]', "F"),
    ("{% if payload.v contains nil %}T{% else %}F{% endif %}", '[null,"",0]', "T"),
    ("{{ payload.v[0] }}|{{ payload.v[-1] }}|{{ payload.v.first }}", '"hello"', "h||"),
    ("{{ payload.v[1] }}", '"🎉"', "\udf89"),
]


@pytest.mark.parametrize(("template", "value", "expected"), COMPARISONS)
def test_comparisons(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


# ``nil``, ``empty`` and ``blank`` are LiquidJS drop objects: filters read
# them as ``null``/``''``, but ``json``/``inspect`` stringify the object
# (``{}``), the date filters and ``truncate`` answer it unchanged, and
# ``default: nil``/``push: nil`` hand it on; the SDK writes it as ``{}``.
DROPS = [
    ("{{ empty | json }}", MISSING, "{}"),
    ("{{ empty | inspect }}", MISSING, "{}"),
    ("{{ nil | jsonify }}", MISSING, "{}"),
    ("{{ blank | json: 2 }}", MISSING, "{}"),
    ("{{ empty | date_to_long_string | date_to_string }}", MISSING, "{}"),
    ("{{ nil | date: '%Y' }}", MISSING, "{}"),
    ("{{ blank | truncate: 0 }}", MISSING, "{}"),
    ("{{ nil | date | upcase }}", MISSING, ""),
    ("{{ payload.v | default: nil }}", '""', "{}"),
    ("{{ payload.v | default: nil | json }}", MISSING, "{}"),
    ("{{ payload.v | push: nil }}", '"a"', "['a',{}]"),
    ("{{ payload.v | unshift: nil }}", "[1]", "[{},1]"),
    ("{{ empty | push }}", MISSING, "['',null]"),
    ("{{ empty | sort }}", MISSING, "['']"),
    ("{{ payload.v | append: nil }}", '"a"', "a"),
    ("{{ payload.v | sort: nil }}", '["b","a","C"]', "['b','a','C']"),
    ("{{ payload.v | sort_natural: nil }}", '["b","a","C"]', "['b','a','C']"),
    ("{{ payload.v | sum: nil }}", "[1,2]", "0"),
    ("{{ payload.v | strip: nil }}", '"  pad  "', "  pad  "),
    ("{{ payload.v | lstrip: nil }}|", '"  pad  "', "  pad  |"),
    ("{% assign x = nil | date %}{{ x }}|{% if x %}T{% else %}F{% endif %}|{% if x == nil %}N{% endif %}", MISSING, "{}|F|N"),
]


@pytest.mark.parametrize(("template", "value", "expected"), DROPS)
def test_drops(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


@pytest.mark.parametrize("template", [
    "{{ payload.v | append: 'x', 'y' }}", "{{ payload.v | append }}",
    "{{ payload.v | prepend: 'x', 'y' }}", "{{ payload.v | prepend }}", "{{ payload.v | append: 'x', k: 1 }}",
])
def test_append_and_prepend_take_exactly_one_argument(template: str) -> None:
    """The two filters LiquidJS asserts an argument count for: a RenderError in
    the SDK, where other filters ignore surplus arguments."""
    with pytest.raises(ControlCompilationError) as info:
        render(template, '"a"')
    assert info.value.data == {"name": "RenderError"}
    assert render("{{ payload.v | append: nil }}{{ payload.v | prepend: 'x' }}", '"a"') == "axa"


# Novu's digest and toSentence read odd arguments as JavaScript does: counts
# through Number() and slice(), ``nil`` as LiquidJS's null drop (a truthy
# object, "[object Object]" as text), a count of 1 taking the singular.
NOVU_LISTS = [
    ("[{{ payload.v | digest: 2 }}][{{ payload.v | digest: 'x' }}][{{ payload.v | digest: -1 }}]"
     "[{{ payload.v | digest }}][{{ payload.v | digest: 2, 'name' }}]", "[1,2,3]",
     "[1, 2 and 1 other][ and NaN others][1, 2 and 4 others][1, 2 and 1 other][,  and 1 other]"),
    ("[{{ payload.v | digest: 1.5 }}][{{ payload.v | digest: 0 }}][{{ payload.v | digest: nil }}]"
     "[{{ payload.v | digest: payload.missing }}][{{ payload.v | digest: 1, nil, nil }}]", "[1,2,3]",
     "[1 and 1.5 others][ and 3 others][ and 3 others][1, 2 and 1 other][ and 2 others]"),
    ("[{{ payload.v | digest: 2, nil, nil }}][{{ payload.v | digest: 2, '', nil }}][{{ payload.v | digest: 2, nil }}]"
     "[{{ payload.v | digest: 2, 5 }}]", "[1,2,3]",
     "[[object Object] and 1 other][1[object Object]2 and 1 other][,  and 1 other][,  and 1 other]"),
    ("[{{ payload.v | toSentence }}][{{ payload.v | toSentence: '', 2, 'others' }}][{{ payload.v | toSentence: 'x', 'y' }}]"
     "[{{ payload.v | toSentence: '', 1 }}][{{ payload.v | toSentence: '', '1' }}]", "[1,2,3]",
     "[1, 2, and 1 other][1, 2, and 1 other][, and NaN others][1 and 2 others][1, and 2 others]"),
    ("[{{ payload.v | toSentence: nil }}][{{ payload.v | toSentence: '', 2, 'x', nil, nil, nil }}]", "[1,2,3]",
     "[, , and 1 other][1[object Object]2[object Object]1 x]"),
    ("[{{ payload.v | digest }}][{{ payload.v | digest: 1, 'n' }}][{{ payload.v | toSentence: 'n', 1, 'person' }}]",
     '[null, {"n": "Ada"}, {"n": {"a": 1}}, [1]]', "[, [object Object] and 2 others][ and 3 others][ and 3 people]"),
]


@pytest.mark.parametrize(("template", "value", "expected"), NOVU_LISTS)
def test_digest_and_to_sentence_read_arguments_as_javascript(template: str, value: str, expected: str) -> None:
    assert render(template, value) == expected


@pytest.mark.parametrize("template", [
    "{{ payload.v | toSentence: '', 1, nil }}", "{{ 2 | pluralize: 5 }}", "{{ 2 | pluralize: nil }}",
])
def test_a_word_that_is_no_text_is_a_render_error(template: str) -> None:
    """The pluralize library lower-cases the word it is given (JavaScript's TypeError)."""
    with pytest.raises(ControlCompilationError) as info:
        render(template, "[1,2,3]")
    assert info.value.data == {"name": "RenderError"}


def test_pluralize_reads_odd_arguments_as_javascript() -> None:
    # observed from the SDK
    assert render("[{{ 'x' | pluralize: 'item' }}][{{ '3' | pluralize: 'item' }}][{{ 2 | pluralize: 'item', nil }}]"
                  "[{{ 1 | pluralize: 'item', nil }}][{{ 2 | pluralize: 'item', '', false }}][{{ 2.5 | pluralize: 'item' }}]"
                  "[{{ 2 | pluralize: payload.missing }}][{{ 1 | pluralize: 5, 'x' }}]") == \
        "[][3 items][2 [object Object]][1 item][items][2.5 items][2 ][1 5]"
