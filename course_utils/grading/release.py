"""Build the student editions and the autograders with ``otter assign``.

For each assignment, ``otter assign`` turns the master notebook into

* ``dist/student/<id>/<id>.ipynb`` - solutions replaced by ``...``, hidden tests removed, public tests in
  the notebook's metadata so that ``grader.check("q1")`` works wherever the notebook is opened;
* ``dist/autograder/<id>/<id>.ipynb`` - the solution notebook with every test (public and hidden), read by
  :mod:`course_utils.grading.grader`; plus ``questions.json`` (names, points, hand-graded or not), the one
  source of questions when grading;
* ``dist/gradescope/<id>/autograder.zip`` - a Gradescope autograder: ``setup.sh`` (installs the pinned
  ``requirements.txt``), ``run_autograder`` (grades ``/autograder/submission/*.ipynb`` with this grader and
  writes ``/autograder/results/results.json``; ``GRADESCOPE_ROOT`` overrides ``/autograder``), this package
  and the autograder folder above.

The master notebooks turn off otter's own init cell, PDF export and test run: the init cell is written in
the master (it calls :func:`course_utils.grading.student.public_checks`, which also works on Colab), and
"the solution earns full marks" is proven by the grader in the test suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import tempfile
import zipfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from . import assignments as registry

__all__ = ["gradescope_bundle", "pinned_requirements", "release"]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # course_utils/
#: What grading needs on any assignment (the package's own dependencies, psutil, IPython for magics).
_BASE_REQUIREMENTS = ("numpy", "matplotlib", "ipywidgets", "threadpoolctl", "psutil", "ipython")

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission (in /autograder/source, unzipped from autograder.zip).
# It grades /autograder/submission/*.ipynb with course_utils.grading and writes
# /autograder/results/results.json. GRADESCOPE_ROOT replaces /autograder (local tests).
# Grading refuses to run without its sandbox (rlimits, memory cap, Landlock); to grade anyway, set
# ALLOW_UNSANDBOXED=1 below (every result then says so).
set -u
ALLOW_UNSANDBOXED=0
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
cd "$ROOT/source" || exit 1
extra=()
if [ "$ALLOW_UNSANDBOXED" = 1 ]; then extra+=(--allow-unsandboxed); fi
exec "${{COURSE_PYTHON:-python3}}" -m course_utils.grading gradescope {id} \\
    --root "$ROOT" --dist "$ROOT/source/dist" ${{extra[@]+"${{extra[@]}}"}}
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
if ! command -v pip3 >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-pip
fi
python3 -m pip install --no-cache-dir -r /autograder/source/requirements.txt
"""


def _otter_assign(master: Path, out: Path) -> None:
    from otter.assign import main as assign

    # otter logs progress to stdout and warns about its optional features; keep the CLI output clean
    logging.getLogger("otter").setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()):
        assign(str(master), str(out), no_pdfs=True, no_run_tests=True)


def release(
    ids: list[str] | None = None, *, dist: Path = Path("dist"), source: Path | None = None
) -> list[Path]:
    """Build ``dist/student/<id>/`` and ``dist/autograder/<id>/`` for each assignment (all by default).

    Returns the student edition folders.
    """
    built = []
    for assignment_id in ids or list(registry.ASSIGNMENTS):
        spec = registry.get(assignment_id)
        master = spec.master(source)
        if not master.exists():
            raise FileNotFoundError(f"{assignment_id}: master notebook {master} not found")
        with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
            out = Path(tmp) / "out"
            _otter_assign(master, out)
            student, autograder = (
                Path(dist) / "student" / assignment_id,
                Path(dist) / "autograder" / assignment_id,
            )
            for produced, target in ((out / "student", student), (out / "autograder", autograder)):
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(produced, target)
        questions = [asdict(q) for q in registry.questions(master)]
        (autograder / "questions.json").write_text(
            json.dumps(questions, indent=1) + "\n", encoding="utf-8"
        )
        gradescope_bundle(assignment_id, dist=Path(dist))
        built.append(student)
    return built


def pinned_requirements(assignment_id: str) -> str:
    """``requirements.txt`` for grading ``assignment_id``: each package at the version installed here."""
    lines = []
    for name in (*_BASE_REQUIREMENTS, *registry.get(assignment_id).packages):
        candidates = ("tensorflow", "tensorflow-cpu") if name == "tensorflow" else (name,)
        for candidate in candidates:
            try:
                lines.append(f"{candidate}=={metadata.version(candidate)}")
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            raise RuntimeError(f"{assignment_id}: {name} is not installed, so it cannot be pinned")
    return "\n".join(lines) + "\n"


def gradescope_bundle(assignment_id: str, *, dist: Path = Path("dist")) -> Path:
    """Write ``dist/gradescope/<id>/autograder.zip`` from ``dist/autograder/<id>/``; return its path."""
    source = Path(dist) / "autograder" / assignment_id
    target = Path(dist) / "gradescope" / assignment_id / "autograder.zip"
    target.parent.mkdir(parents=True, exist_ok=True)

    def add(zf: zipfile.ZipFile, name: str, data: str | bytes, mode: int = 0o644) -> None:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)

    with zipfile.ZipFile(target, "w") as zf:
        add(zf, "run_autograder", RUN_AUTOGRADER.format(id=assignment_id), 0o755)
        add(zf, "setup.sh", SETUP_SH, 0o755)
        add(zf, "requirements.txt", pinned_requirements(assignment_id))
        for path in sorted(_PACKAGE_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(_PACKAGE_DIR.parent).as_posix()
                add(zf, rel, path.read_bytes())
        for path in sorted(source.iterdir()):
            add(zf, f"dist/autograder/{assignment_id}/{path.name}", path.read_bytes())
    return target
