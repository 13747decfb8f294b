"""Query latency of two checkouts of this repository on one question set: the code of a
change against the code before it (`git worktree add /tmp/before <commit>`), where
`scripts/latency_ab.py` compares settings within one checkout.

    python scripts/latency_trees.py /tmp/before . eval/chat-test.jsonl \
        --corpus index/mixed-corpus --index index/mixed --rounds 2

Each round times each tree in its own process (one warm-up pass, then three timed passes of
`Retriever.search` per question; follow-ups, as the tree reads them, also on their own), the
trees alternating so that load on the machine hits
both alike. Paths are resolved before the trees are entered, so both read the same set,
corpus and index.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

_TIMER = r"""
import os, sys, time
tree, path, corpus, index = sys.argv[1:5]
os.chdir(tree); sys.path.insert(0, tree)
from qa.settings import Settings, offline_environment
offline_environment()
import numpy as np
from qa.evaluation import load_dataset
from qa.retrieval import Retriever
settings = Settings.from_env().with_(corpus_dir=corpus, index_dir=index)
data = load_dataset(path, settings, log=lambda *a: None)
r = Retriever(data.index, settings)
followup = {q.id: r.search(q.question, k=5, history=q.history).understood.followup for q in data.questions}
ms = {True: [], False: []}
for _ in range(3):
    for q in data.questions:
        t = time.perf_counter()
        r.search(q.question, k=5, history=q.history)
        ms[followup[q.id]].append((time.perf_counter() - t) * 1000)
every = ms[True] + ms[False]
line = f"median {np.median(every):.2f} ms, p95 {np.percentile(every, 95):.2f} ms ({len(every)} searches)"
if ms[True] and ms[False]:   # a follow-up encodes two texts: its own figures
    line += "; " + ", ".join(f"{name} median {np.median(ms[f]):.2f} ms ({len(ms[f])})"
                             for name, f in (("one-shot", False), ("follow-ups", True)))
print(line)
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("set", type=Path)
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--before-index", type=Path,
                   help="the index the before tree reads (default: --index); give it a copy when the parser "
                        "changed in between, or each tree rebuilds the other's index")
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    common = [str(a.set.resolve()), str(a.corpus.resolve())]
    index = {"before": (a.before_index or a.index).resolve(), "after": a.index.resolve()}
    for _ in range(a.rounds):
        for label, tree in (("before", a.before), ("after", a.after)):
            out = subprocess.run([sys.executable, "-c", _TIMER, str(tree.resolve()), *common, str(index[label])],
                                 capture_output=True, text=True, check=True).stdout.strip()
            print(f"{a.set.name}: {label} ({tree}): {out}", flush=True)


if __name__ == "__main__":
    main()
