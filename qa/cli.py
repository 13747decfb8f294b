"""`qa`: the command line. A thin layer over the library; errors are one line."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from .settings import Settings


class UserError(Exception):
    """An error to print as one line (exit status 1)."""


def _settings(args) -> Settings:
    return Settings.from_env(index_dir=getattr(args, "index", None), corpus_dir=getattr(args, "corpus", None))


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _load_index(args):
    from .index import load_current
    return load_current(_settings(args), rebuild=not getattr(args, "no_rebuild", False), log=_log)


def cmd_index(args) -> int:
    from .index import update_index
    settings = _settings(args)
    index, stats = update_index(settings, progress=sys.stderr.isatty() or args.progress, log=_log)
    if stats.up_to_date:
        print(f"Index up to date: {stats.documents} statements, {stats.chunks} passages, embedded 0 "
              f"({settings.index_dir})")
    else:
        print(f"Indexed {stats.documents} statements, {stats.chunks} passages: embedded {stats.embedded}, "
              f"reused {stats.reused} ({stats.seconds:.1f} s) -> {settings.index_dir}")
    return 0


def filters_from_args(args):
    """--delegation/--since/--until/--doc through the parser the API and the chat share."""
    from .filters import parse_filters
    return parse_filters(args.delegation, args.since, args.until, args.doc, prefix="--")


def cmd_ask(args) -> int:
    from .answer import ask, no_answer_message, to_json
    from .retrieval import Retriever

    from .filters import unknown_filter_values

    settings = _settings(args)
    filters = filters_from_args(args)   # bad dates fail here, before anything loads
    index = _load_index(args)
    unknown = unknown_filter_values(filters, index)
    if unknown:
        raise UserError(unknown)
    retriever = Retriever(index, settings)
    answer = ask(retriever, args.question, k=args.k, filters=filters, method=args.retriever)
    if args.json:
        print(json.dumps(to_json(answer), ensure_ascii=False, indent=2))
        return 0
    r = answer.result
    if r.query.strip() != args.question.strip():
        print(f"searched for: {r.query}")
    if r.abstained:
        print(no_answer_message(args.question) + f" ({r.reason})")
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


def cmd_show(args) -> int:
    index = _load_index(args)
    try:
        doc = index.document(args.doc_id)
    except KeyError:
        raise UserError(f"unknown document {args.doc_id!r}; `qa docs` lists the indexed statements") from None
    if args.paragraph is not None:
        if not doc.has_paragraph(args.paragraph):
            raise UserError(f"{doc.id} has paragraphs {doc.label_range()}; there is no ¶{args.paragraph}")
        print(f"{doc.id} ¶{args.paragraph}\n")
        print(textwrap.fill(doc.paragraph(args.paragraph), 100))
        return 0
    print(doc.id)
    for key in ("delegation", "speaker", "meeting", "date", "title", "language", "source"):
        if getattr(doc, key):
            print(f"{key:>10}: {getattr(doc, key)}")
    print()
    for i, p in zip(doc.labels(), doc.paragraphs):
        print(textwrap.fill(p, 100, initial_indent=f"¶{i:<3} ", subsequent_indent="     "))
        print()
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
    sp.add_argument("doc_id")
    sp.add_argument("paragraph", nargs="?", type=int)
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
    common(sp)
    sp.set_defaults(func=cmd_eval)
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
    args = build_parser().parse_args(argv)
    try:
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
