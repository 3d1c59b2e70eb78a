"""The teaching app in a real browser: ``contactsim app`` serves it on a free port, headless Chromium opens each
lesson, moves a control with the keyboard as a student would, sees a shown number change, and saves a screenshot of
the lesson under plots/app/ (shown in the README's section for educators). One browser session and one server visit
every lesson."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the teaching app needs the [app] extra: pip install -e '.[app]'")

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "plots" / "app"
# lesson page → (screenshot name, the key pressed on the page's first slider)
LESSONS = {
    "queues": ("lesson1_queues", "ARROW_RIGHT"),
    "funnel": ("lesson2_funnel", "ARROW_LEFT"),
    "social": ("lesson3_social", "ARROW_LEFT"),
    "reputation": ("lesson4_reputation", "ARROW_RIGHT"),
    "follow": ("lesson5_follow", "ARROW_RIGHT"),
}
WAIT_S = 240  # a loaded 2-core machine: the first run of a page imports and simulates


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    cmd = [sys.executable, "-c", "import sys; from sim.cli import main; sys.exit(main(sys.argv[1:]))",
           "app", "--port", str(port), "--no-browser"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                    pytest.fail(f"contactsim app did not start on port {port}: {out[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def numbers(driver) -> list[str]:
    """The metric cards' values (read in one script call: Streamlit redraws elements while it runs)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]')).map(e => e.innerText)")


def settled(driver) -> bool:
    """The page shows its numbers and figures (no placeholder left) and is not running a script."""
    charts, drawn, waiting, running = driver.execute_script(
        "const q = s => document.querySelectorAll(s);"
        "return [q('[data-testid=\"stPlotlyChart\"]').length, q('[data-testid=\"stPlotlyChart\"] .main-svg').length,"
        " q('[data-testid=\"stSkeleton\"]').length + q('[data-stale=\"true\"]').length,"
        " Array.from(q('[data-testid=\"stStatusWidget\"]')).map(e => e.innerText).join(' ')]")
    return bool(numbers(driver)) and charts > 0 and drawn >= charts and waiting == 0 and "Running" not in running \
        and "Stop" not in running


def test_every_lesson_in_one_browser(browser, app_url):
    """One browser session visits every lesson in turn: it renders, a slider moved with the keyboard changes a shown
    number, no exception is shown, and a screenshot is saved."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1400, 1900)
    browser.set_script_timeout(120)
    busy = (TimeoutException, StaleElementReferenceException)  # a busy browser: ask again
    wait = WebDriverWait(browser, WAIT_S, poll_frequency=0.5, ignored_exceptions=busy)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, (shot, key) in LESSONS.items():
        browser.get(f"{app_url}/{page}")
        wait.until(settled)
        before = numbers(browser)
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'), f"{page}: an exception"
        # the first slider, moved one step with the keyboard (its range input is visually hidden, so focus it)
        thumb = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSlider"] input[type="range"]')
        browser.execute_script("arguments[0].focus()", thumb)
        ActionChains(browser).send_keys(getattr(Keys, key)).perform()
        wait.until(lambda d, b=before: settled(d) and numbers(d) != b)
        assert numbers(browser) != before, f"{page}: moving a slider changed no number"
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'), f"{page}: an exception"
        time.sleep(0.5)  # let the figures' transitions end
        browser.save_screenshot(str(SHOTS / f"{shot}.png"))
        assert (SHOTS / f"{shot}.png").stat().st_size > 10_000, page
