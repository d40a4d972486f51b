"""The pinned environment: requirements/lock.txt pins every direct requirement at the versions the course needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+!\-]+", line), (
                f"not an exact pin: {line!r}"
            )
            name, version = line.split("==")
            out[name.lower().replace("_", "-")] = version
    return out


def direct() -> list[str]:
    names = []
    for line in (ROOT / "requirements" / "direct.in").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.split(r"[<>=!~\[ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


@pytest.mark.parametrize("name", direct())
def test_every_direct_requirement_is_pinned(name):
    assert name in pins(), (
        f"{name} is in requirements/direct.in but not in requirements/lock.txt (run make lock)"
    )


@pytest.mark.parametrize(
    ("name", "major_minor"),
    [("tensorflow-cpu", "2.21"), ("keras", "3."), ("jupyterlab", "4."), ("ipywidgets", "8.")],
)
def test_lock_has_the_versions_the_course_is_built_for(name, major_minor):
    assert pins()[name].startswith(major_minor)


def test_lock_never_carries_the_gpu_tensorflow_next_to_the_cpu_one():
    locked = pins()
    assert "tensorflow" not in locked, (
        "tensorflow and tensorflow-cpu collide; the lock is for CPU machines"
    )
    assert not any(name.startswith("nvidia-") for name in locked)


def test_make_stops_at_once_on_a_python_the_lock_does_not_support(tmp_path):
    """A machine whose python3 is not a supported version gets told what to install, before any venv."""
    import subprocess
    import time

    venv = tmp_path / "venv"
    start = time.perf_counter()
    proc = subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={venv}", "SUPPORTED_PYTHONS=3.99"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "requirements/lock.txt is resolved for Python 3.99" in proc.stderr
    assert "Install one of those" in proc.stderr and "PYTHON=/path/to/python3.11" in proc.stderr
    assert not venv.exists(), "nothing is created before the check"
    assert time.perf_counter() - start < 10


def test_supported_pythons_are_one_list_that_the_lock_header_names():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import lock

    versions = lock.supported_pythons()
    assert versions[0] == "3.11"
    header = (ROOT / "requirements" / "lock.txt").read_text().splitlines()[0]
    assert f"Python {versions[0]}-{versions[-1]}" in header
