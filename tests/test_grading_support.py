"""Helpers shared by the grading tests (no tests here): a release in a temporary folder, derived submissions."""

from __future__ import annotations

import json
from pathlib import Path

from course_utils.grading.grader import with_cells  # noqa: F401  (the tests import it from here)
from course_utils.grading.release import release


def build(dist: Path, ids: list[str] | None = None) -> Path:
    """Release into ``dist`` (a temporary folder) and return it."""
    release(ids, dist=dist)
    return dist


def solution(dist: Path, assignment_id: str) -> dict:
    """The autograder notebook (the instructor's solution) as a dict."""
    return json.loads((dist / "autograder" / assignment_id / f"{assignment_id}.ipynb").read_text())


def blank(dist: Path, assignment_id: str) -> dict:
    """The untouched student edition as a dict."""
    return json.loads((dist / "student" / assignment_id / f"{assignment_id}.ipynb").read_text())


def write(notebook: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook))
    return path


# -- a toy assignment: fast (NumPy only), registered for one test, released by hand --------------------

TOY = "toy_double"
TOY_TESTS = {
    "q1": (
        "from otter.test_files import test_case\n\nOK_FORMAT = False\n\nname = 'q1'\npoints = 2\n\n"
        "@test_case(points=1, hidden=False)\ndef test_double_public(double, np):\n"
        "    assert double(2) == 4, f'double(2) should be 4, got {double(2)}'\n\n"
        "@test_case(points=1, hidden=True)\ndef test_double_hidden(double, np):\n"
        "    x = np.arange(5.0)\n"
        "    assert np.allclose(double(x), 2 * x), 'double: wrong on an array'\n"
    ),
    "q2": (
        "from otter.test_files import test_case\n\nOK_FORMAT = False\n\nname = 'q2'\npoints = 1\n\n"
        "@test_case(points=1, hidden=False)\ndef test_square(square, np):\n"
        "    assert square(3) == 9, f'square(3) should be 9, got {square(3)}'\n"
    ),
}
TOY_SOLUTION = (
    "import numpy as np\n\n"
    "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x + 0\n    # END SOLUTION\n\n"
    "def square(x):\n    # BEGIN SOLUTION\n    return x * x\n    # END SOLUTION\n"
)
TOY_BLANK = "import numpy as np\n\ndef double(x):\n    ...\n\ndef square(x):\n    ...\n"
TOY_QUESTIONS = [
    {"name": "q1", "points": 2.0, "manual": False},
    {"name": "q2", "points": 1.0, "manual": False},
    {"name": "w1", "points": 1.0, "manual": True},
]


def code_cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def toy_notebook(code: str, answer: str = "_Type your answer here, replacing this text._") -> dict:
    """A toy submission: one code cell and the written answer to w1."""
    return {
        "cells": [
            code_cell(code),
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": "<!-- BEGIN QUESTION -->\n\n**w1**",
            },
            {
                "cell_type": "markdown",
                "metadata": {"tags": ["otter_answer_cell"]},
                "source": answer,
            },
            {"cell_type": "markdown", "metadata": {}, "source": "<!-- END QUESTION -->"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def toy_assignment(monkeypatch, dist: Path, limits=None) -> Path:
    """Register ``toy_double`` for this test and write its autograder (as ``release`` would) in ``dist``."""
    from course_utils.grading import assignments as registry
    from course_utils.grading.sandbox import Limits

    limits = limits or Limits(total_s=30, notebook_s=10, call_s=5, memory_mb=1000)
    monkeypatch.setitem(
        registry.ASSIGNMENTS, TOY, registry.Assignment(TOY, "Toy - double and square", limits)
    )
    folder = dist / "autograder" / TOY
    folder.mkdir(parents=True, exist_ok=True)
    solution_nb = toy_notebook(TOY_SOLUTION, "Because two times x is x plus x.")
    solution_nb["metadata"] = {"otter": {"OK_FORMAT": False, "tests": TOY_TESTS}}
    write(solution_nb, folder / f"{TOY}.ipynb")
    (folder / "questions.json").write_text(json.dumps(TOY_QUESTIONS))
    return dist
