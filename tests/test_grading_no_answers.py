"""The package a student installs holds no graded answer: pasting it in earns (almost) nothing.

Every student installs ``course_utils`` for the lecture notebooks, so its source text is one copy-paste
away. For every function an A1/A2 test calls (a *graded* function), every function of the package
with the same name, with at least half of its parameter names (the same list, re-ordered or partly
renamed) or with the same role suffix (``*_step_forward``, ``*_backward``, ...) is put in its place,
and the submission is graded with the real grader. The substitute is pasted as a student would: the
package's source files are written into the submission's folder under another name (so the grader's
import block does not apply) and the candidate is called with the graded function's arguments, matched
by name first and by position otherwise. It must earn nothing on the tests that call it.

A positive control pastes the reference solution through the same adapter and earns full marks, so the
harness can give credit. Several substitutions share one graded submission when no test can see two of
them at once (nor a function that calls another of them).
"""

from __future__ import annotations

import ast
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_grading_support import build, solution, with_cells, write

import course_utils
from course_utils.grading.grader import grade_notebook, load_tests

pytestmark = pytest.mark.slow

IDS = ["a1_rnn_bptt", "a2_lstm_gru"]
PACKAGE = Path(course_utils.__file__).resolve().parent
PASTED = "pasted_utils"


@dataclass(frozen=True)
class Candidate:
    """A function of the installed package: where it is and its parameter names."""

    module: str  # dotted name below the package, e.g. "reference.rnn"
    name: str
    params: tuple[str, ...]


def package_functions() -> list[Candidate]:
    """Every top-level function in every module of the installed package (read from the source)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        module = ".".join(parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                a = node.args
                names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
                found.append(Candidate(module, node.name, tuple(names)))
    return found


def package_files() -> dict[str, str]:
    """The package's source files, as a student's copy of them (relative path -> text)."""
    return {
        str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def graded_signatures(autograder: dict, names: set[str]) -> dict[str, tuple[list[str], dict]]:
    """Parameter names and literal defaults of each graded function, from the solution's code."""
    signatures = {}
    for cell in autograder["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:  # magics in the set-up cell
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                args, values = node.args.args, node.args.defaults
                params = [p.arg for p in args]
                defaults = {
                    p.arg: ast.literal_eval(d)
                    for p, d in zip(args[len(args) - len(values) :], values)
                }
                signatures[node.name] = (params, defaults)
    return signatures


def solution_calls(autograder: dict, names: set[str]) -> dict[str, set[str]]:
    """Which graded functions each graded function's solution calls."""
    calls: dict[str, set[str]] = {n: set() for n in names}
    for cell in autograder["cells"]:
        try:
            tree = ast.parse("".join(cell["source"])) if cell["cell_type"] == "code" else None
        except SyntaxError:
            continue
        for node in tree.body if tree else ():
            if isinstance(node, ast.FunctionDef) and node.name in names:
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                calls[node.name] |= (used & names) - {node.name}
    return calls


def candidates_for(name: str, params: list[str], functions: list[Candidate]) -> list[Candidate]:
    """Package functions a student could put in place of ``name(params)``."""
    suffix = name.split("_", 1)[1] if "_" in name else None
    picked = []
    for c in functions:
        shared = len(set(params) & set(c.params))
        same_role = suffix is not None and "_" in c.name and c.name.split("_", 1)[1] == suffix
        if c.name == name or 2 * shared >= len(params) or same_role:
            picked.append(c)
    return picked


PASTE = """
import os as _os
import sys as _sys

_root = _os.path.join(_os.getcwd(), "pasted")
for _rel, _text in {files!r}.items():
    _path = _os.path.join(_root, {pasted!r}, _rel)
    _os.makedirs(_os.path.dirname(_path), exist_ok=True)
    with open(_path, "w", encoding="utf-8") as _fh:
        _fh.write(_text)
_sys.path.insert(0, _root)
"""

BIND = '''
import importlib as _importlib
import inspect as _inspect


def _adapt(params, defaults, candidate):
    """Call ``candidate`` with the graded function's arguments: by name where they match, else in order."""
    signature = _inspect.signature(candidate)

    def call(*args, **kwargs):
        given = dict(defaults)
        given.update(zip(params, args))
        given.update(kwargs)
        spare = [p for p in params if p in given and p not in signature.parameters]
        positional, keywords = [], {{}}
        for p in signature.parameters.values():
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                if p.name in given:
                    positional.append(given[p.name])
                elif spare:
                    positional.append(given[spare.pop(0)])
                else:
                    break
            elif p.kind == p.KEYWORD_ONLY and p.name in given:
                keywords[p.name] = given[p.name]
        return candidate(*positional, **keywords)

    return call


{name} = _adapt({params!r}, {defaults!r}, getattr(_importlib.import_module({module!r}), {function!r}))
'''


def substitution_cells(
    picks: dict[str, Candidate], signatures: dict, files: dict[str, str]
) -> list[str]:
    cells = [PASTE.format(files=files, pasted=PASTED)]
    for name, c in picks.items():
        params, defaults = signatures[name]
        module = f"{PASTED}.{c.module}" if c.module else PASTED
        cells.append(
            BIND.format(name=name, params=params, defaults=defaults, module=module, function=c.name)
        )
    return cells


def rounds(names: list[str], tests, calls: dict[str, set[str]]) -> list[list[str]]:
    """Groups of graded functions that can be replaced in one submission without blurring the scores."""

    def reach(f: str) -> set[str]:
        seen, todo = set(), [f]
        while todo:
            for g in calls.get(todo.pop(), ()):
                if g not in seen:
                    seen.add(g)
                    todo.append(g)
        return seen

    conflict = {n: set() for n in names}
    for t in tests:
        args = set(inspect.signature(t.function).parameters) & set(names)
        for f in args:
            others = set().union(*(reach(g) | {g} for g in args - {f})) if len(args) > 1 else set()
            for h in (others | reach(f)) & set(names):
                if h != f:
                    conflict[f].add(h)
                    conflict[h].add(f)
    groups: list[list[str]] = []
    for n in names:
        for group in groups:
            if not conflict[n] & set(group):
                group.append(n)
                break
        else:
            groups.append([n])
    return groups


def _arguments(test) -> set[str]:
    return set(inspect.signature(test.function).parameters)


def earned(report, tests, name: str) -> tuple[float, float]:
    """Points earned and available on the tests that call ``name``."""
    got = total = 0.0
    for result, spec in zip(report.tests, tests):
        if name in inspect.signature(spec.function).parameters:
            got += result.score
            total += result.max_score
    return got, total


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"), IDS)


@pytest.mark.parametrize("assignment_id", IDS)
def test_no_package_function_earns_points_for_a_graded_function(dist, tmp_path, assignment_id):
    autograder_path = dist / "autograder" / assignment_id / f"{assignment_id}.ipynb"
    tests = load_tests(autograder_path)
    autograder = solution(dist, assignment_id)
    names = sorted(
        {p for t in tests for p in inspect.signature(t.function).parameters} - {"np", "numpy"}
    )
    signatures = graded_signatures(autograder, set(names))
    assert set(signatures) == set(names), f"graded functions without a solution: {names}"
    functions = package_functions()
    picks = {n: candidates_for(n, signatures[n][0], functions) for n in names}
    # the obvious ones must be among the candidates, or the test proves little
    assert sum(len(v) for v in picks.values()) >= 2 * len(names)
    files = package_files()
    paid: list[str] = []
    tried = 0
    groups = rounds(names, tests, solution_calls(autograder, set(names)))
    for group in groups:
        for k in range(max(len(picks[n]) for n in group)):
            chosen = {n: picks[n][k] for n in group if k < len(picks[n])}
            cells = substitution_cells(chosen, signatures, files)
            path = write(with_cells(autograder, *cells), tmp_path / f"sub_{k}.ipynb")
            # only the tests that call a substitute are run: the others cannot tell it apart
            relevant = [t for t in tests if set(chosen) & _arguments(t)]
            report = grade_notebook(assignment_id, path, dist=dist, tests=relevant)
            assert not any("errors while running the notebook" in n for n in report.notes), (
                f"the pasted package did not load: {report.notes}"
            )
            for name, c in chosen.items():
                got, total = earned(report, relevant, name)
                tried += 1
                if got > 0:
                    paid.append(f"{name} <- {c.module}.{c.name}: {got:g}/{total:g}")
    print(f"{assignment_id}: {tried} substitutions for {len(names)} graded functions, none paid")
    assert not paid, f"package functions that earn points for a graded function: {paid}"


@pytest.mark.parametrize("assignment_id", IDS)
def test_the_harness_gives_credit_to_a_pasted_solution(dist, tmp_path, assignment_id):
    # Positive control: the solution's own functions, pasted and bound like the package's, earn everything.
    tests = load_tests(dist / "autograder" / assignment_id / f"{assignment_id}.ipynb")
    autograder = solution(dist, assignment_id)
    names = sorted(
        {p for t in tests for p in inspect.signature(t.function).parameters} - {"np", "numpy"}
    )
    signatures = graded_signatures(autograder, set(names))
    kept = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    source = "\n\n".join(
        ast.unparse(node)
        for cell in autograder["cells"]
        if cell["cell_type"] == "code"
        and not "".join(cell["source"]).lstrip().startswith(("#", "grader"))
        for node in ast.parse("".join(cell["source"])).body
        if isinstance(node, kept)
        or (isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.Tuple)))
    )
    files = {"__init__.py": "", "_control.py": source}
    chosen = {n: Candidate("_control", n, tuple(signatures[n][0])) for n in names}
    blank = json.loads((dist / "student" / assignment_id / f"{assignment_id}.ipynb").read_text())
    cells = substitution_cells(chosen, signatures, files)
    report = grade_notebook(
        assignment_id, write(with_cells(blank, *cells), tmp_path / "control.ipynb"), dist=dist
    )
    assert report.score == report.max_score > 0, [t.message for t in report.tests if not t.passed]


def test_candidates_include_the_lecture_cells():
    # The rule catches the functions the old A1/A2 were answered with: same name, renamed, re-ordered.
    functions = package_functions()
    step = {
        f"{c.module}.{c.name}"
        for c in candidates_for(
            "jordan_step_forward", ["x_t", "y_prev", "Wx", "Wy", "b", "Wo", "bo"], functions
        )
    }
    assert {"reference.rnn.rnn_step_forward", "reference.lstm.lstm_step_forward"} <= step
    clip = {
        f"{c.module}.{c.name}"
        for c in candidates_for("clip_each_by_norm", ["grads", "max_norm"], functions)
    }
    assert {"reference.clipping.clip_by_global_norm", "training.clip_gradients"} <= clip
    jac = {
        f"{c.module}.{c.name}"
        for c in candidates_for("numerical_jacobian", ["f", "x", "h"], functions)
    }
    assert "gradcheck.numerical_gradient" in jac
    lstm = {
        f"{c.module}.{c.name}"
        for c in candidates_for(
            "cifg_step_forward", ["x_t", "h_prev", "c_prev", "Wx", "Wh", "b"], functions
        )
    }
    assert {"reference.lstm.lstm_step_forward", "reference.gru.gru_step_forward"} <= lstm
