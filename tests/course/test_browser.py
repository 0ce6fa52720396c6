"""Lesson 7 in a real browser: JupyterLab headless, Chromium driven by Playwright, Run All Cells."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ._notebooks import LESSONS_DIR

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LESSON = "07_gradient_descent.ipynb"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (Debian's chromium package; .ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on localhost with no token, its own config dirs, serving a copy of the lessons."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("playwright")
    home = tmp_path_factory.mktemp("lab")
    root = home / "lessons"
    shutil.copytree(LESSONS_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    env = dict(os.environ, COURSE_ENGINE="minigrad", OMP_NUM_THREADS="1",
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"))
    env.pop("MPLBACKEND", None)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--allow-root"],
        env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("jupyter lab exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_lesson_7_runs_in_the_browser(lab):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("lesson07_browser*.png"):
        old.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{lab}/lab/tree/{LESSON}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            # the status bar says Idle once the kernel is connected; a Run All sent earlier is lost
            page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=180_000)
            for attempt in range(3):
                page.click("text=Run", timeout=30_000)
                page.click("text=Run All Cells", timeout=30_000)
                try:  # the first code cell shows [*] or [1] once the run has really started
                    page.wait_for_function(
                        """() => {
                            const first = document.querySelector('.jp-CodeCell .jp-InputArea-prompt');
                            return first !== null && /\\[(\\*|\\d+)\\]/.test(first.textContent);
                        }""", timeout=30_000)
                    break
                except PlaywrightTimeout:
                    page.keyboard.press("Control+Home")
            # Run All ends at the last cell, whose output is the last self-check's verdict (JupyterLab
            # renders only the cells near the view); then the kernel goes idle
            page.wait_for_selector(".jp-OutputArea-output:has-text('Exercise 3:')", timeout=int(os.environ.get('COURSE_BROWSER_TIMEOUT_MS', 280_000)))
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            page.wait_for_selector(".jp-OutputArea-output img", timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "lesson07_browser.png"), full_page=True)
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] "
                                  ":text('Traceback'), .jp-RenderedText[data-mime-type*='error']")
            assert errors.count() == 0, errors.first.inner_text()
            images = page.locator(".jp-OutputArea-output img")
            assert images.count() >= 1
            assert images.first.evaluate("img => img.naturalWidth") > 100
        finally:
            if not (ARTIFACTS / "lesson07_browser.png").exists():
                page.screenshot(path=str(ARTIFACTS / "lesson07_browser_failed.png"))
            browser.close()
