"""Bring your own statements (qa/upload.py): a good file is parsed, saved into the
corpus's uploads/ folder and searchable at once; a bad one is refused with a message
naming it, and the corpus, the index and the answers stay exactly as they were."""

from __future__ import annotations

import shutil

import pytest

from qa.answer import to_json
from qa.server import Service
from qa import upload
from qa.settings import ROOT

# a statement no other test corpus has: uploaded, indexed and asked about
GOOD = (ROOT / "tests" / "fixtures" / "upload" / "freedonia-danube.txt").read_text(encoding="utf-8")
QUESTION = "What did Freedonia say about the Danube river commission?"


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder, seed_settings):
    """The seed corpus and its index, built once; each test works on a copy."""
    from qa.index import update_index

    tmp = tmp_path_factory.mktemp("upload")
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    update_index(seed_settings.with_(corpus_dir=tmp / "corpus", index_dir=tmp / "index"), embedder=embedder)
    return tmp


@pytest.fixture()
def service(tmp_path, built, embedder, seed_settings):
    from qa.index import load_current
    from qa.retrieval import Retriever

    shutil.copytree(built / "corpus", tmp_path / "corpus")
    shutil.copytree(built / "index", tmp_path / "index")
    settings = seed_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    index = load_current(settings)
    return Service(index, Retriever(index, settings, embedder=embedder), settings)


def snapshot(service) -> tuple:
    corpus = service.settings.corpus_dir
    files = sorted((p.relative_to(corpus).as_posix(), p.read_bytes()) for p in corpus.rglob("*") if p.is_file())
    current = (service.settings.index_dir / "CURRENT").read_text()
    return files, current, to_json(service.ask(QUESTION))


def test_good_upload_is_saved_with_its_metadata_and_searchable_at_once(service):
    before = len(service.index.documents)
    doc = upload.parse_upload(GOOD.encode(), "freedonia danube.txt")
    assert (doc.delegation, doc.date, len(doc.paragraphs)) == ("Freedonia", "2022-05-12", 4)
    seen = []
    added, stats = upload.add_statement(service, GOOD.encode(), "freedonia danube.txt",
                                        {"id": "FREE/1/22", "meeting": "1370th Plenary Meeting", "date": ""},
                                        progress=lambda f, msg: seen.append(f))
    assert added.id == "FREE/1/22" and added.meeting == "1370th Plenary Meeting"
    assert added.source == "uploads/freedonia-danube.txt"
    saved = service.settings.corpus_dir / "uploads" / "freedonia-danube.txt"
    assert saved.read_bytes() == GOOD.encode()
    assert (saved.parent / "freedonia-danube.txt.meta.json").exists()
    assert len(service.index.documents) == before + 1
    # only the new statement's passages were embedded; the rest were reused
    assert 0 < stats.embedded <= len(added.paragraphs)
    assert seen and seen[-1] == 1.0
    answer = service.ask(QUESTION)
    assert answer.hits[0].doc.id == "FREE/1/22"
    # a second upload under the same id is refused
    with pytest.raises(upload.UploadError, match="FREE/1/22 is already used by uploads/freedonia-danube.txt"):
        upload.add_statement(service, GOOD.replace("welcomes", "regrets").encode(), "again.txt",
                             {"id": "FREE/1/22"})


@pytest.mark.parametrize("name,data,message", [
    ("latin1.txt", "Délégation de Freedonia\n\nLe représentant a parlé.".encode("latin-1"), "latin1.txt: not UTF-8"),
    ("empty.md", b"   \n\n ", "empty.md: the file is empty"),
    ("headers.txt", b"PC.DEL/5/22\n\n12 May 2022\n\nENGLISH", "headers.txt: no body paragraphs found"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf: damaged PDF"),
    ("slides.pptx", b"PK\x03\x04 not a statement", "slides.pptx: .pptx cannot be read"),
    ("taken.txt", GOOD.replace("Delegation of Freedonia", "PC.DEL/64/21\n\nDelegation of Freedonia").encode(),
     "the id PC.DEL/64/21 is already used by ru-2021-01-kazakhstan-parliamentary-elections.txt"),
])
def test_bad_upload_says_why_and_changes_nothing(service, name, data, message):
    before = snapshot(service)
    with pytest.raises(upload.UploadError) as e:
        upload.add_statement(service, data, name)
    assert message in str(e.value)
    assert "/tmp" not in str(e.value)        # the user's file name, not our temporary path
    assert snapshot(service) == before


def test_bad_metadata_is_refused():
    with pytest.raises(upload.UploadError, match="date '12/05/2022' is not a date"):
        upload.parse_upload(GOOD.encode(), "x.txt", {"date": "12/05/2022"})
    with pytest.raises(upload.UploadError, match="unknown metadata"):
        upload.parse_upload(GOOD.encode(), "x.txt", {"colour": "red"})


def test_safe_name_keeps_uploads_inside_the_folder():
    assert upload.safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert upload.safe_name("C:\\Users\\me\\My Statement.PDF") == "My-Statement.pdf"
    assert upload.safe_name(".hidden.md") == "hidden.md"


def test_upload_api(service):
    from fastapi.testclient import TestClient

    from qa.server import create_app
    with TestClient(create_app(service)) as client:
        r = client.post("/api/statements", files={"file": ("danube.txt", GOOD.encode(), "text/plain")},
                        data={"dry_run": "true", "title": "Danube"})
        assert r.status_code == 201 and r.json()["indexed"] is False and r.json()["title"] == "Danube"
        assert not (service.settings.corpus_dir / "uploads").exists()
        r = client.post("/api/statements", files={"file": ("latin1.txt", "é".encode("latin-1") * 20)})
        assert r.status_code == 422 and r.json()["detail"].startswith("latin1.txt: not UTF-8")
        r = client.post("/api/statements", files={"file": ("danube.txt", GOOD.encode(), "text/plain")},
                        data={"id": "FREE/2/22"})
        assert r.status_code == 201 and r.json()["indexed"] is True and r.json()["id"] == "FREE/2/22"
        hits = client.get("/api/ask", params={"q": QUESTION}).json()["passages"]
        assert hits[0]["doc_id"] == "FREE/2/22"
        r = client.post("/api/statements", files={"file": ("again.txt", GOOD.encode())}, data={"id": "FREE/2/22"})
        assert r.status_code == 409
