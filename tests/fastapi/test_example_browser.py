"""The example app (examples/fastapi_app) in a real headless Chromium, driven by Selenium.

The browser talks to the app through a proxy whose connections the test cuts in the middle of
the run: the page's ``EventSource`` reconnects with ``Last-Event-ID`` and the relay resumes the
run's upstream stream from there. The page must end with every node's final status, the run's
final status and every event exactly once.

Skipped only when Chromium and its driver are not installed here; ``.ci/run`` installs them and
sets ``B3OS_REQUIRE_BROWSER=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from kit_helpers import CuttableProxy, serve

from b3os_async import B3OS
from b3os_async.testing import Emulator

# A full matrix: part of CI, left out of the fast suite (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fastapi_app" / "app.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need_browser() -> None:
    if CHROMIUM and DRIVER:
        return
    missing = "chromium" if not CHROMIUM else "chromedriver"
    if os.environ.get("B3OS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{missing} is not installed but B3OS_REQUIRE_BROWSER=1 (set by .ci/run)")
    pytest.skip(f"{missing} is not installed (apt-get install chromium chromium-driver)")


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("b3os_example_fastapi_app", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _in_browser(url: str, cut: Callable[[], None]) -> dict[str, Any]:
    """Drive the page (runs in a thread: Selenium blocks). Returns what the page shows."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="b3os-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
        try:
            driver.get(url)
            driver.find_element(By.ID, "start").click()
            deadline = time.monotonic() + 20
            while len(driver.find_elements(By.CSS_SELECTOR, "#log li")) < 4:
                assert time.monotonic() < deadline, "the page shows no events"
                time.sleep(0.02)
            status_at_cut = driver.find_element(By.ID, "status").text
            cut()
            while not driver.execute_script("return window.b3.done"):
                assert time.monotonic() < deadline, "the run never finished on the page"
                time.sleep(0.05)
            return {
                "run_id": driver.find_element(By.ID, "run-id").text,
                "status": driver.find_element(By.ID, "status").text,
                "status_at_cut": status_at_cut,
                "error": driver.find_element(By.ID, "error").text,
                "opens": driver.execute_script("return window.b3.opens"),
                "nodes": driver.execute_script(
                    "return Object.fromEntries([...document.querySelectorAll('#nodes li')]"
                    ".map((li) => [li.id.slice(5), li.dataset.status]))"
                ),
                "log": driver.execute_script(
                    "return [...document.querySelectorAll('#log li')]"
                    ".map((li) => [li.dataset.id, li.dataset.type])"
                ),
            }
        finally:
            driver.quit()


async def test_the_page_survives_a_cut_connection_with_every_event_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cut mid-run, the page reconnects and ends with all nodes, the status, each event once."""
    _need_browser()
    async with Emulator(seed=21) as emu:
        monkeypatch.setenv("B3OS_API_KEY", emu.api_key)
        monkeypatch.setenv("B3OS_BASE_URL", emu.url)
        monkeypatch.setenv("DEMO_DELAY_MS", "1500")  # the run lasts ~3 s: the cut is mid-run
        monkeypatch.delenv("B3OS_HOOK_SECRET", raising=False)
        example = _load_example()
        async with serve(example.app) as url:
            port = int(url.rsplit(":", 1)[1])
            async with CuttableProxy(port) as proxy:
                loop = asyncio.get_running_loop()
                page = await asyncio.to_thread(
                    _in_browser,
                    f"http://127.0.0.1:{proxy.port}/",
                    lambda: loop.call_soon_threadsafe(proxy.cut),
                )
                cuts = proxy.cuts
        async with (
            B3OS(api_key=emu.api_key, base_url=emu.url) as b3,
            b3.runs.stream(page["run_id"]) as stream,
        ):
            upstream = [[event.id, event.type] async for event in stream]
    assert cuts == 1
    assert page["status_at_cut"] == "running"
    assert page["opens"] >= 2  # it reconnected
    assert page["error"] == ""
    assert page["log"] == upstream  # every event, in order, exactly once
    assert page["status"] == "success"
    assert page["nodes"] == {
        "root": "success", "fetch": "success", "price": "success", "settle": "success",
        "check": "success", "alert": "success", "quiet": "skipped",
    }  # fmt: skip
