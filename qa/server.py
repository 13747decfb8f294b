"""The HTTP side of the app: the `Service` that runs questions for the chat and the
JSON API, and `create_app`, the FastAPI app with the Gradio UI (qa/app_ui.py) mounted at /."""

from __future__ import annotations

import threading

from pydantic import BaseModel, Field

from .answer import Answer, ask, to_json
from .app_assets import CSS, HEAD
from .app_ui import build_demo, make_filters
from .filters import Filters


# --- service: one place that runs a question -----------------------------------

class Service:
    """The index and retriever, shared by the chat and the HTTP API."""

    def __init__(self, index, retriever, settings):
        self.index, self.retriever, self.settings = index, retriever, settings
        # Hugging Face fast tokenizers raise "Already borrowed" when used from two
        # threads at once, and Gradio and FastAPI both run handlers in a thread
        # pool. A question takes tens of milliseconds, so one at a time is fine.
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None,
            history: list[str] | None = None, method: str | None = None) -> Answer:
        with self._lock:
            return ask(self.retriever, question, k=k or self.settings.top_k, filters=filters,
                       method=method, history=history or [])

    # --- UI support (issue 12: uploads, follow-up suggestions) -------------------
    def replace(self, index, retriever) -> None:
        """Swap in a new index and retriever (after an upload); questions already
        running finish on the old ones."""
        with self._lock:
            self.index, self.retriever = index, retriever

    def search(self, query: str, k: int, filters: Filters | None = None):
        """Retrieval only, no answer sentences (the chat's suggested follow-ups)."""
        with self._lock:
            return self.retriever.search(query, k=k, filters=filters)
    # --- end of UI support ----------------------------------------------------------

    def delegations(self) -> list[str]:
        return sorted({d.delegation for d in self.index.documents if d.delegation})

    def statement_choices(self) -> list[tuple[str, str]]:
        docs = sorted(self.index.documents, key=lambda d: (d.date or "", d.id), reverse=True)
        return [(" · ".join(x for x in (d.delegation, d.date, d.title or d.id) if x)[:120], d.id) for d in docs]


# --- FastAPI app ---------------------------------------------------------------

class AskRequest(BaseModel):
    """POST /api/ask body. Module level: FastAPI resolves the (string) annotation from module globals."""
    question: str
    k: int = Field(5, ge=1, le=50)
    delegation: list[str] | str | None = None
    since: str | None = None
    until: str | None = None
    doc: list[str] | str | None = None
    history: list[str] = Field(default_factory=list)   # earlier user questions, oldest first
    retriever: str | None = None


def create_app(service: Service):
    """FastAPI app with /api/ask (GET and POST) and the Gradio UI mounted at /."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException, Query

    # docs_url=None: FastAPI's Swagger page loads its assets from a CDN; /api/docs is ours (below)
    app = FastAPI(title="OSCE statements QA", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")

    def run(req: AskRequest) -> dict:
        if not req.question.strip():
            raise HTTPException(422, "question is empty")
        if req.retriever not in (None, "", "dense", "bm25", "hybrid"):
            raise HTTPException(422, "retriever must be dense, bm25 or hybrid")
        try:
            filters = make_filters(req.delegation, req.since, req.until, req.doc)
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
        answer = service.ask(req.question.strip(), k=req.k, filters=filters, history=req.history,
                             method=req.retriever or None)
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
    def health() -> dict:
        return {"status": "ok", "documents": len(service.index.documents), "chunks": len(service.index.chunks)}

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
