"""Fail closed: grading refuses where its sandbox cannot be applied, and says what is missing.

Each test simulates a platform without one piece (no ``resource.prlimit`` as on macOS, no psutil, no
Landlock) by monkeypatching, on the toy assignment of ``test_grading_support`` (NumPy only, fast).
"""

from __future__ import annotations

import sys

import pytest
from test_grading_support import TOY, TOY_SOLUTION, toy_assignment, toy_notebook, write

from course_utils.grading import __main__ as cli
from course_utils.grading import _child, sandbox
from course_utils.grading.grader import IsolationError, grade_directory, grade_notebook
from course_utils.grading.sandbox import Limits, Sandbox, missing_isolation

NUMPY = Limits(address_space=True)
KERAS = Limits(address_space=False)


def no_prlimit(monkeypatch):
    monkeypatch.delattr(sandbox.resource, "prlimit")


def no_psutil(monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)  # `import psutil` raises ImportError


def no_landlock(monkeypatch):
    monkeypatch.setattr(_child, "landlock_abi", lambda: 0)


def test_this_platform_has_the_whole_sandbox():
    # the course is graded on Linux >= 5.13 with psutil: if this fails, the tests below prove nothing
    assert missing_isolation(NUMPY) == [] and missing_isolation(KERAS) == []


@pytest.mark.parametrize(
    ("simulate", "limits", "expected"),
    [
        (no_prlimit, NUMPY, "resource.prlimit is missing"),
        (no_psutil, KERAS, "a memory cap: psutil is not installed"),
        (no_landlock, NUMPY, "a filesystem wall: Landlock is unavailable"),
    ],
)
def test_missing_piece_is_named(monkeypatch, simulate, limits, expected):
    simulate(monkeypatch)
    missing = missing_isolation(limits)
    assert len(missing) == 1 and expected in missing[0]


def test_psutil_is_not_needed_where_the_address_space_is_capped(monkeypatch):
    no_psutil(monkeypatch)
    assert missing_isolation(NUMPY) == []  # RLIMIT_AS is the memory cap there
    no_prlimit(monkeypatch)
    assert any("memory cap" in m for m in missing_isolation(NUMPY))


@pytest.mark.parametrize("simulate", [no_prlimit, no_psutil, no_landlock])
def test_grading_refuses_and_runs_nothing(monkeypatch, tmp_path, simulate):
    dist = toy_assignment(monkeypatch, tmp_path / "dist", Limits(address_space=False))
    simulate(monkeypatch)
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\n" + TOY_SOLUTION
    report = grade_notebook(TOY, write(toy_notebook(code), tmp_path / "s.ipynb"), dist=dist)
    assert report.status == "refused" and report.score == 0 and report.isolation == "refused"
    assert report.notes[0].startswith("refused to grade: this platform lacks")
    assert "--allow-unsandboxed" in report.notes[0]
    assert all(t.message == "not graded: the sandbox is unavailable" for t in report.tests)
    assert not marker.exists()  # the submission's code never ran
    # a class run refuses before grading anything, and writes no CSV that could be uploaded
    write(toy_notebook(code), tmp_path / "class" / "a.ipynb")
    with pytest.raises(IsolationError, match="refused to grade"):
        grade_directory(TOY, tmp_path / "class", tmp_path / "grades.csv", dist=dist)
    assert not (tmp_path / "grades.csv").exists() and not marker.exists()


def test_cli_exits_2_with_the_reason(monkeypatch, tmp_path, capsys):
    dist = toy_assignment(monkeypatch, tmp_path / "dist")
    no_landlock(monkeypatch)
    monkeypatch.setattr(cli, "_parser", _toy_parser(cli._parser))
    write(toy_notebook(TOY_SOLUTION), tmp_path / "class" / "a.ipynb")
    args = ["grade", TOY, str(tmp_path / "class"), "--csv", str(tmp_path / "g.csv")]
    assert cli.main([*args, "--dist", str(dist)]) == 2
    assert "Landlock is unavailable" in capsys.readouterr().err
    single = ["grade", TOY, str(tmp_path / "class" / "a.ipynb"), "--dist", str(dist)]
    assert cli.main(single) == 2
    assert "Landlock is unavailable" in capsys.readouterr().out


def _toy_parser(make):
    return lambda ids: make([*ids, TOY])


def test_allow_unsandboxed_grades_and_every_report_says_so(monkeypatch, tmp_path):
    dist = toy_assignment(monkeypatch, tmp_path / "dist")
    no_landlock(monkeypatch)
    path = write(toy_notebook(TOY_SOLUTION), tmp_path / "class" / "a.ipynb")
    report = grade_notebook(TOY, path, dist=dist, allow_unsandboxed=True)
    assert report.status == "graded" and report.score == 3
    assert report.isolation.startswith("UNSANDBOXED (missing: a filesystem wall")
    rows = grade_directory(
        TOY, tmp_path / "class", tmp_path / "g.csv", dist=dist, allow_unsandboxed=True
    )
    assert rows[0]["isolation"].startswith("UNSANDBOXED")
    assert "UNSANDBOXED (missing: a filesystem wall" in (tmp_path / "g.csv").read_text()


def test_strict_sandbox_refuses_when_a_limit_cannot_be_set(monkeypatch):
    def fail(pid, which, value):
        raise OSError("not supported here")

    monkeypatch.setattr(sandbox.resource, "prlimit", fail)
    with Sandbox(["x = 1\n"], Limits(total_s=20, notebook_s=10)) as box:
        with pytest.raises(IsolationError, match="RLIMIT_CPU"):
            box.has("x")
        assert box.refused and box._proc is None  # the process was killed before it ran anything
    with Sandbox(["x = 1\n"], Limits(total_s=20, notebook_s=10), strict=False) as box:
        assert box.has("x")  # the instructor's opt-out grades anyway
