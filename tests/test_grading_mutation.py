"""Mutation testing of the autograders (``tools/mutation.py``): which edits, how counted.

The unit tests pin which single edits are generated (and which are not: claim lines, ``verbose=``) and
which count as hyperparameter mutants; the end-to-end test runs the whole tool on the toy assignment of
``test_grading_support``, whose solution has two equivalent mutants by construction.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_grading_support import TOY, toy_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import mutation
from mutation import mutants

FIT = (
    "def fit(model, x, y):\n"
    "    # BEGIN SOLUTION\n"
    "    model.compile(optimizer=keras.optimizers.Adam(0.01), loss='mse')\n"
    "    model.fit(x, y, epochs=3, batch_size=32, verbose=0)\n"
    "    claims.below('a9.loss', model.loss_value / 2, 0.5)\n"
    "    return model.predict(x[:, -1], verbose=0)\n"
    "    # END SOLUTION\n"
)


def _by_description(cells):
    return {m.description.split(": ", 1)[1]: m for m in mutants(cells)}


def test_only_solution_regions_are_mutated():
    cells = [
        "a = 1 + 2\n",
        "def f(x):\n    # BEGIN SOLUTION\n    return x.T @ x\n    # END SOLUTION\n",
    ]
    found = mutants(cells)
    assert {m.cell for m in found} == {1}
    assert sorted(m.description.split(": ", 1)[1] for m in found) == [
        "operator MatMult -> Mult",
        "transpose removed",
    ]
    assert "return x.T * x" in next(m.source for m in found if "MatMult" in m.description)


def test_hyperparameters_claims_and_printing():
    found = mutants([FIT])
    described = {m.description.split(": ", 1)[1]: m.hyperparameter for m in found}
    assert described["constant 0.01 -> 0.02"] is True  # the optimiser's learning rate
    assert described["constant 32 -> 64"] is True  # batch_size=
    assert described["constant 3 -> 6"] is True  # epochs=
    assert described["index shifted (-1 -> -2)"] is False  # real mistakes count
    assert not any(m.line == 5 for m in found)  # the claim line is evidence, not graded code
    assert not any("constant 0 -> 1" in m.description for m in found)  # verbose=0
    assert all(compile(m.source, "<m>", "exec") for m in found)


@pytest.mark.slow  # ~10 toy mutants, each graded in a sandbox (~20 s)
def test_run_counts_killed_equivalent_and_the_kill_rate(monkeypatch, tmp_path, capsys):
    dist = toy_assignment(monkeypatch, tmp_path / "dist")
    logged = []
    summary = mutation.run(TOY, dist=dist, log=logged.append)
    # `2 * x + 0`: dropping `+ 0` or turning it into `- 0` computes the same: equivalent, not survivors
    assert (
        summary["equivalent"] == 2 and summary["survived"] == 0 and summary["hyperparameter"] == 0
    )
    assert summary["killed"] == summary["mutants"] - 2 and summary["kill_rate"] == 1.0
    assert len(logged) == summary["mutants"] and any("killed (" in line for line in logged)
    assert mutation.main([TOY, "--dist", str(dist), "--max", "2"]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["assignment"] == TOY and printed["mutants"] == 2
