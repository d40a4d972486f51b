"""Grade submissions: the tests run here, the submission's code runs in a :class:`~.sandbox.Sandbox`.

The tests are otter-grader's exception-based test files, taken from the autograder notebook that
``otter assign`` wrote (``dist/autograder/<id>/<id>.ipynb``, public and hidden tests in its metadata).
Each test function's arguments name what it needs: ``np`` is NumPy, every other name is a top-level
function of the submission, passed as a proxy that calls it in the sandbox. So the submission never sees
a test, and a test's verdict cannot be changed by anything the submission does to its own process.

A test case earns its points when it raises nothing. Its message says why it failed: the check's own
diagnosis (wrong activation, missing bias, ...), the error the student's function raised, or the limit
it hit. A submission that tried to use ``course_utils.reference`` is told that functions which delegate to
it earn no credit.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import assignments as registry
from .sandbox import Limits, RemoteError, Sandbox, SandboxLost

__all__ = [
    "GradeReport",
    "TestCaseSpec",
    "TestResult",
    "grade_directory",
    "grade_notebook",
    "load_tests",
]

DELEGATION_NOTE = (
    "this submission uses course_utils.reference, which is not available while grading: "
    "a function that delegates to it earns no credit - write your own implementation"
)
TRUSTED_ARGUMENTS = {"np": np, "numpy": np}


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
    assignment_id: str,
    cells: list[str],
    tests: list[TestCaseSpec],
    limits: Limits,
    *,
    use_landlock: bool = True,
) -> tuple[list[TestResult], list[str]]:
    """Run every test case against a submission's code cells; return results and notes."""
    results: list[TestResult] = []
    notes: list[str] = []
    with Sandbox(cells, limits, use_landlock=use_landlock) as box:
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
        if box.starts and not box.landlock:
            notes.append("Landlock unavailable: the submission could read files outside its folder")
    return results, notes


def autograder_notebook(assignment_id: str, dist: Path) -> Path:
    """``dist/autograder/<id>/<id>.ipynb``, built by ``release`` first when it is missing."""
    path = Path(dist) / "autograder" / assignment_id / f"{assignment_id}.ipynb"
    if not path.exists():
        from .release import release

        release([assignment_id], dist=Path(dist))
    return path


def grade_notebook(
    assignment_id: str,
    submission: Path,
    *,
    dist: Path = Path("dist"),
    limits: Limits | None = None,
    tests: list[TestCaseSpec] | None = None,
    use_landlock: bool = True,
) -> GradeReport:
    """Grade one submitted notebook. Never raises for a bad submission: problems become messages."""
    start = time.perf_counter()
    spec = registry.get(assignment_id)
    tests = tests if tests is not None else load_tests(autograder_notebook(assignment_id, dist))
    questions = registry.questions(spec.master()) if spec.master().exists() else []
    manual = [q for q in questions if q.manual]
    max_score = sum(t.points for t in tests)
    try:
        notebook = json.loads(Path(submission).read_text(encoding="utf-8"))
        if not isinstance(notebook, dict):
            raise ValueError("not a notebook")
    except (OSError, ValueError) as exc:
        results = [
            TestResult(
                f"{t.question}: {t.name}",
                0.0,
                t.points,
                False,
                t.hidden,
                "not graded: the submission is not a readable notebook",
            )
            for t in tests
        ]
        return GradeReport(
            assignment_id,
            0.0,
            max_score,
            results,
            [],
            [f"unreadable submission: {exc}"],
            time.perf_counter() - start,
        )
    results, notes = grade_cells(
        assignment_id,
        notebook_cells(notebook),
        tests,
        limits or spec.limits,
        use_landlock=use_landlock,
    )
    score = round(sum(r.score for r in results), 6)
    return GradeReport(
        assignment_id,
        score,
        max_score,
        results,
        written_answers(notebook, manual),
        notes,
        time.perf_counter() - start,
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


def grade_directory(
    assignment_id: str,
    directory: Path,
    csv_path: Path,
    *,
    dist: Path = Path("dist"),
    limits: Limits | None = None,
    use_landlock: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Grade every notebook in ``directory``; rewrite ``csv_path`` atomically after each submission.

    One row per submission: ``submission, status, score, max_score, <question scores>, seconds, message``.
    ``status`` is ``graded``, ``limit`` (hit a time or memory limit; graded on what it computed) or
    ``error``. Written answers go to ``<csv stem>_written.csv`` (one row per submission and question).
    """
    tests = load_tests(autograder_notebook(assignment_id, dist))
    question_names = list(dict.fromkeys(t.question for t in tests))
    rows: list[dict] = []
    written: list[dict] = []
    for path in submissions_in(directory):
        name = str(path.relative_to(directory))
        try:
            report = grade_notebook(
                assignment_id,
                path,
                dist=dist,
                limits=limits,
                tests=tests,
                use_landlock=use_landlock,
            )
            status = (
                "limit"
                if any("limit" in n and n.startswith("process:") for n in report.notes)
                else "graded"
            )
            if any(n.startswith("unreadable submission") for n in report.notes):
                status = "error"
            per_question = {q: 0.0 for q in question_names}
            for result, test in zip(report.tests, tests):
                per_question[test.question] += result.score
            row = {
                "submission": name,
                "status": status,
                "score": report.score,
                "max_score": report.max_score,
            }
            row.update({q: round(v, 6) for q, v in per_question.items()})
            row.update(
                {"seconds": round(report.seconds, 2), "message": " | ".join(report.notes)[:2000]}
            )
            written.extend({"submission": name, **answer} for answer in report.manual)
        except Exception as exc:  # the grader itself failed on this one: record it and go on
            row = {
                "submission": name,
                "status": "error",
                "score": 0.0,
                "max_score": sum(t.points for t in tests),
            }
            row.update({q: 0.0 for q in question_names})
            row.update(
                {"seconds": 0.0, "message": f"grader error: {type(exc).__name__}: {exc}"[:2000]}
            )
        rows.append(row)
        _write_csv(
            csv_path,
            rows,
            ["submission", "status", "score", "max_score", *question_names, "seconds", "message"],
        )
        if written:
            _write_csv(
                csv_path.with_name(f"{csv_path.stem}_written.csv"),
                written,
                ["submission", "name", "max_score", "answer"],
            )
        if progress:
            progress(f"{name}: {row['status']} {row['score']:g}/{row['max_score']:g}")
    if not rows:
        _write_csv(
            csv_path,
            rows,
            ["submission", "status", "score", "max_score", *question_names, "seconds", "message"],
        )
    return rows


def _write_csv(path: Path, rows: Iterable[dict], columns: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    _atomic_write(Path(path), buffer.getvalue())
