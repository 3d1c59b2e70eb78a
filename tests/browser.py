"""A real headless Chromium for tests of anything that is a page (the teaching app, the sweep report).

Uses Debian's ``chromium`` and ``chromium-driver`` packages through Selenium; nothing downloads a browser or a driver
of its own. With ``CI=true`` the browser must be there (``.ci/run`` installs it); elsewhere, without it, the tests that
ask for the ``browser`` fixture skip with a message that says how to enable them.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOW = "install Debian's browser to run them: apt-get install -y chromium chromium-driver"
# Flags that keep Chromium off the network on a closed machine and let it run as root in a container.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000")


def available() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def require() -> None:
    """Skip (or, in CI, fail) when headless Chromium is not installed."""
    if available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but no headless Chromium at {CHROMIUM} / {CHROMEDRIVER}; {HOW}")
    pytest.skip(f"browser tests need headless Chromium; {HOW}")


def start():
    """A Selenium WebDriver on headless Chromium with a fresh profile; the caller quits it."""
    require()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='contactsim-chromium-')}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


@pytest.fixture
def browser():
    driver = start()
    try:
        yield driver
    finally:
        driver.quit()
