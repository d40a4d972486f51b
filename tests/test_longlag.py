"""Tests for course_utils.longlag: parameter formulas (checked against Keras) and one tiny training run."""

from __future__ import annotations

import math

import pytest

from course_utils import longlag


@pytest.mark.parametrize("cell", longlag.CELLS)
@pytest.mark.parametrize(("units", "input_dim"), [(1, 1), (7, 3), (16, 2)])
def test_param_count_equals_keras(cell, units, input_dim):
    import keras

    for reset_after in [True, False] if cell == "GRU" else [True]:
        kwargs = {"reset_after": reset_after} if cell == "GRU" else {}
        layer = getattr(keras.layers, cell)(units, **kwargs)
        layer.build((None, None, input_dim))
        expected = layer.count_params()
        assert longlag.param_count(cell, units, input_dim, reset_after=reset_after) == expected


def test_param_count_formulas_by_hand():
    H, D = 10, 3
    assert longlag.param_count("SimpleRNN", H, D) == H * (D + H + 1)
    assert longlag.param_count("LSTM", H, D) == 4 * H * (D + H + 1)
    assert longlag.param_count("GRU", H, D) == 3 * H * (D + H + 2)
    assert longlag.param_count("GRU", H, D, reset_after=False) == 3 * H * (D + H + 1)


@pytest.mark.parametrize("budget", [50, 1216, 5000, 20000])
@pytest.mark.parametrize("cell", longlag.CELLS)
def test_units_for_budget_is_the_nearest_count(cell, budget):
    units = longlag.units_for_budget(cell, budget, 2)
    got = abs(longlag.param_count(cell, units, 2) - budget)
    for other in range(1, 4 * int(math.sqrt(budget)) + 2):
        assert got <= abs(longlag.param_count(cell, other, 2) - budget)


def test_comparable_budgets_are_within_five_percent():
    budget = longlag.param_count("LSTM", 16, 2)
    for cell in longlag.CELLS:
        count = longlag.param_count(cell, longlag.units_for_budget(cell, budget, 2), 2)
        assert abs(count - budget) / budget < 0.05


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: longlag.param_count("RNN", 4, 2),
            ValueError,
            r"cell: expected one of \('SimpleRNN', 'LSTM', 'GRU'\), got 'RNN'",
        ),
        (
            lambda: longlag.param_count("LSTM", 0, 2),
            ValueError,
            r"units: expected a positive integer, got 0",
        ),
        (
            lambda: longlag.units_for_budget("GRU", -5, 2),
            ValueError,
            r"budget: expected a positive integer, got -5",
        ),
        (
            lambda: longlag.run_long_lag("LSTM", 10, target_mse=0),
            ValueError,
            r"target_mse: expected a positive number, got 0",
        ),
        (
            lambda: longlag.run_long_lag("LSTM", 10, epochs=0),
            ValueError,
            r"epochs: expected a positive integer, got 0",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_build_model_has_the_cell_and_a_readout():
    model = longlag.build_model("GRU", 5, 2, seed=0)
    assert [layer.name for layer in model.layers] == ["gru", "readout"]
    assert model.count_params() == longlag.param_count("GRU", 5, 2) + 5 + 1


@pytest.mark.slow
def test_run_long_lag_returns_a_consistent_record():
    kwargs = dict(seed=1, budget=200, epochs=3, n_train=200, n_test=100, batch_size=50)
    # E[y^2] = 7/6 at the start, so a target of 2 is met after one epoch
    result = longlag.run_long_lag("LSTM", 6, target_mse=2.0, **kwargs)
    assert result.cell == "LSTM" and result.T == 6 and result.seed == 1
    assert result.params == longlag.param_count("LSTM", result.units, 2) + result.units + 1
    assert result.reached and result.epochs_to_target == 1 and result.epochs == 1
    assert result.seconds_to_target == pytest.approx(result.seconds)
    assert result.seconds_per_epoch > 0 and len(result.val_mse) == 1
    assert 0 < result.test_mse < 2.0
    assert result.baseline_mse == pytest.approx(1 / 6)
    # an unreachable target: the full budget runs
    hard = longlag.run_long_lag("SimpleRNN", 6, target_mse=1e-6, **kwargs)
    assert not hard.reached and hard.epochs == 3 and hard.epochs_to_target is None
    assert hard.seconds_to_target is None and len(hard.val_mse) == 3
    assert hard.as_dict()["cell"] == "SimpleRNN"
    again = longlag.run_long_lag("SimpleRNN", 6, target_mse=1e-6, **kwargs)
    assert again.test_mse == pytest.approx(hard.test_mse, rel=1e-5)  # seeded
