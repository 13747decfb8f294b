"""Serve the chat app: `python app.py [--host 127.0.0.1] [--port 7860]`.

Builds the index first when it is missing or stale, then serves the Gradio UI
at / and the JSON API at /api/ask (see docs/app.md). Binds 127.0.0.1 unless
told otherwise: the app is for the machine it runs on.
"""

from __future__ import annotations

import argparse
import os
import sys

from qa.settings import Settings, offline_environment

offline_environment()   # first: before anything imports gradio or transformers


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default=os.environ.get("QA_HOST", "127.0.0.1"),
                   help="interface to bind (env QA_HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", "7860")),
                   help="port (env QA_PORT; default 7860)")
    p.add_argument("--index-dir", help="index folder (env QA_INDEX_DIR)")
    p.add_argument("--corpus-dir", help="corpus folder (env QA_CORPUS_DIR)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = Settings.from_env(index_dir=args.index_dir, corpus_dir=args.corpus_dir)

    import uvicorn

    from qa.server import Service, create_app
    from qa.index import load_current
    from qa.retrieval import Retriever

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"loading index {settings.index_dir} (corpus {settings.corpus_dir}) ...")
    index = load_current(settings, rebuild=True, log=log)
    service = Service(index, Retriever(index, settings), settings)
    service.ask("warm-up")  # load the model and BM25 now, not on the first user's question
    app = create_app(service)
    log(f"{len(index.documents)} statements, {len(index.chunks)} passages. Serving on http://{args.host}:{args.port}/")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
