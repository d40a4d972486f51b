"""The sandboxed side of grading: runs ONE submission's code and answers calls on its functions.

This file is copied into a fresh temporary folder and started by :mod:`course_utils.grading.sandbox` as
``python -I -S _child.py`` with resource limits already applied by the parent. It

1. reads its configuration (module search path, the notebook's code cells, what to block) from the
   request pipe, and locks itself in with Landlock: files readable only in the Python installation and its
   own folder, writable only in its own folder, no TCP, no signals to processes outside the sandbox (so
   no peeking at hidden tests or the grader, no editing of results). When the parent requires it (the
   default) and Landlock cannot be applied, it answers ``refused`` and exits before any student code runs;
2. blocks ``course_utils.reference``, ``course_utils.gradcheck`` and ``course_utils.grading`` (the graded
   functions must be the student's own) and replaces ``otter`` with a silent stub;
3. runs the notebook's code cells (magics ignored; errors and ``sys.exit`` recorded, not fatal);
4. answers requests ``call NAME(args)``: only plain data travels back (numbers, strings, numeric arrays,
   lists/tuples/dicts of them; anything else stays here behind a handle).

The grade is decided by the parent, which holds the tests. Nothing in this file is trusted by the
parent: a submission can patch anything here, and all it can gain is to change what its own functions
return. The codec at the top is shared with the parent, which imports this module.
"""

from __future__ import annotations

import base64
import builtins
import json
import os
import struct
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

# ----------------------------------------------------------------------------------------------------
# Codec: length-prefixed JSON frames; numeric arrays as base64. Shared by parent and child.
# ----------------------------------------------------------------------------------------------------

_HEADER = struct.Struct(">I")
HEADER_SIZE = _HEADER.size
MAX_FRAME = 256 * 1024 * 1024  # a frame larger than this is a protocol error
ALLOWED_DTYPES = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")
#: NumPy functions a test may pass as an argument (e.g. ``numerical_gradient(np.sin, x, df)``).
NUMPY_FUNCTIONS = ("sin", "cos", "tanh", "exp", "square", "cumsum", "sort")


def frame(obj: object) -> bytes:
    """Serialise ``obj`` (already encoded) into one frame."""
    payload = json.dumps(obj, allow_nan=True).encode("utf-8")
    return _HEADER.pack(len(payload)) + payload


def encode(
    value: object,
    store: list | None = None,
    np: Any = None,
    functions: list | None = None,
    depth: int = 0,
) -> object:
    """Turn ``value`` into JSON-able data; objects that are not data go to ``store`` (a handle table).

    ``functions`` maps function objects to names that the other side can resolve (NumPy functions).
    """
    if depth > 20:
        raise ValueError("value nested more than 20 levels deep")
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**62:
            return {"__bigint__": str(value)}
        return value
    if isinstance(value, RemoteRef):
        return value.ref
    if np is not None:
        if isinstance(value, np.generic) and value.dtype.str[1:] in ALLOWED_DTYPES:
            return value.item()
        if isinstance(value, np.ndarray) and value.dtype.str[1:] in ALLOWED_DTYPES:
            arr = np.ascontiguousarray(value)
            return {
                "__nd__": [arr.dtype.str, list(arr.shape), base64.b64encode(arr.tobytes()).decode()]
            }
    if functions is not None:
        for fn, name in functions:
            if value is fn:
                return {"__fn__": name}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, store, np, functions, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, store, np, functions, depth + 1) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {
            "__dict__": [[k, encode(v, store, np, functions, depth + 1)] for k, v in value.items()]
        }
    if store is None:
        raise TypeError(f"cannot send a {type(value).__name__}")
    store.append(value)
    return {"__handle__": len(store) - 1, "type": type(value).__name__}


def decode(
    obj: object, np: Any, resolve: Callable[[dict], Any] | None = None, depth: int = 0
) -> object:
    """Inverse of :func:`encode`; ``resolve(marker_dict)`` turns handles/functions into objects."""
    if depth > 20:
        raise ValueError("value nested more than 20 levels deep")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(v, np, resolve, depth + 1) for v in obj]
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise ValueError(f"malformed value {str(obj)[:80]!r}")
    if "__nd__" in obj:
        dtype, shape, data = obj["__nd__"]
        if not isinstance(dtype, str) or dtype[1:] not in ALLOWED_DTYPES or dtype[0] not in "<>|=":
            raise ValueError(f"array dtype {dtype!r} is not allowed")
        if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
            raise ValueError("malformed array shape")
        raw = base64.b64decode(data, validate=True)
        arr = np.frombuffer(raw, dtype=np.dtype(dtype))
        return arr.reshape(shape).copy()
    if "__tuple__" in obj:
        return tuple(decode(v, np, resolve, depth + 1) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {str(k): decode(v, np, resolve, depth + 1) for k, v in obj["__dict__"]}
    if "__bigint__" in obj:
        return int(obj["__bigint__"])
    if resolve is not None and ("__handle__" in obj or "__fn__" in obj or "__global__" in obj):
        return resolve(obj)
    raise ValueError(f"malformed value {str(obj)[:80]!r}")


class RemoteRef:
    """Marker base class (used by the parent) for values that stand for an object on the other side."""

    ref: dict


# ----------------------------------------------------------------------------------------------------
# Landlock (Linux >= 5.13): an unprivileged, irreversible file-system / network / signal sandbox.
# ----------------------------------------------------------------------------------------------------

_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446  # x86_64 and aarch64 share these numbers
_FS_EXECUTE, _FS_WRITE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_ALL_V1 = (1 << 13) - 1
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where Landlock is missing or disabled."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
        return max(int(version), 0)
    except Exception:
        return 0


def apply_landlock(read_paths: list[str], write_paths: list[str]) -> int:
    """Restrict this process (and its children) to reading ``read_paths`` and writing ``write_paths``.

    Also forbids TCP (ABI >= 4) and signals or abstract sockets reaching outside the sandbox (ABI >= 6).
    Returns the ABI used, 0 when Landlock is unavailable (nothing is restricted then).
    """
    import ctypes

    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    handled = _FS_ALL_V1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    handled |= _FS_IOCTL_DEV if abi >= 5 else 0
    net = 3 if abi >= 4 else 0
    scoped = 3 if abi >= 6 else 0
    attr = struct.pack("<QQQ", handled, net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    buf = ctypes.create_string_buffer(attr[:size], size)
    ruleset = libc.syscall(_SYS_CREATE, buf, ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    read = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    write = handled  # everything inside the sandbox folder
    for paths, access in ((read_paths, read), (write_paths, write)):
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            is_dir = os.path.isdir(path)
            allowed = (
                access
                if is_dir
                else access & (_FS_EXECUTE | _FS_WRITE | _FS_READ_FILE | _FS_TRUNCATE)
            )
            rule = ctypes.create_string_buffer(struct.pack("<Qi", allowed, fd), 12)
            libc.syscall(
                _SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), rule, ctypes.c_uint32(0)
            )
            os.close(fd)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS, required before restrict_self
    if libc.syscall(_SYS_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
        os.close(ruleset)
        return 0
    os.close(ruleset)
    return abi


# ----------------------------------------------------------------------------------------------------
# The child's main loop.
# ----------------------------------------------------------------------------------------------------

BLOCKED_MESSAGE = (
    "{name} is not available while grading: the graded functions must be your own code"
)


class _Guard:
    """Meta-path finder that refuses the blocked modules and remembers every attempt."""

    def __init__(self, blocked: list[str], attempts: list[str]):
        self.blocked = blocked
        self.attempts = attempts

    def find_spec(self, fullname, path=None, target=None):
        for name in self.blocked:
            if fullname == name or fullname.startswith(name + "."):
                if fullname not in self.attempts:
                    self.attempts.append(fullname)
                raise ImportError(BLOCKED_MESSAGE.format(name=fullname), name=fullname)
        return None


class _Silent:
    """Stands for otter's grader (and IPython) during grading: every method does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _stub_modules() -> None:
    otter = types.ModuleType("otter")
    otter.Notebook = lambda *args, **kwargs: _Silent()
    sys.modules["otter"] = otter
    # The public-check helper students import; only this one piece of course_utils.grading is stubbed.
    for name in ("course_utils.grading", "course_utils.grading.student"):
        module = types.ModuleType(name)
        module.public_checks = lambda *args, **kwargs: _Silent()
        module.__path__ = []
        sys.modules[name] = module


def _transform(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:
        return "\n".join(
            "pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
        )
    return TransformerManager().transform_cell(source)


def _die_with_parent() -> None:
    """Ask the kernel for SIGKILL when the grader dies (Linux), so no orphan keeps computing.

    Strictly: when the grader's thread that started this process ends; the grader closes every sandbox
    in the thread that opened it, before that thread ends.
    """
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:  # not Linux: the CPU-time limit still ends an orphan
        pass


def main() -> None:
    """Read the configuration, lock down, run the cells, then answer requests until the pipe closes."""
    req_fd, resp_fd = int(sys.argv[1]), int(sys.argv[2])
    read, write = os.read, os.write  # keep our own references before any student code runs

    def read_exact(n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            chunk = read(req_fd, n - got)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def receive() -> object:
        (size,) = _HEADER.unpack(read_exact(_HEADER.size))
        return json.loads(read_exact(size))

    def send(obj: object) -> None:
        data = frame(obj)
        view = memoryview(data)
        while view:
            view = view[write(resp_fd, view) :]

    _die_with_parent()
    config = receive()
    sys.path[:] = config["sys_path"]
    os.chdir(config["workdir"])
    landlock = apply_landlock(config["read_paths"], config["write_paths"])
    if config.get("require_landlock") and not landlock:  # fail closed: no student code runs
        send({"type": "refused", "landlock": 0})
        return
    attempts: list[str] = []
    sys.meta_path.insert(0, _Guard(config["blocked"], attempts))
    _stub_modules()
    import numpy as np  # the codec needs it; imported after the guard and the sandbox are in place

    functions = [(getattr(np, n), n) for n in NUMPY_FUNCTIONS]
    fn_by_name = dict((n, f) for f, n in functions)
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    builtins.get_ipython = lambda: _Silent()  # magics run as no-ops
    cell_errors = []
    for index, source in enumerate(config["cells"]):
        try:
            code = compile(_transform(source), f"<cell {index}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: record and go on
            cell_errors.append({"cell": index, "error": f"{type(exc).__name__}: {exc}"[:500]})
    store: list = []

    def resolve(marker: dict):
        if "__handle__" in marker:
            return store[int(marker["__handle__"])]
        if "__fn__" in marker:
            return fn_by_name[marker["__fn__"]]
        return namespace[marker["__global__"]]

    send({"type": "ready", "cell_errors": cell_errors, "blocked": attempts, "landlock": landlock})
    while True:
        try:
            request = receive()
        except EOFError:
            return
        try:
            op = request["op"]
            if op == "call":
                target = resolve(request["target"])
                args = decode(request["args"], np, resolve)
                kwargs = decode(request["kwargs"], np, resolve)
                result = target(*args, **kwargs)
            elif op == "getattr":
                result = getattr(resolve(request["target"]), request["attr"])
            elif op == "has":
                result = request["name"] in namespace
            else:
                raise ValueError(f"unknown op {op!r}")
            reply = {"ok": True, "value": encode(result, store, np, functions), "blocked": attempts}
        except BaseException as exc:  # the student's function raised (or exited): report it
            tb = traceback.extract_tb(exc.__traceback__)
            where = next(
                (
                    f"{f.filename}, line {f.lineno}"
                    for f in reversed(tb)
                    if f.filename.startswith("<cell")
                ),
                "",
            )
            reply = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}"[:800],
                "where": where,
                "blocked": attempts,
            }
        send(reply)


if __name__ == "__main__":
    main()
