"""How often the answer's lead quotes the evidence: a check of lead sentences, not of ranking.

    python scripts/lead_quality.py eval/osce-dev.jsonl [--index DIR] [--corpus DIR] [--json]

For every answerable question with an "evidence" field, runs `ask` (hybrid, as the app
does) and counts: lead@1 = the first lead sentence contains an evidence string; lead@2 =
one of the (up to two) lead sentences does; and the median wall time of `ask`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


def main(argv=None) -> int:
    import qa.settings as qs
    getattr(qs, "offline_environment", lambda: None)()
    p = argparse.ArgumentParser()
    p.add_argument("dataset", type=Path)
    p.add_argument("--index")
    p.add_argument("--corpus")
    p.add_argument("--show", action="store_true", help="print the questions whose lead misses")
    args = p.parse_args(argv)
    from qa.answer import ask
    from qa.index import load_current
    from qa.retrieval import Retriever

    settings = qs.Settings.from_env(index_dir=args.index, corpus_dir=args.corpus)
    retriever = Retriever(load_current(settings), settings)
    rows = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answerable", True) and r.get("evidence")]
    at1 = at2 = answered = 0
    times = []
    for r in rows:
        t0 = time.perf_counter()
        a = ask(retriever, r["question"], k=5, method="hybrid", history=r.get("history"))
        times.append((time.perf_counter() - t0) * 1000)
        ev = [_norm(e) for e in r["evidence"]]
        lead = [_norm(s.text) for s in a.lead]
        if lead:
            answered += 1
        hit1 = bool(lead) and any(e in lead[0] for e in ev)
        hit2 = any(e in s for s in lead[:2] for e in ev)
        at1 += hit1
        at2 += hit2
        if args.show and not hit1:
            print(f"MISS {r['id']}: {r['question']}\n   lead: {lead[:1]}\n   want: {r['evidence']}")
    n = len(rows)
    print(f"{args.dataset.name}: {n} questions with evidence; lead@1 {at1 / n:.3f}  lead@2 {at2 / n:.3f}  "
          f"(answered {answered}); ask median {statistics.median(times):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
