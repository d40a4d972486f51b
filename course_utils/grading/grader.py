"""Grade submissions: the tests run here, the submission's code runs in a :class:`~.sandbox.Sandbox`.

The tests are otter-grader's exception-based test files, taken from the autograder notebook that
``otter assign`` wrote (``dist/autograder/<id>/<id>.ipynb``, public and hidden tests in its metadata);
the questions (points, hand-graded or not) from the ``questions.json`` beside it. Grading reads nothing
else, so a ``dist/`` folder copied to another machine grades the same.
Each test function's arguments name what it needs: ``np`` is NumPy, every other name is a top-level
function of the submission, passed as a proxy that calls it in the sandbox. So the submission never sees
a test, and a test's verdict cannot be changed by anything the submission does to its own process.

A test case earns its points when it raises nothing. Its message says why it failed: the check's own
diagnosis (wrong activation, missing bias, ...), the error the student's function raised, or the limit
it hit. A submission that tried to use ``course_utils.reference`` is told that functions which delegate to
it earn no credit. Each report has a ``status`` (:data:`STATUSES`) and says how it was isolated.

Grading fails closed: where the sandbox cannot be applied (no ``resource.prlimit``, no memory cap, no
Landlock) nothing is graded unless the instructor passes ``allow_unsandboxed``. A class is graded
``jobs`` submissions at a time, each in its own sandbox.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import assignments as registry
from .sandbox import (
    IsolationError,
    Limits,
    RemoteError,
    Sandbox,
    SandboxLost,
    missing_isolation,
)

__all__ = [
    "STATUSES",
    "GradeReport",
    "IsolationError",
    "TestCaseSpec",
    "TestResult",
    "canvas_gradebook",
    "check_isolation",
    "grade_directory",
    "grade_gradescope",
    "grade_notebook",
    "gradescope_results",
    "load_questions",
    "load_tests",
    "with_cells",
]

DELEGATION_NOTE = (
    "this submission uses course_utils.reference, which is not available while grading: "
    "a function that delegates to it earns no credit - write your own implementation"
)
TRUSTED_ARGUMENTS = {"np": np, "numpy": np}
#: A report's ``status``: every test ran / the submission ended its process (graded on what ran) /
#: a time or memory limit did / not gradable (unreadable, grader failure) / the sandbox was unavailable.
STATUSES = ("graded", "partial", "limit", "error", "refused")


def with_cells(notebook: dict, *sources: str) -> dict:
    """A copy of the notebook dict ``notebook`` with code cells appended (later definitions win, as in
    Jupyter): how the tests and ``tools/bench_grading.py`` turn a release into typical submissions."""
    cells = [
        {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for s in sources
    ]  # no cell ids: the submission's nbformat minor version may predate them
    return json.loads(
        json.dumps({**notebook, "cells": [*notebook["cells"], *cells]})
    )  # a deep copy


@dataclass(frozen=True)
class TestCaseSpec:
    """One test case of a question: a function whose arguments are resolved by name."""

    question: str
    name: str
    points: float
    hidden: bool
    function: Callable[..., Any]
    failure_message: str | None = None
    source: str = ""  # the test function's code


@dataclass
class TestResult:
    """The outcome of one test case (the fields of the JSON report)."""

    name: str
    score: float
    max_score: float
    passed: bool
    hidden: bool
    message: str


@dataclass
class GradeReport:
    """The grade of one submission."""

    assignment: str
    score: float
    max_score: float
    tests: list[TestResult]
    manual: list[dict] = field(default_factory=list)  # written answers: name, max_score, answer
    notes: list[str] = field(default_factory=list)  # cell errors, limits, delegation
    status: str = "graded"  # one of STATUSES
    isolation: str = (
        "sandboxed"  # or "UNSANDBOXED (missing: ...)" with --allow-unsandboxed, or "refused"
    )
    seconds: float = 0.0

    def to_json(self) -> dict:
        out = asdict(self)
        out["manual_max_score"] = sum(m["max_score"] for m in self.manual)
        return out


class _TestCaseDecorator:
    """Stands in for ``otter.test_files.test_case`` (otter's import costs ~10 s; this is all it needs)."""

    def __init__(
        self, name=None, points=None, hidden=False, success_message=None, failure_message=None
    ):
        self.name, self.points, self.hidden = name, points, hidden
        self.failure_message = failure_message

    def __call__(self, fn):
        self.function = fn
        return self


def load_tests(autograder_notebook: Path) -> list[TestCaseSpec]:
    """All test cases (public and hidden) from the otter autograder notebook's metadata."""
    nb = json.loads(Path(autograder_notebook).read_text(encoding="utf-8"))
    tests = nb["metadata"]["otter"]["tests"]
    specs: list[TestCaseSpec] = []
    for question, source in tests.items():
        if nb["metadata"]["otter"].get("OK_FORMAT", False):
            raise ValueError(
                f"{question}: OK-format tests are not supported; use exception-based tests"
            )
        code = source.replace("from otter.test_files import test_case", "")
        namespace: dict[str, Any] = {
            "test_case": _TestCaseDecorator,
            "__name__": f"tests_{question}",
        }
        exec(compile(code, f"<tests {question}>", "exec"), namespace)
        cases = [v for v in namespace.values() if isinstance(v, _TestCaseDecorator)]
        sources = {
            node.name: ast.get_source_segment(code, node) or ""
            for node in ast.parse(code).body
            if isinstance(node, ast.FunctionDef)
        }
        total = namespace.get("points")
        explicit = sum(c.points for c in cases if c.points is not None)
        unset = [c for c in cases if c.points is None]
        share = (
            ((float(total) - explicit) / len(unset))
            if unset and isinstance(total, (int, float))
            else 0.0
        )
        for case in cases:
            points = float(case.points) if case.points is not None else share
            specs.append(
                TestCaseSpec(
                    question,
                    case.function.__name__,
                    points,
                    bool(case.hidden),
                    case.function,
                    case.failure_message,
                    sources.get(case.function.__name__, ""),
                )
            )
    return specs


def notebook_cells(notebook: dict) -> list[str]:
    """The code cells of a notebook, as strings."""
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append("".join(source) if isinstance(source, list) else str(source))
    return cells


def written_answers(notebook: dict, manual: list[registry.Question]) -> list[dict]:
    """The student's answers to the hand-graded questions (markdown between otter's question markers)."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if "<!-- END QUESTION -->" in source and current is not None:
            blocks.append(current)
            current = None
        if "<!-- BEGIN QUESTION -->" in source:
            current = []
            continue
        if current is not None and "otter_answer_cell" in cell.get("metadata", {}).get("tags", []):
            current.append(source.strip())
    answers = []
    for i, question in enumerate(manual):
        text = "\n\n".join(blocks[i]) if i < len(blocks) else ""
        if text.startswith("_Type your answer here"):
            text = ""
        answers.append({"name": question.name, "max_score": question.points, "answer": text})
    return answers


def _run_case(case: TestCaseSpec, box: Sandbox) -> tuple[bool, str]:
    params = inspect.signature(case.function).parameters
    kwargs = {
        name: TRUSTED_ARGUMENTS[name] if name in TRUSTED_ARGUMENTS else box.function(name)
        for name in params
    }
    try:
        case.function(**kwargs)
        return True, "passed"
    except IsolationError:
        raise
    except AssertionError as exc:
        return False, str(exc) or case.failure_message or "a check failed"
    except RemoteError as exc:
        if exc.error.startswith("NotImplementedError"):
            return False, f"{exc.name}: not implemented yet"
        if exc.error.startswith("KeyError: ") and exc.name.split(".")[0] in exc.error:
            return (
                False,
                f"{exc.name} is not defined in the notebook (was its cell run without errors?)",
            )
        return False, str(exc)
    except SandboxLost as exc:
        return False, f"not graded: {exc}"
    except Exception as exc:  # the test tripped over a malformed result (wrong shape, type, ...)
        return False, f"{type(exc).__name__} while checking the result: {exc}"


def grade_cells(
    cells: list[str], tests: list[TestCaseSpec], limits: Limits, *, strict: bool = True
) -> tuple[list[TestResult], list[str], str]:
    """Run every test case against a submission's code cells; return results, notes and status.

    The status is ``limit`` when a time, memory or file-size limit ended the submission's process,
    ``partial`` when the submission ended it otherwise (exit, crash, corrupted channel), else ``graded``.
    Raises :class:`IsolationError` when ``strict`` and the sandbox cannot be applied.
    """
    results: list[TestResult] = []
    notes: list[str] = []
    with Sandbox(cells, limits, strict=strict) as box:
        for case in tests:
            passed, message = _run_case(case, box)
            if not passed and box.blocked and "course_utils.reference" in " ".join(box.blocked):
                message = f"{DELEGATION_NOTE}. {message}"
            results.append(
                TestResult(
                    f"{case.question}: {case.name}",
                    case.points if passed else 0.0,
                    case.points,
                    passed,
                    case.hidden,
                    message,
                )
            )
        if box.cell_errors:
            shown = "; ".join(f"cell {e['cell']}: {e['error']}" for e in box.cell_errors[:5])
            notes.append(f"errors while running the notebook: {shown}")
        if box.blocked:
            notes.append(
                f"blocked imports: {', '.join(box.blocked)}"
                + (f" - {DELEGATION_NOTE}" if any("reference" in b for b in box.blocked) else "")
            )
        if box.fatal or box.lost:
            notes.append(f"process: {box.fatal or box.lost}")
        if box.landlock == 0:  # only possible with allow_unsandboxed: strict sandboxes refuse
            notes.append("Landlock unavailable: the submission could read files outside its folder")
        status = "limit" if box.limit_hit else "partial" if box.crashed else "graded"
    return results, notes, status


def autograder_folder(assignment_id: str, dist: Path) -> Path:
    """``dist/autograder/<id>/``: the autograder notebook and ``questions.json`` written by ``release``.

    Grading reads only this folder, so a ``dist/`` copied anywhere grades the same. When the folder is
    missing and the master notebook is at hand, ``release`` builds it first.
    """
    folder = Path(dist) / "autograder" / assignment_id
    if not (folder / "questions.json").exists():
        spec = registry.get(assignment_id)
        if not spec.master().exists():
            raise FileNotFoundError(
                f"{folder}: no autograder here (questions.json missing); run "
                f"`python -m course_utils.grading release {assignment_id} --dist {dist}` first"
            )
        from .release import release

        release([assignment_id], dist=Path(dist))
    return folder


def autograder_notebook(assignment_id: str, dist: Path) -> Path:
    """``dist/autograder/<id>/<id>.ipynb`` (solutions and every test), built by ``release`` if missing."""
    return autograder_folder(assignment_id, dist) / f"{assignment_id}.ipynb"


def load_questions(assignment_id: str, dist: Path) -> list[registry.Question]:
    """The questions (names, points, hand-graded or not) from the release's ``questions.json``."""
    path = autograder_folder(assignment_id, dist) / "questions.json"
    return [registry.Question(**q) for q in json.loads(path.read_text(encoding="utf-8"))]


def check_isolation(limits: Limits, allow_unsandboxed: bool = False) -> str:
    """The isolation label; :class:`IsolationError` naming what is missing unless allowed."""
    missing = missing_isolation(limits)
    if missing and not allow_unsandboxed:
        raise IsolationError(
            "refused to grade: this platform lacks the isolation grading needs - "
            + "; ".join(missing)
            + ". Grade on Linux >= 5.13 with psutil installed, or pass --allow-unsandboxed "
            "(every report then says so)."
        )
    return f"UNSANDBOXED (missing: {'; '.join(missing)})" if missing else "sandboxed"


def grade_notebook(
    assignment_id: str,
    submission: Path,
    *,
    dist: Path = Path("dist"),
    limits: Limits | None = None,
    tests: list[TestCaseSpec] | None = None,
    questions: list[registry.Question] | None = None,
    allow_unsandboxed: bool = False,
) -> GradeReport:
    """Grade one submitted notebook. Never raises for a bad submission: problems become messages.

    Fails closed: where the sandbox cannot be applied the report has status ``refused`` and no test
    is run, unless ``allow_unsandboxed`` (the report's ``isolation`` then says what was missing).
    """
    start = time.perf_counter()
    spec = registry.get(assignment_id)
    limits = limits or spec.limits
    tests = tests if tests is not None else load_tests(autograder_notebook(assignment_id, dist))
    questions = questions if questions is not None else load_questions(assignment_id, dist)
    manual = [q for q in questions if q.manual]
    max_score = sum(t.points for t in tests)

    def zero(status: str, message: str, note: str, isolation: str) -> GradeReport:
        results = [
            TestResult(f"{t.question}: {t.name}", 0.0, t.points, False, t.hidden, message)
            for t in tests
        ]
        return GradeReport(
            assignment_id,
            0.0,
            max_score,
            results,
            status=status,
            notes=[note],
            isolation=isolation,
            seconds=time.perf_counter() - start,
        )

    try:
        isolation = check_isolation(limits, allow_unsandboxed)
    except IsolationError as exc:
        return zero("refused", "not graded: the sandbox is unavailable", str(exc), "refused")
    try:
        notebook = json.loads(Path(submission).read_text(encoding="utf-8"))
        if not isinstance(notebook, dict):
            raise ValueError("not a notebook")
    except (OSError, ValueError) as exc:
        return zero(
            "error",
            "not graded: the submission is not a readable notebook",
            f"unreadable submission: {exc}",
            isolation,
        )
    try:
        results, notes, status = grade_cells(
            notebook_cells(notebook), tests, limits, strict=not allow_unsandboxed
        )
    except IsolationError as exc:
        return zero("refused", "not graded: the sandbox is unavailable", str(exc), "refused")
    return GradeReport(
        assignment_id,
        round(sum(r.score for r in results), 6),
        max_score,
        results,
        written_answers(notebook, manual),
        notes,
        status=status,
        isolation=isolation,
        seconds=time.perf_counter() - start,
    )


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def submissions_in(directory: Path) -> list[Path]:
    """Every ``*.ipynb`` under ``directory`` (one level of sub-folders too), checkpoints excluded."""
    found = [p for p in Path(directory).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found)


def _row(name: str, report: GradeReport, tests: list[TestCaseSpec], questions: list[str]) -> dict:
    per_question = {q: 0.0 for q in questions}
    for result, test in zip(report.tests, tests):
        per_question[test.question] += result.score
    row = {
        "submission": name,
        "status": report.status,
        "score": report.score,
        "max_score": report.max_score,
        **{q: round(v, 6) for q, v in per_question.items()},
        "seconds": round(report.seconds, 2),
        "isolation": report.isolation,
        "message": " | ".join(report.notes)[:2000],
    }
    return row


def grade_directory(
    assignment_id: str,
    directory: Path,
    csv_path: Path,
    *,
    dist: Path = Path("dist"),
    limits: Limits | None = None,
    jobs: int | None = None,
    allow_unsandboxed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Grade every notebook in ``directory``, ``jobs`` at a time; rewrite ``csv_path`` after each one.

    One row per submission, in name order: ``submission, status, score, max_score, <question scores>,
    seconds, isolation, message``. ``status`` is ``graded``, ``partial`` (the submission ended its
    process: graded on what ran), ``limit`` (a time or memory limit did), ``error`` (unreadable, or the
    grader failed on it). Every submission has its own sandbox and limits, so one that hangs or crashes
    delays nobody else beyond its own limits. The CSV is replaced atomically, so it always holds every
    submission graded so far. Written answers go to ``<csv stem>_written.csv``.

    Raises :class:`IsolationError` before grading anything when the sandbox is unavailable, unless
    ``allow_unsandboxed`` (each row's ``isolation`` then says what was missing).
    """
    spec = registry.get(assignment_id)
    limits = limits or spec.limits
    check_isolation(limits, allow_unsandboxed)
    tests = load_tests(autograder_notebook(assignment_id, dist))
    questions = load_questions(assignment_id, dist)
    question_names = list(dict.fromkeys(t.question for t in tests))
    columns = [
        "submission",
        "status",
        "score",
        "max_score",
        *question_names,
        "seconds",
        "isolation",
        "message",
    ]
    paths = submissions_in(directory)
    rows: dict[str, dict] = {}
    written: dict[str, list[dict]] = {}
    lock = threading.Lock()

    def grade_one(path: Path) -> None:
        name = str(path.relative_to(directory))
        try:
            report = grade_notebook(
                assignment_id,
                path,
                dist=dist,
                limits=limits,
                tests=tests,
                questions=questions,
                allow_unsandboxed=allow_unsandboxed,
            )
            row = _row(name, report, tests, question_names)
            answers = [{"submission": name, **answer} for answer in report.manual]
        except Exception as exc:  # the grader itself failed on this one: record it and go on
            row = {
                "submission": name,
                "status": "error",
                "score": 0.0,
                "max_score": sum(t.points for t in tests),
                **{q: 0.0 for q in question_names},
                "seconds": 0.0,
                "isolation": "",
                "message": f"grader error: {type(exc).__name__}: {exc}"[:2000],
            }
            answers = []
        with lock:
            rows[name] = row
            written[name] = answers
            _write_csv(csv_path, [rows[k] for k in sorted(rows)], columns)
            if any(written.values()):
                _write_csv(
                    csv_path.with_name(f"{csv_path.stem}_written.csv"),
                    [a for k in sorted(written) for a in written[k]],
                    ["submission", "name", "max_score", "answer"],
                )
            if progress:
                progress(f"{name}: {row['status']} {row['score']:g}/{row['max_score']:g}")

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    if jobs == 1:
        for path in paths:
            grade_one(path)
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade") as pool:
            list(pool.map(grade_one, paths))
    if not rows:
        _write_csv(csv_path, [], columns)
    return [rows[k] for k in sorted(rows)]


def _write_csv(path: Path, rows: Iterable[dict], columns: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    _atomic_write(Path(path), buffer.getvalue())


CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "Section"]


def canvas_gradebook(
    rows: list[dict], path: Path, column: str, *, roster: Path | None = None
) -> list[dict]:
    """Write a gradebook CSV that Canvas imports (Grades > Import): one row per student.

    Columns ``Student, ID, SIS User ID, Section, <column>`` with a ``Points Possible`` row first, as in
    Canvas' own export. ``column`` is the assignment's name in Canvas. A submission belongs to the
    student whose ``SIS User ID``, ``ID`` or ``SIS Login ID`` in ``roster`` (Canvas' gradebook export)
    equals its file name without ``.ipynb`` (or its first folder); students without a submission get an
    empty grade. Without a roster, each submission's name is used as Student and SIS User ID.
    """
    scores = {}
    for row in rows:
        key = Path(row["submission"]).parts[0] if len(Path(row["submission"]).parts) > 1 else ""
        key = key or Path(row["submission"]).stem
        scores[key] = row["score"]
    max_score = max((float(r["max_score"]) for r in rows), default=0.0)
    out: list[dict] = []
    if roster is not None:
        with open(roster, encoding="utf-8-sig", newline="") as fh:
            for student in csv.DictReader(fh):
                if not student.get("Student") or "Points Possible" in student["Student"]:
                    continue
                ids = [student.get(k, "") for k in ("SIS User ID", "ID", "SIS Login ID")]
                score = next((scores[i] for i in ids if i and i in scores), "")
                out.append({**{k: student.get(k, "") for k in CANVAS_COLUMNS}, column: score})
    else:
        out = [
            {"Student": key, "ID": "", "SIS User ID": key, "Section": "", column: score}
            for key, score in sorted(scores.items())
        ]
    points = {"Student": "    Points Possible", "ID": "", "SIS User ID": "", "Section": ""}
    _write_csv(Path(path), [{**points, column: f"{max_score:g}"}, *out], [*CANVAS_COLUMNS, column])
    return out


#: Gradescope's documented fields (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
GRADESCOPE_FIELDS = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST_FIELDS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}


def gradescope_results(report: GradeReport) -> dict:
    """``results.json`` in Gradescope's format: one entry per test; hidden tests ``after_published``."""
    tests = [
        {
            "name": result.name,
            "number": str(number),
            "score": result.score,
            "max_score": result.max_score,
            "status": "passed" if result.passed else "failed",
            "output": result.message,
            "visibility": "after_published" if result.hidden else "visible",
        }
        for number, result in enumerate(report.tests, start=1)
    ]
    lines = [f"status: {report.status}; isolation: {report.isolation}", *report.notes]
    if report.manual:
        written = ", ".join(m["name"] for m in report.manual)
        lines.append(f"written answers ({written}) are graded by hand")
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 1),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"status": report.status, "isolation": report.isolation},
        "tests": tests,
    }


def grade_gradescope(
    assignment_id: str, root: Path, *, dist: Path, allow_unsandboxed: bool = False
) -> dict:
    """Grade ``<root>/submission/*.ipynb`` (Gradescope's layout); write ``<root>/results/results.json``.

    The notebook named ``<id>.ipynb`` is graded if present, else the first notebook found; without
    one, every test scores 0 with a message saying so.
    """
    found = submissions_in(Path(root) / "submission")
    named = [p for p in found if p.name == f"{assignment_id}.ipynb"]
    submission = (named or found or [Path(root) / "submission" / f"{assignment_id}.ipynb"])[0]
    report = grade_notebook(
        assignment_id, submission, dist=dist, allow_unsandboxed=allow_unsandboxed
    )
    if not found:
        report.notes = ["no notebook (.ipynb) was found in the submission: upload the .ipynb file"]
    results = gradescope_results(report)
    _atomic_write(Path(root) / "results" / "results.json", json.dumps(results, indent=1))
    return results
