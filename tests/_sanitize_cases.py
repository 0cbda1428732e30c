"""Seeded generator of HTML as it reaches the sanitiser of email and in-app
steps: email builders' output (MJML-compiled tables, conditional comments,
``mso-`` styles, namespaced attributes), in-app snippets, end users' text
(``<``, ``&``, quotes, emoji) and hostile shapes, plus mutations (cut at a
random point, characters dropped or repeated) that reach the tokenizer's
rarer states.

Used by ``scripts/record_sanitize_corpus.py`` (which records the reference
sanitiser's outputs) and by the live differential test.
"""

from __future__ import annotations

import random
from typing import Callable, List

USER_TEXT = [
    "Hi Ada,", "Tom & Jerry", "a < b > c", "5 > 3 && 2 < 4", 'say "hi"', "it's",
    "caf\u00e9 \u2603 \U0001f600", "&amp; &lt;b&gt; &nbsp;", "&copy 2026", "&notit; &noti",
    "&#x41;&#66;&#0;&#x110000;&#128;", "x <3 you", "{{ payload.name }}", "{% if x %}y{% endif %}",
    "line1\r\nline2", "tab\there", "\u00a0nbsp", "100%", "a&b=c", "&ampx &amp-", "<<>>",
    "\U0001f469\u200d\U0001f4bb", "R&D", "mailto:x@y.z", "</", "<!", "<?", "&#", "&#x;",
]

TAGS = [
    "p", "div", "span", "b", "i", "u", "strong", "em", "a", "img", "br", "hr", "table", "tbody",
    "thead", "tfoot", "tr", "td", "th", "col", "colgroup", "caption", "ul", "ol", "li", "h1", "h2",
    "center", "font", "style", "title", "meta", "link", "html", "head", "body", "script", "iframe",
    "textarea", "option", "select", "xmp", "svg", "math", "foreignObject", "desc", "o:p", "v:rect",
    "noscript", "form", "input", "button", "section", "blockquote", "pre", "code", "wbr", "sup",
    "x-custom", "mj-column", "label", "dd", "dt", "rt", "rp", "details", "tmp", "xitle", "plaintext",
]

ATTRIBUTES = [
    "href", "src", "srcset", "style", "class", "id", "width", "height", "align", "valign", "bgcolor",
    "border", "cellpadding", "cellspacing", "role", "alt", "title", "target", "rel", "nowrap",
    "onclick", "onerror", "OnLoad", "mc:edit", "mc:repeatable", "xmlns:v", "xmlns:o", "v:shape",
    "data-id", "aria-label", "lang", "dir", "background", "xlink:href", "cite", "action", "hidden",
    "1", "0", "10", "__proto__", "loading", "sizes", "x", "\"q", "a'b", "=e",
]

VALUES = [
    "", "x", "https://e.com/?a=1&b=2", "https://e.com/?a=1&amp;b=2", "javascript:alert(1)",
    " java\tscript:x", "java&#x09;script:x", "java<!-- -->script:x", "jav<!--a-->ascript:x",
    "<!<!-- x -->--javascript:x", "mailto:a@b.c", "tel:+1", "data:image/png;base64,AA",
    "//cdn.example/x.png", "a.png 1x, javascript:y 2x", "a.png 100w, b.png 2.50x", "a.png 1x 2x",
    "a.png 1e1x", "a.png 0x, b.png -0x", "a.png 10w 20h", "f(a,b).png 1x", "a.png (x y) 1x",
    "a,,b", ",a.png", "&quot;q&quot;", "a&nbsp;b", "<b>", "vbscript:x", "HTTPS://E.COM", "#top",
    "/rel/path", "caf\u00e9 \u2603", 'a"b', "a'b", "  spaced  ", "\x01ctl", '=""', "&lt;i&gt;",
    "color:#333;mso-line-height-rule:exactly;font-family:Arial,sans-serif",
    "mso-table-lspace:0pt;mso-table-rspace:0pt", "&ampx", "&amp-", "&notit", "100%", "0",
    "https://x.test/img.png 600w, https://x.test/img@2x.png 1200w",
]


def _text(rng: random.Random) -> str:
    return rng.choice(USER_TEXT)


def _attribute(rng: random.Random) -> str:
    name, value = rng.choice(ATTRIBUTES), rng.choice(VALUES)
    if rng.random() < 0.1:
        return " " + name
    quote = rng.choice(['"', '"', "'", ""])
    if quote == "" and (not value or any(char in value for char in " \t\n\"'=<>`")):
        quote = '"'
    if quote and quote in value:
        quote = "'" if quote == '"' else '"'
    if rng.random() < 0.1:
        name = name.upper()
    return f" {name}={quote}{value}{quote}"


def _element(rng: random.Random, depth: int) -> str:
    tag = rng.choice(TAGS)
    attributes = "".join(_attribute(rng) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.1:
        return f"<{tag}{attributes}/>"
    inner = "".join(
        _element(rng, depth + 1) if depth < 3 and rng.random() < 0.45 else _text(rng)
        for _ in range(rng.randint(0, 3))
    )
    closer = f"</{tag}>" if rng.random() < 0.85 else rng.choice(["", f"</{tag.upper()}>", f"</{tag}/ >", f"</{tag} x>"])
    return f"<{tag}{attributes}>{inner}{closer}"


def _mjml_email(rng: random.Random) -> str:
    """A template in the shape MJML and similar builders compile to."""
    name = rng.choice(["Ada", "Tom & Jerry", "<Bob>", "Zo\u00eb \U0001f389", "O'Brien \"Jr\""])
    rows = "".join(
        '<tr><td align="left" style="font-size:0px;padding:10px 25px;word-break:break-word;">'
        '<div style="font-family:Ubuntu, Helvetica, Arial, sans-serif;font-size:13px;line-height:1;'
        f'text-align:left;color:#000000;">{rng.choice(USER_TEXT)}</div></td></tr>'
        for _ in range(rng.randint(1, 3))
    )
    return (
        '<!doctype html><html xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office"><head><title></title>'
        '<!--[if !mso]><!--><meta http-equiv="X-UA-Compatible" content="IE=edge"><!--<![endif]-->'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<style type="text/css">#outlook a { padding:0; } body { margin:0;padding:0; } '
        "table, td { border-collapse:collapse;mso-table-lspace:0pt;mso-table-rspace:0pt; } "
        "img { border:0;height:auto;line-height:100%; outline:none; }</style>"
        "<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96"
        "</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->"
        '<!--[if lte mso 11]><style type="text/css">.mj-outlook-group-fix { width:100% !important; }'
        "</style><![endif]--></head>"
        f'<body style="word-spacing:normal;"><div style=""><p>Hello {name}</p>'
        '<!--[if mso | IE]><table align="center" border="0" cellpadding="0" cellspacing="0" '
        'class="" role="presentation" style="width:600px;" width="600" ><tr><td style="line-height:0px;'
        'font-size:0px;mso-line-height-rule:exactly;"><![endif]-->'
        '<div style="margin:0px auto;max-width:600px;"><table align="center" border="0" cellpadding="0" '
        'cellspacing="0" role="presentation" style="width:100%;"><tbody><tr><td style="direction:ltr;'
        'font-size:0px;padding:20px 0;text-align:center;"><div class="mj-column-per-100 mj-outlook-group-fix" '
        'style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;">'
        '<table border="0" cellpadding="0" cellspacing="0" role="presentation" style="vertical-align:top;" '
        f'width="100%"><tbody>{rows}</tbody></table></div></td></tr></tbody></table></div>'
        "<!--[if mso | IE]></td></tr></table><![endif]--></div></body></html>"
    )


def _mailchimp_email(rng: random.Random) -> str:
    """A classic hand-coded table layout with Mailchimp editable regions."""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="UTF-8">'
        "<style>@media only screen and (max-width:480px){ .x{width:100% !important} } "
        'a[x-apple-data-detectors]{color:inherit !important}</style></head>'
        '<body leftmargin="0" marginwidth="0" topmargin="0" marginheight="0" offset="0">'
        '<center><table border="0" cellpadding="0" cellspacing="0" height="100%" width="100%" id="bodyTable">'
        '<tr><td align="center" valign="top" id="bodyCell"><div mc:edit="header" mc:repeatable="x">'
        f"<h1>{rng.choice(USER_TEXT)}</h1></div>"
        f'<td class="mcnTextContent" style="padding-top:9px;mso-line-height-rule:exactly;">{rng.choice(USER_TEXT)}'
        '<a href="*|UNSUB|*" target="_blank">unsubscribe</a> &middot; <a href="*|ARCHIVE|*">view</a>'
        '<img align="center" alt="" src="https://gallery.mailchimp.com/x.png" width="564" '
        'style="max-width:564px;padding-bottom:0;display:inline !important;vertical-align:bottom;" '
        'class="mcnImage"></td><!--[if gte mso 9]></td><td align="center" valign="top" width="200" '
        'style="width:200px;"><![endif]--><col width="50"><tr><td>stray</td></table></center></body></html>'
    )


def _in_app(rng: random.Random) -> str:
    return rng.choice(
        [
            f"<b>{_text(rng)}</b> commented on <i>{_text(rng)}</i>",
            f'<a href="{rng.choice(VALUES)}">Open</a> {_text(rng)}',
            f"{_text(rng)} <img src=x onerror=alert(1)> {_text(rng)}",
            f"<b><i>{_text(rng)}</b></i> mis-nested",
            f"<p>{_text(rng)}<div>{_text(rng)}</p></div>",
            f"<ul><li>{_text(rng)}<li>{_text(rng)}</ul>",
            f"<svg><title>{_text(rng)}</title><circle r=1/><foreignObject><p>x</p></foreignObject></svg>",
            f"<table>{_text(rng)}<tr><td>{_text(rng)}<td>{_text(rng)}</table>",
            f"<xmp><b>{_text(rng)}</b></xmp>after",
            f"<td>{_text(rng)}</td><tr><col>",
        ]
    )


HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)//>", "<svg onload=alert(1)>",
    "<a href=\"javas&#x09;cript:alert(1)\">x</a>", "<iframe src=javascript:alert(1)>",
    "<style>a{}</style/><img src=x onerror=alert(1)>", "<style/>&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;",
    "<style>a</style/<img src=x onerror=alert(1)//", "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)//-->", "<![CDATA[<script>alert(1)</script>]]>", "<title><script>x</script></title>",
    "<textarea><script>x</script></textarea>", "<option>&lt;script&gt;x</option>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<a href=\"&#106;avascript:alert(1)\">x</a>", "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<p \"onclick=x>t</p>",
    "<div/onmouseover='alert(1)'>x</div>", "<a/href=javascript:alert(1)>x</a>", "<x\x1c/style>",
    "<style>a<x\x1c/style>b", "</script><script>alert(1)</script>", "<<script>x</script>",
    "<body onload=alert(1)>", "<a href=\"\x01javascript:alert(1)\">x</a>", "<img srcset=\"javascript:x 1x\">",
]


SHAPES: List[Callable[[random.Random], str]] = [
    lambda rng: "".join(_element(rng, 0) for _ in range(rng.randint(1, 4))),
    lambda rng: "".join(_element(rng, 0) for _ in range(rng.randint(1, 4))),
    _in_app,
    lambda rng: rng.choice(HOSTILE),
    lambda rng: _text(rng) + rng.choice(HOSTILE) + _text(rng),
]


def _mutate(rng: random.Random, html: str) -> str:
    kind = rng.random()
    if not html:
        return html
    if kind < 0.4:
        return html[: rng.randint(0, len(html))]
    if kind < 0.7:
        cut = rng.randint(0, len(html) - 1)
        return html[:cut] + html[cut + rng.randint(1, 3) :]
    position = rng.randint(0, len(html))
    return html[:position] + rng.choice(["<", "</", "&", '"', "'", "/", ">", "<!--", "-->", "=", " ", "\x00", "<!", "]]>"]) + html[position:]


def case(rng: random.Random) -> str:
    """One generated input (a whole email template about one time in 20)."""
    if rng.random() < 0.05:
        html = rng.choice([_mjml_email, _mailchimp_email])(rng)
    else:
        html = rng.choice(SHAPES)(rng)
    if rng.random() < 0.35:
        html = _mutate(rng, html)
    return html


def corpus(count: int, seed: int) -> List[str]:
    """``count`` generated inputs, the same for the same seed."""
    rng = random.Random(seed)
    return [case(rng) for _ in range(count)]


#: Fixed cases: every state of the tokenizer at the end of input, the
#: element rules, entity and attribute edge cases, and the quirks the SDK's
#: pre-processing adds.
EDGE_CASES: List[str] = [
    "", "plain", "a</b x", "a</b x\U0001f600", "<?foo", "<?foo>bar", "</3abc", "</3>x", "<!foo", "<!foo>x",
    "<!-", "<!->abc", "<!-x>y", "<!>abc", "<![CD", "<![CDATA[x]]>y", "<![CDATAx>y", "<!-->x", "<!--->x",
    "<!---->x", "<!-- a -- b --->x", "<!--x", "<", "a<", "</", "</ ", "</>x", "</ >x", "<a/", "<a /",
    "<a/\U0001f600", "<s", "<sc", "<scr", "<script", "<st", "<style", "<t", "<ti", "<te", "<x", "<xm",
    "<xmp", "<a", "<tr", "<sx", "<scriptx>y", "<b", "x<b>y<b z=\"", "<p>x<div", "<p>x<div a", "<b>x</b",
    "<p 2=a 1=b x=c __proto__=d>t</p>", "<p b=1 B=2 a=3>t</p>", "<p =a>t</p>", "<p a =b c= d e = 'f'>t</p>",
    "<p a=\"1\"b='2'c=3>t</p>", "<p a=>t</p>", "<p a=b/>t</p>", "<p/a/b>t</p>", "<p\x0bx=1>t</p>",
    "<p \"onclick=x>t</p>", "<p <b>t</p>", "<P CLASS=X>t</P>", "<style>a<x\x1c/style>b", "<style>a</stylex</style>b",
    "<style>a</style >b", "<style>a</STYLE\n>b", "<style>a<</style>b", "<style>x&amp;y</style>", "<style/>a<b>c</b>",
    "<script>a</script>b", "<script>a</scrip</script>b", "<script/>x<b>y</b>z", "<SCRIPT>a</SCRIPT>b",
    "<title>a &amp; <b>b</b></title>", "<title>a<&amp;</title>", "<title>&notit; &noti</title>", "<title>x",
    "<xitle>a&amp;<b></title>z", "<tmp><b>x</b></xmp>y", "<textarea><b>x</b></textarea>y", "<xmp><i>x</i></xmp>y",
    "<xextarea>a</textarea>b", "<option><b>x</b></option>y<select><option>a<option>b</select>z",
    "<b><option>x</b>y", "<b><i></b>x", "<b><i>x</b>y</i>z", "<td>x</td><tr><col>", "<table>text<tr>x</table>",
    "<tr><td>a<td>b<tr><td>c", "<table><tbody><tr><td>1<tbody><tr><td>2</table>", "<p>a<p>b<div>c</p>",
    "<li>a<li>b", "<dd>a<dt>b", "<rt>a<rp>b", "</p>", "a</p>b", "</br>", "<p></br></p>", "</img>", "<br/>x",
    "<col>x", "<wbr>", "<hr>x", "<img>", "<input>x", "<html><head><title>t</title><body>b", "<head><link><body>",
    "<div mc:edit=\"body\">x</div>", "<svg><p>x</p></svg><math>m</math>", "<svg><rect/><g/></svg>x",
    "<svg><foreignObject><p/>x</foreignObject><p/>y</svg>", "</svg><svg/>x", "<math><mi/>x</math>",
    "<svg><title>t</title><g/>x</svg>", "<svg><desc><b/>x</desc></svg>",
    "&notit; &noti &amp &ampx <a title=\"&notit &ampx &amp- &#x41\">q</a>", "&#0;&#x0;&#128;&#x9f;&#xD800;&#1114112;",
    "&#99999999999999999999;&#x41&#65x&#x;&#;&#", "&AMP;&Amp;&amp;&ampamp;", "&CounterClockwiseContourIntegral;",
    "&NotEqualTilde;", "&nbsp;&copy&reg", "<a title=\"&amp=x &ampx &amp\">q</a>", "<a title=&lt;b&gt;>q</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>", "<a href=\"java<!-- -->script:x\">x</a>",
    "<a href=\"<!<!-- x -->--javascript:x\">x</a>", "<a href=\"<!-- a -->\">x</a>", "<a href=\"<!--\">x</a>",
    "<a href=\"\\\\evil.com\">x</a>", "<a href=\"//evil.com\">x</a>", "<a href=\"HtTpS:x\">x</a>",
    "<img srcset=\"a.png 1e1x, b.png 100w, c 1.50x, d 12345678901234567890w, e 1e30x\">",
    "<img srcset=\"a.png 1x 2x, b.png 10w 20h, c.png 0w, d.png -1x, e.png 1.x, f.png .5x\">",
    "<img srcset=\"f(a,b).png 1x, g.png (x y) 1x, h.png (unclosed\">", "<img srcset=\",,, a.png,, b.png 2x,\">",
    "<img srcset=\"\">", "<img srcset=\"javascript:x 1x\">", "<link imagesrcset=\"a.png 1x, javascript:b 2x\">",
    "<img src=x alt=\"\" title=\"\" width=\"\" ismap>", "<p hidden class=\"\" nowrap>x</p>", "<a href=\"\">x</a>",
    "</a/>x</b / y>z</c\u00a0/>", "</a/x", "</p/ >b", "<!DOCTYPE html><p>x</p>", "<!doctype html><p>x</p>",
    "<!DOCTYPE html\n><p>x</p>", "<!DOCTYPE >x",
]
