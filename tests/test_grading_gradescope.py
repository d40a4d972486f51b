"""Gradescope: ``release`` writes an autograder.zip whose ``run_autograder`` grades with this grader.

End to end, as Gradescope runs it: the zip is unpacked into ``<root>/source`` of a temporary folder laid
out like Gradescope's ``/autograder`` (``GRADESCOPE_ROOT`` points there), a notebook is put in
``<root>/submission/`` and ``run_autograder`` writes ``<root>/results/results.json``. Four submissions of
A3: the reference, the blank student edition, a partly wrong one and one that crashes its process. Each
results.json is checked against the fields Gradescope documents
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). The unpacked copy has no master
notebook beside it, so this also proves that grading needs nothing but the release (questions.json).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
from test_grading_support import blank, build, solution, with_cells, write

from course_utils.grading import assignments as registry
from course_utils.grading.grader import grade_notebook, load_tests

pytestmark = pytest.mark.slow  # a release (~15 s) and four A3 gradings, one of which trains (~20 s)

ID = "a3_keras_sequences"
TOP_FIELDS = {  # Gradescope's documented top-level fields
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
TEST_FIELDS = {  # ... and per test
    "score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
    "tags", "visibility", "extra_data",
}  # fmt: skip
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
STANDARDIZE = (
    "def standardize(x_train, x_test):\n"
    "    mean, std = x_train.mean(axis=(0, 1)), x_train.std(axis=(0, 1))\n"
    "    return (x_train - mean) / std, (x_test - mean) / std\n"
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"), [ID])


def validate(results: dict, hidden: dict[str, bool]) -> None:
    """Assert that ``results`` is a results.json Gradescope accepts, hidden tests after publishing."""
    assert set(results) <= TOP_FIELDS and isinstance(results["score"], float)
    assert results["visibility"] in VISIBILITY and results["stdout_visibility"] in VISIBILITY
    assert isinstance(results["output"], str) and results["output"]
    for test in results["tests"]:
        assert set(test) <= TEST_FIELDS
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert isinstance(test["output"], str) and test["output"]
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"}
        want = "after_published" if hidden[test["name"]] else "visible"
        assert test["visibility"] == want, test["name"]
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert list(hidden) == [t["name"] for t in results["tests"]]


def test_zip_holds_what_gradescope_needs(dist):
    with zipfile.ZipFile(dist / "gradescope" / ID / "autograder.zip") as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
        assert {f"dist/autograder/{ID}/{ID}.ipynb", f"dist/autograder/{ID}/questions.json"} <= names
        assert "course_utils/grading/grader.py" in names
        mode = zf.getinfo("run_autograder").external_attr >> 16
        assert mode & stat.S_IXUSR
        pins = zf.read("requirements.txt").decode().split()
        assert all("==" in pin for pin in pins)
        assert {p.split("==")[0] for p in pins} >= {"numpy", "psutil", "keras"}
        assert "requirements.txt" in zf.read("setup.sh").decode()


def test_run_autograder_end_to_end(dist, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(dist / "gradescope" / ID / "autograder.zip") as zf:
        zf.extractall(root / "source")
    tests = load_tests(root / "source" / "dist" / "autograder" / ID / f"{ID}.ipynb")
    hidden = {f"{t.question}: {t.name}": t.hidden for t in tests}
    submissions = {
        "reference": (solution(dist, ID), 10.0, "graded"),
        "blank": (blank(dist, ID), 0.0, "graded"),
        "partly wrong": (with_cells(blank(dist, ID), STANDARDIZE), 3.0, "graded"),
        "crashing": (with_cells(blank(dist, ID), "import os\nos._exit(1)\n"), 0.0, "partial"),
    }
    env = {**os.environ, "GRADESCOPE_ROOT": str(root), "COURSE_PYTHON": sys.executable}
    for label, (notebook, score, status) in submissions.items():
        shutil.rmtree(root / "submission", ignore_errors=True)
        shutil.rmtree(root / "results", ignore_errors=True)
        write(notebook, root / "submission" / "my_work.ipynb")
        run = subprocess.run(
            ["bash", str(root / "source" / "run_autograder")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, f"{label}: {run.stderr[-2000:]}"
        results = json.loads((root / "results" / "results.json").read_text())
        validate(results, hidden)
        assert results["score"] == score, (label, results)
        assert results["extra_data"] == {"status": status, "isolation": "sandboxed"}, label
        assert "written answers (w1, w2) are graded by hand" in results["output"]
        if label == "partly wrong":
            failed = [t for t in results["tests"] if t["status"] == "failed"]
            assert all(t["output"] != "passed" for t in failed)
            assert any("not implemented yet" in t["output"] for t in failed)
        if label == "crashing":
            assert "ended the grading process" in results["output"]


def test_grading_reads_questions_from_the_release_only(dist, tmp_path, monkeypatch):
    # dist copied elsewhere, and no master notebook to be found: written answers still collected
    copied = tmp_path / "elsewhere" / "dist"
    shutil.copytree(dist, copied)
    monkeypatch.setattr(registry, "source_root", lambda: tmp_path / "no-such-repository")
    notebook = blank(dist, ID)
    cell = next(  # the first written answer (w1)
        c
        for c in notebook["cells"]
        if c["cell_type"] == "markdown" and "otter_answer_cell" in c["metadata"].get("tags", [])
    )
    cell["source"] = "The state carries the first marked number."
    report = grade_notebook(ID, write(notebook, tmp_path / "s.ipynb"), dist=copied)
    assert report.status == "graded" and report.score == 0
    assert [m["name"] for m in report.manual] == ["w1", "w2"]
    assert report.manual[0]["answer"] == "The state carries the first marked number."
    (copied / "autograder" / ID / "questions.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"questions\.json missing.*release"):
        grade_notebook(ID, tmp_path / "s.ipynb", dist=copied)
