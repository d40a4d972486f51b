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

ID = "a3_keras_sequences"  # its q1 public check needs no training

SCRIPT = """
import sys, types, json, os
{colab}
from course_utils.grading.student import public_checks
import numpy as np
grader = public_checks("a3_keras_sequences.ipynb")
def standardize(x_train, x_test):
    mean, std = x_train.mean(axis=(0, 1)), x_train.std(axis=(0, 1))
    return (x_train - mean) / std, (x_test - mean) / std
good = grader.check("q1")
def standardize(x_train, x_test):
    return x_train - x_train.mean(), x_test - x_train.mean()
bad = grader.check("q1")
print(json.dumps({{"good": good.grade, "bad": bad.grade, "message": str(bad)[:400],
                  "good_message": str(good), "html": bad._repr_html_()}}))
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
    dist = build(tmp_path_factory.mktemp("dist"), [ID])
    return dist / "student" / ID


def _run(code: str, cwd) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_public_checks_in_jupyterlab_and_binder(student):
    result = _run(SCRIPT.format(colab=""), student)
    assert result["good"] == 1.0 and result["bad"] == 0.0
    # the check's message says what is wrong, in one line, without the test's own source line
    assert result["message"] == (
        "❌ q1: standardize: mean of the standardised training data: wrong values (largest error 0.11)"
    ), result["message"]
    assert (
        result["good_message"].startswith("✅ q1: all ")
        and "public checks passed" in result["good_message"]
    )
    assert "<pre" not in result["html"] and "Error at line" not in result["html"]


def test_public_checks_on_colab(student, tmp_path):
    # On Colab the notebook is not on disk: the checks come from the open notebook (get_ipynb).
    fake = textwrap.dedent(FAKE_COLAB.format(path=str(student / f"{ID}.ipynb")))
    result = _run(SCRIPT.format(colab=fake), tmp_path)
    assert result["good"] == 1.0 and result["bad"] == 0.0


def test_write_test_files_has_public_tests_only(student, tmp_path):
    nb = json.loads((student / f"{ID}.ipynb").read_text())
    paths = write_test_files(nb, tmp_path / "tests")
    assert sorted(p.stem for p in paths) == ["q1", "q2", "q3"]
    assert all("hidden=True" not in p.read_text() for p in paths)
