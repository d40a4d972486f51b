"""A real browser on a real JupyterLab: notebook 01 runs, its time-step widget renders and redraws.

Starts ``jupyter lab`` from the project's ``.venv`` headless on a free port, with settings, workspaces and
runtime files in the test's temporary folder (autosave off, every cell rendered), serving a copy of
``notebooks/01_basic_recurrent_cell.ipynb`` so nothing in the checkout is written. Playwright drives
Debian's chromium (``executable_path``; Playwright's own browser download does not work offline): Run All,
wait for the kernel to go idle, find the IntSlider "time step", move it with the keyboard and check that
the figure it controls is redrawn, that no widget shows "Error displaying widget" and no cell shows an
error. A screenshot goes to the test's temporary folder (and to ``$COURSE_ARTIFACTS_DIR`` when set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from browser_utils import (
    free_port,
    group_members,
    headless_lab_args,
    isolated_lab_env,
    start_in_own_group,
    stop_group,
    wait_for_http,
)
from conftest import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_basic_recurrent_cell.ipynb"
SLIDER = "time step"
BINDER_BUDGET_MB = 1536  # Binder's limit is 2048 MB; leave a quarter for a second notebook's kernel
RUN_TIMEOUT_S = 150  # notebook 01 runs in well under a minute; a busy CI machine gets head-room
STDERR_MIME = "application/vnd.jupyter.stderr"  # how JupyterLab renders tracebacks and stderr


def lab_command() -> list[str]:
    """``jupyter lab`` of the project's environment (the .venv that ``make`` builds)."""
    jupyter = ROOT / ".venv" / "bin" / "jupyter"
    return [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyter", "lab"]


def lab_settings(env: dict[str, str]) -> None:
    """Render every cell (no windowing), so the DOM shows every prompt and output; start the notebook's
    kernel without asking (otherwise a "Select Kernel" dialog may cover the notebook)."""
    tracker = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True})
    )


@pytest.fixture
def lab_server(tmp_path):
    """A JupyterLab serving a copy of notebook 01; yields its base URL and its process."""
    if not NOTEBOOK.exists():
        pytest.fail(
            f"{NOTEBOOK.relative_to(ROOT)} is missing: the browser test drives its time-step widget"
        )
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy2(NOTEBOOK, served / NOTEBOOK.name)
    env = isolated_lab_env(tmp_path / "jupyter")
    lab_settings(env)
    port = free_port()
    log = tmp_path / "lab.log"
    cmd = [*lab_command(), *headless_lab_args(port), f"--ServerApp.root_dir={served}"]
    proc = start_in_own_group(cmd, cwd=served, env=env, log=log)
    try:
        status, _, _ = wait_for_http(f"http://127.0.0.1:{port}/lab", proc, log, timeout=120)
        assert status == 200
        yield f"http://127.0.0.1:{port}", proc
    finally:
        _, survivors = stop_group(proc)
        assert not survivors, f"left running after the server stopped: {survivors}"


def wait_until(predicate, timeout: float, what: str, page=None, interval: float = 0.5):
    """Poll ``predicate`` until it returns something truthy; fail naming ``what`` after ``timeout``.

    With ``page``, the failure message carries the cell prompts and the kernel status.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            state = (
                f"; prompts {prompts(page)}, kernel {kernel_status(page)}"
                if page is not None
                else ""
            )
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{state}")
        if page is not None:
            page.wait_for_timeout(interval * 1000)  # keeps Playwright's event loop running
        else:
            time.sleep(interval)


def prompts(page) -> list[str]:
    """The input prompts of every code cell, e.g. ['[1]:', '[*]:', '[ ]:']."""
    return page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()


def keep_artifacts(*paths: Path) -> None:
    """Copy screenshots to ``$COURSE_ARTIFACTS_DIR`` (CI uploads it) when that is set."""
    if os.environ.get("COURSE_ARTIFACTS_DIR"):
        target = Path(os.environ["COURSE_ARTIFACTS_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy2(path, target / path.name)


def menu_command(page, menu: str, item: str) -> None:
    """Click ``item`` in the main menu ``menu`` (e.g. Run > Run All Cells)."""
    page.locator(
        ".lm-MenuBar-item", has=page.locator(f'.lm-MenuBar-itemLabel:text-is("{menu}")')
    ).click()
    page.locator(
        ".lm-Menu.lm-MenuBar-menu .lm-Menu-item",
        has=page.locator(f'.lm-Menu-itemLabel:text-is("{item}")'),
    ).click()


def run_all_cells(page, attempts: int = 3) -> int:
    """Run > Run All Cells; returns the number of clicks it took for the cells to start.

    A menu click can be swallowed while Lumino's menu is still opening; the cells' prompts show whether
    the command ran ("[*]:" queued or "[n]:" done), so the click is repeated only while none changed.
    """
    for attempt in range(1, attempts + 1):
        menu_command(page, "Run", "Run All Cells")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if any(p.strip() not in ("[ ]:", "[]:") for p in prompts(page)):
                return attempt
            page.wait_for_timeout(300)
    raise AssertionError(
        f"Run All Cells did not start any cell after {attempts} clicks; prompts {prompts(page)}"
    )


def kernel_status(page) -> str | None:
    return page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")


@pytest.mark.browser
@pytest.mark.slow
def test_notebook_01_time_step_widget_redraws_in_jupyterlab(chromium, lab_server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, server = lab_server
    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/{NOTEBOOK.name}?reset", wait_until="domcontentloaded")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
            wait_until(lambda: kernel_status(page) == "idle", 90, "the kernel to start", page)
            page.wait_for_timeout(1000)
            assert page.locator(".jp-Dialog").count() == 0, (
                f"a dialog covers the notebook: {page.locator('.jp-Dialog').all_inner_texts()}"
            )

            # Edit > Clear Outputs of All Cells, then Run > Run All Cells, as a student would. Clearing first
            # means every "[n]:" prompt and every output below comes from this kernel, not from the file.
            menu_command(page, "Edit", "Clear Outputs of All Cells")
            wait_until(
                lambda: all(p.strip() in ("[ ]:", "[]:") for p in prompts(page)),
                30,
                "outputs to clear",
                page,
            )
            assert page.locator(".jp-CodeCell .jp-OutputArea-output").count() == 0
            clicks = run_all_cells(page)
            wait_until(
                lambda: (
                    kernel_status(page) == "idle"
                    and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts(page))
                ),
                RUN_TIMEOUT_S,
                "every cell to run and the kernel to go idle",
                page,
            )
            counts = [p.strip() for p in prompts(page)]
            assert counts == [f"[{i}]:" for i in range(1, len(counts) + 1)], (
                f"cells ran in order once each: {counts}"
            )

            # Binder gives 2 GB: the server and the kernel that ran the whole notebook must fit with room.
            server_mb = sum(p.memory_info().rss for p in group_members(server)) / 2**20
            assert server_mb < BINDER_BUDGET_MB, (
                f"server + kernel use {server_mb:.0f} MB after Run All"
            )

            errors = page.locator(f'.jp-OutputArea-output[data-mime-type="{STDERR_MIME}"]')
            assert errors.count() == 0, f"cell error/stderr output: {errors.all_inner_texts()[:3]}"

            box = page.locator(
                ".widget-vbox", has=page.locator(f'.widget-label:text-is("{SLIDER}")')
            ).last
            box.wait_for(timeout=30_000)
            slider = box.locator(
                ".widget-slider", has=page.locator(f'.widget-label:text-is("{SLIDER}")')
            )
            readout = slider.locator(".widget-readout")
            image = box.locator(".widget-output img")
            image.wait_for(timeout=30_000)
            box.scroll_into_view_if_needed()
            before_value, before_src = readout.inner_text().strip(), image.get_attribute("src")
            assert before_src and before_src.startswith("data:image/png;base64,")

            # One step right with the keyboard (the slider's handle takes arrow keys): one redraw.
            slider.locator(".noUi-handle").focus()
            page.keyboard.press("ArrowRight")
            wait_until(
                lambda: readout.inner_text().strip() != before_value, 20, "the slider to move", page
            )
            after_value = readout.inner_text().strip()
            assert int(after_value) == int(before_value) + 1, (before_value, after_value)
            after_src = wait_until(
                lambda: (
                    (src := image.get_attribute("src")) != before_src
                    and kernel_status(page) == "idle"
                    and src
                ),
                30,
                "the figure to be redrawn and the kernel to go idle",
                page,
            )
            assert after_src.startswith("data:image/png;base64,") and len(after_src) > 1000
            page.wait_for_timeout(1000)
            assert image.get_attribute("src") == after_src, "one slider step redraws exactly once"

            page.wait_for_timeout(500)  # let the new image paint before the screenshot
            shot = tmp_path / "jupyterlab-notebook01-widget.png"
            box.scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
            body = page.locator("body").inner_text()
            assert "Error displaying widget" not in body
            assert (
                page.locator(f'.jp-OutputArea-output[data-mime-type="{STDERR_MIME}"]').count() == 0
            )
        except BaseException:
            failure = tmp_path / "failure.png"
            page.screenshot(path=str(failure), full_page=True)
            (tmp_path / "failure.html").write_text(page.content())
            keep_artifacts(failure, tmp_path / "failure.html")
            raise
        finally:
            browser.close()
    keep_artifacts(shot)
    print(
        f"browser test: Run All took {clicks} click(s); slider {before_value} -> {after_value}, figure redrawn; server + kernel {server_mb:.0f} MB; {time.monotonic() - started:.0f} s in the browser"
    )
