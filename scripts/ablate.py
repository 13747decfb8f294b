"""Measure each retrieval rule by switching it off, on dev and test splits side by side.

    python scripts/ablate.py --corpus DIR --index DIR SET-dev.jsonl SET-test.jsonl [...] [--only NAME ...]

Loads the index once; the query vector of each question is computed once and reused by
every variant (the rules never change the question's encoding... except where follow-up
handling changes the searched text, which is then encoded anew). For every variant and
set prints hybrid Recall@5, MRR@10, abstention on unanswerable / answerable, and lead@1
(the first lead sentence contains an evidence string) as a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.settings import Settings  # noqa: E402

ALL_RULES = Settings.abstain_rules
VARIANTS = {
    "all rules on": {},
    "answer-type boost": {"answer_type_boost": 0.0},
    "topic boost": {"topic_boost": 0.0},
    "meta boost (speaker, year)": {"meta_boost": 0.0},
    "stance boost (both parts)": {"stance_boost": 0.0, "stance_share_boost": 0.0},
    "stance share (sentence level)": {"stance_share_boost": 0.0},
    "coverage boost": {"coverage_boost": 0.0},
    "dense weight 0.6 (the default until the eighth pass)": {"hybrid_alpha": 0.6},
    "lead prefers asked stance": {"lead_stance": False},
    "non-prose penalty": {"nonprose_penalty": 0.0},
    "interleaving two delegations": {"interleave": False},
    **{f"abstain: {r}": {"abstain_rules": ",".join(x for x in ALL_RULES.split(",") if x != r)}
       for r in ALL_RULES.split(",")},
}


def _no_followup_speakers(question, history, aliases, speaker_names):
    return []


def _no_elliptical_speaker(question, history, aliases, speaker_names):
    """speakers_of_followup without its first branch: the earlier turn's speakers, always."""
    from qa import conversation as c
    keeps = (not c.delegation_mentions(question, aliases) or c._PRONOUN_SPEAKER.search(question)
             or c._ELLIPSIS.match(question))
    return c.latest_speakers(c.carried_turns(history, aliases), speaker_names) if keeps else []


# Pieces with no setting, switched off by replacing a function of qa.query for the variant.
PATCHES = {
    "follow-up speakers": _no_followup_speakers,
    "elliptical speaker": _no_elliptical_speaker,
}


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").replace("–", "-").replace("—", "-").split())


def measure(dataset, settings, retriever_cls, ask) -> dict:
    from qa.evaluation import evaluate_dataset
    reports, _ = evaluate_dataset(dataset, settings, ["hybrid"], k=10)
    rep = reports[0]
    r = retriever_cls(dataset.index, settings)
    with_ev = [q for q in dataset.questions if q.answerable and q.evidence]
    lead1 = 0
    for q in with_ev:
        a = ask(r, q.question, k=5, method="hybrid", history=q.history)
        lead1 += bool(a.lead) and any(_norm(e) in _norm(a.lead[0].text) for e in q.evidence)
    ab = rep.abstention
    return {"R@5": rep.metrics.get("recall@5"), "MRR@10": rep.metrics.get("mrr@10"),
            "abst-unans": ab["recall"], "abst-ans": ab["rate_on_answerable"],
            "lead@1": lead1 / len(with_ev) if with_ev else None}


def main(argv=None) -> int:
    from qa.settings import Settings, offline_environment
    offline_environment()
    p = argparse.ArgumentParser()
    p.add_argument("sets", nargs="+", type=Path)
    p.add_argument("--corpus")
    p.add_argument("--index")
    p.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    args = p.parse_args(argv)
    from qa.answer import ask
    from qa.embedding import get_embedder
    from qa.evaluation import load_dataset
    from qa.retrieval import Retriever

    settings = Settings.from_env(index_dir=args.index, corpus_dir=args.corpus)
    emb = get_embedder(settings.model)
    emb.encode_query = lru_cache(maxsize=None)(emb.encode_query)
    datasets = [load_dataset(s, settings) for s in args.sets]
    everything = {**VARIANTS, **{name: {} for name in PATCHES}}
    variants = {k: v for k, v in everything.items() if not args.only or k in args.only or k == "all rules on"}
    cols = ["R@5", "MRR@10", "abst-unans", "abst-ans", "lead@1"]
    print("| variant (rule off) | set | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    import qa.query
    original = qa.query.speakers_of_followup
    for name, change in variants.items():
        s = settings.with_(**change)
        qa.query.speakers_of_followup = PATCHES.get(name, original)
        try:
            for ds in datasets:
                m = measure(ds, s, Retriever, ask)
                cells = ["–" if m[c] is None else f"{m[c]:.3f}" for c in cols]
                print(f"| {name} | {ds.name} | " + " | ".join(cells) + " |", flush=True)
        finally:
            qa.query.speakers_of_followup = original
    return 0


if __name__ == "__main__":
    sys.exit(main())
