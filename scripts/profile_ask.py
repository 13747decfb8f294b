"""Profile `ask` (hybrid, abstention and leads on) on an index: the top functions by own time.

    python scripts/profile_ask.py [--index DIR] [--corpus DIR] [--top 10] [--repeat 20] [QUESTION ...]

Warm-up first (model load, index load, per-index signals), then cProfile over the
questions, each asked `--repeat` times. Prints the median wall time per ask too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "What did the EU criticise about the 2021 parliamentary elections?",
    "Which observers did Russia say found that the 2021 vote was fair?",
    "How many foreign observers watched the presidential vote in 2022?",
    "What did the United States say about media freedom in 2016?",
    "Who is Tokayev?",
]


def main(argv=None) -> int:
    from qa.settings import Settings, offline_environment
    offline_environment()
    p = argparse.ArgumentParser()
    p.add_argument("questions", nargs="*")
    p.add_argument("--index")
    p.add_argument("--corpus")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args(argv)
    from qa.answer import ask
    from qa.index import load_current
    from qa.retrieval import Retriever

    settings = Settings.from_env(index_dir=args.index, corpus_dir=args.corpus)
    index = load_current(settings)
    retriever = Retriever(index, settings)
    questions = args.questions or QUESTIONS
    for q in questions:          # warm-up: lazy loads, caches of the first question
        ask(retriever, q + " warm-up", method="hybrid")
    times = []
    prof = cProfile.Profile()
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            prof.enable()
            ask(retriever, q, method="hybrid")
            prof.disable()
            times.append((time.perf_counter() - t0) * 1000)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
    stats.print_stats(args.top)
    print(f"{len(times)} asks, median {statistics.median(times):.1f} ms, "
          f"p95 {sorted(times)[int(0.95 * len(times)) - 1]:.1f} ms (profiler on)")
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    print("\n".join(lines[start:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
