"""The notebook-05 exercise checks pass correct solutions and name the typical mistakes (without raising)."""

from __future__ import annotations

import numpy as np

from course_utils import check
from course_utils import reference as ref


def run_layer(x, p):
    return ref.rnn_forward(x, np.zeros((x.shape[0], p["Wh"].shape[0])), p["Wx"], p["Wh"], p["b"])[0]


# --- 05.1: stack forward -----------------------------------------------------------------------------


def stack_forward(x, layers):  # the solution
    h = x
    for p in layers:
        h = run_layer(h, p)
    return h


def test_05_1_passes_a_correct_stack(capsys):
    result = check.exercise_05_1(stack_forward)
    assert result and result.exercise == "05.1"
    assert "[PASS] Exercise 05.1" in capsys.readouterr().out


def test_05_1_not_attempted_and_crashes_are_feedback_not_errors():
    def stub(x, layers):
        raise NotImplementedError

    assert "not attempted yet" in check.exercise_05_1(stub).message
    assert "raised KeyError" in check.exercise_05_1(lambda x, layers: layers[0]["W"]).message


def test_05_1_names_the_typical_mistakes():
    last_only = check.exercise_05_1(lambda x, layers: stack_forward(x, layers)[:, -1])
    assert not last_only and "the last state only" in last_only.message
    bottom = check.exercise_05_1(lambda x, layers: run_layer(x, layers[0]))
    assert not bottom and "bottom layer's states" in bottom.message
    two_only = check.exercise_05_1(lambda x, layers: stack_forward(x, layers[:2]))
    assert not two_only and "returned the states of layer 2: run every layer" in two_only.message

    def always_x(x, layers):
        for p in layers:
            h = run_layer(x, p)
        return h

    reads_x = check.exercise_05_1(always_x)  # the first case has D = H, so this runs
    assert not reads_x and "not the input x" in reads_x.message
    off = check.exercise_05_1(lambda x, layers: stack_forward(x, layers) + 0.1)
    assert not off and "values differ" in off.message
    wrong_shape = check.exercise_05_1(lambda x, layers: np.zeros(3))
    assert (
        not wrong_shape
        and "expected the top layer's states of shape (N, T, H_L)" in wrong_shape.message
    )


# --- 05.2: parameter count ---------------------------------------------------------------------------


def param_count(d_in, units, outputs):  # the solution
    total, d = 0, d_in
    for h in units:
        total += d * h + h * h + h
        d = h
    return total + d * outputs + outputs


def test_05_2_passes_the_formula_and_it_matches_keras(capsys):
    import pytest

    keras = pytest.importorskip("keras")
    assert check.exercise_05_2(param_count)
    assert "[PASS] Exercise 05.2" in capsys.readouterr().out
    model = keras.Sequential(
        [
            keras.Input((None, 2)),
            keras.layers.SimpleRNN(16, return_sequences=True),
            keras.layers.SimpleRNN(8, return_sequences=True),
            keras.layers.SimpleRNN(4),
            keras.layers.Dense(10),
        ]
    )
    assert param_count(2, [16, 8, 4], 10) == model.count_params()


def test_05_2_names_the_typical_mistakes():
    def no_head(d_in, units, outputs):
        return param_count(d_in, units, outputs) - units[-1] * outputs - outputs

    def no_bias(d_in, units, outputs):
        return param_count(d_in, units, outputs) - sum(units) - outputs

    def same_d(d_in, units, outputs):
        return sum(d_in * h + h * h + h for h in units) + units[-1] * outputs + outputs

    def no_wh(d_in, units, outputs):
        return param_count(d_in, units, outputs) - sum(h * h for h in units)

    expected = {
        no_head: "left out the dense head",
        no_bias: "the biases are missing",
        same_d: "not the D inputs",
        no_wh: "recurrent weights Wh",
        (lambda d, u, o: 7): "expected a different count than 7",
        (lambda d, u, o: "1281"): "expected an integer, got str",
    }
    for wrong, words in expected.items():
        result = check.exercise_05_2(wrong)
        assert not result and words in result.message, result.message


# --- 05.3: residual stack ----------------------------------------------------------------------------


def residual_forward(x, layers):  # the solution
    h = run_layer(x, layers[0])
    for p in layers[1:]:
        h = h + run_layer(h, p)
    return h


def test_05_3_passes_a_correct_residual_stack():
    result = check.exercise_05_3(residual_forward)
    assert result and "every layer above the first" in result.message


def test_05_3_names_the_typical_mistakes():
    plain = check.exercise_05_3(stack_forward)
    assert not plain and "no residual connection was added" in plain.message

    def top_without_residual(x, layers):
        h = run_layer(x, layers[0])
        for i, p in enumerate(layers[1:], start=1):
            out = run_layer(h, p)
            h = out if i == len(layers) - 1 else h + out
        return h

    top = check.exercise_05_3(top_without_residual)
    assert not top and "top layer's output is missing its residual" in top.message

    def adds_first(x, layers):
        first = h = run_layer(x, layers[0])
        for p in layers[1:]:
            h = first + run_layer(h, p)
        return h

    first = check.exercise_05_3(adds_first)
    assert not first and "not the first layer's states" in first.message

    def residual_on_first_too(x, layers):
        h = x
        for p in layers:
            h = h + run_layer(h, p)
        return h

    crash = check.exercise_05_3(residual_on_first_too)  # D != H: the shapes cannot be added
    assert not crash and "raised ValueError" in crash.message
    last = check.exercise_05_3(lambda x, layers: residual_forward(x, layers)[:, -1])
    assert not last and "the last state only" in last.message
