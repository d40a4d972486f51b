"""``make compat``: the course's claims under the TensorFlow/Keras versions students have.

Colab ships its own TensorFlow, Keras and NumPy and the notebooks never reinstall them, so the course must
hold on every version in the supported range (``pyproject.toml``: the ``tf`` extra). For each pair below this
builds a venv (cached in ``~/.cache/rnn-course/compat/``; the first build downloads TensorFlow from the
package registry), installs ``course_utils`` with only what the notebooks import, and runs every lecture
notebook and assignment master at seed 0 with ``tools/claims.py --compat``: the results land in
``docs/claims.json`` under ``compat`` and in the last table of ``docs/claims.md``.

    python tools/compat.py                  # every pair in VERSIONS
    python tools/compat.py --only oldest    # one pair
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from check_python import find_python  # noqa: E402

CACHE = Path(
    os.environ.get("COURSE_COMPAT_CACHE", Path.home() / ".cache" / "rnn-course" / "compat")
)

# label -> (Python, pins). "oldest" is the bottom of the supported range: the first TensorFlow that ships
# Keras 3, with NumPy 1.x, which it needs, and Keras 3.8, the first release whose MirroredStrategy fit takes
# the step one device takes (notebook 05 checks it; see course_utils.runtime.MIN_KERAS). "newest-py3.12" is the newest
# release on the registry under Python 3.12, Colab's Python (requirements/lock.txt pins the same TensorFlow for
# Python 3.11, and `make claims` covers that one).
VERSIONS = {
    "oldest": ("python3.11", ["tensorflow-cpu==2.16.2", "keras==3.8.0", "numpy<2"]),
    "newest-py3.12": ("python3.12", ["tensorflow-cpu==2.21.0", "keras==3.15.1"]),
}
# What the notebooks and the claims runner import besides TensorFlow and course_utils' own dependencies.
RUNNER = ["nbclient", "nbformat", "ipykernel", "scikit-learn", "otter-grader"]
PACKAGE_DEPS = ["matplotlib", "ipywidgets", "threadpoolctl"]  # course_utils' own (pyproject.toml)


def venv(label: str) -> Path:
    """Create (once) the venv for ``label`` and return its python."""
    where = CACHE / label
    python = where / "bin" / "python"
    stamp = where / ".installed"
    base, pins = VERSIONS[label]
    wanted = "\n".join([base, *pins, *RUNNER])
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    interpreter = find_python(base.removeprefix("python"))
    if interpreter is None:
        raise SystemExit(f"compat {label}: needs {base} on PATH to build its venv")
    subprocess.run([interpreter, "-m", "venv", "--clear", str(where)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins, *RUNNER, *PACKAGE_DEPS], check=True)
    # Editable, without dependencies: the venv always runs this checkout's course_utils, and nothing can
    # upgrade the pinned TensorFlow/Keras/NumPy behind our back.
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(VERSIONS), choices=list(VERSIONS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    status = 0
    for label in args.only:
        start = time.perf_counter()
        python = venv(label)
        print(f"compat {label}: venv ready in {time.perf_counter() - start:.0f} s", flush=True)
        env = {**os.environ, "PYTHONPATH": ""}
        env.pop("VIRTUAL_ENV", None)
        # The venv's own python runs the claims tool, so "python3" kernels are this venv's interpreter.
        env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
        code = subprocess.run(
            [
                str(python),
                str(ROOT / "tools" / "claims.py"),
                "--seeds",
                "0",
                "--settings",
                "default",
                "--jobs",
                str(args.jobs),
                "--compat",
                label,
            ],
            env=env,
            check=False,
        ).returncode
        status = status or code
    return status


if __name__ == "__main__":
    raise SystemExit(main())
