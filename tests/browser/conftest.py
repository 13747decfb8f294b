"""Browser tests: the real app in a subprocess, driven in Debian's Chromium by Playwright.

One app server per session (model load + index build take ~15 s), on a free
port, over a temporary copy of the seed corpus plus one hostile statement,
with a temporary index folder. Chromium is launched from /usr/bin/chromium
with flags that keep it off the network (see shared notes); a missing
Chromium fails the tests rather than skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa.settings import ROOT

from . import hostile

CHROMIUM = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Without this Chromium keeps looking up Google hosts even with the flags above.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 90  # seconds: import gradio + model load + index build on 2 cores


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (browser tests never skip)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _corpus_with_hostile(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "corpus").iterdir():
        if f.suffix == ".txt" or f.name.endswith(".meta.json"):
            shutil.copy2(f, dest / f.name)
    (dest / hostile.FILENAME).write_text(hostile.TEXT, encoding="utf-8")
    (dest / (hostile.FILENAME + ".meta.json")).write_text(json.dumps(hostile.META), encoding="utf-8")
    return dest


def start_app(tmp: Path):
    """Start app.py over a copy of the seed corpus (plus the hostile statement) in `tmp`;
    returns (url, process, log file). Polls GET / until it answers."""
    corpus = _corpus_with_hostile(tmp / "corpus")
    port = _free_port()
    env = {**os.environ,
           "QA_CORPUS_DIR": str(corpus), "QA_INDEX_DIR": str(tmp / "index"),
           "GRADIO_TEMP_DIR": str(tmp / "gradio"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}
    log_path = tmp / "app.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            stop_app(proc, log)
            pytest.fail(f"app exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return url, proc, log
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_app(proc, log)
            pytest.fail(f"app not serving after {START_TIMEOUT}s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)


def stop_app(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> str:
    """The app shared by the tests that do not change its corpus."""
    url, proc, log = start_app(tmp_path_factory.mktemp("app"))
    try:
        yield url
    finally:
        stop_app(proc, log)


# Every look and layout test runs at both sizes and in both themes.
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture()
def new_page(browser):
    """new_page(viewport="desktop"|"phone", scheme="light"|"dark") -> a page in a fresh context
    (own localStorage, clipboard permission granted); closed after the test."""
    contexts = []

    def make(viewport: str = "desktop", scheme: str = "light"):
        ctx = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme,
                                  permissions=["clipboard-read", "clipboard-write"])
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


# --- helpers shared by the tests ------------------------------------------------

def shot(page, name: str, docs: bool = False) -> Path:
    """A screenshot in test-artifacts/; with docs=True also the README's copy in
    docs/screenshots/ when QA_UPDATE_SCREENSHOTS=1 (so a test run leaves the repo clean)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if docs and os.environ.get("QA_UPDATE_SCREENSHOTS") == "1":
        shutil.copy2(path, ROOT / "docs" / "screenshots" / path.name)
    return path


def open_app(page, url: str) -> list[str]:
    """Load the app; returns the list that collects requests to hosts other than this machine."""
    outside: list[str] = []

    def note(request):
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://", "ws://", "wss://")) and \
                host.split(":")[0] not in ("127.0.0.1", "localhost"):
            outside.append(request.url)

    page.on("request", note)
    page.goto(url, wait_until="load")  # never networkidle: Gradio's heartbeat keeps the network busy
    page.locator("#chatbot").wait_for()
    # the load event (restoring a stored chat or answering a permalink) has run
    page.wait_for_function("document.body.classList.contains('qa-ready')", timeout=30_000)
    return outside


def ask(page, question: str):
    """Type a question, send it, wait for its answer; returns the new bot message locator."""
    from playwright.sync_api import expect

    bots = page.locator("#chatbot [data-testid='bot']")
    before = bots.count()
    box = page.locator("#qa-input textarea")
    box.fill(question)
    box.press("Enter")
    expect(bots).to_have_count(before + 1, timeout=30_000)
    # every answer the app renders is a .qa-answer; the pending bubble is not
    expect(bots.nth(before).locator(".qa-answer")).to_be_visible(timeout=30_000)
    expect(box).to_be_editable(timeout=30_000)
    expect(box).to_have_value("")
    return bots.nth(before)


# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """(el) => {
  function rgba(s) { var m = s.match(/[\\d.]+/g).map(Number); return m.length === 3 ? m.concat([1]) : m; }
  function lum(c) { var a = c.slice(0, 3).map(function (v) { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
  var fg = rgba(getComputedStyle(el).color), e = el, bg = null;
  while (e) {
    var c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0.5) { bg = c; break; }
    e = e.parentElement;
  }
  if (!bg) { bg = [255, 255, 255, 1]; }
  var l1 = lum(fg), l2 = lum(bg);
  return {ratio: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), fg: fg, bg: bg};
}"""


def contrast(locator) -> dict:
    return locator.evaluate(CONTRAST_JS)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide in a {width}px viewport"


def open_citation_panel(page, link) -> None:
    link.click()
    from playwright.sync_api import expect
    expect(page.locator("#qa-doc-panel .qa-docview-title")).to_be_visible()
