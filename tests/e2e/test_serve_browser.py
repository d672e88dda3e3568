"""`annotator serve --team` as a lead runs it, opened in a real browser: headless Chromium, driven by selenium.

A team of two is assigned, the installed command serves it on a free port of 127.0.0.1, and
the browser opens each annotator's link, tags a span with the keyboard and the test reads each
store from disk. A second tab on a link already open must show the store lock's message in the
page; a request without a valid token must get 403; revoking a link must close its open page.

The browser is the distribution's (Debian: `apt-get install chromium chromium-driver`, which
.ci/run does); the tests skip, saying why, when it, selenium or the serve extra is missing.
What a page shows is read from the bytes its terminal receives (Chromium draws the terminal on
a canvas): a script in each tab keeps them, and escape sequences are stripped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
HAS_SERVE = importlib.util.find_spec("textual_serve") is not None
HAS_SELENIUM = importlib.util.find_spec("selenium") is not None
needs_serve = pytest.mark.skipif(not HAS_SERVE, reason="needs the serve extra (pip install '.[serve]'; .ci/run does)")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None or not HAS_SELENIUM,
    reason="needs Chromium and its driver (apt-get install chromium chromium-driver) and selenium (the test extra); "
    ".ci/run installs them",
)
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--window-size=1280,800"]
# Runs in every tab before the page's own scripts: keeps what the terminal is sent, as text.
RECORD_SCREEN = """
window.__screen = "";
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    const decoder = new TextDecoder();
    this.addEventListener("message", (event) => {
      if (typeof event.data !== "string") window.__screen += decoder.decode(event.data, {stream: true});
    });
  }
};
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
TEXT = "Rebels shelled Aleppo on Friday.\n\nTroops left Homs at dawn.\n"


def squeezed(text: str) -> str:
    """Text without escape sequences, whitespace or box lines: the screen's lines may wrap anywhere."""
    return re.sub(r"[\s\u2500-\u257f]+", "", ESCAPES.sub("", text))


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@dataclass
class Served:
    team: Path
    links: dict[str, str]
    base: str
    log: Path  # the server's stderr: what the lead reads in the terminal
    printed: Path  # its stdout: the links


def latest(store: Path) -> dict[str, dict[str, Any]]:
    records = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {record["id"]: record for record in records}


@contextmanager
def serving(argv: list[str], tmp_path: Path, people: int) -> Iterator[tuple[dict[str, str], Path, Path]]:
    """`annotator serve ARGV --port 0` in the background until the end: its printed links, stderr and stdout files."""
    log, printed = tmp_path / "server.log", tmp_path / "server.out"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    with open(log, "wb") as errors, open(printed, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "annotator", "serve", *argv, "--port", "0"],
                                   stdout=output, stderr=errors, env=env)
    try:
        def links() -> dict[str, str] | None:
            if process.poll() is not None:
                raise AssertionError(f"the server exited: {log.read_text(encoding='utf-8')}")
            found = dict(re.findall(r"^ +(\S+) +(http://\S+)$", printed.read_text(encoding="utf-8"), re.M))
            return found if len(found) == people else None

        yield wait_until(links, "the server's links"), log, printed
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl+C: open sessions are closed, their apps quit
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.returncode == 0, log.read_text(encoding="utf-8")
        assert log.read_text(encoding="utf-8").endswith("annotator: stopped\n")


def assign_team(tmp_path: Path) -> Path:
    source = tmp_path / "news.txt"
    source.write_text(TEXT, encoding="utf-8")
    team = tmp_path / "team"
    # --overlap 1: both annotators get both paragraphs, so each starts on "Rebels shelled Aleppo on Friday."
    assert main(["assign", str(source), "--annotators", "alice,bob", "--overlap", "1", "--out", str(team)]) == 0
    return team


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    team = assign_team(tmp_path)
    with serving(["--team", str(team)], tmp_path, people=2) as (links, log, printed):
        in_file = dict(re.findall(r"^(\w+) +(http://\S+)$", (team / "links.txt").read_text(encoding="utf-8"), re.M))
        assert in_file == links
        yield Served(team, links, links["alice"].rsplit("/", 2)[0] + "/", log, printed)


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@needs_serve
def test_a_request_without_a_valid_token_is_refused(served: Served) -> None:
    alice = served.links["alice"]
    assert status(alice) == 200
    assert status(served.base) == 403
    assert status(served.base + "favicon.ico") == 403
    assert status(served.base + "x" * 32 + "/") == 403
    assert status(alice[:-2] + "/") == 403  # one character short
    assert status(served.base + "x" * 32 + "/ws") == 403
    log = served.log.read_text(encoding="utf-8")
    assert "refused a request from 127.0.0.1: no valid link" in log
    assert "alice: connected" not in log  # a page request is not a session
    assert all(url in served.printed.read_text(encoding="utf-8") for url in served.links.values())
    assert not any(url.rstrip("/").rsplit("/", 1)[-1] in log for url in served.links.values())  # no token in the log


async def screen_until(page: Any, text: str) -> str:
    """What a websocket page was sent, read until `text` shows (squeezed)."""
    import aiohttp

    received = ""
    while text not in squeezed(received):
        message = await page.receive(timeout=20)
        assert message.type == aiohttp.WSMsgType.BINARY, f"{message}; the page was sent {squeezed(received)[-300:]!r}"
        received += message.data.decode("utf-8", "replace")
    return received


@needs_serve
def test_revoking_a_link_refuses_it_and_closes_its_open_page(served: Served) -> None:
    import asyncio

    import aiohttp

    alice, bob = served.links["alice"], served.links["bob"]

    async def session() -> tuple[str, aiohttp.WSMessage]:
        async with aiohttp.ClientSession() as client, client.ws_connect(alice.replace("http:", "ws:") + "ws") as page:
            received = await screen_until(page, "article1of2")
            (served.team / "links.txt").write_text(f"alice revoked\nbob {bob}\n", encoding="utf-8")
            while (message := await page.receive(timeout=10)).type == aiohttp.WSMsgType.BINARY:
                pass
            return received, message

    received, closing = asyncio.run(asyncio.wait_for(session(), 40))
    assert "Rebels" in squeezed(received) and "alice" in squeezed(received)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert status(alice) == 403 and status(bob) == 200
    wait_until(lambda: "alice: the link was revoked; closing the session" in served.log.read_text(encoding="utf-8"),
               "the server to say it closed alice's page")


def accept_first(queue: Path, store: Path, name: str, spans: list[tuple[int, int, str]]) -> None:
    """What an annotator's session writes: token spans on the first paragraph, accepted (through the real Session)."""
    from annotator.core.corpus import Corpus
    from annotator.core.schema import default_schema_path, load_schema
    from annotator.core.session import Session
    from annotator.core.store import Store

    with Corpus([queue]) as corpus, Store(store) as out:
        session = Session(corpus, load_schema(default_schema_path()), out, name)
        for first, last, label in spans:
            session.tag_tokens(first, last, label)
        session.decide("accept")


@needs_serve
def test_one_reviewer_gets_the_review_screen_and_their_keys_reach_the_gold_store(tmp_path: Path) -> None:
    import asyncio

    import aiohttp

    team = assign_team(tmp_path)
    accept_first(team / "alice.queue.jsonl", team / "alice.jsonl", "alice", [(2, 2, "LOCATION")])
    accept_first(team / "bob.queue.jsonl", team / "bob.jsonl", "bob", [(0, 0, "ACTOR"), (2, 2, "LOCATION")])
    gold = tmp_path / "gold.jsonl"
    argv = ["--review", str(team / "alice.jsonl"), str(team / "bob.jsonl"), "--out", str(gold), "--annotator", "dana"]
    with serving(argv, tmp_path, people=1) as (links, log, _):
        assert list(links) == ["dana"]
        assert not (team / "links.txt").exists() and not (team / "review-links.txt").exists()  # one link: printed only

        async def review() -> str:
            async with aiohttp.ClientSession() as client, client.ws_connect(links["dana"].replace("http:", "ws:") + "ws") as page:
                shown = await screen_until(page, "paragraph1of1toreview")
                await page.send_json(["stdin", "\r"])  # enter: gold as shown (the agreed LOCATION), accepted
                for _ in range(100):
                    if gold.exists() and gold.read_text(encoding="utf-8").strip():
                        break
                    await asyncio.sleep(0.1)
                return shown

        shown = asyncio.run(asyncio.wait_for(review(), 40))
    assert "alice" in squeezed(shown) and "bob" in squeezed(shown)
    record = latest(gold)["news#0"]
    assert record["_annotator_id"] == "dana" and record["answer"] == "accept"
    assert [(s["label"], s["text"]) for s in record["spans"]] == [("LOCATION", "Aleppo")]
    assert "dana: connected" in log.read_text(encoding="utf-8")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def open_tab(driver: Any, url: str, *, new: bool = True) -> str:
    """Open `url` in a new tab that records its screen; returns the tab's handle."""
    if new:
        driver.switch_to.new_window("tab")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SCREEN})
    driver.get(url)
    return str(driver.current_window_handle)


def screen(driver: Any) -> str:
    return squeezed(driver.execute_script("return window.__screen || ''"))


def press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ActionChains(driver).click(driver.find_element(By.ID, "terminal")).perform()
    for key in keys:
        ActionChains(driver).send_keys(key).perform()
        time.sleep(0.15)


@needs_serve
@needs_browser
def test_two_annotators_tag_in_a_browser_into_their_own_stores_and_a_second_tab_is_told_why_not(
    served: Served, browser: Any, tmp_path: Path,
) -> None:
    from selenium.webdriver.common.keys import Keys

    alice_store, bob_store = served.team / "alice.jsonl", served.team / "bob.jsonl"
    alice_tab = open_tab(browser, served.links["alice"], new=False)
    wait_until(lambda: "article1of2" in screen(browser), "alice's annotate screen")
    assert "Rebelsshelled" in screen(browser)
    press(browser, Keys.RIGHT, Keys.RIGHT, "2")  # Rebels shelled [Aleppo] -> LOCATION
    wait_until(lambda: alice_store.read_text(encoding="utf-8").strip(), "alice's span in her store")  # saved at once
    press(browser, Keys.ENTER)  # accept
    wait_until(lambda: latest(alice_store).get("news#0", {}).get("answer") == "accept", "alice's accepted paragraph")
    browser.save_screenshot(str(tmp_path / "alice.png"))

    open_tab(browser, served.links["bob"])
    wait_until(lambda: "article1of2" in screen(browser), "bob's annotate screen")
    press(browser, "1")  # [Rebels] -> ACTOR
    wait_until(lambda: bob_store.read_text(encoding="utf-8").strip(), "bob's span in his store")

    second = open_tab(browser, served.links["alice"])  # alice again, while her first tab is open
    wait_until(lambda: "Thisscreencouldnotopen" in screen(browser), "the refusal in alice's second tab")
    assert "anotherannotatorprocessiswritingtothisstore" in screen(browser)
    assert "article1of2" not in screen(browser)
    browser.save_screenshot(str(tmp_path / "second-tab.png"))

    browser.switch_to.window(alice_tab)
    browser.close()  # her first tab goes; its app quits and lets go of the store
    browser.switch_to.window(second)
    wait_until(lambda: served.log.read_text(encoding="utf-8").count("alice: disconnected") >= 1,
               "alice's first session to end")

    def reopened() -> bool:
        if "paragraph" in screen(browser):
            return True
        open_tab(browser, served.links["alice"], new=False)  # "Reload the page to try again"
        wait_until(lambda: "couldnotopen" in screen(browser) or "paragraph" in screen(browser), "a reloaded page")
        return "paragraph" in screen(browser)

    wait_until(reopened, "alice's screen in the reloaded tab")

    alice = latest(alice_store)["news#0"]
    bob = latest(bob_store)["news#0"]
    assert [(s["label"], s["text"]) for s in alice["spans"]] == [("LOCATION", "Aleppo")]
    assert alice["answer"] == "accept" and alice["_annotator_id"] == "alice"
    assert [(s["label"], s["text"]) for s in bob["spans"]] == [("ACTOR", "Rebels")]
    assert bob.get("answer") is None and bob["_annotator_id"] == "bob"
    assert all(record["_annotator_id"] == "alice" for record in latest(alice_store).values())
