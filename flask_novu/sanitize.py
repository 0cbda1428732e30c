"""HTML sanitisation of ``email`` / ``in_app`` step outputs (protocol §3.7).

The reference SDK runs every string of a step's ``outputs`` through the
JavaScript ``sanitize-html`` library (2.17, on the ``htmlparser2`` 10
streaming tokenizer).  This module reproduces that output with a streaming
tokenizer and filter of its own, written from the libraries' documented and
observed behaviour (no HTML5 tree building: markup is never re-nested, table
parts outside a table stay where they are, unknown and namespaced attributes
such as ``mc:edit`` survive).

How the SDK configures it (facts of ``@novu/framework`` 2.13.2):

* allowed tags: sanitize-html's default list plus ``style``, ``img``,
  ``html``, ``head``, ``body``, ``link``, ``meta`` and ``title``; other tags
  are dropped and their text kept, except ``script``, ``textarea``,
  ``option`` and ``xmp``, whose content goes too;
* every attribute is allowed except names starting with ``on``; ``img``
  keeps only a fixed list; empty values of non-boolean attributes are
  dropped; URL attributes must use ``http``, ``https``, ``ftp``, ``mailto`` or
  ``tel`` (or be relative); ``srcset`` candidates are filtered the same way;
* text is entity-decoded and re-escaped (``&``, ``<``, ``>``; attribute values
  also ``"``); ``<style>`` content is written as it is;
* before parsing, closers such as ``</p/ >`` are normalised to ``</p>``; a
  leading ``<!DOCTYPE ...>`` is kept.

Every stage is linear in the input: the tokenizer moves forward only (each
state consumes a run found by a bounded regular expression or ``str.find``),
the element stack answers "is this tag open?" from a per-name count, and
entity references are matched within their maximum length.  Memory is
proportional to the input.

Deliberate differences from the SDK (see ``docs/protocol.rst``): raw
``<style>`` text that would close the element early (``</style`` reached
through entities or a self-closed ``<style/>``) has its ``<`` escaped, so it
cannot inject markup; half of an astral character that the SDK would emit as
a lone surrogate is U+FFFD; a few partial entity names that the SDK's
decoder (``entities`` 7.0.1) misreads are read as the HTML standard says; and
:func:`sanitize_outputs` keeps arrays as arrays and ``null`` items as they
are.
"""

from __future__ import annotations

import re
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any, Dict, List, Optional, Tuple

from ._jsnumber import js_number

__all__ = ["sanitize_html", "sanitize_outputs"]

#: sanitize-html 2.17 ``defaults.allowedTags`` plus the tags Novu adds.
_ALLOWED_TAGS = frozenset(
    {
        "address", "article", "aside", "footer", "header",
        "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "main", "nav", "section",
        "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "hr", "li", "menu", "ol", "p", "pre", "ul",
        "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn",
        "em", "i", "kbd", "mark", "q", "rb", "rp", "rt", "rtc", "ruby",
        "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
        "var", "wbr",
        "caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr",
        # Added by the Novu SDK.
        "style", "img", "html", "head", "body", "link", "meta", "title",
    }
)

#: Disallowed tags whose content is discarded too (sanitize-html's
#: ``nonTextTags``; ``style`` is allowed, so it never applies).
_NON_TEXT_TAGS = frozenset({"script", "style", "textarea", "option", "xmp"})

#: Allowed tags written as ``<tag ... />`` with no closer.
_SELF_CLOSING = frozenset({"img", "br", "hr", "area", "base", "basefont", "input", "link", "meta"})

#: sanitize-html 2.17 ``defaults.allowedSchemes``.
_URL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel"})

#: Attributes whose URL scheme is checked.
_URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "cite", "action", "formaction", "data", "xlink:href",
        "poster", "background", "ping", "longdesc", "usemap", "codebase",
        "classid", "archive", "profile", "manifest", "itemid", "dynsrc",
        "lowsrc",
    }
)

#: The only attributes the Novu SDK keeps on ``<img>``.
_IMG_ATTRIBUTES = frozenset(
    {
        "src", "alt", "width", "height", "loading", "srcset", "sizes",
        "crossorigin", "usemap", "ismap", "class", "id", "style", "title",
        "dir", "lang",
    }
)

#: Attributes dropped when their value is empty (sanitize-html's
#: ``nonBooleanAttributes``; event handlers are dropped anyway, and ``alt``
#: is exempt as an allowed empty attribute).
_NON_BOOLEAN_ATTRIBUTES = frozenset(
    {
        "abbr", "accept", "accept-charset", "accesskey", "action", "allow",
        "as", "autocapitalize", "autocomplete", "blocking", "charset", "cite",
        "class", "color", "cols", "colspan", "content", "contenteditable",
        "coords", "crossorigin", "data", "datetime", "decoding", "dir",
        "dirname", "download", "draggable", "enctype", "enterkeyhint",
        "fetchpriority", "for", "form", "formaction", "formenctype",
        "formmethod", "formtarget", "headers", "height", "hidden", "high",
        "href", "hreflang", "http-equiv", "id", "imagesizes", "imagesrcset",
        "inputmode", "integrity", "is", "itemid", "itemprop", "itemref",
        "itemtype", "kind", "label", "lang", "list", "loading", "low", "max",
        "maxlength", "media", "method", "min", "minlength", "name", "nonce",
        "optimum", "pattern", "ping", "placeholder", "popover",
        "popovertarget", "popovertargetaction", "poster", "preload",
        "referrerpolicy", "rel", "rows", "rowspan", "sandbox", "scope",
        "shape", "size", "sizes", "slot", "span", "spellcheck", "src",
        "srcdoc", "srclang", "srcset", "start", "step", "style", "tabindex",
        "target", "title", "translate", "type", "usemap", "value", "width",
        "wrap",
    }
)

# -- htmlparser2's element rules (HTML mode) ---------------------------------

_P = frozenset({"p"})
_FORM_TAGS = frozenset({"input", "option", "optgroup", "select", "button", "datalist", "textarea"})
#: Opening the key closes open elements of the value set (innermost first).
_OPEN_IMPLIES_CLOSE: Dict[str, frozenset[str]] = {
    "tr": frozenset({"tr", "th", "td"}),
    "th": frozenset({"th"}),
    "td": frozenset({"thead", "th", "td"}),
    "body": frozenset({"head", "link", "script"}),
    "li": frozenset({"li"}),
    "option": frozenset({"option"}),
    "optgroup": frozenset({"optgroup", "option"}),
    "dd": frozenset({"dd", "dt"}),
    "dt": frozenset({"dd", "dt"}),
    "rt": frozenset({"rt", "rp"}),
    "rp": frozenset({"rt", "rp"}),
    "tbody": frozenset({"thead", "tbody"}),
    "tfoot": frozenset({"thead", "tbody"}),
}
for _name in ("select", "input", "output", "button", "datalist", "textarea"):
    _OPEN_IMPLIES_CLOSE[_name] = _FORM_TAGS
for _name in (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "address", "article", "aside",
    "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
    "footer", "form", "header", "hr", "main", "nav", "ol", "pre", "section",
    "table", "ul",
):
    _OPEN_IMPLIES_CLOSE[_name] = _P

_VOID_ELEMENTS = frozenset(
    {
        "area", "base", "basefont", "br", "col", "command", "embed", "frame",
        "hr", "img", "input", "isindex", "keygen", "link", "meta", "param",
        "source", "track", "wbr",
    }
)
_FOREIGN_ELEMENTS = frozenset({"math", "svg"})
_INTEGRATION_ELEMENTS = frozenset(
    {"mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc", "title"}
)

# -- tokenizer ---------------------------------------------------------------

_TAG_WHITESPACE = "\t\n\x0c\r "
_TEXT_STOP = re.compile("[<&]")
_SKIP_WHITESPACE = re.compile("[\t\n\x0c\r ]*")
#: Tag and closing-tag names end at whitespace, ``/`` or ``>``.
_TAG_NAME = re.compile("[^\t\n\x0c\r />]*")
_CLOSING_NAME = re.compile("[^\t\n\x0c\r >]*")
#: An attribute name: its first character may be anything that does not end
#: the tag (even ``=``), the rest ends at ``=``, whitespace, ``/`` or ``>``.
_ATTRIBUTE_NAME = re.compile("[^\t\n\x0c\r />][^=\t\n\x0c\r />]*")
_UNQUOTED_VALUE = re.compile("[^\t\n\x0c\r >]*")
_COMMENT_QUICK_END = re.compile("-*>")
_SEPARATOR = "[\t\n\x0c\r /]+"
_NAME = "[^\t\n\x0c\r />][^=\t\n\x0c\r />]*"
#: ``=`` and a value: quoted, unquoted (up to whitespace or ``>``), or empty
#: before ``>``; or no value, when no ``=`` follows.  The lookaheads leave
#: exactly one way to read each attribute, so a failed match backtracks in
#: time linear in what it scanned (and never exponentially).
_VALUE = (
    "(?:[\t\n\x0c\r ]*=[\t\n\x0c\r ]*"
    "(\"[^\"]*\"|'[^']*'|[^\t\n\x0c\r >\"'][^\t\n\x0c\r >]*(?=[\t\n\x0c\r >])|(?=>))"
    "|(?![\t\n\x0c\r ]*=))"
)
#: A whole start tag whose attributes are separated by whitespace or ``/``
#: (anything else, such as the end of input inside the tag, is left to the
#: state-by-state reader).
_START_TAG = re.compile(
    "<([A-Za-z][^\t\n\x0c\r />]*)((?:" + _SEPARATOR + _NAME + _VALUE.replace("(\"", "(?:\"", 1) + ")*)"
    "([\t\n\x0c\r /]*)>"
)
#: One attribute of a ``_START_TAG`` match (group 1 the name, group 2 the
#: value with its quotes, if any).
_ATTRIBUTE = re.compile(_SEPARATOR + "(" + _NAME + ")" + _VALUE)
#: A whole end tag: its name ends at whitespace or ``>``, the rest up to
#: ``>`` is ignored.
_END_TAG = re.compile("</([A-Za-z][^\t\n\x0c\r >]*)(?:[\t\n\x0c\r ][^>]*)?>")
#: End sequences of the raw-text ("special") elements, by the first two
#: letters of the opening tag's name (the tokenizer looks no further than
#: the first letter's class and the second letter).
_FOREIGN_OR_INTEGRATION = _FOREIGN_ELEMENTS | _INTEGRATION_ELEMENTS
_SPECIAL_BY_SECOND = {
    "s": {"c": "</script", "t": "</style"},
    "t": {"i": "</title", "e": "</textarea", "m": "</xmp"},
}
_SPECIAL_BY_SECOND["x"] = _SPECIAL_BY_SECOND["t"]
_TITLE_STOP = re.compile("[<\x1c&]")
_RAW_TEXT_END = {
    sequence: re.compile(re.escape(sequence) + "[\t\n\x0c\r >]", re.IGNORECASE | re.ASCII)
    for sequence in ("</script", "</style", "</textarea", "</xmp")
}

def _end(pattern: re.Pattern[str], text: str, position: int) -> int:
    """End of the run of ``pattern`` (which matches the empty string) at
    ``position``."""
    match = pattern.match(text, position)
    return position if match is None else match.end()


# -- entities ----------------------------------------------------------------

_ENTITY_NAME = re.compile("[A-Za-z0-9]{1,32}")
#: Names that match without ``;`` (``&amp``, ``&copy``...).
_LEGACY_ENTITIES = {name: value for name, value in _HTML5_ENTITIES.items() if not name.endswith(";")}
#: Every prefix of an entity name (without ``;``).
_ENTITY_PREFIXES = frozenset(
    name[:length] for name in _HTML5_ENTITIES for length in range(1, len(name.rstrip(";")) + 1)
)
#: Partial names after a legacy name where the reference decoder (entities 7)
#: still decodes the legacy name inside an attribute value, whatever
#: follows (``title="&lti"`` is ``<i``); elsewhere in an attribute, a legacy
#: name followed by more of a longer name is left as it is.  Observed from
#: the decoder over every such prefix.
_ATTRIBUTE_RUN_PREFIXES = frozenset(
    {
        "divideo", "divideon", "divideont", "divideonti", "divideontim", "divideontime",
        "gtl", "gtlP", "gtlPa", "gtq", "gtqu", "gtque", "gtques", "gtreql", "gtreqle",
        "gtreqles", "gtrl", "gtrle", "gtrles", "lti", "ltim", "ltime", "ltl", "ltla", "ltlar",
        "ltq", "ltqu", "ltque", "ltques",
    }
)
_DECIMAL = re.compile("[0-9]+")
_HEX = re.compile("[0-9A-Fa-f]+")
_WINDOWS_1252 = {
    0x00: 0xFFFD, 0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E,
    0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02C6, 0x89: 0x2030,
    0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
    0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013,
    0x97: 0x2014, 0x98: 0x02DC, 0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A,
    0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
}


def _decode_entity(text: str, start: int, in_attribute: bool) -> Optional[Tuple[str, int]]:
    """Decode the character reference whose ``&`` is just before ``start``.

    Named references match the longest entity name; one written without
    ``;`` (a legacy name such as ``&amp``) is not decoded in an attribute when
    an ASCII letter, digit or ``=`` follows.  Numeric references need no
    ``;``; zero, surrogates and values above U+10FFFF become U+FFFD and C1
    controls are read as Windows-1252.

    :param text: The whole input.
    :param start: Index after the ``&``.
    :param in_attribute: Decoding inside an attribute value.
    :return: The decoded text and the index after the reference, or ``None``
        when the ``&`` is literal.
    """
    if text.startswith("#", start):
        position = start + 1
        digits = _HEX if text.startswith(("x", "X"), position) else _DECIMAL
        if digits is _HEX:
            position += 1
        match = digits.match(text, position)
        if match is None:
            return None
        number = match.group()
        end = match.end()
        if text.startswith(";", end):
            end += 1
        # Leading zeros do not count; beyond 7 significant digits the value
        # is out of range anyway (this bounds the conversion).
        significant = number.lstrip("0")
        code = int(significant, 16 if digits is _HEX else 10) if 0 < len(significant) <= 8 else (
            0 if not significant else 0x110000
        )
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            code = 0xFFFD
        return chr(_WINDOWS_1252.get(code, code)), end
    match = _ENTITY_NAME.match(text, start)
    if match is None:
        return None
    name = match.group()
    # Follow the entity names as far as the input does.
    walked = 1
    while walked < len(name) and name[: walked + 1] in _ENTITY_PREFIXES:
        walked += 1
    if name[:walked] not in _ENTITY_PREFIXES:
        return None
    end = start + walked
    if text.startswith(";", end):
        decoded = _HTML5_ENTITIES.get(name[:walked] + ";")
        if decoded is not None:
            return decoded, end + 1
    for length in range(walked, 1, -1):
        decoded = _LEGACY_ENTITIES.get(name[:length])
        if decoded is not None:
            break
    else:
        return None
    if in_attribute:
        walked_name = name[:walked]
        if length == walked or walked_name + ";" in _HTML5_ENTITIES:
            following = text[end : end + 1]
            if following == "=" or (following.isascii() and following.isalnum()):
                return None
        elif walked_name not in _ATTRIBUTE_RUN_PREFIXES:
            return None
    return decoded, start + length


def _read_attributes(text: str, start: int, end: int, attributes: Dict[str, str]) -> None:
    """Add the attributes of ``text[start:end]`` (a start tag's attribute
    part) to ``attributes``, the first of each name winning, values
    unquoted and decoded."""
    # With the ">" the lookaheads expect after them.
    for name, value in _ATTRIBUTE.findall(text[start:end] + ">"):
        if value and (value[0] == '"' or value[0] == "'"):
            value = value[1:-1]
        if "&" in value:
            value = _decode_attribute(value, 0, len(value))
        name = name.lower()
        if name not in attributes and name != "__proto__":
            attributes[name] = value


def _decode_attribute(text: str, start: int, end: int) -> str:
    """Decode the character references of an attribute value ``text[start:end]``."""
    position = text.find("&", start, end)
    if position < 0:
        return text[start:end]
    pieces: List[str] = []
    section = start
    while position >= 0:
        decoded = _decode_entity(text, position + 1, True)
        if decoded is None:
            position = text.find("&", position + 1, end)
            continue
        pieces.append(text[section:position])
        pieces.append(decoded[0])
        section = decoded[1]
        position = text.find("&", section, end)
    pieces.append(text[section:end])
    return "".join(pieces)


# -- attribute values --------------------------------------------------------

_CONTROL_AND_SPACE = re.compile("[\x00-\x20]+")
#: Prefixes that fix an allowed scheme whatever follows.
_SAFE_URL_PREFIXES = tuple(f"{scheme}:" for scheme in sorted(_URL_SCHEMES))
_URL_SCHEME = re.compile("([a-zA-Z][a-zA-Z0-9.\\-+]*):")


def _without_comments(href: str) -> str:
    """Remove ``<!-- ... -->`` stretches the way sanitize-html does: the first
    opener is always searched from the start again (so an opener formed across
    a removed stretch counts), each removal in one forward pass.
    """
    head: List[str] = []
    position = 0
    while True:
        # The kept text has no opener of its own, but its last three
        # characters and the rest may form one.
        tail = "".join(head[-3:])
        window = tail + href[position : position + 3]
        joined = window.find("<!--")
        if 0 <= joined < len(tail):
            opener_in_head = len(head) - len(tail) + joined
            search_from = position + joined + 4 - len(tail)
        else:
            opener = href.find("<!--", position)
            if opener < 0:
                break
            opener_in_head = -1
            search_from = opener + 4
        closer = href.find("-->", search_from)
        if closer < 0:
            break
        if opener_in_head >= 0:
            del head[opener_in_head:]
        else:
            head.extend(href[position:opener])
        position = closer + 3
    return "".join(head) + href[position:]


def _is_naughty_url(href: str) -> bool:
    """Tell whether a URL uses a scheme outside the allowed set (whitespace,
    control characters and HTML comments ignored; relative and
    protocol-relative URLs are fine)."""
    if ":" not in href or href.startswith(_SAFE_URL_PREFIXES):
        return False  # removing characters cannot create or change a scheme
    href = _CONTROL_AND_SPACE.sub("", href)
    if "<!--" in href:
        href = _without_comments(href)
    scheme = _URL_SCHEME.match(href)
    return scheme is not None and scheme.group(1).lower() not in _URL_SCHEMES


_SRCSET_COMMAS_OR_SPACES = re.compile("[, \t\n\r\x0c]*")
_SRCSET_NOT_SPACES = re.compile("[^ \t\n\r\x0c]*")
_SRCSET_DESCRIPTOR = re.compile("[^ \t\n\r\x0c,(]*")
_NON_NEGATIVE_INTEGER = re.compile("[0-9]+")
_FLOATING_POINT = re.compile("-?(?:[0-9]+|[0-9]*\\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _srcset_candidate(url: str, descriptors: List[str]) -> Optional[Dict[str, Any]]:
    """Validate the descriptors of one ``srcset`` candidate (WHATWG rules as
    the ``parse-srcset`` package applies them); ``None`` drops it."""
    width: float = 0
    height: float = 0
    density: float = 0
    for descriptor in descriptors:
        unit, number = descriptor[-1:], descriptor[:-1]
        if unit == "w" and _NON_NEGATIVE_INTEGER.fullmatch(number):
            if width or density:
                return None
            width = float(number)
            if width == 0:
                return None
        elif unit == "x" and _FLOATING_POINT.fullmatch(number):
            if width or density or height:
                return None
            density = float(number)
            if density < 0:
                return None
        elif unit == "h" and _NON_NEGATIVE_INTEGER.fullmatch(number):
            if height or density:
                return None
            height = float(number)
            if height == 0:
                return None
        else:
            return None
    return {"url": url, "w": width, "h": height, "d": density}


def _parse_srcset(value: str) -> List[Dict[str, Any]]:
    """Split a ``srcset`` value into valid candidates."""
    candidates: List[Dict[str, Any]] = []
    length = len(value)
    position = 0
    while True:
        position = _end(_SRCSET_COMMAS_OR_SPACES, value, position)
        if position >= length:
            return candidates
        end = _end(_SRCSET_NOT_SPACES, value, position)
        url = value[position:end]
        position = end
        descriptors: List[str] = []
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            # Descriptors: split at whitespace, a comma ends the candidate,
            # parentheses group (their content may hold anything).
            position = _end(_SKIP_WHITESPACE, value, position)
            current = ""
            while True:
                run = _end(_SRCSET_DESCRIPTOR, value, position)
                current += value[position:run]
                position = run
                if position >= length:
                    if current:
                        descriptors.append(current)
                    break
                char = value[position]
                position += 1
                if char == ",":
                    if current:
                        descriptors.append(current)
                    break
                if char == "(":
                    closing = value.find(")", position)
                    if closing < 0:
                        descriptors.append(current + value[position - 1 :])
                        position = length
                        break
                    current += value[position - 1 : closing + 1]
                    position = closing + 1
                    continue
                # Whitespace ends a descriptor.
                if current:
                    descriptors.append(current)
                    current = ""
                position = _end(_SKIP_WHITESPACE, value, position)
                if position >= length:
                    break
        candidate = _srcset_candidate(url, descriptors)
        if candidate is not None:
            candidates.append(candidate)


def _clean_srcset(value: str) -> Optional[str]:
    """Drop unsafe ``srcset`` candidates and re-serialise the rest.

    :return: The new value, or ``None`` to drop the attribute.
    """
    kept = [candidate for candidate in _parse_srcset(value) if not _is_naughty_url(candidate["url"])]
    if not kept or any(not candidate["url"] for candidate in kept):
        return None
    return ", ".join(
        candidate["url"]
        + (f" {js_number(candidate['w'])}w" if candidate["w"] else "")
        + (f" {js_number(candidate['h'])}h" if candidate["h"] else "")
        + (f" {js_number(candidate['d'])}x" if candidate["d"] else "")
        for candidate in kept
    )


_INVALID_ATTRIBUTE_NAME = re.compile("[\x00\t\n\x0c\r /<=>]")
_ARRAY_INDEX = re.compile("0|[1-9][0-9]{0,9}")
_DIGITS = frozenset("0123456789")


def _js_key_order(attributes: Dict[str, str]) -> List[Tuple[str, str]]:
    """Attributes in the order of a JavaScript object's keys: array indices
    (``"0"`` to ``"4294967294"``) first, ascending, then the rest as inserted."""
    indices = [
        name
        for name in attributes
        if name[0] in _DIGITS and _ARRAY_INDEX.fullmatch(name) and int(name) < 4294967295
    ]
    if not indices:
        return list(attributes.items())
    index_set = set(indices)
    ordered = sorted(indices, key=int) + [name for name in attributes if name not in index_set]
    return [(name, attributes[name]) for name in ordered]


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = re.compile('[&<>"]')


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


def _start_tag(name: str, attributes: Dict[str, str]) -> str:
    """Write an allowed start tag with its filtered attributes."""
    if not attributes:
        return "<" + name + (" />" if name in _SELF_CLOSING else ">")
    pieces = ["<", name]
    for attribute, value in _js_key_order(attributes):
        if attribute.startswith("on") or (name == "img" and attribute not in _IMG_ATTRIBUTES):
            continue
        if not value:
            if attribute in _NON_BOOLEAN_ATTRIBUTES or _INVALID_ATTRIBUTE_NAME.search(attribute):
                continue
            pieces.append(' alt=""' if attribute == "alt" else " " + attribute)
            continue
        if _INVALID_ATTRIBUTE_NAME.search(attribute):
            continue
        if attribute in _URL_ATTRIBUTES and _is_naughty_url(value):
            continue
        if attribute == "srcset" or attribute == "imagesrcset":
            cleaned = _clean_srcset(value)
            if cleaned is None:
                continue
            value = cleaned
        if _ATTRIBUTE_ESCAPES.search(value) is not None:
            value = _escape_attribute(value)
        pieces.append(" " + attribute + '="' + value + '"')
    pieces.append(" />" if name in _SELF_CLOSING else ">")
    return "".join(pieces)


_STYLE_CLOSER = re.compile("</style", re.IGNORECASE)

#: Tags the tokenizer's fast paths handle in one piece: allowed, neither
#: raw text (``style``, ``title``) nor foreign content, so opening one is
#: the implied closes, the stack push and the filter's start tag (closing a
#: void one at once), and closing the innermost open one is a pop.  The
#: general path (``open_tag_name`` ... ``on_close``) does the same in steps;
#: ``tests/test_sanitize.py`` checks the two agree on every input.
_FAST_TAGS = _ALLOWED_TAGS - {"style", "title"} - _FOREIGN_ELEMENTS - _INTEGRATION_ELEMENTS


class _Sanitizer:
    """One run of the tokenizer, element stack and filter over a string."""

    __slots__ = (
        "text", "out", "raw", "open", "open_count", "foreign", "frames", "skip_text",
        "skip_depth", "tag_name", "attributes",
    )

    #: Whether the fast paths run (off only to test them against the steps).
    fast = True

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: List[str] = []
        #: Pending raw text of a ``<style>`` element.
        self.raw: List[str] = []
        # The parser's stack of open element names, with a count per name.
        self.open: List[str] = []
        self.open_count: Dict[str, int] = {}
        self.foreign: List[bool] = [False]
        # The filter's frames: (tag, disallowed).
        self.frames: List[Tuple[str, bool]] = []
        self.skip_text = False
        self.skip_depth = 0
        # The open tag being read.
        self.tag_name = ""
        self.attributes: Dict[str, str] = {}

    # -- the filter (what sanitize-html does with each event) ---------------

    def on_text(self, text: str) -> None:
        if self.skip_text or not text:
            return
        if self.frames and self.frames[-1][0] == "style":
            self.raw.append(text)
        else:
            if self.raw:
                self.flush_raw()
            self.out.append(_escape_text(text))

    def flush_raw(self) -> None:
        """Write the pending ``<style>`` text: raw CSS, unless it would end
        the element early in a browser (then its ``<`` are escaped)."""
        run = "".join(self.raw)
        self.raw = []
        if "</" in run and _STYLE_CLOSER.search(run) is not None:
            run = run.replace("<", "&lt;")
        self.out.append(run)

    def on_open(self, name: str, attributes: Dict[str, str]) -> None:
        if self.raw:
            self.flush_raw()
        if self.skip_text:
            self.skip_depth += 1
            return
        if name not in _ALLOWED_TAGS:
            self.frames.append((name, True))
            if name in _NON_TEXT_TAGS:
                self.skip_text = True
                self.skip_depth = 1
            return
        self.frames.append((name, False))
        self.out.append(_start_tag(name, attributes))

    def on_close(self, name: str) -> None:
        if self.raw:
            self.flush_raw()
        if self.skip_text:
            self.skip_depth -= 1
            if self.skip_depth:
                return
            self.skip_text = False
        if not self.frames or self.frames[-1][0] != name:
            return  # bad markup: nothing to close
        _, disallowed = self.frames.pop()
        if disallowed or name in _SELF_CLOSING:
            return
        self.out.append("</" + name + ">")

    # -- the parser (htmlparser2's element rules) ----------------------------

    def _push(self, name: str) -> None:
        self.open.append(name)
        self.open_count[name] = self.open_count.get(name, 0) + 1

    def _pop(self) -> str:
        name = self.open.pop()
        self.open_count[name] -= 1
        return name

    def open_tag_name(self, name: str) -> None:
        implied = _OPEN_IMPLIES_CLOSE.get(name)
        if implied is not None:
            while self.open and self.open[-1] in implied:
                self.on_close(self._pop())
        if name not in _VOID_ELEMENTS:
            self._push(name)
            if name in _FOREIGN_ELEMENTS:
                self.foreign.append(True)
            elif name in _INTEGRATION_ELEMENTS:
                self.foreign.append(False)
        self.tag_name = name
        self.attributes = {}

    def end_open_tag(self) -> None:
        name = self.tag_name
        self.on_open(name, self.attributes)
        if name in _VOID_ELEMENTS:
            self.on_close(name)
        self.tag_name = ""

    def self_closing_tag(self) -> None:
        if self.foreign and self.foreign[-1]:
            name = self.tag_name
            self.end_open_tag()
            if self.open and self.open[-1] == name:
                self.on_close(name)
                self._pop()
        else:
            self.end_open_tag()

    def attribute(self, name: str, value: str) -> None:
        if name != "__proto__" and name not in self.attributes:
            self.attributes[name] = value

    def close_tag(self, name: str) -> None:
        if name in _FOREIGN_OR_INTEGRATION:
            if self.foreign:
                self.foreign.pop()
        if name not in _VOID_ELEMENTS:
            if self.open_count.get(name):
                while True:
                    opened = self._pop()
                    self.on_close(opened)
                    if opened == name:
                        break
            elif name == "p":
                self.open_tag_name("p")
                self.end_open_tag()
                if self.open and self.open[-1] == "p":
                    self.on_close("p")
                    self._pop()
        elif name == "br":
            self.on_open("br", {})
            self.on_close("br")

    def finish(self) -> str:
        for name in reversed(self.open):
            self.on_close(name)
        if self.raw:
            self.flush_raw()
        return "".join(self.out)

    # -- the tokenizer -------------------------------------------------------

    def run(self) -> str:
        text = self.text
        length = len(text)
        section = 0  # start of the pending text
        position = 0
        while True:
            match = _TEXT_STOP.search(text, position)
            if match is None:
                self.on_text(text[section:])
                return self.finish()
            stop = match.start()
            if text[stop] == "&":
                decoded = _decode_entity(text, stop + 1, False)
                if decoded is None:
                    position = stop + 1
                else:
                    if stop > section:
                        self.on_text(text[section:stop])
                    self.on_text(decoded[0])
                    section = position = decoded[1]
                continue
            if stop > section:
                self.on_text(text[section:stop])
            section = stop
            after = stop + 1
            if after >= length:
                self.on_text(text[stop:])
                return self.finish()
            char = text[after]
            if char == "!":
                resumed = self._declaration(after + 1)
            elif char == "?":
                resumed = self._skip_to_gt(after + 1, after + 1)
            elif char == "/":
                end_tag = _END_TAG.match(text, stop)
                if end_tag is not None:
                    name = end_tag.group(1).lower()
                    open_ = self.open
                    if (
                        open_ and open_[-1] == name and name in _FAST_TAGS
                        and not self.skip_text and self.fast
                    ):
                        # The innermost open element: close_tag's pop and on_close.
                        open_.pop()
                        self.open_count[name] -= 1
                        if self.raw:
                            self.flush_raw()
                        frames = self.frames
                        if frames and frames[-1][0] == name:
                            frames.pop()  # allowed: its frame says so
                            self.out.append("</" + name + ">")
                    else:
                        self.close_tag(name)
                    section = position = end_tag.end()
                    continue
                closer = _end(_SKIP_WHITESPACE, text, after + 1)
                if closer < length and text[closer] == ">":
                    # "</>" and "</ >" stay in the text.
                    position = closer + 1
                    continue
                resumed = self._closing_tag(stop, after + 1)
            else:
                # A whole start tag (it begins with an ASCII letter)...
                start_tag = _START_TAG.match(text, stop)
                if start_tag is not None:
                    name = start_tag.group(1).lower()
                    if (
                        name in _FAST_TAGS and "/" not in start_tag.group(3)
                        and not self.skip_text and self.fast
                    ):
                        self._fast_start_tag(name, start_tag)
                        section = position = start_tag.end()
                        continue
                    resumed = self._whole_start_tag(start_tag)
                elif char.isascii() and char.isalpha():
                    resumed = self._open_tag(after)  # ...or one read state by state
                else:
                    position = after  # a literal "<": it stays in the text
                    continue
            if resumed < 0:
                return self.finish()
            section = position = resumed

    def _trailing(self, start: int) -> int:
        """End of input inside a construct whose text the tokenizer emits."""
        self.on_text(self.text[start:])
        return -1

    def _skip_to_gt(self, search_from: int, text_start: int) -> int:
        """Skip a declaration, processing instruction or bogus comment."""
        end = self.text.find(">", search_from)
        return self._trailing(text_start) if end < 0 else end + 1

    def _declaration(self, start: int) -> int:
        """After ``<!``: comment, CDATA section or declaration (all dropped)."""
        text = self.text
        length = len(text)
        if start >= length:
            return -1
        char = text[start]
        if char == "[":
            position = start + 1
            for expected in "CDATA[":
                if position >= length:
                    return self._trailing(start)
                if text[position] != expected:
                    # Not CDATA: a declaration, from this character on.
                    return self._skip_to_gt(position, start)
                position += 1
            end = text.find("]]>", position)
            return -1 if end < 0 else end + 3
        if char == "-":
            if start + 1 >= length:
                return self._trailing(start)
            if text[start + 1] != "-":
                return self._skip_to_gt(start + 2, start)
            body = start + 2
            quick = _COMMENT_QUICK_END.match(text, body)
            if quick is not None:
                return quick.end()
            end = text.find("-->", body)
            return -1 if end < 0 else end + 3
        return self._skip_to_gt(start + 1, start)

    def _closing_tag(self, less_than: int, start: int) -> int:
        """After ``</``."""
        text = self.text
        length = len(text)
        position = _end(_SKIP_WHITESPACE, text, start)
        if position >= length:
            return self._trailing(less_than)
        char = text[position]
        if not (char.isascii() and char.isalpha()):
            return self._skip_to_gt(position + 1, position)
        end = _end(_CLOSING_NAME, text, position)
        if end >= length:
            return -1
        self.close_tag(text[position:end].lower())
        return self._after_closing_name(end)

    def _after_closing_name(self, end: int) -> int:
        text = self.text
        if text[end] == ">":
            return end + 1
        gt = text.find(">", end + 1)
        if gt < 0:
            return self._last_code_unit()
        return gt + 1

    def _last_code_unit(self) -> int:
        """End of input where the tokenizer has no text start: it emits the
        last UTF-16 code unit of the input (half of an astral character
        becomes U+FFFD here rather than a lone surrogate)."""
        last = self.text[-1]
        self.on_text(last if ord(last) <= 0xFFFF else "\ufffd")
        return -1

    def _whole_start_tag(self, match: re.Match[str]) -> int:
        """A start tag read in one piece by ``_START_TAG`` (the same
        tokenizer rules, for the common case that the tag ends)."""
        text = self.text
        raw = match.group(1)
        sequence: Optional[str] = None
        by_second = _SPECIAL_BY_SECOND.get(raw[0].lower())
        if by_second is not None and len(raw) > 1 and raw.isascii():
            candidate = by_second.get(raw[1].lower())
            if candidate is not None and raw[2:].lower() == candidate[4:]:
                sequence = candidate
        self.open_tag_name(raw.lower())
        start, end = match.span(2)
        if start < end:
            _read_attributes(text, start, end, self.attributes)
        tail = match.group(3)
        if tail and tail.rstrip(_TAG_WHITESPACE).endswith("/"):
            self.self_closing_tag()
            return match.end()
        self.end_open_tag()
        if sequence is not None:
            return self._raw_text(match.end(), sequence)
        return match.end()

    def _fast_start_tag(self, name: str, match: re.Match[str]) -> None:
        """A start tag of :data:`_FAST_TAGS` read by ``_START_TAG`` with no
        ``/`` before its ``>`` (so not self-closed), outside
        skipped content: ``open_tag_name``, ``end_open_tag`` and the filter's
        ``on_open`` (and ``on_close`` for a void element) in one."""
        open_ = self.open
        implied = _OPEN_IMPLIES_CLOSE.get(name)
        if implied is not None:
            while open_ and open_[-1] in implied:
                self.on_close(self._pop())
        void = name in _VOID_ELEMENTS
        if not void:
            open_.append(name)
            self.open_count[name] = self.open_count.get(name, 0) + 1
        attributes: Dict[str, str] = {}
        start, end = match.span(2)
        if start < end:
            _read_attributes(self.text, start, end, attributes)
        if self.raw:
            self.flush_raw()
        out = self.out
        if void:
            out.append(_start_tag(name, attributes))
            if name not in _SELF_CLOSING:
                out.append("</" + name + ">")
        else:
            self.frames.append((name, False))
            out.append(_start_tag(name, attributes) if attributes else "<" + name + ">")

    def _open_tag(self, start: int) -> int:
        """At the first letter of a start tag's name."""
        text = self.text
        length = len(text)
        end = _end(_TAG_NAME, text, start)
        raw = text[start:end]
        first = raw[0].lower()
        sequence: Optional[str] = None
        by_second = _SPECIAL_BY_SECOND.get(first)
        if by_second is not None:
            candidate = by_second.get(raw[1:2].lower()) if len(raw) > 1 and raw[1].isascii() else None
            rest = raw[2:]
            if end >= length:
                # End of input in the name: the partial name of a raw-text
                # element is text, any other name is dropped.
                if len(raw) == 1 or (
                    candidate is not None and rest.isascii() and candidate[4:].startswith(rest.lower())
                ):
                    return self._trailing(start)
                return -1
            if candidate is not None and rest.isascii() and rest.lower() == candidate[4:]:
                sequence = candidate
        if end >= length:
            return -1
        self.open_tag_name(raw.lower())
        return self._attributes(end, sequence)

    def _attributes(self, position: int, sequence: Optional[str]) -> int:
        """Read attributes up to the end of the start tag."""
        text = self.text
        length = len(text)
        while True:
            position = _end(_SKIP_WHITESPACE, text, position)
            if position >= length:
                return -1
            char = text[position]
            if char == ">":
                self.end_open_tag()
                if sequence is not None:
                    return self._raw_text(position + 1, sequence)
                return position + 1
            if char == "/":
                position = _end(_SKIP_WHITESPACE, text, position + 1)
                if position >= length:
                    return self._last_code_unit()
                if text[position] == ">":
                    self.self_closing_tag()
                    return position + 1
                continue
            name_end = _end(_ATTRIBUTE_NAME, text, position)
            if name_end >= length:
                return -1
            name = text[position:name_end].lower()
            position = _end(_SKIP_WHITESPACE, text, name_end)
            if position >= length:
                return -1
            if text[position] != "=":
                self.attribute(name, "")
                continue
            position = _end(_SKIP_WHITESPACE, text, position + 1)
            if position >= length:
                return -1
            quote = text[position]
            if quote == '"' or quote == "'":
                closing = text.find(quote, position + 1)
                if closing < 0:
                    return -1
                self.attribute(name, _decode_attribute(text, position + 1, closing))
                position = closing + 1
            else:
                value_end = _end(_UNQUOTED_VALUE, text, position)
                if value_end >= length:
                    return -1
                self.attribute(name, _decode_attribute(text, position, value_end))
                position = value_end

    def _raw_text(self, start: int, sequence: str) -> int:
        """Content of ``script``, ``style``, ``title``, ``textarea`` or
        ``xmp`` (by the opening name's first two letters) up to the matching
        end tag; only ``title`` decodes character references."""
        text = self.text
        length = len(text)
        is_title = sequence == "</title"
        if not is_title:
            # Without the two control characters the tokenizer also reads as
            # "<" and "/" (it compares code | 0x20), the end is the first
            # ASCII-case-insensitive match.
            closer = _RAW_TEXT_END[sequence].search(text, start)
            stretch = text[start : closer.start() if closer else length]
            if "\x1c" not in stretch and "\x0f" not in stretch:
                self.on_text(stretch)
                if closer is None:
                    return -1
                position = closer.end() - 1
                self.close_tag(text[closer.start() + 2 : position].lower())
                return self._after_closing_name(position)
        codes = [ord(char) for char in sequence]
        size = len(codes)
        pieces: List[str] = []
        section = start
        position = start
        index = 0
        while position < length:
            char = text[position]
            if index == size:
                if char == ">" or char in _TAG_WHITESPACE:
                    end_of_text = position - size
                    pieces.append(text[section:end_of_text])
                    self.on_text("".join(pieces))
                    self.close_tag(text[end_of_text + 2 : position].lower())
                    return self._after_closing_name(position)
                index = 0
            if (ord(char) | 0x20) == codes[index]:
                index += 1
                position += 1
            elif index == 0:
                if is_title:
                    if char == "&":
                        decoded = _decode_entity(text, position + 1, False)
                        if decoded is not None:
                            pieces.append(text[section:position])
                            pieces.append(decoded[0])
                            section = position = decoded[1]
                            continue
                    stop = _TITLE_STOP.search(text, position + 1)
                    position = length if stop is None else stop.start()
                else:
                    found = text.find("<", position + 1)
                    if found < 0:
                        position = length
                    else:
                        index = 1
                        position = found + 1
            else:
                index = 1 if char == "<" else 0
                position += 1
        pieces.append(text[section:])
        self.on_text("".join(pieces))
        return -1


_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: A closer with a ``/`` after its name (``</p/ >``) as the SDK matches it
#: before sanitising; the ``>`` it runs to is found separately.
_SLASHED_CLOSER = re.compile("</([a-zA-Z][a-zA-Z0-9]*)[" + _JS_SPACE + "]*/")
_DOCTYPE = re.compile("<!DOCTYPE [^\n\r\u2028\u2029>]*>")


def _normalise_closers(value: str) -> str:
    """Rewrite ``</name .../...>`` to ``</name>`` as the SDK does before
    sanitising (one forward pass; without a later ``>`` nothing changes)."""
    pieces: List[str] = []
    position = 0
    while True:
        match = _SLASHED_CLOSER.search(value, position)
        if match is None:
            break
        gt = value.find(">", match.end())
        if gt < 0:
            break
        pieces.append(value[position : match.start()])
        pieces.append("</" + match.group(1) + ">")
        position = gt + 1
    if not pieces:
        return value
    pieces.append(value[position:])
    return "".join(pieces)


_NEEDS_WORK = re.compile("[<>&]")


def sanitize_html(value: str) -> str:
    """Sanitise one string the way the Novu SDK sanitises step outputs.

    Strings without ``<``, ``>`` or ``&`` are returned unchanged.  Time and
    memory are linear in the length of ``value``.

    :param value: Possibly untrusted HTML or plain text.
    :return: The sanitised HTML.
    """
    if not _NEEDS_WORK.search(value):
        return value
    if "</" in value:
        value = _normalise_closers(value)
    doctype = _DOCTYPE.match(value)
    cleaned = _Sanitizer(value).run()
    return doctype.group(0) + cleaned if doctype else cleaned


def sanitize_outputs(value: Any) -> Any:
    """Sanitise every string leaf of a JSON-like structure.

    Dictionaries and lists are copied (keys are left alone); other values are
    returned as they are.  The input is never mutated.  The SDK does the
    same for the values of objects, but maps the items of an array itself:
    strings are sanitised, other non-objects kept, and an array or ``null``
    item goes through its object walk, which turns a nested array into an
    object with index keys and fails on ``null``.  Here lists nested in lists
    stay lists and ``None`` items are kept.

    :param value: Step outputs (or any part of them).
    :return: A sanitised copy.
    """
    if isinstance(value, str):
        return sanitize_html(value)
    if isinstance(value, dict):
        result: Dict[Any, Any] = {key: sanitize_outputs(item) for key, item in value.items()}
        return result
    if isinstance(value, list):
        return [sanitize_outputs(item) for item in value]
    if isinstance(value, tuple):
        return tuple(sanitize_outputs(item) for item in value)
    return value
