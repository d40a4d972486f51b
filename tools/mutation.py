"""Mutation testing of the autograder: do real mistakes in a solution cost points?

Every mutant is the instructor's solution with ONE small change inside a ``# BEGIN SOLUTION`` region:
an operator swapped (``+``/``-``, ``*``/``/``, ``@``/``*``, comparisons), a term dropped (``a + b`` -> ``a``),
a transpose removed (``W.T`` -> ``W``), an index shifted (``x[:, t]`` -> ``x[:, t - 1]``, ``[-1]`` ->
``[-2]``), an accumulation turned into an assignment (``+=`` -> ``=``), a function call dropped
(``np.tanh(a)`` -> ``a``, ``reversed(r)`` -> ``r``) or a constant changed. Each mutant is graded like a
submission; it is *killed* when it loses points.

A surviving mutant may be *equivalent* (it computes the same thing). To tell, the tests are run once more
with every call going to both the solution and the mutant (same inputs, and the same inputs perturbed); a
survivor whose every result equals the solution's is counted as equivalent.

A *hyperparameter* mutant changes only a number the assignment leaves to the student: the value of a
keyword argument named in :data:`HYPERPARAMETERS` (``batch_size=32`` -> ``64``) or the first argument of
an optimiser (``Adam(0.01)`` -> ``Adam(0.02)``). Any value that reaches the target is a correct answer, so
such a mutant is graded and reported, but not counted. Not mutated at all: lines that state the master's
own claims (``claims.``: evidence about the solution, not graded code) and ``verbose=`` values (they
change what is printed, nothing that is computed). The kill rate is
``killed / (mutants - equivalent - hyperparameter)``.

    python tools/mutation.py [ID ...] [--dist DIR] [--max N] [--seed S]     (make mutation)

A maintainer's tool: it lives here, not in the package students install.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils.grading import assignments as registry
from course_utils.grading._child import RemoteRef
from course_utils.grading.grader import (
    TestCaseSpec,
    autograder_notebook,
    grade_cells,
    load_tests,
    notebook_cells,
)
from course_utils.grading.sandbox import (
    Limits,
    RemoteError,
    RemoteObject,
    Sandbox,
    SandboxLost,
)

__all__ = ["Mutant", "mutants", "run"]

_SWAP = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.MatMult: ast.Mult,
    ast.Pow: ast.Mult,
}
_CMP = {ast.Gt: ast.Lt, ast.Lt: ast.Gt, ast.GtE: ast.Lt, ast.LtE: ast.Gt, ast.Eq: ast.NotEq}
_DROPPABLE_CALLS = {"tanh", "sigmoid", "reversed", "sqrt", "exp", "sum", "mean"}
#: Keyword arguments whose numeric value the student chooses (see the module docstring).
HYPERPARAMETERS = {
    "batch_size",
    "epochs",
    "learning_rate",
    "lr",
    "units",
    "patience",
    "momentum",
    "dropout",
    "recurrent_dropout",
    "validation_split",
}
_OPTIMIZERS = {"Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"}


@dataclass(frozen=True)
class Mutant:
    """One mutant: which code cell, which change, and the mutated cell source."""

    cell: int
    line: int
    description: str
    source: str
    hyperparameter: bool = False  # changes only a number the student chooses (not counted)


def _solution_lines(source: str) -> set[int]:
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith("# BEGIN SOLUTION"):
            inside = True
        elif line.strip().startswith("# END SOLUTION"):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _edits(node: ast.AST) -> list[tuple[str, Any]]:
    """The possible single edits of ``node``: (description, function returning the replacement node)."""
    out: list[tuple[str, Any]] = []
    if isinstance(node, ast.BinOp):
        if type(node.op) in _SWAP:
            new = _SWAP[type(node.op)]
            out.append(
                (
                    f"operator {type(node.op).__name__} -> {new.__name__}",
                    lambda n, new=new: ast.BinOp(n.left, new(), n.right),
                )
            )
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            out.append(("term dropped (right operand)", lambda n: n.left))
            out.append(("term dropped (left operand)", lambda n: n.right))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP:
        new = _CMP[type(node.ops[0])]
        out.append(
            (
                f"comparison {type(node.ops[0]).__name__} -> {new.__name__}",
                lambda n, new=new: ast.Compare(n.left, [new()], n.comparators),
            )
        )
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        out.append(("transpose removed", lambda n: n.value))
    elif isinstance(node, ast.Subscript):
        out.extend(_index_edits(node))
    elif isinstance(node, ast.Call):
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in _DROPPABLE_CALLS and len(node.args) == 1 and not node.keywords:
            out.append((f"call {name}(...) dropped", lambda n: n.args[0]))
    elif (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        value = node.value
        changed = value + 1 if value in (0, -1) else value * 2
        out.append((f"constant {value!r} -> {changed!r}", lambda n, c=changed: ast.Constant(c)))
    return out


def _shift(index: ast.expr) -> ast.expr | None:
    if isinstance(index, ast.Name):
        return ast.BinOp(ast.Name(index.id, ast.Load()), ast.Sub(), ast.Constant(1))
    if (
        isinstance(index, ast.UnaryOp)
        and isinstance(index.op, ast.USub)
        and isinstance(index.operand, ast.Constant)
    ):
        return ast.UnaryOp(ast.USub(), ast.Constant(index.operand.value + 1))
    return None


def _index_edits(node: ast.Subscript) -> list[tuple[str, Any]]:
    out = []
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for k, part in enumerate(parts):
        shifted = _shift(part)
        if shifted is None:
            continue

        def edit(n, k=k, shifted=shifted):
            new = copy.deepcopy(n)
            if isinstance(new.slice, ast.Tuple):
                new.slice.elts[k] = shifted
            else:
                new.slice = shifted
            return new

        out.append((f"index shifted ({ast.unparse(part)} -> {ast.unparse(shifted)})", edit))
    return out


class _Apply(ast.NodeTransformer):
    def __init__(self, target: int, edit):
        self.target, self.edit, self.count = target, edit, -1

    def generic_visit(self, node):
        return super().generic_visit(node)

    def visit(self, node):
        self.count += 1
        if self.count == self.target:
            return self.edit(node)
        return super().visit(node)


def _printing_constants(tree: ast.AST) -> set[int]:
    """``id`` of every constant passed as ``verbose=``: it changes what is printed, nothing computed."""
    return {
        id(k.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg == "verbose"
    }


def _hyperparameter_constants(tree: ast.AST) -> set[int]:
    """``id`` of every numeric constant that is a hyperparameter's value (see the module docstring)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        values = [k.value for k in node.keywords if k.arg in HYPERPARAMETERS]
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in _OPTIMIZERS and node.args:
            values.append(node.args[0])
        found.update(id(v) for v in values if isinstance(v, ast.Constant))
    return found


def mutants(cells: list[str]) -> list[Mutant]:
    """All single-edit mutants of the solution regions of ``cells`` (claim lines excluded)."""
    found = []
    for index, source in enumerate(cells):
        lines = _solution_lines(source)
        lines -= {n for n, line in enumerate(source.splitlines(), 1) if "claims." in line}
        if not lines:
            continue
        tree = ast.parse(source)
        nodes = list(_walk(tree))
        hyper, printing = _hyperparameter_constants(tree), _printing_constants(tree)
        for position, node in enumerate(nodes):
            if getattr(node, "lineno", None) not in lines or id(node) in printing:
                continue
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
                edits = [
                    (
                        "accumulation += -> =",
                        lambda n: ast.Assign([n.target], n.value, lineno=n.lineno),
                    )
                ]
            else:
                edits = _edits(node)
            for description, edit in edits:
                mutated = _Apply(position, edit).visit(copy.deepcopy(tree))
                ast.fix_missing_locations(mutated)
                try:
                    text = ast.unparse(mutated)
                    compile(text, "<mutant>", "exec")
                except (SyntaxError, ValueError, TypeError):
                    continue
                found.append(
                    Mutant(
                        index,
                        node.lineno,
                        f"cell {index} line {node.lineno}: {description}",
                        text,
                        id(node) in hyper,
                    )
                )
    return found


def _walk(tree: ast.AST):
    """Nodes in the order ``_Apply`` visits them (pre-order, fields in order)."""
    yield tree
    for child in ast.iter_child_nodes(tree):
        yield from _walk(child)


# --------------------------------------------------------------------------------------------------
# Equivalence: run the tests with every call going to the solution and the mutant, and compare.
# --------------------------------------------------------------------------------------------------


class _Different(Exception):
    pass


class _Pair(RemoteRef):
    def __init__(self, duo: _Duo, original: Any, mutant: Any):
        self.duo, self.original, self.mutant = duo, original, mutant
        self.ref = {}

    def __call__(self, *args, **kwargs):
        return self.duo.call(self.original, self.mutant, args, kwargs)

    def __getattr__(self, attr):
        if attr.startswith("_") or attr in ("duo", "original", "mutant", "ref"):
            raise AttributeError(attr)
        return self.duo.pair(getattr(self.original, attr), getattr(self.mutant, attr))


class _Duo:
    """Calls both processes with the same inputs; notes any difference in what comes back."""

    def __init__(self, original: Sandbox, mutant: Sandbox):
        self.boxes = (original, mutant)
        self.different: str | None = None

    def pick(self, value: Any, side: int) -> Any:
        if isinstance(value, _Pair):
            return value.original if side == 0 else value.mutant
        if isinstance(value, tuple):
            return tuple(self.pick(v, side) for v in value)
        if isinstance(value, list):
            return [self.pick(v, side) for v in value]
        if isinstance(value, dict):
            return {k: self.pick(v, side) for k, v in value.items()}
        return value

    def pair(self, a: Any, b: Any) -> Any:
        if isinstance(a, RemoteObject) or isinstance(b, RemoteObject):
            return _Pair(self, a, b)
        if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b):
            return type(a)(self.pair(x, y) for x, y in zip(a, b))
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            return {k: self.pair(a[k], b[k]) for k in a}
        if not _same(a, b):
            self.different = self.different or "a result differs"
        return a

    def call(self, original, mutant, args, kwargs):
        outcomes = []
        for side, fn in enumerate((original, mutant)):
            try:
                outcomes.append(("ok", fn(*self.pick(args, side), **self.pick(kwargs, side))))
            except (RemoteError, SandboxLost) as exc:
                outcomes.append(("error", type(exc).__name__))
        if outcomes[0][0] != outcomes[1][0]:
            self.different = "one raised, the other did not"
            raise _Different
        if outcomes[0][0] == "error":
            raise RemoteError("call", outcomes[0][1])
        # Also probe perturbed inputs (data arguments only): catches differences the tests' inputs hide.
        if not any(isinstance(v, _Pair) for v in _flat((args, kwargs))):
            for scale in (1.37, -0.61):
                probe = [_perturb(a, scale) for a in args]
                try:
                    a, b = original(*probe, **kwargs), mutant(*probe, **kwargs)
                except (RemoteError, SandboxLost):
                    continue
                self.pair(a, b)
        return self.pair(outcomes[0][1], outcomes[1][1])


def _flat(value):
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _flat(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _flat(v)
    else:
        yield value


def _perturb(value, scale):
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return (value * scale + 0.05).astype(value.dtype)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return (
            a.shape == b.shape
            and a.dtype.kind == b.dtype.kind
            and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
        )
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))
    return type(a) is type(b) and a == b


def equivalent(
    cells: list[str], mutated: list[str], tests: list[TestCaseSpec], limits: Limits
) -> bool:
    """Whether the mutant's results equal the solution's on every call the tests make (and perturbed)."""
    with Sandbox(cells, limits) as original, Sandbox(mutated, limits) as mutant:
        duo = _Duo(original, mutant)
        for case in tests:
            import inspect

            params = inspect.signature(case.function).parameters
            kwargs = {
                n: np
                if n in ("np", "numpy")
                else _Pair(duo, original.function(n), mutant.function(n))
                for n in params
            }
            try:
                case.function(**kwargs)
            except _Different:
                return False
            except Exception:
                pass
            if duo.different:
                return False
    return True


def run(
    assignment_id: str,
    *,
    dist: Path,
    max_mutants: int | None = None,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> dict:
    """Generate, grade and classify the mutants of one assignment; return the summary."""
    spec = registry.get(assignment_id)
    notebook = json.loads(autograder_notebook(assignment_id, dist).read_text())
    tests = load_tests(autograder_notebook(assignment_id, dist))
    cells = notebook_cells(notebook)
    max_score = sum(t.points for t in tests)
    found = mutants(cells)
    if max_mutants and len(found) > max_mutants:
        found = random.Random(seed).sample(found, max_mutants)
    killed, equivalent_, survivors, hyperparameter = 0, 0, [], []
    start = time.perf_counter()
    for k, mutant in enumerate(found, start=1):
        mutated = list(cells)
        mutated[mutant.cell] = mutant.source
        results, _, _ = grade_cells(mutated, tests, spec.limits)
        score = sum(r.score for r in results)
        if score < max_score:
            verdict = (
                f"killed ({score:g}/{max_score:g}): "
                + next(r.message for r in results if not r.passed)[:120]
            )
        elif not mutant.hyperparameter and equivalent(cells, mutated, tests, spec.limits):
            verdict = "equivalent"
        else:
            verdict = "SURVIVED"
        if mutant.hyperparameter:
            hyperparameter.append(f"{mutant.description}: {verdict.split(' ')[0]}")
            verdict = f"{verdict} (hyperparameter: not counted)"
        elif verdict == "equivalent":
            equivalent_ += 1
        elif verdict == "SURVIVED":
            survivors.append(mutant.description)
        else:
            killed += 1
        log(f"[{k}/{len(found)}] {mutant.description}: {verdict}")
    considered = len(found) - equivalent_ - len(hyperparameter)
    summary = {
        "assignment": assignment_id,
        "mutants": len(found),
        "killed": killed,
        "equivalent": equivalent_,
        "hyperparameter": len(hyperparameter),
        "survived": len(survivors),
        "kill_rate": killed / considered if considered else 1.0,
        "survivors": survivors,
        "hyperparameter_mutants": hyperparameter,
        "seconds": round(time.perf_counter() - start, 1),
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 when an assignment's kill rate is below 90%."""
    parser = argparse.ArgumentParser(
        prog="python tools/mutation.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("ids", nargs="*", help="assignments (default: all)")
    parser.add_argument(
        "--dist", type=Path, default=None, help="a release folder (default: a fresh one)"
    )
    parser.add_argument(
        "--max", type=int, default=None, help="grade at most this many mutants (a random sample)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ids = args.ids or list(registry.ASSIGNMENTS)
    for assignment_id in ids:
        registry.get(assignment_id)
    with tempfile.TemporaryDirectory(prefix="course-mutation-") as tmp:
        dist = args.dist or Path(tmp)
        summaries = [
            run(
                i,
                dist=dist,
                max_mutants=args.max,
                seed=args.seed,
                log=lambda s: print(s, file=sys.stderr),
            )
            for i in ids
        ]
    for s in summaries:
        print(json.dumps(s))
    return 0 if all(s["kill_rate"] >= 0.9 for s in summaries) else 1


if __name__ == "__main__":
    raise SystemExit(main())
