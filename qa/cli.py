"""`qa`: the command line. A thin layer over the library; errors are one line."""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

from .settings import Settings


class UserError(Exception):
    """An error to print as one line (exit status 1)."""


def _settings(args) -> Settings:
    return Settings.from_env(index_dir=getattr(args, "index", None), corpus_dir=getattr(args, "corpus", None))


def check_paths(args) -> None:
    """The index and corpus folders the command will use are folders (or do not exist
    yet), checked before anything heavy loads. Names the flag or variable that set them."""
    import os

    settings = _settings(args)
    for key, flag, what in (("index_dir", "index", "an index folder"), ("corpus_dir", "corpus", "a corpus folder")):
        path = getattr(settings, key)
        name = f"--{flag}" if getattr(args, flag, None) else (
            f"QA_{key.upper()}" if os.environ.get(f"QA_{key.upper()}") else key)
        if path.exists() and not path.is_dir():
            raise UserError(f"{name} {path}: is a file, not {what}")
        if flag == "corpus" and getattr(args, flag, None) and not path.exists():
            raise UserError(f"{name} {path}: no such folder")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _load_index(args):
    from .index import load_current
    return load_current(_settings(args), rebuild=not getattr(args, "no_rebuild", False), log=_log)


def cmd_index(args) -> int:
    from .index import update_index
    settings = _settings(args)
    encoder = None
    if args.ray is not None:
        from .distributed import RayEncoder
        encoder = RayEncoder(args.ray or None, settings)
    try:
        index, stats = update_index(settings, progress=sys.stderr.isatty() or args.progress, log=_log,
                                    strict=args.strict, encoder=encoder)
    finally:
        if encoder is not None:
            encoder.close()
    if stats.up_to_date:
        print(f"Index up to date: {stats.documents} statements, {stats.chunks} passages, embedded 0 "
              f"({settings.index_dir})")
    else:
        print(f"Indexed {stats.documents} statements, {stats.chunks} passages: embedded {stats.embedded}, "
              f"reused {stats.reused} ({stats.seconds:.1f} s) -> {settings.index_dir}")
    if stats.skipped:
        if stats.up_to_date:      # the build that skipped them reported them; say it again
            for reason in stats.skipped:
                _log(f"skipped when the index was built: {reason}")
        _log(f"indexed {stats.documents} statements, skipped {len(stats.skipped)} "
             f"file{'s' if len(stats.skipped) != 1 else ''}: see above")
    return 0


def filters_from_args(args):
    """--delegation/--since/--until/--doc through the parser the API and the chat share."""
    from .filters import parse_filters
    return parse_filters(args.delegation, args.since, args.until, args.doc, prefix="--")


def cmd_ask(args) -> int:
    from .answer import ask, no_answer_message, to_json
    from .retrieval import Retriever

    from .filters import unknown_filter_values

    from .limits import check_question

    settings = _settings(args)
    question = check_question(args.question, settings)   # the caps and bad dates fail before anything loads
    filters = filters_from_args(args)
    index = _load_index(args)
    unknown = unknown_filter_values(filters, index)
    if unknown:
        raise UserError(unknown)
    retriever = Retriever(index, settings)
    answer = ask(retriever, question, k=args.k, filters=filters, method=args.retriever)
    if args.json:
        print(json.dumps(to_json(answer), ensure_ascii=False, indent=2))
        return 0
    r = answer.result
    if r.query.strip() != args.question.strip():
        print(f"searched for: {r.query}")
    if r.abstained:
        print(no_answer_message(question) + f" ({r.reason})")
        return 0
    if not r.hits:
        print("No passages match these filters.")
        return 0
    for s in answer.lead:
        print(f"“{s.text}” [{s.citation}]")
    print()
    for rank, h in enumerate(r.hits, 1):
        meta = " · ".join(x for x in (h.doc.delegation, h.doc.date) if x)
        print(f"{rank}. {h.citation}  ({meta})  score {h.score:.3f}")
        print(textwrap.indent(textwrap.fill(h.chunk.text, 96), "   "))
        print()
    return 0


# A citation as `qa ask` prints it: "PC.DEL/64/21 ¶3", "PC.DEL/64/21 ¶5–6".
_CITATION = re.compile(r"(?P<doc>.+?)\s*¶\s*(?P<span>.*)")


def _paragraph_span(value: str) -> tuple[int, int]:
    """'3', '¶3', '5-6' or '5–6' -> (first, last)."""
    m = re.fullmatch(r"\s*¶?\s*(\d{1,6})(?:\s*[–-]\s*(\d{1,6}))?\s*", value)
    if not m or int(m.group(2) or m.group(1)) < int(m.group(1)):
        raise argparse.ArgumentTypeError(f"{value!r} is not a paragraph number: give e.g. 3 or 5-6")
    return int(m.group(1)), int(m.group(2) or m.group(1))


def show_target(doc_arg: str, paragraph: tuple[int, int] | None) -> tuple[str, tuple[int, int] | None]:
    """The document id and paragraph span of `qa show`, accepting a citation as printed."""
    m = _CITATION.fullmatch(doc_arg.strip())
    if not m:
        return doc_arg.strip(), paragraph
    if paragraph is not None:
        raise UserError(f"{doc_arg!r} already names a paragraph; drop the extra {paragraph[0]}")
    try:
        return m.group("doc"), _paragraph_span(m.group("span"))
    except argparse.ArgumentTypeError as e:
        raise UserError(str(e)) from None


def cmd_show(args) -> int:
    from .filters import Filters, unknown_filter_values

    doc_id, span = show_target(args.doc_id, args.paragraph)
    index = _load_index(args)
    try:
        doc = index.document(doc_id)
    except KeyError:
        raise UserError(unknown_filter_values(Filters(docs=[doc_id]), index)) from None
    if span is not None:
        lo, hi = span
        for label in sorted({lo, hi}):
            if not doc.has_paragraph(label):
                raise UserError(f"{doc.id} has paragraphs {doc.label_range()}; there is no ¶{label}")
        labels = [n for n in doc.labels() if lo <= n <= hi]
        if len(labels) == 1:
            print(f"{doc.id} ¶{lo}\n")
            print(textwrap.fill(doc.paragraph(lo), 100))
            return 0
        print(f"{doc.id} ¶{lo}–{hi}\n")
        for n in labels:
            print(textwrap.fill(doc.paragraph(n), 100, initial_indent=f"¶{n:<3} ", subsequent_indent="     "))
            print()
        return 0
    print(doc.id)
    for key in ("delegation", "speaker", "meeting", "date", "title", "language", "source"):
        if getattr(doc, key):
            print(f"{key:>10}: {getattr(doc, key)}")
    if doc.aligned:
        print(f"{'aligned':>10}: {', '.join(doc.aligned)}")
    print()
    for i, p in zip(doc.labels(), doc.paragraphs):
        print(textwrap.fill(p, 100, initial_indent=f"¶{i:<3} ", subsequent_indent="     "))
        print()
    # kept out of the numbering (the alignment clause, footnotes), but never dropped
    for note in doc.notes:
        print(textwrap.fill(note, 100, initial_indent="note ", subsequent_indent="     "))
    return 0


def cmd_docs(args) -> int:
    index = _load_index(args)
    if args.json:
        rows = [{**{k: v for k, v in d.to_dict().items() if k != "paragraphs"}, "paragraphs": len(d.paragraphs)}
                for d in index.documents]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for d in sorted(index.documents, key=lambda d: (d.date or "", d.id)):
        print(f"{d.id:<40} {d.date or '?':<10}  {d.delegation or '?':<20} {len(d.paragraphs):>3} ¶  {d.title or ''}")
    return 0


def cmd_eval(args) -> int:
    from .evaluation import run_eval_command
    return run_eval_command(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Ask questions of OSCE statements; get cited passages.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--index", type=Path, help="index folder (default: index/ or $QA_INDEX_DIR)")
        sp.add_argument("--corpus", type=Path, help="corpus folder the index reflects (default: corpus/ or "
                                                    "$QA_CORPUS_DIR); a stale index is rebuilt from it")

    sp = sub.add_parser("index", help="build or update the index from the corpus")
    common(sp)
    sp.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    sp.add_argument("--strict", action="store_true",
                    help="fail (exit 1, index untouched) on any file that cannot be read, instead of skipping it")
    sp.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                    help="embed on a Ray cluster at ADDRESS (ray://host:10001 or auto); "
                         "without ADDRESS, a local Ray instance (needs the `ray` extra)")
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("ask", help="ranked passages answering a question, with citations")
    sp.add_argument("question")
    sp.add_argument("-k", type=_positive_int, default=5, help="number of passages (default 5, at most 100)")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.add_argument("--retriever", choices=["dense", "bm25", "hybrid"], help="default: hybrid")
    sp.add_argument("--delegation", action="append", help="only statements by this delegation (repeatable)")
    sp.add_argument("--since", help="only statements dated on or after YYYY[-MM[-DD]]")
    sp.add_argument("--until", help="only statements dated on or before YYYY[-MM[-DD]] (2021 = to 31 Dec 2021)")
    sp.add_argument("--doc", action="append", help="only this statement id (repeatable)")
    sp.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")
    common(sp)
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("show", help="a statement with numbered paragraphs, or one paragraph")
    sp.add_argument("doc_id", help='a statement id, or a citation as printed: "PC.DEL/64/21 ¶3"')
    sp.add_argument("paragraph", nargs="?", type=_paragraph_span, help="a paragraph number or range (3, 5-6)")
    common(sp)
    sp.set_defaults(func=cmd_show)

    sp = sub.add_parser("docs", help="the indexed statements")
    sp.add_argument("--json", action="store_true")
    common(sp)
    sp.set_defaults(func=cmd_docs)

    sp = sub.add_parser("eval", help="retrieval evaluation on a question set (JSONL) or a BEIR folder")
    sp.add_argument("dataset", type=Path)
    sp.add_argument("--retriever", default=None, help="one or more of dense,bm25,hybrid (comma-separated)")
    sp.add_argument("-k", type=int, default=10)
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--failures", type=int, default=0, metavar="N", help="print the N worst questions")
    sp.add_argument("--lowercase", action="store_true",
                    help="ask every question (and history turn) typed without capitals")
    sp.add_argument("--misspelt-names", action="store_true",
                    help="ask every question with each delegation name of 7+ letters one letter short")
    common(sp)
    sp.set_defaults(func=cmd_eval)

    # handled in main() before parsing (its options are qa/bench.py's own); listed here for --help
    sub.add_parser("bench", add_help=False, help="scale benchmark: build 10k/100k/1M-passage indexes, time ask "
                                                 "(`qa bench --help`; docs/scale.md)")
    return p


def _positive_int(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= k <= 100:
        raise argparse.ArgumentTypeError(f"{k} is out of range: give 1 to 100")
    return k


def main(argv: list[str] | None = None) -> int:
    from .documents import CorpusError
    from .embedding import ModelError
    from .index import IndexError_

    from .settings import offline_environment

    offline_environment()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from .bench import main as bench_main
        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        check_paths(args)
        return args.func(args)
    except (UserError, CorpusError, IndexError_, ModelError, ValueError, FileNotFoundError) as e:
        print(f"qa: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
