"""Tamper resistance: what a submission does to its own process cannot change its grade or the grader.

Every submission here is the instructor's solution or the blank student edition of assignment 1 with a
cell appended that tries one trick from the issue's list. The grade must be what the code honestly
computes (or 0 with a clear message), within the per-submission limits, and the grader must survive.
"""

from __future__ import annotations

import json

import pytest
from test_grading_support import blank, build, solution, with_cells, write

from course_utils.grading.grader import DELEGATION_NOTE, grade_directory, grade_notebook
from course_utils.grading.sandbox import Limits, Sandbox, SandboxLost, landlock_available

# each module builds a release with otter (~15 s) and grades in subprocesses
pytestmark = pytest.mark.slow

ID = "a1_rnn_bptt"
FULL = 25.0
LIMITS = Limits(total_s=40, notebook_s=10, call_s=8, memory_mb=1000)
NO_BIAS = "def rnn_step_forward(x_t, h_prev, Wx, Wh, b):\n    h = np.tanh(x_t @ Wx + h_prev @ Wh)\n    return h, StepCache(x_t, h_prev, h, Wx, Wh)\n"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"), [ID])


def _grade(dist, tmp_path, notebook, limits=LIMITS):
    return grade_notebook(
        ID, write(notebook, tmp_path / "submission.ipynb"), dist=dist, limits=limits
    )


def _message(report, name):
    return next(t.message for t in report.tests if t.name == name)


def test_monkeypatching_numpy_and_checks_does_not_help(dist, tmp_path):
    cheat = (
        "import numpy, numpy.testing, builtins\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "builtins.AssertionError = type('Nope', (Exception,), {})\n"
    )
    report = _grade(dist, tmp_path, with_cells(blank(dist, ID), cheat))
    assert report.score == 0
    wrong = _grade(dist, tmp_path, with_cells(solution(dist, ID), NO_BIAS, cheat))
    assert wrong.score < FULL and "missing bias" in _message(
        wrong, "q1: test_step_forward_mistakes"
    )


def test_redefining_the_checking_code_does_not_help(dist, tmp_path):
    cheat = (
        "import sys, types\n"
        "fake = types.ModuleType('course_utils.grading.checks')\n"
        "fake.expect_array = fake.expect_tuple = fake.expect_arrays = lambda *a, **k: a[0]\n"
        "sys.modules['course_utils.grading.checks'] = fake\n"
        "grader.check = lambda *a, **k: True\n"
        "def test_step_forward_mistakes(*a, **k):\n    return True\n"
        "import otter\notter.Notebook = None\n"
    )
    report = _grade(dist, tmp_path, with_cells(blank(dist, ID), cheat))
    assert report.score == 0


def test_exiting_the_interpreter_is_graded_on_what_ran(dist, tmp_path):
    # sys.exit at the top level: recorded, the rest of the notebook still counts
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), "import sys\nsys.exit(0)\n"))
    assert report.score == FULL and any("SystemExit" in n for n in report.notes)
    # os._exit inside a graded function: that function's tests fail with a clear message, the others pass
    hard = "import os\ndef clip_by_global_norm(grads, max_norm):\n    os._exit(0)\n"
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), hard))
    assert "ended the grading process" in _message(report, "q5: test_clip_public")
    assert _message(report, "q1: test_step_forward_public") == "passed"
    assert 0 < report.score < FULL


def test_endless_loop_hits_the_time_limit(dist, tmp_path):
    limits = Limits(total_s=10, notebook_s=3, call_s=3, memory_mb=1000)
    report = _grade(
        dist, tmp_path, with_cells(solution(dist, ID), "while True:\n    pass\n"), limits
    )
    assert report.score == 0 and report.seconds < 15
    assert all("time limit" in t.message for t in report.tests)
    slow = "def numerical_gradient(f, x, df, h=1e-5):\n    while True:\n        pass\n"
    report = _grade(
        dist,
        tmp_path,
        with_cells(solution(dist, ID), slow),
        Limits(total_s=30, notebook_s=10, call_s=2, memory_mb=1000),
    )
    assert "time limit (per-call" in _message(report, "q6: test_numerical_gradient_public")
    assert report.score == FULL - 3


def test_huge_allocations_hit_the_memory_limit(dist, tmp_path):
    greedy = "blob = bytearray(8 * 2**30)\n"
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), greedy))
    assert report.score == FULL and any("MemoryError" in n for n in report.notes)
    in_function = (
        "def clip_by_global_norm(grads, max_norm):\n    return [np.ones((60000, 60000))], 1.0\n"
    )
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), in_function))
    assert "MemoryError" in _message(report, "q5: test_clip_public")
    assert report.score == FULL - 3 - 4  # q5, and q7 whose training calls the clipping


def test_endless_printing_is_capped(dist, tmp_path):
    cells = blank(dist, ID)["cells"]
    noisy = [
        c["source"] if isinstance(c["source"], str) else "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code"
    ]
    with Sandbox(
        [*noisy, "while True:\n    print('x' * 1000)\n"],
        Limits(total_s=4, notebook_s=2, output_bytes=5000),
    ) as box:
        with pytest.raises(SandboxLost, match="time limit"):
            box.has("rnn_forward")
        assert len(box.output) < 5200 and "more bytes of output dropped" in box.output


@pytest.mark.skipif(
    not landlock_available(),
    reason="needs Landlock (Linux >= 5.13): without it the child can read any file of the user",
)
def test_hidden_tests_and_grader_files_are_unreadable_and_unwritable(dist, tmp_path):
    autograder = dist / "autograder" / ID / f"{ID}.ipynb"
    before = autograder.read_bytes()
    results = tmp_path / "class" / "grades.csv"
    cheat = (
        f"try:\n    SECRET = open({str(autograder)!r}).read()[:300]\nexcept Exception as exc:\n    SECRET = repr(exc)\n"
        f"try:\n    open({str(autograder)!r}, 'w').write('{{}}')\n    WROTE = 'wrote'\nexcept Exception as exc:\n    WROTE = repr(exc)\n"
        f"try:\n    open({str(results)!r}, 'w').write('submission,score\\nme,1000\\n')\nexcept Exception:\n    pass\n"
        "import course_utils, os\n"
        "try:\n    REF = open(os.path.join(os.path.dirname(course_utils.__file__), '..', '..', 'work', 'main', 'course_utils', 'reference', 'rnn.py')).read()\nexcept Exception as exc:\n    REF = repr(exc)\n"
        "def clip_by_global_norm(grads, max_norm):\n    raise RuntimeError(SECRET + ' | ' + WROTE)\n"
    )
    write(with_cells(solution(dist, ID), cheat), tmp_path / "class" / "cheat.ipynb")
    grade_directory(ID, tmp_path / "class", results, dist=dist, limits=LIMITS)
    assert autograder.read_bytes() == before
    rows = results.read_text()
    assert "1000" not in rows and "cheat.ipynb" in rows
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), cheat))
    message = _message(report, "q5: test_clip_public")
    assert (
        "PermissionError" in message
        and "test_clip_mistakes" not in message
        and "hidden" not in message
    )


@pytest.mark.skipif(
    not landlock_available(), reason="needs Landlock ABI >= 6 to stop signals to the grader"
)
def test_killing_the_grader_is_refused(dist, tmp_path):
    cheat = "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept Exception as exc:\n    print(exc)\n"
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), cheat))
    assert report.score == FULL  # and this test process is still alive


def test_delegating_to_the_reference_earns_no_credit(dist, tmp_path):
    cheat = "from course_utils.reference import rnn_step_forward, rnn_forward\n"
    report = _grade(dist, tmp_path, with_cells(blank(dist, ID), cheat))
    assert _message(report, "q1: test_step_forward_public").startswith(DELEGATION_NOTE)
    assert report.score == 0 and any(
        "blocked imports: course_utils.reference" in n for n in report.notes
    )
    # the same import next to the student's own functions changes nothing: graded on their own code
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), cheat))
    assert report.score == FULL
    sneaky = (
        "import importlib\n"
        "def rnn_step_forward(x_t, h_prev, Wx, Wh, b):\n"
        "    return importlib.import_module('course_utils.' + 'reference').rnn_step_forward(x_t, h_prev, Wx, Wh, b)\n"
    )
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), sneaky))
    message = _message(report, "q1: test_step_forward_mistakes")
    assert "not available while grading" in message and DELEGATION_NOTE in message
    assert _message(report, "q5: test_clip_public") == "passed"


def test_corrupting_the_grading_channel_fails_cleanly(dist, tmp_path):
    cheat = (
        "import os, sys, json, struct\n"
        "def clip_by_global_norm(grads, max_norm):\n"
        "    fake = json.dumps({'ok': True, 'value': 25}).encode()\n"
        "    os.write(int(sys.argv[2]), struct.pack('>I', len(fake)) + fake + b'garbage')\n"
        "    return None\n"
    )
    report = _grade(dist, tmp_path, with_cells(solution(dist, ID), cheat))
    assert "corrupted the grading channel" in _message(report, "q5: test_clip_public")
    assert report.score == FULL - 3 - 4  # q5, and q7 whose training calls the clipping


def test_unreadable_submission_is_zero_with_a_message(dist, tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps([1, 2]))
    report = grade_notebook(ID, path, dist=dist, limits=LIMITS)
    assert report.score == 0 and "unreadable submission" in report.notes[0]
