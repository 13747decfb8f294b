"""Deciding that the corpus has nothing relevant, without a language model.

Five signals, each explainable to the user, with thresholds calibrated on the
dev set (docs/benchmarks.md):

1. the best passage's cosine similarity is very low;
2. the question names something no statement contains (a country, party,
   number or month, after allowing for aliases, inflections and acronyms of
   names the corpus does contain) and the best similarity is not high;
3. the question names a delegation as the speaker and a year, and no statement
   by that delegation is from that year or mentions it, and none of that year
   reports it speaking;
4. the question names a place, person or body and a year, and no statement
   that mentions the name is from that year or mentions it (Kyrgyzstan + 2020);
   or it names a speaker and a topic, and no statement by the speaker mentions
   the topic (the EU on Turkey);
5. the question asks for a quantity and none of the top passages states one.
"""

from __future__ import annotations

import re

from .answer_types import MONTHS, QUANTITY_QUESTION, QUANTITY_WORDS, WORD, YEAR, counted, states_quantity, stem
from .conversation import (FUNCTION_WORDS, acronym_table, corpus_texts, long_forms, mention_pattern,
                           named_entities, speaker_mentions)
from .delegations import DELEGATION_ALIASES, alias_table, canonical_delegation, same_delegation

# never salient: function words and the words of asking about statements
_FUNCTION = FUNCTION_WORDS | {"statement", "statements", "osce", "delegation", "delegations", "country", "countries"}


def _loosely(names) -> re.Pattern:
    """A name's spellings, loosely: "Ministry" also finds "Minister" (a paraphrase of a
    name is no evidence that the corpus lacks it)."""
    return mention_pattern({n[: max(5, len(n) - 2)] for n in names})


def _as_written(query: str, names) -> str:
    """The name as the question spells it, for the reason shown to the user."""
    m = re.search(rf"\b(?:{'|'.join(map(re.escape, names))})\w*", query, re.I)
    return m.group(0) if m else max(names, key=len)


class Abstainer:
    def __init__(self, index, settings, named_delegations=None, acronyms: dict | None = None,
                 aliases: dict | None = None):
        self.index = index
        # the delegations a question clearly names as speaking (qa/conversation.speaker_mentions)
        self.named_delegations = named_delegations or (lambda q: speaker_mentions(q)[0])
        self.aliases = aliases if aliases is not None else alias_table(index.documents)
        self.settings = settings
        words: set[str] = set()
        for c in index.chunks:
            words.update(w.lower() for w in WORD.findall(c.embed_text))
        for d in index.documents:
            meta = " ".join(filter(None, (d.title, d.delegation, d.meeting, d.speaker, d.id)))
            words.update(w.lower() for w in WORD.findall(meta))
            for iso in filter(None, (d.date, d.delivered)):
                words.add(iso[:4])
        words.update(MONTHS)   # a month the texts do not print is weak evidence: "November 2022" vote
        # acronyms of names the corpus writes out ("CSTO" for the Collective Security Treaty Organization)
        if acronyms is None:
            acronyms = acronym_table(corpus_texts(index))
        words.update(a for a in acronyms if " " not in a)
        self.long_forms = long_forms(acronyms)
        # other names of a delegation the corpus has or names ("Moscow" for the Russian
        # Federation); a delegation it never mentions ("Germany") stays unseen
        present = {canonical_delegation(d.delegation) for d in index.documents if d.delegation}
        for alias, canon in DELEGATION_ALIASES.items():
            if canon in present or all(w in words for w in canon.lower().split()):
                words.update(alias.split())
        self.vocab = words
        self.stems = {stem(w) for w in words}
        # stems most statements share (kazakhstan, election): they say what the corpus
        # is about, not what a figure in one passage counts
        df: dict[str, int] = {}
        for d in index.documents:
            for st in {stem(w) for w in WORD.findall(" ".join(d.paragraphs))}:
                df[st] = df.get(st, 0) + 1
        self.common_stems = {st for st, n in df.items() if n >= 0.8 * len(index.documents)}

    def unseen_terms(self, query: str) -> list[str]:
        """Salient question words (names, numbers, months) that no statement contains."""
        out = []
        tokens = WORD.findall(query)
        for n, w in enumerate(tokens):
            lw = w.lower()
            if lw in _FUNCTION or lw in self.vocab:
                continue
            salient = w.isdigit() or (w[0].isupper() and (n > 0 or w.isupper()))
            if not salient:
                continue
            st = stem(w)
            if st in self.stems or (len(st) >= 5 and any(v.startswith(st) for v in self.vocab)):
                continue
            out.append(w)
        return out

    def delegation_year_gap(self, query: str) -> str | None:
        """'European Union' + '2022' with no EU statement from or mentioning 2022."""
        delegations, years = self.named_delegations(query), set(YEAR.findall(query))
        if not delegations or not years:
            return None
        for deleg in delegations:
            docs = [d for d in self.index.documents if same_delegation(d.delegation, deleg)]
            if not docs:
                continue   # the unseen-term rule covers unknown delegations
            for y in years:
                if not any((d.date or "").startswith(y) or y in " ".join(d.paragraphs) for d in docs) \
                        and not self._reported(deleg, y):
                    return f"no statement by {deleg} is from or mentions {y}"
        return None

    def name_year_gap(self, query: str) -> str | None:
        """'Kyrgyzstan' + '2020' (or 'Tokayev' + '2019') with no statement that mentions the
        name and is from that year or mentions it: the corpus speaks of the name, not then."""
        years = set(YEAR.findall(query))
        if not years:
            return None
        texts, docs = self.index.doc_texts, self.index.documents
        for names in named_entities(query, self.aliases, self.long_forms):
            pattern = _loosely(names)
            about = [n for n, t in enumerate(texts) if pattern.search(t)]
            for y in sorted(years):
                if about and not any((docs[n].date or "").startswith(y) or y in texts[n] for n in about):
                    return f"no statement mentions {_as_written(query, names)} together with {y}"
        return None

    def speaker_topic_gap(self, query: str) -> str | None:
        """'What did the EU say about media freedom in Turkey?' when no EU statement mentions
        Turkey (or Türkiye): whatever the corpus says about Turkey, the EU did not say it."""
        speakers = self.named_delegations(query)
        topics = [names for names in named_entities(query, self.aliases, self.long_forms)
                  if not any(same_delegation(self.aliases.get(n, n), sp) for n in names for sp in speakers)]
        texts, docs = self.index.doc_texts, self.index.documents
        for sp in speakers:
            own = [n for n, d in enumerate(docs) if same_delegation(d.delegation, sp)]
            if not own:
                continue   # the unseen-term rule covers unknown delegations
            for names in topics:
                pattern = _loosely(names)
                if not any(pattern.search(texts[n]) for n in own) and not self._reported(sp, about=pattern):
                    return f"no statement by {sp} mentions {_as_written(query, names)}"
        return None

    def _reported(self, delegation: str, year: str | None = None, about: re.Pattern | None = None) -> bool:
        """Does a statement (of that year, mentioning that topic) report the delegation
        speaking? The US statement of 2016 answers "Did Kazakhstan promise to act on the
        findings in 2016?" by quoting "the Kazakh Ambassador's statement"."""
        names = re.compile("|".join(rf"\b{re.escape(a)}\b" for a, c in self.aliases.items()
                                    if same_delegation(c, delegation)), re.I)
        for chunk, doc_n in zip(self.index.chunks, self.index.chunk_doc):
            doc = self.index.documents[doc_n]
            if year and not ((doc.date or "").startswith(year) or year in chunk.text):
                continue
            if about and not about.search(self.index.doc_texts[doc_n]):
                continue
            if not names.search(chunk.text):   # cheap test first: speaker_mentions is ~2 ms a passage
                continue
            clear, likely = speaker_mentions(chunk.text, self.aliases)
            if any(same_delegation(d, delegation) for d in clear + likely):
                return True
        return False

    def decide(self, query: str, hits: list, best: float | None) -> tuple[bool, str]:
        s = self.settings
        if best is None or not hits:
            return True, "no passage matched"
        if best < s.abstain_threshold:
            return True, f"best passage similarity {best:.2f} is below {s.abstain_threshold:.2f}"
        unseen = self.unseen_terms(query)
        if unseen and best < s.abstain_unseen_threshold:
            return True, f"no statement mentions {', '.join(unseen)}"
        gap = self.delegation_year_gap(query) or (best < s.abstain_unseen_threshold and (
            self.name_year_gap(query) or self.speaker_topic_gap(query)))
        if gap:
            return True, gap
        if QUANTITY_QUESTION.search(query):
            if not any(states_quantity(h.chunk.text, self.counted_stems(query)) for h in hits[:5]):
                return True, "the question asks for a figure and no passage states one"
        return False, ""

    def counted_stems(self, query: str) -> set[str]:
        """Stems of what a figure question counts: the words right after "how many"
        ("recommendations" in "How many recommendations did ODIHR make?"), plus the
        question's other content words that do not merely name the corpus's subject."""
        words = {re.sub(r"['’]s$", "", w.lower()) for w in WORD.findall(query)}   # "OSCE's" -> "osce"
        about = {stem(w) for w in words
                 if w not in _FUNCTION and w not in QUANTITY_WORDS
                 and w not in MONTHS and not YEAR.fullmatch(w)} - self.common_stems
        return about | counted(query)
