"""Helpers for the tests that start a real JupyterLab: free ports, isolated settings, start and clean stop.

Used by ``test_lab.py`` (``make lab`` serves ``/lab``) and ``test_browser_lab.py`` (Playwright drives
Debian's chromium against a live server). The server runs in its own process group so that stopping it
reaches the kernels it started, and every Jupyter directory that a run could write to (settings,
workspaces, runtime files) points into the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil


def headless_lab_args(port: int) -> list[str]:
    """Arguments for a server a test can reach on ``port`` without a browser window, token or password.

    ``--allow-root`` only where the tests run as root (CI containers): Jupyter refuses to start otherwise.
    """
    args = [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def isolated_lab_env(home: Path, *, autosave: bool = False) -> dict[str, str]:
    """Environment for a Jupyter server whose config, settings, workspaces and runtime live in ``home``.

    The user settings turn autosave off, so driving a notebook never writes it back to disk. TensorFlow
    is quietened, and ``MPLBACKEND`` is removed so the kernel uses the inline backend (figures as images).
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "workspaces",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    docmanager = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True, exist_ok=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": autosave}))
    # No "what's new" / news pop-ups that could cover the notebook.
    news = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"})
    return env


def start_in_own_group(
    cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen:
    """Start ``cmd`` as the leader of a new process group, output to ``log``."""
    out = log.open("wb")
    try:
        return subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        out.close()  # the child keeps its own descriptor


def wait_for_http(
    url: str, proc: subprocess.Popen, log: Path, timeout: float
) -> tuple[int, str, float]:
    """Poll ``url`` until it answers; return (status, body, seconds waited). Fails if ``proc`` exits."""
    start = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise AssertionError(
                f"the server exited with {proc.returncode} before {url} answered:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return (
                    response.status,
                    response.read().decode("utf-8", "replace"),
                    time.monotonic() - start,
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last = exc
            time.sleep(0.5)
    raise AssertionError(
        f"{url} did not answer within {timeout:.0f} s ({last}):\n{log.read_text()[-4000:]}"
    )


def group_members(proc: subprocess.Popen) -> list[psutil.Process]:
    """``proc`` and all its descendants that are still alive."""
    try:
        leader = psutil.Process(proc.pid)
        return [leader, *leader.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def stop_group(proc: subprocess.Popen, timeout: float = 30) -> tuple[int, list[str]]:
    """SIGTERM the process group (the server shuts its kernels down); return (exit code, survivors).

    Survivors are processes of the group still alive ``timeout`` seconds later; they are then killed so
    that a failing test leaves nothing behind, and reported so that the test can fail.
    """
    members = group_members(proc)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    _, alive = psutil.wait_procs(members, timeout=max(1.0, timeout / 3))
    survivors = [f"{p.pid} {p.name()}" for p in alive if p.is_running()]
    if survivors or code is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        code = proc.wait(timeout=10) if code is None else code
    return code, survivors
