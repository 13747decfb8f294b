"""Query understanding: everything the later stages need to know about a question, read once.

`understand(question, history, filters, signals)` returns a `Query`: the text to
search (the question, plus the earlier turn's topic only when the question needs it,
plus the corpus's names for the delegations and acronyms it uses), the question's
own text, the delegations it names as speakers (for a follow-up that names none, the
earlier turn's: "And in 2019?"), its years, names, answer type and stance. Every step
is linear in the question's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .answer_types import MONTHS, WHO_SAID_QUESTION, YEAR, asked_for, counted
from .conversation import (carried_turns, changes_the_place, contextualize, is_followup, keeps_the_time,
                           latest_speakers, may_change_year, named_entities, names_the_time, says_what_it_asks,
                           set_aside_speakers, speaker_mentions, speakers_of_followup, without_time_phrases)
from .delegations import canonical_delegation, delegation_mentions, names_of
from .filters import Filters
from .regions import described_region
from .stance import asked_stance
from .text import FUNCTION_WORDS, is_uncased, respell, truecase


class QuestionTooLong(ValueError):
    """A question over the settings' `max_question_chars`; the message is one line."""


@dataclass
class Query:
    question: str                         # as asked (names cased as the corpus writes them if typed without)
    text: str                             # what is searched
    own: str                              # the question alone, names expanded: whose terms coverage counts
    dense_text: str = ""                  # what the model encodes (hybrid): `text`, less a comparison's
    #                                       speakers or a "Which leader said" opening
    judged: str = ""                      # what the abstention rules read: `text`, or for a follow-up that
    #                                       names its speaker and says what it asks, `own` and the time
    followup: bool = False                # took words from the earlier turn
    speakers: list[str] = field(default_factory=list)        # delegations it clearly names as speaking
    likely_speakers: list[str] = field(default_factory=list)  # ... or as a role ("the Kazakh ambassador")
    others_than: list[str] = field(default_factory=list)      # "And the other delegations?": not these
    years: set[str] = field(default_factory=set)
    names: list[frozenset[str]] = field(default_factory=list)  # places, people, bodies (their spellings)
    kinds: set[str] = field(default_factory=set)               # person / date / quantity
    counts: set[str] = field(default_factory=set)              # stems of what a figure question counts
    stance: str | None = None                                  # praise / criticise / call
    region: frozenset[str] = frozenset()   # a question naming no speaker but its region: the region's states
    filters: Filters | None = None

    @property
    def all_speakers(self) -> list[str]:
        return self.speakers + self.likely_speakers


def _names_something(text: str, signals) -> bool:
    """Does a text typed without capitals name a delegation or an acronym ("how does moscow rate
    the odihr mission?")? One that names neither ("Which treaty did it cite?") is left as typed: the
    corpus capitalises "Treaty" in titles, which makes no name of the word in a question."""
    return any(
        (w in signals.aliases and w not in FUNCTION_WORDS) or (len(w) > 1 and signals.cased.get(w, "").isupper())
        for w in re.findall(r"[^\W\d_]+", text.lower()))


def _as_the_corpus_writes(text: str, signals) -> str:
    """Names one letter off written as the names, then, if the text was typed without capitals,
    its names capitalised as the corpus writes them."""
    uncased = is_uncased(text)
    text = _respelt(text, signals, uncased)
    return truecase(text, signals.cased) if uncased and _names_something(text, signals) else text


def _respelt(text: str, signals, uncased: bool) -> str:
    """A name one letter off ("Kazakstan", "Kyrgystan") written as the name: a word of six letters
    or more that no statement has and no name is, capitalised (or in a question typed without
    capitals), and a letter away from exactly one name."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if (not uncased and not word[0].isupper()) or low in signals.vocab or low in signals.aliases:
            return word
        name = respell(word, signals.name_deletions)
        return signals.cased.get(name, name.capitalize()) if name else word
    return re.sub(r"[^\W\d_]{6,}", fix, text)


def _without_carried(judged: str, question: str, drop) -> str:
    """`judged` less the words carried from earlier turns that `drop` picks: what contextualize
    appends comes after the question, which it leaves as asked."""
    if not judged.startswith(question):
        return judged
    return " ".join([question, *(w for w in judged[len(question):].split() if not drop(w.strip("?.,;:()")))])


def understand(question: str, history: list[str] | None, filters: Filters | None, signals,
               max_chars: int = 2000) -> Query:
    if len(question) > max_chars:
        raise QuestionTooLong(f"the question is {len(question):,} characters long; ask in at most "
                              f"{max_chars:,}")
    history = [h[:max_chars] for h in (history or [])[-10:]]   # the last turns are what a follow-up leans on
    # typed without capitals: written as the corpus writes its names, which is how names are told
    question, *history = [_as_the_corpus_writes(t, signals) for t in (question, *history)]
    text = contextualize(question, history, signals.aliases, signals.acronyms)
    own = contextualize(question, [], signals.aliases, signals.acronyms)
    followup = bool(history) and is_followup(question, signals.aliases)
    clear, likely = speaker_mentions(text, signals.speaker_names)
    if followup and not clear and not likely:
        clear = speakers_of_followup(question, history, signals.aliases, signals.speaker_names)
    # What the abstention rules read. A follow-up that names its own speaker and says what it asks
    # ("And Malta's view of the budget cuts?") is judged on its own words and the time the
    # conversation gives it: the earlier turn's places and topics still help find passages, but
    # they are a guess about what is asked, and a refusal for lack of them would refuse what the
    # user did not ask (docs/benchmarks.md, tenth pass).
    judged = text
    turns = carried_turns(history, signals.aliases) if followup else []
    if followup and clear and says_what_it_asks(question, signals.speaker_names) and \
            set(speaker_mentions(own, signals.speaker_names)[0]) == set(clear):
        when = [w for w in re.findall(r"\b(?:(?:19|20)\d\d|[A-Z][a-z]+)\b", text[len(question):])
                if YEAR.fullmatch(w) or w.lower() in MONTHS]
        # The earlier turn's time was its speaker's: a follow-up turning to another speaker ("Did
        # the Maltese ever describe that programme so warmly?") asks about the topic, not that
        # date, unless it says so ("the same day", "a month later").
        earlier = latest_speakers(turns, signals.speaker_names)
        if not set(clear) & set(earlier) and not keeps_the_time(question):
            when = []
        judged = " ".join([own, *dict.fromkeys(when)])
    elif followup and clear and not names_the_time(question) and \
            not set(clear) & set(latest_speakers(turns, signals.speaker_names)):
        # "And the Russians, on those reports?" after a turn about a Swiss statement of March: the
        # month pinned the Swiss statement, and a reply on the same subject is often a later one,
        # about "that vote" too. The carried year still narrows it: only the month goes.
        judged = _without_carried(judged, question, lambda w: w.lower() in MONTHS)
    if followup and not keeps_the_time(question) and changes_the_place(question, history, signals.aliases):
        # "What about Norway's?" after Malta's 2021 elections: the year was Malta's, not Norway's
        judged = _without_carried(judged, question, lambda w: w.lower() in MONTHS or YEAR.fullmatch(w))
    if followup and not YEAR.search(question) and may_change_year(question, " ".join(turns)):
        # "a few months earlier" than a January turn is the year before: no carried year to refuse for
        judged = _without_carried(judged, question, YEAR.fullmatch)
    judged = without_time_phrases(judged)   # "a month later" is a time, not a topic word
    # "How did Malta and Norway differ on ...?": every passage of either statement already
    # carries its delegation in what was embedded, so the names pull the model towards
    # passages that name them (openings, closings), not towards what is compared; the
    # speaker boost and the alternation keep both sides. One speaker keeps its name: there
    # nothing else puts its passages among the dense candidates (docs/benchmarks.md).
    dense = without_speakers(text, clear, signals.speaker_names) if len(clear) >= 2 else text
    if not clear and not likely:
        dense = what_was_said(dense)
    return Query(
        question=question, text=text, own=own, dense_text=dense or text, judged=judged, followup=followup,
        speakers=clear, likely_speakers=likely, years=set(YEAR.findall(text)),
        others_than=set_aside_speakers(question, history, signals.aliases, signals.speaker_names),
        names=named_entities(text, signals.aliases, signals.long_forms),
        kinds=asked_for(text), counts=counted(text), stance=asked_stance(question), filters=filters or None,
        region=frozenset() if clear or likely else _speaking_region(question, signals.aliases))


def _speaking_region(question: str, aliases: dict[str, str]) -> frozenset[str]:
    """The states of the region a question describes its speaker by, less the states it names:
    "Which Central African government spoke of the crisis in the Central African Republic?" asks
    about that republic, so it is not the one speaking."""
    region = described_region(question)
    if not region:
        return region
    named = {canonical_delegation(d).lower() for d in delegation_mentions(question, aliases)}
    return frozenset(m for m in region if m not in named)


def what_was_said(text: str) -> str:
    """The question without its "Which leader said (that)" opening: "Which leader warned that
    the seas are rising?" -> "the seas are rising?"."""
    m = WHO_SAID_QUESTION.match(text)
    return text[m.end():] if m and m.end() < len(text) else text


def without_speakers(text: str, speakers: list[str], names: dict[str, str]) -> str:
    """The text without the names (any spelling in `names`, with "the" or "'s") of `speakers`."""
    spellings = {n for sp in speakers for n in names_of(sp, names)} | set(speakers)
    rx = re.compile(r"\b(?:the\s+)?(?:" + "|".join(map(re.escape, sorted(spellings, key=len, reverse=True))) +
                    r")(?:['’]s)?\b", re.I)
    out = re.sub(r"\(\s*(?:,\s*)*\)", " ", rx.sub(" ", text))    # the expansions appended: "(Russian Federation)"
    return re.sub(r"\s+", " ", out).strip()
