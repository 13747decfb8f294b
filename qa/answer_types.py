"""What kind of answer a question asks for, and whether a passage holds one.

"Who chaired ...?" wants a person, "On what date ...?" a date, "How many ...?" a
quantity. Retrieval gives passages that contain that kind of thing a small
boost (answer-type matching, a classic of passage retrieval for QA); abstention
gives up on a figure question when no passage states a figure.
"""

from __future__ import annotations

import re

from .text import MONTH_NAME, MONTHS, WORD, YEAR, sentences, stem  # noqa: F401  (WORD, YEAR re-exported)

PERSON_QUESTION = re.compile(
    r"^\s*(?:who|whom|whose)\b|\b(?:which|what)\s+(?:\w+\s+){0,2}?(?:official|minister|ambassador|person|"
    r"politician|leader|speaker|envoy|diplomat|president|chair(?:man|person)?|head)\b", re.I)
DATE_QUESTION = re.compile(r"^\s*when\b|\b(?:what|which)\s+(?:date|day|month|year)\b", re.I)
QUANTITY_NOUNS = (r"budget|cost|costs|price|funding|turnout|population|amount|total|size|number|share|percentage|"
                  r"margin|value|sum")
QUANTITY_QUESTION = re.compile(r"\b(how many|how much|what (?:percentage|percent|share|proportion|number)|"
                               r"how large|how big)\b"
                               # "What is the mission's approved budget for 2030?"
                               # but not "What is the EU position on the budget?"
                               # "What turnout did ...?", "What share of the vote ...?"
                               rf"|^\s*what\s+(?:[\w'’-]+\s+)?(?:{QUANTITY_NOUNS})\b"   # "What voter turnout ...?"
                               # "(And) the turnout?", "What about the budget?"
                               rf"|^\s*(?:(?:and|what\s+about|how\s+about)\s+)?(?:the\s+)?(?:[\w'’-]+\s+)?"
                               rf"(?:{QUANTITY_NOUNS})\s*\?"
                               # "Did it cite a figure for the turnout?", "Did they give any number?"
                               r"|\b(?:give|gave|given|report|reported|cite|cited|mention|mentioned|provide|provided|"
                               r"offer|offered|quote|quoted)\s+(?:a|an|any)\s+(?:[\w'’-]+\s+)?"
                               r"(?:figures?|numbers?|estimates?|totals?|percentages?|counts?)\b"
                               # "What does it cost?"
                               r"|^\s*(?:and\s+)?what\s+(?:does|did|do|would|will)\b[^?]*\bcost\s*\?"
                               rf"|\bwhat\s+(?:is|was|are|were)\s+(?:the\s+)?"
                               r"(?:(?!(?:on|about|regarding|towards?|to|with)\b)[\w'’]+\s+){0,4}"
                               rf"(?:{QUANTITY_NOUNS})\b",
                               re.I)
QUANTITY_WORDS = {"many", "much", "percentage", "percent", "share", "proportion", "number", "large", "big",
                  *QUANTITY_NOUNS.split("|")}

# A question that can only be answered by naming a person: "Who headed the mission?",
# "Which official ...?", "Which candidates ...?". Not "Who is X?" (answered by X's role),
# nor "Who spoke / co-hosted / said ...?", answered as often by a delegation or a body.
_ROLES = (r"officials?|ministers?|ambassadors?|politicians?|envoys?|diplomats?|candidates?|journalists?|activists?|"
          r"spokes(?:man|person|woman)")
# the words between "which"/"what" and the role: "Which Kazakh official", but not "What about public
# officials?" (an ellipsis: "and on officials?") nor "What did officials say?" (asks what, not who)
_BETWEEN = r"(?:(?!(?:about|did|do|does|is|are|was|were|has|have|had|will|would|can|could)\b)[\w-]+\s+){0,2}?"
_NAMED_ROLES = rf"{_ROLES}|commissioner|president|chair(?:man|person|woman)?|head|director|secretary(?:-general)?|" \
               r"representative"
PERSON_ROLE_QUESTION = re.compile(
    r"^\s*who\s+(?:headed|heads|chaired|chairs|led|leads|presided|presides)\b"
    # "Who is the Personal Representative on ...?" asks for a name ("Who is Tokayev?" for a role)
    rf"|^\s*who\s+(?:is|was|are|were)\s+the\s+(?:[\w'’-]+\s+){{0,3}}?(?:{_NAMED_ROLES})\b"
    rf"|\b(?:which|what)\s+{_BETWEEN}(?:{_ROLES})\b"
    # "Give the name of the observers' chief ..."
    rf"|\bname\s+of\s+(?:the\s+)?{_BETWEEN}(?:{_NAMED_ROLES})\b"
    # "What is the Special Envoy's name?"
    rf"|\b(?:{_NAMED_ROLES})['’]s\s+(?:full\s+)?name\b", re.I)
# "Which leader warned that …?", "Which small island state complained …": a question asking
# who said something. The answer is the speaker, whom every passage of a speech carries in
# what was embedded: qa/query.py encodes only what was said, not the framing, which pulls
# towards passages about leaders and states in general (docs/benchmarks.md, ninth pass). Not
# "Which countries did Malta thank …?", where the noun is what is asked about.
_SPEAKING_ROLES = (r"leaders?|speakers?|countr(?:y|ies)|states?|governments?|presidents?|prime\s+ministers?|"
                   r"delegations?|nations?|heads?\s+of\s+state|kingdoms?|republics?")


def _who_said(roles: str) -> re.Pattern:
    return re.compile(rf"^\s*(?:which|what)\s+(?:[\w'’-]+\s+){{0,3}}?(?:{roles})\s+"
                      r"(?:(?:has|had)\s+)?(?!(?:did|do|does|is|are|was|were)\b)[\w'’-]+\s+(?:that\s+)?", re.I)


WHO_SAID_QUESTION = _who_said(_SPEAKING_ROLES)
# ... and "Which foreign minister recalled …?" asks whose speech it is too: no person named in
# the text need answer it, so the person rule stands aside. Its opening stays in what is
# encoded: in OSCE statements a minister is as often someone the text names ("Which trade
# minister opened the forum?"), and the words find that paragraph.
WHOSE_SPEECH_QUESTION = _who_said(_SPEAKING_ROLES + r"|ministers?")


# A question asking who won: the answer is a winner, and a passage that names none cannot give it
# ("Which list came first ...?", "Who won the runoff?")
WINNER_QUESTION = re.compile(
    r"^\s*(?:who|which\s+(?:[\w-]+\s+){0,2}?(?:party|parties|candidates?|blocs?|coalitions?|lists?))\s+"
    r"(?:(?:has|had)\s+)?(?:won|wins|came\s+first|topped|secured\s+the\s+most|gained\s+the\s+most|"
    r"received\s+the\s+most)\b"
    r"|\b(?:what|which)\s+(?:party|candidate)\s+(?:was|were)\s+(?:the\s+)?(?:winner|victorious)\b"
    # "Who was the victor in …?", "Who did Malta hail as the winner …?"
    r"|^\s*who\s+(?:(?:was|is|were)|(?:[\w'’-]+\s+){1,4}?as)\s+(?:the\s+)?(?:winner|victor)\b", re.I)
# not "majority" alone: "the majority of observers" says nothing about who won
_WIN = re.compile(r"\b(?:won|wins?|winners?|winning|victor(?:y|ies|ious)|landslide|re-?elect(?:ed|ion)|"
                  r"(?:was|were|been|being)\s+elected|seats|came\s+first|"
                  r"(?:absolute|clear|overall|constitutional|parliamentary)\s+majority|"
                  r"majority\s+of\s+(?:the\s+)?votes)\b",
                  re.I)
# ... and one a statement's own speaker may answer: its header names who delivered it
# (a Personal or Special Representative is an office the statement may speak of, not its speaker)
SPEAKER_QUESTION = re.compile(r"\b(?:ambassadors?|envoys?|diplomats?|spokes(?:man|person|woman)|"
                              r"(?<!personal\s)(?<!special\s)representatives?)\b"
                              r"|\b(?:delivered|spoke|presented|read\s+out)\b", re.I)
_TITLES = (r"(?:Mr|Ms|Mrs|Dr|Messrs)\.?|H\.\s?E\.|President|Prime\s+Minister|Minister|Chairman|Chairperson|"
           r"Chairwoman|Ambassador|Speaker|Secretary(?:-General)?|Director|Head|King|Queen|Emir|Sheikh|Prince|"
           r"Judge|Commissioner|Senator|Special\s+Representative")
# a title, optionally "of <office>,", then a capitalised name of one to four words
_PERSON = re.compile(rf"\b(?:{_TITLES})\s+(?:of\s+[^,.;]{{0,60}}?,\s+)?"
                     r"([A-Z][a-z][\w'’-]*(?:\s+(?:[A-Z]\.\s*)?[A-Z][a-z][\w'’-]*){0,3})")
_NOT_NAMES = frozenset("chair chairman chairperson chairwoman president minister ambassador speaker secretary "
                       "director head general madam sir".split())


def persons_named(text: str, exclude: set[str] = frozenset()) -> list[str]:
    """Names of people the text gives with a title ("President Kassym-Jomart Tokayev",
    "Mr. Viacheslav Volodin"), leaving out names that share a word with `exclude`
    (lowercase words: the people the question itself names are not its answer)."""
    out = []
    for m in _PERSON.finditer(text):
        words = {w.lower() for w in WORD.findall(m.group(1))}
        if words <= _NOT_NAMES or words & exclude:
            continue
        out.append(m.group(1))
    return out


# "Which country did Malta name as ...?", "In what other state did Malta open ...?": the answer is a
# state (not "Which country proposed ...?", which asks who spoke: a verb follows, not an auxiliary)
PLACE_QUESTION = re.compile(
    r"^\s*(?:(?:in|to|from|with|by|for|against|on|of)\s+)?(?:which|what)\s+(?:[\w-]+\s+)?"
    r"(?:country|countries|state|states|nation|nations)\s+(?:did|does|do|has|have|had|was|were|is|are|will|would)\b",
    re.I)


def states_winner(text: str) -> bool:
    """Does the text say that someone won ("the SWAPO victory", "was re-elected", "won 56 seats")?"""
    return bool(_WIN.search(text))


_DATE_IN_TEXT = re.compile(
    rf"\b\d{{1,2}}\s+(?:{'|'.join(MONTHS)})\b|\b(?:{'|'.join(MONTHS)})\s+\d{{1,2}}\b|\b(?:19|20)\d\d\b", re.I)
_NUMBER_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|" \
                r"hundred|thousand|million|dozen|dozens|hundreds|thousands|half|majority|percent)"
_NUMBER_WORD_RE = re.compile(rf"\b{_NUMBER_WORDS}\b", re.I)
_DATE_NUMBER_RE = re.compile(rf"\b\d{{1,2}}\s+(?:{'|'.join(MONTHS)})\b|\b(?:{'|'.join(MONTHS)})\s+\d{{1,2}}\b", re.I)


# "And which party won?", "So when will it meet?": a follow-up's opening word is no part of what it asks
_OPENING = re.compile(r"^\s*(?:and|but|so|also|then)\b\s*,?\s*", re.I)


def without_opening(question: str) -> str:
    """The question less an opening "And"/"But"/"So", which the answer-type patterns do not expect."""
    return _OPENING.sub("", question, count=1)


def asked_for(question: str) -> set[str]:
    """The kinds of answer the question asks for: a subset of {"person", "date", "quantity"}."""
    question = without_opening(question)
    kinds = set()
    if PERSON_QUESTION.search(question):
        kinds.add("person")
    if DATE_QUESTION.search(question):
        kinds.add("date")
    if QUANTITY_QUESTION.search(question):
        kinds.add("quantity")
    return kinds


# "how many foreign observers ...": the words after it name what is counted
_COUNTED = re.compile(r"\b(?:how many|how much|number of|percentage of|proportion of|share of)\s+"
                      r"((?:[A-Za-z][\w'’-]*\s*){1,3})", re.I)
_STOP_COUNTED = frozenset("""a an the of in on at to for from by with did do does were was are is have has had
were will would could should be been and or than that which who""".split())


_DETERMINERS = frozenset("its their his her our my your this these those".split())


def counted(question: str) -> set[str]:
    """Stems of what a figure question counts: {"recommendation"} for "How many
    recommendations did ODIHR make?"; empty when the question does not say. A name only
    qualifies what is counted ("Ukrainian soldiers": the figure must stand near
    "soldiers"), unless it is all there is ("How many Kazakhs voted?")."""
    m = _COUNTED.search(question)
    out: set[str] = set()
    names: set[str] = set()
    if m and m.group(0).split()[0].lower() in _RATE_OPENERS:
        out.add(stem(m.group(0).split()[0]))   # "what share of X": a percentage answers, whatever X is called
    for w in (m.group(1).split() if m else []):
        if w.lower() in _STOP_COUNTED:
            break
        if w.lower() not in _DETERMINERS:
            (names if w[0].isupper() else out).add(stem(w))
    return out or names


def holds(text: str, kinds: set[str], counts: set[str] | None = None) -> bool:
    """Does the passage contain an answer of one of these kinds? With `counts`, a
    figure must stand near what is counted ("21 recommendations")."""
    return bool(("person" in kinds and persons_named(text))
                or ("date" in kinds and _DATE_IN_TEXT.search(text))
                or ("quantity" in kinds and states_quantity(text, counts or None)))


# "How much money / funding ...?": an amount of money answers it wherever the word is
_MONEY_STEMS = frozenset(stem(w) for w in "money funding funds aid assistance contribution budget value sum".split())
_CURRENCY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|pounds|francs?|yen|rubles?|roubles?)\b", re.I)


# What a figure question may ask the measure of ("What was the turnout …?", "What is the budget …?"):
# a figure answers it only beside that word, or, for a rate, as a percentage ("49 per cent")
MEASURE_STEMS = frozenset(stem(w) for w in
                          "turnout population budget cost costs price funding margin toll value sum".split())
_RATES = frozenset(stem(w) for w in "turnout margin percentage proportion share".split())
_RATE_OPENERS = frozenset("percentage proportion share".split())
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b|percent\b)", re.I)


# Figures of people: "How many Ugandans were killed?" and "How many personnel serve?" are answered
# by "800,000 people" or "1,322 of those men and women" as well. Only a generic word for people
# (or a nationality) is widened so: troops, observers or refugees are what they are, and a
# figure of people in general does not count them.
PEOPLE_STEMS = frozenset(stem(w) for w in """people persons individuals men women citizens nationals inhabitants
                                             residents personnel staff troops soldiers peacekeepers lives""".split())
GENERIC_PEOPLE_STEMS = frozenset(stem(w) for w in """people persons individuals men women citizens nationals
                                                     inhabitants residents personnel""".split())
# Words that count the same people: "How many troops …?" is answered by "Eight hundred soldiers".
# Peacekeepers are not among them: a country's peacekeepers are some of its troops, not all.
SAME_COUNT = (frozenset(stem(w) for w in "troops soldiers".split()),)


def states_quantity(text: str, about: set[str] | None = None) -> bool:
    """Does the text state a quantity ("21 recommendations", "about 650", "six parties", "70%")?
    Years, days of a month and ordinals ("30th anniversary") do not count. With `about`
    (word stems), the quantity must stand within a few words of one of them: "six
    political parties" answers a question about parties, not one about observers."""
    text = _DATE_NUMBER_RE.sub(" ", text)
    spans = [m.span() for m in _NUMBER_WORD_RE.finditer(text)]
    spans += [m.span(1) for m in re.finditer(r"(?<![\w.])(\d[\d,.]*)(?!\d|st\b|nd\b|rd\b|th\b)", text)
              if not re.fullmatch(r"(?:19|20)\d\d", m.group(1).rstrip(",."))]
    if about is None:
        return bool(spans)
    for start, end in spans:
        window = text[max(0, start - 50): end + 50]
        if about & {stem(w) for w in WORD.findall(window)}:
            return True
        if about & _MONEY_STEMS and _CURRENCY.search(text[max(0, start - 5): end + 12]):
            return True
        if about & _RATES and _PERCENT.match(text, end):
            return True
    return False


# "When will ...?", "On what date will ...?": a date in the future, which only a sentence
# about what will happen can give ("the talks will resume on 3 May").
FUTURE_DATE_QUESTION = re.compile(
    r"^\s*(?:when|on what (?:exact\s+)?(?:dates?|days?)|in (?:what|which) (?:year|month))\s+(?:will|shall)\b"
    # "By what year does Malta aim to ...?", "By when will ...?"
    r"|^\s*by\s+(?:what|which)\s+(?:year|date|month)|^\s*by\s+when\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|going to|(?:is|are) (?:scheduled|due|planned|set|expected) (?:to|for)|"
                     r"(?:is|are) to (?:be|take)|plans? to|intends? to|aims? to|expects? to|to be held|upcoming|"
                     r"forthcoming|by\s+(?:the\s+(?:end|year)\s+(?:of\s+)?)?(?:19|20)\d\d)\b", re.I)
_WHEN = re.compile(r"\b(?:19|20)\d\d\b|\b(?:spring|summer|autumn|winter)\b|\btomorrow\b", re.I)
# a relative date in the future is a date and says it is future: "next Tuesday", "next year"
_NEXT = re.compile(r"\b(?:next|coming)\s+(?:week|month|year|spring|summer|autumn|winter|monday|tuesday|"
                   r"wednesday|thursday|friday|saturday|sunday)\b", re.I)


def states_future_date(text: str, about: set[str] | None = None) -> bool:
    """Does a sentence of the text date something to come ("the talks will resume on 3 May",
    "the forum will meet in the spring of 2030", "next Tuesday")? With `about` (stems of what the
    question asks the date of), the sentence must name one of them: "we will host the summit in
    November" dates no election."""
    for s in sentences(text) or [text]:
        if about is not None and not about & {stem(w) for w in WORD.findall(s)}:
            continue
        if _NEXT.search(s):
            return True
        if _FUTURE.search(s) and (MONTH_NAME.search(s) or _DATE_NUMBER_RE.search(s) or _WHEN.search(s)):
            return True
    return False


DAY_QUESTION = re.compile(r"^\s*(?:on\s+)?(?:what|which)\s+(?:exact\s+)?(?:date|day)\b", re.I)


# a day by its name: "World Press Freedom Day", "the International Day to Combat ..."
_NAMED_DAY_RE = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,5}\s+Day\b")


def states_day(text: str, about: set[str] | None = None, named: bool = False) -> bool:
    """Does a sentence naming what is asked about give a day ("on 10 January", "March 20")?
    With `named` ("Which day ...?", not "what date"), a day's name answers too."""
    for s in sentences(text) or [text]:
        if about is not None and not about & {stem(w) for w in WORD.findall(s)}:
            continue
        if _DATE_NUMBER_RE.search(s) or (named and _NAMED_DAY_RE.search(s)):
            return True
    return False
