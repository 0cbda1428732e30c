"""English plurals and singulars as the npm ``pluralize`` package 8 makes them.

The SDK's ``pluralize`` and ``toSentence`` filters call that package:
``pluralize(word, count)`` is the singular of ``word`` when ``count`` is 1
and its plural otherwise.  This module holds the package's tables
(irregular pairs, uncountable words, plural and singular rules) and its
algorithm: a word found in the irregular tables is replaced whole, an
uncountable one is kept, and otherwise the last rule whose pattern matches
rewrites it; the case of what it replaces is kept (``Boxes``, ``BOXES``).
Nothing here imports Flask or Liquid.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

__all__ = ["plural", "pluralize", "singular"]

_Rule = Tuple["re.Pattern[str]", str]

_IRREGULAR_PAIRS = [
    ("I", "we"), ("me", "us"), ("he", "they"), ("she", "they"), ("them", "them"), ("myself", "ourselves"),
    ("yourself", "yourselves"), ("itself", "themselves"), ("herself", "themselves"), ("himself", "themselves"),
    ("themself", "themselves"), ("is", "are"), ("was", "were"), ("has", "have"), ("this", "these"),
    ("that", "those"), ("echo", "echoes"), ("dingo", "dingoes"), ("volcano", "volcanoes"), ("tornado", "tornadoes"),
    ("torpedo", "torpedoes"), ("genus", "genera"), ("viscus", "viscera"), ("stigma", "stigmata"),
    ("stoma", "stomata"), ("dogma", "dogmata"), ("lemma", "lemmata"), ("schema", "schemata"),
    ("anathema", "anathemata"), ("ox", "oxen"), ("axe", "axes"), ("die", "dice"), ("yes", "yeses"),
    ("foot", "feet"), ("eave", "eaves"), ("goose", "geese"), ("tooth", "teeth"), ("quiz", "quizzes"),
    ("human", "humans"), ("proof", "proofs"), ("carve", "carves"), ("valve", "valves"), ("looey", "looies"),
    ("thief", "thieves"), ("groove", "grooves"), ("pickaxe", "pickaxes"), ("passerby", "passersby"),
]

_PLURAL_RULES = [
    (r"s?$", "s"),
    (r"[^\u0000-\u007F]$", "$0"),
    (r"([^aeiou]ese)$", "$1"),
    (r"(ax|test)is$", "$1es"),
    (r"(alias|[^aou]us|t[lm]as|gas|ris)$", "$1es"),
    (r"(e[mn]u)s?$", "$1s"),
    (r"([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$", "$1"),
    (r"(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$", "$1i"),
    (r"(alumn|alg|vertebr)(?:a|ae)$", "$1ae"),
    (r"(seraph|cherub)(?:im)?$", "$1im"),
    (r"(her|at|gr)o$", "$1oes"),
    (r"(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat"
     r"|quor)(?:a|um)$", "$1a"),
    (r"(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$", "$1a"),
    (r"sis$", "ses"),
    (r"(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$", "$1$2ves"),
    (r"([^aeiouy]|qu)y$", "$1ies"),
    (r"([^ch][ieo][ln])ey$", "$1ies"),
    (r"(x|ch|ss|sh|zz)$", "$1es"),
    (r"(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$", "$1ices"),
    (r"\b((?:tit)?m|l)(?:ice|ouse)$", "$1ice"),
    (r"(pe)(?:rson|ople)$", "$1ople"),
    (r"(child)(?:ren)?$", "$1ren"),
    (r"eaux$", "$0"),
    (r"m[ae]n$", "men"),
    (r"^thou$", "you"),
]

_SINGULAR_RULES = [
    (r"s$", ""),
    (r"(ss)$", "$1"),
    (r"(wi|kni|(?:after|half|high|low|mid|non|night|[^\w]|^)li)ves$", "$1fe"),
    (r"(ar|(?:wo|[ae])l|[eo][ao])ves$", "$1f"),
    (r"ies$", "y"),
    (r"\b([pl]|zomb|(?:neck|cross)?t|coll|faer|food|gen|goon|group|lass|talk|goal|cut)ies$", "$1ie"),
    (r"\b(mon|smil)ies$", "$1ey"),
    (r"\b((?:tit)?m|l)ice$", "$1ouse"),
    (r"(seraph|cherub)im$", "$1"),
    (r"(x|ch|ss|sh|zz|tto|go|cho|alias|[^aou]us|t[lm]as|gas|(?:her|at|gr)o|[aeiou]ris)(?:es)?$", "$1"),
    (r"(analy|diagno|parenthe|progno|synop|the|empha|cri|ne)(?:sis|ses)$", "$1sis"),
    (r"(movie|twelve|abuse|e[mn]u)s$", "$1"),
    (r"(test)(?:is|es)$", "$1is"),
    (r"(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$", "$1us"),
    (r"(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|quor)a$",
     "$1um"),
    (r"(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)a$", "$1on"),
    (r"(alumn|alg|vertebr)ae$", "$1a"),
    (r"(cod|mur|sil|vert|ind)ices$", "$1ex"),
    (r"(matr|append)ices$", "$1ix"),
    (r"(pe)(rson|ople)$", "$1rson"),
    (r"(child)ren$", "$1"),
    (r"(eau)x?$", "$1"),
    (r"men$", "man"),
]

_UNCOUNTABLE_WORDS = frozenset(
    "adulthood advice agenda aid aircraft alcohol ammo analytics anime athletics audio bison blood bream buffalo "
    "butter carp cash chassis chess clothing cod commerce cooperation corps debris diabetes digestion elk energy "
    "equipment excretion expertise firmware flounder fun gallows garbage graffiti hardware headquarters health "
    "herpes highjinks homework housework information jeans justice kudos labour literature machinery mackerel "
    "mail media mews moose music mud manga news only personnel pike plankton pliers police pollution premises "
    "rain research rice salmon scissors series sewage shambles shrimp software species staff swine tennis "
    "traffic transportation trout tuna wealth welfare whiting wildebeest wildlife you".split()
)
#: Uncountable patterns: added last to both rule lists, so they are tried first.
_UNCOUNTABLE_PATTERNS = [r"pok[eé]mon$", r"[^aeiou]ese$", r"deer$", r"fish$", r"measles$", r"o[iu]s$", r"pox$",
                         r"sheep$"]


def _compile(rules: List[Tuple[str, str]]) -> List[_Rule]:
    # JavaScript's "$" is the very end of the text, and its "\w" ASCII only.
    patterns = rules + [(pattern, "$0") for pattern in _UNCOUNTABLE_PATTERNS]
    return [(re.compile(pattern.replace("$", r"\Z"), re.IGNORECASE | re.ASCII), replacement)
            for pattern, replacement in patterns]


_PLURALS = _compile(_PLURAL_RULES)
_SINGULARS = _compile(_SINGULAR_RULES)
_IRREGULAR_SINGLES: Dict[str, str] = {}
_IRREGULAR_PLURALS: Dict[str, str] = {}
for _single, _many in _IRREGULAR_PAIRS:
    _IRREGULAR_SINGLES[_single.lower()] = _many.lower()
    _IRREGULAR_PLURALS[_many.lower()] = _single.lower()
_GROUP = re.compile(r"\$(\d{1,2})")


def _restore_case(word: str, token: str) -> str:
    """``token`` in the case of ``word`` (lower, upper or title)."""
    if word == token:
        return token
    if word == word.lower():
        return token.lower()
    if word == word.upper():
        return token.upper()
    if word[:1] == word[:1].upper():
        return token[:1].upper() + token[1:].lower()
    return token.lower()


def _replace(word: str, rule: _Rule) -> str:
    pattern, replacement = rule
    match = pattern.search(word)
    if match is None:  # pragma: no cover - the rule was chosen because it matches
        return word
    groups = (match.group(0), *match.groups())
    result = _GROUP.sub(lambda m: (groups[int(m.group(1))] or "") if int(m.group(1)) < len(groups) else "",
                        replacement)
    found = match.group(0)
    # an empty match takes the case of the character before it
    cased = _restore_case(word[match.start() - 1], result) if found == "" and match.start() else \
        _restore_case(found, result)
    return word[: match.start()] + cased + word[match.end() :]


def _word(word: str, replace: Dict[str, str], keep: Dict[str, str], rules: List[_Rule]) -> str:
    token = word.lower()
    if token in keep:
        return _restore_case(word, token)
    if token in replace:
        return _restore_case(word, replace[token])
    if not token or token in _UNCOUNTABLE_WORDS:
        return word
    for rule in reversed(rules):
        if rule[0].search(word):
            return _replace(word, rule)
    return word


def plural(word: str) -> str:
    """``pluralize.plural(word)``."""
    return _word(word, _IRREGULAR_SINGLES, _IRREGULAR_PLURALS, _PLURALS)


def singular(word: str) -> str:
    """``pluralize.singular(word)``."""
    return _word(word, _IRREGULAR_PLURALS, _IRREGULAR_SINGLES, _SINGULARS)


def pluralize(word: object, count: float) -> str:
    """``pluralize(word, count)``: the singular when ``count`` is 1, else the plural.

    :raises TypeError: ``word`` is no text (the package lower-cases it).
    """
    if not isinstance(word, str):
        raise TypeError("word.toLowerCase is not a function")
    return singular(word) if count == 1 else plural(word)
