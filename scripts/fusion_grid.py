"""Grid over retrieval settings, dev and test splits side by side: how `hybrid_alpha`,
`coverage_boost`, `stance_boost` and `stance_share_boost` were chosen (docs/benchmarks.md,
fifth pass).

    python scripts/fusion_grid.py hybrid_alpha=0.4,0.5,0.6,0.7 coverage_boost=0,0.1,0.2 [--scifact DIR]

Every cell runs the real pipeline (`qa.evaluation.run_questions`) with those settings and
the rest at their defaults. A row is one combination: hybrid R@5 / MRR@10 pooled over the
answerable questions of every dev split, then of every test split (micro-averaged, so
each question counts once), then SciFact nDCG@10 on its even and odd halves when --scifact
is given. Rows are sorted by pooled dev MRR: choose from the top row, then read the test
columns once.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIXED = ("index/mixed-corpus", "index/mixed")
UN = ("index/un-2015/corpus", "index/un-2015/index")
# (question set, corpus, index); make quality builds both indexes
_SETS = [(name, *MIXED) for name in ("mixed", "chat", "stance", "mixed2", "chat2", "mixed3", "chat3")] + \
        [(name, *UN) for name in ("un", "un2", "un3")]
DEV = [(f"eval/{name}-dev.jsonl", c, i) for name, c, i in _SETS] + [("eval/osce-dev.jsonl", *MIXED)]
TEST = [(f"eval/{name}-test.jsonl", c, i) for name, c, i in _SETS] + \
       [("eval/osce-heldout.jsonl", *MIXED), ("eval/fresh-test.jsonl", *MIXED)]


def main() -> None:
    from dataclasses import replace

    from qa.settings import Settings, offline_environment
    offline_environment()
    from qa.evaluation import evaluate_retriever, load_dataset, run_questions
    from qa.retrieval import Retriever

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("grid", nargs="+", help="SETTING=v1,v2,... (numeric settings)")
    ap.add_argument("--scifact", type=Path, help="a BEIR folder (../shared/benchmarks/scifact)")
    args = ap.parse_args()
    base = Settings.from_env()
    quiet = lambda *a, **k: None   # noqa: E731

    datasets, retrievers = {}, {}     # question set -> Dataset; index folder -> Retriever
    for path, corpus, index in DEV + TEST:
        s = base.with_(corpus_dir=Path(corpus), index_dir=Path(index))
        datasets[path] = load_dataset(Path(path), s, log=quiet)
        retrievers.setdefault(index, Retriever(datasets[path].index, s))
    halves = []
    if args.scifact:
        sci = load_dataset(args.scifact, base, log=quiet)
        retrievers["scifact"] = Retriever(sci.index, base, embedder=retrievers[MIXED[1]].embedder)
        for half in (0, 1):   # even and odd queries: tune on one, read the other
            qs = sci.questions[half::2]
            halves.append(replace(sci, questions=qs, qrels={q.id: sci.qrels[q.id] for q in qs if q.id in sci.qrels}))

    def metrics(dataset, index, settings) -> dict:
        r = retrievers[index]
        r.settings = r.abstainer.settings = settings      # only fusion weights change: no reload
        out = run_questions(dataset, r, "hybrid", max(10, settings.candidates))
        return evaluate_retriever(dataset, out, "hybrid", 10).metrics

    def pooled(sets, settings) -> tuple[float, float]:
        rec = mrr = n = 0
        for path, _, index in sets:
            m, judged = metrics(datasets[path], index, settings), len(datasets[path].qrels)
            rec, mrr, n = rec + m["recall@5"] * judged, mrr + m["mrr@10"] * judged, n + judged
        return rec / n, mrr / n

    names, values = [], []
    for spec in args.grid:
        name, _, vals = spec.partition("=")
        if not hasattr(base, name) or not vals:
            ap.error(f"{spec!r}: expected SETTING=v1,v2 with a setting of qa/settings.py")
        names.append(name)
        values.append([type(getattr(base, name))(v) for v in vals.split(",")])
    rows = []
    for combo in itertools.product(*values):
        s = base.with_(**dict(zip(names, combo)))
        rows.append([*combo, *pooled(DEV, s), *pooled(TEST, s), *(metrics(h, "scifact", s)["ndcg@10"] for h in halves)])
        print(f"{dict(zip(names, combo))}: done", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: -r[len(names) + 1])
    head = names + ["dev R@5", "dev MRR@10", "test R@5", "test MRR@10"]
    head += ["SciFact even", "SciFact odd"] if halves else []
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for r in rows:
        n = len(names)
        cells = [f"{x:g}" for x in r[:n]] + [f"{x:.3f}" for x in r[n:n + 4]] + [f"{x:.4f}" for x in r[n + 4:]]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
