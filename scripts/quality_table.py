"""Rewrite the README's quality table from the committed `qa eval --json` outputs.

    python scripts/quality_table.py            # reads docs/results/*.json, rewrites README.md
    python scripts/quality_table.py --check    # exit 1 if README.md is not what the results say

`make quality` runs every question set with `qa eval --json` into docs/results/ and then this
script, so the figures in the README are always the measured ones, never copied by hand.
The table sits between the markers `<!-- quality:start -->` and `<!-- quality:end -->`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"
README = ROOT / "README.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"

# (file stem in docs/results, label in the table), in the order shown
SETS = [
    ("mixed-dev", "seeds + distractors, dev"), ("mixed-test", "seeds + distractors, **test**"),
    ("chat-dev", "chat sequences, dev"), ("chat-test", "chat sequences, **test**"),
    ("stance-dev", "stance questions, dev"), ("stance-test", "stance questions, **test**"),
    ("un-dev", "UN General Debate 2015, dev"), ("un-test", "UN General Debate 2015, **test**"),
    ("fresh-test", "fresh questions, seeds + distractors (test only)"),
    ("mixed2-dev", "second batch (seventh pass), seeds + distractors, dev"),
    ("mixed2-test", "second batch, seeds + distractors, **test**"),
    ("chat2-dev", "second batch, chat sequences, dev"), ("chat2-test", "second batch, chat sequences, **test**"),
    ("un2-dev", "second batch, UN 2015 (13 other speeches), dev"),
    ("un2-test", "second batch, UN 2015 (13 other speeches), **test**"),
    ("mixed3-dev", "third batch (eighth pass), seeds + distractors, dev"),
    ("mixed3-test", "third batch, seeds + distractors, **test**"),
    ("chat3-dev", "third batch, chat sequences, dev"), ("chat3-test", "third batch, chat sequences, **test**"),
    ("un3-dev", "third batch, UN 2015 (15 other speeches), dev"),
    ("un3-test", "third batch, UN 2015 (15 other speeches), **test**"),
    ("mixed4-dev", "fourth batch (ninth pass), seeds + distractors, dev"),
    ("mixed4-test", "fourth batch, seeds + distractors, **test**"),
    ("chat4-dev", "fourth batch, chat sequences, dev"), ("chat4-test", "fourth batch, chat sequences, **test**"),
    ("un4-dev", "fourth batch, UN 2015 (15 other speeches), dev"),
    ("un4-test", "fourth batch, UN 2015 (15 other speeches), **test**"),
    ("mixed5-dev", "fifth batch (ninth pass), answerable/unanswerable twins, dev"),
    ("mixed5-test", "fifth batch, answerable/unanswerable twins, **test**"),
    ("chat5-dev", "fifth batch, chat sequences, dev"), ("chat5-test", "fifth batch, chat sequences, **test**"),
    ("chat6-dev", "sixth batch (end of ninth pass), chat sequences, answerable only, dev"),
    ("chat6-test", "sixth batch, chat sequences, answerable only, **test**"),
    ("stance2-dev", "stance questions, second batch (end of ninth pass), dev"),
    ("stance2-test", "stance questions, second batch, **test**"),
    ("mixed6-dev", "seventh batch (tenth pass), seeds + distractors, dev"),
    ("mixed6-test", "seventh batch, seeds + distractors, **test**"),
    ("chat9-dev", "seventh batch, chat sequences, dev"), ("chat9-test", "seventh batch, chat sequences, **test**"),
    ("un5-dev", "seventh batch, UN 2015 (15 other speeches), dev"),
    ("un5-test", "seventh batch, UN 2015 (15 other speeches), **test**"),
    ("chat10-dev", "tenth pass, chat sequences against history-caused refusals, dev"),
    ("chat10-test", "tenth pass, chat sequences against history-caused refusals, **test**"),
    ("chat11-dev", "tenth pass, follow-ups naming no one (same statement, another, none), dev"),
    ("chat11-test", "tenth pass, follow-ups naming no one (same statement, another, none), **test**"),
    ("chat12-dev", "eleventh pass, follow-ups turning to another speaker or elliptical, dev"),
    ("chat12-test", "eleventh pass, follow-ups turning to another speaker or elliptical, **test**"),
    ("chat13-dev", "eleventh pass, written after its first changes: follow-ups naming another speaker or none, dev"),
    ("chat13-test", "eleventh pass, written after its first changes: follow-ups naming another speaker or none, **test**"),
    ("mixed7-dev", "eleventh pass, seeds + distractors, one-shot questions written near its end, dev"),
    ("mixed7-test", "eleventh pass, seeds + distractors, one-shot questions written near its end, **test**"),
    ("chat14-dev", "eleventh pass, chats (standalone, follow-ups, two or three turns back) written near its end, dev"),
    ("chat14-test", "eleventh pass, chats (standalone, follow-ups, two or three turns back) written near its end, **test**"),
    ("mixed8-dev", "twelfth pass, seeds + distractors, one-shot questions written at its start, dev"),
    ("mixed8-test", "twelfth pass, seeds + distractors, one-shot questions written at its start, **test**"),
    ("chat15-dev", "twelfth pass, chats (standalone, turning to another speaker, follow-ups) written at its start, dev"),
    ("chat15-test", "twelfth pass, chats (standalone, turning to another speaker, follow-ups) written at its start, **test**"),
    ("mixed9-dev", "twelfth pass, seeds + distractors, one-shot questions written at its end, dev"),
    ("mixed9-test", "twelfth pass, seeds + distractors, one-shot questions written at its end, **test**"),
    ("chat16-dev", "twelfth pass, chats written at its end, dev"),
    ("chat16-test", "twelfth pass, chats written at its end, **test**"),
    ("mixed10-dev", "thirteenth pass, seeds + distractors, one-shot questions written at its start, dev"),
    ("mixed10-test", "thirteenth pass, seeds + distractors, one-shot questions written at its start, **test**"),
    ("chat17-dev", "thirteenth pass, chats written at its start, dev"),
    ("chat17-test", "thirteenth pass, chats written at its start, **test**"),
    ("mixed11-dev", "thirteenth pass, seeds + distractors, one-shot questions written at its end, dev"),
    ("mixed11-test", "thirteenth pass, seeds + distractors, one-shot questions written at its end, **test**"),
    ("chat18-dev", "thirteenth pass, chats written at its end, dev"),
    ("chat18-test", "thirteenth pass, chats written at its end, **test**"),
    ("mixed12-dev", "fourteenth pass, seeds + distractors, one-shot questions written at its start, dev"),
    ("mixed12-test", "fourteenth pass, seeds + distractors, one-shot questions written at its start, **test**"),
    ("chat19-dev", "fourteenth pass, chats written at its start, dev"),
    ("chat19-test", "fourteenth pass, chats written at its start, **test**"),
    ("mixed13-dev", "fourteenth pass, seeds + distractors, one-shot questions written at its end, dev"),
    ("mixed13-test", "fourteenth pass, seeds + distractors, one-shot questions written at its end, **test**"),
    ("chat20-dev", "fourteenth pass, chats written at its end, dev"),
    ("chat20-test", "fourteenth pass, chats written at its end, **test**"),
    ("un6-dev", "tenth pass, UN 2015 (15 more speeches), mostly who-said, dev"),
    ("un6-test", "tenth pass, UN 2015 (15 more speeches), mostly who-said, **test**"),
    ("un7-dev", "eleventh pass, UN 2015 (15 more speeches), written at its end, dev"),
    ("un7-test", "eleventh pass, UN 2015 (15 more speeches), written at its end, **test**"),
    ("un8-dev", "twelfth pass, UN 2015 (15 more speeches), written at its start, dev"),
    ("un8-test", "twelfth pass, UN 2015 (15 more speeches), written at its start, **test**"),
    ("un9-dev", "twelfth pass, UN 2015 (15 more speeches), written at its end, dev"),
    ("un9-test", "twelfth pass, UN 2015 (15 more speeches), written at its end, **test**"),
    ("un10-dev", "thirteenth pass, UN 2015 (7 unused and 8 least-used speeches), written at its start, dev"),
    ("un10-test", "thirteenth pass, UN 2015 (7 unused and 8 least-used speeches), written at its start, **test**"),
    ("un11-dev", "thirteenth pass, UN 2015 (15 more least-used speeches), written at its end, dev"),
    ("un11-test", "thirteenth pass, UN 2015 (15 more least-used speeches), written at its end, **test**"),
    ("un12-dev", "fourteenth pass, UN 2015 (15 speeches no set drew on), written at its start, dev"),
    ("un12-test", "fourteenth pass, UN 2015 (15 speeches no set drew on), written at its start, **test**"),
    ("un13-dev", "fourteenth pass, UN 2015 (the last 15 speeches no set drew on), written at its end, dev"),
    ("un13-test", "fourteenth pass, UN 2015 (the last 15 speeches no set drew on), written at its end, **test**"),
    ("chat7-dev", "chat sequences against history-caused refusals, answerable only (dev only)"),
    ("chat8-dev", "harder chat sessions against history-caused refusals, answerable only (dev only)"),
    ("rules-un-test", "the eighth pass's rules, UN 2015 (test only)"),
    ("rules-mixed-test", "the eighth pass's rules, seeds + distractors (test only)"),
    ("rules9-un-test", "the ninth pass's rules, UN 2015 (test only)"),
    ("rules9-mixed-test", "the ninth pass's rules, seeds + distractors and chats (test only)"),
    ("regions-un-test", "speakers described by region, UN 2015 (test only)"),
    ("unanswerable-dev", "unanswerable questions + answerable controls, seeds + distractors (dev only)"),
    ("osce-dev", "OSCE dev (tuned on, 2 passes)"), ("osce-heldout", "OSCE held-out"),
    ("scifact", "SciFact (BEIR), nDCG@10"),
]


def _f(x, digits=3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def row(label: str, result: dict) -> str:
    hy = result["retrievers"].get("hybrid")
    if hy is None:
        return f"| {label} | (no hybrid run) | | | | |"
    m, ab, lat = hy["metrics"], hy["abstention"], hy["latency"]
    k = result.get("k", 10)
    head = _f(m.get(f"ndcg@{k}")) if result["dataset"]["kind"] == "beir" else _f(m.get(f"mrr@{k}"))
    una = (f"{ab['abstained_unanswerable']} of {ab['unanswerable']}" if ab.get("unanswerable") else "–")
    n_ans = result["dataset"]["answerable"]
    wrong = ab.get("rate_on_answerable")
    wrong = "–" if wrong is None else f"{round(wrong * n_ans)} of {n_ans}"
    return (f"| {label} | {result['dataset']['questions']} | {_f(m.get('recall@5'))} | {head} | "
            f"{una} / {wrong} | {_f(lat.get('median_ms'), 0)} ms |")


def table() -> str:
    lines = ["| set (hybrid, the default) | questions | Recall@5 | MRR@10 | abstained: unanswerable / answerable "
             "| median latency |", "| --- | --- | --- | --- | --- | --- |"]
    for stem, label in SETS:
        path = RESULTS / f"{stem}.json"
        if path.exists():
            lines.append(row(label, json.loads(path.read_text(encoding="utf-8"))))
    measured = sorted(p.stem for p in RESULTS.glob("*.json"))
    lines.append("")
    lines.append(f"Generated by `scripts/quality_table.py` from `docs/results/*.json` ({', '.join(measured)}), "
                 "the `qa eval --json` output of `make quality`.")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="fail if README.md differs from the results")
    args = p.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        print(f"{README}: no {START} … {END} markers", file=sys.stderr)
        return 1
    new = pattern.sub(lambda _: f"{START}\n{table()}\n{END}", text)
    if args.check:
        if new != text:
            print("README.md's quality table is not what docs/results say: run scripts/quality_table.py",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
