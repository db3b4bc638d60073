"""The classroom demo in a real browser: Debian's headless Chromium driven by Playwright.

The app is served by ``solara run sim/demo/app.py`` as a lecturer would start it, with the asset CDN
pointed at a dead address: any JavaScript or CSS not bundled locally then fails and is caught.
Chromium comes from ``apt-get install chromium`` (scripts/install-browser); ``playwright install``
is never used. Without Chromium or the playwright package these tests skip, saying why.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WOM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
README_FIGURE = ROOT / "docs" / "figures" / "app.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 60_000

if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/install-browser", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[viz-test]'")
pytest.importorskip("solara", reason="the demo needs the viz extra: pip install -e '.[viz]'")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``solara run sim/demo/app.py`` on a free port, offline-proofed: the CDN address goes nowhere."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("solara") / "server.log"
    env = os.environ | {
        "MPLBACKEND": "Agg",
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",  # a cache miss must fail, not reach the internet
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    command = [sys.executable, "-m", "solara", "run", "sim/demo/app.py", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-open", "--production", "--no-check-version"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"solara exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            pytest.fail(f"solara did not answer within 60 s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


class Tab:
    """One browser tab on the demo (one solara session, so one fresh model), and what it fetched."""

    def __init__(self, browser, url):
        self.page = browser.new_page(viewport={"width": 1600, "height": 1100})
        self.external, self.failed = [], []
        self.page.on("request", self._on_request)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.failure} {r.url}"))
        self.page.goto(url)
        self.button("Step").wait_for(timeout=TIMEOUT_MS)
        self.page.wait_for_function(
            'document.querySelectorAll(\'img[src^="data:"], img[src^="blob:"]\').length >= 2', timeout=TIMEOUT_MS
        )

    def _on_request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            self.external.append(request.url)

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def images(self):
        """The network and the charts, as the src of their <img> (the PNG bytes)."""
        return self.page.eval_on_selector_all("img", "els => els.map(e => e.src)")[:2]

    def day(self):
        """The page's own day counter (Mesa 3.5's sidebar shows the model clock as "Time: N.0")."""
        return int(self.page.locator(".wom-day").inner_text().removeprefix("Day "))

    def wait_day(self, day):
        sync_api.expect(self.page.locator(".wom-day")).to_have_text(f"Day {day}", timeout=TIMEOUT_MS)

    def wait_images_change(self, old, which=(0, 1)):
        """Wait until each image in ``which`` (0 network, 1 charts) differs from ``old``."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = self.images()
            if len(new) == 2 and all(new[i] != old[i] for i in which):
                return new
            self.page.wait_for_timeout(200)
        pytest.fail(f"images {which} (0 network, 1 charts) did not change")

    def page_text(self):
        return self.page.locator("body").inner_text()

    def set_slider(self, label, presses, key="ArrowRight"):
        slider = self.page.get_by_role("slider", name=label)
        slider.focus()
        for _ in range(presses):
            self.page.keyboard.press(key)
        return slider.get_attribute("aria-valuenow")

    def choose(self, select_label, option):
        select = self.page.get_by_role("button", name=select_label)
        select.click()
        menu = self.page.locator(".menuable__content__active")  # the open list (a closed one may still fade out)
        menu.get_by_role("option", name=option, exact=True).click()
        sync_api.expect(select).to_contain_text(option)
        sync_api.expect(menu).to_have_count(0)

    def close(self):
        self.page.close()


@pytest.fixture()
def tab(server, browser):
    t = Tab(browser, server)
    yield t
    t.close()


def test_page_loads_with_no_internet_asset(tab):
    assert "What you are looking at" in tab.page_text()
    assert tab.day() == 0 and len(tab.images()) == 2
    assert "Time: 0.0" in tab.page_text()  # Mesa's own clock agrees
    tab.page.wait_for_load_state("networkidle")
    assert tab.external == [], f"fetched from outside the machine: {tab.external}"
    assert tab.failed == [], f"requests that failed (an asset missing offline?): {tab.failed}"


def test_step_then_play_and_pause_move_network_and_charts(tab):
    start = tab.images()
    tab.button("Step").click()
    tab.wait_day(1)
    tab.button("Step").click()
    tab.wait_day(2)
    stepped = tab.wait_images_change(start)
    tab.button("▶").click()
    tab.page.wait_for_function(
        "() => { const d = document.querySelector('.wom-day'); return d && +d.innerText.slice(4) >= 6; }",
        timeout=TIMEOUT_MS,
    )
    tab.button("❚❚").click()
    tab.button("Step").wait_for(timeout=TIMEOUT_MS)  # enabled again once paused
    tab.page.wait_for_timeout(2500)  # a step already under way may still land and be drawn
    paused_at = tab.day()
    tab.page.wait_for_timeout(2000)
    assert tab.day() == paused_at >= 6, "the model kept running after pause"
    tab.wait_images_change(stepped)


def test_slider_and_policy_change_the_run(tab):
    assert "left: full" in tab.page_text()
    assert tab.set_slider("Complaint share", 17) == "0.5"
    tab.choose("Policy (left)", "apology")
    tab.choose("Compare with (right, same seed)", "proactive")
    tab.button("Step").click()
    tab.wait_day(1)
    before = tab.images()
    assert "left: full" in tab.page_text()  # settings wait for Reset, as in every Mesa app
    tab.button("Reset").click()
    tab.wait_day(0)
    tab.page.get_by_text("left: apology").wait_for(timeout=TIMEOUT_MS)
    text = tab.page_text()
    assert "right: proactive" in text and "50.0% of the unhappy complain" in text
    tab.button("Step").click()
    tab.wait_day(1)
    tab.wait_images_change(before)


def test_inject_into_the_storm_and_save_screenshot(tab):
    assert tab.set_slider("Render Interval (steps)", 15) == "31"  # Step now moves 31 days
    tab.button("Step").click()
    tab.wait_day(31)
    tab.button("Step").click()
    tab.wait_day(62)
    before = tab.images()
    tab.button("Hit the busiest").click()
    tab.page.get_by_text(re.compile(r"Day 62: customer \d+ \(\d+ friends\)")).wait_for(timeout=TIMEOUT_MS)
    after_hit = tab.wait_images_change(before, which=(0,))  # at once, without a step
    tab.set_slider("Render Interval (steps)", 20, key="ArrowLeft")
    for day in (63, 64, 65):
        tab.button("Step").click()
        tab.wait_day(day)
    tab.wait_images_change(after_hit)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "app.png"
    tab.page.mouse.move(0, 0)
    tab.page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring, same bytes each run
    tab.page.wait_for_timeout(500)
    tab.page.screenshot(path=str(shot), full_page=True, animations="disabled", caret="hide")
    assert shot.stat().st_size > 50_000
    refresh_readme_figure(shot)


def refresh_readme_figure(shot: Path) -> None:
    """Copy the screenshot for the README unless only anti-aliasing differs (a few dozen pixels run to run)."""
    if README_FIGURE.is_file():
        old, new = (np.asarray(Image.open(p).convert("RGB"), dtype=np.int16) for p in (README_FIGURE, shot))
        if (
            old.shape == new.shape
            and np.count_nonzero(np.abs(old - new).sum(axis=2) > 24) < 1e-4 * old.shape[0] * old.shape[1]
        ):
            return
    README_FIGURE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, README_FIGURE)
