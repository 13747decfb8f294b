"""The HTTP side of the app: the `Service` that runs questions for the chat and the
JSON API, and `create_app`, the FastAPI app with the Gradio UI (qa/app_ui.py) mounted at /.

Hardening (docs/hardening.md): every question passes `qa.limits.check_question`; one
worker answers questions, the others wait a bounded time in a bounded queue (503 when
either runs out); request bodies over `max_request_bytes` get 413 before they are read;
every error is a 4xx whose JSON `detail` is one line, and an unexpected one is logged
and answered with a short 500.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from .answer import Answer, ask, to_json
from .app_assets import CSS, HEAD
from .app_ui import build_demo, make_filters
from .filters import Filters
from .limits import Busy, QuestionError, check_history, check_question, check_values

log = logging.getLogger("qa.server")


# --- service: one place that runs a question -----------------------------------

class Service:
    """The index and retriever, shared by the chat and the HTTP API."""

    def __init__(self, index, retriever, settings):
        self.index, self.retriever, self.settings = index, retriever, settings
        # One worker. Hugging Face fast tokenizers raise "Already borrowed" when one is
        # used from two threads, and a second worker with its own model copy measured no
        # faster on 2 cores (docs/hardening.md). With the question caps one question is
        # short, so the others wait their turn, a bounded time in a bounded queue.
        self._worker = threading.Lock()
        self._state = threading.Lock()      # guards the counters below
        self._waiting = 0
        self._running_since: float | None = None
        self.answered = 0

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None,
            history: list[str] | None = None, method: str | None = None) -> Answer:
        """Raises QuestionError for a question over the caps (qa/limits.py) and Busy when
        the worker stays taken. A chat's history is trimmed to its latest turns."""
        question = check_question(question, self.settings)
        history = check_history(list(history or [])[-self.settings.max_history_turns:], self.settings)
        k = k or self.settings.top_k
        if not isinstance(k, int) or k < 1:
            raise QuestionError(f"k must be a whole number of at least 1, not {k!r}")
        with self._turn():
            return ask(self.retriever, question, k=k, filters=filters, method=method, history=history)

    @contextmanager
    def _turn(self):
        with self._state:
            if self._waiting >= self.settings.max_waiting:
                raise Busy(f"busy: {self._waiting} questions are waiting; try again in a few seconds")
            self._waiting += 1
        try:
            got = self._worker.acquire(timeout=self.settings.wait_seconds)
        finally:
            with self._state:
                self._waiting -= 1
        if not got:
            raise Busy(f"busy: no answer slot within {self.settings.wait_seconds:g} s; try again in a few seconds")
        self._running_since = time.monotonic()
        try:
            yield
        finally:
            self._running_since = None
            self.answered += 1
            self._worker.release()

    def health(self) -> dict:
        """status "ok", or "degraded" while one question has run longer than stuck_seconds."""
        since = self._running_since
        running = round(time.monotonic() - since, 1) if since is not None else 0.0
        stuck = running > self.settings.stuck_seconds
        return {"status": "degraded" if stuck else "ok", "documents": len(self.index.documents),
                "chunks": len(self.index.chunks), "running_seconds": running, "waiting": self._waiting,
                "answered": self.answered}

    # --- UI support (issue 12: uploads, follow-up suggestions) -------------------
    def replace(self, index, retriever) -> None:
        """Swap in a new index and retriever (after an upload); questions already
        running finish on the old ones."""
        with self._worker:
            self.index, self.retriever = index, retriever

    def search(self, query: str, k: int, filters: Filters | None = None):
        """Retrieval only, no answer sentences (the chat's suggested follow-ups)."""
        with self._turn():
            return self.retriever.search(query, k=k, filters=filters)
    # --- end of UI support ----------------------------------------------------------

    def delegations(self) -> list[str]:
        return sorted({d.delegation for d in self.index.documents if d.delegation})

    def statement_choices(self) -> list[tuple[str, str]]:
        docs = sorted(self.index.documents, key=lambda d: (d.date or "", d.id), reverse=True)
        return [(" · ".join(x for x in (d.delegation, d.date, d.title or d.id) if x)[:120], d.id) for d in docs]


# --- request bodies ------------------------------------------------------------

class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` gets 413, judged by its
    Content-Length before anything is read, or by counting while it streams in.
    Paths under `exempt` (file uploads, which Gradio limits itself) pass."""

    def __init__(self, app, max_bytes: int, exempt: tuple[str, ...] = ()):
        self.app, self.max_bytes, self.exempt = app, max_bytes, exempt

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._refuse(scope, send, 413 if length.isdigit() else 400)
        received, started = 0, False

        async def counted_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge(self.max_bytes)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send, 413)

    async def _refuse(self, scope, send, status: int):
        from starlette.responses import JSONResponse
        detail = _TooLarge(self.max_bytes).detail if status == 413 else "Content-Length is not a number"
        await JSONResponse({"detail": detail}, status_code=status)(scope, None, send)


class _TooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so FastAPI's body reading passes it on as a 413."""

    def __init__(self, max_bytes: int):
        super().__init__(413, f"request body is larger than {max_bytes:,} bytes")


# --- FastAPI app ---------------------------------------------------------------

class AskRequest(BaseModel):
    """POST /api/ask body. Module level: FastAPI resolves the (string) annotation from module globals."""
    question: str
    k: int = Field(5, ge=1, le=50)
    delegation: list[str] | str | None = None
    since: str | None = None
    until: str | None = None
    doc: list[str] | str | None = None
    history: list[str] | None = None   # earlier user questions, oldest first
    retriever: str | None = None


def one_line_validation_error(errors) -> str:
    """FastAPI's validation errors as one line naming each field, never echoing the input
    (which may be huge, not encodable, or a float JSON cannot carry)."""
    parts = []
    for e in errors[:3]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query")]
        if e.get("type") == "json_invalid":
            parts.append(f"body is not valid JSON: {e.get('ctx', {}).get('error', 'decode error')} "
                         f"(character {loc[0] if loc else '?'})")
            continue
        msg = str(e.get("msg", "invalid value"))
        msg = msg[:1].lower() + msg[1:]
        if e.get("type") == "missing" and not loc:
            parts.append("request body is missing: send a JSON object, e.g. {\"question\": \"...\"}")
            continue
        if e.get("type") == "missing":
            parts.append(f"{'.'.join(loc)} is required")
            continue
        elif e.get("type") == "model_attributes_type":
            parts.append("body must be a JSON object, e.g. {\"question\": \"...\"}")
            continue
        parts.append(f"{'.'.join(loc) or 'request'}: {msg}".replace("\n", " "))
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def create_app(service: Service):
    """FastAPI app with /api/ask (GET and POST) and the Gradio UI mounted at /."""
    import gradio as gr
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    settings = service.settings
    # docs_url=None: FastAPI's Swagger page loads its assets from a CDN; /api/docs is ours (below)
    app = FastAPI(title="OSCE statements QA", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes, exempt=("/gradio_api/upload",))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": one_line_validation_error(exc.errors())}, status_code=422)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError):
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # The last resort: the traceback goes to the log, the client gets one line.
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    def run(req: AskRequest) -> dict:
        question = check_question(req.question, settings)
        if req.retriever not in (None, "", "dense", "bm25", "hybrid"):
            raise HTTPException(422, "retriever must be dense, bm25 or hybrid")
        history = check_history(req.history, settings)
        delegation = check_values(req.delegation, settings, "delegation")
        doc = check_values(req.doc, settings, "doc")
        try:
            filters = make_filters(delegation, check_values(req.since, settings, "since"),
                                   check_values(req.until, settings, "until"), doc)
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
        answer = service.ask(question, k=req.k, filters=filters, history=history, method=req.retriever or None)
        return to_json(answer)

    # Declared before mounting Gradio at "/", which would otherwise take these paths.
    @app.get("/api/ask")
    def ask_get(q: str = Query(..., description="the question"), k: int = Query(5, ge=1, le=50),
                delegation: list[str] = Query(default=[]), since: str | None = None, until: str | None = None,
                doc: list[str] = Query(default=[]), history: list[str] = Query(default=[]),
                retriever: str | None = None) -> dict:
        return run(AskRequest(question=q, k=k, delegation=delegation, since=since, until=until, doc=doc,
                              history=history, retriever=retriever))

    @app.post("/api/ask")
    def ask_post(req: AskRequest) -> dict:
        return run(req)

    @app.get("/api/health")
    async def health():
        # async: answered on the event loop, never queued behind questions in the thread pool
        h = service.health()
        return JSONResponse(h, status_code=200 if h["status"] == "ok" else 503)

    add_ui_routes(app, service)
    demo = build_demo(service)
    theme = gr.themes.Default(primary_hue="blue", neutral_hue="slate")  # Default's fonts are served locally
    return gr.mount_gradio_app(app, demo, path="/", css=CSS, head=HEAD, theme=theme, ssr_mode=False,
                               footer_links=["api"])


# --- UI support (issue 12): adding statements over HTTP, and the API's own docs page ---
# Module level: FastAPI resolves the routes' (string) annotations from module globals.
from fastapi import File, Form, UploadFile  # noqa: E402


def add_ui_routes(app, service: Service) -> None:
    """POST /api/statements (multipart upload, see docs/app.md) and GET /api/docs (a
    local page: FastAPI's Swagger UI would load its assets from a CDN)."""
    from fastapi import HTTPException
    from fastapi.responses import HTMLResponse

    from . import upload
    from .app_ui import render_api_docs

    @app.post("/api/statements", status_code=201)
    def add_statement(file: UploadFile = File(..., description="a .txt, .md, .pdf (.docx, .html) statement"),
                      id: str | None = Form(None), delegation: str | None = Form(None),
                      date: str | None = Form(None), title: str | None = Form(None),
                      meeting: str | None = Form(None), speaker: str | None = Form(None),
                      dry_run: bool = Form(False, description="parse and return the metadata; index nothing")
                      ) -> dict:
        """Add a statement to the corpus (its uploads/ folder) and the index; searchable at once."""
        data = file.file.read(upload.MAX_BYTES + 1)
        meta = {"id": id, "delegation": delegation, "date": date, "title": title, "meeting": meeting,
                "speaker": speaker}
        try:
            if dry_run:
                doc = upload.parse_upload(data, file.filename or "statement", meta)
                clash = upload.id_in_use(doc, service.index)
                if clash:
                    raise upload.UploadError(clash, status=409)
                return {**upload.describe(doc), "indexed": False}
            doc, stats = upload.add_statement(service, data, file.filename or "statement", meta)
        except upload.UploadError as e:
            raise HTTPException(e.status, str(e)) from None
        return {**upload.describe(doc), "indexed": True, "embedded": stats.embedded,
                "documents": len(service.index.documents)}

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> str:
        return render_api_docs(app.openapi())
