"""`make lab` serves JupyterLab: start it headless on a free port, GET /lab answers 200, stop it cleanly.

The test runs the real Makefile target from the repository root, so it also proves the target's set-up
step is a no-op on an installed ``.venv`` (a fresh clone installs first; see docs/launch.md for timings).
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from browser_utils import (
    free_port,
    headless_lab_args,
    isolated_lab_env,
    port_is_open,
    start_in_own_group,
    stop_group,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_make_lab_serves_jupyterlab_and_stops_cleanly(tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.skip("no `make` on this machine")
    port = free_port()
    lab_args = " ".join(headless_lab_args(port))
    log = tmp_path / "make-lab.log"
    proc = start_in_own_group(
        [make, "lab", f"LAB_ARGS={lab_args}"],
        cwd=ROOT,
        env=isolated_lab_env(tmp_path / "jupyter"),
        log=log,
    )
    try:
        status, body, seconds = wait_for_http(
            f"http://127.0.0.1:{port}/lab", proc, log, timeout=240
        )
        print(f"make lab answered /lab after {seconds:.1f} s")
        assert status == 200, f"/lab answered {status}"
        assert "JupyterLab" in body and "jupyter-config-data" in body, "the page is JupyterLab's"
        # The target serves notebooks/ and opens the landing notebook from it.
        status, _, _ = wait_for_http(
            f"http://127.0.0.1:{port}/api/contents/00_welcome.ipynb?content=0",
            proc,
            log,
            timeout=30,
        )
        assert status == 200, "notebooks/00_welcome.ipynb is served"
    finally:
        code, survivors = stop_group(proc)
    output = log.read_text()
    assert not survivors, f"processes left running after stopping make lab: {survivors}"
    assert not port_is_open(port), f"port {port} still open after the stop"
    assert "Shutting down" in output, f"the server did not shut down cleanly:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert code in (0, -signal.SIGTERM), (
        f"make lab ended with {code} instead of stopping on SIGTERM"
    )


def test_the_old_jupyterlab_3_maths_extension_is_disabled_here_and_on_binder():
    """jupyterlab-rise pulls in @jupyterlab/mathjax3-extension; JupyterLab 4 typesets maths itself."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in (out.stdout + out.stderr).splitlines() if "mathjax3-extension v" in x)
    assert "disabled" in line, line
    config = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "page_config.json"
    assert json.loads(config.read_text())["disabledExtensions"]["@jupyterlab/mathjax3-extension"]
    assert (
        "labextension disable --level=sys_prefix @jupyterlab/mathjax3-extension"
        in (ROOT / "postBuild").read_text()
    )
