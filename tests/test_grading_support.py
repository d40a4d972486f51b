"""Helpers shared by the grading tests (no tests here): a release in a temporary folder, derived submissions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

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


def with_cells(notebook: dict, *sources: str) -> dict:
    """A copy of ``notebook`` with code cells appended (later definitions win, as in Jupyter)."""
    out = copy.deepcopy(notebook)
    for source in sources:
        out["cells"].append(
            {
                "cell_type": "code",
                "metadata": {},
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
        )
    return out


def write(notebook: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook))
    return path
