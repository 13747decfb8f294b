"""The per-index signals are computed over every passage: their fast paths must give
exactly what the plain code gives."""

import re

from qa.delegations import DELEGATION_ALIASES, alias_table
from qa.documents import iter_corpus
from qa.settings import ROOT
from qa.signals import _alias_regex

TRICKY = [
    "The United States of America and the United Kingdom's delegation, with the U.S. and the U.K., "
    "thanked Kazakhstan.",
    "united statesman; Kazakhstani observers; the United States-led coalition; (Russia) and Russia's view.",
    "Georgia, Georgian, GEORGIA and georgia; Moldova.Ukraine; e.Ukraine; US and us; U.S.A.",
    "Türkiye, Turkey, Côte d'Ivoire, Cote d'Ivoire and the Holy See spoke; Bosnia and Herzegovina too.",
    "",
]


def plain_alternation(aliases):
    """What signals.py compiled before: one alternative per alias, longest first."""
    return re.compile("|".join(rf"(?<![\w.]){re.escape(a)}(?!\w)"
                               for a in sorted(aliases, key=len, reverse=True)), re.I)


def test_the_alias_trie_finds_exactly_what_the_plain_alternation_finds():
    docs = list(iter_corpus(ROOT / "corpus"))
    texts = TRICKY + [p for d in docs for p in d.paragraphs]
    for aliases in (DELEGATION_ALIASES, alias_table(docs)):
        fast, plain = _alias_regex(aliases), plain_alternation(aliases)
        for text in texts:
            assert [(m.span(), m.group(0)) for m in fast.finditer(text)] == \
                   [(m.span(), m.group(0)) for m in plain.finditer(text)], text
    assert {m.group(0).lower() for m in _alias_regex(DELEGATION_ALIASES).finditer(TRICKY[0])} >= {
        "united states of america", "united kingdom", "kazakhstan"}


def test_the_union_of_posting_lists_is_numpys_unique():
    import numpy as np

    from qa.signals import Signals
    rng = np.random.default_rng(0)
    sig = Signals.__new__(Signals)
    sig.n_docs = 500
    for parts in ([], [np.zeros(0, np.int32)], [np.array([3], np.int32)],
                  [np.sort(rng.choice(500, m, replace=False)).astype(np.int32) for m in (1, 40, 499, 250)]):
        got = sig._union(parts)
        want = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)
        assert got.dtype == np.int32 and np.array_equal(got, want)


def test_the_year_scan_finds_exactly_what_year_finds():
    from qa.answer_types import YEAR
    from qa.signals import _YEAR_SCAN
    texts = TRICKY + ["in 1990, 2015 and 2024; not 1949, 12/2019, 2019/20, 3.2015 or 2015.5; (1995) 2000s 20156",
                      "Resolution 1325 (2000) of 31 October 2000; 1,995 delegates; 19952"]
    texts += [p for d in iter_corpus(ROOT / "corpus") for p in d.paragraphs]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "un").glob("*.txt"))]
    for text in texts:
        assert _YEAR_SCAN.findall(text) == YEAR.findall(text), text[:80]
    assert set(_YEAR_SCAN.findall(texts[len(TRICKY)])) >= {"1990", "2015", "2024", "1995"}
