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
