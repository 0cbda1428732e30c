"""Record the sanitiser's outputs for a generated corpus of attribute-heavy HTML.

The corpus (``tests/fixtures/sanitize_attributes.json``) pins the outputs of
``flask_novu.sanitize.sanitize_html`` so that refactorings of how attributes
are filtered can be checked against them (``tests/test_sanitize.py``). The
expected outputs were checked by hand for a sample and follow the rules in the
module docstring; regenerate only when a change of output is intended::

    python scripts/record_sanitize_corpus.py
"""

from __future__ import annotations

import json
import pathlib
import random

from flask_novu.sanitize import sanitize_html

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sanitize_attributes.json"

TAGS = ["a", "img", "p", "td", "div", "span", "style", "link", "meta", "blockquote",
        "iframe", "script", "x-custom", "video", "body", "table", "col", "br", "wbr", "q"]
ATTRIBUTES = ["href", "src", "srcset", "title", "alt", "class", "style", "width", "onclick",
              "target", "data-x", "aria-label", "nowrap", "hidden", "cite", "action", "poster",
              "background", "xlink:href", "id", "lang", "HREF", "Src", "sizes", "loading",
              "bgcolor", "rel", "longdesc", "usemap", "unknownattr", "onerror"]
VALUES = ["", "x", "https://e.com/?a=1&b=2", "https://e.com/?a=1&amp;b=2", "javascript:alert(1)",
          " java\tscript:x", "java&#x09;script:x", "java<!-- -->script:x", "mailto:a@b.c", "tel:+1",
          "data:image/png;base64,AA", "//cdn.example/x.png", "a.png 1x, javascript:y 2x",
          "a.png 100w, b.png 2.50x", "a.png 1x 2x", "&quot;q&quot;", "a&nbsp;b", "<b>", "ftp://f",
          "vbscript:x", "HTTPS://E.COM", "#top", "/rel/path", "caf\u00e9 \u2603", "a\"b", "a'b",
          "  spaced  ", "\x01ctl", "=\"\"", "&lt;i&gt;", "?q=1", "HtTp://ok", "java\nscript:x"]


def _attribute(rng: random.Random) -> str:
    name, value = rng.choice(ATTRIBUTES), rng.choice(VALUES)
    quote = rng.choice(['"', "'", ""])
    if quote == "" and (not value or any(c in value for c in " \t\n\"'=<>`")):
        quote = '"' if '"' not in value else "'"
    if quote and quote in value:
        quote = "'" if quote == '"' else '"'
    if rng.random() < 0.08:
        return f" {name}"
    return f" {name}={quote}{value}{quote}"


def _element(rng: random.Random, depth: int = 0) -> str:
    tag = rng.choice(TAGS)
    attributes = "".join(_attribute(rng) for _ in range(rng.randint(0, 4)))
    inner = rng.choice(["", "text", "a &amp; b", "<b>bold</b>", "x\u00a0y"])
    if depth < 2 and rng.random() < 0.4:
        inner += _element(rng, depth + 1)
    return f"<{tag}{attributes}>{inner}</{tag}>"


def corpus(count: int = 600, seed: int = 20261126) -> list[str]:
    rng = random.Random(seed)
    return ["".join(_element(rng) for _ in range(rng.randint(1, 3))) for _ in range(count)]


def main() -> None:
    cases = [[dirty, sanitize_html(dirty)] for dirty in corpus()]
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {OUT}")


if __name__ == "__main__":
    main()
