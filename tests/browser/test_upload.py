"""Bring your own statements in the browser: a bad file is refused with a message and
changes nothing; a good one is previewed with editable metadata, indexed, and
answered from at once. Its own app server: uploads change the corpus."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from qa.settings import ROOT

from .conftest import ask, no_sideways_scroll, open_app, start_app, stop_app

pytestmark = pytest.mark.browser

QUESTION = "What did Freedonia say about the Danube river commission?"
# a statement no other test corpus has: uploaded, indexed and asked about
GOOD = (ROOT / "tests" / "fixtures" / "upload" / "freedonia-danube.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    url, proc, log = start_app(tmp_path_factory.mktemp("upload-app"))
    try:
        yield url
    finally:
        stop_app(proc, log)


def api(url: str, path: str, **params) -> dict:
    with urllib.request.urlopen(url + path + "?" + urllib.parse.urlencode(params), timeout=30) as r:
        return json.load(r)


def field(page, key: str):
    return page.locator(f"#qa-upload-{key} textarea, #qa-upload-{key} input").first


def choose_file(page, path) -> None:
    """Pick a file in the upload box, removing the one shown there first."""
    clear = page.locator("#qa-upload-file button[aria-label='Clear']")
    if clear.count():
        clear.first.click()
    page.locator("#qa-upload-file input[type=file]").set_input_files(str(path))


@pytest.mark.parametrize("viewport,doc_id", [("desktop", "FREE/1/22"), ("phone", "FREE/2/22")])
def test_upload_bad_then_good_file(new_page, upload_app, tmp_path, viewport, doc_id):
    page = new_page(viewport)
    outside = open_app(page, upload_app)
    before = api(upload_app, "api/ask", q=QUESTION)
    n_before = api(upload_app, "api/health")["documents"]
    page.get_by_role("tab", name="Add a statement").click()

    # a file that is not UTF-8: a clear message, nothing added, the same answers
    bad = tmp_path / "latin1-statement.txt"
    bad.write_bytes("Délégation de Freedonia\n\nLe représentant a parlé longuement.".encode("latin-1"))
    choose_file(page, bad)
    error = page.locator("#qa-upload-preview .qa-upload-error")
    expect(error).to_contain_text("latin1-statement.txt: not UTF-8")
    expect(error).to_contain_text("Nothing was changed.")
    expect(page.locator("#qa-upload-add")).to_be_disabled()
    assert api(upload_app, "api/ask", q=QUESTION) == before
    assert api(upload_app, "api/health")["documents"] == n_before

    # a good file: parsed, shown with its metadata, corrected, added, searchable at once
    good = tmp_path / "danube.txt"
    good.write_text(GOOD, encoding="utf-8")
    choose_file(page, good)
    expect(page.locator("#qa-upload-preview .qa-upload-ok")).to_contain_text("Read 4 paragraphs")
    expect(field(page, "delegation")).to_have_value("Freedonia")
    expect(field(page, "date")).to_have_value("2022-05-12")
    field(page, "id").fill(doc_id)
    field(page, "title").fill("The Danube river commission")
    page.locator("#qa-upload-add").click()
    done = page.locator("#qa-upload-result .qa-upload-ok")
    expect(done).to_contain_text(f"Added The Danube river commission ({doc_id}, 4 paragraphs)", timeout=60_000)
    expect(done).to_contain_text("searchable now")
    expect(page.locator("#qa-count")).to_have_text(f"{n_before + 1} statements indexed")
    no_sideways_scroll(page)

    # an id already used is refused
    choose_file(page, good)
    expect(field(page, "id")).to_have_value("danube")    # from the file name: fresh metadata per file
    field(page, "id").fill(doc_id)
    page.locator("#qa-upload-add").click()
    expect(page.locator("#qa-upload-result .qa-upload-error")).to_contain_text(f"the id {doc_id} is already used")

    page.get_by_role("tab", name="Chat").click()
    bot = ask(page, QUESTION)
    expect(bot.locator("a.qa-cite").first).to_contain_text(doc_id)
    bot.locator("a.qa-cite").first.click()
    expect(page.locator("#qa-doc-panel .qa-docview-title")).to_have_text("The Danube river commission")
    assert outside == [], f"requests left the machine: {outside}"
