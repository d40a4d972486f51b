"""Public checks in the student's own kernel: JupyterLab/Binder (notebook on disk) and Colab (it is not)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from test_grading_support import build

from course_utils.grading.student import write_test_files

# each module builds a release with otter (~15 s) and grades in subprocesses
pytestmark = pytest.mark.slow

SCRIPT = """
import sys, types, json, os
{colab}
from course_utils.grading.student import public_checks
import numpy as np
grader = public_checks("a1_rnn_bptt.ipynb")
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    return [g * min(1.0, max_norm / norm) for g in grads], norm
good = grader.check("q5")
def clip_by_global_norm(grads, max_norm):
    return grads, 0.0
bad = grader.check("q5")
print(json.dumps({{"good": good.grade, "bad": bad.grade, "message": str(bad)[:400]}}))
"""

FAKE_COLAB = """
nb = json.load(open({path!r}))
colab = types.ModuleType("google.colab"); message = types.ModuleType("google.colab._message")
message.blocking_request = lambda kind, timeout_sec=30: {{"ipynb": nb}}
colab._message = message
sys.modules["google"] = types.ModuleType("google"); sys.modules["google.colab"] = colab
sys.modules["google.colab._message"] = message
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    dist = build(tmp_path_factory.mktemp("dist"), ["a1_rnn_bptt"])
    return dist / "student" / "a1_rnn_bptt"


def _run(code: str, cwd) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_public_checks_in_jupyterlab_and_binder(student):
    result = _run(SCRIPT.format(colab=""), student)
    assert result["good"] == 1.0 and result["bad"] == 0.0
    assert "clip_by_global_norm" in result["message"]  # the check's message says what is wrong


def test_public_checks_on_colab(student, tmp_path):
    # On Colab the notebook is not on disk: the checks come from the open notebook (get_ipynb).
    fake = textwrap.dedent(FAKE_COLAB.format(path=str(student / "a1_rnn_bptt.ipynb")))
    result = _run(SCRIPT.format(colab=fake), tmp_path)
    assert result["good"] == 1.0 and result["bad"] == 0.0


def test_write_test_files_has_public_tests_only(student, tmp_path):
    nb = json.loads((student / "a1_rnn_bptt.ipynb").read_text())
    paths = write_test_files(nb, tmp_path / "tests")
    assert sorted(p.stem for p in paths) == [f"q{i}" for i in range(1, 8)]
    assert all("hidden=True" not in p.read_text() for p in paths)
