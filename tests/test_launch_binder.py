"""Binder: environment.yml + postBuild build the pinned course environment, and nothing contradicts them.

Binder (repo2docker) installs ``environment.yml`` and then runs ``postBuild``. These tests check that the
two files say the same as ``requirements/lock.txt`` (every pin equal, both ways), that ``postBuild``
installs ``course_utils`` and stops at the first failing command, and that no other configuration file
that repo2docker would prefer or also read (``binder/``, ``Dockerfile``, ``requirements.txt``, ...) is
there to disagree.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
ENVIRONMENT = ROOT / "environment.yml"
POSTBUILD = ROOT / "postBuild"
# The installers pip needs to install itself: conda provides them in the Binder image, so the lock pins
# them for pip users and environment.yml lists `pip` at the conda level instead.
INSTALLERS = {"pip", "setuptools", "wheel"}
# Files repo2docker would read instead of, or on top of, environment.yml + postBuild.
CONTRADICTING = [
    "binder",  # a binder/ (or .binder/) folder makes repo2docker ignore every top-level file
    ".binder",
    "Dockerfile",  # replaces the whole build
    "requirements.txt",
    "runtime.txt",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "apt.txt",
    "install.R",
    "Project.toml",
    "default.nix",
]


def normalise(name: str) -> str:
    """PEP 503 name: case, '_' and '.' do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(lines: list[str], where: str) -> dict[str, str]:
    """``name==version`` lines to ``{normalised name: version}``; anything else is an error."""
    pins: dict[str, str] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([\w.+!\-]+)", line)
        assert match, f"{where}: not an exact pin: {raw!r}"
        name = normalise(match.group(1))
        assert name not in pins, f"{where}: {name} is pinned twice"
        pins[name] = match.group(2)
    return pins


def lock_pins() -> dict[str, str]:
    return parse_pins(LOCK.read_text().splitlines(), "requirements/lock.txt")


def environment() -> dict:
    return yaml.safe_load(ENVIRONMENT.read_text())


def environment_pip_pins() -> dict[str, str]:
    deps = environment()["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml has exactly one `pip:` section"
    return parse_pins(pip_sections[0], "environment.yml")


def conda_dependencies() -> list[str]:
    return [d for d in environment()["dependencies"] if isinstance(d, str)]


def test_environment_pins_equal_the_lock_both_ways():
    env = environment_pip_pins()
    lock = {name: v for name, v in lock_pins().items() if name not in INSTALLERS}
    only_env = sorted(set(env) - set(lock))
    only_lock = sorted(set(lock) - set(env))
    differ = sorted(
        f"{n}: lock {lock[n]} != environment.yml {env[n]}"
        for n in set(env) & set(lock)
        if env[n] != lock[n]
    )
    assert not only_env, (
        f"pinned in environment.yml but not in the lock: {only_env} (run make lock)"
    )
    assert not only_lock, (
        f"pinned in the lock but missing from environment.yml: {only_lock} (run make lock)"
    )
    assert not differ, "versions differ (run make lock):\n" + "\n".join(differ)
    assert len(env) > 100, "the whole resolved set is pinned, not just the direct requirements"


def test_installers_are_provided_by_conda_and_not_pinned_differently_by_pip():
    assert "pip" in conda_dependencies(), (
        "environment.yml installs pip itself so the pip: section works"
    )
    assert not INSTALLERS & set(environment_pip_pins()), (
        "pip/setuptools/wheel come from conda on Binder"
    )


def test_python_version_agrees_with_the_lock():
    header = LOCK.read_text().splitlines()[0]
    locked = re.search(r"Python (\d+\.\d+)", header)
    assert locked, f"the lock's first line names the Python it was resolved for: {header!r}"
    pythons = [d for d in conda_dependencies() if re.match(r"python\b", d)]
    assert pythons == [f"python={locked.group(1)}"], (
        f"environment.yml pins {pythons}, lock is for Python {locked.group(1)}"
    )


def test_binder_gets_the_cpu_tensorflow_and_one_keras():
    env = environment_pip_pins()
    assert "tensorflow-cpu" in env and "tensorflow" not in env, (
        "tensorflow and tensorflow-cpu collide"
    )
    assert env["keras"].startswith("3.")
    assert not any(name.startswith("nvidia-") for name in env), (
        "no CUDA wheels on a CPU-only Binder"
    )
    assert "course-utils" not in env, (
        "postBuild installs the package from the checkout, not from the registry"
    )


def test_environment_channels_are_explicit():
    assert environment()["channels"] == ["conda-forge"]


@pytest.mark.parametrize("name", CONTRADICTING)
def test_no_other_binder_configuration_contradicts(name):
    assert not (ROOT / name).exists(), (
        f"{name} at the top level would make repo2docker ignore or override environment.yml/postBuild; "
        "keep one configuration"
    )


def postbuild_commands() -> list[str]:
    lines = POSTBUILD.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_postbuild_is_an_executable_bash_script_that_fails_fast():
    text = POSTBUILD.read_text()
    assert text.startswith(("#!/bin/bash\n", "#!/usr/bin/env bash\n")), (
        "postBuild needs a bash shebang"
    )
    assert POSTBUILD.stat().st_mode & stat.S_IXUSR, "postBuild must be executable (git mode 100755)"
    first = postbuild_commands()[0]
    assert re.fullmatch(r"set -e\w*( .*)?|set -[a-z]*e[a-z]*( -o pipefail)?", first), (
        f"postBuild's first command must be `set -e` (fail fast), got {first!r}"
    )


def test_postbuild_installs_the_package_without_touching_the_pinned_dependencies():
    installs = [c for c in postbuild_commands() if re.search(r"\bpip install\b", c)]
    assert installs, "postBuild installs course_utils"
    assert any(re.search(r"(^|\s)(-e\s+)?\.$", c) for c in installs), (
        f"installs the checkout: {installs}"
    )
    for command in installs:
        assert command.startswith("python -m pip install"), (
            f"uses the environment's own pip: {command!r}"
        )
        assert "--no-deps" in command.split(), (
            f"--no-deps keeps environment.yml's pins: {command!r}"
        )


def fake_python(tmp_path: Path, exit_code: int) -> tuple[dict[str, str], Path]:
    """A `python` first on PATH that records its arguments and exits with ``exit_code``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    script = bin_dir / "python"
    script.write_text(f'#!/bin/bash\necho "$*" >> "{log}"\nexit {exit_code}\n')
    script.chmod(0o755)
    jupyter = bin_dir / "jupyter"  # postBuild's labextension step: recorded, never run for real
    jupyter.write_text(f'#!/bin/bash\necho "jupyter $*" >> "{log}"\n')
    jupyter.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return env, log


@pytest.mark.parametrize("exit_code", [0, 1])
def test_postbuild_runs_the_install_and_stops_at_the_first_failure(tmp_path, exit_code):
    # Run a copy of postBuild with one extra command after it: with set -e that command never runs
    # when the install fails, and the script's exit status is the failure.
    script = tmp_path / "postBuild"
    script.write_text(POSTBUILD.read_text() + '\necho "still running after the install"\n')
    env, log = fake_python(tmp_path, exit_code)
    run = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert log.read_text().split("\n")[0].startswith("-m pip install"), log.read_text()
    if exit_code:
        assert run.returncode == exit_code, "a failing install fails the Binder build"
        assert "still running" not in run.stdout, (
            "postBuild went on after a failure: set -e is missing"
        )
    else:
        assert run.returncode == 0 and "still running" in run.stdout
        assert "jupyter labextension disable" in log.read_text()
