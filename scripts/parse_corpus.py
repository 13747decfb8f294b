"""Parse every statement of a corpus folder once (no index, no model) and report.

    /usr/bin/time -v python scripts/parse_corpus.py /path/to/ungdc-1946-2024

Prints the files parsed, paragraphs, documents with printed numbers, the files skipped
with their one-line reasons, and the wall time. Streams: memory stays bounded.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.documents import iter_corpus  # noqa: E402


def main() -> None:
    root = Path(sys.argv[1])
    errors: list[str] = []
    start = time.perf_counter()
    files = paragraphs = numbered = 0
    longest = (0, "")
    one_paragraph = huge = 0      # documents the layout rules could not split (one line, no signal)
    for doc in iter_corpus(root, on_error=lambda e: errors.append(str(e))):
        files += 1
        paragraphs += len(doc.paragraphs)
        numbered += bool(doc.numbers)
        longest = max(longest, (max(len(p) for p in doc.paragraphs), doc.source))
        one_paragraph += len(doc.paragraphs) == 1
        huge += max(len(p) for p in doc.paragraphs) > 10_000
        if files % 1000 == 0:
            print(f"{files} files, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    print(f"files parsed: {files}; paragraphs: {paragraphs}; with printed numbers: {numbered}; "
          f"skipped: {len(errors)}; time: {time.perf_counter() - start:.1f} s")
    print(f"longest paragraph: {longest[0]} chars ({longest[1]}); documents of one paragraph: {one_paragraph}; "
          f"with a paragraph over 10,000 chars: {huge}")
    for e in errors:
        print("skipped:", e)


if __name__ == "__main__":
    main()
