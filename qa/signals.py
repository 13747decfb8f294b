"""What the query path needs to know about the whole corpus, computed once per index.

Abstention ("no statement mentions Kyrgyzstan together with 2020"), the topic and
year boosts and the speaker rules ask questions about every statement. Answering
them by scanning the corpus on each question makes every question cost as much as
the corpus is large. Instead, once per index (built on first use, then saved in the
index's version folder as `signals.pkl`), we keep:

- an inverted index word -> statements that use it (a name is "mentioned" when
  a statement has words starting with each of its words: "kazakh" finds "kazakhs");
- the years each statement is from or mentions ("next year" read against its own year), and each passage's years;
- the statements of each delegation, and the passages that name a delegation;
- the corpus vocabulary and stems (for "no statement mentions X"), the acronyms it
  writes out, and the stems most statements share;
- the leaders the texts name with their country ("President Putin of the Russian
  Federation"), so that "According to Putin, ..." reads as the Russian Federation speaking;
- per passage: its stance marks (qa/stance.py) and whether it reads as prose.

A question then touches only the posting lists of its own words.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
import pickle
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import stance as stance_mod
from .answer_types import MONTHS, WORD, YEAR
from .conversation import acronym_table, corpus_texts, long_forms
from .delegations import (CAPITALS, DELEGATION_ALIASES, alias_table, canonical_delegation, capital_of, names_of,
                          same_delegation, trie_alternation)
from .text import FUNCTION_WORDS, deletion_index, looks_like_prose, stem, written_forms

log = logging.getLogger(__name__)

SIGNALS_VERSION = 2     # 2: leaders
_TOKEN = re.compile(r"\w+")
# YEAR's own pattern behind a look-ahead for its first digit: every match of YEAR starts
# with 1 or 2, so the matches are the same, but the regex engine no longer evaluates
# YEAR's two look-behinds at every character of the corpus (3× faster over a corpus)
_YEAR_SCAN = re.compile("(?=[12])" + YEAR.pattern, YEAR.flags)
# "next year" in a statement of 2015 mentions 2016: the speaker rules must not say that no
# statement mentions 2016 (a 2015 speech on a chairmanship it takes up "next year")
_RELATIVE_YEAR = re.compile(r"\b(next|coming|last|past|previous|this|current)\s+year\b", re.I)
_YEAR_OFFSET = {"next": 1, "coming": 1, "last": -1, "past": -1, "previous": -1, "this": 0, "current": 0}


def years_in(text: str, doc) -> set[str]:
    """The years a text mentions, "next year" and "last year" read against the year of its
    statement, and the years the statement is from."""
    own = {iso[:4] for iso in (doc.date, doc.delivered) if iso}
    years = set(_YEAR_SCAN.findall(text)) | own
    if len(own) == 1 and next(iter(own)).isdigit():
        y = int(next(iter(own)))
        years.update(str(y + _YEAR_OFFSET[m.lower()]) for m in _RELATIVE_YEAR.findall(text))
    return years


@dataclass
class Signals:
    n_docs: int
    doc_postings: dict[str, np.ndarray]          # lowercase word -> sorted statement numbers
    words: list[str]                             # sorted keys of doc_postings, for prefix look-ups
    doc_years: list[frozenset[str]]              # years a statement is from or mentions
    chunk_years: list[frozenset[str]]            # years a passage mentions, or its statement is from
    delegation_docs: dict[str, np.ndarray]       # canonical delegation (lowercase) -> statements
    alias_chunks: dict[str, np.ndarray]          # delegation alias -> passages naming it
    vocab: frozenset[str]                        # words no "unseen term" can be
    vocab_sorted: list[str]
    stems: frozenset[str]
    common_stems: frozenset[str]                 # stems in 80 % of statements or more
    acronyms: dict[str, str]
    long_forms: dict[str, str]
    aliases: dict[str, str]
    leaders: dict[str, str]                      # a leader's surname (lowercase) -> delegation, from the texts
    stance: np.ndarray                           # per passage: stance bits (qa/stance.py)
    prose: np.ndarray                            # per passage: reads as prose
    cased: dict[str, str] = field(default_factory=dict)   # lowercase word -> how the corpus writes it (text.truecase)
    key: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def speaker_names(self) -> dict[str, str]:
        """The names a question may give a speaker by: delegations' names and aliases, then
        the leaders the corpus names with their country, then capitals (qa/delegations.py)."""
        if "speaker_names" not in self._cache:
            capitals = {c: capital_of(c, self.aliases) for c in CAPITALS}
            self._cache["speaker_names"] = {**capitals, **self.leaders, **self.aliases}
        return self._cache["speaker_names"]

    # --- look-ups (cost: the posting lists touched) ---------------------------------
    def docs_with_prefix(self, prefix: str) -> np.ndarray:
        """Statements with a word starting with `prefix`."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\uffff")
        if hi - lo == 1:
            return self.doc_postings[self.words[lo]]
        if hi == lo:
            return np.zeros(0, dtype=np.int32)
        return self._union([self.doc_postings[w] for w in self.words[lo:hi]])

    def docs_with_stem(self, prefix: str, st: str) -> np.ndarray:
        """Statements with a word starting with `prefix` whose stem is `st`: "copies" by "cop" is
        "copy" or "copied", not "Copenhagen"."""
        def compute():
            lo = bisect.bisect_left(self.words, prefix)
            hi = bisect.bisect_left(self.words, prefix + "\uffff")
            return self._union([self.doc_postings[w] for w in self.words[lo:hi] if stem(w) == st])
        return self._cached(("stem", prefix, st), compute)

    def docs_mentioning(self, names) -> np.ndarray:
        """Statements mentioning any of a name's spellings, each word at a word start
        ("kazakh" finds "kazakhs"; "office for democratic ..." needs all its words)."""
        def compute():
            found = []
            for name in names:
                parts = _TOKEN.findall(name.lower())
                if not parts:
                    continue
                docs = self.docs_with_prefix(parts[0])
                for p in parts[1:]:
                    if len(docs) == 0:
                        break
                    docs = np.intersect1d(docs, self.docs_with_prefix(p), assume_unique=True)
                found.append(docs)
            return self._union(found)
        return self._cached(("mention", frozenset(names)), compute)

    def spellings_of(self, delegation: str) -> tuple[str, ...]:
        """Every name a question may call a delegation by (its aliases, capital, leaders)."""
        return self._cached(("spellings", delegation),
                            lambda: (delegation, *names_of(delegation, self.speaker_names)))

    @property
    def name_deletions(self) -> dict[str, frozenset[str]]:
        """The names a question may give a speaker by, indexed for one-letter misspellings
        (text.respell)."""
        return self._cached(("name_deletions",), lambda: deletion_index(
            n for n in self.speaker_names if " " not in n))

    def _cached(self, key, compute):
        if key not in self._cache:
            if len(self._cache) > 4096:       # bounded: questions are unbounded in number
                self._cache.clear()
            self._cache[key] = compute()
        return self._cache[key]

    def _union(self, arrays) -> np.ndarray:
        """np.unique(np.concatenate(arrays)) for statement numbers, by marking them in an
        array of n_docs flags: at 1M passages (27k statements) 20× faster than numpy's
        hashing of long posting lists."""
        marked = np.zeros(self.n_docs, dtype=bool)
        for a in arrays:
            marked[a] = True
        return np.flatnonzero(marked).astype(np.int32)

    def docs_of(self, delegation: str) -> np.ndarray:
        # one delegation under its spellings ("Republic of Moldova"), not every name holding its
        # name: Niger's statements are not Nigeria's, nor Sudan's South Sudan's
        return self._cached(("docs_of", delegation), lambda: self._union(
            [d for name, d in self.delegation_docs.items() if same_delegation(name, delegation)]))

    def any_from_or_mentioning(self, docs: np.ndarray, year: str) -> bool:
        return any(year in self.doc_years[d] for d in docs)

    def unseen_prefix(self, st: str) -> bool:
        """No corpus word starts with this stem."""
        i = bisect.bisect_left(self.vocab_sorted, st)
        return not (i < len(self.vocab_sorted) and self.vocab_sorted[i].startswith(st))


def build(index) -> Signals:
    """One pass over the corpus. Linear in its size; run once per index."""
    docs, chunks = index.documents, index.chunks
    aliases = alias_table(docs)
    stem_of = lru_cache(maxsize=None)(stem)   # a corpus has far fewer distinct words than words
    # one object per distinct year set: a million passages share a few thousand of them
    # (memory, and a pickle that does not memoise a million objects)
    same = lru_cache(maxsize=None)(lambda x: x)
    postings: dict[str, list[int]] = {}
    doc_years: list[frozenset[str]] = []
    vocab: set[str] = set()
    df: dict[str, int] = {}
    delegation_docs: dict[str, list[int]] = {}
    for n, (d, text) in enumerate(zip(docs, index.doc_texts)):
        for w in set(_TOKEN.findall(text)):
            postings.setdefault(w, []).append(n)
        doc_years.append(same(frozenset(years_in(text, d))))
        meta = " ".join(filter(None, (d.title, d.delegation, d.meeting, d.speaker, d.id)))
        vocab.update(w.lower() for w in WORD.findall(meta))
        vocab.update(iso[:4] for iso in (d.date, d.delivered) if iso)
        for st in {stem_of(w) for w in set(WORD.findall(" ".join(d.paragraphs)))}:
            df[st] = df.get(st, 0) + 1
        if d.delegation:
            delegation_docs.setdefault(canonical_delegation(d.delegation).lower(), []).append(n)
    alias_rx = _alias_regex(aliases)
    alias_chunks: dict[str, list[int]] = {}
    chunk_years, stance_bits, prose = [], np.zeros(len(chunks), np.uint8), np.ones(len(chunks), bool)
    paragraph_prose: dict[tuple, bool] = {}
    leader_votes: dict[str, dict[str, int]] = {}
    for i, (c, dn) in enumerate(zip(chunks, index.chunk_doc)):
        if i and dn != index.chunk_doc[i - 1]:
            paragraph_prose.clear()    # keys are per statement: bounded memory over a corpus
        vocab.update(w.lower() for w in WORD.findall(c.embed_text))
        for surname, country in _leaders_in(c.text, aliases):
            votes = leader_votes.setdefault(surname, {})
            votes[country] = votes.get(country, 0) + 1
        for a in {m.group(0).lower() for m in alias_rx.finditer(c.text)}:
            alias_chunks.setdefault(a, []).append(i)
        d = docs[dn]
        chunk_years.append(same(frozenset(years_in(c.text, d))))
        stance_bits[i] = stance_mod.mask(c.text)
        # prose or not is a property of the paragraph, not of a piece cut from it
        key = (dn, tuple(c.paragraphs))
        if key not in paragraph_prose:
            paragraph_prose[key] = looks_like_prose(" ".join(d.paragraph(p) for p in c.paragraphs))
        prose[i] = paragraph_prose[key]
    vocab.update(MONTHS)    # a month the texts do not print is weak evidence: "November 2022" vote
    acronyms = acronym_table(corpus_texts(index))
    # acronyms of names the corpus writes out ("CSTO" for the Collective Security Treaty Organization)
    vocab.update(a for a in acronyms if " " not in a)
    # other names of a delegation the corpus has or names ("Moscow" for the Russian Federation);
    # a delegation it never mentions ("Germany") stays unseen
    present = {canonical_delegation(d.delegation) for d in docs if d.delegation}
    for alias, canon in DELEGATION_ALIASES.items():
        if canon in present or all(w in vocab for w in canon.lower().split()):
            vocab.update(alias.split())
    arr = lambda xs: np.asarray(xs, dtype=np.int32)   # noqa: E731
    names = {a for a in [*aliases, *CAPITALS] if " " not in a and a.isalpha() and a not in FUNCTION_WORDS}
    cased = written_forms(("\n".join(d.paragraphs) for d in docs),
                          {**{a: a.upper() if len(a) <= 3 else a.capitalize() for a in names},
                           **{m: m.capitalize() for m in MONTHS}})
    return Signals(
        n_docs=len(docs),
        doc_postings={w: arr(ns) for w, ns in postings.items()},
        words=sorted(postings),
        doc_years=doc_years,
        chunk_years=chunk_years,
        delegation_docs={k: arr(v) for k, v in delegation_docs.items()},
        alias_chunks={k: arr(v) for k, v in alias_chunks.items()},
        vocab=frozenset(vocab),
        vocab_sorted=sorted(vocab),
        cased=cased,
        stems=frozenset(stem(w) for w in vocab),
        common_stems=frozenset(st for st, n in df.items() if n >= 0.8 * len(docs)),
        acronyms=acronyms,
        long_forms=long_forms(acronyms),
        aliases=aliases,
        leaders=_agreed(leader_votes),
        stance=stance_bits,
        prose=prose,
        key=_key(index),
    )


_LEADER_TITLE = re.compile(r"\b(?:President|Prime\s+Minister|Chancellor|King|Queen|Emir|Sultan|Foreign\s+Minister|"
                           r"Minister\s+for\s+Foreign\s+Affairs|Secretary\s+of\s+State)\b")
_NAME = r"((?:[A-Z][a-z][\w'’-]*\s+){0,2}[A-Z][a-z][\w'’-]*)(?![\w'’-]|\s+[A-Z]\.)"
_PLACE = r"((?:[A-Z][\w'’-]*|of|and)(?:\s+(?:[A-Z][\w'’-]*|of|and)){0,4})"
# after the title: "Barack Obama of the United States" / "of France, Mr. François Hollande"
_NAME_OF_PLACE = re.compile(rf"\s+{_NAME}\s+of\s+(?:the\s+)?{_PLACE}")
_OF_PLACE_NAME = re.compile(rf"\s+of\s+(?:the\s+)?{_PLACE},\s+(?:(?:Mr|Ms|Mrs)\.?\s+)?{_NAME}")
_JUST_NAME = re.compile(rf"\s+{_NAME}")


def _place(words: str, aliases: dict[str, str], longest_first: bool = True) -> str | None:
    """The delegation a run of words starts with ("United States of America today" ->
    United States), or ends with when `longest_first` is False (words before a title)."""
    parts = [w for w in re.sub(r"['’]s\b", "", words).split()]
    spans = [parts[:n] for n in range(len(parts), 0, -1)] if longest_first else \
            [parts[-n:] for n in range(len(parts), 0, -1)]
    for span in spans:
        hit = aliases.get(" ".join(span).lower())
        if hit:
            return hit
    return None


def _leaders_in(text: str, aliases: dict[str, str]):
    """(surname, delegation) pairs a passage states: 'President Barack Obama of the United
    States', 'Russian President Vladimir Putin', 'the President of France, Mr. François
    Hollande'; not 'American President John F. Kennedy' (a name cut at an initial is no
    surname). Anchored on the titles, so a passage without one costs one regex scan."""
    for m in _LEADER_TITLE.finditer(text):
        after = text[m.end(): m.end() + 120]
        found = []
        if (a := _NAME_OF_PLACE.match(after)):
            found.append((a.group(1), _place(a.group(2), aliases)))
        elif (a := _OF_PLACE_NAME.match(after)):
            found.append((a.group(2), _place(a.group(1), aliases)))
        elif (a := _JUST_NAME.match(after)):
            found.append((a.group(1), _place(text[max(0, m.start() - 60): m.start()], aliases, False)))
        for name, country in found:
            surname = name.split()[-1].lower()
            if country and surname not in aliases and len(surname) >= 3:
                yield surname, country


def _agreed(votes: dict[str, dict[str, int]]) -> dict[str, str]:
    """A surname the texts tie to one delegation, at least twice as often as to any other."""
    out = {}
    for surname, counts in votes.items():
        ranked = sorted(counts.values(), reverse=True)
        if len(ranked) == 1 or ranked[0] >= 2 * ranked[1]:
            out[surname] = max(counts, key=counts.get)
    return out


def _alias_regex(aliases) -> re.Pattern:
    r"""Any alias as a whole word (not after a letter or a dot), the longest one that fits
    where several start at the same place (`trie_alternation`: ~50× faster over a corpus
    than the plain alternation of the aliases)."""
    return re.compile(r"(?<![\w.])(?:" + trie_alternation(aliases) + r")(?!\w)", re.I)


def _key(index) -> str:
    """The index version and the code the signals are computed with (name lists, stance
    vocabulary, tokenising): a change to either rebuilds them."""
    m = index.manifest
    code = hashlib.sha256()
    for module in ("signals", "delegations", "stance", "text", "conversation", "answer_types"):
        code.update((Path(__file__).parent / f"{module}.py").read_bytes())
    return (f"{SIGNALS_VERSION}:{m.get('created')}:{m.get('counts')}:{m.get('corpus', {}).get('fingerprint')}:"
            f"{code.hexdigest()[:16]}")


def load_or_build(index) -> Signals:
    """The index's signals: from `signals.pkl` in its version folder when it matches the
    index, else built now and saved there (atomically; a read-only folder is fine)."""
    path = Path(index.path) / "signals.pkl" if getattr(index, "path", None) else None
    key = _key(index)
    if path is not None and path.exists():
        try:
            with open(path, "rb") as f:
                sig = pickle.load(f)
            if isinstance(sig, Signals) and sig.key == key:
                return sig
        except Exception as e:   # a damaged or older file is rebuilt, never trusted
            log.info("rebuilding %s: %s", path, e)
    sig = build(index)
    if path is not None:
        tmp = path.with_name(f".signals-{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as f:
                pickle.dump(sig, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as e:
            log.info("signals not saved next to the index (%s)", e)
            tmp.unlink(missing_ok=True)
    return sig
