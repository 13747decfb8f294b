"""Bring your own statements: check an uploaded file, parse it into a Document
for the user to check, save it into the corpus and bring the index up to date.

Uploads live in `<corpus_dir>/uploads/` (the file as sent, plus a
`<file>.meta.json` sidecar with the metadata the user confirmed or corrected).
That folder is part of the corpus, so `qa index`, `qa ask` and a restarted app
see the same statements the running app added.

A bad upload changes nothing: the file is parsed from a temporary folder first,
and saved only once it parsed and its id is free; if bringing the index up to
date fails anyway, the saved files are removed again before the error is shown.
The index itself is replaced atomically by qa.index (a new version folder, then
CURRENT swapped), so the running app keeps answering from the old index until
the new one is complete.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .documents import SIDECAR_SUFFIX, TEXT_SUFFIXES, CorpusError, Document, load_document

UPLOAD_FOLDER = "uploads"
MAX_BYTES = 20 * 1024 * 1024
# The metadata a user can check and correct before adding: (key, label).
EDITABLE = (("id", "Document id"), ("delegation", "Delegation"), ("date", "Date (YYYY-MM-DD)"),
            ("title", "Title"), ("meeting", "Meeting"), ("speaker", "Speaker"))

# One upload at a time: two would each build an index from the corpus as they saw it.
_LOCK = threading.Lock()


class UploadError(ValueError):
    """An upload refused; the message is one line for the user. `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class UploadedFile:
    name: str        # the file name as sent, without folders
    data: bytes


def original_name(path: str | Path) -> str:
    """Gradio keeps an upload's own name as the temporary file's name."""
    return Path(path).name


def read_upload(path: str | Path) -> bytes:
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise UploadError(f"{path.name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return path.read_bytes()


def safe_name(name: str) -> str:
    """A file name safe to save: no folders, no leading dot, ordinary characters."""
    base = Path(str(name).replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-") or "statement"
    return f"{stem[:100]}.{suffix.lower()}" if suffix else stem[:100]


def clean_meta(meta: dict | None) -> dict:
    """The user's metadata: stripped, empty values dropped, the date checked."""
    out = {}
    for key, _ in EDITABLE:
        value = (meta or {}).get(key)
        if value is None:
            continue
        value = " ".join(str(value).split())
        if not value:
            continue
        if key == "date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                raise UploadError(f"date {value!r} is not a date: use YYYY-MM-DD") from None
        out[key] = value
    unknown = set(meta or {}) - {k for k, _ in EDITABLE}
    if unknown:
        raise UploadError(f"unknown metadata {sorted(unknown)}; allowed: {', '.join(k for k, _ in EDITABLE)}")
    return out


def parse_upload(data: bytes, name: str, meta: dict | None = None) -> Document:
    """Parse an uploaded file exactly as the corpus loader would (same reader, same
    parser, `meta` as its sidecar). Raises UploadError naming the file."""
    name = safe_name(name)
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise UploadError(f"{name}: {suffix or 'files without an extension'} cannot be read; "
                          f"statements are {', '.join(TEXT_SUFFIXES)} files")
    if len(data) > MAX_BYTES:
        raise UploadError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise UploadError(f"{name}: the file is empty")
    meta = clean_meta(meta)
    with tempfile.TemporaryDirectory(prefix="qa-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        if meta:
            path.with_name(name + SIDECAR_SUFFIX).write_text(json.dumps(meta), encoding="utf-8")
        try:
            doc = load_document(path, Path(tmp))
        except CorpusError as e:
            raise UploadError(str(e).replace(str(path), name).replace(tmp + "/", "")) from None
        except Exception as e:  # a reader that fails on a damaged file in its own way
            raise UploadError(f"{name}: cannot read: {e}") from None
    return doc


def field_value(doc: Document, key: str) -> str:
    return getattr(doc, key) or ""


def id_in_use(doc: Document, index) -> str | None:
    """The message for a document whose id (or one of its names) another statement
    already has, else None."""
    for name in [doc.id, *doc.aliases]:
        try:
            other = index.document(name)
        except KeyError:
            continue
        if name == doc.id:
            return (f"{doc.source}: the id {doc.id} is already used by {other.source}; "
                    f"give this statement another id")
    return None


def uploads_dir(settings) -> Path:
    return Path(settings.corpus_dir) / UPLOAD_FOLDER


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    n = 2
    while path.exists() or path.with_name(path.name + SIDECAR_SUFFIX).exists():
        stem, suffix = Path(name).stem, Path(name).suffix
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


def add_statement(service, data: bytes, name: str, meta: dict | None = None,
                  progress=lambda fraction, message: None) -> tuple[Document, object]:
    """Parse, check, save into the corpus's uploads folder and index one statement;
    then swap the service over to the new index. Returns (the indexed Document, BuildStats).
    Raises UploadError, after which the corpus and the index are as they were."""
    from .index import IndexError_, update_index
    from .retrieval import Retriever

    with _LOCK:
        doc = parse_upload(data, name, meta)
        clash = id_in_use(doc, service.index)
        if clash:
            raise UploadError(clash, status=409)
        folder = uploads_dir(service.settings)
        path = _free_path(folder, safe_name(name))
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        saved: list[Path] = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            saved.append(path)
            cleaned = clean_meta(meta)
            if cleaned:
                sidecar.write_text(json.dumps(cleaned, ensure_ascii=False, indent=1), encoding="utf-8")
                saved.append(sidecar)
            progress(0.3, "Embedding the new passages")
            old = service.retriever
            index, stats = update_index(service.settings, embedder=old.embedder, previous=service.index)
            progress(0.85, "Loading the new index")
            added = index.by_id.get(doc.id)
            if added is None:
                raise UploadError(f"{path.name}: not indexed (a copy of a statement already in the corpus?)")
            retriever = Retriever(index, service.settings, embedder=old.embedder, reranker=old.reranker)
        except (CorpusError, IndexError_, OSError) as e:
            _remove(saved)
            raise UploadError(str(e)) from None
        except BaseException:
            _remove(saved)
            raise
        service.replace(index, retriever)
        progress(1.0, "Done")
        return added, stats


def _remove(paths: list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def describe(doc: Document) -> dict:
    """The JSON the API returns for an uploaded statement."""
    return {"id": doc.id, "source": doc.source, "title": doc.title, "delegation": doc.delegation,
            "date": doc.date, "meeting": doc.meeting, "speaker": doc.speaker,
            "paragraphs": len(doc.paragraphs)}
