"""Build the student editions and the autograders with ``otter assign``.

For each assignment, ``otter assign`` turns the master notebook into

* ``dist/student/<id>/<id>.ipynb`` - solutions replaced by ``...``, hidden tests removed, public tests in
  the notebook's metadata so that ``grader.check("q1")`` works wherever the notebook is opened;
* ``dist/autograder/<id>/<id>.ipynb`` - the solution notebook with every test (public and hidden), read by
  :mod:`course_utils.grading.grader`; plus ``questions.json`` (names, points, hand-graded or not).

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
from dataclasses import asdict
from pathlib import Path

from . import assignments as registry

__all__ = ["release"]


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
        built.append(student)
    return built
