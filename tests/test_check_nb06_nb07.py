"""Tests for the exercise checks of notebooks 06 and 07: correct solutions pass, typical mistakes are named."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from course_utils import check


def _sig(a):
    return 1 / (1 + np.exp(-a))


# ---- 06.1 forget gate ---------------------------------------------------------------------------------
def forget_gate(x_t, h_prev, Wx, Wh, b):
    H = Wh.shape[0]
    return _sig(x_t @ Wx[:, H : 2 * H] + h_prev @ Wh[:, H : 2 * H] + b[H : 2 * H])


def _block(k, act=_sig, bias=True, recurrent=True):
    def fn(x_t, h_prev, Wx, Wh, b):
        H = Wh.shape[0]
        a = x_t @ Wx + (h_prev @ Wh if recurrent else 0) + (b if bias else 0)
        return act(a[:, k * H : (k + 1) * H])

    return fn


def test_06_1_passes_the_solution(capsys):
    assert check.exercise_06_1(forget_gate)
    assert "[PASS] Exercise 06.1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_block(0), r"you used block 0 .*the input gate i.*forget gate is block 1"),
        (_block(3), r"you used block 3 .*output gate o"),
        (_block(1, act=lambda a: a), r"right block, but apply the sigmoid"),
        (_block(1, act=np.tanh), r"gates use the sigmoid, not tanh"),
        (_block(1, bias=False), r"the bias b .* is missing"),
        (_block(1, recurrent=False), r"the recurrent term h_prev @ Wh is missing"),
        (
            lambda x_t, h_prev, Wx, Wh, b: np.zeros((3, 4)),
            r"expected an array of shape \(3, 5\) = \(N, H\)",
        ),
        (lambda *a: 2 * forget_gate(*a), r"the values are wrong"),
    ],
)
def test_06_1_names_typical_mistakes(fn, message, capsys):
    result = check.exercise_06_1(fn)
    assert not result
    assert re.search(message, result.message), result.message
    assert "NOT YET" in capsys.readouterr().out


def test_06_1_not_attempted_and_crash(capsys):
    def stub(*args):
        raise NotImplementedError

    assert "not attempted yet" in check.exercise_06_1(stub).message
    assert "raised IndexError" in check.exercise_06_1(lambda *a: [][1]).message


# ---- 06.2 parameter count -----------------------------------------------------------------------------
def lstm_param_count(units, input_dim, peephole=False):
    return 4 * units * (input_dim + units + 1) + (3 * units if peephole else 0)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda u, d, peephole=False: 4 * u * (d + u) + (3 * u if peephole else 0), "biases"),
        (
            lambda u, d, peephole=False: u * (d + u + 1) + (3 * u if peephole else 0),
            "multiply by 4",
        ),
        (lambda u, d, peephole=False: 4 * u * (d + u + 1), "peepholes add 3H"),
        (
            lambda u, d, peephole=False: 4 * u * (d + u + 1) + (3 * u * u if peephole else 0),
            "3H weights, not 3H^2",
        ),
        (
            lambda u, d, peephole=False: 4 * u * (d + u + 1) + (4 * u if peephole else 0),
            "three peephole vectors",
        ),
    ],
)
def test_06_2(fn, hint):
    assert check.exercise_06_2(lstm_param_count)
    result = check.exercise_06_2(fn)
    assert not result and hint in result.message


# ---- 06.3 half-life -----------------------------------------------------------------------------------
def half_life(forget_bias):
    return math.log(0.5) / math.log(1 / (1 + math.exp(-forget_bias)))


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda b: -half_life(b), "The sign is wrong"),
        (lambda b: math.ceil(half_life(b)), "not rounded up"),
        (lambda b: math.log(0.5) / math.log(b), "not by b_f itself"),
        (lambda b: half_life(b) + 1, "Solve sigmoid(b_f) ** k = 1/2"),
        (lambda b: "soon", "expected a number, got str"),
    ],
)
def test_06_3(fn, hint):
    assert check.exercise_06_3(half_life)
    result = check.exercise_06_3(fn)
    assert not result and hint in result.message, result.message


# ---- 07.1 GRU parameter count -------------------------------------------------------------------------
def gru_param_count(units, input_dim, reset_after=True):
    return 3 * units * (input_dim + units + (2 if reset_after else 1))


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (
            lambda u, d, reset_after=True: 3 * u * (d + u + (1 if reset_after else 2)),
            "two bias rows",
        ),
        (lambda u, d, reset_after=True: 3 * u * (d + u), "biases are missing"),
        (lambda u, d, reset_after=True: 4 * u * (d + u + (2 if reset_after else 1)), "not four"),
        (lambda u, d, reset_after=True: u * (d + u + (2 if reset_after else 1)), "multiply by 3"),
        (lambda u, d, reset_after=True: 7, "count Wx (D, 3H)"),
    ],
)
def test_07_1(fn, hint):
    assert check.exercise_07_1(gru_param_count)
    result = check.exercise_07_1(fn)
    assert not result and hint in result.message, result.message


# ---- 07.2 update-gate interpolation -------------------------------------------------------------------
def gru_update(h_prev, g, z):
    return z * h_prev + (1 - z) * g


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda h, g, z: (1 - z) * h + z * g, "swapped"),
        (lambda h, g, z: z * h + g, "scaled by (1 - z)"),
        (lambda h, g, z: h, "the values are wrong"),
        (lambda h, g, z: h[0], "expected an array of shape (3, 4) = (N, H), got shape (4,)"),
    ],
)
def test_07_2(fn, hint):
    assert check.exercise_07_2(gru_update)
    result = check.exercise_07_2(fn)
    assert not result and hint in result.message, result.message


# ---- 07.3 matched budgets -----------------------------------------------------------------------------
def matching_units(cell, budget, input_dim):
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[cell]
    rows = 2 if cell == "GRU" else 1
    return min(range(1, 200), key=lambda h: (abs(gates * h * (input_dim + h + rows) - budget), -h))


def test_07_3():
    assert check.exercise_07_3(matching_units)

    def no_reset_after(cell, budget, input_dim):  # forgets the GRU's second bias row
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[cell]
        return min(range(1, 200), key=lambda h: (abs(gates * h * (input_dim + h + 1) - budget), -h))

    def floor_sqrt(cell, budget, input_dim):
        return int(math.sqrt(budget))

    result = check.exercise_07_3(no_reset_after)
    assert (
        not result
        and "two bias rows" in result.message
        and "expected 18 units, got 19" in result.message
    )
    result = check.exercise_07_3(floor_sqrt)
    assert not result and "34 units give" in result.message
    result = check.exercise_07_3(lambda *a: -1)
    assert not result and "Return a positive integer" in result.message


@pytest.mark.parametrize("exercise", [check.exercise_06_1, check.exercise_07_2])
@pytest.mark.parametrize("returned", ["abc", None])
def test_non_numeric_results_are_feedback_not_errors(exercise, returned):
    result = exercise(lambda *args: returned, show=False)
    assert not result and "expected an array of shape" in result.message, result.message
    assert type(returned).__name__ in result.message
