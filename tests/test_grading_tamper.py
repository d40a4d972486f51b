"""Tamper resistance: what a submission does to its own process cannot change its grade or the grader.

Every submission here is the toy assignment's solution or blank (``test_grading_support``: ``double``
and ``square``, 3 points; fast and independent of the course's assignments) with code that tries one
trick. The grade must be what the code honestly computes (or 0 with a clear message), within the
per-submission limits, and the grader must survive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_grading_support import (
    TOY,
    TOY_BLANK,
    TOY_SOLUTION,
    toy_assignment,
    toy_notebook,
    write,
)

from course_utils.grading.grader import DELEGATION_NOTE, grade_directory, grade_notebook
from course_utils.grading.sandbox import Limits, Sandbox, SandboxLost, landlock_available

# each test grades in subprocesses (a few seconds each)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FULL = 3.0
LIMITS = Limits(total_s=40, notebook_s=15, call_s=8, memory_mb=1000)
WRONG_SQUARE = "\ndef square(x):\n    return x + x\n"


@pytest.fixture
def dist(monkeypatch, tmp_path):
    return toy_assignment(monkeypatch, tmp_path / "dist", LIMITS)


def _grade(dist, tmp_path, code, limits=LIMITS):
    path = write(toy_notebook(code), tmp_path / "submission.ipynb")
    return grade_notebook(TOY, path, dist=dist, limits=limits)


def _message(report, name):
    return next(t.message for t in report.tests if t.name == name)


def test_monkeypatching_numpy_and_checks_does_not_help(dist, tmp_path):
    cheat = (
        "\nimport numpy, numpy.testing, builtins\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "builtins.AssertionError = type('Nope', (Exception,), {})\n"
    )
    assert _grade(dist, tmp_path, TOY_BLANK + cheat).score == 0
    wrong = _grade(dist, tmp_path, TOY_SOLUTION + WRONG_SQUARE + cheat)
    assert wrong.score == FULL - 1 and "square(3) should be 9, got 6" in _message(
        wrong, "q2: test_square"
    )


def test_redefining_the_checking_code_does_not_help(dist, tmp_path):
    cheat = (
        "\nimport sys, types\n"
        "fake = types.ModuleType('course_utils.grading.checks')\n"
        "fake.expect_array = fake.expect_tuple = fake.expect_arrays = lambda *a, **k: a[0]\n"
        "sys.modules['course_utils.grading.checks'] = fake\n"
        "def test_square(*a, **k):\n    return True\n"
        "import otter\notter.Notebook = None\n"
    )
    assert _grade(dist, tmp_path, TOY_BLANK + cheat).score == 0


def test_exiting_the_interpreter_is_graded_on_what_ran(dist, tmp_path):
    # sys.exit at the top level: recorded, the rest of the notebook still counts
    report = _grade(dist, tmp_path, TOY_SOLUTION + "\nimport sys\nsys.exit(0)\n")
    assert report.score == FULL and report.status == "graded"
    assert any("SystemExit" in n for n in report.notes)
    # os._exit inside a graded function: its test fails with a clear message, the others pass
    hard = "\nimport os\ndef square(x):\n    os._exit(0)\n"
    report = _grade(dist, tmp_path, TOY_SOLUTION + hard)
    assert "ended the grading process" in _message(report, "q2: test_square")
    assert _message(report, "q1: test_double_public") == "passed"
    assert report.score == FULL - 1 and report.status == "partial"


def test_endless_loop_hits_the_time_limit(dist, tmp_path):
    limits = Limits(total_s=10, notebook_s=4, call_s=3, memory_mb=1000)
    report = _grade(dist, tmp_path, "while True:\n    pass\n", limits)
    assert report.score == 0 and report.seconds < 15 and report.status == "limit"
    assert all("time limit" in t.message for t in report.tests)
    slow = "\ndef square(x):\n    while True:\n        pass\n"
    report = _grade(
        dist, tmp_path, TOY_SOLUTION + slow, Limits(total_s=30, notebook_s=10, call_s=2)
    )
    assert "time limit (per-call" in _message(report, "q2: test_square")
    assert report.score == FULL - 1 and report.status == "limit"


def test_huge_allocations_hit_the_memory_limit(dist, tmp_path):
    # the address-space cap (NumPy assignments): the allocation fails inside the submission
    report = _grade(dist, tmp_path, TOY_SOLUTION + "\nblob = bytearray(8 * 2**30)\n")
    assert report.score == FULL and any("MemoryError" in n for n in report.notes)
    in_function = "\ndef square(x):\n    return np.ones((60000, 60000))\n"
    report = _grade(dist, tmp_path, TOY_SOLUTION + in_function)
    assert "MemoryError" in _message(report, "q2: test_square") and report.score == FULL - 1


def test_resident_memory_watchdog_without_address_space_cap(dist, tmp_path):
    # Keras assignments cannot cap the address space: the psutil watchdog ends the process instead
    limits = Limits(total_s=60, notebook_s=20, call_s=40, memory_mb=150, address_space=False)
    greedy = "\ndef square(x):\n    blob = np.ones(2**25)  # 256 MB\n    return x * x\n"
    report = _grade(dist, tmp_path, TOY_SOLUTION + greedy, limits)
    assert "memory limit of 150 MB exceeded" in _message(report, "q2: test_square")
    assert report.score == FULL - 1 and report.status == "limit"


def test_endless_printing_is_capped():
    cells = [TOY_BLANK, "while True:\n    print('x' * 1000)\n"]
    with Sandbox(cells, Limits(total_s=6, notebook_s=4, output_bytes=5000)) as box:
        with pytest.raises(SandboxLost, match="time limit"):
            box.has("double")
        assert len(box.output) < 5200 and "more bytes of output dropped" in box.output


@pytest.mark.skipif(
    not landlock_available(),
    reason="needs Landlock (Linux >= 5.13): without it grading refuses to run",
)
def test_hidden_tests_and_grader_files_are_unreadable_and_unwritable(dist, tmp_path):
    autograder = dist / "autograder" / TOY / f"{TOY}.ipynb"
    before = autograder.read_bytes()
    results = tmp_path / "class" / "grades.csv"
    cheat = (
        f"\ntry:\n    SECRET = open({str(autograder)!r}).read()[:300]\nexcept Exception as exc:\n    SECRET = repr(exc)\n"
        f"try:\n    open({str(autograder)!r}, 'w').write('{{}}')\n    WROTE = 'wrote'\nexcept Exception as exc:\n    WROTE = repr(exc)\n"
        f"try:\n    open({str(results)!r}, 'w').write('submission,score\\nme,1000\\n')\nexcept Exception:\n    pass\n"
        "def square(x):\n    raise RuntimeError(SECRET + ' | ' + WROTE)\n"
    )
    write(toy_notebook(TOY_SOLUTION + cheat), tmp_path / "class" / "cheat.ipynb")
    grade_directory(TOY, tmp_path / "class", results, dist=dist, limits=LIMITS)
    assert autograder.read_bytes() == before
    rows = results.read_text()
    assert "1000" not in rows and "cheat.ipynb" in rows
    message = _message(_grade(dist, tmp_path, TOY_SOLUTION + cheat), "q2: test_square")
    assert "PermissionError" in message and "test_double_hidden" not in message


@pytest.mark.skipif(
    not landlock_available(), reason="needs Landlock ABI >= 6 to stop signals to the grader"
)
def test_killing_the_grader_is_refused(dist, tmp_path):
    cheat = "\nimport os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept Exception as exc:\n    print(exc)\n"
    assert _grade(dist, tmp_path, TOY_SOLUTION + cheat).score == FULL  # and this process lives


def test_delegating_to_the_reference_earns_no_credit(dist, tmp_path):
    cheat = "\nfrom course_utils.reference import rnn_step_forward\n"
    report = _grade(dist, tmp_path, TOY_BLANK + cheat)
    assert _message(report, "q1: test_double_public").startswith(DELEGATION_NOTE)
    assert report.score == 0 and any(
        "blocked imports: course_utils.reference" in n for n in report.notes
    )
    # the same import next to the student's own functions changes nothing: graded on their own code
    assert _grade(dist, tmp_path, TOY_SOLUTION + cheat).score == FULL
    sneaky = (
        "\nimport importlib\n"
        "def double(x):\n"
        "    return importlib.import_module('course_utils.' + 'reference').double(x)\n"
    )
    report = _grade(dist, tmp_path, TOY_SOLUTION + sneaky)
    message = _message(report, "q1: test_double_public")
    assert "not available while grading" in message and DELEGATION_NOTE in message
    assert _message(report, "q2: test_square") == "passed"


def test_corrupting_the_grading_channel_fails_cleanly(dist, tmp_path):
    cheat = (
        "\nimport os, sys, json, struct\n"
        "def square(x):\n"
        "    fake = json.dumps({'ok': True, 'value': 9}).encode()\n"
        "    os.write(int(sys.argv[2]), struct.pack('>I', len(fake)) + fake + b'garbage')\n"
        "    return None\n"
    )
    report = _grade(dist, tmp_path, TOY_SOLUTION + cheat)
    assert "corrupted the grading channel" in _message(report, "q2: test_square")
    assert report.score == FULL - 1 and report.status == "partial"


def test_unreadable_submission_is_zero_with_a_message(dist, tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps([1, 2]))
    report = grade_notebook(TOY, path, dist=dist, limits=LIMITS)
    assert report.score == 0 and report.status == "error"
    assert "unreadable submission" in report.notes[0]


def test_the_submission_dies_with_the_grader(tmp_path):
    # a grader killed mid-run (Ctrl-C twice, OOM killer) leaves no submission computing on its own
    script = (
        "import os, signal, sys\n"
        "from course_utils.grading.sandbox import Sandbox, Limits\n"
        "box = Sandbox(['import os\\nprint(os.getpid(), flush=True)\\nwhile True:\\n    pass\\n'],"
        " Limits(total_s=60, notebook_s=60))\n"
        "try:\n    box.has('x')\nfinally:\n    pass\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    child = None
    deadline = time.monotonic() + 60
    while child is None and time.monotonic() < deadline:
        time.sleep(0.5)
        found = [
            p for p in psutil.Process(grader.pid).children() if "_child.py" in " ".join(p.cmdline())
        ]
        child = found[0] if found else None
    assert child is not None, "the sandbox did not start"
    grader.kill()
    grader.wait()
    with pytest.raises(psutil.NoSuchProcess):
        child.wait(timeout=10)
        child.status()  # reaped by init: gone
