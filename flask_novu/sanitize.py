"""HTML sanitisation of ``email`` / ``in_app`` step outputs (protocol §3.7).

The reference SDK runs every string of a step's ``outputs`` through the
JavaScript ``sanitize-html`` library.  This module reproduces its observable
output with :mod:`nh3` (the Python binding of the Rust ``ammonia`` crate).

Rules reproduced (facts of ``@novu/framework`` 2.13.2 / ``sanitize-html`` 2.17):

* allowed tags: sanitize-html's default list plus ``style``, ``img``,
  ``html``, ``head``, ``body``, ``link``, ``meta`` and ``title``;
* ``script``, ``textarea`` and ``option`` vanish together with their
  content, every other disallowed tag is unwrapped (its text is kept);
* every attribute is allowed except names starting with ``on``; ``img``
  keeps only a fixed list; empty values of non-boolean attributes are
  dropped; ``href``/``src``/... must use ``http``, ``https``, ``ftp``,
  ``mailto`` or ``tel`` (or be relative);
* ``&``, ``<`` and ``>`` in text are escaped, quotes are left alone;
* a leading ``<!DOCTYPE ...>`` survives and closers such as ``</p/ >`` are
  normalised to ``</p>`` beforehand.

Differences between ammonia and sanitize-html are bridged as follows:

* *Documents.*  ammonia parses a fragment in ``<body>`` context, so it would
  drop ``<html>``, ``<head>`` and ``<body>``.  Those structural tags are
  therefore located in the input, the stretches between them are sanitised
  one by one, and the structural tags (with sanitised attributes) are
  re-emitted around them.  Every emitted piece is itself well-formed output
  of ammonia, so the concatenation is as safe as a single ammonia run.
* *Serialisation.*  ammonia writes ``<img src="x">``, ``nowrap=""`` and
  ``&nbsp;``; sanitize-html writes ``<img src="x" />``, ``nowrap``,
  ``<wbr></wbr>`` and a literal U+00A0.  The start tags of ammonia's output
  (which is canonical, so a regular expression can read it reliably) are
  rewritten accordingly; ``<style>`` content is left untouched.
* *Raw-text elements.*  The HTML5 parser reads the content of ``iframe``,
  ``noembed``, ``noframes``, ``noscript``, ``xmp`` and ``plaintext`` as text, whereas
  sanitize-html parses it as markup; these (disallowed) tags are renamed to an
  unknown element before cleaning, so only their content survives, as markup.
* *Tables.*  The HTML5 tree builder wraps rows in an implied ``<tbody>``;
  when the source contains no ``<tbody`` at all, every ``tbody`` tag in the
  output was implied and is removed again.
* *Carriage returns.*  The HTML5 parser turns ``\\r\\n`` into ``\\n``;
  carriage returns in text are shielded by a placeholder character.
* *Attributes.*  ammonia needs an explicit allow-list, so a comprehensive
  list of HTML attribute names (including legacy e-mail attributes) plus the
  ``data-`` and ``aria-`` prefixes stands in for "every attribute".

Known divergences (malformed or unusual input only): the HTML5 tree builder
drops table parts outside a ``<table>``, moves stray text out of tables
("foster parenting") and discards SVG/MathML text; unknown attribute names are
dropped; ``srcset`` parsing is simpler (no commas inside URLs);
mis-nested structural tags are repaired differently.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import nh3

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

#: Disallowed tags whose text content is discarded too (sanitize-html's
#: ``nonTextTags`` minus the allowed ``style``).
_CLEAN_CONTENT_TAGS = frozenset({"script", "textarea", "option"})

#: sanitize-html 2.17 ``defaults.allowedSchemes``.
_URL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel"})

#: Attributes whose URL scheme sanitize-html checks
#: (``defaults.allowedSchemesAppliedToAttributes``).
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

#: Attributes sanitize-html drops when their value is empty (its
#: ``nonBooleanAttributes`` without event handlers), except ``alt``.
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

#: Stand-in for "all attributes": HTML global, element-specific and legacy
#: presentational attributes common in e-mail templates.
_ALLOWED_ATTRIBUTES = _NON_BOOLEAN_ATTRIBUTES | {
    "align", "alink", "alt", "autofocus", "axis", "background", "bgcolor",
    "border", "bordercolor", "cellpadding", "cellspacing", "char", "charoff",
    "clear", "compact", "exportparts", "face", "frame", "hspace", "inert",
    "ismap", "itemscope", "leftmargin", "link", "longdesc", "marginheight",
    "marginwidth", "noshade", "nowrap", "open", "part", "property",
    "reversed", "rev", "role", "rules", "scheme", "summary", "text",
    "topmargin", "valign", "version", "vlink", "vspace",
    "xml:lang", "xmlns", "xmlns:o", "xmlns:v", "xmlns:w",
}

#: Void elements sanitize-html writes as ``<tag ... />``.
_SELF_CLOSING = frozenset({"img", "br", "hr", "link", "meta"})
#: Void elements sanitize-html writes as ``<tag ...></tag>``.
_VOID_WITH_CLOSER = frozenset({"wbr", "col"})
_VOID_TAGS = _SELF_CLOSING | _VOID_WITH_CLOSER

_NEEDS_WORK = re.compile(r"[<>&]")
_MALFORMED_CLOSER = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)\s*/[^>]*>")
_DOCTYPE = re.compile(r"<!DOCTYPE .*?>")
_STRUCTURAL_TAG = re.compile(r"<(/?)(html|head|body)(?=[\s/>])([^>]*)>", re.IGNORECASE)
#: Disallowed elements the HTML5 parser reads as raw text; sanitize-html parses
#: their content as markup, so they are renamed to an unknown element first.
_RAW_TEXT_TAG = re.compile(
    r"<(/?)(iframe|noembed|noframes|noscript|xmp|plaintext)(?=[\s/>])", re.IGNORECASE
)
#: A tag (group 1, kept) or a carriage return outside tags.
_CR_IN_TEXT = re.compile(r"(<[^<>]*>)|\r")
_CR_PLACEHOLDER = "\ue000"
#: A ``<style>`` element or a start tag, as ammonia serialises them.
#: (The common ``<`` is factored out so the regex engine can skip to it; the
#: ``style`` group therefore lacks the ``<``.)
_OUTPUT_TOKEN = re.compile(
    r'<(?:(style\b[^>]*>)(.*?</style>)|([a-z][a-z0-9]*)((?:\s[^\s"=<>/]+(?:="[^"]*")?)*)>)',
    re.DOTALL,
)
_EMPTY_ATTRIBUTE = re.compile(r'(\s[^\s"=<>/]+)=""')
#: URL prefixes that are safe whatever follows (an allowed scheme, written
#: without characters sanitize-html would remove).
_SAFE_URL_PREFIXES = tuple(f"{scheme}:" for scheme in sorted(_URL_SCHEMES))
#: One attribute of a start tag as ammonia serialises it: ``name="value"``.
_OUTPUT_ATTRIBUTE = re.compile(r'\s([^\s"=<>/]+)(?:="([^"]*)")?')
#: Attributes :func:`_filter_attribute` may drop or change on any element
#: (it also checks every empty value): event handlers, ``srcset``, and URL
#: attributes whose value has a ``:`` but does not start with an allowed
#: scheme (see :func:`_is_unsafe_url`; entities never hide a ``:`` or change
#: such a prefix, so the serialised value can be read as it is).
_CHECKED_ATTRIBUTE = re.compile(
    r'\s(?:on[^\s"=<>/]*|srcset)="|\s(?:'
    + "|".join(re.escape(name) for name in sorted(_URL_ATTRIBUTES))
    + r')="(?!'
    + "|".join(re.escape(prefix) for prefix in _SAFE_URL_PREFIXES)
    + r')[^"]*:'
)
#: Attributes of an ``img`` start tag that all pass the ``img`` allow-list.
_IMG_ALLOWED_ONLY = re.compile(
    r'(?:\s(?:' + "|".join(re.escape(name) for name in sorted(_IMG_ATTRIBUTES)) + r')="[^"]*")*'
)
#: Start tags that may need rewriting, in output without ``<style>`` (where
#: every ``<`` starts a tag): void elements, and tags with attributes.
_REWRITE_CANDIDATE = re.compile(
    r'<(?:(' + "|".join(sorted(_VOID_TAGS)) + r')|([a-z][a-z0-9]*)(?=\s))'
    r'((?:\s[^\s"=<>/]+(?:="[^"]*")?)*)>'
)
#: How the HTML serialiser escapes attribute values (``&`` first).
_ATTRIBUTE_ESCAPES = (("&", "&amp;"), ("\xa0", "&nbsp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"))
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20]+")
_URL_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9.\-+]*):")
#: Void elements, as they start in ammonia's output (``<col`` also finds
#: ``<colgroup``: a false alarm only costs the slower path).
_VOID_START = re.compile("<(?:" + "|".join(sorted(_VOID_TAGS)) + ")")


def _is_unsafe_url(url: str) -> bool:
    """Tell whether a URL uses a scheme outside the allowed set.

    Like sanitize-html, whitespace/control characters and HTML comments are
    ignored, and relative and protocol-relative URLs are accepted.

    :param url: Decoded attribute value.
    :return: ``True`` if the attribute must be dropped.
    """
    if ":" not in url or url.startswith(_SAFE_URL_PREFIXES):
        return False  # removing characters cannot create or change a scheme
    compact = _URL_COMMENT.sub("", _CONTROL_AND_SPACE.sub("", url))
    scheme = _URL_SCHEME.match(compact)
    return scheme is not None and scheme.group(1).lower() not in _URL_SCHEMES


def _format_number(number: float) -> str:
    """Format a descriptor value like JavaScript's ``String(number)``."""
    return str(int(number)) if number.is_integer() else repr(number)


def _clean_srcset(srcset: str) -> Optional[str]:
    """Drop unsafe candidates from a ``srcset`` and re-serialise it.

    Mirrors sanitize-html: candidates become ``url [Nw] [Nh] [Nx]`` joined by
    ``", "``.

    :param srcset: Decoded ``srcset`` value.
    :return: The cleaned value, or ``None`` if nothing (valid) remains.
    """
    kept: List[str] = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        descriptors: Dict[str, str] = {}
        for descriptor in parts[1:]:
            unit, number = descriptor[-1:].lower(), descriptor[:-1]
            if unit not in ("w", "h", "x") or unit in descriptors:
                return None
            try:
                descriptors[unit] = _format_number(float(number))
            except ValueError:
                return None
        if _is_unsafe_url(parts[0]):
            continue
        kept.append(parts[0] + "".join(
            f" {descriptors[unit]}{unit}" for unit in ("w", "h", "x") if unit in descriptors
        ))
    return ", ".join(kept) or None


def _filter_attribute(tag: str, name: str, value: str) -> Optional[str]:
    """Per-attribute decisions ammonia's allow-lists cannot express.

    :param tag: Element name.
    :param name: Attribute name (lower case).
    :param value: Decoded attribute value.
    :return: The value to keep, or ``None`` to drop the attribute.
    """
    if (
        name.startswith("on")
        or (tag == "img" and name not in _IMG_ATTRIBUTES)
        or (value == "" and name in _NON_BOOLEAN_ATTRIBUTES)
        or (name in _URL_ATTRIBUTES and _is_unsafe_url(value))
    ):
        return None
    if name == "srcset":
        return _clean_srcset(value)
    return value


def _unescape_attribute(raw: str) -> str:
    if "&" not in raw:
        return raw
    for char, entity in reversed(_ATTRIBUTE_ESCAPES):
        raw = raw.replace(entity, char)
    return raw


def _escape_attribute(value: str) -> str:
    for char, entity in _ATTRIBUTE_ESCAPES:
        value = value.replace(char, entity)
    return value


def _filter_attributes(tag: str, attributes: str) -> str:
    """Apply :func:`_filter_attribute` to the attributes of a start tag of
    ammonia's output (its serialisation is canonical: `` name="value"``).

    Done on the output rather than through nh3's ``attribute_filter`` hook,
    which calls back into Python once per attribute and costs more than the
    whole pass.

    :param tag: Element name.
    :param attributes: The serialised attributes (leading space each).
    :return: The kept attributes, serialised the same way.
    """
    if (
        '=""' not in attributes
        and not _CHECKED_ATTRIBUTE.search(attributes)
        and (tag != "img" or _IMG_ALLOWED_ONLY.fullmatch(attributes))
    ):
        return attributes  # no attribute the filter could drop or change
    kept: List[str] = []
    changed = False
    for match in _OUTPUT_ATTRIBUTE.finditer(attributes):
        name, raw = match.group(1, 2)
        value = _unescape_attribute(raw or "")
        decided = _filter_attribute(tag, name, value)
        if decided is None:
            changed = True
        elif decided != value:
            kept.append(f' {name}="{_escape_attribute(decided)}"')
            changed = True
        else:
            kept.append(match.group(0))
    return "".join(kept) if changed else attributes


_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags=set(_CLEAN_CONTENT_TAGS),
    attributes={"*": set(_ALLOWED_ATTRIBUTES)},
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes=set(_URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
)


def _bare(match: re.Match[str]) -> str:
    """Write an empty attribute (``name=""``) bare, except ``alt``."""
    name = match.group(1)
    return match.group(0) if name.strip() == "alt" else name


def _rewrite_start_tag(tag: str, attributes: str) -> str:
    """Serialise a start tag the way sanitize-html does.

    :param tag: Element name.
    :param attributes: ammonia's serialised attributes (leading space each).
    :return: The rewritten start tag (plus closer for some void elements).
    """
    # Each pass is skipped when its trigger is absent (it would be a no-op).
    if attributes:
        attributes = _filter_attributes(tag, attributes)
    if '=""' in attributes:
        attributes = _EMPTY_ATTRIBUTE.sub(_bare, attributes)
    if "&nbsp;" in attributes:
        attributes = attributes.replace("&nbsp;", "\xa0")
    if tag in _SELF_CLOSING:
        return f"<{tag}{attributes} />"
    if tag in _VOID_WITH_CLOSER:
        return f"<{tag}{attributes}></{tag}>"
    return f"<{tag}{attributes}>"


def _rewrite_candidate(match: re.Match[str]) -> str:
    """Rewrite a match of ``_REWRITE_CANDIDATE``."""
    return _rewrite_start_tag(match.group(1) or match.group(2), match.group(3))


def _rewrite_token(match: re.Match[str], drop_tbody: bool) -> str:
    """Rewrite one ``<style>`` element or start tag of ammonia's output.

    :param match: A match of ``_OUTPUT_TOKEN``.
    :param drop_tbody: Remove ``<tbody>`` start tags (they were inserted by
        the HTML5 tree builder, not written by the author).
    :return: The rewritten markup.
    """
    tag = match.group(3)
    if tag is None:
        start_tag = "<" + match.group(1)
        opening = _OUTPUT_TOKEN.fullmatch(start_tag)
        head = _rewrite_token(opening, drop_tbody) if opening else start_tag
        return head + match.group(2)
    if drop_tbody and tag == "tbody":
        return ""
    return _rewrite_start_tag(tag, match.group(4))


def _rewrite_text(text: str, drop_tbody: bool) -> str:
    """Rewrite text and end tags between two tokens of ammonia's output.

    :param text: Escaped text and end tags (never a start tag).
    :param drop_tbody: Remove ``</tbody>`` end tags.
    :return: The rewritten markup.
    """
    if drop_tbody:
        text = text.replace("</tbody>", "")
    return text.replace("&nbsp;", "\xa0")


def _may_change_start_tags(cleaned: str) -> bool:
    """Tell whether some start tag of ammonia's output needs rewriting (it is
    void or has attributes to filter).

    ``False`` is definite; ``True`` may be a false alarm.  Assumes the output
    contains no ``&nbsp;``.
    """
    return '="' in cleaned or _VOID_START.search(cleaned) is not None


def _postprocess(cleaned: str, drop_tbody: bool) -> str:
    """Turn ammonia's serialisation into sanitize-html's.

    :param cleaned: Output of the ammonia cleaner.
    :param drop_tbody: Remove ``tbody`` tags (the source had none).
    :return: The same markup, serialised like sanitize-html.
    """
    # A ``tbody`` can only be dropped if the output contains one.
    drop_tbody = drop_tbody and "tbody" in cleaned
    if drop_tbody or "&nbsp;" in cleaned:
        pieces: List[str] = []
        position = 0
        for match in _OUTPUT_TOKEN.finditer(cleaned):
            pieces.append(_rewrite_text(cleaned[position : match.start()], drop_tbody))
            pieces.append(_rewrite_token(match, drop_tbody))
            position = match.end()
        pieces.append(_rewrite_text(cleaned[position:], drop_tbody))
        return "".join(pieces)
    # Text and end tags stay as they are: only start tags may change.
    if not _may_change_start_tags(cleaned):
        return cleaned
    if "<style" not in cleaned:
        return _REWRITE_CANDIDATE.sub(_rewrite_candidate, cleaned)
    # ``<style>`` content is raw text: tokenise so that it is skipped.
    return _OUTPUT_TOKEN.sub(lambda match: _rewrite_token(match, False), cleaned)


def _may_have_raw_text_tag(fragment: str) -> bool:
    """Cheap pre-check for ``_RAW_TEXT_TAG`` (``False`` is definite).

    Under ``re.IGNORECASE`` every character matching a letter of the names
    case-folds to that letter, except U+0130 and U+0131 (for ``i``).
    """
    if "\u0130" in fragment or "\u0131" in fragment:
        return True
    folded = fragment.casefold()
    return (
        "iframe" in folded
        or "noembed" in folded
        or "noframes" in folded
        or "noscript" in folded
        or "xmp" in folded
        or "plaintext" in folded
    )


def _clean_fragment(fragment: str) -> str:
    """Sanitise an HTML fragment (no ``html``/``head``/``body`` tags).

    :param fragment: Raw markup.
    :return: Sanitised markup.
    """
    if not _NEEDS_WORK.search(fragment):
        return fragment
    shield = "\r" in fragment and _CR_PLACEHOLDER not in fragment
    if shield:
        fragment = _CR_IN_TEXT.sub(lambda match: match.group(1) or _CR_PLACEHOLDER, fragment)
    drop_tbody = "<tbody" not in fragment.lower()
    if _may_have_raw_text_tag(fragment):
        fragment = _RAW_TEXT_TAG.sub(r"<\1novu-unwrapped-\2", fragment)
    cleaned = _postprocess(_CLEANER.clean(fragment), drop_tbody)
    if shield:
        cleaned = cleaned.replace(_CR_PLACEHOLDER, "\r")
    return cleaned


def _structural_start_tag(tag: str, raw_attributes: str) -> str:
    """Sanitise the attributes of an ``html``/``head``/``body`` start tag.

    The attributes are cleaned on a stand-in ``<span>`` element.

    :param tag: ``html``, ``head`` or ``body``.
    :param raw_attributes: Everything between the tag name and ``>``.
    :return: The sanitised start tag.
    """
    cleaned = _clean_fragment(f"<span{raw_attributes}></span>")
    attributes = cleaned[len("<span") : cleaned.index(">")] if cleaned.startswith("<span") else ""
    return f"<{tag}{attributes}>"


def _clean_document(html: str) -> str:
    """Sanitise markup containing ``html``/``head``/``body`` tags.

    Mirrors the tag stack of sanitize-html's parser for these three tags: a
    closer pops everything opened after its element, ``<body>`` closes an open
    ``<head>``, and elements still open at the end are closed.

    :param html: Raw markup.
    :return: Sanitised markup with the document structure preserved.
    """
    pieces: List[str] = []
    stack: List[str] = []
    position = 0
    for match in _STRUCTURAL_TAG.finditer(html):
        pieces.append(_clean_fragment(html[position : match.start()]))
        position = match.end()
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if closing:
            if tag in stack:
                while stack:
                    opened = stack.pop()
                    pieces.append(f"</{opened}>")
                    if opened == tag:
                        break
            continue
        if tag == "body" and stack and stack[-1] == "head":
            pieces.append(f"</{stack.pop()}>")
        stack.append(tag)
        pieces.append(_structural_start_tag(tag, match.group(3)))
    pieces.append(_clean_fragment(html[position:]))
    pieces.extend(f"</{tag}>" for tag in reversed(stack))
    return "".join(pieces)


def _may_have_structural_tag(value: str) -> bool:
    """Cheap pre-check for ``_STRUCTURAL_TAG`` (``False`` is definite).

    Under ``re.IGNORECASE`` every character matching a letter of ``html``,
    ``head`` or ``body`` case-folds to that letter.
    """
    folded = value.casefold()
    return "html" in folded or "head" in folded or "body" in folded


def sanitize_html(value: str) -> str:
    """Sanitise one string the way the Novu SDK sanitises step outputs.

    Strings without ``<``, ``>`` or ``&`` are returned unchanged.

    :param value: Possibly untrusted HTML or plain text.
    :return: The sanitised HTML.
    """
    if not _NEEDS_WORK.search(value):
        return value
    # A malformed closer has a ``/`` that does not follow ``<``.
    if value.count("/") != value.count("</"):
        value = _MALFORMED_CLOSER.sub(r"</\1>", value)
    doctype = _DOCTYPE.match(value)
    if _may_have_structural_tag(value) and _STRUCTURAL_TAG.search(value):
        cleaned = _clean_document(value)
    else:
        cleaned = _clean_fragment(value)
    return doctype.group(0) + cleaned if doctype else cleaned


def sanitize_outputs(value: Any) -> Any:
    """Sanitise every string leaf of a JSON-like structure.

    Dictionaries and lists are copied (keys are left alone); other values are
    returned as they are.  The input is never mutated.

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
