"""Paragraph statistics of the statement parser over a sample of a corpus, per era.

    python scripts/parse_stats.py /path/to/ungdc-1946-2024 [--per-year 20] [--years 1946,1970,...]

For each year: the layout the parser chose (count per layout), and the medians of paragraphs
per file, paragraph length (characters) and the share of files with printed paragraph numbers.
Parse only (no index, no model). A fixed seed makes the sample repeatable.
"""
import argparse
import random
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.documents import _normalise, layout, load_document, read_text  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--per-year", type=int, default=20)
    ap.add_argument("--years", default="1946,1960,1970,1980,1985,1990,1995,2000,2005,2010,2015,2020,2024")
    args = ap.parse_args()
    rng = random.Random(13)
    print("| year | files | layouts | paragraphs per file (median) | paragraph chars (median) | numbered files |")
    print("| --- | --- | --- | --- | --- | --- |")
    for year in args.years.split(","):
        files = sorted(args.corpus.glob(f"*{year}/*.txt"))
        sample = rng.sample(files, min(args.per_year, len(files)))
        counts, lengths, kinds, numbered = [], [], Counter(), 0
        for f in sample:
            doc = load_document(f)
            kinds[layout(_normalise(read_text(f)))] += 1
            counts.append(len(doc.paragraphs))
            lengths.extend(len(p) for p in doc.paragraphs)
            numbered += bool(doc.numbers)
        print(f"| {year} | {len(sample)} | {', '.join(f'{k} {n}' for k, n in kinds.most_common())} | "
              f"{statistics.median(counts):.0f} | {statistics.median(lengths):.0f} | {numbered} |")


if __name__ == "__main__":
    main()
