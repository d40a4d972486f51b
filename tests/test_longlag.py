"""Tests for course_utils.longlag: parameter formulas (checked against Keras) and one tiny training run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import longlag, models


@pytest.mark.parametrize("cell", longlag.CELLS)
@pytest.mark.parametrize(("units", "input_dim"), [(1, 1), (7, 3), (16, 2)])
def test_param_count_equals_keras(cell, units, input_dim):
    import keras

    for reset_after in [True, False] if cell == "GRU" else [True]:
        kwargs = {"reset_after": reset_after} if cell == "GRU" else {}
        layer = getattr(keras.layers, cell)(units, **kwargs)
        layer.build((None, None, input_dim))
        expected = layer.count_params()
        assert models.param_count(cell, units, input_dim, reset_after=reset_after) == expected


def test_param_count_formulas_by_hand():
    H, D = 10, 3
    assert models.param_count("SimpleRNN", H, D) == H * (D + H + 1)
    assert models.param_count("LSTM", H, D) == 4 * H * (D + H + 1)
    assert models.param_count("GRU", H, D) == 3 * H * (D + H + 2)
    assert models.param_count("GRU", H, D, reset_after=False) == 3 * H * (D + H + 1)


@pytest.mark.parametrize("budget", [50, 1216, 5000, 20000])
@pytest.mark.parametrize("cell", longlag.CELLS)
def test_units_for_budget_is_the_nearest_count(cell, budget):
    units = longlag.units_for_budget(cell, budget, 2)
    got = abs(models.param_count(cell, units, 2) - budget)
    for other in range(1, 4 * int(math.sqrt(budget)) + 2):
        assert got <= abs(models.param_count(cell, other, 2) - budget)


def test_comparable_budgets_are_within_five_percent():
    budget = models.param_count("LSTM", 16, 2)
    for cell in longlag.CELLS:
        count = models.param_count(cell, longlag.units_for_budget(cell, budget, 2), 2)
        assert abs(count - budget) / budget < 0.05


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: models.param_count("RNN", 4, 2),
            ValueError,
            r"cell: expected one of \('SimpleRNN', 'LSTM', 'GRU'\), got 'RNN'",
        ),
        (
            lambda: models.param_count("LSTM", 0, 2),
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
            r"target_mse: expected a finite number > 0, got 0",
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
    model = models.build_cell_model("GRU", 5, 2, seed=0)
    assert [layer.name for layer in model.layers] == ["gru", "readout"]
    assert model.count_params() == models.param_count("GRU", 5, 2) + 5 + 1


@pytest.mark.slow
def test_run_long_lag_returns_a_consistent_record():
    kwargs = dict(seed=1, budget=200, epochs=3, n_train=200, n_test=100, batch_size=50)
    # E[y^2] = 7/6 at the start, so a target of 2 is met after one epoch
    result = longlag.run_long_lag("LSTM", 6, target_mse=2.0, **kwargs)
    assert result.cell == "LSTM" and result.T == 6 and result.seed == 1
    assert result.params == models.param_count("LSTM", result.units, 2) + result.units + 1
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


# ----------------------------------------------------------------------------------------------
# The learning-rate sweep and the gradient by lag
# ----------------------------------------------------------------------------------------------


def _fake_run(
    rate: float, val_mse: tuple[float, ...], reached_at: int | None
) -> longlag.LongLagResult:
    return longlag.LongLagResult(
        cell="LSTM",
        T=6,
        seed=0,
        units=3,
        params=100,
        test_mse=val_mse[-1],
        baseline_mse=1 / 6,
        target_mse=0.01,
        reached=reached_at is not None,
        epochs=len(val_mse),
        epochs_to_target=reached_at,
        seconds_to_target=None,
        seconds_per_epoch=0.1,
        seconds=1.0,
        val_mse=val_mse,
        learning_rate=rate,
    )


def test_better_prefers_reaching_then_fewer_epochs_then_lower_mse():
    slow = _fake_run(0.01, (0.1, 0.05, 0.005), 3)
    fast = _fake_run(0.003, (0.1, 0.005), 2)
    missed = _fake_run(0.001, (0.1, 0.02), None)
    worse = _fake_run(0.001, (0.1, 0.03), None)
    assert longlag._better(fast, slow) and not longlag._better(slow, fast)
    assert longlag._better(slow, missed) and not longlag._better(missed, slow)
    assert longlag._better(missed, worse) and not longlag._better(worse, missed)
    tie = _fake_run(0.001, (0.1, 0.05, 0.001), 3)
    assert not longlag._better(tie, slow)  # ties go to the earlier rate


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"learning_rates": ()},
            r"learning_rates: expected a non-empty list of learning rates, got \(\)",
        ),
        ({"learning_rates": "0.01"}, r"learning_rates: expected a list of learning rates, got str"),
        (
            {"learning_rates": (0.01, 2.0)},
            r"learning_rates\[1\]: expected a finite number > 0 and < 1, got 2.0",
        ),
        ({"epochs": 0}, r"epochs: expected a positive integer, got 0"),
    ],
)
def test_sweep_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        longlag.sweep_long_lag("GRU", 6, **kwargs)


def test_a_learning_rate_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match=r"learning_rates\[0\]: expected a real number, got str"):
        longlag.sweep_long_lag("GRU", 6, learning_rates=["0.01"])
    with pytest.raises(TypeError, match=r"learning_rate: expected a real number, got NoneType"):
        longlag.run_long_lag("GRU", 6, learning_rate=None)


@pytest.mark.slow
def test_sweep_caps_later_rates_and_keeps_the_best():
    kwargs = dict(seed=1, budget=200, epochs=3, n_train=200, n_test=100, batch_size=50)
    # a target met after one epoch: the first rate reaches it at epoch 1, so the second may run 1 epoch
    easy = longlag.sweep_long_lag("LSTM", 6, learning_rates=(0.01, 0.003), target_mse=2.0, **kwargs)
    assert easy.budgets == (3, 1) and [r.learning_rate for r in easy.runs] == [0.01, 0.003]
    assert easy.best is easy.runs[0] and easy.reached and easy.epochs_needed == 1
    assert set(easy.weights) == {"Wx", "Wh", "b"} and easy.weights["Wh"].shape == (
        easy.best.units,
        4 * easy.best.units,
    )
    # an unreachable target: every rate gets the whole budget; the lowest validation MSE is kept
    hard = longlag.sweep_long_lag(
        "SimpleRNN", 6, learning_rates=(0.01, 0.003), target_mse=1e-9, **kwargs
    )
    assert hard.budgets == (3, 3) and all(r.epochs == 3 for r in hard.runs)
    assert not hard.reached and hard.epochs_to_target is None and hard.epochs_needed == 4
    assert hard.best_val_mse == min(min(r.val_mse) for r in hard.runs) == min(hard.best.val_mse)


def _numeric_by_lag(cell, x, weights, step=1e-6):
    """||d sum h(T) / d x(T-k)|| by central differences, averaged over the batch."""
    from course_utils import reference as ref

    forward = {"SimpleRNN": ref.rnn_forward, "LSTM": ref.lstm_forward, "GRU": ref.gru_forward}[cell]
    h0 = np.zeros((x.shape[0], weights["Wh"].shape[0]))
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        # each sequence's h(T) depends only on its own inputs, so the batch sum separates
        diff = forward(up, h0, **weights)[0][:, -1].sum(axis=1) - forward(down, h0, **weights)[0][
            :, -1
        ].sum(axis=1)
        grad[index] = diff[index[0]] / (2 * step)
    return np.linalg.norm(grad, axis=2).mean(axis=0)[::-1]


@pytest.mark.parametrize("cell", longlag.CELLS)
def test_gradient_norm_by_lag_matches_central_differences(cell):
    from course_utils import reference as ref

    model = models.build_cell_model(cell, 3, 2, seed=0)
    weights = {
        k: (np.asarray(v, dtype=np.float64) if k != "reset_after" else v)
        for k, v in ref.from_keras(model.get_layer(cell.lower())).items()
    }
    x = np.random.default_rng(0).normal(size=(2, 5, 2))
    got = longlag.gradient_norm_by_lag(cell, x, weights)
    assert got.shape == (5,)
    np.testing.assert_allclose(got, _numeric_by_lag(cell, x, weights), rtol=1e-6)


def test_gradient_norm_by_lag_of_a_linear_rnn_is_a_power():
    # h(t) = tanh(x(t) Wx + h(t-1) Wh): at tiny inputs tanh is linear, so d h(T)/d x(T-k) = Wx Wh^k
    H = 2
    weights = {"Wx": np.eye(1, H), "Wh": 0.5 * np.eye(H), "b": np.zeros(H)}
    x = np.full((1, 4, 1), 1e-9)
    got = longlag.gradient_norm_by_lag("SimpleRNN", x, weights)
    np.testing.assert_allclose(got, 0.5 ** np.arange(4), rtol=1e-6)


def test_gradient_norm_by_lag_names_bad_arguments():
    with pytest.raises(ValueError, match=r"x: expected a 3-D array of shape \(N, T, D\)"):
        longlag.gradient_norm_by_lag("LSTM", np.zeros((2, 3)), {"Wx": 0, "Wh": 0, "b": 0})
    with pytest.raises(TypeError, match=r"weights: expected a 'Wh' entry, got keys \['Wx'\]"):
        longlag.gradient_norm_by_lag("LSTM", np.zeros((2, 3, 1)), {"Wx": np.zeros((1, 4))})


def test_plot_sweeps_draws_every_run_and_marks_the_kept_one():
    import matplotlib

    matplotlib.use("Agg")
    runs = (_fake_run(0.01, (0.2, 0.1, 0.005), 3), _fake_run(0.003, (0.2, 0.15, 0.1), None))
    sweep = longlag.LongLagSweep("LSTM", 6, 0, 3, runs, (3, 3), runs[0])
    ax = longlag.plot_sweeps([sweep])
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["LSTM, lr 0.01 (kept)", "LSTM, lr 0.003"]
    assert {"predict the mean", "recent number only", "target"} <= set(labels)
    kept, other = ax.get_lines()[:2]
    assert (
        kept.get_linewidth() > other.get_linewidth()
        and kept.get_linestyle() != other.get_linestyle()
    )
    with pytest.raises(ValueError, match=r"sweeps: expected at least one LongLagSweep, got none"):
        longlag.plot_sweeps([])
