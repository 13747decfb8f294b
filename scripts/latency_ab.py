"""Query latency of the default settings against other settings, on one question set.

    python scripts/latency_ab.py eval/un-dev.jsonl --corpus index/un-2015/corpus --index index/un-2015/index \
        hybrid_alpha=0.5 coverage_boost=0 stance_boost=0.2 stance_share_boost=0

Both retrievers share the index and the query encoder and are timed alternately over the
same questions (one warm-up pass, then --runs passes), so load on the machine hits both
alike. Prints the median and p95 of `Retriever.search` per question for each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from qa.settings import Settings, offline_environment
    offline_environment()
    import numpy as np

    from qa.evaluation import load_dataset
    from qa.retrieval import Retriever

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("other", nargs="+", help="SETTING=value: the settings compared with the defaults")
    args = ap.parse_args()
    base = Settings.from_env().with_(corpus_dir=args.corpus, index_dir=args.index)
    changes = {}
    for spec in args.other:
        name, _, value = spec.partition("=")
        if not hasattr(base, name):
            ap.error(f"{spec!r}: not a setting of qa/settings.py")
        changes[name] = type(getattr(base, name))(value)
    dataset = load_dataset(args.questions, base, log=lambda *a, **k: None)
    default = Retriever(dataset.index, base)
    runs = {"default": default, "other": Retriever(dataset.index, base.with_(**changes), embedder=default.embedder)}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for n in range(args.runs + 1):
        for name, r in runs.items():
            for q in dataset.questions:
                t = time.perf_counter()
                r.search(q.question, k=5, history=q.history)
                if n:   # the first pass warms caches
                    times[name].append((time.perf_counter() - t) * 1000)
    for name, ms in times.items():
        label = "defaults" if name == "default" else " ".join(args.other)
        print(f"{args.questions.name}: {label}: median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms "
              f"({len(ms)} searches)")


if __name__ == "__main__":
    main()
