"""Deciding that the corpus has nothing relevant, without a language model.

Six signals, each explainable to the user, with thresholds calibrated on the
dev set (docs/benchmarks.md):

1. the best passage's cosine similarity is very low;
2. the question names something no statement contains (a country, party,
   number or month, after allowing for aliases, inflections and acronyms of
   names the corpus does contain) and the best similarity is not high;
3. the question names a delegation as the speaker and a year, and no statement
   by that delegation is from that year or mentions it, and none of that year
   reports it speaking; or the delegation has no statement at all and none
   reports it speaking (Iceland, in a corpus that speaks of Iceland);
4. the question names a place, person or body and a year, and no statement
   that mentions the name is from that year or mentions it (Kyrgyzstan + 2020);
   or it names a speaker and a topic, and no statement by the speaker mentions
   the topic (the EU on Turkey) or any of the question's words about a topic that is no
   place (Malta on space exploration), or none of its statements that mention the topic is
   from that year or mentions it (the US on Kazakhstan, asked about 2021 when it
   spoke of Kazakhstan only in 2016), or, when the question pins a month ("January
   2022"), none is from that month or names it;
5. the question asks for a quantity and none of the top passages states one near what
   it counts;
6. the question asks for a person by role ("Who headed ...?", "Which official ...?")
   and none of the top passages names anyone but the people it names itself (nor, when
   it asks who delivered a statement, does any of their statements name its speaker);
   or it asks who won ("Which list came first ...?") and none says that anyone won (a
   victory, seats, a majority, "was re-elected");
   or it asks when something will happen and no top passage has a sentence dating it
   ("the talks will resume on 3 May", "next Tuesday"; a summit dated does not date elections);
   or it asks on what day something happened and no top passage gives a day ("on 10 January",
   "March 20") in a sentence naming what it asks about.
For 5 and 6, a question that names who said it ("How many ships did Malta say ...?")
is answered only by that speaker's passages when any are among the top ones.
"""

from __future__ import annotations

import re

import numpy as np

from .answer_types import (DAY_QUESTION, FUTURE_DATE_QUESTION, GENERIC_PEOPLE_STEMS, MEASURE_STEMS, MONTHS,
                           PLACE_QUESTION,
                           PEOPLE_STEMS, PERSON_ROLE_QUESTION, QUANTITY_QUESTION, QUANTITY_WORDS, SAME_COUNT,
                           SPEAKER_QUESTION, WHOSE_SPEECH_QUESTION, WINNER_QUESTION, WORD, YEAR, counted, persons_named,
                           states_day, states_future_date, states_quantity, states_winner, without_opening)
from .conversation import FUNCTION_WORDS, REACTION_WORDS, named_entities, speaker_mentions
from .delegations import DELEGATION_ALIASES, delegation_mentions, names_of, same_delegation
from .signals import years_in
from .text import MONTH_NAME, stem

# speaker_words: below this many statements, a word in most of them ("Kazakhstan" in five
# statements on Kazakhstan's elections) is the corpus's subject, not a generic word
_MANY_STATEMENTS = 20
# never salient: function words and the words of asking about statements
_FUNCTION = FUNCTION_WORDS | {"statement", "statements", "osce", "delegation", "delegations", "country", "countries"}
# "March 2019", "March of 2019": a month the question pins
_MONTH_YEAR = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(?:of\s+)?((?:19|20)\d\d)\b")
# words that say who spoke and how, not what about ("What position did Malta take on ...?")
_NOT_TOPIC = frozenset("""statement statements speech speeches remarks position positions stance view views
take took response reaction address addressed talk talked discuss discussed according government delegation
country countries leader president minister prime
well good bad better best really very much many more most less new old own fully clearly overall general
particular specific main key major important issue issues matter matters problem problems situation way""".split())
_DECADE = re.compile(r"\b\d{3,4}['’]?s\b")
# a word as a question writes it, letters of any script ("Türkiye")
_LETTERS = re.compile(r"[^\W\d_][\w'’-]*")
# _reported parses at most this many passages for speakers (each ~0.3 ms): the passages naming
# the delegation in the year or topic asked about; beyond that many, it has been reported
_REPORTED_SCAN = 200


def _pinned_months(query: str) -> list[tuple[str, str]]:
    """("March", "2019") for "March 2019"; also for a question with one month and one year
    apart ("the May summit ... 2019", as when a follow-up carries the year)."""
    pins = [(m.group(1), m.group(2)) for m in _MONTH_YEAR.finditer(query)]
    months, years = set(MONTH_NAME.findall(query)), set(YEAR.findall(query))
    if not pins and len(months) == 1 and len(years) == 1:
        pins = [(months.pop(), years.pop())]
    return pins


def _may_be_from(date: str | None, year: str, month_prefix: str) -> bool:
    return not date or date == year or date.startswith(month_prefix)


def word_prefix(word: str) -> str:
    """What a statement's word must start with to count as `word`: its stem, less a final
    "i" where Snowball ends it so ("parliamentari" for "parliamentary"); a name whole, since
    names are not inflected and "Paris" -> "pari" -> "par" would reach "parties"."""
    bare = re.sub(r"['’]s$", "", word.lower())
    if word[:1].isupper():
        return bare
    st = stem(bare)
    return st[:-1] if st.endswith("i") else st


def _loosely(names) -> set[str]:
    """A name's spellings, loosely: "Ministry" also finds "Minister" (a paraphrase of a
    name is no evidence that the corpus lacks it)."""
    return {n[: max(5, len(n) - 2)] for n in names}


def _either(years: list[str]) -> str:
    """The years of a gap, for its reason. The year rules ask each name for any one of the
    question's years, not all of them: "Malta (2019) and Norway (2021)" does not ask
    about Malta in 2021, and a rule cannot tell which year goes with which name."""
    return " or ".join(years)


def _as_written(query: str, names) -> str:
    """The name as the question spells it, for the reason shown to the user."""
    low = query.lower()
    # the first the question writes ("Turkey", not the "(Türkiye)" appended to it); of a
    # name of several words, the name, not its article ("the Kremlin")
    found = [m for name in names
             if (m := re.search(rf"(?<!\w){re.escape(re.sub(r'^the ', '', name))}[\w-]*", low))]
    if found:
        m = min(found, key=lambda m: (m.start(), -m.end()))
        return query[m.start():m.end()]
    return max(names, key=len)


class Abstainer:
    """The abstention stage. Every rule reads the per-index `Signals` (qa/signals.py):
    a question costs the posting lists of its own words, not a pass over the corpus."""

    def __init__(self, index, settings, signals, named_delegations=None):
        self.index = index
        self.settings = settings
        self.signals = signals
        # the delegations a question clearly names as speaking (qa/conversation.speaker_mentions)
        self.named_delegations = named_delegations or (lambda q: speaker_mentions(q, signals.aliases)[0])
        # the words of every delegation's names (and capitals, leaders): speaker_words' topics are not places
        self._name_words = frozenset(w for name in signals.speaker_names for w in name.lower().split())

    def unseen_terms(self, query: str) -> list[str]:
        """Names and numbers of the question that no statement contains, of the kinds whose
        absence means the fact is absent: a delegation's name ("France" in a corpus with
        no French statement and no mention of France), a number, or a name of two or more
        words ("Nur Otan"). A single other capitalised word is not enough: questions
        paraphrase ("London" for the United Kingdom, the speaker's own name that the
        record never prints), and out of sample those made every refusal of this rule
        a wrong one (docs/benchmarks.md)."""
        # "the late 1800s", "the 1990s": a period, which a statement as often writes in words
        # ("the nineteenth century", "the nineties")
        words = WORD.findall(_DECADE.sub(" ", query))
        unseen = [self._unseen(w, n) for n, w in enumerate(words)]
        out = []
        for n, w in enumerate(words):
            if not unseen[n]:
                continue
            bare = re.sub(r"['’]s$", "", w.lower())
            in_name = (n > 0 and unseen[n - 1] and words[n - 1][0].isupper()) or \
                      (n + 1 < len(words) and unseen[n + 1] and words[n + 1][0].isupper())
            if w.isdigit() or bare in DELEGATION_ALIASES or in_name:
                out.append(w)
        return out

    def _unseen(self, w: str, n: int) -> bool:
        """A salient word (a number, a capitalised word not opening the question) that no
        statement contains, allowing for inflections."""
        sig, lw = self.signals, w.lower()
        if lw in _FUNCTION or lw in sig.vocab:
            return False
        if not (w.isdigit() or (w[0].isupper() and (n > 0 or w.isupper()))):
            return False
        st = stem(w)
        return not (st in sig.stems or (len(st) >= 5 and not sig.unseen_prefix(st)))

    def delegation_year_gap(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'European Union' + '2022' with no EU statement from or mentioning 2022."""
        years = sorted(set(YEAR.findall(query)))
        if not years:
            return None

        def lacks(deleg):
            own = self.signals.docs_of(deleg)
            if not len(own):
                return ""   # absent_speaker's or the unseen-term rule's case
            if not any(self.signals.any_from_or_mentioning(own, y) or self._reported(deleg, year=y) for y in years):
                return f"no statement by {deleg} is from or mentions {_either(years)}"
            return None
        return self._first_gap(self._speakers(query, speakers), lacks)

    def name_year_gap(self, query: str) -> str | None:
        """'Kyrgyzstan' + '2020' (or 'Tokayev' + '2019') with no statement that mentions the
        name and is from that year or mentions it: the corpus speaks of the name, not then.
        With several years, a name needs only one of them (see `_either`)."""
        years = sorted(set(YEAR.findall(query)))
        if not years:
            return None
        sig = self.signals
        for names in named_entities(query, sig.aliases, sig.long_forms):
            about = sig.docs_mentioning(_loosely(names))
            if len(about) and not any(sig.any_from_or_mentioning(about, y) for y in years):
                return f"no statement mentions {_as_written(query, names)} together with {_either(years)}"
        return None

    def speaker_topic_gap(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'What did the EU say about media freedom in Turkey?' when no EU statement mentions
        Turkey (or Türkiye): whatever the corpus says about Turkey, the EU did not say it.
        One speaker asked about several places needs every one ("X on relations between A and
        B"); in a comparison each speaker needs one: "the EU on Georgia and Russia on Canada"
        does not ask what the EU said about Canada."""
        sig = self.signals
        speakers = self._speakers(query, speakers)
        topics = self._topics(query, speakers)

        def lacks(sp):
            own = sig.docs_of(sp)
            if not len(own):
                return ""   # the unseen-term rule covers unknown delegations
            missing = [names for names in topics
                       if not (len(np.intersect1d(own, about := sig.docs_mentioning(_loosely(names))))
                               or self._reported(sp, about=about))]
            if not missing or (len(speakers) > 1 and len(missing) < len(topics)):
                return None
            return f"no statement by {sp} mentions {_as_written(query, missing[0])}"
        return self._first_gap(speakers, lacks) if topics else None

    def speaker_words_gap(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'What did Malta say about space exploration and satellites?' when no statement
        by Malta has any of the words the question asks about, and other
        statements have them: speaker_topic for a topic that is not a place. It needs two
        such words or more, so that one word the speaker paraphrased ("migrants" for
        "migration") is not taken for an absent topic; words no statement or most statements
        have, generic words ("well", "issue") and the speaker's own names do not count, and
        a place or delegation is a topic only for speaker_topic."""
        sig = self.signals
        speakers = self._speakers(query, speakers)

        # the speakers' own names say nothing (in a comparison, the other side's neither)
        names = {w for other in speakers for name in names_of(other, sig.speaker_names) for w in name.split()}

        def lacks(sp):
            own = sig.docs_of(sp)
            if not len(own):
                return ""   # absent_speaker's or the unseen-term rule's case
            topic = {}
            for w in _LETTERS.findall(query):
                bare = re.sub(r"['’]s$", "", w.lower())
                if len(bare) < 3 or bare in _FUNCTION or bare in REACTION_WORDS or bare in _NOT_TOPIC \
                        or bare in names or bare in MONTHS:
                    continue
                st = stem(bare)
                if st in sig.common_stems and sig.n_docs >= _MANY_STATEMENTS:
                    continue   # a word most statements have ("need", "commitments") says nothing either way
                prefix = word_prefix(w)
                # a prefix of three letters reaches unrelated words ("cop": Copenhagen): match the stem
                docs = sig.docs_with_stem(prefix, st) if len(prefix) <= 3 else sig.docs_with_prefix(prefix)
                if len(np.intersect1d(own, docs)):
                    return None
                # a word no other statement has either is the question's own paraphrase, not a topic
                # the corpus covers; a place or delegation the speaker has is a sign it spoke of
                # the subject, but one it lacks is speaker_topic's to judge, not a topic word
                if len(docs) and bare not in self._name_words:
                    topic.setdefault(st, bare)
            if len(topic) < 2:
                return None
            said = list(topic.values())
            return f"no statement by {sp} mentions {', '.join(said[:-1])} or {said[-1]}"
        return self._first_gap(speakers, lacks)

    # delegation_year, speaker_topic and the three rules below read each named speaker in turn;
    # `lacks(sp)` gives the reason that speaker cannot have said it, or None (or "" when it is
    # another rule's case). Refusing only when every named speaker lacks it was tried and
    # dropped: it changed no split and cost a refusal on dev (docs/benchmarks.md, sixth pass).
    @staticmethod
    def _first_gap(speakers: list[str], lacks) -> str | None:
        return next((reason for sp in speakers if (reason := lacks(sp))), None)

    def absent_speaker(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'What did Iceland say ...?' when no statement is Iceland's and none reports Iceland
        speaking: the corpus may mention Iceland, but holds nothing it said."""
        def lacks(sp):
            if len(self.signals.docs_of(sp)) or self._reported(sp):
                return None
            return f"no statement by {sp} is in the corpus"
        return self._first_gap(self._speakers(query, speakers), lacks)

    def speaker_topic_year_gap(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'What did Norway say about Poland in 2019?' when the Norwegian statements that
        mention Poland are all from and about 2016: rules 3 and 4 together."""
        sig = self.signals
        years = sorted(set(YEAR.findall(query)))
        if not years:
            return None
        speakers = self._speakers(query, speakers)
        topics = self._topics(query, speakers)

        def lacks(sp):
            own, first = sig.docs_of(sp), None
            for names in topics:    # one topic met in one of the years is enough, as above
                about = sig.docs_mentioning(_loosely(names))
                own_about = np.intersect1d(own, about)
                if not len(own_about):
                    continue
                if any(sig.any_from_or_mentioning(own_about, y) or self._reported(sp, year=y, about=about)
                       for y in years):
                    return None
                first = first or names
            if first is None:
                return ""   # absent_speaker's or speaker_topic's case
            return (f"no statement by {sp} that mentions {_as_written(query, first)} "
                    f"is from or mentions {_either(years)}")
        return self._first_gap(speakers, lacks) if topics else None

    def speaker_month_gap(self, query: str, speakers: list[str] | None = None) -> str | None:
        """'What did Norway say about Poland in March 2019?' when no Norwegian statement
        (that mentions Poland) is from March 2019 or names March and mentions 2019:
        the month narrows the year as the year narrows the speaker. "May" and "March" are
        also words, so a statement "mentions" them often: the rule then stays silent."""
        sig = self.signals
        pins = _pinned_months(query)
        if not pins:
            return None
        speakers = self._speakers(query, speakers)
        topics = self._topics(query, speakers)

        def lacks(sp):
            pool, about, topic = sig.docs_of(sp), None, ""
            for names in topics:
                mentioning = sig.docs_mentioning(_loosely(names))
                if len(np.intersect1d(pool, mentioning)):
                    pool, about, topic = np.intersect1d(pool, mentioning), mentioning, _as_written(query, names)
            if not len(pool):
                return ""   # absent_speaker's case
            for month, year in pins:
                prefix = f"{year}-{MONTHS.index(month.lower()) + 1:02d}"
                named = np.intersect1d(pool, sig.docs_mentioning({month.lower()}))
                # a statement dated only by its year (a UN session) may be from any of its months
                if not (any(_may_be_from(self.index.documents[d].date, year, prefix) for d in pool)
                        or sig.any_from_or_mentioning(named, year)
                        or self._reported(sp, year=year, about=about, month=(month, prefix))):
                    that = f" that mentions {topic}" if topic else ""
                    return f"no statement by {sp}{that} is from or mentions {month} {year}"
            return None
        return self._first_gap(speakers, lacks)

    def _topics(self, query: str, speakers: list[str]) -> list:
        """The countries and delegations a question asks about, other than its speakers. Other
        names in a question ("people fleeing to Europe", "the Chinese initiative") are often its
        own paraphrase, not words the answering statement must contain."""
        sig = self.signals
        return [names for names in named_entities(query, sig.aliases, sig.long_forms)
                if any(n in sig.aliases for n in names)
                and not any(same_delegation(sig.aliases.get(n, n), sp) for n in names for sp in speakers)]

    def _speakers(self, query: str, speakers: list[str] | None) -> list[str]:
        """The delegations asked about as speaking: as the query stage read them (a follow-up's
        are the earlier turn's), or else as the question's words name them."""
        return self.named_delegations(query) if speakers is None else speakers

    def _reported(self, delegation: str, year: str | None = None, about: np.ndarray | None = None,
                  month: tuple[str, str] | None = None) -> bool:
        """Does a statement (of that year, mentioning that topic) report the delegation
        speaking? A statement that quotes "the Kazakh Ambassador's statement" answers
        "Did Kazakhstan pledge anything in 2016?" though Kazakhstan's own is missing. With a month
        (("March", "2020-03")), only other delegations' statements that may be from that month
        or name it count: a statement of November names its own speaker too. Only passages
        that name the delegation are parsed, at most _REPORTED_SCAN of them, and with that
        delegation's names only: a pattern over every delegation's names costs ~5 ms a passage,
        one over a single delegation's ~0.3 ms (measured on the UN session)."""
        sig = self.signals
        lists = [ids for a, ids in sig.alias_chunks.items() if same_delegation(sig.aliases.get(a, a), delegation)]
        if not lists:
            return False
        names = {a: sig.aliases[a] for a in names_of(delegation, sig.aliases)}
        chunks = np.unique(np.concatenate(lists))
        if about is not None:
            chunks = chunks[np.isin(self.index.chunk_doc[chunks], about)]
        if year:
            chunks = [i for i in chunks if year in sig.chunk_years[i]]
        if month:
            name, prefix = month
            docs = self.index.chunk_doc[np.asarray(chunks, dtype=np.int64)]
            then = np.isin(docs, sig.docs_mentioning({name.lower()})) | np.array(
                [_may_be_from(self.index.documents[d].date, year or prefix[:4], prefix) for d in docs], dtype=bool)
            chunks = np.asarray(chunks, dtype=np.int64)[then & ~np.isin(docs, sig.docs_of(delegation))]
        for scanned, i in enumerate(chunks):
            if scanned >= _REPORTED_SCAN:
                return True
            clear, likely = speaker_mentions(self.index.chunks[i].text, names)
            if clear or likely:
                return True
        return False

    def decide(self, query: str, hits: list, best: float | None, rules: frozenset[str] | None = None,
               speakers: list[str] | None = None) -> tuple[bool, str]:
        """(abstain?, the reason in plain words). `rules` switches rules on by name (all by
        default: settings.abstain_rules): low_similarity, unseen_term, delegation_year,
        absent_speaker, speaker_topic_year, speaker_month, name_year, speaker_topic, speaker_words,
        no_figure, no_person, no_place, no_winner, no_future_date, no_day."""
        s = self.settings
        on = (lambda r: True) if rules is None else rules.__contains__
        if best is None or not hits:
            return True, "no passage matched"
        if on("low_similarity") and best < s.abstain_threshold:
            return True, f"best passage similarity {best:.2f} is below {s.abstain_threshold:.2f}"
        unseen = self.unseen_terms(query) if on("unseen_term") else []
        if unseen and best < s.abstain_unseen_threshold:
            return True, f"no statement mentions {', '.join(unseen)}"
        gap = on("delegation_year") and self.delegation_year_gap(query, speakers)
        if not gap and on("absent_speaker"):
            gap = self.absent_speaker(query, speakers)
        if not gap and on("speaker_topic_year"):
            gap = self.speaker_topic_year_gap(query, speakers)
        if not gap and on("speaker_month"):
            gap = self.speaker_month_gap(query, speakers)
        if not gap and best < s.abstain_unseen_threshold and on("name_year"):
            gap = self.name_year_gap(query)
        if not gap and self._own_best(query, hits, speakers) < s.abstain_speaker_threshold:
            gap = (on("speaker_topic") and self.speaker_topic_gap(query, speakers)) or \
                  (on("speaker_words") and self.speaker_words_gap(query, speakers))
        if gap:
            return True, gap
        said = self._of_the_year(query, self._of_the_place(query, self._by_speaker(query, hits[:5], speakers),
                                                          speakers))
        query = without_opening(query)
        if on("no_figure") and QUANTITY_QUESTION.search(query):
            about = self.counted_stems(query)
            if not any(states_quantity(h.chunk.text, about) for h in said):
                return True, "the question asks for a figure and no passage states one"
        # "Which minister argued …?" with no speaker named asks whose speech it is, not for a name in it
        who_said = WHOSE_SPEECH_QUESTION.match(query) and not self._speakers(query, speakers)
        if on("no_person") and PERSON_ROLE_QUESTION.search(query) and not who_said:
            asked = {w.lower() for w in WORD.findall(query)}
            delivered_by = SPEAKER_QUESTION.search(query) and any(h.doc.speaker for h in said)
            if not delivered_by and not any(persons_named(h.chunk.text, asked) for h in said):
                return True, "the question asks who and no passage names a person"
        if on("no_place") and PLACE_QUESTION.search(query):
            # a state other than the speaker and the states the question itself names
            asked = set(self._speakers(query, speakers)) | set(delegation_mentions(query, self.signals.aliases))
            if not any(set(delegation_mentions(h.chunk.text, self.signals.aliases)) - asked for h in said):
                return True, "the question asks which country and no passage names another"
        if on("no_winner") and WINNER_QUESTION.search(query):
            if not any(states_winner(h.chunk.text) for h in said):
                return True, "the question asks who won and no passage says who won"
        if on("no_day") and DAY_QUESTION.search(query) and not FUTURE_DATE_QUESTION.search(query):
            about = self.dated_stems(query)
            named = not re.search(r"\bdates?\b", query, re.I)   # "Which day ...?" may be answered by a day's name
            if not any(states_day(h.chunk.text, about, named) for h in said):
                return True, "the question asks on what day and no passage gives one"
        if on("no_future_date") and FUTURE_DATE_QUESTION.search(query):
            about = self.dated_stems(query)
            if not any(states_future_date(h.chunk.text, about) for h in said):
                return True, "the question asks when something will happen and no passage dates it"
        return False, ""

    def _own(self, query: str, hits: list, speakers: list[str] | None) -> list:
        """The hits whose statement is by a speaker the question names."""
        speakers = self._speakers(query, speakers)
        return [h for h in hits if any(same_delegation(sp, h.doc.delegation) for sp in speakers)]

    def _own_best(self, query: str, hits: list, speakers: list[str] | None) -> float:
        """How close the named speakers' own passages among the hits come to the question (0
        when none is among them). The speaker-topic rules stand aside only for those:
        Norway's passage on Malta, however close, says nothing of what Poland said."""
        return max((h.dense for h in self._own(query, hits, speakers)), default=0.0)

    def _by_speaker(self, query: str, hits: list, speakers: list[str] | None = None) -> list:
        """The hits a figure or a person must come from: when the question names who said
        it ("How many ships did Malta say ...?"), that speaker's passages among them, if
        any; another delegation's figure does not answer what Russia said."""
        return self._own(query, hits, speakers) or hits

    def _of_the_place(self, query: str, hits: list, speakers: list[str] | None) -> list:
        """With no speaker named, the hits a figure, name or date about a place must come from:
        those by that place or naming it, if any. "How large is Malta's marine park?" is not
        answered by Norway's figure for its own park."""
        if self._speakers(query, speakers):
            return hits
        places = self._topics(query, [])
        if not places:
            return hits
        sig = self.signals
        # by the place, or from a statement that names it (a passage on "the election" is about the
        # place its statement names); the lists are sorted statement numbers: a binary search each
        lists = [sig.docs_mentioning(_loosely(names)) for names in places] + \
                [sig.docs_of(sig.aliases.get(n, n)) for names in places for n in names]

        def listed(doc_id: str) -> bool:
            d = self.index.doc_position[doc_id]
            return any((i := np.searchsorted(docs, d)) < len(docs) and docs[i] == d for docs in lists)
        return [h for h in hits if listed(h.doc.id)] or hits

    @staticmethod
    def _of_the_year(query: str, hits: list) -> list:
        """The hits a figure, name or date for the year a question asks about must come from: those
        of that year (the passage mentions it or its statement is from it), if any. "How many
        parties ran in 2021?" is not answered by a statement's "six parties" of 2016."""
        asked = set(YEAR.findall(query))
        return [h for h in hits if asked & years_in(h.chunk.text, h.doc)] or hits if asked else hits

    def dated_stems(self, query: str) -> set[str] | None:
        """Stems of what a "when …?" question asks the date of: its content words less the speakers'
        names, the words of asking and the time words (None: nothing left)."""
        words = {re.sub(r"['’]s$", "", w.lower()) for w in WORD.findall(query)}
        out = {stem(w) for w in words if w not in _FUNCTION and w not in _NOT_TOPIC and w not in MONTHS
               and not YEAR.fullmatch(w) and w not in self._name_words
               and w not in {"date", "dates", "day", "days", "year", "month", "exact", "next", "expect", "expects"}}
        return out or None

    def counted_stems(self, query: str) -> set[str]:
        """Stems of what a figure question counts: the words right after "how many"
        ("parties" in "How many parties took part?"); when it does
        not say, the question's content words that do not merely name the corpus's subject."""
        named = counted(query)
        if named:        # "how many candidates": a figure must stand near "candidates"
            # "how many UN missions", where the statement writes "United Nations"
            spelled = {stem(w) for st in named for w in WORD.findall(self.signals.long_forms.get(st, ""))}
            nationality = named <= {stem(w) for w in WORD.findall(query) if w[:1].isupper()}   # "how many Ugandans"
            if named & GENERIC_PEOPLE_STEMS or nationality:
                spelled |= PEOPLE_STEMS
            spelled |= {w for group in SAME_COUNT if named & group for w in group}
            return named | spelled
        measured = {stem(w.lower()) for w in WORD.findall(query)} & MEASURE_STEMS
        if measured:     # "What was the turnout in ...?": a figure must stand near "turnout"
            return measured
        words = {re.sub(r"['’]s$", "", w.lower()) for w in WORD.findall(query)}   # "OSCE's" -> "osce"
        about = {stem(w) for w in words
                 if w not in _FUNCTION and w not in QUANTITY_WORDS
                 and w not in MONTHS and not YEAR.fullmatch(w)} - self.signals.common_stems
        return about
