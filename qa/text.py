"""Words, stems, stop words and sentences: the one place text is cut up.

BM25 (bm25s), abstention, the boosts and the answer's lead all read text through
these functions, so a word means the same thing everywhere. Stemming is
PyStemmer's English Snowball stemmer, the one bm25s indexes with.

Every function here is linear in its input: questions and passages are
untrusted and may be megabytes long.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

# A word: letters (with inner apostrophes and hyphens) or a number of two digits or more.
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d{2,}")
# a year, not part of a fraction or a number ("1/2000", "2,000", "2021.5")
YEAR = re.compile(r"(?<![/\d])(?<!\d[.,])\b(19[5-9]\d|20\d\d)\b(?!/|[.,]\d)")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
# a month as a name: capitalised, since "may" is also a verb
MONTH_NAME = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in MONTHS) + r")\b")

# Function words: never a topic, never a name, never evidence of anything.
FUNCTION_WORDS = frozenset("""a an and are as at be but by can could did do does for from had has have he her his how
i in into is it its me my of on or our she should so than that the their them then there these they this those to
us was we were what when where which who whom whose why will with would you your about after before between during
any all been being over under also more most other some such only own same just up down out not no else please
give list name show tell according if itself themselves himself herself ourselves yourself myself""".split())


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer
    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball stem of a word, possessive dropped: "Kazakhstan's" -> "kazakhstan"."""
    return _stemmer().stemWord(re.sub(r"['’]s?$", "", word.lower()))


def stems(text: str) -> set[str]:
    return {stem(w) for w in WORD.findall(text)}


def bm25_tokenize(texts: list[str], return_ids: bool = True):
    """bm25s tokens, English stop words removed, Snowball-stemmed (index and query alike)."""
    import bm25s
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=return_ids,
                          show_progress=False)


# --- case ----------------------------------------------------------------------------
# A question typed without capitals ("how does moscow rate the odihr mission?") loses what
# capitals tell: which words are names. The corpus says how it writes each word; a question
# with no capital after its first letter is written that way before it is read.

_CASED = re.compile(r"[^\W\d_][\w'’-]*")
# a word opening a sentence, a line or a quotation is capitalised whatever it is
_OPENER = re.compile(r"(?:^|[.!?:;]\s+|[\"“(]\s*)([^\W\d_][\w'’-]*)", re.M)


def written_forms(texts, extra: dict[str, str] | None = None) -> dict[str, str]:
    """lowercase word -> the form the texts write it in, for words written with capitals
    inside sentences at least three times as often as in lowercase ("kazakhstan" ->
    "Kazakhstan", "odihr" -> "ODIHR"; not "however", "we"). `extra`: forms for names the texts
    may not print (a delegation's aliases). One pass; counting is C-speed (Counter, findall)."""
    forms: Counter = Counter()
    opening: Counter = Counter()
    for text in texts:
        forms.update(_CASED.findall(text))
        opening.update(_OPENER.findall(text))
    best: dict[str, tuple[str, int]] = {}
    for form, n in forms.items():
        low = form.lower()
        inside = n - opening.get(form, 0)
        if form != low and low not in FUNCTION_WORDS and inside >= 2 and inside >= 3 * forms.get(low, 0) \
                and inside > best.get(low, ("", 0))[1]:
            best[low] = (form, inside)
    out = {low: form for low, (form, _) in best.items()}
    for low, form in (extra or {}).items():
        out.setdefault(low, form)
    return out


def is_uncased(text: str) -> bool:
    """No capital after the first letter: typed without them."""
    return not any(ch.isupper() for ch in text[1:])


_MONTH_VERBS = frozenset(("may", "march"))


def truecase(text: str, forms: dict[str, str]) -> str:
    """The text with each word the corpus writes with capitals written so, and its first
    letter capitalised ("has the us objected" -> "Has the US objected")."""
    def cased(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if low in _MONTH_VERBS and not (re.match(r"\s+\d", text[m.end():m.end() + 8])
                                        or re.search(r"\d\s+$", text[max(0, m.start() - 8):m.start()])):
            return word     # "may", "march": a month only beside a day or a year ("march 2021", "3 may")
        if low in forms:
            return forms[low]
        base = re.sub(r"['’]s$", "", low)      # "russia's": the corpus may write only "Russia"
        return forms[base] + word[len(base):] if base != low and base in forms else word
    out = re.sub(r"\bthe us\b", "the US", _CASED.sub(cased, text))   # "us" after "the" is no pronoun
    return out[:1].upper() + out[1:]


# --- misspelt names ---------------------------------------------------------------
# "Kazakstan", "Kyrgystan", "Tokaev": a name one letter off. The names (a delegation's aliases,
# capitals, leaders: a fixed list, not the corpus) are indexed by their one-letter deletions
# once; a word is looked up by its own deletions, so a question costs its length, not the list's.

def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def deletion_index(names) -> dict[str, frozenset[str]]:
    """name and each of its one-letter deletions -> the names it comes from (names of 6+ letters)."""
    index: dict[str, set[str]] = {}
    for name in names:
        if len(name) >= 6 and name.isalpha():
            for key in _deletions(name) | {name}:
                index.setdefault(key, set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


def _one_edit(a: str, b: str) -> bool:
    """One letter added, dropped or replaced (the deletion index also pairs two replacements
    at different places, which this rules out)."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def respell(word: str, index: dict[str, frozenset[str]]) -> str | None:
    """The one name `word` is a letter away from, or None (none, or several)."""
    low = word.lower()
    if len(low) < 6 or not low.isalpha():
        return None
    if low in index.get(low, ()):
        return low
    found = set(index.get(low, ())) | {n for d in _deletions(low) for n in index.get(d, ())}
    found = {n for n in found if _one_edit(low, n)}
    return next(iter(found)) if len(found) == 1 else None


# --- sentences -------------------------------------------------------------------

# A full stop after one of these does not end a sentence. Lower-cased, without the dot.
ABBREVIATIONS = frozenset("""mr mrs ms dr prof st vs etc approx jan feb mar apr jun jul aug sep sept oct nov dec
e.g i.e cf al amb gen col lt sen rep gov jr sr u.s u.k u.n e.u inc ltd co corp dept est""".split())
# ... and these only before a number ("No. 3", "Art. 5", "para. 2"): "We said no. The ..." ends
NUMBERED = frozenset("no nos art arts para paras sec ch vol pp p fig res ref doc rev op".split())
_SENT_END = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9А-Я])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _is_abbreviation(text: str, dot: int, after: int) -> bool:
    """Is the "." at text[dot] the end of an abbreviation ("para. 5", "U.S.", "J. Smith")?
    `after` is where the next sentence would start."""
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not m:
        return False
    word = m.group(1).lower().strip(".")
    if word in NUMBERED:
        return text[after:after + 1].isdigit()
    # an initial ("J. Smith") or a dotted abbreviation ("U.S", "e.g")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:\w\.)+\w", word))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, covering it in order.
    A sentence ends at . ! ? (and any closing quote or bracket) before a space and an
    opening capital, digit or quote, unless the full stop closes an abbreviation."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start(), m.end()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def sentences(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in split_sentences(text)]


# --- prose or not ------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[.!?…;:,]")


def looks_like_prose(text: str) -> bool:
    """False for text that is not sentences: forty words or more without a single
    punctuation mark, one word making up a third of the text ("spam spam spam"), or
    a few words repeated over and over. Such passages are kept (they are in the
    corpus) but ranked down."""
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < 20:
        return True
    if len(words) >= 40 and not _PUNCTUATION.search(text):
        return False
    counts = Counter(words)
    if len(words) >= 60 and len(counts) < 0.15 * len(words):
        return False
    return counts.most_common(1)[0][1] < len(words) / 3
