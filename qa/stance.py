"""Stance: does a passage praise, criticise or call for something, and which does a question ask for?

Diplomatic statements mark stance with a small, stable vocabulary: a delegation
*welcomes*, *commends* or *congratulates*; *regrets*, *is concerned*, *deplores* or
*condemns*; *calls on* or *urges*. A question marks the stance it wants with
another small vocabulary ("What did the EU criticise ...?", "What did Russia
praise ...?", "What did the US call for ...?"). Matching the two lets ranking
prefer passages of the asked stance and the lead quote a sentence of it.
"""

from __future__ import annotations

import re

from .text import sentences

PRAISE, CRITICISE, CALL = "praise", "criticise", "call"
STANCES = (PRAISE, CRITICISE, CALL)

# What a passage says, in the statements' own vocabulary (stems, matched at word starts).
_IN_TEXT = {
    PRAISE: r"welcom|commend|congratulat|applaud|prais|appreciat|pleased|satisf|positive(?:ly)?\b|"
            r"encouraged\b|gratifying|noteworthy|well[- ]organi[sz]ed|orderly|peaceful(?:ly)?\b|progress|"
            r"grateful",
    CRITICISE: r"regret|concern(?:s|ed)?\b|deplor|condemn|criticis|criticiz|disappoint|alarm|troubl|lament|shortcoming|"
               r"deficienc|irregularit|violat|restrict|limitation|tarnish|undermin|intimidat|harass|fail(?:ed|s|ure)?\b|"
               r"lack(?:ed|s|ing)?\b|not (?:genuine|free|fair)|no genuine|unfortunately",
    CALL: r"call(?:s|ed|ing)? (?:on|upon)|urg(?:e|es|ed|ing)\b|encourag(?:e|es|ing)\b|invit(?:e|es)\b|"
          r"request|recommend|we (?:ask|expect)|should\b|must\b|look forward to|appeal",
}
_TEXT_RX = {s: re.compile(rf"\b(?:{rx})", re.I) for s, rx in _IN_TEXT.items()}

# What a question asks for.
_IN_QUESTION = {
    PRAISE: r"prais|welcom|commend|applaud|congratulat|appreciat|approv|positive|like[ds]?\b|good\b|"
            r"well\b|pleased|satisf|credit",
    CRITICISE: r"criticis|criticiz|critic|condemn|deplor|regret|concern|fault|complain|object|problem|"
               r"shortcoming|negative|wrong|worr|disapprov|flaw|deficien|reservation|troubl|disappoint|alarm|"
               r"dismay|lament",
    CALL: r"call(?:ed|s)? (?:on|upon|for)|urg|demand|ask(?:ed|s)? (?:\w+ ){0,3}to\b|recommend|"
          r"want(?:ed|s)? (?:\w+ ){0,3}to\b|request|appeal|press(?:ed)? (?:for|\w+ to)",
}
_QUESTION_RX = {s: re.compile(rf"\b(?:{rx})", re.I) for s, rx in _IN_QUESTION.items()}


# A stance is asked for by a question or a request ("What did ...?", "List ..."), not by a
# statement of fact: a claim such as "Vitamin D deficiency is unrelated to birth weight"
# names no stance of a speaker, though "deficiency" is in the vocabulary above.
_ASKING = re.compile(r"\?\s*$|^\s*(?:what|which|who|whom|whose|how|why|when|where|whether|did|does|do|is|are|was|"
                     r"were|has|have|had|can|could|would|will|should|according|give|list|name|show|tell|find|"
                     r"describe|summari[sz]e|compare|quote)\b", re.I)


def asked_stance(question: str) -> str | None:
    """The stance a question asks about, or None: "What did the EU criticise ...?" -> "criticise"."""
    if not _ASKING.search(question):
        return None
    found = [s for s in STANCES if _QUESTION_RX[s].search(question)]
    return found[0] if len(found) == 1 else None


def act(sentence: str) -> str | None:
    """The stance a sentence takes: that of its first marker. The main verb of a
    diplomatic sentence comes first and decides what it does: "The EU calls on X to address
    the shortcomings" is a call, "We welcome the elections, held despite restrictions" is
    praise, although each also holds a word of criticism."""
    first = None
    for s in STANCES:
        m = _TEXT_RX[s].search(sentence)
        if m and (first is None or m.start() < first[0]):
            first = (m.start(), s)
    return first[1] if first else None


def stances(text: str) -> frozenset[str]:
    """The stances a passage or sentence takes (possibly several: one per sentence)."""
    return frozenset(a for a in map(act, sentences(text) or [text]) if a)


def share(text: str, stance: str) -> float:
    """The share of the text's sentences that take `stance`: 1.0 for a paragraph of
    criticism, 0.2 for a paragraph of praise with one sentence of concern."""
    parts = sentences(text) or [text]
    return sum(1 for x in parts if act(x) == stance) / len(parts)


def mask(text: str) -> int:
    """`stances` as bits (praise 1, criticise 2, call 4), for a compact per-passage array."""
    found = stances(text)
    return sum(1 << n for n, s in enumerate(STANCES) if s in found)


def bit(stance: str) -> int:
    return 1 << STANCES.index(stance)
