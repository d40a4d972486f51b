"""Release, leak scan, and the two anchors of a trustworthy grade: solution = full marks, blank = 0."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
from test_grading_support import blank, build, solution, with_cells, write

from course_utils.grading import assignments, checks
from course_utils.grading.grader import grade_directory, grade_notebook, load_tests, written_answers
from course_utils.grading.sandbox import Limits

# each module builds a release with otter (~15 s) and grades in subprocesses
pytestmark = pytest.mark.slow

IDS = list(assignments.ASSIGNMENTS)
# A1's step with one mistake: the output layer's bias is left out
NO_OUTPUT_BIAS = (
    "def jordan_step_forward(x_t, y_prev, Wx, Wy, b, Wo, bo):\n"
    "    h_t = np.tanh(x_t @ Wx + y_prev @ Wy + b)\n"
    "    return h_t @ Wo, StepCache(x_t, y_prev, h_t, Wx, Wy, Wo)\n"
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


def _solution_lines(master: dict) -> set[str]:
    """Every non-trivial line of solution code or solution prose in the master notebook."""
    lines: set[str] = set()
    in_block = False
    for cell in master["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw":
            in_block = source.strip().startswith("# BEGIN SOLUTION") or (
                in_block and not source.strip().startswith("# END SOLUTION")
            )
            continue
        inside = False
        for line in source.splitlines():
            if line.strip().startswith("# BEGIN SOLUTION"):
                inside = True
            elif line.strip().startswith("# END SOLUTION"):
                inside = False
            elif (inside or (in_block and cell["cell_type"] == "markdown")) and len(
                line.strip()
            ) >= 12:
                lines.add(line.strip())
    return lines


def _hidden_test_lines(dist, assignment_id: str) -> set[str]:
    tests = [
        t
        for t in load_tests(dist / "autograder" / assignment_id / f"{assignment_id}.ipynb")
        if t.hidden
    ]
    lines = set()
    for test in tests:
        assert test.source.startswith(f"def {test.name}(")
        lines.add(f"def {test.name}(")
        for line in test.source.splitlines():
            if len(line.strip()) >= 25:
                lines.add(line.strip())
    return lines


def _is_hidden_test(source: str) -> bool:
    return source.lstrip().startswith('""" # BEGIN TEST CONFIG') and "hidden: true" in source


def _public_text(master: dict) -> str:
    """Everything in a master notebook that students may see: prompts, stubs, setup, public tests."""
    secret = _solution_lines(master)
    kept = []
    for cell in master["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" or _is_hidden_test(source):
            continue
        kept.extend(line for line in source.splitlines() if line.strip() not in secret)
    return "\n".join(kept)


def _texts(folder):
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            yield path, text
            if path.suffix in (".ipynb", ".json"):
                yield path, "\n".join(_strings(json.loads(text)))


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("assignment_id", IDS)
def test_release_builds_student_edition_and_autograder(dist, assignment_id):
    student = dist / "student" / assignment_id / f"{assignment_id}.ipynb"
    nb = json.loads(student.read_text())
    public = load_tests(dist / "autograder" / assignment_id / f"{assignment_id}.ipynb")
    assert any(t.hidden for t in public) and any(not t.hidden for t in public)
    # the student edition carries the public tests (so grader.check works offline) and nothing hidden
    embedded = "\n".join(nb["metadata"]["otter"]["tests"].values())
    assert "hidden=False" in embedded and "hidden=True" not in embedded
    questions = json.loads((dist / "autograder" / assignment_id / "questions.json").read_text())
    assert [q["name"] for q in questions] == [
        q.name for q in assignments.questions(assignments.get(assignment_id).master())
    ]


@pytest.mark.parametrize("assignment_id", IDS)
def test_student_edition_leaks_no_solution_and_no_hidden_test(dist, assignment_id):
    master = json.loads(assignments.get(assignment_id).master().read_text())
    secret = _solution_lines(master) | _hidden_test_lines(dist, assignment_id)
    assert len(secret) > 20  # the scan has something to look for
    # a line that is also public (a stub's signature, a public test's import, a prompt) is not a secret
    public = "\n".join(
        _public_text(json.loads(assignments.get(i).master().read_text())) for i in IDS
    )
    public += "\n".join(
        t.source
        for i in IDS
        for t in load_tests(dist / "autograder" / i / f"{i}.ipynb")
        if not t.hidden
    )
    secret = {s for s in secret if s not in public}
    assert len(secret) > 20
    hits = [(path.name, s) for path, text in _texts(dist / "student") for s in secret if s in text]
    assert not hits, f"student edition leaks: {hits[:5]}"


def test_leak_scan_detects_a_leak(dist, tmp_path):
    # the scan itself must be able to fail: plant one solution line in a copy of the student edition
    master = json.loads(assignments.get("a1_rnn_bptt").master().read_text())
    line = sorted(_solution_lines(master))[0]
    leaked = with_cells(blank(dist, "a1_rnn_bptt"), f"# {line}")
    write(leaked, tmp_path / "student" / "x.ipynb")
    assert any(line in text for _, text in _texts(tmp_path / "student"))


@pytest.mark.parametrize("assignment_id", IDS)
def test_solution_full_marks_and_blank_zero(dist, tmp_path, assignment_id):
    full = grade_notebook(
        assignment_id, write(solution(dist, assignment_id), tmp_path / "s.ipynb"), dist=dist
    )
    assert full.score == full.max_score > 0, [t for t in full.tests if not t.passed]
    empty = grade_notebook(
        assignment_id, write(blank(dist, assignment_id), tmp_path / "b.ipynb"), dist=dist
    )
    assert empty.score == 0 and empty.max_score == full.max_score
    assert all("not implemented" in t.message or "None" in t.message for t in empty.tests), [
        t.message for t in empty.tests
    ]


def test_written_answers_are_collected(dist):
    nb = blank(dist, "a3_keras_sequences")
    for cell in nb["cells"]:
        if (
            "otter_answer_cell" in cell["metadata"].get("tags", [])
            and cell["cell_type"] == "markdown"
        ):
            cell["source"] = "The state carries the first number."
            break
    manual = [
        q for q in assignments.questions(assignments.get("a3_keras_sequences").master()) if q.manual
    ]
    answers = written_answers(nb, manual)
    assert [a["name"] for a in answers] == ["w1", "w2"]
    assert (
        answers[0]["answer"] == "The state carries the first number." and answers[1]["answer"] == ""
    )


def test_cli_prints_one_json_object(dist, tmp_path):
    path = write(solution(dist, "a1_rnn_bptt"), tmp_path / "sub.ipynb")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_utils.grading",
            "grade",
            "a1_rnn_bptt",
            str(path),
            "--json",
            "--dist",
            str(dist),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["assignment"] == "a1_rnn_bptt" and report["score"] == report["max_score"] == 25
    assert set(report["tests"][0]) >= {"name", "score", "max_score", "passed", "hidden", "message"}


def test_class_run_good_partial_broken_hanging(dist, tmp_path):
    sol = solution(dist, "a1_rnn_bptt")
    folder = tmp_path / "class"
    write(sol, folder / "good.ipynb")
    write(with_cells(sol, NO_OUTPUT_BIAS), folder / "partial.ipynb")
    (folder / "broken.ipynb").write_text("{ this is not a notebook")
    write(with_cells(sol, "while True:\n    pass\n"), folder / "hanging.ipynb")
    # the notebook trains a small network (a few seconds on a busy machine); the hanging one stops at 20 s
    limits = Limits(total_s=60, notebook_s=20, call_s=15, memory_mb=1500)
    rows = grade_directory("a1_rnn_bptt", folder, tmp_path / "grades.csv", dist=dist, limits=limits)
    with open(tmp_path / "grades.csv", newline="") as fh:
        table = {row["submission"]: row for row in csv.DictReader(fh)}
    assert len(rows) == len(table) == 4
    assert float(table["good.ipynb"]["score"]) == 25 and table["good.ipynb"]["status"] == "graded"
    partial = float(table["partial.ipynb"]["score"])
    assert (
        0 < partial < 25 and float(table["partial.ipynb"]["q1"]) == 0
    )  # both q1 checks fail; q5 and q6 do not call the step
    assert table["broken.ipynb"]["status"] == "error" and float(table["broken.ipynb"]["score"]) == 0
    assert (
        table["hanging.ipynb"]["status"] == "limit" and float(table["hanging.ipynb"]["score"]) == 0
    )
    assert "time limit" in table["hanging.ipynb"]["message"]
    assert not list(tmp_path.glob(".grades.csv.*"))  # no temporary file left behind


def test_partial_submission_message_names_the_mistake(dist, tmp_path):
    report = grade_notebook(
        "a1_rnn_bptt",
        write(with_cells(solution(dist, "a1_rnn_bptt"), NO_OUTPUT_BIAS), tmp_path / "p.ipynb"),
        dist=dist,
    )
    message = next(t.message for t in report.tests if t.name == "q1: test_step_forward_mistakes")
    assert re.search("the output bias bo is not added", message)


def test_checks_name_the_mistake():
    import numpy as np

    with pytest.raises(AssertionError, match="rnn: missing bias"):
        checks.expect_array(np.zeros(2), np.ones(2), "rnn", variants={"missing bias": np.zeros(2)})
    with pytest.raises(AssertionError, match=r"expected shape \(2,\), got \(3,\)"):
        checks.expect_array(np.zeros(3), np.ones(2), "rnn")
