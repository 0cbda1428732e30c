"""Tests of the output sanitiser (protocol §3.7).

Expected strings come from the captured reference responses or were produced
by the reference SDK's sanitiser configuration (``sanitize-html`` 2.17.5);
``tests/fixtures/sanitize_corpus.json`` holds thousands of recorded cases
(``scripts/record_sanitize_corpus.py``), and a live differential test runs the
reference sanitiser itself when node and an installed reference bridge exist.
"""

from __future__ import annotations

import copy
import functools
import html.parser
import json
import os
import pathlib
import shutil
import subprocess
from typing import Any, Callable, Dict, List

import pytest

from flask_novu.sanitize import sanitize_html, sanitize_outputs
from _growth import cpu_time, growth_times
from _sanitize_cases import corpus


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # LIVE §2 "execute second step email-welcome"
        (
            "<h1>Hey <b>there</b></h1><p>Welcome Ada</p><script>alert(1)</script>",
            "<h1>Hey <b>there</b></h1><p>Welcome Ada</p>",
        ),
        # LIVE §8 "misc-demo / email-with-provider"
        (
            '<p onclick="steal()">Body</p><img src="x" onerror="bad()">',
            '<p>Body</p><img src="x" />',
        ),
    ],
)
def test_reference_examples(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<iframe src=x>inner</iframe>after", "innerafter"),
        ("<p>a<script>alert('x')</script>b</p>", "<p>ab</p>"),
        ("<textarea>t</textarea><option>o</option>x", "x"),
        ("<form action=x><input value=v>Name</form>", "Name"),
        ("<font color=red>f</font><center>c</center>", "fc"),
        ("<iframe><p>fallback &amp; more</p></iframe>", "<p>fallback &amp; more</p>"),
        ("<xmp><i>x</i></xmp>y", "y"),
        ("<svg><p>x</p></svg><math>m</math>", "<p>x</p>m"),
        ("<noscript><b>n</b></noscript>", "<b>n</b>"),
    ],
)
def test_disallowed_tags(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<div onmouseover="x()" ONCLICK="y()" class="c">d</div>', '<div class="c">d</div>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
        ('<a href=" java&#x09;script:alert(1)">x</a>', "<a>x</a>"),
        ('<blockquote cite="javascript:x">q</blockquote>', "<blockquote>q</blockquote>"),
        ('<img src="data:image/png;base64,AA">', "<img />"),
        ("<img src=x onerror=alert(1)//>", '<img src="x" />'),
        ("<svg onload=alert(1)><circle/></svg>t", "t"),
        ("<a href=\"x\" onfocus='alert(1)' autofocus>l</a>", '<a href="x" autofocus>l</a>'),
        (
            '<p title="&quot;><script>x</script>">t</p>',
            '<p title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">t</p>',
        ),
        ("<div>&lt;img src=x onerror=alert(1)&gt;</div>", "<div>&lt;img src=x onerror=alert(1)&gt;</div>"),
        ('<img srcset="a.png 1x, javascript:b 2x">', '<img srcset="a.png 1x" />'),
    ],
)
def test_xss_vectors(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (
            '<a href="mailto:a@b.c" target="_blank" rel="noopener">m</a>',
            '<a href="mailto:a@b.c" target="_blank" rel="noopener">m</a>',
        ),
        (
            '<a href="tel:+1">t</a><a href="/rel?a=1&amp;b=2">r</a>',
            '<a href="tel:+1">t</a><a href="/rel?a=1&amp;b=2">r</a>',
        ),
        ('<a href="//cdn.example/x">p</a>', '<a href="//cdn.example/x">p</a>'),
        ("<a href=\"https://e.com/x\">h</a>", '<a href="https://e.com/x">h</a>'),
    ],
)
def test_safe_urls_and_no_forced_rel(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_attributes_kept_in_order_and_empty_values() -> None:
    dirty = (
        '<table width="100%" cellpadding="0" bgcolor="#fff" role="presentation"><tr>'
        '<td align="center" valign="top" nowrap data-id="1" aria-label="x" style="color:red">x</td>'
        '</tr></table><p hidden class="" id="a" title="t">z</p>'
    )
    assert sanitize_html(dirty) == (
        '<table width="100%" cellpadding="0" bgcolor="#fff" role="presentation"><tr>'
        '<td align="center" valign="top" nowrap data-id="1" aria-label="x" style="color:red">x</td>'
        '</tr></table><p id="a" title="t">z</p>'
    )


def test_img_attribute_whitelist() -> None:
    dirty = (
        '<img src="a.png" alt="A" width="10" height="20" style="border:0" class="c" '
        'data-x="1" title="t" border="0" align="left" loading="lazy">'
    )
    assert sanitize_html(dirty) == (
        '<img src="a.png" alt="A" width="10" height="20" style="border:0" class="c" '
        'title="t" loading="lazy" />'
    )
    assert sanitize_html('<img alt="" src="">') == '<img alt="" />'


def test_void_elements_serialisation() -> None:
    assert sanitize_html("<br><hr><wbr>") == "<br /><hr /><wbr></wbr>"


def test_full_document_preserved() -> None:
    document = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>x</title>"
        "<style>p{color:red}</style></head><body><p>Hi</p></body></html>"
    )
    assert sanitize_html(document) == (
        '<!DOCTYPE html><html><head><meta charset="utf-8" /><title>x</title>'
        "<style>p{color:red}</style></head><body><p>Hi</p></body></html>"
    )


def test_document_structure_attributes_and_implicit_closing() -> None:
    dirty = (
        '<html lang="en" xmlns:v="urn:schemas-microsoft-com:vml"><head>'
        '<link rel="stylesheet" href="https://x/y.css"><title>a &amp; b</title>'
        '<body style="margin:0" onload="x()"><table><tr><td>Hi&nbsp;there</td></tr></table>'
    )
    assert sanitize_html(dirty) == (
        '<html lang="en" xmlns:v="urn:schemas-microsoft-com:vml"><head>'
        '<link rel="stylesheet" href="https://x/y.css" /><title>a &amp; b</title></head>'
        '<body style="margin:0"><table><tr><td>Hi\xa0there</td></tr></table></body></html>'
    )


def test_document_script_in_head_removed() -> None:
    dirty = "<html><head><script>evil()</script></head><body>b</body></html>"
    assert sanitize_html(dirty) == "<html><head></head><body>b</body></html>"


def test_doctype_only_preserved_verbatim_when_uppercase_prefix() -> None:
    assert sanitize_html("<!DOCTYPE html><p>x</p>") == "<!DOCTYPE html><p>x</p>"
    # The SDK's doctype regex is case-sensitive.
    assert sanitize_html("<!doctype html><p>x</p>") == "<p>x</p>"


def test_malformed_closer_normalised() -> None:
    assert sanitize_html("<p>a</p/ >b") == "<p>a</p>b"


def test_style_content_kept_raw() -> None:
    css = "<style>a > b { content: '&nbsp;<br>' }</style><p>x</p>"
    assert sanitize_html(css) == css


def test_tables_without_tbody_stay_without_tbody() -> None:
    assert sanitize_html("<table><tr><td>x</td></tr></table>") == "<table><tr><td>x</td></tr></table>"
    with_body = "<table><tbody><tr><td>x</td></tr></tbody></table>"
    assert sanitize_html(with_body) == with_body


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("a < b > c \"q\" 'x'", "a &lt; b &gt; c \"q\" 'x'"),
        ("&nbsp;&copy; &amp; &lt;", "\xa0\xa9 &amp; &lt;"),
        ("<p>\"quoted\" &quot;ent&quot;</p>", '<p>"quoted" "ent"</p>'),
        ("x <3 you", "x &lt;3 you"),
        ("line1\r\nline2 & <b>x</b>", "line1\r\nline2 &amp; <b>x</b>"),
        ("{{ payload.name }} & {% if x %}y{% endif %}", "{{ payload.name }} &amp; {% if x %}y{% endif %}"),
    ],
)
def test_text_escaping(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize("text", ["", "plain", "{{ x }}", 'say "hi"', "multi\r\nline", "caf\xe9"])
def test_fast_path_returns_same_object(text: str) -> None:
    assert sanitize_html(text) is text


def test_sanitize_outputs_recursive_and_non_mutating() -> None:
    outputs: dict[str, Any] = {
        "subject": "Tom & Jerry",
        "body": "<p onclick='x'>Hi</p>",
        "avatar": "https://example.com/a.png?x=1&y=2",
        "primaryAction": {"label": "<b>Open</b><script>x</script>", "redirect": {"url": "/dashboard"}},
        "secondaryAction": None,
        "data": {"count": 3, "ratio": 0.5, "flag": True, "tags": ["<i>a</i>", 1, ["<u>b</u>", None]]},
        "<key>": "value",
    }
    original = copy.deepcopy(outputs)
    result = sanitize_outputs(outputs)
    assert outputs == original
    assert result == {
        "subject": "Tom &amp; Jerry",
        "body": "<p>Hi</p>",
        "avatar": "https://example.com/a.png?x=1&amp;y=2",
        "primaryAction": {"label": "<b>Open</b>", "redirect": {"url": "/dashboard"}},
        "secondaryAction": None,
        "data": {"count": 3, "ratio": 0.5, "flag": True, "tags": ["<i>a</i>", 1, ["<u>b</u>", None]]},
        "<key>": "value",
    }
    assert result is not outputs
    assert result["data"] is not outputs["data"]
    assert result["data"]["tags"] is not outputs["data"]["tags"]


@pytest.mark.parametrize("value", [None, True, 0, 1.5])
def test_sanitize_outputs_non_strings_untouched(value: Any) -> None:
    assert sanitize_outputs(value) is value


def test_large_body() -> None:
    row = '<tr><td style="padding:4px" onclick="x()">Row &amp; <b>cell</b><script>bad()</script></td></tr>'
    body = "<table>" + row * (2_000_000 // len(row)) + "</table>"
    assert len(body) >= 1_900_000
    cleaned = sanitize_html(body)
    assert "onclick" not in cleaned and "script" not in cleaned
    assert cleaned.count('<td style="padding:4px">Row &amp; <b>cell</b></td>') == 2_000_000 // len(row)


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # Email builders' markup is kept as written: no HTML5 tree building.
        ('<div mc:edit="body" mc:repeatable="x">x</div>', '<div mc:edit="body" mc:repeatable="x">x</div>'),
        ("<td>x</td><tr><col>", "<td>x</td><tr><col></col></tr>"),
        ("<table>text<tr><td>a<td>b</table>", "<table>text<tr><td>a</td><td>b</td></tr></table>"),
        ("<b><i></b>x", "<b><i></i></b>x"),
        ("<p>a<div>b</p>c</div>", "<p>a</p><div>b<p></p>c</div>"),
        ('<td nowrap="">c</td>', "<td nowrap>c</td>"),
        ("<!--[if mso]><table><tr><td><![endif]-->x<!--[if mso]></td></tr></table><![endif]-->", "x"),
        ('<td style="mso-line-height-rule:exactly;color:#333">t</td>', '<td style="mso-line-height-rule:exactly;color:#333">t</td>'),
        ("<p 2=a 1=b x=c>t</p>", '<p 1="b" 2="a" x="c">t</p>'),
        ("<title>a &amp; <b>b</b></title>", "<title>a &amp; &lt;b&gt;b&lt;/b&gt;</title>"),
        ('<a title="&lti &ampx &amp-">q</a>', '<a title="&lt;i &amp;ampx &amp;-">q</a>'),
        ("a</b x", "ax"),
        ("<s", "s"),
        ('<img srcset="f(a,b).png 1x, c.png 1e1x, d.png 0w">', '<img srcset="f(a,b).png 1x, c.png 10x" />'),
    ],
)
def test_parity_with_the_reference_parser(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def _corpus_cases() -> List[List[str]]:
    path = pathlib.Path(__file__).parent / "fixtures" / "sanitize_corpus.json"
    cases: List[List[str]] = json.loads(path.read_text(encoding="utf-8"))
    return cases


def test_recorded_corpus_matches_the_reference() -> None:
    """Thousands of generated email/in-app inputs and edge cases with the
    outputs of sanitize-html as the SDK configures it (recorded by
    scripts/record_sanitize_corpus.py).  The few documented deliberate
    differences carry our output and the reason."""
    cases = _corpus_cases()
    assert len(cases) >= 3000
    mismatches = []
    for case in cases:
        dirty, expected = case[0], case[2] if len(case) > 2 else case[1]
        if sanitize_html(dirty) != expected:
            mismatches.append((dirty, expected, sanitize_html(dirty)))
    assert mismatches == []
    reasons = {case[3] for case in cases if len(case) > 2}
    assert reasons <= {"style-closer", "lone-surrogate"}
    assert sum(len(case) > 2 for case in cases) < len(cases) // 20


#: Inputs through each branch of the tokenizer's fast paths: implied closes,
#: void elements with and without a serialised closer, attributes (entities,
#: repeats, ``__proto__``, case), pending ``<style>`` text, closers of the
#: innermost element whose filter frame differs, skipped content, foreign
#: content and the names next to the fast set.
_FAST_PATH_BRANCHES = [
    "<p>a<p>b<div>c</div><ul><li>x<li>y</ul>", "<dd>a<dt>b<dd>c", "<table><tr><td>a<td>b<tr>c</table>",
    "<wbr>x<col>y<img src=x onerror=y><br>z<hr/><hr>", "<P CLASS=x Class=y>t</P>", "<b __proto__=x a=&amp;b>y</B>",
    '<a href="javascript:x" title=\'q\' target=_blank>a</a>', "<style/>a<b>c</b>", "<style/>a</b>",
    "<b><i></b>x</i>", "<font><b>x</font></b>", "<script>x</script><b>y</b>", "<option><b>x</b></option><b>y</b>",
    "<svg><b>x</b></svg><b>y</b>", "<math><p>x</p></math>", "<title>x</title><b>y</b>", "<b>x</title></b>",
    "<xitle>x</title>", "<tmp>x</xmp>", "<\u212abd>x</kbd>", "<b >x</b >", "<b\n>x</b\tfoo>", "</b>x<b/>y",
    "<html><head><link><body><p>x</body></html>", "<li>a</li></li><p></p></p>",
]


@pytest.mark.parametrize("fixed", [True, False])
def test_fast_paths_agree_with_the_general_path(monkeypatch: pytest.MonkeyPatch, fixed: bool) -> None:
    """The tokenizer's one-piece handling of common tags gives what its
    step-by-step path gives, on the recorded and generated corpora and on an
    input through each of its branches."""
    from flask_novu import sanitize
    from _sanitize_cases import EDGE_CASES

    inputs = _FAST_PATH_BRANCHES + EDGE_CASES + [case[0] for case in _corpus_cases()] if fixed else corpus(3000, 16)
    fast = [sanitize_html(text) for text in inputs]
    monkeypatch.setattr(sanitize._Sanitizer, "fast", False)
    general = [sanitize_html(text) for text in inputs]
    assert [(text, a) for text, a, b in zip(inputs, fast, general) if a != b] == []


_REFERENCE = pathlib.Path(os.environ.get("NOVU_REFERENCE_INSTALLED", "/tmp/novu-ref"))
_ORACLE = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "sanitize_oracle.cjs"


def _reference_available() -> bool:
    return bool(shutil.which("node")) and (_REFERENCE / "node_modules" / "sanitize-html").is_dir()


def _reference(inputs: List[str]) -> List[str]:
    completed = subprocess.run(
        ["node", str(_ORACLE)],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NOVU_REFERENCE_INSTALLED": str(_REFERENCE)},
    )
    outputs: List[str] = json.loads(completed.stdout)
    return outputs


@pytest.mark.skipif(not _reference_available(), reason="needs node and an installed reference bridge")
def test_live_differential_against_the_reference() -> None:
    """A fresh seeded corpus, sanitised by the real sanitize-html (as the SDK
    configures it) and by us; only the documented differences may differ."""
    inputs = corpus(1500, seed=int(os.environ.get("SANITIZE_DIFF_SEED", "7")))
    unexplained = []
    for dirty, expected in zip(inputs, _reference(inputs)):
        ours = sanitize_html(dirty)
        if ours == expected:
            continue
        surrogates_replaced = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in expected)
        if ours == surrogates_replaced or ours.lower().count("</style") < expected.lower().count("</style"):
            continue
        unexplained.append((dirty, expected, ours))
    assert unexplained == []


# -- deliberate differences (docs/protocol.rst) ------------------------------


@pytest.mark.parametrize(
    ("dirty", "sdk", "ours"),
    [
        # The SDK writes decoded entities raw into <style>: markup injection.
        (
            "<style/>&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;",
            "<style></style><img src=x onerror=alert(1)></style>",
            "<style>&lt;/style>&lt;img src=x onerror=alert(1)></style>",
        ),
        # A closer "</style/" the SDK's fix-up misses (no later ">").
        (
            "<style>a</style/<img src=x onerror=alert(1)//",
            "<style>a</style/<img src=x onerror=alert(1)//</style>",
            "<style>a&lt;/style/&lt;img src=x onerror=alert(1)//</style>",
        ),
    ],
)
def test_style_text_cannot_close_the_style_element(dirty: str, sdk: str, ours: str) -> None:
    assert sanitize_html(dirty) == ours
    assert "<img" not in ours
    if _reference_available():
        assert _reference([dirty]) == [sdk]


def test_half_an_astral_character_becomes_a_replacement_character() -> None:
    # The SDK emits the last UTF-16 code unit here: a lone surrogate.
    assert sanitize_html("<a>x</a b\U0001f600") == "<a>x</a>\ufffd"


@pytest.mark.parametrize(
    ("dirty", "ours"),
    [
        # entities 7.0.1 decodes these as other characters or drops the rest
        # of the string; we read them as the HTML standard does.
        ('<a title="&Scy!">&Scy!</a>', '<a title="&amp;Scy!">&amp;Scy!</a>'),
        ("<p>&Ocy</p>after", "<p>&amp;Ocy</p>after"),
    ],
)
def test_misdecoded_entity_prefixes_follow_the_standard(dirty: str, ours: str) -> None:
    assert sanitize_html(dirty) == ours


def test_nested_arrays_stay_arrays_and_null_items_are_kept() -> None:
    # The SDK turns [[1, "<b>x</b>"]] into [{"0": 1, "1": ...}] and fails
    # on a null item in an array.
    assert sanitize_outputs({"data": {"rows": [[1, "<b>x</b><script>y</script>"]], "list": [None]}}) == {
        "data": {"rows": [[1, "<b>x</b>"]], "list": [None]}
    }


@pytest.mark.parametrize(
    "dirty",
    [
        "<scr<script>ipt>alert(1)</script>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<a href=\"java<!-- -->script:alert(1)\">x</a>",
        "<a href=\"<!<!-- x -->--javascript:alert(1)\">x</a>",
        "<a href=\"\x01 javascript:alert(1)\">x</a>",
        "<a/href=javascript:alert(1)>x</a>",
        "<div/onmouseover='alert(1)'>x</div>",
        "<img src=x onerror=alert(1)//>",
        "<img srcset=\"javascript:alert(1) 1x\">",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<textarea></textarea><script>alert(1)</script>",
        "<title></title><script>alert(1)</script>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<option>&lt;script&gt;alert(1)&lt;/script&gt;</option>",
        "<xmp><script>alert(1)</script></xmp>",
        "<body onload=alert(1)>",
        "<iframe src=javascript:alert(1)></iframe>",
    ],
)
def test_hostile_markup_leaves_nothing_executable(dirty: str) -> None:
    """Read the output as a browser's tokenizer would (``<style>`` content is
    raw text): no script-bearing element, event handler or javascript: URL."""
    found: List[str] = []

    class Reader(html.parser.HTMLParser):
        def handle_starttag(self, tag: str, attrs: List[Any]) -> None:
            if tag in ("script", "iframe", "svg", "math", "object", "embed", "noscript", "xmp"):
                found.append(tag)
            for name, value in attrs:
                compact = "".join((value or "").split()).lower()
                if name.startswith("on") or compact.startswith(("javascript:", "vbscript:", "data:")):
                    found.append(f"{tag} {name}={value}")

    reader = Reader(convert_charrefs=True)
    reader.feed(sanitize_html(dirty))
    reader.close()
    assert found == []


# -- complexity ------------------------------------------------------------------

#: Pathological shapes, each built from a repetition count.
_SHAPES: Dict[str, Callable[[int], str]] = {
    "unclosed start tags": lambda n: "<body " * n,
    "slashed closers without >": lambda n: "</a/" * n,
    "slashed closers": lambda n: "</a/>" * n,
    "deep nesting": lambda n: "<div>" * n,
    "deep nesting, wrong closers": lambda n: "<div>" * n + "</span>" * n,
    "mis-nesting": lambda n: "<b><i></b>" * n,
    "many attributes": lambda n: "<p " + " ".join(f"a{i}=x" for i in range(n)) + ">",
    "many attributes, no end": lambda n: "<p " + " ".join(f'a{i}="x"' for i in range(n)),
    "attributes without separators": lambda n: "<p " + 'a="x"' * n + ">",
    "quotes after =": lambda n: "<p a=" + "'x\"" * n + ">",
    "long attribute value": lambda n: '<a href="' + "x" * (8 * n) + '">',
    "unterminated quote": lambda n: '<p title="' + "\"'" * n,
    "run of <": lambda n: "<" * (4 * n),
    "entity flood": lambda n: "&amp;&lt;&#x41;" * n,
    "entity-like runs": lambda n: "&notit" * n,
    "unclosed comments": lambda n: "<!--" * n,
    "unclosed CDATA": lambda n: "<![CDATA[" * n,
    "raw text, near-closers": lambda n: "<style>" + "</sty" * n,
    "title with entities": lambda n: "<title>" + "&amp;<" * n,
    "implied paragraphs": lambda n: "</p>" * n,
    "table rows": lambda n: "<table>" + "<tr><td>x" * n,
    "comments in a URL": lambda n: '<a href="' + "<!--x-->" * n + 'javascript:x">',
    "srcset candidates": lambda n: '<img srcset="' + "a.png 1x, " * n + '">',
    "self-closed SVG": lambda n: "<svg>" + "<g/>" * n,
    "content of a dropped tag": lambda n: "<option>" + "<b>" * n,
    "declarations": lambda n: "<!x" * n,
    "payload text": lambda n: "Tom & Jerry <3 \"quotes\" \U0001f600 " * n,
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_time_grows_linearly(shape: str) -> None:
    """Doubling a pathological input about doubles the time (ratio per
    doubling well under quadratic's 4), from sizes of a few hundred KB."""
    build = _SHAPES[shape]
    size = 5_000
    # Grow the first size until a run takes long enough to measure.
    while cpu_time(lambda: sanitize_html(build(size))) < 0.025 and size < 4_000_000:
        size *= 2
    inputs = [build(size * 2**step) for step in range(3)]
    # Two doublings are about 4 in all for linear time and 16 for quadratic.
    times = growth_times([functools.partial(sanitize_html, text) for text in inputs], lambda ts: ts[2] / ts[0] < 9)
    assert times[2] / times[0] < 9, (shape, size, [later / earlier for earlier, later in zip(times, times[1:])])


# -- through a real bridge ---------------------------------------------------


def test_in_app_outputs_through_the_bridge() -> None:
    """What a dashboard user's in-app step sends: builder markup kept as in
    the SDK, hostile parts removed, ``data`` arrays kept (deliberate
    difference: the SDK turns the nested list into an object and fails on
    the ``null`` item)."""
    from flask import Flask

    from flask_novu import serve, workflow

    @workflow("inbox-digest", payload_schema={"type": "object"})
    def inbox_digest(payload: Dict[str, Any], step: Any) -> None:
        step.in_app(
            "note",
            lambda controls: {
                "body": payload["html"],
                "data": {"rows": [[1, "<b>x</b><script>y</script>"]], "list": [None], "n": 2},
            },
        )

    app = Flask(__name__)
    serve(app, route="/api/novu", workflows=[inbox_digest])
    html = '<div mc:edit="body"><td>Hi &amp; <b><i>welcome</b></div><img src=x onerror=alert(1)>'
    response = app.test_client().post(
        "/api/novu?action=execute&workflowId=inbox-digest&stepId=note",
        json={"payload": {"html": html}, "controls": {}, "state": [], "subscriber": {"subscriberId": "s"}},
    )
    assert response.status_code == 200, response.get_json()
    outputs = response.get_json()["outputs"]
    assert outputs["body"] == '<div mc:edit="body"><td>Hi &amp; <b><i>welcome</i></b></td></div><img src="x" />'
    assert outputs["data"] == {"rows": [[1, "<b>x</b>"]], "list": [None], "n": 2}


#: Hostile bodies of about half a megabyte each (the issue's shapes).
_HOSTILE_BODIES = {
    "unclosed start tags": "<body " * 80_000,
    "slashed closers": "</a/" * 100_000,
    "deep nesting": "<div>" * 100_000,
    "many attributes": "<p " + " ".join(f"a{i}=x" for i in range(80_000)) + ">",
    "entity flood": "&amp;" * 100_000,
    "unclosed comments": "<!--" * 100_000,
}


def test_hostile_html_under_gunicorn_keeps_the_worker() -> None:
    """Each pathological body, rendered into an in-app step by a real
    gunicorn worker, answers 200 well within the worker timeout, and the
    worker that answers afterwards is the same process."""
    from _servers import gunicorn_server, json_of
    from _servers import request as http_request

    with gunicorn_server("_hostile_html_app:make_app()") as (host, port):
        status, _, data = http_request(host, port, "GET", "/pid")
        assert status == 200
        pid = json_of(data)["pid"]
        for shape, html in _HOSTILE_BODIES.items():
            body = json.dumps(
                {"payload": {"name": html}, "controls": {"subject": "x", "body": "{{payload.name}}"}}
            ).encode()
            status, _, data = http_request(
                host, port, "POST", "/api/novu?action=execute&workflowId=greeting&stepId=greet", body,
                {"Content-Type": "application/json"}, timeout=25,
            )
            assert status == 200, (shape, data[:300])
            assert "outputs" in json_of(data), shape
        status, _, data = http_request(host, port, "GET", "/pid")
        assert status == 200 and json_of(data)["pid"] == pid
