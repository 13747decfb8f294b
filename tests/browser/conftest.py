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


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("app")
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
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app not serving after {START_TIMEOUT}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --- helpers shared by the tests ------------------------------------------------

def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
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
    return bots.nth(before)
