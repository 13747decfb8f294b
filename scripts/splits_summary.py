"""One line per question split: R@5 / MRR@10; unanswerable refused; answerable refused (hybrid).

    python scripts/splits_summary.py                       # this checkout's code
    cd /tmp/before && python /work/main/scripts/splits_summary.py --root /work/main
                                                           # another checkout's code, today's sets
    python scripts/splits_summary.py --speaker-refusals    # the speaker rules' refusals and how
                                                           # close the speaker's own passage came

The code searched is the checkout the script is started from (its working directory); the
question sets, corpora and indexes are `--root`'s, so two checkouts are measured on the same
files. docs/benchmarks.md (tenth pass) has the before/after table this prints.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
from qa.settings import Settings, offline_environment  # noqa: E402

offline_environment()
from qa.evaluation import evaluate_retriever, load_dataset, run_questions  # noqa: E402
from qa.retrieval import Retriever  # noqa: E402

# speaker_topic and speaker_words ("no statement by Malta mentions Poland"), not the year and month rules
SPEAKER_RULE = re.compile(r"^no statement by (?!.* is from or mentions ).* mentions ")


def splits(root: Path) -> list[tuple[str, Path, Path]]:
    mixed = (root / "index/mixed-corpus", root / "index/mixed")
    un = (root / "index/un-2015/corpus", root / "index/un-2015/index")
    out = [(f"{n}-{sp}", *mixed) for n in ("mixed mixed2 mixed3 mixed4 mixed5 mixed6 mixed7 chat chat2 chat3 chat4 chat5 "
                                           "chat6 chat9 chat10 chat11 chat12 chat13 chat14 mixed8 chat15 mixed9 chat16 mixed10 chat17 mixed11 chat18 mixed12 chat19 mixed13 chat20 stance stance2").split() for sp in ("dev", "test")]
    out += [(f"{n}-{sp}", *un) for n in "un un2 un3 un4 un5 un6 un7 un8 un9 un10 un11 un12 un13".split() for sp in ("dev", "test")]
    out += [(n, *mixed) for n in ("chat7-dev", "chat8-dev", "unanswerable-dev", "fresh-test", "rules-mixed-test",
                                  "rules9-mixed-test")]
    out += [(n, *un) for n in ("rules-un-test", "rules9-un-test", "regions-un-test")]
    out += [(n, root / "corpus", root / "index") for n in ("osce-dev", "osce-heldout")]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--speaker-refusals", action="store_true")
    args = ap.parse_args()
    retrievers = {}
    for name, corpus, index in splits(args.root.resolve()):
        settings = Settings.from_env().with_(corpus_dir=corpus, index_dir=index)
        ds = load_dataset(args.root / "eval" / f"{name}.jsonl", settings, log=lambda *a: None)
        r = retrievers.get(index) or retrievers.setdefault(index, Retriever(ds.index, settings))
        if args.speaker_refusals:
            for q in ds.questions:
                res = r.search(q.question, k=5, history=q.history)
                if res.abstained and SPEAKER_RULE.match(res.reason):
                    own = [h.dense for h in res.hits if h.doc.delegation in res.understood.speakers]
                    print(f"{name}:{q.id}\tanswerable={q.answerable}\tspeaker's closest passage "
                          f"{max(own, default=0.0):.2f}\t{res.reason}", flush=True)
            continue
        out = run_questions(ds, r, "hybrid", 10)
        m = evaluate_retriever(ds, out, "hybrid", 10).metrics
        ans = [q for q in ds.questions if q.answerable]
        una = [q for q in ds.questions if not q.answerable]
        print(f"{name}\t{m['recall@5']:.3f} / {m['mrr@10']:.3f}; {sum(out[q.id].abstained for q in una)}/{len(una)}; "
              f"{sum(out[q.id].abstained for q in ans)}/{len(ans)}", flush=True)


if __name__ == "__main__":
    main()
