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

# Seconds uvicorn waits for requests in flight after SIGTERM before it closes them.
GRACEFUL_SHUTDOWN = 2


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core) and
    rarely returns their memory; the app's request threads made RSS grow for thousands of
    requests (docs/hardening.md). MALLOC_ARENA_MAX only acts when set before the process
    starts, so set the same limit with mallopt, before the heavy imports start threads.
    An explicit MALLOC_ARENA_MAX wins; other C libraries are left alone."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)   # -8 is M_ARENA_MAX in glibc's malloc.h
    except (OSError, AttributeError):
        pass


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
    limit_malloc_arenas()
    settings = Settings.from_env(index_dir=args.index_dir, corpus_dir=args.corpus_dir)

    import uvicorn

    from qa.documents import CorpusError
    from qa.embedding import ModelError
    from qa.index import IndexError_, load_current
    from qa.retrieval import Retriever
    from qa.server import Service, create_app

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"loading index {settings.index_dir} (corpus {settings.corpus_dir}) ...")
    try:
        index = load_current(settings, rebuild=True, log=log)
    except (CorpusError, IndexError_, ModelError, ValueError, OSError) as e:
        log(f"app.py: error: {e}")
        return 1
    service = Service(index, Retriever(index, settings), settings)
    service.ask("warm-up")  # load the model and BM25 now, not on the first user's question
    app = create_app(service)
    log(f"{len(index.documents)} statements, {len(index.chunks)} passages. Serving on http://{args.host}:{args.port}/")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)
    log("stopped")
    return 0


if __name__ == "__main__":
    code = main()
    # A question still running in a worker thread (non-daemon threads of anyio and
    # Gradio) would keep the process alive after the server has stopped: leave now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
