"""Run a submission's code in a separate, limited process and call its functions from the grader.

The grader (this process) holds the tests; the submission runs in a child process started by
:class:`Sandbox` with

* resource limits (``resource.prlimit``): CPU seconds, address space (NumPy assignments), file size,
  no core dumps; plus a resident-memory watchdog (``psutil``) and wall-clock deadlines on every step;
* its own session (process group), killed as a whole on any limit;
* a fresh temporary folder as working directory and ``HOME``, a copy of ``course_utils`` *without*
  ``reference``, ``gradcheck`` and ``grading``, Python started isolated (``-I -S``, no editable install);
* Landlock (see :mod:`course_utils.grading._child`): files readable only in the Python installation and
  its own folder, writable only there, no TCP, no signals outside the sandbox;
* its output captured through a pipe of which only the first :attr:`Limits.output_bytes` are kept.

Grading fails closed: :func:`missing_isolation` names what this platform lacks (``resource.prlimit``,
a working memory cap, Landlock), and a strict :class:`Sandbox` refuses to run the submission when a limit
cannot be set or Landlock cannot be applied. ``--allow-unsandboxed`` (``strict=False``) is the
instructor's explicit opt-out; every report then says so.

Only plain data comes back (:func:`course_utils.grading._child.decode` accepts numbers, strings and
numeric arrays, nothing that could run code here). Objects that are not data (a cache dataclass, a Keras
model) stay in the child and are represented here by :class:`RemoteObject` handles.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

try:  # POSIX only; its absence (Windows) is reported by missing_isolation
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

from . import _child
from ._child import HEADER_SIZE, MAX_FRAME, RemoteRef, decode, encode, frame

__all__ = [
    "IsolationError",
    "Limits",
    "RemoteError",
    "RemoteObject",
    "Sandbox",
    "SandboxLost",
    "landlock_available",
    "missing_isolation",
]

BLOCKED = ["course_utils.reference", "course_utils.gradcheck", "course_utils.grading"]
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # course_utils/
_SHADOW_SKIP = {"reference", "gradcheck.py", "grading", "__pycache__"}


@dataclass(frozen=True)
class Limits:
    """Limits for one submission (all of its test calls together)."""

    total_s: float = 120.0  # wall-clock budget: running the notebook plus every test call
    notebook_s: float = 90.0  # at most this long to run the notebook's cells
    call_s: float = 30.0  # at most this long for one function call
    memory_mb: int = (
        1500  # resident memory (watchdog) and, if ``address_space`` is set, address space
    )
    address_space: bool = (
        True  # also cap virtual memory (fine for NumPy; TensorFlow reserves a lot)
    )
    output_bytes: int = 20_000  # printed output kept (the rest is read and dropped)
    file_mb: int = 64  # largest file the submission may write in its folder
    restarts: int = 2  # new processes after a crash before every remaining test is failed


class SandboxLost(RuntimeError):
    """The submission's process is gone (time or memory limit, exit, crash, corrupted channel)."""


class IsolationError(RuntimeError):
    """The isolation that grading promises does not hold here (and unsandboxed grading was not allowed)."""


class RemoteError(RuntimeError):
    """A submission's function raised; ``error`` is ``"TypeError: ..."``, ``where`` the cell and line."""

    def __init__(self, name: str, error: str, where: str = ""):
        super().__init__(f"{name} raised {error}" + (f" ({where})" if where else ""))
        self.name, self.error, self.where = name, error, where


def landlock_available() -> bool:
    """Whether this kernel offers Landlock (file, network and signal isolation of the child)."""
    return _child.landlock_abi() >= 1


def _psutil_available() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def missing_isolation(limits: Limits) -> list[str]:
    """What this platform lacks of the isolation grading promises; ``[]`` when all of it holds.

    Needed: ``resource.prlimit`` (CPU time, file size, core dumps, address space), a working memory cap
    (the address-space limit where ``limits.address_space`` is set, else the psutil watchdog) and
    Landlock (the filesystem wall that keeps the hidden tests and the grader's files out of reach).
    """
    missing = []
    prlimit = resource is not None and hasattr(resource, "prlimit")
    if not prlimit:
        missing.append(
            "resource limits: resource.prlimit is missing (it exists on Linux only; grade on Linux)"
        )
    if not _psutil_available() and not (prlimit and limits.address_space):
        missing.append(
            "a memory cap: psutil is not installed (pip install 'course-utils[grading]'), and this "
            "assignment has no address-space limit"
        )
    if not landlock_available():
        missing.append(
            "a filesystem wall: Landlock is unavailable (Linux >= 5.13 with landlock among the "
            "enabled LSMs, see /sys/kernel/security/lsm): the submission could read the hidden tests"
        )
    return missing


class RemoteObject(RemoteRef):
    """An object that lives in the submission's process (e.g. a cache); usable as an argument.

    Attribute access and calls are forwarded: ``model.predict(x)`` on a remote Keras model returns the
    predictions as an array.
    """

    def __init__(self, sandbox: Sandbox, ref: dict, label: str):
        self._sandbox, self.ref, self._label = sandbox, ref, label
        self.type_name = ref.get("type", "object")
        self.generation = sandbox.starts

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._sandbox.request(
            {"op": "getattr", "target": self.ref, "attr": attr}, f"{self._label}.{attr}"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._sandbox.call_ref(self.ref, self._label, args, kwargs)

    def __repr__(self) -> str:
        return f"<remote {self.type_name} {self._label}>"


class RemoteFunction(RemoteRef):
    """A top-level name of the submission (a function), called in the submission's process."""

    def __init__(self, sandbox: Sandbox, name: str):
        self._sandbox, self.name = sandbox, name
        self.ref = {"__global__": name}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._sandbox.call_ref(self.ref, self.name, args, kwargs)

    def __repr__(self) -> str:
        return f"<submission function {self.name}>"


_RLIMIT_NAMES = (
    {
        getattr(resource, n): n
        for n in ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_CORE", "RLIMIT_AS")
        if hasattr(resource, n)
    }
    if resource is not None
    else {}
)
_NUMPY_FUNCTIONS = [(getattr(np, n), n) for n in _child.NUMPY_FUNCTIONS]


def _stdlib_paths() -> list[str]:
    prefixes = (sys.base_prefix, sys.base_exec_prefix)
    return [p for p in sys.path if p and p.startswith(prefixes) and "site-packages" not in p]


def _site_packages() -> list[str]:
    import site

    return [p for p in site.getsitepackages() if os.path.isdir(p)]


class Sandbox:
    """One submission's process. Started lazily; restarted (up to ``limits.restarts``) after a crash.

    >>> # Typical use by the grader:
    >>> # box = Sandbox(cells, Limits()); f = box.function("rnn_forward"); h, cache = f(x, h0, Wx, Wh, b)
    """

    def __init__(
        self,
        cells: list[str],
        limits: Limits = Limits(),
        *,
        strict: bool = True,
    ):
        self.cells = list(cells)
        self.limits = limits
        # strict: refuse to run the submission when a limit or Landlock cannot be applied
        self.strict = strict
        self.deadline = time.monotonic() + limits.total_s
        self.starts = 0
        self.cell_errors: list[dict] = []
        self.blocked: list[str] = []
        self.landlock: int | None = None  # the Landlock ABI applied, once the notebook has run
        self.lost: str | None = None  # why the last process ended, if it did
        self.fatal: str | None = None  # set when no new process will be started
        self.limit_hit = False  # a time, memory or file-size limit ended a process
        self.crashed = False  # the submission ended a process otherwise (exit, crash, channel)
        self.refused: str | None = None  # why the isolation could not be applied (strict mode)
        self._proc: subprocess.Popen | None = None
        self._output = bytearray()
        self._output_dropped = 0
        self._dir: str | None = None

    # -- life cycle --------------------------------------------------------------------------------------
    def function(self, name: str) -> RemoteFunction:
        return RemoteFunction(self, name)

    @property
    def output(self) -> str:
        """What the submission printed (first ``limits.output_bytes``), with a note if more was dropped."""
        text = self._output.decode("utf-8", "replace")
        if self._output_dropped:
            text += f"\n[... {self._output_dropped} more bytes of output dropped]"
        return text

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _start(self) -> None:
        if self.fatal:
            raise SandboxLost(self.fatal)
        if self.starts > self.limits.restarts:
            self.fatal = f"{self.lost} (and no more restarts are allowed)"
            raise SandboxLost(self.fatal)
        if self._remaining() <= 0:
            self.fatal = f"the per-submission time limit of {self.limits.total_s:g} s is used up"
            self.limit_hit = True
            raise SandboxLost(self.fatal)
        self.starts += 1
        workdir = tempfile.mkdtemp(prefix="course-grading-")
        self._dir = workdir
        shutil.copy2(_child.__file__, os.path.join(workdir, "_child.py"))
        shutil.copytree(
            _PACKAGE_DIR,
            os.path.join(workdir, "course_utils"),
            ignore=lambda d, names: [n for n in names if n in _SHADOW_SKIP],
        )
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": workdir,
            "TMPDIR": workdir,
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(workdir, ".mpl"),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "TF_ENABLE_ONEDNN_OPTS": "0",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                "-u",
                os.path.join(workdir, "_child.py"),
                str(req_r),
                str(resp_w),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(req_r, resp_w),
            cwd=workdir,
            env=env,
            start_new_session=True,
        )
        os.close(req_r)
        os.close(resp_w)
        self._req, self._resp = req_w, resp_r
        failed = self._set_limits(self._proc.pid)
        if failed and self.strict:
            self._refuse(
                f"the limits {', '.join(failed)} could not be set on the submission's process"
            )
        threading.Thread(target=self._drain, args=(self._proc.stdout,), daemon=True).start()
        read_paths = [
            *_stdlib_paths(),
            *_site_packages(),
            sys.base_prefix,
            "/usr",
            "/lib",
            "/lib64",
            "/etc",
            "/proc",
            "/sys",
            "/dev",
        ]
        config = {
            "sys_path": [workdir, *_stdlib_paths(), *_site_packages()],
            "workdir": workdir,
            "require_landlock": self.strict,
            "read_paths": read_paths,
            "write_paths": [workdir, "/dev/null"],
            "blocked": BLOCKED,
            "cells": self.cells,
        }
        self._send(config)
        budget = min(self.limits.notebook_s, self._remaining())
        try:
            ready = self._receive(budget, "running the notebook")
        except SandboxLost as exc:
            # A notebook that cannot finish will not finish next time either.
            self.fatal = str(exc)
            raise
        self.landlock = int(ready.get("landlock", 0))
        if ready.get("type") == "refused" or (self.strict and not self.landlock):
            self._refuse("Landlock could not be applied to the submission's process")
        self.cell_errors = ready.get("cell_errors", [])
        self.blocked = list(ready.get("blocked", []))

    def _refuse(self, why: str) -> None:
        self.refused = self.fatal = f"refused to grade: {why}"
        self.close()
        raise IsolationError(self.refused)

    def _set_limits(self, pid: int) -> list[str]:
        """Apply the rlimits to ``pid``; return the names of those that could not be set."""
        lim = self.limits
        if resource is None:
            return ["all (no resource module)"]
        cpu = int(lim.total_s) + 5
        settings = [
            (resource.RLIMIT_CPU, (cpu, cpu + 5)),
            (resource.RLIMIT_FSIZE, (lim.file_mb * 2**20, lim.file_mb * 2**20)),
            (resource.RLIMIT_CORE, (0, 0)),
        ]
        if lim.address_space:
            settings.append((resource.RLIMIT_AS, (lim.memory_mb * 2**20, lim.memory_mb * 2**20)))
        failed = []
        for which, value in settings:
            try:
                resource.prlimit(pid, which, value)
            except (OSError, ValueError, AttributeError):  # no prlimit, or a limit not supported
                failed.append(_RLIMIT_NAMES.get(which, str(which)))
        return failed

    def _drain(self, stream) -> None:
        while True:
            try:
                chunk = stream.read1(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            room = self.limits.output_bytes - len(self._output)
            if room > 0:
                self._output += chunk[:room]
            self._output_dropped += max(0, len(chunk) - max(room, 0))

    def close(self) -> None:
        """Kill the process group and remove the folder."""
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for fd in (self._req, self._resp):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if proc.stdout:
                proc.stdout.close()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- protocol ----------------------------------------------------------------------------------------
    def _lose(self, why: str, *, limit: bool = False) -> SandboxLost:
        self.lost = why
        if limit:
            self.limit_hit = True
        else:
            self.crashed = True
        self.close()
        return SandboxLost(why)

    def _send(self, obj: object) -> None:
        data = frame(obj)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._req, view) :]
        except (BrokenPipeError, OSError):
            why, limit = self._exit_reason()
            raise self._lose(why, limit=limit) from None

    def _exit_reason(self) -> tuple[str, bool]:
        """Why the process ended, and whether a limit ended it."""
        proc = self._proc
        code = None
        if proc is not None:
            try:  # the pipe can close a moment before the exit status is there
                code = proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            return "the submission's process stopped answering", False
        if code < 0:
            sig = signal.Signals(-code).name
            if sig == "SIGXCPU":
                return (
                    f"the submission used more than its CPU time limit ({self.limits.total_s:g} s)",
                    True,
                )
            if sig == "SIGXFSZ":
                return f"the submission wrote a file larger than {self.limits.file_mb} MB", True
            return (
                f"the submission's process was killed by {sig} (memory limit {self.limits.memory_mb} MB?)",
                sig == "SIGKILL",
            )
        return (
            f"the submission ended the grading process (exit code {code}), e.g. with sys.exit or os._exit",
            False,
        )

    def _memory_mb(self) -> float:
        try:
            import psutil

            proc = psutil.Process(self._proc.pid)
            rss = proc.memory_info().rss
            for child in proc.children(recursive=True):
                try:
                    rss += child.memory_info().rss
                except psutil.Error:
                    pass
            return rss / 2**20
        except Exception:
            return 0.0

    def _receive(self, timeout: float, doing: str) -> dict:
        deadline = time.monotonic() + max(timeout, 0.0)
        buf = bytearray()
        need = HEADER_SIZE
        size = None
        while True:
            now = time.monotonic()
            if now >= deadline:
                limit = "per-call" if timeout < self._remaining() - 0.05 else "per-submission"
                raise self._lose(
                    f"time limit ({limit}, {timeout:.3g} s) exceeded while {doing}", limit=True
                )
            ready, _, _ = select.select([self._resp], [], [], min(0.1, deadline - now))
            if self._memory_mb() > self.limits.memory_mb:
                raise self._lose(
                    f"memory limit of {self.limits.memory_mb} MB exceeded while {doing}", limit=True
                )
            if not ready:
                if self._proc.poll() is not None:
                    why, limit = self._exit_reason()
                    raise self._lose(f"{why} while {doing}", limit=limit)
                continue
            chunk = os.read(self._resp, 1 << 20)
            if not chunk:
                why, limit = self._exit_reason()
                raise self._lose(f"{why} while {doing}", limit=limit)
            buf += chunk
            if size is None and len(buf) >= need:
                (size,) = _child._HEADER.unpack(bytes(buf[:HEADER_SIZE]))
                if size > MAX_FRAME:
                    raise self._lose(
                        "the submission corrupted the grading channel (oversized frame)"
                    )
            if size is not None and len(buf) >= HEADER_SIZE + size:
                if len(buf) > HEADER_SIZE + size:
                    raise self._lose(
                        "the submission corrupted the grading channel (unexpected data)"
                    )
                import json

                try:
                    message = json.loads(bytes(buf[HEADER_SIZE:]))
                except ValueError:
                    raise self._lose(
                        "the submission corrupted the grading channel (not a message)"
                    ) from None
                if not isinstance(message, dict):
                    raise self._lose("the submission corrupted the grading channel (not a message)")
                return message

    def _resolve(self, label: str):
        def resolve(marker: dict) -> RemoteObject:
            if "__handle__" not in marker or not isinstance(marker["__handle__"], int):
                raise ValueError("unexpected reference in a reply")
            return RemoteObject(
                self,
                {
                    "__handle__": marker["__handle__"],
                    "type": str(marker.get("type", "object"))[:60],
                },
                label,
            )

        return resolve

    def request(self, message: dict, label: str) -> Any:
        """Send one request and return the decoded value; raise RemoteError or SandboxLost."""
        if self._proc is None:
            if isinstance(message.get("target"), dict) and "__handle__" in message["target"]:
                raise SandboxLost(
                    f"{label}: the object came from a process that has ended ({self.lost})"
                )
            self._start()
        self._send(message)
        timeout = min(self.limits.call_s, self._remaining())
        reply = self._receive(timeout, f"running {label}")
        for name in reply.get("blocked", []) if isinstance(reply.get("blocked"), list) else []:
            if isinstance(name, str) and name not in self.blocked:
                self.blocked.append(name)
        if reply.get("ok") is True:
            try:
                return decode(reply.get("value"), np, self._resolve(label))
            except (ValueError, TypeError, KeyError) as exc:
                raise self._lose(f"the submission corrupted the grading channel ({exc})") from None
        raise RemoteError(
            label, str(reply.get("error", "an error"))[:800], str(reply.get("where", ""))[:80]
        )

    def call_ref(self, ref: dict, label: str, args: tuple, kwargs: dict) -> Any:
        for value in (*args, *kwargs.values()):
            items = value if isinstance(value, (tuple, list)) else [value]
            for item in items:
                if isinstance(item, RemoteObject) and (
                    item.generation != self.starts or self._proc is None
                ):
                    raise SandboxLost(
                        f"{label}: its argument came from a process that has ended ({self.lost})"
                    )
        try:
            payload_args = encode(list(args), None, np, _NUMPY_FUNCTIONS)
            payload_kwargs = encode(dict(kwargs), None, np, _NUMPY_FUNCTIONS)
        except TypeError as exc:
            raise TypeError(f"test error: cannot pass an argument to {label}: {exc}") from None
        return self.request(
            {"op": "call", "target": ref, "args": payload_args, "kwargs": payload_kwargs}, label
        )

    def has(self, name: str) -> bool:
        """Whether the submission defines the top-level name ``name``."""
        return bool(self.request({"op": "has", "name": name}, f"looking up {name}"))
