"""Class runs: ``jobs`` submissions at a time, the same grades as one at a time, a status per row.

A class of 8 toy submissions (``test_grading_support``) mixes every outcome: full marks, blank, partly
wrong, a crash while the notebook runs, a hang while it runs, a hang inside a graded function, an
unreadable file and a written answer. Graded with ``jobs=2`` it must get exactly the rows of ``jobs=1``
(times aside); the hangs cost their own limits and nobody else's.
"""

from __future__ import annotations

import csv
import json

import pytest
from test_grading_support import (
    TOY,
    TOY_BLANK,
    TOY_SOLUTION,
    toy_assignment,
    toy_notebook,
    write,
)

from course_utils.grading.grader import STATUSES, canvas_gradebook, grade_directory
from course_utils.grading.sandbox import Limits

pytestmark = pytest.mark.slow  # ~20 s quiet: two class runs of 8 submissions, two of which hang

LIMITS = Limits(total_s=30, notebook_s=8, call_s=4, memory_mb=1000)
CLASS = {
    "ada.ipynb": (TOY_SOLUTION, "Doubling adds x to itself."),
    "bob.ipynb": (TOY_BLANK, ""),
    "cy.ipynb": (TOY_SOLUTION + "\ndef square(x):\n    return x + x\n", ""),
    "dee.ipynb": ("import os\nos._exit(3)\n" + TOY_SOLUTION, ""),
    "eve.ipynb": ("while True:\n    pass\n", ""),
    "fay.ipynb": (TOY_SOLUTION + "\ndef square(x):\n    while True:\n        pass\n", ""),
    "sub/gus.ipynb": (TOY_SOLUTION + "\nimport sys\nsys.exit(0)\n", ""),
}
EXPECTED = {  # submission: (status, score)
    "ada.ipynb": ("graded", 3.0),
    "bob.ipynb": ("graded", 0.0),
    "cy.ipynb": ("graded", 2.0),
    "dee.ipynb": ("partial", 0.0),
    "eve.ipynb": ("limit", 0.0),
    "fay.ipynb": ("limit", 2.0),
    "hal.ipynb": ("error", 0.0),
    "sub/gus.ipynb": ("graded", 3.0),
}


@pytest.fixture
def klass(monkeypatch, tmp_path):
    dist = toy_assignment(monkeypatch, tmp_path / "dist", LIMITS)
    folder = tmp_path / "class"
    for name, (code, answer) in CLASS.items():
        write(toy_notebook(code, answer or "_Type your answer here_"), folder / name)
    (folder / "hal.ipynb").write_text("{not json")
    return dist, folder


def _without_times(rows):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_jobs_2_gets_exactly_the_grades_of_jobs_1(klass, tmp_path):
    dist, folder = klass
    one = grade_directory(TOY, folder, tmp_path / "one.csv", dist=dist, jobs=1)
    lines = []
    two = grade_directory(
        TOY, folder, tmp_path / "two.csv", dist=dist, jobs=2, progress=lines.append
    )
    assert _without_times(two) == _without_times(one)
    assert {r["submission"]: (r["status"], r["score"]) for r in one} == EXPECTED
    assert len(lines) == len(EXPECTED)  # one progress line per submission, none lost
    # the CSV on disk: every submission once, in name order, a status from the documented set
    rows = list(csv.DictReader((tmp_path / "two.csv").open()))
    assert [r["submission"] for r in rows] == sorted(EXPECTED)
    assert all(r["status"] in STATUSES for r in rows)
    assert {r["isolation"] for r in rows if r["status"] != "error"} == {"sandboxed"}
    by_name = {r["submission"]: r for r in rows}
    assert "time limit" in by_name["eve.ipynb"]["message"]
    assert "ended the grading process" in by_name["dee.ipynb"]["message"]
    assert all("Landlock unavailable" not in r["message"] for r in rows)  # strict: it was applied
    written = list(csv.DictReader((tmp_path / "two_written.csv").open()))
    assert {"submission": "ada.ipynb", "name": "w1", "max_score": "1.0"}.items() <= written[
        0
    ].items()
    assert written[0]["answer"] == "Doubling adds x to itself."
    # a hang costs its own limit only: the others were graded meanwhile
    seconds = {r["submission"]: r["seconds"] for r in two}
    assert seconds["eve.ipynb"] >= LIMITS.notebook_s - 0.5 > seconds["ada.ipynb"]


def test_canvas_gradebook_from_a_class_run(tmp_path):
    rows = [
        {"submission": "s001.ipynb", "score": 3.0, "max_score": 3.0},
        {"submission": "s002/a.ipynb", "score": 1.5, "max_score": 3.0},
        {"submission": "stranger.ipynb", "score": 2.0, "max_score": 3.0},
    ]
    roster = tmp_path / "export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (11)\n"
        "    Points Possible,,,,,10\n"
        "Ada Lovelace,101,s001,ada,Sec A,9\n"
        "Bob Babbage,102,s002,bob,Sec B,7\n"
        "Cy Absent,103,s003,cy,Sec A,8\n"
    )
    column = "A1 - RNN (4242)"
    out = canvas_gradebook(rows, tmp_path / "canvas.csv", column, roster=roster)
    assert [r[column] for r in out] == [3.0, 1.5, ""]  # matched by SIS User ID; absent = empty
    lines = (tmp_path / "canvas.csv").read_text().splitlines()
    assert lines[0] == f"Student,ID,SIS User ID,Section,{column}"
    assert lines[1] == "    Points Possible,,,,3"
    assert lines[2] == "Ada Lovelace,101,s001,Sec A,3.0"
    # without a roster: one row per submission, its name as Student and SIS User ID
    bare = canvas_gradebook(rows, tmp_path / "bare.csv", column)
    assert [(r["SIS User ID"], r[column]) for r in bare] == [
        ("s001", 3.0),
        ("s002", 1.5),
        ("stranger", 2.0),
    ]
    assert json.dumps(bare)  # plain data
