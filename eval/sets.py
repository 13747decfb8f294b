"""Tools for the hand-written question sets in eval/ (no retrieval is run here).

  python eval/sets.py check SET.jsonl --corpus DIR
      Parse the corpus and, for every evidence string, list the paragraphs that contain
      it. Warns when an evidence string occurs nowhere, occurs in a paragraph its
      question does not list under `relevant` (when it lists any), occurs in more than one
      document (when it lists none: the evidence alone must single out its speech), or
      when a `relevant` paragraph contains none of the question's evidence strings.

  python eval/sets.py split ALL.jsonl --out eval/NAME [--seed 13]
      Shuffle the questions with a fixed seed and write the first half to
      eval/NAME-dev.jsonl and the rest to eval/NAME-test.jsonl, answerable and
      unanswerable questions shuffled separately so that both halves get the same share
      of each. The unsplit file is a working copy and is not kept in the repository.

The sets are written by reading the statements (`qa show ID`), never by looking at what
retrieval returns; `check` only reads the parsed paragraphs.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.documents import iter_corpus  # noqa: E402
from qa.evaluation import normalize  # noqa: E402


def read_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(path: Path, corpus: Path) -> int:
    paragraphs = []  # (doc id, label, normalised text)
    for doc in iter_corpus(corpus, on_error=lambda e: print(f"skipped: {e}", file=sys.stderr)):
        for label in doc.labels():
            paragraphs.append((doc.id, label, normalize(doc.paragraph(label))))
    problems = 0
    questions = read_set(path)
    ids = [q["id"] for q in questions]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        print(f"{dup}: duplicate id")
        problems += 1
    for q in questions:
        listed = {(r["doc"].casefold(), r["paragraph"]) for r in q.get("relevant", [])}
        found = set()
        for ev in q.get("evidence", []):
            if len(ev.split()) < 6:
                print(f"{q['id']}: evidence shorter than 6 words: {ev!r}")
                problems += 1
            hits = {(d, p) for d, p, text in paragraphs if normalize(ev) in text}
            if not hits:
                print(f"{q['id']}: evidence occurs in no paragraph: {ev!r}")
                problems += 1
            docs = sorted({d for d, _ in hits})
            if not listed and len(docs) > 1:
                print(f"{q['id']}: evidence {ev!r} occurs in {len(docs)} documents: {', '.join(docs[:5])}")
                problems += 1
            for d, p in sorted(hits):
                if listed and (d.casefold(), p) not in listed:
                    print(f"{q['id']}: evidence {ev!r} also occurs in {d} ¶{p}, not listed")
                    problems += 1
            found |= {(d.casefold(), p) for d, p in hits}
        for d, p in sorted(listed - found):
            if q.get("evidence"):
                print(f"{q['id']}: relevant {d} ¶{p} contains none of its evidence strings")
                problems += 1
        if q.get("answerable", True) and not q.get("evidence") and not listed:
            print(f"{q['id']}: answerable but has neither evidence nor relevant")
            problems += 1
        if not q.get("answerable", True) and (q.get("evidence") or listed):
            print(f"{q['id']}: unanswerable but has evidence/relevant")
            problems += 1
    answerable = sum(q.get("answerable", True) for q in questions)
    print(f"{path}: {len(questions)} questions ({answerable} answerable, "
          f"{len(questions) - answerable} unanswerable), {problems} problem(s)")
    return 1 if problems else 0


def split(path: Path, out_stem: Path, seed: int) -> None:
    questions = read_set(path)
    rng = random.Random(seed)
    dev, test = [], []
    for answerable in (True, False):
        group = [q for q in questions if q.get("answerable", True) == answerable]
        rng.shuffle(group)
        half = (len(group) + 1) // 2
        dev += group[:half]
        test += group[half:]
    order = {q["id"]: i for i, q in enumerate(questions)}
    for suffix, part in (("dev", dev), ("test", test)):
        part.sort(key=lambda q: order[q["id"]])
        out = out_stem.with_name(f"{out_stem.name}-{suffix}.jsonl")
        out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in part), encoding="utf-8")
        n = sum(q.get("answerable", True) for q in part)
        print(f"{out}: {len(part)} questions ({n} answerable, {len(part) - n} unanswerable)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("set", type=Path)
    c.add_argument("--corpus", type=Path, required=True)
    s = sub.add_parser("split")
    s.add_argument("set", type=Path)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    if args.cmd == "check":
        return check(args.set, args.corpus)
    split(args.set, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
