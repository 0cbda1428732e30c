"""A seeded generator of Liquid step controls as dashboard users write them.

Each case is ``{"controls": {...}, "payload": {...}, "subscriber": {...}}``:
one to three control strings (subject/body/...) made of text, outputs with
filter chains over payload and subscriber data of every JSON type (strings,
integers, floats, big integers, negative zero, booleans, null, arrays,
objects, missing values), ``assign``/``capture`` shared between controls,
``for`` loops with ``limit``/``offset``/``else``, ``if``/``unless``/``case``.

Shapes where Flask-Novu knowingly differs from the SDK are not generated:
``ifchanged`` (a deliberate difference), ``sample`` and ``now`` (random or
time-dependent), ``nil``/``empty``/``blank`` used as values (assigned,
filtered: LiquidJS keeps them as drop objects; comparisons with them and a
bare ``{{ nil }}`` are generated), date filters applied to
arbitrary text (V8's lenient date parser reads ``"50%"`` as 1950), and
``base64_decode`` of text that decodes to control characters (the SDK then
fails the step: a deliberate difference), and a block tag opened in one
control and closed in another (the SDK's single template pairs them).
"""

from __future__ import annotations

import random
from typing import Any

WORDS = ["Ada", "lovelace", "Hello World", "café", "naïve façade", "a,b,,c", "  padded  ",
         "<b>bold</b> & co", "Q3 report", "x-y_z", "ünïcödé", "日本語 テキスト", "emoji 🎉 here",
         "line\nbreak", "tab\there", "quote's", "50%", "a+b c", "", " "]  # fmt: skip
NUMBERS: list[Any] = [0, 1, 2, 3, 7, 10, 42, 99, 100, 1000, -1, -5, 2.5, 0.1, 1.005, 3.14159,
                      -0.5, 1e21, 1e-7, 12.0, -0.0, 9007199254740993, 123456789012]  # fmt: skip
DATES = ["2024-01-15T10:00:00Z", "2024-01-15T10:00:00+05:00", "2023-12-31T23:59:59.999Z",
         "2024-02-29", "2024-01-15 10:30:00", "1700000000", "Mon, 15 Jan 2024 10:00:00 +0200",
         "January 15, 2024", "not a date"]  # fmt: skip

STRING_FILTERS = ["upcase", "downcase", "capitalize", "strip", "lstrip", "rstrip", "squish",
                  "escape", "xml_escape", "escape_once", "url_encode", "url_decode", "cgi_escape",
                  "uri_escape", "slugify", "strip_html", "strip_newlines", "newline_to_br",
                  "normalize_whitespace", "number_of_words", "size", "first", "last",
                  "base64_encode", "sha256", "to_integer", "reverse", "jsonify", "json", "inspect",
                  "md5", "no_such_filter", "abs", "ceil", "floor"]  # fmt: skip
ARG_FILTERS = [
    "append: ' pts'", "prepend: '$'", "append: 3.0", "append: 2", "prepend: 1.5",
    "truncate: 5", "truncate: 11", "truncate: 3, '~'", "truncatewords: 1", "truncatewords: 2, '...'",
    "replace: 'a', 'A'", "replace_first: 'l', 'L'", "replace_last: 'o', '0'", "remove: ' '",
    "remove_first: 'a'", "remove_last: 'a'", "split: ' '", "split: ','", "slice: 0, 3",
    "slice: -2", "slice: 1", "default: 'friend'", "default: 'x', allow_false: true",
    "plus: 1", "minus: 2", "times: 1.2", "divided_by: 4", "divided_by: 3, true", "modulo: 3",
    "round: 2", "round", "at_least: 5", "at_most: 5", "join: ', '", "join",
    "slugify: 'pretty'", "slugify: 'ascii', true", "number_of_words: 'cjk'", "json: 2",
    "hmac_sha256: 'key'", "sum", "compact", "uniq", "sort", "sort_natural", "pop", "shift",
    "push: 'z'", "unshift: 0", "concat: payload.tags", "map: 'name'", "where: 'active'",
    "where: 'age', 3", "reject: 'active'", "find: 'name', 'Bo'", "find_index: 'age', 3",
    "has: 'active', true", "group_by: 'age'", "sort: 'age'", "sum: 'age'",
    "where_exp: 'p', 'p.age > 2'", "array_to_sentence_string", "array_to_sentence_string: 'or'",
    "digest", "digest: 1", "toSentence", "toSentence: 'name', 1", "pluralize: 'item'",
]  # fmt: skip
PATHS = ["payload.name", "payload.count", "payload.price", "payload.ratio", "payload.flag",
         "payload.none", "payload.missing", "payload.tags", "payload.people", "payload.user",
         "payload.user.first", "payload.user.address.city", "payload.when", "payload.big",
         "payload.negzero", "payload.empty_list", "payload.empty_obj", "payload.tags.size",
         "payload.tags.first", "payload.people[0].name", "payload.people.size", "payload.text",
         "subscriber.firstName", "subscriber.lastName", "subscriber.email", "subscriber.data",
         "subscriber", "payload", "payload.count.size", "payload.name.size"]  # fmt: skip
DATE_FILTERS = ["date: '%Y-%m-%d'", "date: '%b %-d, %Y %H:%M'", "date: '%a %e %B %j %U %W %y %I %p %z'",
                "date: '%c'", "date", "date_to_string", "date_to_long_string", "date_to_xmlschema",
                "date_to_rfc822", "date_to_string: 'ordinal', 'US'", "date: '%s %L %N %:z %^b %-m/%-d'"]  # fmt: skip
DATE_VALUES = ["payload.when", "payload.count", "payload.price", "'2024-01-15'", "1700000000", "payload.missing"]
LITERALS = ["'Hello'", "'a b c'", "42", "2.5", "-3", "true", "false", "(1..3)", "'2024-01-15'", "'tab\\there'"]


def _payload(rng: random.Random) -> dict[str, Any]:
    people = [
        {"name": rng.choice(["Ada", "Bo", "cy", "Dee"]), "age": rng.choice([1, 3, 5, None]),
         "active": rng.choice([True, False, None])}  # fmt: skip
        for _ in range(rng.randint(0, 4))
    ]
    return {
        "name": rng.choice(WORDS),
        "count": rng.choice(NUMBERS),
        "price": rng.choice([9.99, 10, 12.5, 0, 100, 19.999]),
        "ratio": rng.choice([0.1, 0.25, 1.5, -2.75]),
        "flag": rng.choice([True, False]),
        "none": None,
        "tags": rng.sample(["a", "B", "c", "dd", "Ee", "a"], rng.randint(0, 5)),
        "people": people,
        "user": {"first": rng.choice(WORDS), "address": {"city": rng.choice(["Paris", "", "São Paulo"])}},
        "when": rng.choice(DATES),
        "big": rng.choice([9007199254740993, 2**63, -(2**60) - 1]),
        "negzero": -0.0,
        "empty_list": [],
        "empty_obj": {},
        "text": rng.choice(WORDS) + " " + rng.choice(WORDS),
        "mixed": [1, "two", None, True, 2.5, {"k": "v"}, [3]],
    }


def _subscriber(rng: random.Random) -> dict[str, Any]:
    subscriber: dict[str, Any] = {"subscriberId": "sub-1", "firstName": rng.choice(["Ada", "émile", "", "Zoë"])}
    if rng.random() < 0.7:
        subscriber["lastName"] = rng.choice(["Lovelace", "O'Neil", "von Neumann"])
    if rng.random() < 0.5:
        subscriber["email"] = "ada@example.com"
    if rng.random() < 0.3:
        subscriber["data"] = {"plan": "pro", "credits": rng.choice([0, 5, -1])}
    return subscriber


def _value(rng: random.Random) -> str:
    return rng.choice(PATHS) if rng.random() < 0.85 else rng.choice(LITERALS)


def _chain(rng: random.Random, date_safe: bool = True) -> str:
    filters = [rng.choice(STRING_FILTERS if rng.random() < 0.4 else ARG_FILTERS) for _ in range(rng.randint(0, 3))]
    return "".join(f" | {f}" for f in filters)


def _output(rng: random.Random) -> str:
    space = rng.choice(["", " "])
    dash = rng.choice(["", "", "", "-"])
    if rng.random() < 0.15:  # dates: on values that hold dates, as users write them
        return "{{" + space + rng.choice(DATE_VALUES) + " | " + rng.choice(DATE_FILTERS) + _chain(rng) + space + "}}"
    if rng.random() < 0.02:
        return "{{ " + rng.choice(["nil", "empty", "blank"]) + " }}"
    return "{{" + dash + space + _value(rng) + _chain(rng, date_safe=True) + space + dash + "}}"


def _condition(rng: random.Random) -> str:
    left = rng.choice(["payload.flag", "payload.count", "payload.tags.size", "payload.name", "subscriber.lastName",
                       "payload.missing", "payload.people.size", "payload.user.first"])  # fmt: skip
    if rng.random() < 0.25:  # mixed types and LiquidJS's drops
        right = rng.choice(["'abc'", "'10'", "blank", "empty", "nil", "payload.user", "payload.none", "2.5"])
        return f"{left} {rng.choice(['>', '<', '>=', '<=', '==', '!=', 'contains'])} {right}"
    if left in ("payload.count", "payload.tags.size", "payload.people.size"):
        return f"{left} {rng.choice(['>', '<', '>=', '<=', '==', '!='])} {rng.choice(['0', '2', '3', '10'])}"
    if left in ("payload.name", "subscriber.lastName", "payload.user.first"):
        return rng.choice([f"{left} == 'Ada'", f"{left} != ''", f"{left} contains 'a'", left])
    return rng.choice([left, f"{left} == true", f"{left} and payload.flag", f"{left} or payload.none"])


def _text(rng: random.Random) -> str:
    return rng.choice(["Hi ", "Dear ", ", ", " - ", "Total: ", "\n", "!", " ", "Order #", "é ", ""])


#: Mistakes users make while typing in the dashboard (the SDK answers a
#: TokenizationError, ParseError or RenderError).
MISTAKES = ["{{ payload.name ", "{% endif %}", "{{ \"quoted\" }}",
            "{% foo %}", "{{ 'a' | append }}", "{% for %}{% endfor %}", "{% assign = 1 %}",
            "{{ '%' | url_decode }}", "{{ '%%' | base64_decode }}", "{% unless %}x{% endunless %}",
            "{{ }}", "{{ 'x' | truncate: }}"]  # fmt: skip


def _piece(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth == 0 and roll < 0.03:
        return rng.choice(MISTAKES)
    if depth > 1 or roll < 0.45:
        return _text(rng) + _output(rng)
    if roll < 0.55:
        name = rng.choice(["greeting", "total", "who", "n"])
        return "{% assign " + name + " = " + _value(rng) + _chain(rng) + " %}" + _text(rng) + "{{ " + name + " }}"
    if roll < 0.62:
        name = rng.choice(["greeting", "who"])
        return "{% capture " + name + " %}" + _piece(rng, depth + 1) + "{% endcapture %}"
    if roll < 0.75:
        header = rng.choice(["payload.tags", "payload.people", "(1..3)", "payload.empty_list", "payload.mixed",
                             "payload.user", "payload.name"])  # fmt: skip
        modifiers = rng.choice(["", " limit: 2", " offset: 1", " reversed", " limit: 1 offset: 1", " offset: 9"])
        body = rng.choice(["{{ item }}", "{{ forloop.index }}:{{ item | json }}", "{{ item.name | default: item }}",
                           "{% if forloop.last %}{{ item }}{% else %}{{ item }}, {% endif %}"])  # fmt: skip
        other = rng.choice(["", "{% else %}none"])
        return "{% for item in " + header + modifiers + " %}" + body + other + "{% endfor %}"
    if roll < 0.85:
        tag = rng.choice(["if", "unless"])
        other = rng.choice(["", "{% else %}" + _piece(rng, depth + 1)])
        return "{% " + tag + " " + _condition(rng) + " %}" + _piece(rng, depth + 1) + other + "{% end" + tag + " %}"
    if roll < 0.9:
        return ("{% case payload.count %}{% when 1 %}one{% when 2, 3 %}few{% else %}"
                + _piece(rng, depth + 1) + "{% endcase %}")  # fmt: skip
    if roll < 0.93:
        return "{% increment visits %}{{ visits }}"
    if roll < 0.96:
        return "{% tablerow item in payload.tags cols: 2 %}{{ item }}{% endtablerow %}"
    return "{% raw %}{{ not rendered }}{% endraw %}" + _output(rng)


CONTROL_NAMES = ["subject", "body", "title", "text", "actionUrl"]


def generate(seed: int) -> dict[str, Any]:
    """One case, the same for the same seed."""
    rng = random.Random(seed)
    names = rng.sample(CONTROL_NAMES, rng.randint(1, 3))
    controls = {name: "".join(_piece(rng) for _ in range(rng.randint(1, 3))) for name in names}
    return {"controls": controls, "payload": _payload(rng), "subscriber": _subscriber(rng)}
